import { Anchor, Group, Text } from "@mantine/core";
import { IconFlask } from "@tabler/icons-react";

import { hrefFor } from "./router";

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
      <Text size="sm" c="var(--mantine-color-orange-light-color)" truncate style={{ minWidth: 0 }}>
        <b>Sandbox</b> — you are looking at local simulators with demo data; no real money moves.
      </Text>
      {/* Outside the truncated text, so a narrow window never cuts the way out of the sandbox. */}
      <Anchor
        href={hrefFor("connections")}
        data-testid="connect-accounts"
        size="sm"
        fw={600}
        c="var(--mantine-color-orange-light-color)"
        underline="always"
        style={{ flexShrink: 0 }}
      >
        Connect your accounts
      </Anchor>
    </Group>
  );
}
