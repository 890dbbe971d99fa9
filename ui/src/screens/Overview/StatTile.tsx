import { Card, Group, Stack, Text, ThemeIcon } from "@mantine/core";
import type { Icon } from "@tabler/icons-react";
import type { ReactNode } from "react";

import type { StatusLook } from "../../lib/status";

interface StatTileProps {
  title: string;
  icon: Icon;
  /** Tints the icon, and the value and border when the tile needs attention. */
  color: StatusLook["color"] | "indigo";
  value: ReactNode;
  children?: ReactNode;
  attention?: boolean;
  "data-testid": string;
}

/** One figure that matters at a glance, with a line of context under it. */
export function StatTile({
  title,
  icon: Icon,
  color,
  value,
  children,
  attention,
  ...props
}: StatTileProps) {
  return (
    <Card
      padding="md"
      data-attention={attention || undefined}
      style={attention ? { borderColor: `var(--mantine-color-${color}-filled)` } : undefined}
      {...props}
    >
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <Text size="xs" tt="uppercase" fw={700} c="dimmed">
            {title}
          </Text>
          <ThemeIcon variant="light" color={color} size="md" radius="md" aria-hidden>
            <Icon size={16} />
          </ThemeIcon>
        </Group>
        <Text fz={26} fw={700} lh={1.15} c={attention ? `${color}.7` : undefined}>
          {value}
        </Text>
        {children}
      </Stack>
    </Card>
  );
}
