import { Group, Text } from "@mantine/core";
import { IconFlask } from "@tabler/icons-react";

export const SANDBOX_BANNER_HEIGHT = 32;

/** Under the header in the sandbox profile, so nobody mistakes demo figures for real ones. */
export function SandboxBanner() {
  return (
    <Group
      data-testid="sandbox-banner"
      role="status"
      gap="xs"
      px="md"
      h={SANDBOX_BANNER_HEIGHT}
      wrap="nowrap"
      bg="var(--mantine-color-orange-light)"
      style={{ borderTop: "1px solid var(--mantine-color-orange-light-hover)" }}
    >
      <IconFlask size={16} color="var(--mantine-color-orange-light-color)" aria-hidden />
      <Text size="sm" c="var(--mantine-color-orange-light-color)" truncate>
        <b>Sandbox</b> — you are looking at local simulators with demo data; no real money moves.
        Connecting your own accounts is not available in this version yet.
      </Text>
    </Group>
  );
}
