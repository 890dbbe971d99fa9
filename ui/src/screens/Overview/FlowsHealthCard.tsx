import { Anchor, Card, Group, Table, Text, Title } from "@mantine/core";

import type { FlowRow } from "../../bindings";
import { hrefFor } from "../../app/router";
import { NextDue } from "../../components/NextDue";
import { RelativeTime } from "../../components/RelativeTime";
import { OutcomeBadge } from "../../components/StatusBadge";
import { formatSchedule } from "../../lib/format";

export function FlowsHealthCard({ flows }: { flows: FlowRow[] }) {
  return (
    <Card data-testid="flows-health">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h5">
          Flows
        </Title>
        <Anchor href={hrefFor("flows")} size="sm">
          Open Flows
        </Anchor>
      </Group>
      <Table verticalSpacing="xs" aria-label="Flows health">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Flow</Table.Th>
            <Table.Th>Schedule</Table.Th>
            <Table.Th>Last run</Table.Th>
            <Table.Th>Next due</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {flows.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={4}>
                <Text size="sm" c="dimmed">
                  No flows are set up.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {flows.map((flow) => (
            <Table.Tr key={flow.name} data-testid={`flow-health-${flow.name}`}>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {flow.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm">{formatSchedule(flow.schedule)}</Text>
              </Table.Td>
              <Table.Td>
                {flow.lastRun ? (
                  <Group gap="xs" wrap="nowrap">
                    <OutcomeBadge outcome={flow.lastRun.outcome} />
                    <Text size="sm" c="dimmed">
                      <RelativeTime iso={flow.lastRun.startedAt} />
                    </Text>
                  </Group>
                ) : (
                  <Text size="sm" c="dimmed">
                    Never run
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <NextDue flow={flow} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}
