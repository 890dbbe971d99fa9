import { Card, SegmentedControl, Skeleton, Stack, Switch, Text, Title } from "@mantine/core";

import type { Theme } from "../../bindings";
import { useSavePreferences } from "../../lib/mutations";
import { useAppInfo } from "../../lib/queries";

const THEMES: { value: Theme; label: string }[] = [
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
  { value: "auto", label: "Same as the system" },
];

export function PreferencesCard() {
  const appInfo = useAppInfo();
  const save = useSavePreferences();
  const preferences = appInfo.data?.preferences;

  return (
    <Card>
      <Title order={3} size="h5" mb="md">
        Preferences
      </Title>
      {!preferences ? (
        <Stack gap="sm">
          <Skeleton height={36} />
          <Skeleton height={36} />
        </Stack>
      ) : (
        <Stack gap="lg">
          <Stack gap={6}>
            <Text size="sm" fw={500} id="theme-label">
              Theme
            </Text>
            <SegmentedControl
              aria-labelledby="theme-label"
              data-testid="pref-theme"
              value={preferences.theme}
              onChange={(value) => save.mutate({ ...preferences, theme: value as Theme })}
              data={THEMES}
              w="fit-content"
            />
          </Stack>
          <Switch
            data-testid="pref-close-to-tray"
            checked={preferences.closeToTray}
            onChange={(event) =>
              save.mutate({ ...preferences, closeToTray: event.currentTarget.checked })
            }
            label="Keep Paysync running in the tray when the window is closed"
            description="Scheduled flows keep syncing in the background; quit from the tray icon. Where the desktop has no tray, closing the window quits."
          />
        </Stack>
      )}
    </Card>
  );
}
