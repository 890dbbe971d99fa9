import { Box, Card, Skeleton, Stack } from "@mantine/core";

import { useRoute } from "../../app/router";
import { ErrorNotice } from "../../components/ErrorNotice";
import { ScreenHeader } from "../../components/ScreenHeader";
import { useFlows } from "../../lib/queries";
import { FlowsTable } from "./FlowsTable";
import { RecentRuns } from "./RecentRuns";

export function FlowsScreen() {
  const flows = useFlows();
  const focus = useRoute().params.get("flow");

  return (
    <Box data-testid="screen-flows" data-ready={flows.data ? "true" : undefined}>
      <ScreenHeader
        title="Flows"
        description="What Paysync runs, when, and how the last run went. Run a flow now to sync without waiting for its schedule."
      />
      <Stack gap="md">
        <Card padding="md">
          {flows.isError && (
            <ErrorNotice
              title="Flows could not be loaded"
              error={flows.error}
              onRetry={() => void flows.refetch()}
            />
          )}
          {flows.isPending && (
            <Stack gap="sm" aria-busy aria-label="Loading flows">
              {Array.from({ length: 3 }, (_, i) => (
                <Skeleton key={i} height={44} radius="sm" />
              ))}
            </Stack>
          )}
          {flows.data && <FlowsTable flows={flows.data} focus={focus} />}
        </Card>
        <RecentRuns />
      </Stack>
    </Box>
  );
}
