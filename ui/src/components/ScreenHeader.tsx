import { Group, Stack, Text, Title } from "@mantine/core";
import type { ReactNode } from "react";

interface ScreenHeaderProps {
  title: string;
  description: ReactNode;
  /** Controls or status on the right. */
  aside?: ReactNode;
}

export function ScreenHeader({ title, description, aside }: ScreenHeaderProps) {
  return (
    <Group justify="space-between" align="flex-end" mb="lg" wrap="nowrap">
      <Stack gap={2}>
        <Title order={2}>{title}</Title>
        <Text c="dimmed" size="sm">
          {description}
        </Text>
      </Stack>
      {aside}
    </Group>
  );
}
