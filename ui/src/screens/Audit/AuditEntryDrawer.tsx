import { Code, CopyButton, Button, Drawer, Group, SimpleGrid, Stack, Text } from "@mantine/core";
import { IconCheck, IconCopy } from "@tabler/icons-react";

import type { AuditRow } from "../../bindings";
import { formatDateTime } from "../../lib/format";

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <Stack gap={2}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text size="sm" style={{ wordBreak: "break-word" }}>
        {children}
      </Text>
    </Stack>
  );
}

interface AuditEntryDrawerProps {
  entry: AuditRow | null;
  onClose: () => void;
}

/** One audit entry in full, with its details as the engine recorded them. */
export function AuditEntryDrawer({ entry, onClose }: AuditEntryDrawerProps) {
  return (
    <Drawer
      opened={entry !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={entry ? <Text fw={700}>Audit entry #{entry.seq}</Text> : null}
      data-testid="audit-entry-drawer"
    >
      {entry && (
        <Stack gap="md">
          <SimpleGrid cols={2} spacing="md">
            <Field label="Time">{formatDateTime(entry.at, true)}</Field>
            <Field label="Actor">{entry.actor}</Field>
            <Field label="Action">{entry.action}</Field>
            <Field label="Object">{entry.subject}</Field>
          </SimpleGrid>
          <Stack gap={4}>
            <Group justify="space-between">
              <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
                Details
              </Text>
              <CopyButton value={entry.details}>
                {({ copied, copy }) => (
                  <Button
                    size="compact-xs"
                    variant="subtle"
                    onClick={copy}
                    leftSection={copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
                  >
                    {copied ? "Copied" : "Copy"}
                  </Button>
                )}
              </CopyButton>
            </Group>
            <Code block data-testid="audit-entry-details" style={{ whiteSpace: "pre-wrap" }}>
              {entry.details}
            </Code>
          </Stack>
        </Stack>
      )}
    </Drawer>
  );
}
