import { Button, Card, Code, Group, Stack, Text, Title } from "@mantine/core";
import {
  IconCircleCheck,
  IconCircleX,
  IconPlugConnected,
  IconPlugConnectedX,
  IconStethoscope,
} from "@tabler/icons-react";
import { useEffect, type Ref } from "react";

import type { ConnectionCard } from "../../bindings";
import { RelativeTime } from "../../components/RelativeTime";
import { StatusBadge } from "../../components/StatusBadge";
import { toAppError } from "../../lib/ipc";
import { humanize } from "../../lib/format";
import { useTestConnection } from "../../lib/mutations";
import { connectionLook } from "../../lib/status";

interface ProviderCardProps {
  card: ConnectionCard;
  /** Picked out from search. */
  highlighted: boolean;
  /** Waiting for this provider's sign-in in the browser (Salesforce). */
  connecting: boolean;
  onConnect: () => void;
  onDisconnect: () => void;
  ref?: Ref<HTMLDivElement>;
}

/** One provider: what it points to, how it is doing, and connect / test / disconnect. */
export function ProviderCard({
  card,
  highlighted,
  connecting,
  onConnect,
  onDisconnect,
  ref,
}: ProviderCardProps) {
  const test = useTestConnection();
  const { reset } = test;
  const { provider, label } = card;

  // A verdict belongs to the credentials it was reached with: drop it when they change.
  useEffect(() => reset(), [reset, card.connected, card.connectedAt]);

  const look = connectionLook(card);
  const troubled = card.connected && card.status !== null && card.status !== "connected";

  return (
    <Card
      ref={ref}
      data-testid={`connection-card-${provider}`}
      data-highlighted={highlighted || undefined}
      style={highlighted ? { borderColor: "var(--mantine-primary-color-filled)" } : undefined}
      component="section"
      aria-labelledby={`connection-title-${provider}`}
    >
      <Stack gap="sm" h="100%">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Title order={3} size="h5" id={`connection-title-${provider}`}>
            {label}
          </Title>
          <StatusBadge look={look} data-testid={`connection-status-${provider}`} />
        </Group>

        <Stack gap={4}>
          {card.connected ? (
            <Text size="sm" data-testid={`connection-account-${provider}`}>
              {card.account ?? "Connected account"}
              {card.accountRef && (
                <>
                  {" "}
                  <Code fz="xs">{card.accountRef}</Code>
                </>
              )}
            </Text>
          ) : (
            <Text size="sm" c="dimmed">
              {card.method === "oAuth"
                ? `Not connected. Connect signs in to ${label} in your browser.`
                : `Not connected. Connect asks for ${label}'s keys.`}
            </Text>
          )}
          {card.endpoint && (
            <Text size="xs" c="dimmed" ff="monospace" style={{ wordBreak: "break-all" }}>
              {card.endpoint}
            </Text>
          )}
          {(card.connectedAt || card.lastSuccessAt) && (
            <Text size="xs" c="dimmed">
              {card.connectedAt && (
                <>
                  Connected <RelativeTime iso={card.connectedAt} />
                </>
              )}
              {card.connectedAt && card.lastSuccessAt && " · "}
              {card.lastSuccessAt && (
                <>
                  Last success <RelativeTime iso={card.lastSuccessAt} />
                </>
              )}
            </Text>
          )}
          {troubled && !card.lastError && card.status && (
            <Text size="sm" c="red.8">
              {humanize(card.status)}
            </Text>
          )}
          {card.lastError && (
            <Text size="sm" c="red.8" data-testid={`connection-error-${provider}`}>
              {card.lastError}
            </Text>
          )}
        </Stack>

        {card.connected && (test.data || test.isError) && (
          <TestResult
            provider={provider}
            ok={test.data?.ok ?? false}
            message={test.data?.message ?? toAppError(test.error).message}
            testedAt={test.data?.testedAt ?? null}
          />
        )}

        <Group gap="xs" mt="auto">
          <Button
            size="xs"
            variant={card.connected ? "default" : "filled"}
            leftSection={<IconPlugConnected size={14} aria-hidden />}
            onClick={onConnect}
            loading={connecting}
            data-testid={`connect-${provider}`}
            aria-label={`${card.connected ? "Reconnect" : "Connect"} ${label}`}
          >
            {card.connected ? "Reconnect" : "Connect"}
          </Button>
          {card.connected && (
            <>
              <Button
                size="xs"
                variant="light"
                leftSection={<IconStethoscope size={14} aria-hidden />}
                onClick={() => test.mutate(card)}
                loading={test.isPending}
                data-testid={`test-${provider}`}
                aria-label={`Test the ${label} connection`}
              >
                Test
              </Button>
              <Button
                size="xs"
                variant="subtle"
                color="red"
                leftSection={<IconPlugConnectedX size={14} aria-hidden />}
                onClick={onDisconnect}
                data-testid={`disconnect-${provider}`}
                aria-label={`Disconnect ${label}`}
              >
                Disconnect
              </Button>
            </>
          )}
        </Group>
      </Stack>
    </Card>
  );
}

function TestResult({
  provider,
  ok,
  message,
  testedAt,
}: {
  provider: string;
  ok: boolean;
  message: string;
  testedAt: string | null;
}) {
  const Icon = ok ? IconCircleCheck : IconCircleX;
  return (
    <Group
      gap="xs"
      wrap="nowrap"
      align="flex-start"
      data-testid={`test-result-${provider}`}
      data-ok={ok}
      role="status"
    >
      <Icon
        size={18}
        color={
          ok ? "var(--mantine-color-green-light-color)" : "var(--mantine-color-red-light-color)"
        }
        aria-hidden
        style={{ flexShrink: 0, marginTop: 1 }}
      />
      <Text size="sm" c={ok ? "var(--mantine-color-green-light-color)" : "red.8"}>
        <Text span fw={600} inherit>
          {ok ? "Works: " : "Failed: "}
        </Text>
        {message}
        {testedAt && (
          <Text span size="xs" c="dimmed">
            {" "}
            (tested <RelativeTime iso={testedAt} />)
          </Text>
        )}
      </Text>
    </Group>
  );
}
