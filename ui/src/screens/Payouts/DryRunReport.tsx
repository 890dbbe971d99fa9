import {
  Alert,
  Badge,
  Button,
  Code,
  Collapse,
  Group,
  Paper,
  Stack,
  Table,
  Text,
} from "@mantine/core";
import { useDisclosure, useId } from "@mantine/hooks";
import { IconAlertTriangle, IconChevronDown, IconChevronRight } from "@tabler/icons-react";

import type { DryRunReport as Report, PayoutItemRow } from "../../bindings";
import { formatInteger } from "../../lib/format";
import { Money } from "./payoutColumns";

interface DryRunReportProps {
  report: Report;
  /** The batch's items, to name the request and payee of each problem. */
  items: PayoutItemRow[];
  itemCount: number;
  /** The batch changed after the dry run: the report is about what it was. */
  outdated: boolean;
}

/** What submitting the batch would do, from the engine's dry run; nothing was sent. */
export function DryRunReport({ report, items, itemCount, outdated }: DryRunReportProps) {
  const [payloadOpen, { toggle }] = useDisclosure(false);
  const payloadId = useId();
  const byId = new Map(items.map((item) => [item.id, item]));

  return (
    <Paper withBorder p="md" radius="sm" data-testid="dry-run-report">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Text fw={700}>Dry run: nothing was sent</Text>
          {report.enoughFunds ? (
            <Badge color="green" variant="light" tt="none" data-testid="dry-run-funds">
              Enough funds
            </Badge>
          ) : (
            <Badge color="red" variant="filled" tt="none" data-testid="dry-run-funds">
              Not enough funds
            </Badge>
          )}
        </Group>
        {outdated && (
          <Text size="sm" c="orange.8" data-testid="dry-run-outdated">
            The batch changed after this dry run; run it again to check what it holds now.
          </Text>
        )}

        <Text size="sm" data-testid="dry-run-would-send">
          Would send {formatInteger(report.wouldSend)} of {formatInteger(itemCount)} items.
        </Text>
        <Table withRowBorders={false} verticalSpacing={2} fz="sm" w="auto">
          <Table.Tbody>
            <Table.Tr>
              <Table.Td c="dimmed">Total</Table.Td>
              <Table.Td ta="right">
                <Money amount={report.total} currency={report.currency} />
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td c="dimmed">Fees</Table.Td>
              <Table.Td ta="right">
                <Money amount={report.fees} currency={report.currency} />
              </Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Td c="dimmed">Available balance</Table.Td>
              <Table.Td ta="right" data-testid="dry-run-balance">
                {report.balance === null ? (
                  <Text size="sm" c="dimmed" span>
                    Not known
                  </Text>
                ) : (
                  <Money
                    amount={report.balance}
                    currency={report.currency}
                    fw={report.enoughFunds ? undefined : 700}
                  />
                )}
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
        {!report.enoughFunds && (
          <Text size="sm" c="red.8" fw={600}>
            Not enough funds: the {report.currency} balance does not cover the total and fees. The
            batch would be held until the program is funded.
          </Text>
        )}

        {report.problems.length === 0 ? (
          <Text size="sm" c="green.8" data-testid="dry-run-no-problems">
            No problems: every item passes Payoneer's validation.
          </Text>
        ) : (
          <Alert
            color="red"
            variant="light"
            icon={<IconAlertTriangle size={18} />}
            title={`${formatInteger(report.problems.length)} ${
              report.problems.length === 1 ? "item" : "items"
            } would fail validation`}
            data-testid="dry-run-problems"
          >
            <Stack gap={6}>
              {report.problems.map((problem, i) => {
                const item = byId.get(problem.itemId);
                return (
                  <Text
                    key={`${problem.itemId}-${problem.field}-${i}`}
                    size="sm"
                    data-testid="dry-run-problem"
                    style={{ wordBreak: "break-word" }}
                  >
                    <Text span ff="monospace" fw={600} inherit>
                      {item?.requestName ?? problem.requestId}
                    </Text>
                    {item?.payeeName ? ` (${item.payeeName})` : ""} · item {problem.itemId} ·{" "}
                    <Text span ff="monospace" inherit>
                      {problem.field}
                    </Text>
                    : {problem.message}
                  </Text>
                );
              })}
            </Stack>
          </Alert>
        )}

        <div>
          <Button
            variant="subtle"
            size="compact-sm"
            leftSection={
              payloadOpen ? <IconChevronDown size={14} /> : <IconChevronRight size={14} />
            }
            onClick={toggle}
            aria-expanded={payloadOpen}
            aria-controls={payloadId}
            data-testid="dry-run-payload-toggle"
          >
            {payloadOpen ? "Hide the request body" : "Show the request body that would be sent"}
          </Button>
          <Collapse in={payloadOpen} id={payloadId}>
            {payloadOpen && (
              <Code
                block
                mt="xs"
                fz="xs"
                mah={360}
                style={{ overflow: "auto" }}
                data-testid="dry-run-payload"
              >
                {report.payload}
              </Code>
            )}
          </Collapse>
        </div>
      </Stack>
    </Paper>
  );
}
