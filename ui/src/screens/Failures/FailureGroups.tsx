import { Group, Paper, SimpleGrid, Skeleton, Stack, Text, UnstyledButton } from "@mantine/core";

import type { FailureGroup } from "../../bindings";
import { ErrorNotice } from "../../components/ErrorNotice";
import { RelativeTime } from "../../components/RelativeTime";
import { formatInteger } from "../../lib/format";
import type { useFailureGroups } from "../../lib/queries";

/** A root cause the list below is narrowed to. */
export interface GroupFilter {
  kind: string;
  errorCode: string;
}

export function groupTestId(group: GroupFilter): string {
  return `failure-group-${group.kind}-${group.errorCode}`;
}

interface FailureGroupsProps {
  groups: ReturnType<typeof useFailureGroups>;
  selected: GroupFilter | null;
  onSelect: (group: GroupFilter) => void;
}

function isSelected(group: FailureGroup, selected: GroupFilter | null): boolean {
  return selected?.kind === group.kind && selected.errorCode === group.errorCode;
}

/** Failures by root cause, largest first; a click narrows the list to one. */
export function FailureGroups({ groups, selected, onSelect }: FailureGroupsProps) {
  if (groups.isError && !groups.data) {
    return (
      <ErrorNotice
        title="The failure groups could not be loaded"
        error={groups.error}
        onRetry={() => void groups.refetch()}
      />
    );
  }
  if (!groups.data) {
    return (
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="sm" aria-busy aria-label="Loading the groups">
        {Array.from({ length: 2 }, (_, i) => (
          <Skeleton key={i} height={72} radius="sm" />
        ))}
      </SimpleGrid>
    );
  }
  if (groups.data.length === 0) return null;

  return (
    <SimpleGrid
      cols={{ base: 1, md: 2 }}
      spacing="sm"
      data-testid="failure-groups"
      aria-label="Failures by root cause"
      style={{ opacity: groups.isPlaceholderData ? 0.6 : 1 }}
    >
      {groups.data.map((group) => {
        const active = isSelected(group, selected);
        return (
          <UnstyledButton
            key={`${group.kind}:${group.errorCode}`}
            onClick={() => onSelect(group)}
            aria-pressed={active}
            data-testid={groupTestId(group)}
          >
            <Paper
              withBorder
              p="sm"
              radius="sm"
              bg={active ? "var(--mantine-primary-color-light)" : undefined}
              style={{
                borderColor: active ? "var(--mantine-primary-color-filled)" : undefined,
              }}
            >
              <Stack gap={4}>
                <Group justify="space-between" gap="xs" wrap="nowrap" align="flex-start">
                  <Text size="sm" fw={600} style={{ wordBreak: "break-all" }}>
                    {formatInteger(group.count)} ×{" "}
                    <Text span ff="monospace" fw={600} inherit>
                      {group.errorCode}
                    </Text>{" "}
                    —{" "}
                    <Text span ff="monospace" c="dimmed" inherit fw={400}>
                      {group.kind}
                    </Text>
                  </Text>
                  <Text size="xs" c="dimmed" style={{ whiteSpace: "nowrap" }}>
                    oldest <RelativeTime iso={group.oldestAt} />
                  </Text>
                </Group>
                <Text size="xs" c="dimmed" lineClamp={1} title={group.sample}>
                  {group.sample}
                </Text>
              </Stack>
            </Paper>
          </UnstyledButton>
        );
      })}
    </SimpleGrid>
  );
}
