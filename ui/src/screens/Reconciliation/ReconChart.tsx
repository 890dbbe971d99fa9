import { BarChart } from "@mantine/charts";
import { Card, Text, Title } from "@mantine/core";
import { useMemo } from "react";

import type { ReconRunRow } from "../../bindings";
import { LOCALE, formatInteger } from "../../lib/format";

/** The most recent runs the chart shows, oldest on the left. */
const RUNS_SHOWN = 30;

const startFormat = new Intl.DateTimeFormat(LOCALE, {
  month: "short",
  day: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

const SERIES = [
  { name: "matched", label: "Matched", color: "green.6" },
  { name: "unmatched", label: "Not matched (suggested + exceptions)", color: "red.6" },
];

export interface ReconChartRow {
  id: number;
  label: string;
  matched: number;
  unmatched: number;
}

/** One bar per run, oldest first: its matches, and what it could not match on top. */
export function toReconChart(runs: ReconRunRow[]): ReconChartRow[] {
  return runs
    .slice(0, RUNS_SHOWN)
    .reverse()
    .map((run) => {
      const started = new Date(run.startedAt);
      return {
        id: run.id,
        label: Number.isNaN(started.getTime()) ? run.startedAt : startFormat.format(started),
        matched: run.matched,
        unmatched: run.suggested + run.exceptions,
      };
    });
}

/** Matched against not matched over time, across runs, by when each run started. */
export function ReconChart({ runs }: { runs: ReconRunRow[] }) {
  const rows = useMemo(() => toReconChart(runs), [runs]);
  return (
    <Card h="100%">
      <Title order={3} size="h5">
        Matched and not matched, by run
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        {runs.length > RUNS_SHOWN
          ? `The last ${RUNS_SHOWN} runs, by when they started.`
          : "Every run, by when it started."}
      </Text>
      <BarChart
        data-testid="recon-chart"
        h={220}
        data={rows}
        dataKey="label"
        type="stacked"
        series={SERIES}
        withLegend
        legendProps={{ verticalAlign: "bottom" }}
        valueFormatter={formatInteger}
        maxBarWidth={48}
      />
    </Card>
  );
}
