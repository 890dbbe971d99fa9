import { Group, Text } from "@mantine/core";
import { createColumnHelper } from "@tanstack/react-table";

import type { PaymentRow } from "../../bindings";
import { RelativeTime } from "../../components/RelativeTime";
import { PaymentStatusBadge } from "../../components/StatusBadge";
import { formatDateTime, formatMoney, providerLabel } from "../../lib/format";

const column = createColumnHelper<PaymentRow>();

/** Money lines up by digit in a right-aligned column. */
export const TABULAR = { fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" } as const;

/**
 * Column ids are the engine's sort columns (`PaymentSortColumn`), so the table state maps onto
 * the query without a lookup. The provider is not one of them and does not sort.
 */
export const paymentColumns = [
  column.accessor("occurredAt", {
    header: "When",
    cell: (info) => (
      <Group gap="xs" wrap="nowrap">
        <Text size="sm" style={{ whiteSpace: "nowrap" }}>
          {formatDateTime(info.getValue())}
        </Text>
        <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
          <RelativeTime iso={info.getValue()} />
        </Text>
      </Group>
    ),
    // Newest first on the first click.
    sortDescFirst: true,
    meta: { width: 250 },
  }),
  column.accessor("providerId", {
    header: "Provider id",
    cell: (info) => (
      <Text size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
        {info.getValue()}
      </Text>
    ),
    sortDescFirst: false,
  }),
  column.accessor("customer", {
    header: "Customer",
    cell: (info) => {
      const customer = info.getValue();
      return customer ? (
        <Text size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
          {customer}
        </Text>
      ) : (
        <Text size="sm" c="dimmed" aria-label="No customer">
          —
        </Text>
      );
    },
    // A-Z first, whatever the first row holds (TanStack guesses from it otherwise).
    sortDescFirst: false,
  }),
  column.accessor("amount", {
    header: "Amount",
    cell: (info) => (
      <Text size="sm" fw={500} style={TABULAR}>
        {formatMoney(info.getValue(), info.row.original.currency)}
      </Text>
    ),
    // Largest first on the first click: what finance staff look for.
    sortDescFirst: true,
    meta: { align: "right" },
  }),
  column.accessor("status", {
    header: "Status",
    cell: (info) => <PaymentStatusBadge status={info.getValue()} />,
    sortDescFirst: false,
  }),
  column.accessor("provider", {
    header: "Provider",
    cell: (info) => <Text size="sm">{providerLabel(info.getValue())}</Text>,
    enableSorting: false,
  }),
];
