import { Button, Group, Kbd, Modal, Stack, Text, Textarea } from "@mantine/core";
import { getHotkeyHandler } from "@mantine/hooks";
import { IconMessage2 } from "@tabler/icons-react";
import { useState } from "react";

import { ErrorNotice } from "../../components/ErrorNotice";

interface ExplainModalProps {
  resultId: number;
  opened: boolean;
  pending: boolean;
  /** The engine's refusal of the last try, shown in the dialog. */
  error: unknown;
  onClose: () => void;
  onSave: (note: string) => void;
}

/**
 * Why an exception is not a problem: required, kept with the result and in the audit log. Keyed
 * by result by its parent, so a note typed and cancelled stays with that result only.
 */
export function ExplainModal({
  resultId,
  opened,
  pending,
  error,
  onClose,
  onSave,
}: ExplainModalProps) {
  const [note, setNote] = useState("");
  const ready = note.trim() !== "" && !pending;
  const submit = () => {
    if (ready) onSave(note.trim());
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<Text fw={700}>Mark result {resultId} explained</Text>}
      data-testid="recon-explain-modal"
    >
      <Stack gap="sm">
        <Textarea
          label="Why is it not a problem?"
          description="Required; kept with the result and in the audit log."
          placeholder="e.g. Refunded by hand on 21 Nov; the credit note is in Salesforce"
          value={note}
          onChange={(event) => setNote(event.currentTarget.value)}
          onKeyDown={getHotkeyHandler([["mod+Enter", submit]])}
          autosize
          minRows={3}
          maxRows={8}
          data-autofocus
          data-testid="recon-explain-note"
        />
        {Boolean(error) && <ErrorNotice title="The note was not saved" error={error} />}
        <Group justify="space-between" wrap="nowrap">
          <Text size="xs" c="dimmed">
            <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">Enter</Kbd> saves
          </Text>
          <Group gap="sm" wrap="nowrap">
            <Button variant="default" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button
              leftSection={<IconMessage2 size={16} />}
              disabled={!ready}
              loading={pending}
              onClick={submit}
              data-testid="recon-explain-save"
            >
              Mark explained
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
