import { Card, Group, SegmentedControl, Title } from "@mantine/core";
import { IconPlayerPlay } from "@tabler/icons-react";
import {
  getCoreRowModel,
  getSortedRowModel,
  useReactTable,
  type SortingState,
} from "@tanstack/react-table";
import { useMemo, useState } from "react";

import { EmptyState } from "../../components/EmptyState";
import { ErrorNotice } from "../../components/ErrorNotice";
import { runColumns } from "../../components/runColumns";
import { TableView } from "../../components/TableView";
import { useRuns } from "../../lib/queries";

const RUNS_SHOWN = 50;

type OutcomeFilter = "all" | "running" | "succeeded" | "partial" | "failed" | "abandoned";

const FILTERS: { value: OutcomeFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "running", label: "Running" },
  { value: "succeeded", label: "Succeeded" },
  { value: "partial", label: "Partial" },
  { value: "failed", label: "Failed" },
  { value: "abandoned", label: "Abandoned" },
];

/** The latest 50 runs of every flow, sorted and filtered here (it is one small page). */
export function RecentRuns() {
  const runs = useRuns(null, RUNS_SHOWN);
  const [filter, setFilter] = useState<OutcomeFilter>("all");
  const [sorting, setSorting] = useState<SortingState>([{ id: "started", desc: true }]);

  const rows = useMemo(() => {
    const all = runs.data ?? [];
    if (filter === "all") return all;
    return all.filter((run) => (run.outcome ?? "running") === filter);
  }, [runs.data, filter]);

  const table = useReactTable({
    data: rows,
    columns: runColumns,
    getRowId: (run) => String(run.id),
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    state: { sorting },
    onSortingChange: setSorting,
    enableSortingRemoval: false,
  });

  return (
    <Card data-testid="recent-runs">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5">
          Recent runs
        </Title>
        <SegmentedControl
          size="xs"
          aria-label="Show runs that"
          data-testid="runs-outcome-filter"
          value={filter}
          onChange={(value) => setFilter(value as OutcomeFilter)}
          data={FILTERS}
        />
      </Group>
      {runs.isError ? (
        <ErrorNotice
          title="Recent runs could not be loaded"
          error={runs.error}
          onRetry={() => void runs.refetch()}
        />
      ) : (
        <TableView
          table={table}
          label="Recent runs"
          loading={runs.isPending}
          rowTestId={(run) => `run-row-${run.id}`}
          empty={
            <EmptyState
              icon={IconPlayerPlay}
              title={filter === "all" ? "No runs yet" : "No runs match this filter"}
            >
              {filter === "all"
                ? "Flows run on their schedule, or here with Run now."
                : "Choose All to see every recent run."}
            </EmptyState>
          }
        />
      )}
    </Card>
  );
}
