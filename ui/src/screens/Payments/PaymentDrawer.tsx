import {
  ActionIcon,
  Badge,
  CopyButton,
  Drawer,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Timeline,
  Tooltip,
} from "@mantine/core";
import {
  IconBolt,
  IconCheck,
  IconCloudUpload,
  IconCloudX,
  IconCopy,
  IconPoint,
  IconTimeline,
  type Icon,
} from "@tabler/icons-react";
import type { ReactNode } from "react";

import type { PaymentRow, TimelineRow } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNotice } from "../../components/ErrorNotice";
import { PaymentStatusBadge } from "../../components/StatusBadge";
import { formatDateTime, formatMoney, humanize, providerLabel } from "../../lib/format";
import { usePayment } from "../../lib/queries";
import { TABULAR } from "./paymentColumns";
import { Field } from "../../components/DrawerField";

function CopyId({ value, label }: { value: string; label: string }) {
  return (
    <CopyButton value={value}>
      {({ copied, copy }) => (
        <Tooltip label={copied ? "Copied" : `Copy ${label}`} withArrow>
          <ActionIcon
            variant="subtle"
            color={copied ? "teal" : "gray"}
            size="sm"
            onClick={copy}
            aria-label={`Copy ${label}`}
          >
            {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
          </ActionIcon>
        </Tooltip>
      )}
    </CopyButton>
  );
}

function Facts({ payment }: { payment: PaymentRow }) {
  return (
    <SimpleGrid cols={2} spacing="md" data-testid="payment-facts">
      <Field label="Amount">
        <Text fw={700} size="lg" style={TABULAR} data-testid="payment-amount">
          {formatMoney(payment.amount, payment.currency)}
        </Text>
      </Field>
      <Field label="Status">
        <PaymentStatusBadge status={payment.status} data-testid="payment-status" />
      </Field>
      <Field label="Provider id">
        <Group gap={4} wrap="nowrap">
          <Text size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
            {payment.providerId}
          </Text>
          <CopyId value={payment.providerId} label="provider id" />
        </Group>
      </Field>
      <Field label="Customer">
        {payment.customer ? (
          <Group gap={4} wrap="nowrap">
            <Text size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
              {payment.customer}
            </Text>
            <CopyId value={payment.customer} label="customer id" />
          </Group>
        ) : (
          <Text size="sm" c="dimmed">
            None
          </Text>
        )}
      </Field>
      <Field label="Provider">
        {providerLabel(payment.provider)} {payment.kind}
      </Field>
      <Field label="When">{formatDateTime(payment.occurredAt, true)}</Field>
      <Field label="Last read by Paysync">{formatDateTime(payment.syncedAt, true)}</Field>
    </SimpleGrid>
  );
}

interface KindLook {
  label: string;
  color: string;
  icon: Icon;
}

/** Events and Salesforce writes look different: in words, icon and colour. */
function kindLook(kind: string, provider: string): KindLook {
  switch (kind) {
    case "event":
      return { label: `${providerLabel(provider)} event`, color: "blue", icon: IconBolt };
    case "salesforce_write":
      return { label: "Salesforce write", color: "teal", icon: IconCloudUpload };
    case "salesforce_delete":
      return { label: "Salesforce deletion", color: "orange", icon: IconCloudX };
    default:
      return { label: humanize(kind), color: "gray", icon: IconPoint };
  }
}

function PaymentTimeline({ entries, provider }: { entries: TimelineRow[]; provider: string }) {
  return (
    <Timeline
      active={entries.length - 1}
      bulletSize={24}
      lineWidth={2}
      data-testid="payment-timeline"
      aria-label="Timeline, oldest first"
    >
      {entries.map((entry, i) => {
        const look = kindLook(entry.kind, provider);
        const Icon = look.icon;
        return (
          <Timeline.Item
            key={`${entry.at}-${i}`}
            color={look.color}
            bullet={<Icon size={14} aria-hidden />}
            data-testid="payment-timeline-entry"
            data-kind={entry.kind}
            title={
              <Text
                size="sm"
                fw={600}
                ff={entry.kind === "event" ? "monospace" : undefined}
                component="span"
              >
                {entry.title}
              </Text>
            }
          >
            <Group gap="xs" mt={2} wrap="nowrap">
              <Badge size="xs" variant="light" color={look.color} radius="sm" tt="none">
                {look.label}
              </Badge>
              <Text size="xs" c="dimmed" component="time" dateTime={entry.at}>
                {formatDateTime(entry.at, true)}
              </Text>
            </Group>
            <Text size="sm" c="dimmed" mt={4} style={{ wordBreak: "break-word" }}>
              {entry.detail}
            </Text>
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}

function TimelineSection({
  detail,
  provider,
}: {
  detail: ReturnType<typeof usePayment>;
  provider: string;
}) {
  let body: ReactNode;
  if (detail.isError) {
    body = (
      <ErrorNotice
        title="The timeline could not be loaded"
        error={detail.error}
        onRetry={() => void detail.refetch()}
      />
    );
  } else if (!detail.data) {
    body = (
      <Stack gap="sm" aria-busy aria-label="Loading the timeline">
        {Array.from({ length: 3 }, (_, i) => (
          <Skeleton key={i} height={40} radius="sm" />
        ))}
      </Stack>
    );
  } else if (detail.data.timeline.length === 0) {
    body = (
      <EmptyState
        icon={IconTimeline}
        title="Nothing recorded yet"
        data-testid="payment-timeline-empty"
      >
        The provider's events about this payment and what Paysync wrote to Salesforce appear here.
      </EmptyState>
    );
  } else {
    body = <PaymentTimeline entries={detail.data.timeline} provider={provider} />;
  }

  return (
    <Stack gap="sm">
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        Timeline
      </Text>
      {body}
    </Stack>
  );
}

interface PaymentDrawerProps {
  payment: PaymentRow | null;
  onClose: () => void;
}

/** One payment: its facts and its timeline of provider events and Salesforce writes. */
export function PaymentDrawer({ payment, onClose }: PaymentDrawerProps) {
  const detail = usePayment(
    payment ? { provider: payment.provider, providerId: payment.providerId } : null,
  );
  // The engine's fresh read once it is in; the table's row until then.
  const shown = detail.data?.payment ?? payment;

  return (
    <Drawer
      opened={payment !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={payment ? <Text fw={700}>Payment {payment.providerId}</Text> : null}
      data-testid="payment-drawer"
    >
      {payment && shown && (
        <Stack gap="xl">
          <Facts payment={shown} />
          <TimelineSection detail={detail} provider={payment.provider} />
        </Stack>
      )}
    </Drawer>
  );
}
