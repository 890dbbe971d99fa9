import { Group, Stack, Text, Tooltip } from "@mantine/core";
import { createColumnHelper } from "@tanstack/react-table";

import type { ReconResultRow } from "../../bindings";
import { StatusBadge } from "../../components/StatusBadge";
import { categoryLook, kindLabel, openLook, resolutionLook } from "./reconLabels";

/** Figures line up by digit in a right-aligned column. */
export const TABULAR = { fontVariantNumeric: "tabular-nums", whiteSpace: "nowrap" } as const;

/** An amount exactly as the engine sent it (major units), or a dash when there is none. */
export function Amount({
  value,
  "data-testid": testId,
}: {
  value: string | null;
  "data-testid"?: string;
}) {
  if (value === null || value === "") {
    return (
      <Text size="sm" c="dimmed" aria-label="None" span data-testid={testId}>
        —
      </Text>
    );
  }
  return (
    <Text size="sm" ff="monospace" style={TABULAR} span data-testid={testId}>
      {value}
    </Text>
  );
}

/** How many ids a table cell shows before "+N more". */
const IDS_SHOWN = 2;

/** Record ids, the first few in full; every id is in the drawer. */
export function IdList({ ids }: { ids: string[] }) {
  if (ids.length === 0) {
    return (
      <Text size="sm" c="dimmed" aria-label="None" span>
        —
      </Text>
    );
  }
  const shown = ids.slice(0, IDS_SHOWN);
  const more = ids.length - shown.length;
  return (
    <Stack gap={0}>
      {shown.map((id) => (
        <Text key={id} size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
          {id}
        </Text>
      ))}
      {more > 0 && (
        <Tooltip label={ids.slice(IDS_SHOWN).join(", ")} openDelay={200}>
          <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
            +{more} more
          </Text>
        </Tooltip>
      )}
    </Stack>
  );
}

export function CategoryBadge({
  category,
  "data-testid": testId,
}: {
  category: string;
  "data-testid"?: string;
}) {
  return <StatusBadge look={categoryLook(category)} data-testid={testId} />;
}

/** The decision on a result, who made it; "To review"/"Open" while undecided; nothing for a match. */
export function Decision({ row }: { row: ReconResultRow }) {
  if (row.resolution) {
    return (
      <Stack gap={2} data-testid="recon-row-resolution">
        <StatusBadge look={resolutionLook(row.resolution)} />
        {row.resolvedBy && (
          <Text size="xs" c="dimmed" style={{ wordBreak: "break-all" }}>
            {row.resolvedBy}
          </Text>
        )}
      </Stack>
    );
  }
  const open = openLook(row.category);
  if (!open) {
    return (
      <Text size="sm" c="dimmed" aria-label="Nothing to decide" span>
        —
      </Text>
    );
  }
  return <StatusBadge look={open} variant="outline" />;
}

const column = createColumnHelper<ReconResultRow>();

/** The engine orders and pages the results; the table does not sort. */
export const resultColumns = [
  column.accessor("category", {
    header: "Category",
    cell: (info) => <CategoryBadge category={info.getValue()} />,
    enableSorting: false,
  }),
  column.accessor("kind", {
    header: "Kind",
    // The reason in full is in the drawer; hovering the kind shows it too.
    cell: (info) => (
      <Text size="sm" style={{ whiteSpace: "nowrap" }} title={info.row.original.reason}>
        {kindLabel(info.getValue())}
      </Text>
    ),
    enableSorting: false,
  }),
  column.accessor("currency", {
    header: "Currency",
    cell: (info) => (
      <Text size="sm" ff="monospace">
        {info.getValue().toUpperCase()}
      </Text>
    ),
    enableSorting: false,
  }),
  column.accessor("providerIds", {
    header: "Provider",
    cell: (info) => <IdList ids={info.getValue()} />,
    enableSorting: false,
  }),
  column.accessor("salesforceIds", {
    header: "Salesforce",
    cell: (info) => <IdList ids={info.getValue()} />,
    enableSorting: false,
  }),
  column.accessor("gross", {
    header: "Gross",
    cell: (info) => <Amount value={info.getValue()} />,
    enableSorting: false,
    meta: { align: "right" },
  }),
  column.accessor("fee", {
    header: "Fee",
    cell: (info) => <Amount value={info.getValue()} />,
    enableSorting: false,
    meta: { align: "right" },
  }),
  column.accessor("fxDifference", {
    header: "FX",
    cell: (info) => <Amount value={info.getValue()} />,
    enableSorting: false,
    meta: { align: "right" },
  }),
  column.accessor("net", {
    header: "Net",
    cell: (info) => <Amount value={info.getValue()} />,
    enableSorting: false,
    meta: { align: "right" },
  }),
  column.accessor("resolution", {
    header: "Decision",
    cell: (info) => (
      <Group gap={4} wrap="nowrap">
        <Decision row={info.row.original} />
      </Group>
    ),
    enableSorting: false,
  }),
];
