import { Box, SimpleGrid, Skeleton, Stack, Text } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconPlugConnectedX } from "@tabler/icons-react";
import { useEffect, useRef, useState } from "react";

import { useRoute } from "../../app/router";
import type { ConnectionCard } from "../../bindings";
import { EmptyState } from "../../components/EmptyState";
import { ErrorNotice } from "../../components/ErrorNotice";
import { ScreenHeader } from "../../components/ScreenHeader";
import { humanize } from "../../lib/format";
import { useConnectSalesforce, useSalesforceConnecting } from "../../lib/mutations";
import { useConnections } from "../../lib/queries";
import { ConnectKeysModal } from "./ConnectKeysModal";
import { DisconnectModal } from "./DisconnectModal";
import { ProviderCard } from "./ProviderCard";
import { SalesforceWaiting } from "./SalesforceWaiting";

function Intro({ cards }: { cards: ConnectionCard[] }) {
  const profile = cards[0]?.profile;
  return (
    <Text size="sm" data-testid="connections-intro">
      {profile ? (
        <>
          These connections belong to the <b>{humanize(profile)}</b> profile.{" "}
        </>
      ) : null}
      Secrets are kept only in this computer's OS keychain and are never shown again after saving.
    </Text>
  );
}

export function ConnectionsScreen() {
  const connections = useConnections();
  const focus = useRoute().params.get("provider");
  const focusCard = useRef<HTMLDivElement>(null);

  const [keysCard, setKeysCard] = useState<ConnectionCard | null>(null);
  const [keysOpen, keysModal] = useDisclosure(false);
  const [disconnectCard, setDisconnectCard] = useState<ConnectionCard | null>(null);
  const [disconnectOpen, disconnectModal] = useDisclosure(false);
  const [waitingOpen, waiting] = useDisclosure(false);

  const connectSalesforce = useConnectSalesforce();
  const salesforceConnecting = useSalesforceConnecting();

  useEffect(() => {
    focusCard.current?.scrollIntoView?.({ block: "center" });
  }, [focus, connections.data?.length]);

  const connect = (card: ConnectionCard) => {
    if (card.method === "keys") {
      setKeysCard(card);
      keysModal.open();
      return;
    }
    waiting.open();
    // A sign-in already under way (started before this screen was opened) is waited for, not
    // started twice.
    if (!salesforceConnecting) connectSalesforce.mutate(undefined, { onSettled: waiting.close });
  };

  const askDisconnect = (card: ConnectionCard) => {
    setDisconnectCard(card);
    disconnectModal.open();
  };

  const cards = connections.data;

  return (
    <Box data-testid="screen-connections" data-ready={cards ? "true" : undefined}>
      <ScreenHeader
        title="Connections"
        description="The accounts Paysync syncs with: connect them, test them, disconnect them."
      />
      <Stack gap="md">
        {cards && <Intro cards={cards} />}
        {connections.isError && (
          <ErrorNotice
            title="Connections could not be loaded"
            error={connections.error}
            onRetry={() => void connections.refetch()}
          />
        )}
        {connections.isPending && (
          <SimpleGrid cols={{ base: 1, md: 2 }} aria-busy aria-label="Loading connections">
            {Array.from({ length: 4 }, (_, i) => (
              <Skeleton key={i} height={170} radius="md" />
            ))}
          </SimpleGrid>
        )}
        {cards && cards.length === 0 && (
          <EmptyState icon={IconPlugConnectedX} title="No providers in this profile">
            This version of Paysync has no providers to connect.
          </EmptyState>
        )}
        {cards && cards.length > 0 && (
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
            {cards.map((card) => (
              <ProviderCard
                key={card.provider}
                ref={card.provider === focus ? focusCard : undefined}
                card={card}
                highlighted={card.provider === focus}
                connecting={card.method === "oAuth" && salesforceConnecting}
                onConnect={() => connect(card)}
                onDisconnect={() => askDisconnect(card)}
              />
            ))}
          </SimpleGrid>
        )}
      </Stack>

      <ConnectKeysModal card={keysCard} opened={keysOpen} onClose={keysModal.close} />
      <DisconnectModal
        card={disconnectCard}
        opened={disconnectOpen}
        onClose={disconnectModal.close}
      />
      <SalesforceWaiting opened={waitingOpen && salesforceConnecting} onHide={waiting.close} />
    </Box>
  );
}
