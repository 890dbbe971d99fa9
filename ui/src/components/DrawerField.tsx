import { Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";

/** A labelled value in a drawer's facts grid: a small uppercase label over the value. */
export function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm" component="div" style={{ wordBreak: "break-word" }}>
        {children}
      </Text>
    </Stack>
  );
}

/** The heading of a drawer's section, styled like a field's label. */
export function SectionTitle({ children }: { children: ReactNode }) {
  return (
    <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
      {children}
    </Text>
  );
}
