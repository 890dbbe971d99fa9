import {
  ActionIcon,
  Alert,
  Badge,
  Button,
  Drawer,
  Group,
  Kbd,
  Progress,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Tooltip,
} from "@mantine/core";
import { useHotkeys } from "@mantine/hooks";
import {
  IconBan,
  IconCheck,
  IconChevronDown,
  IconChevronUp,
  IconHandStop,
  IconTestPipe,
} from "@tabler/icons-react";
import { useRef, useState, type ReactNode } from "react";

import { CHORD_MS } from "../../app/useScreenHotkeys";
import type {
  PayoutApprovalRow,
  PayoutBatchDetail,
  PayoutBatchRow,
  PayoutItemRow,
} from "../../bindings";
import { ErrorNotice } from "../../components/ErrorNotice";
import { PayoutBatchStatusBadge, PayoutItemStateBadge } from "../../components/StatusBadge";
import { formatDateTime, formatInteger } from "../../lib/format";
import {
  useApprovePayoutBatch,
  useDryRunPayoutBatch,
  useRejectPayoutBatch,
} from "../../lib/mutations";
import { isPayoutLive, usePayoutBatch } from "../../lib/queries";
import { DryRunReport } from "./DryRunReport";
import { Money, OrNone, OutcomeBar, TABULAR, hasOutcomes, outcomeWords } from "./payoutColumns";
import { RejectBatchModal } from "./RejectBatchModal";
import { Field, SectionTitle } from "../../components/DrawerField";

/** A batch not sent yet: it can still be dry-run or rejected. */
const UNSENT = new Set(["draft", "approved", "held"]);

function Facts({ batch, you }: { batch: PayoutBatchRow; you: string | null }) {
  return (
    <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="md" data-testid="payout-batch-facts">
      <Field label="Total">
        <Money
          amount={batch.total}
          currency={batch.currency}
          size="lg"
          fw={700}
          data-testid="payout-batch-total"
        />
      </Field>
      <Field label="Fees">
        {batch.fees === null ? (
          <Text size="sm" c="dimmed" span>
            Known once paid
          </Text>
        ) : (
          <Money amount={batch.fees} currency={batch.currency} />
        )}
      </Field>
      <Field label="Status">
        <PayoutBatchStatusBadge status={batch.status} data-testid="payout-batch-status" />
      </Field>
      <Field label="Items">{formatInteger(batch.itemCount)}</Field>
      <Field label="Approvals">
        <Text
          size="sm"
          fw={600}
          style={TABULAR}
          span
          data-testid="payout-batch-approvals"
          aria-label={`${batch.approvals} of ${batch.approvalsNeeded} approvals`}
        >
          {batch.approvals} / {batch.approvalsNeeded}
        </Text>
        {batch.approvalsNeeded > 1 && (
          <Text size="xs" c="dimmed">
            Above the threshold: two different people approve it.
          </Text>
        )}
      </Field>
      <Field label="Drafted">
        <span data-testid="payout-batch-created-by">{batch.createdBy}</span>
        <Text size="xs" c="dimmed">
          {formatDateTime(batch.createdAt)}
        </Text>
      </Field>
      <Field label="Makers">
        <span data-testid="payout-batch-makers">
          {batch.makers.length > 0 ? batch.makers.join(", ") : "None"}
        </span>
        {batch.makers.length > 0 && (
          <Text size="xs" c="dimmed">
            Approved the requests in Salesforce; they cannot approve the batch.
          </Text>
        )}
      </Field>
      <Field label="Program">
        <Text size="sm" ff="monospace" span>
          {batch.programId}
        </Text>
      </Field>
      <Field label="Content">
        <Tooltip label={batch.contentHash} openDelay={200}>
          <Text size="sm" ff="monospace" span data-testid="payout-batch-hash">
            {batch.contentHash.slice(0, 12)}
          </Text>
        </Tooltip>
        <Text size="xs" c="dimmed">
          Approvals are bound to exactly this content.
        </Text>
      </Field>
      {you && <Field label="You">{you}</Field>}
    </SimpleGrid>
  );
}

/** How far a batch on its way has got: settled items against all of them. */
function Settlement({ batch }: { batch: PayoutBatchRow }) {
  const settled = batch.paid + batch.failed + batch.cancelled;
  const percent = batch.itemCount > 0 ? (settled / batch.itemCount) * 100 : 0;
  return (
    <Stack gap={6} data-testid="payout-batch-progress">
      <Group justify="space-between" wrap="nowrap">
        <SectionTitle>Settlement</SectionTitle>
        <Text size="sm" style={TABULAR}>
          {formatInteger(settled)} of {formatInteger(batch.itemCount)} settled
        </Text>
      </Group>
      <Progress
        value={percent}
        size="lg"
        animated={isPayoutLive(batch)}
        aria-label={`${formatInteger(settled)} of ${formatInteger(batch.itemCount)} items settled`}
      />
      <OutcomeBar batch={batch} size="xs" />
      <Text size="xs" c="dimmed">
        {outcomeWords(batch)}
        {isPayoutLive(batch) && " · updating every 2 seconds"}
      </Text>
    </Stack>
  );
}

function ApprovalLog({ entries }: { entries: PayoutApprovalRow[] }) {
  if (entries.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid="payout-approval-log-empty">
        Nobody has decided on this batch yet.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={480}>
      <Table
        verticalSpacing={4}
        fz="sm"
        data-testid="payout-approval-log"
        aria-label="Approvals and rejections, oldest first"
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Who</Table.Th>
            <Table.Th>Decision</Table.Th>
            <Table.Th>When</Table.Th>
            <Table.Th>Reason</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {entries.map((entry, i) => (
            <Table.Tr
              key={`${entry.at}-${entry.actor}-${i}`}
              data-testid="payout-approval"
              style={{ opacity: entry.current ? 1 : 0.6 }}
            >
              <Table.Td style={{ wordBreak: "break-word" }}>{entry.actor}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Badge
                    size="sm"
                    variant="light"
                    tt="none"
                    color={entry.decision === "reject" ? "red" : "green"}
                  >
                    {entry.decision === "reject" ? "Rejected" : "Approved"}
                  </Badge>
                  {!entry.current && (
                    <Tooltip label="Given before the batch changed; it no longer counts.">
                      <Badge size="sm" variant="outline" color="gray" tt="none">
                        Earlier content
                      </Badge>
                    </Tooltip>
                  )}
                </Group>
              </Table.Td>
              <Table.Td style={{ whiteSpace: "nowrap" }}>{formatDateTime(entry.at)}</Table.Td>
              <Table.Td style={{ wordBreak: "break-word" }}>
                <OrNone value={entry.reason} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

function Items({ items }: { items: PayoutItemRow[] }) {
  if (items.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        This batch has no items.
      </Text>
    );
  }
  return (
    <Table.ScrollContainer minWidth={860}>
      <Table
        striped
        verticalSpacing={4}
        fz="sm"
        data-testid="payout-batch-items"
        aria-label="The batch's payouts"
      >
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Request</Table.Th>
            <Table.Th>Payee</Table.Th>
            <Table.Th>Payee id</Table.Th>
            <Table.Th>Email</Table.Th>
            <Table.Th>Country</Table.Th>
            <Table.Th style={{ textAlign: "right" }}>Amount</Table.Th>
            <Table.Th>State</Table.Th>
            <Table.Th>Reason</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.id} data-testid={`payout-item-${item.id}`}>
              <Table.Td style={{ whiteSpace: "nowrap" }}>
                <Text size="sm" ff="monospace" title={item.requestId}>
                  {item.requestName ?? item.requestId}
                </Text>
              </Table.Td>
              <Table.Td>
                <OrNone value={item.payeeName} />
              </Table.Td>
              <Table.Td>
                <OrNone value={item.payeeId} mono />
              </Table.Td>
              <Table.Td>
                <OrNone value={item.email} />
              </Table.Td>
              <Table.Td>
                <OrNone value={item.country} mono />
              </Table.Td>
              <Table.Td style={{ textAlign: "right" }}>
                <Stack gap={0} align="flex-end">
                  <Money amount={item.amount} currency={item.currency} />
                  {item.targetAmount && item.targetCurrency && (
                    <Text size="xs" c="dimmed" ff="monospace" style={TABULAR}>
                      → {item.targetAmount} {item.targetCurrency}
                    </Text>
                  )}
                  {item.fee && (
                    <Text size="xs" c="dimmed" ff="monospace" style={TABULAR}>
                      fee {item.fee}
                    </Text>
                  )}
                </Stack>
              </Table.Td>
              <Table.Td>
                <PayoutItemStateBadge status={item.state} />
              </Table.Td>
              <Table.Td style={{ wordBreak: "break-word", minWidth: 160 }}>
                <OrNone value={item.reason} />
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

interface ActionsProps {
  detail: PayoutBatchDetail | undefined;
  batch: PayoutBatchRow;
  approving: boolean;
  onApprove: () => void;
  onReject: () => void;
}

/**
 * Dry run, approve and reject for one batch, with its dry-run report. Keyed by batch, so a report
 * never shows under another batch.
 */
function Decide({ detail, batch, approving, onApprove, onReject }: ActionsProps) {
  const dryRun = useDryRunPayoutBatch();
  // The content the dry run looked at: a report about other content says so.
  const [dryRunHash, setDryRunHash] = useState<string | null>(null);
  const unsent = UNSENT.has(batch.status);
  const loaded = detail !== undefined;
  const canApprove = loaded && detail.canApprove;
  const whyNot = loaded && !detail.canApprove ? (detail.whyNot ?? "You cannot approve it.") : null;

  return (
    <Stack gap="sm">
      <Group gap="sm">
        <Button
          variant="default"
          leftSection={<IconTestPipe size={16} />}
          loading={dryRun.isPending}
          disabled={!unsent}
          data-testid="payout-dry-run"
          onClick={() => {
            setDryRunHash(batch.contentHash);
            dryRun.mutate(batch.id);
          }}
        >
          Dry run
        </Button>
        <Button
          color="green"
          leftSection={<IconCheck size={16} />}
          disabled={!canApprove}
          loading={approving}
          aria-describedby={whyNot ? "payout-why-not" : undefined}
          aria-keyshortcuts="a"
          data-testid="payout-approve"
          onClick={onApprove}
        >
          Approve
        </Button>
        <Button
          color="red"
          variant="light"
          leftSection={<IconBan size={16} />}
          disabled={!loaded || !unsent}
          aria-keyshortcuts="r"
          data-testid="payout-reject"
          onClick={onReject}
        >
          Reject…
        </Button>
      </Group>
      {whyNot && (
        <Text size="sm" c="dimmed" id="payout-why-not" data-testid="payout-why-not">
          You cannot approve this batch: {whyNot}
        </Text>
      )}
      {!unsent && (
        <Text size="sm" c="dimmed">
          This batch has been sent or is settled: it can no longer be dry-run or rejected.
        </Text>
      )}
      <Text size="xs" c="dimmed">
        <Kbd size="xs">a</Kbd> approve · <Kbd size="xs">r</Kbd> reject · <Kbd size="xs">j</Kbd>{" "}
        <Kbd size="xs">k</Kbd> next and previous batch · <Kbd size="xs">Esc</Kbd> close
      </Text>

      {dryRun.isError && (
        <ErrorNotice title={`The dry run of ${batch.id} failed`} error={dryRun.error} />
      )}
      {dryRun.data && (
        <DryRunReport
          report={dryRun.data}
          items={detail?.items ?? []}
          itemCount={batch.itemCount}
          outdated={dryRunHash !== null && dryRunHash !== batch.contentHash}
        />
      )}
    </Stack>
  );
}

interface PayoutBatchDrawerProps {
  /** The row picked in the list; shown until the engine's fresh read is in. */
  batch: PayoutBatchRow | null;
  onClose: () => void;
  /** Opens the next (1) or previous (-1) batch of the list, if there is one. */
  onStep: (step: 1 | -1) => void;
  /** "3 of 12": where the batch is in the list; null when it is no longer on it. */
  position: { index: number; count: number } | null;
}

/**
 * One batch for its approver: totals, who made it, the approvals so far, its items, a dry run,
 * and approve or reject. Keyboard: `a` approves, `r` rejects, `j`/`k` move through the list.
 */
export function PayoutBatchDrawer({ batch, onClose, onStep, position }: PayoutBatchDrawerProps) {
  const id = batch?.id ?? null;
  const detail = usePayoutBatch(id);
  const approve = useApprovePayoutBatch();
  const reject = useRejectPayoutBatch();
  const [rejecting, setRejecting] = useState(false);
  const chordAt = useRef(0);

  // The engine's read of this batch once it is in; the list's row until then.
  const loaded = detail.data && detail.data.batch.id === id ? detail.data : undefined;
  const shown = loaded?.batch ?? batch;
  const opened = batch !== null;
  const approving = approve.isPending && approve.variables?.id === id;

  const approveNow = () => {
    if (!loaded?.canApprove || approve.isPending) return;
    // Bound to what is on screen: if the batch changed since, the engine refuses.
    approve.mutate({ id: loaded.batch.id, contentHash: loaded.batch.contentHash });
  };
  const openReject = () => {
    if (loaded && UNSENT.has(loaded.batch.status)) setRejecting(true);
  };

  /** A key for the drawer: not while rejecting, held down, or as the second key of `g <key>`. */
  const onKey = (act: () => void) => (event: KeyboardEvent) => {
    const chord = Date.now() - chordAt.current <= CHORD_MS;
    chordAt.current = 0;
    if (!opened || rejecting || event.repeat || chord) return;
    event.preventDefault();
    act();
  };
  useHotkeys([
    [
      "g",
      () => {
        chordAt.current = Date.now();
      },
      { preventDefault: false },
    ],
    ["a", onKey(approveNow), { preventDefault: false }],
    ["r", onKey(openReject), { preventDefault: false }],
    ["j", onKey(() => onStep(1)), { preventDefault: false }],
    ["k", onKey(() => onStep(-1)), { preventDefault: false }],
  ]);

  let body: ReactNode = null;
  if (detail.isError && !loaded) {
    body = (
      <ErrorNotice
        title="This batch could not be loaded"
        error={detail.error}
        onRetry={() => void detail.refetch()}
      />
    );
  } else if (!loaded) {
    body = (
      <Stack gap="sm" aria-busy aria-label="Loading the batch">
        {Array.from({ length: 3 }, (_, i) => (
          <Skeleton key={i} height={40} radius="sm" />
        ))}
      </Stack>
    );
  } else {
    body = (
      <>
        <Stack gap="sm">
          <SectionTitle>Approvals and rejections</SectionTitle>
          <ApprovalLog entries={loaded.approvalLog} />
        </Stack>
        <Stack gap="sm">
          <SectionTitle>Items</SectionTitle>
          <Items items={loaded.items} />
        </Stack>
      </>
    );
  }

  return (
    <>
      <Drawer
        opened={opened}
        onClose={onClose}
        position="right"
        size="xl"
        // Escape closes the reject dialog first, not the batch behind it.
        closeOnEscape={!rejecting}
        title={
          batch ? (
            <Group gap="sm" wrap="nowrap">
              <Text fw={700}>Batch {batch.id}</Text>
              {position && (
                <Text size="sm" c="dimmed" data-testid="payout-batch-position">
                  {position.index + 1} of {position.count}
                </Text>
              )}
              <Group gap={2} wrap="nowrap">
                <Tooltip label="Previous batch (k)">
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    aria-label="Previous batch"
                    disabled={position !== null && position.index === 0}
                    onClick={() => onStep(-1)}
                  >
                    <IconChevronUp size={16} />
                  </ActionIcon>
                </Tooltip>
                <Tooltip label="Next batch (j)">
                  <ActionIcon
                    variant="subtle"
                    color="gray"
                    aria-label="Next batch"
                    disabled={position !== null && position.index >= position.count - 1}
                    onClick={() => onStep(1)}
                  >
                    <IconChevronDown size={16} />
                  </ActionIcon>
                </Tooltip>
              </Group>
            </Group>
          ) : null
        }
        data-testid="payout-batch-drawer"
      >
        {batch && shown && (
          <Stack gap="xl">
            {shown.heldReason && (
              <Alert
                color="orange"
                variant="light"
                icon={<IconHandStop size={18} />}
                title="Held"
                data-testid="payout-batch-held"
              >
                {shown.heldReason}
              </Alert>
            )}
            <Facts batch={shown} you={loaded?.you ?? null} />
            {hasOutcomes(shown) && <Settlement batch={shown} />}
            <Decide
              key={shown.id}
              detail={loaded}
              batch={shown}
              approving={approving}
              onApprove={approveNow}
              onReject={openReject}
            />
            {body}
          </Stack>
        )}
      </Drawer>
      <RejectBatchModal
        key={id ?? ""}
        batchId={id}
        opened={rejecting && opened}
        pending={reject.isPending}
        onClose={() => setRejecting(false)}
        onReject={(reason) => {
          if (!id) return;
          reject.mutate({ id, reason }, { onSuccess: () => setRejecting(false) });
        }}
      />
    </>
  );
}
