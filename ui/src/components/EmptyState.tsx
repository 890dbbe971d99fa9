import { Stack, Text, ThemeIcon } from "@mantine/core";
import type { Icon } from "@tabler/icons-react";
import type { ReactNode } from "react";

interface EmptyStateProps {
  icon: Icon;
  title: string;
  children?: ReactNode;
  "data-testid"?: string;
}

/** What an empty card says instead of a blank space: why it is empty and when it will fill. */
export function EmptyState({ icon: Icon, title, children, ...props }: EmptyStateProps) {
  return (
    <Stack align="center" gap={6} py="xl" px="md" ta="center" {...props}>
      <ThemeIcon variant="light" color="gray" size={40} radius="xl">
        <Icon size={22} aria-hidden />
      </ThemeIcon>
      <Text fw={600}>{title}</Text>
      {children && (
        <Text size="sm" c="dimmed" maw={420}>
          {children}
        </Text>
      )}
    </Stack>
  );
}
