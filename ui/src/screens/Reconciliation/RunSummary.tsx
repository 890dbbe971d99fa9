import {
  Alert,
  Badge,
  Card,
  Group,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
  Title,
} from "@mantine/core";
import {
  IconAlertTriangle,
  IconCloudOff,
  IconLoader2,
  IconScale,
  IconScaleOff,
} from "@tabler/icons-react";

import type { ReconRunRow } from "../../bindings";
import { Field } from "../../components/DrawerField";
import { RelativeTime } from "../../components/RelativeTime";
import { formatDateTime, formatInteger, runDuration } from "../../lib/format";

/** Green when matched + unmatched = input everywhere, red when not; blue while still running. */
function Balance({ run }: { run: ReconRunRow }) {
  const running = run.finishedAt === null;
  const look = running
    ? {
        color: "blue",
        icon: IconLoader2,
        title: "Still running: the balance is not known yet",
        detail: "The totals are final once the run has finished.",
      }
    : run.balances
      ? {
          color: "green",
          icon: IconScale,
          title: "Totals balance",
          detail: "Matched + unmatched = read, on both sides, in every currency.",
        }
      : {
          color: "red",
          icon: IconScaleOff,
          title: "Totals do not balance",
          detail:
            "In at least one currency, matched + unmatched differs from what was read: see the totals.",
        };
  const Icon = look.icon;
  return (
    <Group
      gap="sm"
      wrap="nowrap"
      align="flex-start"
      data-testid="recon-balance"
      data-balances={running ? undefined : String(run.balances)}
      role="status"
    >
      <ThemeIcon size={36} radius="xl" variant="light" color={look.color}>
        <Icon size={22} aria-hidden />
      </ThemeIcon>
      <Stack gap={0}>
        <Text fw={700} c={`${look.color}.8`}>
          {look.title}
        </Text>
        <Text size="xs" c="dimmed">
          {look.detail}
        </Text>
      </Stack>
    </Group>
  );
}

function Count({ n, word, color }: { n: number; word: string; color?: string }) {
  return (
    <Text span size="sm" fw={n > 0 && color ? 600 : undefined} c={n > 0 ? color : undefined}>
      {formatInteger(n)} {word}
    </Text>
  );
}

/** The run at a glance: whether it balances, its period, who started it and when, its counts. */
export function RunSummary({ run }: { run: ReconRunRow }) {
  return (
    <Card h="100%" data-testid="recon-summary">
      <Stack gap="md">
        <Group justify="space-between" wrap="nowrap">
          <Title order={3} size="h5">
            Run {run.id}
          </Title>
          {run.offline && (
            <Badge
              variant="light"
              color="gray"
              tt="none"
              leftSection={<IconCloudOff size={12} aria-hidden />}
              data-testid="recon-offline"
            >
              Offline: local copy only
            </Badge>
          )}
        </Group>
        <Balance run={run} />
        {run.error && (
          <Alert
            color="red"
            variant="light"
            icon={<IconAlertTriangle size={18} />}
            title="The run failed"
            data-testid="recon-run-error"
          >
            {run.error}
          </Alert>
        )}
        <SimpleGrid cols={2} spacing="md">
          <Field label="Period">
            <span data-testid="recon-period">
              {run.periodFrom} – {run.periodTo}
            </span>
          </Field>
          <Field label="Started by">
            <span data-testid="recon-started-by">{run.startedBy}</span>
          </Field>
          <Field label="Started">
            {formatDateTime(run.startedAt)}
            <Text size="xs" c="dimmed">
              <RelativeTime iso={run.startedAt} />
            </Text>
          </Field>
          <Field label="Took">
            {run.finishedAt ? runDuration(run.startedAt, run.finishedAt) : "Still running"}
          </Field>
        </SimpleGrid>
        <Field label="Results">
          <span data-testid="recon-run-counts">
            <Count n={run.matched} word="matched" /> ·{" "}
            <Count n={run.suggested} word="suggested" color="yellow.9" /> ·{" "}
            <Count
              n={run.exceptions}
              word={run.exceptions === 1 ? "exception" : "exceptions"}
              color="red.8"
            />
          </span>
        </Field>
      </Stack>
    </Card>
  );
}
