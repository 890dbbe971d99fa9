import { Button, Group, Kbd, Modal, Stack, Text, Textarea } from "@mantine/core";
import { getHotkeyHandler } from "@mantine/hooks";
import { IconBan } from "@tabler/icons-react";
import { useState } from "react";

interface RejectBatchModalProps {
  batchId: string | null;
  opened: boolean;
  pending: boolean;
  onClose: () => void;
  onReject: (reason: string) => void;
}

/**
 * Why the batch is rejected: required, kept in the audit log. Keyed by batch by its parent, so a
 * reason typed and cancelled stays for that batch only.
 */
export function RejectBatchModal({
  batchId,
  opened,
  pending,
  onClose,
  onReject,
}: RejectBatchModalProps) {
  const [reason, setReason] = useState("");
  const ready = reason.trim() !== "" && !pending;
  const submit = () => {
    if (ready) onReject(reason.trim());
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<Text fw={700}>Reject batch {batchId}</Text>}
      data-testid="payout-reject-modal"
    >
      <Stack gap="sm">
        <Textarea
          label="Why reject it?"
          description="Required; kept in the audit log. None of its payouts is sent."
          placeholder="e.g. PR-000123 is a duplicate of last week's payout"
          value={reason}
          onChange={(event) => setReason(event.currentTarget.value)}
          onKeyDown={getHotkeyHandler([["mod+Enter", submit]])}
          autosize
          minRows={3}
          maxRows={8}
          data-autofocus
          data-testid="payout-reject-reason"
        />
        <Group justify="space-between" wrap="nowrap">
          <Text size="xs" c="dimmed">
            <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">Enter</Kbd> rejects
          </Text>
          <Group gap="sm" wrap="nowrap">
            <Button variant="default" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button
              color="red"
              leftSection={<IconBan size={16} />}
              disabled={!ready}
              loading={pending}
              onClick={submit}
              data-testid="payout-reject-submit"
            >
              Reject batch
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
