import { Button, Card, Group, NativeSelect, TextInput } from "@mantine/core";
import { getHotkeyHandler } from "@mantine/hooks";
import { IconPlayerPlay } from "@tabler/icons-react";

import type { ReconRunRow } from "../../bindings";
import { formatDateTime } from "../../lib/format";
import type { ReconPeriod } from "../../lib/mutations";
import { periodProblems } from "./reconFormat";

/** "Run 12 · 2025-11-15 – 2025-11-21 · started 21 Nov 2025, 14:03 · balances". */
export function runOptionLabel(run: ReconRunRow): string {
  const state = run.error
    ? "failed"
    : run.finishedAt === null
      ? "running"
      : run.balances
        ? "balances"
        : "does not balance";
  return `Run ${run.id} · ${run.periodFrom} – ${run.periodTo} · ${formatDateTime(run.startedAt)} · ${state}`;
}

interface ReconToolbarProps {
  runs: ReconRunRow[] | undefined;
  /** The run on screen, if any. */
  runId: number | null;
  onPickRun: (id: number) => void;
  period: ReconPeriod;
  onPeriodChange: (period: ReconPeriod) => void;
  /** A reconciliation this console started is still going. */
  running: boolean;
  onRun: () => void;
}

/** Which run is on screen, and a period to reconcile now. */
export function ReconToolbar({
  runs,
  runId,
  onPickRun,
  period,
  onPeriodChange,
  running,
  onRun,
}: ReconToolbarProps) {
  const problems = periodProblems(period.from, period.to);
  const valid = !problems.from && !problems.to;
  const run = () => {
    if (valid && !running) onRun();
  };
  const onEnter = getHotkeyHandler([["Enter", run]]);
  const options = runs ?? [];

  return (
    <Card padding="sm">
      <Group justify="space-between" align="flex-end" gap="md" wrap="wrap">
        <NativeSelect
          label="Run"
          data-testid="recon-run-select"
          w={{ base: "100%", md: 460 }}
          disabled={options.length === 0}
          value={runId === null ? "" : String(runId)}
          onChange={(event) => {
            const id = Number(event.currentTarget.value);
            if (Number.isInteger(id) && id > 0) onPickRun(id);
          }}
          data={
            options.length === 0
              ? [{ value: "", label: runs ? "No runs yet" : "Loading…" }]
              : options.map((r) => ({ value: String(r.id), label: runOptionLabel(r) }))
          }
        />
        <Group gap="sm" align="flex-end" wrap="nowrap">
          <TextInput
            label="From"
            title="First day of the period, included"
            placeholder="YYYY-MM-DD"
            w={140}
            value={period.from}
            error={period.from ? problems.from : null}
            onChange={(event) => onPeriodChange({ ...period, from: event.currentTarget.value })}
            onKeyDown={onEnter}
            spellCheck={false}
            autoComplete="off"
            data-testid="recon-from"
          />
          <TextInput
            label="To"
            title="Last day of the period, included"
            placeholder="YYYY-MM-DD"
            w={140}
            value={period.to}
            error={period.to ? problems.to : null}
            onChange={(event) => onPeriodChange({ ...period, to: event.currentTarget.value })}
            onKeyDown={onEnter}
            spellCheck={false}
            autoComplete="off"
            data-testid="recon-to"
          />
          <Button
            leftSection={<IconPlayerPlay size={16} aria-hidden />}
            loading={running}
            disabled={!valid}
            onClick={run}
            data-testid="recon-run-now"
          >
            Run now
          </Button>
        </Group>
      </Group>
    </Card>
  );
}
