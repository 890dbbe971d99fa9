import { Box, Group, Progress, SegmentedControl, Stack, Text } from "@mantine/core";
import { IconCash, IconCircleCheck, IconHandStop } from "@tabler/icons-react";
import {
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type SortingState,
} from "@tanstack/react-table";
import { useCallback, useEffect, useRef, useState } from "react";

import type { PayoutBatchRow } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNotice } from "../../components/ErrorNotice";
import { TableView } from "../../components/TableView";
import { isPayoutLive, type usePayoutBatches } from "../../lib/queries";
import { PayoutBatchDrawer } from "./PayoutBatchDrawer";
import { batchColumns } from "./payoutColumns";

/** The status filter: open (every batch not finished), all, or held. */
export type BatchFilter = "open" | "all" | "held";

export const BATCH_FILTERS: { value: BatchFilter; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "all", label: "All" },
  { value: "held", label: "Held" },
];

/** What the engine is asked for: `null` is every batch not finished. */
export function batchStatus(filter: BatchFilter): string | null {
  return filter === "open" ? null : filter;
}

const NEWEST_FIRST: SortingState = [{ id: "createdAt", desc: true }];

function Empty({ filter }: { filter: BatchFilter }) {
  switch (filter) {
    case "open":
      return (
        <EmptyState icon={IconCircleCheck} title="No batches to decide" data-testid="payouts-empty">
          Payout requests approved in Salesforce are drafted into batches here, for approval before
          any money moves.
        </EmptyState>
      );
    case "held":
      return (
        <EmptyState icon={IconHandStop} title="No batch is held" data-testid="payouts-empty">
          A batch is held when Payoneer cannot take it yet: for insufficient funds, or while
          Payoneer is not answering. It is sent by itself when that clears.
        </EmptyState>
      );
    case "all":
      return (
        <EmptyState icon={IconCash} title="No payout batches yet" data-testid="payouts-empty">
          Batches appear once payout requests are approved in Salesforce.
        </EmptyState>
      );
  }
}

interface PayoutBatchesProps {
  filter: BatchFilter;
  onFilterChange: (filter: BatchFilter) => void;
  batches: ReturnType<typeof usePayoutBatches>;
}

/**
 * The batches of one filter, sorted here (the engine sends them all at once), and the drawer of the
 * one picked; `j`/`k` in the drawer walk this list in the order shown.
 */
export function PayoutBatches({ filter, onFilterChange, batches }: PayoutBatchesProps) {
  const [sorting, setSorting] = useState<SortingState>(NEWEST_FIRST);
  const [open, setOpen] = useState<PayoutBatchRow | null>(null);
  // Where the open batch last was in the list: it may leave it (rejected, or no longer open).
  const lastIndex = useRef(0);

  const table = useReactTable({
    data: batches.data ?? [],
    columns: batchColumns,
    getRowId: (row) => row.id,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    state: { sorting },
    onSortingChange: setSorting,
    enableSortingRemoval: false,
    enableMultiSort: false,
  });
  const rows = table.getRowModel().rows.map((row) => row.original);
  const index = open ? rows.findIndex((row) => row.id === open.id) : -1;
  // The list's newest read of the open batch, once it has one.
  const current = index >= 0 ? (rows[index] ?? open) : open;

  useEffect(() => {
    if (index >= 0) lastIndex.current = index;
  }, [index]);

  const step = (direction: 1 | -1) => {
    if (!open) return;
    // Off the list: the batch that took its place is the next one, the one before it the previous.
    const target =
      index >= 0
        ? rows[index + direction]
        : rows[direction === 1 ? lastIndex.current : lastIndex.current - 1];
    if (target) setOpen(target);
  };

  const openBatch = useCallback((row: PayoutBatchRow) => setOpen(row), []);
  const live = batches.data?.some(isPayoutLive) ?? false;

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="nowrap">
        <SegmentedControl
          aria-label="Show batches that are"
          data-testid="payout-batches-status"
          value={filter}
          onChange={(value) => onFilterChange(value as BatchFilter)}
          data={BATCH_FILTERS}
        />
        {live && (
          <Text size="xs" c="dimmed" data-testid="payout-batches-live">
            Batches are on their way to Payoneer: updating every 2 seconds.
          </Text>
        )}
      </Group>
      <Progress
        value={100}
        size={2}
        animated
        aria-hidden
        style={{ visibility: batches.isPlaceholderData ? "visible" : "hidden" }}
      />
      {batches.isError && !batches.data ? (
        <ErrorNotice
          title="The payout batches could not be loaded"
          error={batches.error}
          onRetry={() => void batches.refetch()}
        />
      ) : (
        <Box data-testid="payout-batches-table">
          {batches.isError && (
            <Box mb="sm">
              <ErrorNotice
                title="The latest batches could not be loaded"
                error={batches.error}
                onRetry={() => void batches.refetch()}
              />
            </Box>
          )}
          <TableView
            table={table}
            label="Payout batches"
            loading={batches.isPending}
            stale={batches.isPlaceholderData}
            onRowOpen={openBatch}
            rowTestId={(row) => `payout-batch-row-${row.id}`}
            highlighted={(row) => row.id === open?.id}
            empty={<Empty filter={filter} />}
          />
        </Box>
      )}
      <PayoutBatchDrawer
        batch={current}
        onClose={() => setOpen(null)}
        onStep={step}
        position={index >= 0 ? { index, count: rows.length } : null}
      />
    </Stack>
  );
}
