import { Badge, Skeleton, Tooltip } from "@mantine/core";

import type { Profile } from "../bindings";

const PROFILES: Record<Profile, { label: string; color: string; hint: string }> = {
  sandbox: {
    label: "Sandbox",
    color: "orange",
    hint: "Local simulators with demo data — no real money moves",
  },
  production: {
    label: "Production",
    color: "green",
    hint: "Connected to your real provider accounts — actions here move real money",
  },
};

/** Which world the console is looking at, visible on every screen. */
export function ProfileBadge({ profile }: { profile: Profile | undefined }) {
  if (!profile) return <Skeleton height={22} width={84} radius="xl" />;
  const look = PROFILES[profile];
  return (
    <Tooltip label={look.hint} events={{ hover: true, focus: true, touch: true }}>
      <Badge
        data-testid="profile-badge"
        color={look.color}
        variant="filled"
        autoContrast
        size="lg"
        radius="sm"
        // Rendered as written: WebDriver reads CSS-transformed text, and tests look for "Sandbox".
        tt="none"
        tabIndex={0}
        aria-label={`Profile: ${look.label}. ${look.hint}`}
      >
        {look.label}
      </Badge>
    </Tooltip>
  );
}
