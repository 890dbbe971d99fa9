import { Card, Table, Text, Title } from "@mantine/core";
import { IconPlugConnectedX } from "@tabler/icons-react";

import type { ConnectionHealth } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { RelativeTime } from "../../components/RelativeTime";
import { HealthBadge } from "../../components/StatusBadge";

export function ConnectionsCard({ connections }: { connections: ConnectionHealth[] }) {
  return (
    <Card data-testid="connections">
      <Title order={3} size="h5" mb="sm">
        Connections
      </Title>
      {connections.length === 0 ? (
        <EmptyState icon={IconPlugConnectedX} title="No connections yet" />
      ) : (
        <Table verticalSpacing="xs" aria-label="Connections">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Provider</Table.Th>
              <Table.Th>Health</Table.Th>
              <Table.Th>Detail</Table.Th>
              <Table.Th>Checked</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {connections.map((c) => (
              <Table.Tr key={c.provider} data-testid={`connection-${c.provider}`}>
                <Table.Td fw={600}>{c.label}</Table.Td>
                <Table.Td>
                  <HealthBadge health={c.health} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c={c.detail ? undefined : "dimmed"}>
                    {c.detail ?? "—"}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" c="dimmed">
                    {c.checkedAt ? <RelativeTime iso={c.checkedAt} /> : "Never"}
                  </Text>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Card>
  );
}
