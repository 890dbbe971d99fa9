import { Badge, Box, Card, Tabs } from "@mantine/core";
import { IconStack2, IconUserEdit } from "@tabler/icons-react";
import { useState } from "react";

import { replaceRoute, useRoute } from "../../app/router";
import { ScreenHeader } from "../../components/ScreenHeader";
import { formatInteger } from "../../lib/format";
import { usePayoutBatches, usePayoutCorrections } from "../../lib/queries";
import { PayoutBatches, batchStatus, type BatchFilter } from "./PayoutBatches";
import { PayoutCorrections } from "./PayoutCorrections";

type PayoutTab = "batches" | "corrections";

/** The tab lives in the URL (`#/payouts?tab=corrections`), so a link or a reload keeps it. */
function usePayoutTab(): [PayoutTab, (tab: PayoutTab) => void] {
  const tab = useRoute().params.get("tab") === "corrections" ? "corrections" : "batches";
  const setTab = (next: PayoutTab) =>
    replaceRoute("payouts", next === "corrections" ? { tab: next } : undefined);
  return [tab, setTab];
}

export function PayoutsScreen() {
  const [tab, setTab] = usePayoutTab();
  const [filter, setFilter] = useState<BatchFilter>("open");
  const batches = usePayoutBatches(batchStatus(filter));
  // Read on either tab: its count is on the Corrections tab's label.
  const corrections = usePayoutCorrections();
  const toCorrect = corrections.data?.length ?? 0;
  const ready = tab === "batches" ? batches.data : corrections.data;

  return (
    <Box data-testid="screen-payouts" data-ready={ready ? "true" : undefined}>
      <ScreenHeader
        title="Payouts"
        description="Batches of payouts to Payoneer: check and approve them before money moves, and correct recipients Payoneer would refuse."
      />
      <Card padding="md" data-testid="payouts-screen" data-ready={ready ? "true" : undefined}>
        <Tabs
          value={tab}
          onChange={(value) => setTab(value === "corrections" ? "corrections" : "batches")}
        >
          <Tabs.List mb="md">
            <Tabs.Tab
              value="batches"
              leftSection={<IconStack2 size={16} aria-hidden />}
              data-testid="payouts-tab-batches"
            >
              Batches
            </Tabs.Tab>
            <Tabs.Tab
              value="corrections"
              leftSection={<IconUserEdit size={16} aria-hidden />}
              rightSection={
                toCorrect > 0 ? (
                  <Badge
                    size="sm"
                    color="orange"
                    variant="filled"
                    circle={toCorrect < 10}
                    data-testid="payouts-corrections-badge"
                    aria-label={`${toCorrect} to correct`}
                  >
                    {formatInteger(toCorrect)}
                  </Badge>
                ) : null
              }
              data-testid="payouts-tab-corrections"
            >
              Corrections
            </Tabs.Tab>
          </Tabs.List>
          <Tabs.Panel value="batches">
            <PayoutBatches filter={filter} onFilterChange={setFilter} batches={batches} />
          </Tabs.Panel>
          <Tabs.Panel value="corrections">
            <PayoutCorrections corrections={corrections} />
          </Tabs.Panel>
        </Tabs>
      </Card>
    </Box>
  );
}
