import { Button, Group, Loader, Modal, Stack, Text } from "@mantine/core";

interface SalesforceWaitingProps {
  opened: boolean;
  /** Only hides this; the sign-in stays open in the browser and the engine ends the wait itself. */
  onHide: () => void;
}

/** Shown while the engine waits for the Salesforce sign-in in the system browser. */
export function SalesforceWaiting({ opened, onHide }: SalesforceWaitingProps) {
  return (
    <Modal
      opened={opened}
      onClose={onHide}
      title="Connect Salesforce"
      size="md"
      centered
      closeOnClickOutside={false}
    >
      <Stack gap="md" data-testid="salesforce-waiting" aria-live="polite">
        <Group gap="sm" wrap="nowrap">
          <Loader size="sm" aria-hidden />
          <Text fw={600}>Finish signing in in your browser…</Text>
        </Group>
        <Text size="sm">
          Paysync is waiting for Salesforce. Sign in there and allow access; this updates by itself
          once you do.
        </Text>
        <Text size="sm" c="dimmed">
          Closing this does not cancel the sign-in. If you do not finish it, the wait ends by itself
          after a few minutes.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onHide} data-autofocus>
            Close
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
