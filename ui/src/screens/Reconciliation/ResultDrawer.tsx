import {
  Button,
  Drawer,
  Group,
  Kbd,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
} from "@mantine/core";
import {
  IconBan,
  IconCheck,
  IconCloudUpload,
  IconMessage2,
  IconTool,
  type Icon,
} from "@tabler/icons-react";
import { useState } from "react";

import type { ReconResultRow } from "../../bindings";
import { Field, SectionTitle } from "../../components/DrawerField";
import { ErrorNotice } from "../../components/ErrorNotice";
import { StatusBadge } from "../../components/StatusBadge";
import { formatDateTime, formatInteger } from "../../lib/format";
import {
  useFixReconciliationResult,
  useResolveReconciliationResult,
  type ReconDecision,
} from "../../lib/mutations";
import { ExplainModal } from "./ExplainModal";
import { kindLabel, resolutionLook } from "./reconLabels";
import { Amount, CategoryBadge } from "./resultColumns";

/** One side's records, each id on its own line. */
function Side({ title, ids, testId }: { title: string; ids: string[]; testId: string }) {
  return (
    <Paper withBorder p="sm" radius="sm" data-testid={testId}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap">
          <SectionTitle>{title}</SectionTitle>
          <Text size="xs" c="dimmed">
            {ids.length === 1 ? "1 record" : `${formatInteger(ids.length)} records`}
          </Text>
        </Group>
        {ids.length === 0 ? (
          <Text size="sm" c="dimmed">
            No record on this side.
          </Text>
        ) : (
          <Stack gap={2} component="ul" m={0} p={0} style={{ listStyle: "none" }}>
            {ids.map((id) => (
              <Text
                key={id}
                component="li"
                size="sm"
                ff="monospace"
                style={{ wordBreak: "break-all" }}
              >
                {id}
              </Text>
            ))}
          </Stack>
        )}
      </Stack>
    </Paper>
  );
}

function Breakdown({ result }: { result: ReconResultRow }) {
  const { gross, fee, fxDifference, net } = result;
  if ([gross, fee, fxDifference, net].every((v) => v === null)) return null;
  return (
    <Stack gap="xs">
      <SectionTitle>Breakdown ({result.currency.toUpperCase()})</SectionTitle>
      <SimpleGrid cols={4} spacing="md" data-testid="recon-result-breakdown">
        <Field label="Gross">
          <Amount value={gross} />
        </Field>
        <Field label="Fee">
          <Amount value={fee} />
        </Field>
        <Field label="FX difference">
          <Amount value={fxDifference} />
        </Field>
        <Field label="Net">
          <Amount value={net} />
        </Field>
      </SimpleGrid>
    </Stack>
  );
}

const RESOLUTION_ICONS: Record<string, Icon> = {
  accepted: IconCheck,
  rejected: IconBan,
  explained: IconMessage2,
  fixed: IconTool,
};

/** Who decided what, when, and their note. The decision word is in the text as well as the badge. */
function Resolution({ result }: { result: ReconResultRow }) {
  const resolution = result.resolution ?? "";
  const ResolutionIcon = RESOLUTION_ICONS[resolution] ?? IconCheck;
  return (
    <Paper withBorder p="sm" radius="sm" data-testid="recon-resolution">
      <Stack gap={6}>
        <Group gap="xs" wrap="nowrap">
          <ThemeIcon size="sm" radius="xl" variant="light" color={resolutionLook(resolution).color}>
            <ResolutionIcon size={14} aria-hidden />
          </ThemeIcon>
          <StatusBadge look={resolutionLook(resolution)} />
        </Group>
        <Text size="sm">
          Decided: {resolution}
          {result.resolvedBy && <> by {result.resolvedBy}</>}
          {result.resolvedAt && <> on {formatDateTime(result.resolvedAt)}</>}.
        </Text>
        {result.note && (
          <Field label="Note">
            <span data-testid="recon-resolution-note">{result.note}</span>
          </Field>
        )}
      </Stack>
    </Paper>
  );
}

interface ActionsProps {
  result: ReconResultRow;
  pending: ReconDecision | "writing" | null;
  onDecide: (decision: ReconDecision) => void;
  onExplain: () => void;
  onWrite: () => void;
}

/** Accept or reject a suggestion; mark an exception explained or fixed. Matches need nothing. */
function Actions({ result, pending, onDecide, onExplain, onWrite }: ActionsProps) {
  const busy = pending !== null;
  if (result.category === "suggested") {
    return (
      <Stack gap={6}>
        <Text size="sm" c="dimmed">
          A likely match: accept it if these records are the same money, reject it if not.
        </Text>
        <Group gap="sm">
          <Button
            color="green"
            leftSection={<IconCheck size={16} />}
            loading={pending === "accepted"}
            disabled={busy}
            data-testid="recon-accept"
            onClick={() => onDecide("accepted")}
          >
            Accept
          </Button>
          <Button
            color="red"
            variant="light"
            leftSection={<IconBan size={16} />}
            loading={pending === "rejected"}
            disabled={busy}
            data-testid="recon-reject"
            onClick={() => onDecide("rejected")}
          >
            Reject
          </Button>
        </Group>
      </Stack>
    );
  }
  if (result.category === "exception") {
    return (
      <Stack gap={6}>
        <Text size="sm" c="dimmed">
          {result.fixable
            ? "Write to Salesforce copies the provider's record into Salesforce through the normal sync (a refusal lands in Failures). "
            : ""}
          Mark it explained when the difference is understood and needs no change (a note says why),
          or fixed once it has been corrected at the source.
        </Text>
        <Group gap="sm">
          {result.fixable && (
            <Button
              color="blue"
              leftSection={<IconCloudUpload size={16} />}
              loading={pending === "writing"}
              disabled={busy}
              data-testid="recon-write"
              onClick={onWrite}
            >
              Write to Salesforce
            </Button>
          )}
          <Button
            variant={result.fixable ? "light" : "filled"}
            leftSection={<IconMessage2 size={16} />}
            loading={pending === "explained"}
            disabled={busy}
            data-testid="recon-explain"
            onClick={onExplain}
          >
            Mark explained…
          </Button>
          <Button
            variant="default"
            leftSection={<IconTool size={16} />}
            loading={pending === "fixed"}
            disabled={busy}
            data-testid="recon-fixed"
            onClick={() => onDecide("fixed")}
          >
            Mark fixed
          </Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Text size="sm" c="dimmed" data-testid="recon-nothing-to-decide">
      A confirmed match: nothing to decide.
    </Text>
  );
}

interface ResultDrawerProps {
  /** The result picked in the table; null when the drawer is closed. */
  result: ReconResultRow | null;
  onClose: () => void;
  /** The engine's row after a decision, to show in place of the picked one. */
  onResolved: (row: ReconResultRow) => void;
}

/** One result: both sides' records side by side, the reason in full, the money, the decision. */
export function ResultDrawer({ result, onClose, onResolved }: ResultDrawerProps) {
  const resolve = useResolveReconciliationResult();
  const write = useFixReconciliationResult();
  const [explaining, setExplaining] = useState(false);
  const id = result?.id ?? null;
  const pending =
    write.isPending && write.variables?.id === id
      ? "writing"
      : resolve.isPending && resolve.variables?.id === id
        ? resolve.variables.decision
        : null;
  // A refusal belongs to the result it was about.
  const refused = resolve.isError && resolve.variables?.id === id ? resolve.error : null;
  const writeRefused = write.isError && write.variables?.id === id ? write.error : null;

  const decide = (decision: ReconDecision, note: string | null = null) => {
    if (!result) return;
    resolve.mutate(
      { id: result.id, decision, note },
      {
        onSuccess: (row) => {
          setExplaining(false);
          onResolved(row);
        },
      },
    );
  };

  return (
    <>
      <Drawer
        opened={result !== null}
        onClose={() => {
          setExplaining(false);
          onClose();
        }}
        position="right"
        size="xl"
        // Escape closes the note dialog first, not the result behind it.
        closeOnEscape={!explaining}
        title={
          result ? (
            <Group gap="sm" wrap="nowrap">
              <Text fw={700}>Result {result.id}</Text>
              <CategoryBadge category={result.category} data-testid="recon-result-category" />
              <Text size="sm" c="dimmed" data-testid="recon-result-kind">
                {kindLabel(result.kind)}
              </Text>
            </Group>
          ) : null
        }
        data-testid="recon-result-drawer"
      >
        {result && (
          <Stack gap="lg">
            <SimpleGrid cols={2} spacing="md">
              <Side title="Provider" ids={result.providerIds} testId="recon-result-provider" />
              <Side
                title="Salesforce"
                ids={result.salesforceIds}
                testId="recon-result-salesforce"
              />
            </SimpleGrid>
            <Field label="Reason">
              <span data-testid="recon-result-reason">{result.reason}</span>
            </Field>
            <Breakdown result={result} />
            <Stack gap="sm">
              <SectionTitle>Decision</SectionTitle>
              {result.resolution ? (
                <Resolution result={result} />
              ) : (
                <Actions
                  result={result}
                  pending={pending}
                  onDecide={(decision) => decide(decision)}
                  onExplain={() => {
                    resolve.reset();
                    setExplaining(true);
                  }}
                  onWrite={() => {
                    resolve.reset();
                    write.mutate({ id: result.id, note: null }, { onSuccess: onResolved });
                  }}
                />
              )}
              {writeRefused && (
                <ErrorNotice
                  title={`Result ${result.id} was not written to Salesforce`}
                  error={writeRefused}
                />
              )}
              {refused && !explaining && (
                <ErrorNotice title={`Result ${result.id} was not decided`} error={refused} />
              )}
            </Stack>
            <Text size="xs" c="dimmed">
              <Kbd size="xs">Esc</Kbd> close
            </Text>
          </Stack>
        )}
      </Drawer>
      {result && (
        <ExplainModal
          key={result.id}
          resultId={result.id}
          opened={explaining}
          pending={pending === "explained"}
          error={refused}
          onClose={() => setExplaining(false)}
          onSave={(note) => decide("explained", note)}
        />
      )}
    </>
  );
}
