import { Alert, Anchor, Button, Code, Collapse, Group, Stack, Text } from "@mantine/core";
import { useDisclosure, useId } from "@mantine/hooks";
import { IconAlertTriangle } from "@tabler/icons-react";

import { toAppError } from "../lib/ipc";

interface ErrorNoticeProps {
  error: unknown;
  /** A heading above the message, e.g. what was being done. */
  title?: string;
  /** Offered as "Try again" when the engine says trying again may help. */
  onRetry?: () => void;
  /** Without the alert frame, for use inside a toast. */
  bare?: boolean;
}

/** The engine's message in words, with the technical text one click away for support. */
export function ErrorNotice({ error, title, onRetry, bare = false }: ErrorNoticeProps) {
  const appError = toAppError(error);
  const [open, { toggle }] = useDisclosure(false);
  const detailsId = useId();

  const body = (
    <Stack gap={6}>
      <Text size="sm" data-testid="error-message">
        {appError.message}
      </Text>
      <Group gap="md">
        <Anchor
          component="button"
          type="button"
          size="xs"
          onClick={toggle}
          aria-expanded={open}
          aria-controls={detailsId}
        >
          {open ? "Hide technical details" : "Technical details"}
        </Anchor>
        {onRetry && appError.retryable && (
          <Button size="compact-xs" variant="light" color="red" onClick={onRetry}>
            Try again
          </Button>
        )}
      </Group>
      <Collapse in={open} id={detailsId}>
        {open && (
          <Code block data-testid="error-detail" fz="xs">
            {`code: ${appError.code}${appError.detail ? `\n${appError.detail}` : ""}`}
          </Code>
        )}
      </Collapse>
    </Stack>
  );

  if (bare) return body;
  return (
    <Alert
      color="red"
      variant="light"
      title={title}
      icon={<IconAlertTriangle size={18} />}
      role="alert"
      data-testid="error-notice"
    >
      {body}
    </Alert>
  );
}
