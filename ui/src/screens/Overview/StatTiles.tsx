import { Progress, SimpleGrid, Text } from "@mantine/core";
import {
  IconCash,
  IconCloudDataConnection,
  IconInbox,
  IconShieldCheck,
  IconShieldX,
  IconStack2,
} from "@tabler/icons-react";

import type { Overview } from "../../bindings";
import { RelativeTime } from "../../components/RelativeTime";
import { formatInteger } from "../../lib/format";
import { usageColor } from "../../lib/status";
import { StatTile } from "./StatTile";

function QueueTile({ queue }: { queue: Overview["queue"] }) {
  const waiting = queue.pending + queue.running + queue.inDoubt;
  return (
    <StatTile
      data-testid="tile-queue"
      title="Job queue"
      icon={IconStack2}
      color={queue.inDoubt > 0 ? "yellow" : "indigo"}
      value={formatInteger(waiting)}
    >
      <Text size="sm" c="dimmed">
        {formatInteger(queue.pending)} pending · {formatInteger(queue.running)} running ·{" "}
        <Text
          span
          size="sm"
          c={queue.inDoubt > 0 ? "yellow.8" : undefined}
          fw={queue.inDoubt > 0 ? 600 : undefined}
        >
          {formatInteger(queue.inDoubt)} in doubt
        </Text>
      </Text>
    </StatTile>
  );
}

function DeadLettersTile({ deadLetters }: { deadLetters: Overview["deadLetters"] }) {
  const open = deadLetters.open;
  return (
    <StatTile
      data-testid="tile-dlq"
      title="Dead letters"
      icon={IconInbox}
      color={open > 0 ? "red" : "green"}
      attention={open > 0}
      value={formatInteger(open)}
    >
      <Text size="sm" c="dimmed">
        {open === 0 && "Nothing is waiting for a person."}
        {open > 0 && deadLetters.oldestOpenAt && (
          <>
            Oldest parked <RelativeTime iso={deadLetters.oldestOpenAt} />
          </>
        )}
        {open > 0 && !deadLetters.oldestOpenAt && "Waiting for someone to review them."}
      </Text>
    </StatTile>
  );
}

function PayoutsTile({ awaiting }: { awaiting: number | null }) {
  return (
    <StatTile
      data-testid="tile-payouts"
      title="Payouts to approve"
      icon={IconCash}
      color={awaiting ? "yellow" : "gray"}
      value={awaiting === null ? "—" : formatInteger(awaiting)}
    >
      <Text size="sm" c="dimmed">
        {awaiting === null
          ? "Payouts not set up yet"
          : awaiting === 0
            ? "No batch is waiting for a checker."
            : "Batches waiting for a second person to approve."}
      </Text>
    </StatTile>
  );
}

function SalesforceApiTile({ usage }: { usage: Overview["salesforceApi"] }) {
  if (!usage) {
    return (
      <StatTile
        data-testid="tile-sf-api"
        title="Salesforce API"
        icon={IconCloudDataConnection}
        color="gray"
        value="—"
      >
        <Text size="sm" c="dimmed">
          Usage is not known yet.
        </Text>
      </StatTile>
    );
  }
  const color = usageColor(usage.used, usage.limit);
  const percent = usage.limit > 0 ? Math.min(100, (usage.used / usage.limit) * 100) : 0;
  return (
    <StatTile
      data-testid="tile-sf-api"
      title="Salesforce API"
      icon={IconCloudDataConnection}
      color={color}
      attention={color === "red"}
      value={`${Math.round(percent)} %`}
    >
      <Progress
        value={percent}
        color={color}
        size="sm"
        aria-label="Salesforce API requests used today"
        data-color={color}
      />
      <Text size="sm" c="dimmed">
        {formatInteger(usage.used)} of {formatInteger(usage.limit)} requests today
      </Text>
    </StatTile>
  );
}

function AuditTile({ audit }: { audit: Overview["audit"] }) {
  if (audit.verified) {
    return (
      <StatTile
        data-testid="tile-audit"
        title="Audit chain"
        icon={IconShieldCheck}
        color="green"
        value="Verified"
      >
        <Text size="sm" c="dimmed">
          {formatInteger(audit.entries)} entries · checked <RelativeTime iso={audit.checkedAt} />
        </Text>
      </StatTile>
    );
  }
  return (
    <StatTile
      data-testid="tile-audit"
      title="Audit chain"
      icon={IconShieldX}
      color="red"
      attention
      value="Tampered"
    >
      <Text size="sm" c="red.8">
        {audit.problem ?? "The chain did not verify."} Contact your administrator.
      </Text>
    </StatTile>
  );
}

export function StatTiles({ overview }: { overview: Overview }) {
  return (
    <SimpleGrid cols={{ base: 2, md: 3, lg: 5 }} spacing="md">
      <QueueTile queue={overview.queue} />
      <DeadLettersTile deadLetters={overview.deadLetters} />
      <PayoutsTile awaiting={overview.payoutsAwaitingApproval} />
      <SalesforceApiTile usage={overview.salesforceApi} />
      <AuditTile audit={overview.audit} />
    </SimpleGrid>
  );
}
