import { BarChart } from "@mantine/charts";
import { Card, ColorSwatch, Group, Paper, Stack, Text, Title } from "@mantine/core";
import { IconChartBar } from "@tabler/icons-react";
import { useMemo } from "react";

import type { DailyVolume } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { formatCompact } from "../../lib/format";
import { toVolumeChart, type VolumeRow, type VolumeSeries } from "./volumeData";

interface TooltipProps {
  active?: boolean;
  payload?: readonly { payload?: unknown }[];
  series: VolumeSeries[];
}

/** The exact amounts for the hovered day, from the engine's strings rather than the bar heights. */
function VolumeTooltip({ active, payload, series }: TooltipProps) {
  const row = payload?.[0]?.payload as VolumeRow | undefined;
  if (!active || !row) return null;
  return (
    <Paper withBorder shadow="md" p="sm" radius="md">
      <Text fw={600} size="sm" mb={4}>
        {row.label}
      </Text>
      <Stack gap={2}>
        {series.map((s) => {
          const detail = row.details[s.name];
          if (!detail) return null;
          return (
            <Group key={s.name} gap="xs" wrap="nowrap" justify="space-between">
              <Group gap={6} wrap="nowrap">
                <ColorSwatch
                  color={`var(--mantine-color-${s.color.replace(".", "-")})`}
                  size={10}
                />
                <Text size="sm">{detail.amount}</Text>
              </Group>
              <Text size="xs" c="dimmed">
                {detail.count}
              </Text>
            </Group>
          );
        })}
      </Stack>
    </Paper>
  );
}

export function VolumeChart({ volume }: { volume: DailyVolume[] }) {
  const { rows, series } = useMemo(() => toVolumeChart(volume), [volume]);
  return (
    <Card data-testid="volume-card">
      <Title order={3} size="h5">
        Synced volume per day by currency
      </Title>
      <Text size="sm" c="dimmed" mb="md">
        Each currency in its own units; hover a day for the exact amounts.
      </Text>
      {rows.length === 0 ? (
        <EmptyState icon={IconChartBar} title="No payments synced yet" data-testid="volume-empty">
          Volume appears here once a payment flow has run.
        </EmptyState>
      ) : (
        <BarChart
          data-testid="volume-chart"
          h={260}
          data={rows}
          dataKey="label"
          series={series}
          withLegend
          legendProps={{ verticalAlign: "bottom" }}
          valueFormatter={formatCompact}
          tooltipProps={{
            content: ({ active, payload }) => (
              <VolumeTooltip active={active} payload={payload} series={series} />
            ),
          }}
        />
      )}
    </Card>
  );
}
