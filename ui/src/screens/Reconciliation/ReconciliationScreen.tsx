import {
  Alert,
  Box,
  Button,
  Card,
  Grid,
  Group,
  Loader,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
} from "@mantine/core";
import {
  IconFileSpreadsheet,
  IconFileTypeCsv,
  IconPlayerPlay,
  IconScale,
} from "@tabler/icons-react";
import { useState } from "react";

import { EmptyState } from "../../components/EmptyState";
import { ErrorNotice } from "../../components/ErrorNotice";
import { ScreenHeader } from "../../components/ScreenHeader";
import type { ServerTableState } from "../../components/ServerTable";
import { toAppError } from "../../lib/ipc";
import {
  useExportReconciliationRun,
  useReconciliationRunning,
  useRunReconciliation,
  type ReconPeriod,
} from "../../lib/mutations";
import { useReconciliationRun, useReconciliationRuns } from "../../lib/queries";
import { ReconChart } from "./ReconChart";
import { lastSevenDays } from "./reconFormat";
import { DEFAULT_FILTER, FIRST_PAGE, ReconResults, type ResultFilter } from "./ReconResults";
import { TieOutsCard, TotalsCard } from "./ReconTables";
import { ReconToolbar } from "./ReconToolbar";
import { RunSummary } from "./RunSummary";

type ExportFormat = "csv" | "xlsx";

interface ExportButtonsProps {
  runId: number | null;
  pending: ExportFormat | null;
  path: string | null;
  onExport: (format: ExportFormat) => void;
}

/** Export CSV / XLSX of the run on screen, and where the last export was saved. */
function ExportButtons({ runId, pending, path, onExport }: ExportButtonsProps) {
  return (
    <Stack gap={4} align="flex-end">
      <Group gap="sm" wrap="nowrap">
        <Button
          variant="default"
          leftSection={<IconFileTypeCsv size={16} aria-hidden />}
          disabled={runId === null || (pending !== null && pending !== "csv")}
          loading={pending === "csv"}
          onClick={() => onExport("csv")}
          data-testid="recon-export-csv"
        >
          Export CSV
        </Button>
        <Button
          variant="default"
          leftSection={<IconFileSpreadsheet size={16} aria-hidden />}
          disabled={runId === null || (pending !== null && pending !== "xlsx")}
          loading={pending === "xlsx"}
          onClick={() => onExport("xlsx")}
          data-testid="recon-export-xlsx"
        >
          Export XLSX
        </Button>
      </Group>
      {path && (
        <Text
          size="xs"
          c="dimmed"
          maw={420}
          ta="right"
          style={{ wordBreak: "break-all" }}
          data-testid="recon-export-path"
        >
          Saved to{" "}
          <Text span inherit ff="monospace" c="var(--mantine-color-text)">
            {path}
          </Text>
        </Text>
      )}
    </Stack>
  );
}

function RunSkeleton() {
  return (
    <Stack gap="md" aria-busy aria-label="Loading the run">
      <SimpleGrid cols={{ base: 1, lg: 2 }}>
        <Skeleton height={240} radius="md" />
        <Skeleton height={240} radius="md" />
      </SimpleGrid>
      <Skeleton height={160} radius="md" />
      <Skeleton height={320} radius="md" />
    </Stack>
  );
}

/**
 * Reconciliation: whether a run's totals balance, per currency and per Stripe payout, and the
 * workbench of its results — exceptions to explain or fix, suggestions to accept or reject.
 */
export function ReconciliationScreen() {
  // The run picked in the selector; null follows the latest.
  const [picked, setPicked] = useState<number | null>(null);
  const [period, setPeriod] = useState<ReconPeriod>(() => lastSevenDays());
  const [filter, setFilter] = useState<ResultFilter>(DEFAULT_FILTER);
  const [tableState, setTableState] = useState<ServerTableState>(FIRST_PAGE);

  const runs = useReconciliationRuns();
  const detail = useReconciliationRun(picked);
  const runNow = useRunReconciliation();
  const runningPeriod = useReconciliationRunning();
  const exporter = useExportReconciliationRun();

  const run = detail.data?.run ?? null;
  const runId = run?.id ?? picked;
  // No run at all: the engine answers `notFound` for the latest, or the list is empty.
  const noRun =
    (picked === null && detail.isError && toAppError(detail.error).code === "notFound") ||
    (runs.data?.length === 0 && !run);
  const ready = (detail.data !== undefined || noRun) && !runs.isPending;

  const showRun = (id: number | null) => {
    setPicked(id);
    // Another run has other results: start from its exceptions, on the first page.
    setFilter(DEFAULT_FILTER);
    setTableState(FIRST_PAGE);
  };

  const reconcile = () => {
    runNow.mutate(
      { from: period.from.trim(), to: period.to.trim() },
      { onSuccess: (made) => showRun(made.id) },
    );
  };

  const changeFilter = (next: ResultFilter) => {
    setFilter(next);
    setTableState((s) => ({ ...s, pagination: { ...s.pagination, pageIndex: 0 } }));
  };

  let body;
  if (noRun) {
    body = (
      <Card data-testid="recon-empty-state">
        <Stack align="center" gap="sm">
          <EmptyState icon={IconScale} title="No reconciliation yet">
            A run compares what the providers report with what Salesforce holds for a period, and
            lists what does not match. Choose the period above, or reconcile the last 7 days now.
          </EmptyState>
          <Button
            leftSection={<IconPlayerPlay size={16} aria-hidden />}
            loading={runningPeriod !== null}
            onClick={() => {
              const week = lastSevenDays();
              setPeriod(week);
              runNow.mutate(week, { onSuccess: (made) => showRun(made.id) });
            }}
            data-testid="recon-empty-run-now"
          >
            Run now
          </Button>
        </Stack>
      </Card>
    );
  } else if (detail.isError && !detail.data) {
    body = (
      <ErrorNotice
        title={
          picked === null
            ? "The latest run could not be loaded"
            : `Run ${picked} could not be loaded`
        }
        error={detail.error}
        onRetry={() => void detail.refetch()}
      />
    );
  } else if (!detail.data || !run) {
    body = <RunSkeleton />;
  } else {
    body = (
      <Stack gap="md">
        <Grid gutter="md">
          <Grid.Col span={{ base: 12, lg: 5 }}>
            <RunSummary run={run} />
          </Grid.Col>
          <Grid.Col span={{ base: 12, lg: 7 }}>
            {runs.isError && !runs.data ? (
              <ErrorNotice
                title="The list of runs could not be loaded"
                error={runs.error}
                onRetry={() => void runs.refetch()}
              />
            ) : (
              <ReconChart runs={runs.data ?? [run]} />
            )}
          </Grid.Col>
        </Grid>
        <SimpleGrid cols={{ base: 1, xl: 2 }} spacing="md">
          <TotalsCard totals={detail.data.totals} />
          <TieOutsCard payouts={detail.data.payouts} offline={run.offline} />
        </SimpleGrid>
        <ReconResults
          key={run.id}
          run={run}
          counts={detail.data.counts}
          filter={filter}
          state={tableState}
          onFilterChange={changeFilter}
          onStateChange={setTableState}
        />
      </Stack>
    );
  }

  return (
    <Box data-testid="screen-reconciliation" data-ready={ready ? "true" : undefined}>
      <Stack gap={0} data-testid="reconciliation-screen" data-ready={ready ? "true" : undefined}>
        <ScreenHeader
          title="Reconciliation"
          description="What the providers report against what Salesforce holds: check the totals balance, then work through the exceptions and suggestions."
          aside={
            <ExportButtons
              runId={run?.id ?? null}
              pending={exporter.isPending ? (exporter.variables?.format ?? null) : null}
              path={exporter.data?.path ?? null}
              onExport={(format) => {
                if (run) exporter.mutate({ id: run.id, format });
              }}
            />
          }
        />
        <Stack gap="md">
          <ReconToolbar
            runs={runs.data}
            runId={runId}
            onPickRun={showRun}
            period={period}
            onPeriodChange={setPeriod}
            running={runningPeriod !== null}
            onRun={reconcile}
          />
          {runningPeriod && (
            <Alert
              color="blue"
              variant="light"
              icon={<Loader size={16} />}
              title={`Reconciling ${runningPeriod.from} – ${runningPeriod.to}…`}
              data-testid="recon-running"
              role="status"
            >
              Reading both sides and matching them; this can take a few seconds. The new run opens
              here when it is done.
            </Alert>
          )}
          {body}
        </Stack>
      </Stack>
    </Box>
  );
}
