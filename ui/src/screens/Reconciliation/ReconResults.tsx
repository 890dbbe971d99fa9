import { Button, Card, Group, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { IconCircleCheck, IconFilterOff, IconX } from "@tabler/icons-react";
import { useCallback, useState } from "react";

import type { ReconCountRow, ReconResultRow, ReconRunRow } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ServerTable, type ServerTableState } from "../../components/ServerTable";
import { formatInteger } from "../../lib/format";
import { useReconciliationResults } from "../../lib/queries";
import type { ReconResultQuery } from "../../lib/queryKeys";
import { KindChips, type KindFilter } from "./KindChips";
import {
  CATEGORIES,
  CATEGORY_TITLES,
  isCategory,
  kindLabel,
  type ReconCategory,
} from "./reconLabels";
import { resultColumns } from "./resultColumns";
import { ResultDrawer } from "./ResultDrawer";

/** Which results the table shows: one category, maybe one kind of it. */
export interface ResultFilter {
  category: ReconCategory;
  kind: string | null;
}

/** Exceptions first: they are what needs someone. */
export const DEFAULT_FILTER: ResultFilter = { category: "exception", kind: null };

export const FIRST_PAGE: ServerTableState = {
  pagination: { pageIndex: 0, pageSize: 50 },
  // The engine orders the results; the table does not sort.
  sorting: [],
  columnFilters: [],
};

export function toResultQuery(
  runId: number,
  filter: ResultFilter,
  state: ServerTableState,
): ReconResultQuery {
  const { pageIndex, pageSize } = state.pagination;
  return {
    runId,
    category: filter.category,
    kind: filter.kind,
    limit: pageSize,
    offset: pageIndex * pageSize,
  };
}

const CATEGORY_COUNTS: Record<ReconCategory, (run: ReconRunRow) => number> = {
  exception: (run) => run.exceptions,
  suggested: (run) => run.suggested,
  matched: (run) => run.matched,
};

const EMPTY_WORDS: Record<ReconCategory, [string, string]> = {
  exception: ["No exceptions", "Everything this run read was matched or suggested."],
  suggested: ["No suggestions to review", "Likely matches a person must confirm appear here."],
  matched: ["No confirmed matches", "Records on both sides that are the same money appear here."],
};

function Empty({ filter }: { filter: ResultFilter }) {
  if (filter.kind) {
    return (
      <EmptyState icon={IconFilterOff} title="No results of this kind" data-testid="recon-empty">
        This run has no {kindLabel(filter.kind).toLowerCase()} results in this category.
      </EmptyState>
    );
  }
  const [title, words] = EMPTY_WORDS[filter.category];
  return (
    <EmptyState icon={IconCircleCheck} title={title} data-testid="recon-empty">
      {words}
    </EmptyState>
  );
}

interface ReconResultsProps {
  run: ReconRunRow;
  counts: ReconCountRow[];
  filter: ResultFilter;
  state: ServerTableState;
  onFilterChange: (filter: ResultFilter) => void;
  onStateChange: (state: ServerTableState) => void;
}

/**
 * The workbench: the run's results by kind, one category at a time, paged by the engine (a run
 * can have a hundred thousand), and the drawer of the one picked.
 */
export function ReconResults({
  run,
  counts,
  filter,
  state,
  onFilterChange,
  onStateChange,
}: ReconResultsProps) {
  const page = useReconciliationResults(toResultQuery(run.id, filter, state));
  const [open, setOpen] = useState<ReconResultRow | null>(null);

  const openResult = useCallback((row: ReconResultRow) => setOpen(row), []);
  const selectKind = (picked: KindFilter) => onFilterChange(picked);

  return (
    <Card padding="md" data-testid="recon-results">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap" gap="sm">
          <Title order={3} size="h5">
            Results
          </Title>
          <SegmentedControl
            aria-label="Show results that are"
            data-testid="recon-category"
            value={filter.category}
            onChange={(value) => {
              if (isCategory(value)) onFilterChange({ category: value, kind: null });
            }}
            data={CATEGORIES.map((category) => ({
              value: category,
              label: `${CATEGORY_TITLES[category]} (${formatInteger(CATEGORY_COUNTS[category](run))})`,
            }))}
          />
        </Group>
        <KindChips
          counts={counts}
          selected={filter.kind ? { category: filter.category, kind: filter.kind } : null}
          onSelect={selectKind}
        />
        {filter.kind && (
          <Group gap="xs" data-testid="recon-kind-filter">
            <Text size="sm">
              Only{" "}
              <Text span fw={600} inherit>
                {kindLabel(filter.kind)}
              </Text>{" "}
              ({CATEGORY_TITLES[filter.category].toLowerCase()})
            </Text>
            <Button
              size="compact-sm"
              variant="subtle"
              leftSection={<IconX size={14} />}
              data-testid="recon-kind-clear"
              onClick={() => onFilterChange({ category: filter.category, kind: null })}
            >
              Clear
            </Button>
          </Group>
        )}
        <ServerTable
          data-testid="recon-results-table"
          label={`${CATEGORY_TITLES[filter.category]} of run ${run.id}`}
          columns={resultColumns}
          rows={page.data?.rows}
          total={page.data?.total}
          {...state}
          onStateChange={onStateChange}
          getRowId={(row) => String(row.id)}
          isLoading={page.isPending}
          isStale={page.isPlaceholderData}
          error={page.error}
          onRetry={() => void page.refetch()}
          onRowOpen={openResult}
          rowTestId={(row) => `recon-result-row-${row.id}`}
          highlighted={(row) => row.id === open?.id}
          empty={<Empty filter={filter} />}
        />
      </Stack>
      <ResultDrawer result={open} onClose={() => setOpen(null)} onResolved={setOpen} />
    </Card>
  );
}
