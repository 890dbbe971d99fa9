import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import { IconPlayerPlay, IconTrash } from "@tabler/icons-react";
import { useState } from "react";

import { ErrorNotice } from "../../components/ErrorNotice";
import { ReasonModal } from "../../components/ReasonModal";
import { formatInteger } from "../../lib/format";
import { useDiscardFailureGroup, useReplayFailureGroup } from "../../lib/mutations";
import { isNarrowed } from "../../lib/queries";
import type { FailureScope } from "../../bindings";
import type { GroupFilter } from "./FailureGroups";

interface GroupActionsProps {
  group: GroupFilter;
  /** The screen's filters: only the group's failures within them are acted on. */
  scope: FailureScope;
  /** Open failures in the group, within the filters. */
  count: number;
  /** After the group was replayed or discarded: it is empty now. */
  onDone: () => void;
}

/**
 * Acts on a whole root cause once its records were corrected (or judged not worth writing):
 * replay every open failure, each with its original idempotency key, or discard them all with
 * one reason. Both ask first and are audited per failure.
 */
export function GroupActions({ group, scope, count, onDone }: GroupActionsProps) {
  const narrowed = isNarrowed(scope);
  const replay = useReplayFailureGroup();
  const discard = useDiscardFailureGroup();
  const [confirming, setConfirming] = useState<"replay" | "discard" | null>(null);
  const failures = count === 1 ? "1 failure" : `${formatInteger(count)} failures`;
  const close = () => {
    setConfirming(null);
    replay.reset();
    discard.reset();
  };
  const done = () => {
    setConfirming(null);
    onDone();
  };

  return (
    <>
      <Group gap="xs" data-testid="failures-group-actions">
        <Button
          size="compact-sm"
          leftSection={<IconPlayerPlay size={14} />}
          disabled={count === 0}
          data-testid="failures-group-replay"
          onClick={() => setConfirming("replay")}
        >
          Replay all {formatInteger(count)}
        </Button>
        <Button
          size="compact-sm"
          variant="light"
          color="red"
          leftSection={<IconTrash size={14} />}
          disabled={count === 0}
          data-testid="failures-group-discard"
          onClick={() => setConfirming("discard")}
        >
          Discard all…
        </Button>
      </Group>
      <Modal
        opened={confirming === "replay"}
        onClose={close}
        title={<Text fw={700}>Replay {failures}?</Text>}
        data-testid="failures-group-replay-modal"
      >
        <Stack gap="sm">
          <Text size="sm">
            Every open{" "}
            <Text span ff="monospace" inherit>
              {group.errorCode}
            </Text>{" "}
            failure of{" "}
            <Text span ff="monospace" inherit>
              {group.kind}
            </Text>{" "}
            runs again, oldest first, each with its original idempotency key: a record that was in
            fact written is not written twice. Correct the records first, or they fail again.
          </Text>
          {narrowed && (
            <Text size="sm" fw={600} data-testid="failures-group-scope-note">
              Only those within the filters shown: the group's other failures stay as they are.
            </Text>
          )}
          {replay.isError && <ErrorNotice title="Not replayed" error={replay.error} />}
          <Group justify="flex-end" gap="sm">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button
              leftSection={<IconPlayerPlay size={16} />}
              loading={replay.isPending}
              data-testid="failures-group-replay-confirm"
              onClick={() =>
                replay.mutate(
                  { kind: group.kind, errorCode: group.errorCode, scope },
                  { onSuccess: done },
                )
              }
            >
              Replay {failures}
            </Button>
          </Group>
        </Stack>
      </Modal>
      <ReasonModal
        key={`${group.kind}/${group.errorCode}`}
        opened={confirming === "discard"}
        pending={discard.isPending}
        title={`Discard ${failures}?`}
        label="Why are they not written?"
        description="Kept with each failure in the audit log."
        placeholder="e.g. test records from the staging account"
        confirmLabel={`Discard ${failures}`}
        confirmIcon={<IconTrash size={16} />}
        confirmColor="red"
        shortcutVerb="discard"
        error={discard.error}
        errorTitle="Not discarded"
        testIds={{
          modal: "failures-group-discard-modal",
          text: "failures-group-discard-reason",
          confirm: "failures-group-discard-confirm",
        }}
        onClose={close}
        onConfirm={(reason) =>
          discard.mutate(
            { kind: group.kind, errorCode: group.errorCode, reason, scope },
            { onSuccess: done },
          )
        }
      />
    </>
  );
}
