import { Button, Group, Modal, Stack, Text } from "@mantine/core";

import type { ConnectionCard } from "../../bindings";
import { useDisconnect } from "../../lib/mutations";

interface DisconnectModalProps {
  card: ConnectionCard | null;
  opened: boolean;
  onClose: () => void;
}

/** Asks before a provider's credentials leave the keychain. Cancel has the focus. */
export function DisconnectModal({ card, opened, onClose }: DisconnectModalProps) {
  const disconnect = useDisconnect();
  const label = card?.label ?? "";
  const oauth = card?.method === "oAuth";

  const close = () => {
    disconnect.reset();
    onClose();
  };

  return (
    <Modal opened={opened} onClose={close} title={`Disconnect ${label}?`} size="md" centered>
      {card && (
        <Stack gap="md">
          <Text size="sm">
            {oauth
              ? `Paysync revokes its tokens with ${label} and deletes them from this computer's keychain.`
              : "Paysync deletes its keys from this computer's keychain."}{" "}
            Syncing with {label} stops until you connect it again.
          </Text>
          {card.account && (
            <Text size="sm" c="dimmed">
              Account: {card.account}
            </Text>
          )}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close} data-autofocus>
              Cancel
            </Button>
            <Button
              color="red"
              data-testid="disconnect-confirm"
              loading={disconnect.isPending}
              onClick={() => disconnect.mutate(card, { onSettled: close })}
            >
              Disconnect {label}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}
