import { Center, SegmentedControl, Tooltip, VisuallyHidden } from "@mantine/core";
import { IconDeviceDesktop, IconMoon, IconSun } from "@tabler/icons-react";

import type { Theme } from "../bindings";
import { useSavePreferences } from "../lib/mutations";
import { useAppInfo } from "../lib/queries";

const OPTIONS: { value: Theme; label: string; icon: typeof IconSun }[] = [
  { value: "light", label: "Light", icon: IconSun },
  { value: "dark", label: "Dark", icon: IconMoon },
  { value: "auto", label: "Same as the system", icon: IconDeviceDesktop },
];

/** Light / dark / follow the system, saved to the engine's preferences. */
export function ThemeControl() {
  const appInfo = useAppInfo();
  const save = useSavePreferences();
  const preferences = appInfo.data?.preferences;

  return (
    <SegmentedControl
      data-testid="theme-toggle"
      aria-label="Colour theme"
      size="xs"
      radius="md"
      disabled={!preferences}
      value={preferences?.theme ?? "auto"}
      onChange={(value) => {
        if (preferences && value !== preferences.theme) {
          save.mutate({ ...preferences, theme: value as Theme });
        }
      }}
      data={OPTIONS.map(({ value, label, icon: Icon }) => ({
        value,
        label: (
          <Tooltip label={label} position="bottom">
            <Center>
              <Icon size={16} aria-hidden />
              <VisuallyHidden>{label}</VisuallyHidden>
            </Center>
          </Tooltip>
        ),
      }))}
    />
  );
}
