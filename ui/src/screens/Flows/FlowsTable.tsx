import { Badge, Button, Group, Stack, Table, Text } from "@mantine/core";
import { IconPlayerPause, IconPlayerPlay } from "@tabler/icons-react";
import { useEffect, useRef } from "react";

import type { FlowRow } from "../../bindings";
import { NextDue } from "../../components/NextDue";
import { RelativeTime } from "../../components/RelativeTime";
import { OutcomeBadge } from "../../components/StatusBadge";
import { formatSchedule } from "../../lib/format";
import { usePendingRuns, useRunFlow, useSetFlowPaused } from "../../lib/mutations";
import { RunNow } from "./RunNow";

interface FlowsTableProps {
  flows: FlowRow[];
  /** A flow to pick out (from search). */
  focus: string | null;
}

export function FlowsTable({ flows, focus }: FlowsTableProps) {
  const runFlow = useRunFlow();
  const setPaused = useSetFlowPaused();
  const starting = usePendingRuns();
  const focusRow = useRef<HTMLTableRowElement>(null);

  useEffect(() => {
    focusRow.current?.scrollIntoView?.({ block: "center" });
  }, [focus, flows.length]);

  return (
    <Table.ScrollContainer minWidth={760}>
      <Table verticalSpacing="sm" aria-label="Flows" data-testid="flows-table">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Flow</Table.Th>
            <Table.Th>Schedule</Table.Th>
            <Table.Th>Last run</Table.Th>
            <Table.Th style={{ whiteSpace: "nowrap" }}>Next due</Table.Th>
            <Table.Th w={300}>
              <Text span fz="sm" fw={600}>
                Run
              </Text>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {flows.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={5}>
                <Text size="sm" c="dimmed" ta="center" py="md">
                  No flows are set up.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {flows.map((flow) => (
            <Table.Tr
              key={flow.name}
              ref={flow.name === focus ? focusRow : undefined}
              data-testid={`flow-row-${flow.name}`}
              data-highlighted={flow.name === focus || undefined}
            >
              <Table.Td>
                <Stack gap={2}>
                  <Text size="sm" ff="monospace" fw={600}>
                    {flow.name}
                  </Text>
                  <Text size="sm" c="dimmed">
                    {flow.description}
                  </Text>
                </Stack>
              </Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>
                <Stack gap={4} align="flex-start">
                  <Text size="sm">{formatSchedule(flow.schedule)}</Text>
                  {flow.paused && (
                    <Badge color="yellow" variant="light" data-testid={`flow-paused-${flow.name}`}>
                      Paused
                    </Badge>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td>
                {flow.lastRun ? (
                  <Stack gap={4} align="flex-start">
                    <OutcomeBadge
                      outcome={flow.lastRun.outcome}
                      data-testid={`flow-outcome-${flow.name}`}
                    />
                    <Text size="xs" c="dimmed">
                      <RelativeTime iso={flow.lastRun.startedAt} />
                    </Text>
                    {flow.lastRun.error && (
                      <Text size="xs" c="red.8" lineClamp={2} title={flow.lastRun.error}>
                        {flow.lastRun.error}
                      </Text>
                    )}
                  </Stack>
                ) : (
                  <Text size="sm" c="dimmed" data-testid={`flow-outcome-${flow.name}`}>
                    Never run
                  </Text>
                )}
              </Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>
                <NextDue flow={flow} />
              </Table.Td>
              <Table.Td>
                <Group align="flex-start" wrap="nowrap">
                  <RunNow
                    flow={flow.name}
                    starting={starting.has(flow.name)}
                    onRun={() => runFlow.mutate(flow.name)}
                  />
                  {flow.schedule && (
                    <Button
                      size="xs"
                      variant="subtle"
                      color={flow.paused ? "green" : "yellow"}
                      leftSection={
                        flow.paused ? (
                          <IconPlayerPlay size={14} aria-hidden />
                        ) : (
                          <IconPlayerPause size={14} aria-hidden />
                        )
                      }
                      loading={setPaused.isPending && setPaused.variables?.name === flow.name}
                      onClick={() => setPaused.mutate({ name: flow.name, paused: !flow.paused })}
                      data-testid={`pause-flow-${flow.name}`}
                      aria-label={`${flow.paused ? "Resume" : "Pause"} ${flow.name}'s schedule`}
                    >
                      {flow.paused ? "Resume" : "Pause"}
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
