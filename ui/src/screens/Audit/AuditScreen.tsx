import { Box, Card, Stack } from "@mantine/core";
import { IconListSearch } from "@tabler/icons-react";
import { useCallback, useState } from "react";

import type { AuditQuery, AuditRow, AuditSortColumn } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ScreenHeader } from "../../components/ScreenHeader";
import { ServerTable, type ServerTableState } from "../../components/ServerTable";
import { useAuditPage } from "../../lib/queries";
import { AuditEntryDrawer } from "./AuditEntryDrawer";
import { auditColumns } from "./auditColumns";
import { AuditVerifyStatus } from "./AuditVerifyStatus";
import { useEntryFromSearch } from "./useEntryFromSearch";

const NEWEST_FIRST = [{ id: "seq", desc: true }];

const INITIAL_STATE: ServerTableState = {
  pagination: { pageIndex: 0, pageSize: 50 },
  sorting: NEWEST_FIRST,
  columnFilters: [],
};

const SORT_COLUMNS: readonly AuditSortColumn[] = ["seq", "actor", "action", "subject"];

function filterValue(state: ServerTableState, id: string): string | null {
  const value = state.columnFilters.find((f) => f.id === id)?.value;
  return typeof value === "string" && value.trim() ? value.trim() : null;
}

/** The table's state as the engine's query. */
export function toAuditQuery(state: ServerTableState): AuditQuery {
  const sort = state.sorting[0];
  const column = SORT_COLUMNS.find((c) => c === sort?.id) ?? "seq";
  const { pageIndex, pageSize } = state.pagination;
  return {
    actor: filterValue(state, "actor"),
    action: filterValue(state, "action"),
    subject: filterValue(state, "subject"),
    sort: column,
    descending: sort?.desc ?? true,
    offset: pageIndex * pageSize,
    limit: pageSize,
  };
}

export function AuditScreen() {
  const [state, setState] = useState(INITIAL_STATE);
  const [entry, setEntry] = useState<AuditRow | null>(null);
  const [picked, setPicked] = useState<number | null>(null);
  const page = useAuditPage(toAuditQuery(state));
  const filtered = state.columnFilters.length > 0;

  const showPosition = useCallback(
    (position: number) =>
      setState((s) => ({
        sorting: NEWEST_FIRST,
        columnFilters: [],
        pagination: { ...s.pagination, pageIndex: Math.floor(position / s.pagination.pageSize) },
      })),
    [],
  );
  const openEntry = useCallback((row: AuditRow) => {
    setPicked(row.seq);
    setEntry(row);
  }, []);

  useEntryFromSearch({
    page: page.data,
    pageIsCurrent: page.isSuccess && !page.isPlaceholderData,
    showPosition,
    openEntry,
  });

  return (
    <Box data-testid="screen-audit" data-ready={page.data ? "true" : undefined}>
      <ScreenHeader
        title="Audit"
        description="Every change Paysync and its users made, in a tamper-evident log. Select an entry for its details."
      />
      <Stack gap="md">
        <AuditVerifyStatus />
        <Card padding="md">
          <ServerTable
            data-testid="audit-table"
            label="Audit log"
            columns={auditColumns}
            rows={page.data?.rows}
            total={page.data?.total}
            {...state}
            onStateChange={setState}
            getRowId={(row) => String(row.seq)}
            isLoading={page.isPending}
            isStale={page.isPlaceholderData}
            error={page.error}
            onRetry={() => void page.refetch()}
            onRowOpen={openEntry}
            rowTestId={(row) => `audit-row-${row.seq}`}
            highlighted={(row) => row.seq === picked}
            empty={
              <EmptyState
                icon={IconListSearch}
                title={filtered ? "No entries match these filters" : "The audit log is empty"}
              >
                {filtered
                  ? "Actor must match exactly; action matches from the start; object matches anywhere."
                  : "Entries appear as Paysync and its users make changes."}
              </EmptyState>
            }
          />
        </Card>
      </Stack>
      <AuditEntryDrawer entry={entry} onClose={() => setEntry(null)} />
    </Box>
  );
}
