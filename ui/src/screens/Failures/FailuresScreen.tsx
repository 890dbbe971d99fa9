import { Box, Button, Card, Group, SegmentedControl, Stack, Text } from "@mantine/core";
import { IconCircleCheck, IconFilterOff, IconX } from "@tabler/icons-react";
import { useCallback, useState } from "react";

import type { FailureQuery, FailureRow, FailureScope } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ScreenHeader } from "../../components/ScreenHeader";
import { ServerTable, type ServerTableState } from "../../components/ServerTable";
import {
  ANY_FAILURE_SCOPE,
  isNarrowed,
  useFailureGroups,
  useFailuresPage,
} from "../../lib/queries";
import { FailureDrawer } from "./FailureDrawer";
import { FailureFilters } from "./FailureFilters";
import { FailureGroups, type GroupFilter } from "./FailureGroups";
import { GroupActions } from "./GroupActions";
import { failureColumns } from "./failureColumns";

/** The engine's statuses; `all` is every one of them. */
export type FailureStatus = "open" | "replayed" | "discarded" | "all";

const STATUSES: { value: FailureStatus; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "replayed", label: "Replayed" },
  { value: "discarded", label: "Discarded" },
  { value: "all", label: "All" },
];

const PAGE_SIZE = 50;

const FIRST_PAGE: ServerTableState = {
  pagination: { pageIndex: 0, pageSize: PAGE_SIZE },
  // The engine orders failures newest first; the table does not sort.
  sorting: [],
  columnFilters: [],
};

/** What to ask the engine for: one status, maybe one root cause, the filters, one page. */
export function toFailureQuery(
  status: FailureStatus,
  group: GroupFilter | null,
  scope: FailureScope,
  state: ServerTableState,
): FailureQuery {
  const { pageIndex, pageSize } = state.pagination;
  return {
    status,
    kind: group?.kind ?? null,
    errorCode: group?.errorCode ?? null,
    scope,
    offset: pageIndex * pageSize,
    limit: pageSize,
  };
}

const EMPTY_WORDS: Record<Exclude<FailureStatus, "open">, string> = {
  replayed: "No replayed failures",
  discarded: "No discarded failures",
  all: "No failures recorded",
};

function Empty({
  status,
  group,
  narrowed,
}: {
  status: FailureStatus;
  group: GroupFilter | null;
  narrowed: boolean;
}) {
  if (narrowed) {
    return (
      <EmptyState icon={IconFilterOff} title="No failures match" data-testid="failures-empty">
        None with this status matches the provider, object and age chosen. Clear the filters to see
        the rest.
      </EmptyState>
    );
  }
  if (group) {
    return (
      <EmptyState
        icon={IconFilterOff}
        title="No failures with this cause"
        data-testid="failures-empty"
      >
        None of {group.errorCode} in {group.kind} has this status. Clear the cause to see the rest.
      </EmptyState>
    );
  }
  if (status === "open") {
    return (
      <EmptyState icon={IconCircleCheck} title="No failures" data-testid="failures-empty">
        Everything Paysync read was written.
      </EmptyState>
    );
  }
  return (
    <EmptyState icon={IconCircleCheck} title={EMPTY_WORDS[status]} data-testid="failures-empty">
      Failures support replays or discards are kept here, with who did it and why.
    </EmptyState>
  );
}

export function FailuresScreen() {
  const [status, setStatus] = useState<FailureStatus>("open");
  const [group, setGroup] = useState<GroupFilter | null>(null);
  const [scope, setScope] = useState<FailureScope>(ANY_FAILURE_SCOPE);
  const [state, setState] = useState(FIRST_PAGE);
  const [open, setOpen] = useState<FailureRow | null>(null);
  const [picked, setPicked] = useState<number | null>(null);
  const groups = useFailureGroups(status, scope);
  const page = useFailuresPage(toFailureQuery(status, group, scope, state));
  const narrowed = isNarrowed(scope);

  const toFirstPage = () =>
    setState((s) => ({ ...s, pagination: { ...s.pagination, pageIndex: 0 } }));

  const openFailure = useCallback((row: FailureRow) => {
    setPicked(row.id);
    setOpen(row);
  }, []);

  return (
    <Box data-testid="screen-failures" data-ready={page.data && groups.data ? "true" : undefined}>
      <ScreenHeader
        title="Failures"
        description="Records Paysync could not write: see why, correct, replay. Nothing is dropped."
        aside={
          <SegmentedControl
            aria-label="Show failures that are"
            data-testid="failures-status"
            value={status}
            onChange={(value) => {
              setStatus(value as FailureStatus);
              // Another status has other causes: start from all of them, on the first page.
              setGroup(null);
              toFirstPage();
            }}
            data={STATUSES}
          />
        }
      />
      <Stack gap="md">
        <FailureFilters
          scope={scope}
          onChange={(next) => {
            setScope(next);
            toFirstPage();
          }}
        />
        <FailureGroups
          groups={groups}
          selected={group}
          onSelect={(picked) => {
            setGroup({ kind: picked.kind, errorCode: picked.errorCode });
            toFirstPage();
          }}
        />
        <Card padding="md">
          <Stack gap="sm">
            {group && (
              <Group gap="xs" data-testid="failures-group-filter">
                <Text size="sm">
                  Only{" "}
                  <Text span ff="monospace" fw={600} inherit>
                    {group.errorCode}
                  </Text>{" "}
                  in{" "}
                  <Text span ff="monospace" inherit>
                    {group.kind}
                  </Text>
                </Text>
                <Button
                  size="compact-sm"
                  variant="subtle"
                  leftSection={<IconX size={14} />}
                  data-testid="failures-group-clear"
                  onClick={() => {
                    setGroup(null);
                    toFirstPage();
                  }}
                >
                  Clear
                </Button>
                {status === "open" && (
                  <GroupActions
                    group={group}
                    scope={scope}
                    count={
                      groups.data?.find(
                        (g) => g.kind === group.kind && g.errorCode === group.errorCode,
                      )?.count ?? 0
                    }
                    onDone={() => {
                      setGroup(null);
                      toFirstPage();
                    }}
                  />
                )}
              </Group>
            )}
            <ServerTable
              data-testid="failures-table"
              label="Failures"
              columns={failureColumns}
              rows={page.data?.rows}
              total={page.data?.total}
              {...state}
              onStateChange={setState}
              getRowId={(row) => String(row.id)}
              isLoading={page.isPending}
              isStale={page.isPlaceholderData}
              error={page.error}
              onRetry={() => void page.refetch()}
              onRowOpen={openFailure}
              rowTestId={(row) => `failure-row-${row.id}`}
              highlighted={(row) => row.id === picked}
              empty={<Empty status={status} group={group} narrowed={narrowed} />}
            />
          </Stack>
        </Card>
      </Stack>
      <FailureDrawer failure={open} onClose={() => setOpen(null)} />
    </Box>
  );
}
