import { Badge, Card, ScrollArea, Table, Text, Title } from "@mantine/core";

import type { ReconTieOutRow, ReconTotalsRow } from "../../bindings";
import { formatInteger } from "../../lib/format";
import { addsUp, isZeroDecimal, subtractDecimal } from "./reconFormat";
import { Amount, TABULAR } from "./resultColumns";

const RIGHT = { textAlign: "right" } as const;

/** ✓ or ✗ with the words, coloured: the word carries the meaning, the colour only helps. */
function Check({ ok, yes, no }: { ok: boolean; yes: string; no: string }) {
  return (
    <Badge
      variant="light"
      color={ok ? "green" : "red"}
      radius="sm"
      tt="none"
      styles={{ label: { overflow: "visible" } }}
      style={{ flexShrink: 0 }}
      data-ok={ok}
    >
      <span aria-hidden>{ok ? "✓" : "✗"}</span> {ok ? yes : no}
    </Badge>
  );
}

/** Whether both sides of a currency add up: read = matched + not matched. */
function balances(row: ReconTotalsRow): boolean {
  return (
    addsUp(row.providerInput, row.providerMatched, row.providerUnmatched) === true &&
    addsUp(row.salesforceInput, row.salesforceMatched, row.salesforceUnmatched) === true
  );
}

/** Per currency, each side's amounts: read, matched and not matched (major units). */
export function TotalsCard({ totals }: { totals: ReconTotalsRow[] }) {
  return (
    <Card h="100%">
      <Title order={3} size="h5">
        Totals by currency
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        On each side, what was read should equal what matched plus what did not.
      </Text>
      {totals.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="recon-totals-table">
          Nothing was read in this period.
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={640}>
          <Table
            verticalSpacing={6}
            fz="sm"
            striped
            data-testid="recon-totals-table"
            aria-label="Totals by currency"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th rowSpan={2}>Currency</Table.Th>
                <Table.Th colSpan={3} style={{ textAlign: "center" }}>
                  Provider
                </Table.Th>
                <Table.Th colSpan={3} style={{ textAlign: "center" }}>
                  Salesforce
                </Table.Th>
                <Table.Th rowSpan={2}>Adds up</Table.Th>
              </Table.Tr>
              <Table.Tr>
                <Table.Th style={RIGHT}>Read</Table.Th>
                <Table.Th style={RIGHT}>Matched</Table.Th>
                <Table.Th style={RIGHT}>Not matched</Table.Th>
                <Table.Th style={RIGHT}>Read</Table.Th>
                <Table.Th style={RIGHT}>Matched</Table.Th>
                <Table.Th style={RIGHT}>Not matched</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {totals.map((row) => (
                <Table.Tr key={row.currency} data-testid={`recon-totals-${row.currency}`}>
                  <Table.Td>
                    <Text size="sm" ff="monospace" fw={600}>
                      {row.currency.toUpperCase()}
                    </Text>
                  </Table.Td>
                  <Table.Td style={RIGHT}>
                    <Amount value={row.providerInput} />
                  </Table.Td>
                  <Table.Td style={RIGHT}>
                    <Amount value={row.providerMatched} />
                  </Table.Td>
                  <Table.Td style={RIGHT}>
                    <Amount value={row.providerUnmatched} />
                  </Table.Td>
                  <Table.Td style={RIGHT}>
                    <Amount value={row.salesforceInput} />
                  </Table.Td>
                  <Table.Td style={RIGHT}>
                    <Amount value={row.salesforceMatched} />
                  </Table.Td>
                  <Table.Td style={RIGHT}>
                    <Amount value={row.salesforceUnmatched} />
                  </Table.Td>
                  <Table.Td>
                    <Check ok={balances(row)} yes="Balances" no="Off" />
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </Card>
  );
}

/** Payouts that do not tie out first; otherwise in the engine's order. */
function notTyingFirst(payouts: ReconTieOutRow[]): ReconTieOutRow[] {
  return [...payouts.filter((p) => !p.ties), ...payouts.filter((p) => p.ties)];
}

/** Each Stripe payout against the net of the balance transactions it settled. */
export function TieOutsCard({ payouts, offline }: { payouts: ReconTieOutRow[]; offline: boolean }) {
  const off = payouts.filter((p) => !p.ties).length;
  return (
    <Card h="100%">
      <Title order={3} size="h5">
        Stripe payout tie-outs
      </Title>
      <Text size="sm" c="dimmed" mb="sm" data-testid="recon-tieouts-summary">
        {payouts.length === 0
          ? "Each payout's amount against the net of what it settled."
          : `${formatInteger(payouts.length)} ${payouts.length === 1 ? "payout" : "payouts"} · ${
              off === 0
                ? "all tie out"
                : `${formatInteger(off)} ${off === 1 ? "does" : "do"} not tie out`
            }`}
      </Text>
      {payouts.length === 0 ? (
        <Text size="sm" c="dimmed" data-testid="recon-tieouts-table">
          {offline
            ? "Not checked: this run read the local copy only."
            : "No Stripe payouts in this period."}
        </Text>
      ) : (
        <ScrollArea.Autosize mah={360} type="auto">
          <Table
            verticalSpacing={6}
            fz="sm"
            striped
            stickyHeader
            data-testid="recon-tieouts-table"
            aria-label="Stripe payout tie-outs"
          >
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Payout</Table.Th>
                <Table.Th>Currency</Table.Th>
                <Table.Th style={RIGHT}>Expected</Table.Th>
                <Table.Th style={RIGHT}>Actual</Table.Th>
                <Table.Th style={RIGHT}>Difference</Table.Th>
                <Table.Th>Ties</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {notTyingFirst(payouts).map((row) => {
                const difference = subtractDecimal(row.actual, row.expected);
                return (
                  <Table.Tr key={row.payout} data-testid={`recon-tieout-${row.payout}`}>
                    <Table.Td>
                      <Text size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
                        {row.payout}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" ff="monospace">
                        {row.currency.toUpperCase()}
                      </Text>
                    </Table.Td>
                    <Table.Td style={RIGHT}>
                      <Amount value={row.expected} />
                    </Table.Td>
                    <Table.Td style={RIGHT}>
                      <Amount value={row.actual} />
                    </Table.Td>
                    <Table.Td style={RIGHT}>
                      {difference === null || isZeroDecimal(difference) ? (
                        <Text size="sm" c="dimmed" style={TABULAR} span>
                          {difference ?? "—"}
                        </Text>
                      ) : (
                        <Text size="sm" ff="monospace" c="red.8" fw={600} style={TABULAR} span>
                          {difference}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Check ok={row.ties} yes="Ties" no="Does not tie" />
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </ScrollArea.Autosize>
      )}
    </Card>
  );
}
