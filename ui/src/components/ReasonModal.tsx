import { Button, Group, Kbd, Modal, Stack, Text, Textarea } from "@mantine/core";
import { getHotkeyHandler } from "@mantine/hooks";
import type { ReactNode } from "react";
import { useState } from "react";

import { ErrorNotice } from "./ErrorNotice";

export interface ReasonModalProps {
  opened: boolean;
  pending: boolean;
  title: string;
  /** The question the text answers. */
  label: string;
  /** Where the text is kept. */
  description: string;
  placeholder: string;
  /** The confirm button's words and look. */
  confirmLabel: string;
  confirmIcon: ReactNode;
  confirmColor?: string;
  /** The verb after "Ctrl + Enter". */
  shortcutVerb: string;
  /** The engine's refusal of the last try, shown in the dialog when given. */
  error?: unknown;
  errorTitle?: string;
  testIds: { modal: string; text: string; confirm: string };
  onClose: () => void;
  onConfirm: (text: string) => void;
}

/**
 * A decision that needs a written reason (a rejection, an explanation): the confirm button stays
 * off until the text is not blank, Ctrl+Enter confirms, and the text is sent trimmed. Keyed by
 * its subject by the parent, so text typed and cancelled stays with that subject only.
 */
export function ReasonModal({
  opened,
  pending,
  title,
  label,
  description,
  placeholder,
  confirmLabel,
  confirmIcon,
  confirmColor,
  shortcutVerb,
  error,
  errorTitle,
  testIds,
  onClose,
  onConfirm,
}: ReasonModalProps) {
  const [text, setText] = useState("");
  const ready = text.trim() !== "" && !pending;
  const submit = () => {
    if (ready) onConfirm(text.trim());
  };

  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={<Text fw={700}>{title}</Text>}
      data-testid={testIds.modal}
    >
      <Stack gap="sm">
        <Textarea
          label={label}
          description={description}
          placeholder={placeholder}
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
          onKeyDown={getHotkeyHandler([["mod+Enter", submit]])}
          autosize
          minRows={3}
          maxRows={8}
          data-autofocus
          data-testid={testIds.text}
        />
        {Boolean(error) && <ErrorNotice title={errorTitle ?? "Not saved"} error={error} />}
        <Group justify="space-between" wrap="nowrap">
          <Text size="xs" c="dimmed">
            <Kbd size="xs">Ctrl</Kbd> + <Kbd size="xs">Enter</Kbd> {shortcutVerb}
          </Text>
          <Group gap="sm" wrap="nowrap">
            <Button variant="default" onClick={onClose} disabled={pending}>
              Cancel
            </Button>
            <Button
              color={confirmColor}
              leftSection={confirmIcon}
              disabled={!ready}
              loading={pending}
              onClick={submit}
              data-testid={testIds.confirm}
            >
              {confirmLabel}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Modal>
  );
}
