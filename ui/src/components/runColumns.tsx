import { Group, Text, Tooltip } from "@mantine/core";
import { createColumnHelper } from "@tanstack/react-table";

import type { RunRow } from "../bindings";
import { formatInteger, runDuration } from "../lib/format";
import { outcomeLook, triggerLabel } from "../lib/status";
import { useNow } from "../lib/useNow";
import { RelativeTime } from "./RelativeTime";
import { OutcomeBadge } from "./StatusBadge";

const column = createColumnHelper<RunRow>();

function RunDuration({ run }: { run: RunRow }) {
  const now = useNow();
  return <>{runDuration(run.startedAt, run.finishedAt, now)}</>;
}

function Counts({ run }: { run: RunRow }) {
  return (
    <Text size="sm" span>
      {formatInteger(run.read)} read · {formatInteger(run.written)} written ·{" "}
      <Text
        span
        size="sm"
        c={run.failed > 0 ? "red" : undefined}
        fw={run.failed > 0 ? 600 : undefined}
      >
        {formatInteger(run.failed)} failed
      </Text>
    </Text>
  );
}

function Outcome({ run }: { run: RunRow }) {
  const badge = <OutcomeBadge outcome={run.outcome} />;
  if (!run.error) return badge;
  return (
    <Tooltip label={run.error}>
      <Group
        gap={4}
        wrap="nowrap"
        tabIndex={0}
        aria-label={`${outcomeLook(run.outcome).label}: ${run.error}`}
      >
        {badge}
      </Group>
    </Tooltip>
  );
}

/** Milliseconds a finished run took; running runs sort after every finished one. */
function durationMs(run: RunRow): number {
  if (!run.finishedAt) return Number.POSITIVE_INFINITY;
  return Date.parse(run.finishedAt) - Date.parse(run.startedAt);
}

/** The columns every runs table shows, in the same words and colours. */
export const runColumns = [
  column.accessor("flow", {
    header: "Flow",
    cell: (info) => (
      <Text size="sm" ff="monospace">
        {info.getValue()}
      </Text>
    ),
  }),
  column.accessor((run) => triggerLabel(run.trigger), { id: "trigger", header: "Trigger" }),
  column.accessor((run) => Date.parse(run.startedAt), {
    id: "started",
    header: "Started",
    cell: (info) => <RelativeTime iso={info.row.original.startedAt} />,
  }),
  column.accessor(durationMs, {
    id: "duration",
    header: "Duration",
    cell: (info) => <RunDuration run={info.row.original} />,
    meta: { align: "right" },
  }),
  column.accessor((run) => outcomeLook(run.outcome).label, {
    id: "outcome",
    header: "Outcome",
    cell: (info) => <Outcome run={info.row.original} />,
  }),
  column.accessor((run) => run.failed, {
    id: "records",
    header: "Records",
    cell: (info) => <Counts run={info.row.original} />,
    enableSorting: false,
  }),
];
