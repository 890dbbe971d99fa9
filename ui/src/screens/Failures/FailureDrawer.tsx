import {
  Button,
  Drawer,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  TextInput,
  Textarea,
} from "@mantine/core";
import { IconEye, IconPlayerPlay, IconTrash } from "@tabler/icons-react";
import { useDebouncedValue } from "@mantine/hooks";
import { useEffect, useState, type ReactNode } from "react";

import type { AttemptRow, FailureDetail, FailureRow } from "../../bindings";
import { ErrorNotice } from "../../components/ErrorNotice";
import { FailureStatusBadge } from "../../components/StatusBadge";
import { formatDateTime, humanize } from "../../lib/format";
import { useDiscardFailure, usePreviewFailure, useReplayFailure } from "../../lib/mutations";
import { useFailure } from "../../lib/queries";
import { Field, SectionTitle } from "../../components/DrawerField";
import { RecordLinks } from "./RecordLinks";
import { ReplayPreview } from "./ReplayPreview";

function Facts({ failure, resolution }: { failure: FailureRow; resolution: string | null }) {
  return (
    <Stack gap="md" data-testid="failure-facts">
      <SimpleGrid cols={2} spacing="md">
        <Field label="Kind">
          <Text size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
            {failure.kind}
          </Text>
        </Field>
        <Field label="Status">
          <FailureStatusBadge status={failure.status} data-testid="failure-status" />
        </Field>
        <Field label="Error code">
          <Text size="sm" ff="monospace" style={{ wordBreak: "break-all" }}>
            {failure.errorCode}
          </Text>
        </Field>
        <Field label="Class">{humanize(failure.errorClass)}</Field>
        <Field label="First failed">{formatDateTime(failure.firstFailedAt, true)}</Field>
        <Field label="Attempts">{failure.attempts}</Field>
      </SimpleGrid>
      <Field label="Message">
        <span data-testid="failure-message">{failure.errorMessage}</span>
      </Field>
      {resolution && (
        <Field label="Resolution">
          <span data-testid="failure-resolution">{resolution}</span>
        </Field>
      )}
    </Stack>
  );
}

function AttemptLog({ attempts }: { attempts: AttemptRow[] }) {
  if (attempts.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        No attempts recorded.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table
        striped
        verticalSpacing={4}
        fz="sm"
        data-testid="failure-attempts"
        aria-label="Attempts, oldest first"
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th style={{ textAlign: "right" }}>#</Table.Th>
            <Table.Th>Started</Table.Th>
            <Table.Th>Outcome</Table.Th>
            <Table.Th>Error</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {attempts.map((attempt) => (
            <Table.Tr key={attempt.number} data-testid="failure-attempt">
              <Table.Td style={{ textAlign: "right", fontVariantNumeric: "tabular-nums" }}>
                {attempt.number}
              </Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>
                {formatDateTime(attempt.startedAt, true)}
              </Table.Td>
              <Table.Td>{humanize(attempt.outcome)}</Table.Td>
              <Table.Td style={{ wordBreak: "break-word" }}>
                {attempt.errorCode && (
                  <Text size="xs" ff="monospace">
                    {attempt.errorCode}
                  </Text>
                )}
                {attempt.errorMessage && <Text size="sm">{attempt.errorMessage}</Text>}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** How long typing must rest before a correction is checked against the flow's rules. */
const CHECK_AFTER_MS = 600;

/** Why `text` is not JSON, or null when it is. */
function jsonProblem(text: string): string | null {
  try {
    JSON.parse(text);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

/**
 * The payload support can correct, and what to do with the failure. Only an open failure can be
 * replayed or discarded; the corrected text is sent only when it differs from the original.
 */
function Resolve({ detail }: { detail: FailureDetail }) {
  const { failure, payload } = detail;
  const open = failure.status === "open";
  const [text, setText] = useState(payload);
  const [discarding, setDiscarding] = useState(false);
  const [reason, setReason] = useState("");
  const replay = useReplayFailure();
  const discard = useDiscardFailure();
  const preview = usePreviewFailure();
  const edited = text !== payload;
  const notJson = jsonProblem(text);
  // Corrections are checked as they are typed: once the text rests and reads as JSON, the
  // engine maps it with the flow's own rules and compares it with Salesforce (nothing is written).
  const [resting] = useDebouncedValue(text, CHECK_AFTER_MS);
  const { mutate: check } = preview;
  useEffect(() => {
    if (open && resting !== payload && jsonProblem(resting) === null) {
      check({ id: failure.id, corrected: resting });
    }
  }, [open, resting, payload, failure.id, check]);
  // A preview shows what the text it was made from would write; an edit makes it stale.
  const previewed = preview.data && preview.variables?.corrected === (edited ? text : null);
  const busy = replay.isPending || discard.isPending;

  return (
    <Stack gap="sm">
      <Textarea
        label="Payload"
        description={
          open
            ? "The job's input. Correct it here before replaying: a correction is checked against the flow's rules as you type, and only a changed payload is sent."
            : "The job's input."
        }
        data-testid="failure-payload"
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        readOnly={!open}
        error={edited && notJson ? `Not JSON yet: ${notJson}` : undefined}
        autosize
        minRows={8}
        maxRows={24}
        spellCheck={false}
        styles={{ input: { fontFamily: "var(--mantine-font-family-monospace)", fontSize: 12 } }}
      />

      {open && previewed && preview.data && <ReplayPreview preview={preview.data} />}
      {preview.isError && (
        <ErrorNotice title={`Failure ${failure.id} could not be previewed`} error={preview.error} />
      )}
      {replay.isError && (
        <ErrorNotice title={`Failure ${failure.id} was not replayed`} error={replay.error} />
      )}
      {discard.isError && (
        <ErrorNotice title={`Failure ${failure.id} was not discarded`} error={discard.error} />
      )}

      {open ? (
        discarding ? (
          <Stack gap="xs">
            <TextInput
              label="Why discard it?"
              description="Required; kept in the audit log. The record is not written."
              placeholder="e.g. Test charge, refunded by hand"
              data-testid="failure-discard-reason"
              value={reason}
              onChange={(event) => setReason(event.currentTarget.value)}
              data-autofocus
            />
            <Group gap="sm">
              <Button
                color="red"
                leftSection={<IconTrash size={16} />}
                disabled={reason.trim() === ""}
                loading={discard.isPending}
                data-testid="failure-discard-confirm"
                onClick={() => {
                  replay.reset();
                  discard.mutate({ id: failure.id, reason: reason.trim() });
                }}
              >
                Discard failure
              </Button>
              <Button
                variant="subtle"
                disabled={discard.isPending}
                onClick={() => {
                  setDiscarding(false);
                  setReason("");
                  discard.reset();
                }}
              >
                Cancel
              </Button>
            </Group>
          </Stack>
        ) : (
          <Group gap="sm">
            <Button
              variant="light"
              leftSection={<IconEye size={16} />}
              loading={preview.isPending}
              disabled={busy || (edited && notJson !== null)}
              data-testid="failure-preview-button"
              onClick={() => preview.mutate({ id: failure.id, corrected: edited ? text : null })}
            >
              Preview
            </Button>
            <Button
              leftSection={<IconPlayerPlay size={16} />}
              loading={replay.isPending}
              disabled={busy || (edited && notJson !== null)}
              data-testid="failure-replay"
              onClick={() => {
                discard.reset();
                replay.mutate({ id: failure.id, corrected: edited ? text : null });
              }}
            >
              {edited ? "Replay with corrections" : "Replay"}
            </Button>
            <Button
              variant="default"
              leftSection={<IconTrash size={16} />}
              disabled={busy}
              data-testid="failure-discard"
              onClick={() => {
                replay.reset();
                setDiscarding(true);
              }}
            >
              Discard
            </Button>
            {edited && (
              <Button variant="subtle" disabled={busy} onClick={() => setText(payload)}>
                Undo corrections
              </Button>
            )}
          </Group>
        )
      ) : (
        <Text size="sm" c="dimmed" data-testid="failure-settled">
          This failure is {failure.status}; only open failures can be replayed or discarded.
        </Text>
      )}
    </Stack>
  );
}

interface FailureDrawerProps {
  failure: FailureRow | null;
  onClose: () => void;
}

/** One failure: why it failed, every attempt, and its payload to correct and replay or discard. */
export function FailureDrawer({ failure, onClose }: FailureDrawerProps) {
  const detail = useFailure(failure?.id ?? null);
  // The engine's fresh read once it is in; the table's row until then.
  const shown = detail.data?.failure ?? failure;

  let body: ReactNode;
  if (detail.isError) {
    body = (
      <ErrorNotice
        title="This failure could not be loaded"
        error={detail.error}
        onRetry={() => void detail.refetch()}
      />
    );
  } else if (!detail.data) {
    body = (
      <Stack gap="sm" aria-busy aria-label="Loading the failure">
        {Array.from({ length: 3 }, (_, i) => (
          <Skeleton key={i} height={40} radius="sm" />
        ))}
      </Stack>
    );
  } else {
    body = (
      <>
        <Stack gap="sm">
          <SectionTitle>Records</SectionTitle>
          <RecordLinks links={detail.data.records} />
        </Stack>
        <Stack gap="sm">
          <SectionTitle>Attempts</SectionTitle>
          <AttemptLog attempts={detail.data.attemptLog} />
        </Stack>
        {/* A new payload from the engine (after a replay) starts the editor afresh. */}
        <Resolve key={`${detail.data.failure.id}:${detail.data.payload}`} detail={detail.data} />
      </>
    );
  }

  return (
    <Drawer
      opened={failure !== null}
      onClose={onClose}
      position="right"
      size="xl"
      title={failure ? <Text fw={700}>Failure {failure.id}</Text> : null}
      data-testid="failure-drawer"
    >
      {failure && shown && (
        <Stack gap="xl">
          <Facts failure={shown} resolution={detail.data?.resolution ?? null} />
          {body}
        </Stack>
      )}
    </Drawer>
  );
}
