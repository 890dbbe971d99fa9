import { Badge, Group, Paper, Stack, Table, Text } from "@mantine/core";

import type { FailurePreview } from "../../bindings";
import { RecordLinks } from "./RecordLinks";

const ACTION_LOOK: Record<string, { color: string; words: string }> = {
  create: { color: "blue", words: "Creates" },
  update: { color: "yellow", words: "Updates" },
  unchanged: { color: "gray", words: "Changes nothing in" },
  refused: { color: "red", words: "Would be refused by the mapping for" },
  none: { color: "gray", words: "No preview" },
};

/** Salesforce's value as people read it: text without quotes, nothing as a dash. */
function shown(json: string): string {
  if (json === "null") return "—";
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === "string" ? value : json;
  } catch {
    return json;
  }
}

/**
 * What a replay would write, before it is replayed: the action on the Salesforce record its
 * External ID finds, and every field against its current value, the changed ones first.
 */
export function ReplayPreview({ preview }: { preview: FailurePreview }) {
  const look = ACTION_LOOK[preview.action] ?? { color: "gray", words: "No preview" };
  const fields = [...preview.fields].sort((a, b) => Number(b.changed) - Number(a.changed));
  const changed = preview.fields.filter((f) => f.changed).length;
  return (
    <Paper withBorder p="sm" radius="sm" data-testid="failure-preview">
      <Stack gap="xs">
        <Group gap="xs" wrap="nowrap">
          <Badge color={look.color} variant="light" data-testid="failure-preview-action">
            {preview.action}
          </Badge>
          <Text size="sm">
            {look.words} {preview.object ?? ""}
            {preview.targetId && (
              <>
                {" "}
                <Text span ff="monospace" inherit>
                  {preview.targetId}
                </Text>
              </>
            )}
            {preview.action === "update" && ` (${changed} of ${preview.fields.length} fields)`}
          </Text>
        </Group>
        {preview.targetLink && <RecordLinks links={[preview.targetLink]} />}
        {preview.why && (
          <Text size="sm" c={preview.action === "refused" ? "red" : "dimmed"}>
            {preview.why}
          </Text>
        )}
        {fields.length > 0 && (
          <Table.ScrollContainer minWidth={420}>
            <Table verticalSpacing={2} fz="sm" aria-label="Fields the replay writes">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Field</Table.Th>
                  <Table.Th>Now</Table.Th>
                  <Table.Th>After the replay</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {fields.map((f) => (
                  <Table.Tr
                    key={f.field}
                    data-testid="failure-preview-field"
                    data-changed={f.changed ? "true" : "false"}
                    fw={f.changed ? 600 : undefined}
                  >
                    <Table.Td ff="monospace">{f.field}</Table.Td>
                    <Table.Td c={f.changed ? "dimmed" : undefined}>{shown(f.current)}</Table.Td>
                    <Table.Td>{shown(f.proposed)}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Paper>
  );
}
