import { Box, Grid, SimpleGrid, Skeleton, Stack, Text } from "@mantine/core";

import { ErrorNotice } from "../../components/ErrorNotice";
import { RelativeTime } from "../../components/RelativeTime";
import { ScreenHeader } from "../../components/ScreenHeader";
import { useOverview } from "../../lib/queries";
import { ConnectionsCard } from "./ConnectionsCard";
import { FlowsHealthCard } from "./FlowsHealthCard";
import { RecentRunsCard } from "./RecentRunsCard";
import { StatTiles } from "./StatTiles";
import { VolumeChart } from "./VolumeChart";

function OverviewSkeleton() {
  return (
    <Stack gap="md" aria-label="Loading the overview" aria-busy>
      <SimpleGrid cols={{ base: 2, md: 3, lg: 5 }}>
        {Array.from({ length: 5 }, (_, i) => (
          <Skeleton key={i} height={112} radius="md" />
        ))}
      </SimpleGrid>
      <Skeleton height={220} radius="md" />
      <Skeleton height={220} radius="md" />
    </Stack>
  );
}

export function OverviewScreen() {
  const overview = useOverview();
  const data = overview.data;
  // While a retry is pending, say why the screen is still empty instead of showing bare skeletons.
  const problem = overview.error ?? (overview.isPending ? overview.failureReason : null);

  return (
    // data-ready tells end-to-end tests and the cold-start measurement that real data is on screen.
    <Box data-testid="screen-overview" data-ready={data ? "true" : undefined}>
      <ScreenHeader
        title="Overview"
        description="Queue, failures, connections and flows at a glance."
        aside={
          data && (
            <Text size="xs" c="dimmed">
              Updated <RelativeTime iso={data.generatedAt} />
            </Text>
          )
        }
      />
      {problem && (
        <Box mb="md">
          <ErrorNotice
            title={
              data
                ? "The overview could not be refreshed; these are the last figures"
                : overview.isError
                  ? "The overview could not be loaded"
                  : "Waiting for Paysync's engine — trying again…"
            }
            error={problem}
            onRetry={() => void overview.refetch()}
          />
        </Box>
      )}
      {!data && overview.isPending && <OverviewSkeleton />}
      {data && (
        <Stack gap="md">
          <StatTiles overview={data} />
          <Grid gutter="md">
            <Grid.Col span={{ base: 12, xl: 6 }}>
              <ConnectionsCard connections={data.connections} />
            </Grid.Col>
            <Grid.Col span={{ base: 12, xl: 6 }}>
              <FlowsHealthCard flows={data.flows} />
            </Grid.Col>
          </Grid>
          <VolumeChart volume={data.volume} />
          <RecentRunsCard runs={data.recentRuns} />
        </Stack>
      )}
    </Box>
  );
}
