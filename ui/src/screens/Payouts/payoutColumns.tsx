import { Progress, Stack, Text, Tooltip } from "@mantine/core";
import { createColumnHelper } from "@tanstack/react-table";
import type { ReactNode } from "react";

import type { PayoutBatchRow, PayoutItemRow } from "../../bindings";
import { RelativeTime } from "../../components/RelativeTime";
import { PayoutBatchStatusBadge } from "../../components/StatusBadge";
import { compareDecimal, formatInteger } from "../../lib/format";

/** Money lines up by digit in a right-aligned column. */
export const TABULAR = { fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" } as const;

/**
 * An amount exactly as the engine sent it, with its currency ("1234.50 EUR"): payout figures are
 * compared against Payoneer and Salesforce digit for digit, so they are not reformatted.
 */
export function Money({
  amount,
  currency,
  ...props
}: {
  amount: string;
  currency: string;
  size?: string;
  fw?: number;
  "data-testid"?: string;
}) {
  return (
    <Text size="sm" ff="monospace" style={TABULAR} span {...props}>
      {amount} {currency.toUpperCase()}
    </Text>
  );
}

/** A value the engine does not have, said as a dash (and "None" to assistive technology). */
export function OrNone({ value, mono = false }: { value: string | null; mono?: boolean }) {
  if (value === null || value === "") {
    return (
      <Text size="sm" c="dimmed" aria-label="None" span>
        —
      </Text>
    );
  }
  return (
    <Text size="sm" ff={mono ? "monospace" : undefined} style={{ wordBreak: "break-all" }} span>
      {value}
    </Text>
  );
}

/** Batches whose items are on their way or settled have outcomes worth showing. */
export function hasOutcomes(batch: PayoutBatchRow): boolean {
  return (
    ["submitting", "submitted", "completed"].includes(batch.status) ||
    batch.paid + batch.failed + batch.cancelled + batch.inFlight > 0
  );
}

/** "6 paid · 1 failed · 3 in flight": the counts that are not zero, in words. */
export function outcomeWords(batch: PayoutBatchRow): string {
  const parts = [
    [batch.paid, "paid"],
    [batch.failed, "failed"],
    [batch.cancelled, "cancelled"],
    [batch.inFlight, "in flight"],
  ] as const;
  const said = parts.filter(([n]) => n > 0).map(([n, word]) => `${formatInteger(n)} ${word}`);
  return said.length > 0 ? said.join(" · ") : "Nothing settled yet";
}

/** A batch's items by outcome as one bar (paid green, failed red, cancelled gray, in flight cyan). */
export function OutcomeBar({ batch, size = "sm" }: { batch: PayoutBatchRow; size?: string }) {
  const total = Math.max(batch.itemCount, 1);
  const share = (n: number) => (n / total) * 100;
  const sections: [number, string, string][] = [
    [batch.paid, "green", "paid"],
    [batch.failed, "red", "failed"],
    [batch.cancelled, "gray", "cancelled"],
    [batch.inFlight, "cyan", "in flight"],
  ];
  return (
    <Progress.Root size={size} aria-hidden>
      {sections
        .filter(([n]) => n > 0)
        .map(([n, color, word]) => (
          <Progress.Section key={word} value={share(n)} color={color} withAria={false} />
        ))}
    </Progress.Root>
  );
}

const batch = createColumnHelper<PayoutBatchRow>();

/** Sorted here: the engine sends every batch of the filter at once. */
export const batchColumns = [
  batch.accessor("id", {
    header: "Batch",
    cell: (info) => (
      <Text size="sm" ff="monospace" fw={600} style={{ whiteSpace: "nowrap" }}>
        {info.getValue()}
      </Text>
    ),
    sortDescFirst: false,
  }),
  batch.accessor("status", {
    header: "Status",
    cell: (info) => <PayoutBatchStatusBadge status={info.getValue()} />,
    sortDescFirst: false,
  }),
  batch.accessor("currency", {
    header: "Currency",
    cell: (info) => (
      <Text size="sm" ff="monospace">
        {info.getValue()}
      </Text>
    ),
    sortDescFirst: false,
  }),
  batch.accessor("itemCount", {
    header: "Items",
    cell: (info) => (
      <Text size="sm" style={TABULAR}>
        {formatInteger(info.getValue())}
      </Text>
    ),
    sortDescFirst: true,
    meta: { align: "right" },
  }),
  batch.accessor("total", {
    header: "Total",
    cell: (info) => (
      <Stack gap={0} align="flex-end">
        <Money amount={info.getValue()} currency={info.row.original.currency} fw={500} />
        {info.row.original.fees !== null && (
          <Text size="xs" c="dimmed" ff="monospace" style={TABULAR}>
            fees {info.row.original.fees}
          </Text>
        )}
      </Stack>
    ),
    // Exact: decimal strings are compared as numbers without a float.
    sortingFn: (a, b) => compareDecimal(a.original.total, b.original.total),
    sortDescFirst: true,
    meta: { align: "right" },
  }),
  batch.accessor((row) => row.approvalsNeeded - row.approvals, {
    id: "approvals",
    header: "Approvals",
    cell: (info) => {
      const { approvals, approvalsNeeded } = info.row.original;
      return (
        <Text
          size="sm"
          style={TABULAR}
          fw={approvals >= approvalsNeeded ? 600 : undefined}
          aria-label={`${approvals} of ${approvalsNeeded} approvals`}
        >
          {approvals} / {approvalsNeeded}
        </Text>
      );
    },
    // Those that still need the most approvals first.
    sortDescFirst: true,
    meta: { align: "right" },
  }),
  batch.accessor("createdAt", {
    header: "Created",
    cell: (info) => (
      <Text size="sm" style={{ whiteSpace: "nowrap" }}>
        <RelativeTime iso={info.getValue()} />
      </Text>
    ),
    sortDescFirst: true,
  }),
  batch.display({
    id: "outcome",
    header: "Outcome",
    cell: (info) => {
      const row = info.row.original;
      if (!hasOutcomes(row)) {
        return (
          <Text size="sm" c="dimmed" aria-label="Not sent yet">
            —
          </Text>
        );
      }
      const words = outcomeWords(row);
      return (
        <Tooltip label={words} openDelay={200}>
          <Stack gap={4} miw={120} data-testid={`payout-batch-outcome-${row.id}`}>
            <OutcomeBar batch={row} />
            <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
              {words}
            </Text>
          </Stack>
        </Tooltip>
      );
    },
    meta: { width: 180 },
  }),
];

const item = createColumnHelper<PayoutItemRow>();

function Stacked({ top, bottom }: { top: ReactNode; bottom: ReactNode }) {
  return (
    <Stack gap={0}>
      {top}
      <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: "break-all" }}>
        {bottom}
      </Text>
    </Stack>
  );
}

/** Items waiting for support to correct their recipient; the reason says what is wrong. */
export const correctionColumns = [
  item.accessor((row) => row.requestName ?? row.requestId, {
    id: "request",
    header: "Request",
    cell: (info) => (
      <Stacked
        top={
          <Text size="sm" ff="monospace" fw={600} style={{ whiteSpace: "nowrap" }}>
            {info.getValue()}
          </Text>
        }
        bottom={info.row.original.requestName ? info.row.original.requestId : null}
      />
    ),
    sortDescFirst: false,
  }),
  item.accessor((row) => row.payeeName ?? "", {
    id: "payee",
    header: "Payee",
    cell: (info) => <OrNone value={info.row.original.payeeName} />,
    sortDescFirst: false,
  }),
  item.accessor((row) => row.email ?? "", {
    id: "email",
    header: "Email",
    cell: (info) => <OrNone value={info.row.original.email} />,
    sortDescFirst: false,
  }),
  item.accessor((row) => row.country ?? "", {
    id: "country",
    header: "Country",
    cell: (info) => <OrNone value={info.row.original.country} mono />,
    sortDescFirst: false,
  }),
  item.accessor((row) => row.payeeId ?? "", {
    id: "payeeId",
    header: "Payee id",
    cell: (info) => <OrNone value={info.row.original.payeeId} mono />,
    sortDescFirst: false,
  }),
  item.accessor("amount", {
    header: "Amount",
    cell: (info) => <Money amount={info.getValue()} currency={info.row.original.currency} />,
    sortingFn: (a, b) => compareDecimal(a.original.amount, b.original.amount),
    sortDescFirst: true,
    meta: { align: "right" },
  }),
  item.accessor((row) => row.reason ?? "", {
    id: "reason",
    header: "Why it needs correcting",
    // The key column: shown whole, never clamped.
    cell: (info) => (
      <Text size="sm" c="orange.8" style={{ wordBreak: "break-word" }}>
        {info.row.original.reason ?? "No reason given"}
      </Text>
    ),
    sortDescFirst: false,
    meta: { width: "32%" },
  }),
];
