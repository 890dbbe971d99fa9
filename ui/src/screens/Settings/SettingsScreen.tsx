import { Box, Skeleton, Stack } from "@mantine/core";

import { ErrorNotice } from "../../components/ErrorNotice";
import { ScreenHeader } from "../../components/ScreenHeader";
import { useAppInfo } from "../../lib/queries";
import { AboutCard } from "./AboutCard";
import { PreferencesCard } from "./PreferencesCard";

export function SettingsScreen() {
  const appInfo = useAppInfo();
  return (
    <Box data-testid="screen-settings" data-ready={appInfo.data ? "true" : undefined}>
      <ScreenHeader
        title="Settings"
        description="How Paysync looks and behaves on this computer."
      />
      <Stack gap="md" maw={900}>
        {appInfo.isError && (
          <ErrorNotice
            title="Settings could not be loaded"
            error={appInfo.error}
            onRetry={() => void appInfo.refetch()}
          />
        )}
        <PreferencesCard />
        {appInfo.data ? (
          <AboutCard info={appInfo.data} />
        ) : (
          !appInfo.isError && <Skeleton height={160} radius="md" />
        )}
      </Stack>
    </Box>
  );
}
