import { useMantineColorScheme } from "@mantine/core";
import {
  useIsMutating,
  useMutation,
  useMutationState,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";

import {
  commands,
  type AppInfo,
  type ConnectInput,
  type ConnectionCard,
  type FailureDetail,
  type FailureScope,
  type FlowRow,
  type PayoutCorrection,
  type Preferences,
  type ReconRunRow,
  type RecordLink,
} from "../bindings";
import { call, toAppError } from "./ipc";
import { notifyError, notifyResult, notifySuccess } from "./notify";
import { queryKeys } from "./queryKeys";
import { formatInteger } from "./format";
import { notifyRunFinished } from "./runNotice";
import { payoutItemStateLook } from "./status";

const RUN_FLOW_KEY = ["runFlow"] as const;

/**
 * Runs a flow now; resolves with the finished run (progress arrives as engine events). The result
 * is announced from here, so it still arrives when the person has moved to another screen.
 */
export function useRunFlow() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: RUN_FLOW_KEY,
    mutationFn: (name: string) => call(commands.runFlow(name)),
    onSuccess: notifyRunFinished,
    onError: (error, name) => notifyError(`${name} could not run`, error),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.flows }),
        queryClient.invalidateQueries({ queryKey: queryKeys.runs.all }),
        queryClient.invalidateQueries({ queryKey: queryKeys.overview }),
      ]),
  });
}

/**
 * Pauses or resumes a flow's schedule. The row the engine returns replaces the cached one at once,
 * so the button and the badge change with the click.
 */
export function useSetFlowPaused() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ name, paused }: { name: string; paused: boolean }) =>
      call(commands.setFlowPaused(name, paused)),
    onSuccess: (row) => {
      queryClient.setQueryData<FlowRow[]>(queryKeys.flows, (flows) =>
        flows?.map((f) => (f.name === row.name ? row : f)),
      );
      notifySuccess(
        row.paused ? `${row.name} paused` : `${row.name} resumed`,
        row.paused ? "Its schedule starts no runs; Run now still works." : undefined,
      );
    },
    onError: (error, { name, paused }) =>
      notifyError(`${name} could not be ${paused ? "paused" : "resumed"}`, error),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.flows }),
        queryClient.invalidateQueries({ queryKey: queryKeys.overview }),
      ]),
  });
}

/** Flows this console has asked to run whose runs have not finished yet. */
export function usePendingRuns(): ReadonlySet<string> {
  const names = useMutationState({
    filters: { mutationKey: RUN_FLOW_KEY, status: "pending" },
    select: (mutation) => mutation.state.variables as string,
  });
  return new Set(names);
}

/** Re-verifies the audit chain and puts the result where every screen reads it. */
export function useVerifyAudit() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => call(commands.verifyAudit()),
    onSuccess: (status) => {
      queryClient.setQueryData(queryKeys.audit.status, status);
      return queryClient.invalidateQueries({ queryKey: queryKeys.overview });
    },
    onError: (error) => notifyError("The audit log could not be checked", error),
  });
}

const THEME_WORDS = { light: "Light", dark: "Dark", auto: "Same as the system" } as const;

/**
 * Saves preferences; the colour scheme changes at once and reverts if the engine refuses, so the
 * control never lags behind the click.
 */
export function useSavePreferences() {
  const queryClient = useQueryClient();
  const { setColorScheme } = useMantineColorScheme();

  const setCached = (preferences: Preferences) =>
    queryClient.setQueryData<AppInfo>(queryKeys.appInfo, (info) =>
      info ? { ...info, preferences } : info,
    );

  return useMutation({
    mutationFn: (preferences: Preferences) => call(commands.setPreferences(preferences)),
    onMutate: (next) => {
      const previous = queryClient.getQueryData<AppInfo>(queryKeys.appInfo)?.preferences;
      setCached(next);
      setColorScheme(next.theme);
      return { previous };
    },
    onError: (error, _next, context) => {
      if (context?.previous) {
        setCached(context.previous);
        setColorScheme(context.previous.theme);
      }
      notifyError("Your preferences were not saved", error);
    },
    onSuccess: (saved) => {
      setCached(saved);
      setColorScheme(saved.theme);
      notifySuccess(
        "Preferences saved",
        `Theme: ${THEME_WORDS[saved.theme]} · Keep running in the tray: ${saved.closeToTray ? "on" : "off"}`,
      );
    },
  });
}

/** Puts a card the engine returned in place at once; the refetch that follows confirms it. */
function replaceCard(queryClient: QueryClient, card: ConnectionCard) {
  queryClient.setQueryData<ConnectionCard[]>(queryKeys.connections, (cards) =>
    cards?.map((c) => (c.provider === card.provider ? card : c)),
  );
}

/** A connection changed: the cards and the Overview's connection health read it again. */
function refreshConnections(queryClient: QueryClient) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: queryKeys.connections }),
    queryClient.invalidateQueries({ queryKey: queryKeys.overview }),
  ]);
}

/**
 * Connects a provider with keys. The engine checks them with the provider before saving; a refusal
 * is shown in the form (its message names the field), so no toast for errors here.
 */
export function useConnectWithKeys() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ConnectInput) => call(commands.connectWithKeys(input)),
    // The variables are the secret: drop the finished request from the cache as soon as the form
    // lets go of it (it resets on success and on close).
    gcTime: 0,
    onSuccess: (card) => {
      replaceCard(queryClient, card);
      notifySuccess(`${card.label} connected`, card.account ?? undefined);
    },
    onSettled: () => refreshConnections(queryClient),
  });
}

const CONNECT_SALESFORCE_KEY = ["connectSalesforce"] as const;

/**
 * Connects Salesforce through OAuth in the system browser. It can take minutes (the engine times
 * out by itself), so the outcome is announced from here and reaches people on any screen.
 */
export function useConnectSalesforce() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: CONNECT_SALESFORCE_KEY,
    mutationFn: () => call(commands.connectSalesforce()),
    onSuccess: (card) => {
      replaceCard(queryClient, card);
      notifySuccess(
        card.account ? `${card.label} connected as ${card.account}` : `${card.label} connected`,
      );
    },
    onError: (error) => notifyError("Salesforce was not connected", error),
    onSettled: () => refreshConnections(queryClient),
  });
}

/** Whether this console is waiting for a Salesforce sign-in (from any screen). */
export function useSalesforceConnecting(): boolean {
  return useIsMutating({ mutationKey: CONNECT_SALESFORCE_KEY }) > 0;
}

/** Tests a connection with its stored credentials; the verdict is the mutation's data. */
export function useTestConnection() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (card: ConnectionCard) => call(commands.testConnection(card.provider)),
    onSuccess: (verdict, card) =>
      notifyResult(
        verdict.ok ? `${card.label}: the connection works` : `${card.label}: the connection failed`,
        verdict.message,
        verdict.ok ? "green" : "red",
      ),
    onError: (error, card) => notifyError(`${card.label} could not be tested`, error),
    onSettled: () => refreshConnections(queryClient),
  });
}

/** Disconnects a provider: its keys leave the keychain (Salesforce's tokens are revoked first). */
export function useDisconnect() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (card: ConnectionCard) => call(commands.disconnect(card.provider)),
    onSuccess: (card) => {
      replaceCard(queryClient, card);
      notifySuccess(`${card.label} disconnected`);
    },
    onError: (error, card) => notifyError(`${card.label} was not disconnected`, error),
    onSettled: () => refreshConnections(queryClient),
  });
}

/** A failure was replayed or discarded: its detail in place at once, then groups and pages again. */
function settleFailure(queryClient: QueryClient, detail: FailureDetail) {
  queryClient.setQueryData(queryKeys.failures.detail(detail.failure.id), detail);
}

function refreshFailures(queryClient: QueryClient) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: queryKeys.failures.all }),
    queryClient.invalidateQueries({ queryKey: queryKeys.overview }),
  ]);
}

/**
 * Replays a failure, with a corrected payload (JSON text) or as it was (`null`). The engine's
 * refusal (invalid JSON names the field "payload") is shown in the drawer, so no toast for errors.
 */
export function useReplayFailure() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, corrected }: { id: number; corrected: string | null }) =>
      call(commands.replayFailure(id, corrected)),
    onSuccess: (detail) => {
      settleFailure(queryClient, detail);
      notifySuccess(
        `Failure ${detail.failure.id} replayed — it runs again with its original idempotency key`,
      );
    },
    onSettled: () => refreshFailures(queryClient),
  });
}

/** Opens a record's page at its provider in the system browser; a refusal is notified. */
export function useOpenRecord() {
  return useMutation({
    mutationFn: (link: RecordLink) =>
      call(commands.openRecord(link.provider, link.object, link.id, link.testMode)),
    onError: (error, link) => notifyError(`${link.label} could not be opened`, error),
  });
}

/** What replaying a failure would write (nothing is written); shown in the drawer. */
export function usePreviewFailure() {
  return useMutation({
    mutationFn: ({ id, corrected }: { id: number; corrected: string | null }) =>
      call(commands.previewFailure(id, corrected)),
  });
}

/** Discards a failure with a reason (audited); a refusal is shown in the drawer. */
export function useDiscardFailure() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: number; reason: string }) =>
      call(commands.discardFailure(id, reason)),
    onSuccess: (detail, { reason }) => {
      settleFailure(queryClient, detail);
      notifySuccess(`Failure ${detail.failure.id} discarded`, reason);
    },
    onSettled: () => refreshFailures(queryClient),
  });
}

/**
 * Replays every open failure of one root cause within the screen's filters, each with its
 * original idempotency key.
 */
export function useReplayFailureGroup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      kind,
      errorCode,
      scope,
    }: {
      kind: string;
      errorCode: string;
      scope: FailureScope;
    }) => call(commands.replayFailureGroup(kind, errorCode, scope)),
    onSuccess: (outcome) =>
      notifySuccess(
        `${formatInteger(outcome.failureIds.length)} failures of ${outcome.errorCode} replayed`,
        "Each runs again with its original idempotency key.",
      ),
    onSettled: () => refreshFailures(queryClient),
  });
}

/**
 * Discards every open failure of one root cause within the screen's filters with one reason
 * (audited per failure).
 */
export function useDiscardFailureGroup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      kind,
      errorCode,
      reason,
      scope,
    }: {
      kind: string;
      errorCode: string;
      reason: string;
      scope: FailureScope;
    }) => call(commands.discardFailureGroup(kind, errorCode, reason, scope)),
    onSuccess: (outcome, { reason }) =>
      notifySuccess(
        `${formatInteger(outcome.failureIds.length)} failures of ${outcome.errorCode} discarded`,
        reason,
      ),
    onSettled: () => refreshFailures(queryClient),
  });
}

/** A batch was decided: every list of batches, its detail and the Overview's count read again. */
function refreshPayoutBatch(queryClient: QueryClient, id: string) {
  return Promise.all([
    queryClient.invalidateQueries({ queryKey: queryKeys.payouts.batchLists }),
    queryClient.invalidateQueries({ queryKey: queryKeys.payouts.batch(id) }),
    queryClient.invalidateQueries({ queryKey: queryKeys.overview }),
  ]);
}

/**
 * A refused decision. `conflict` means the batch is no longer what the person saw (its content or
 * its status changed): the detail is read again, so what is on screen is what they decide on next.
 */
function notifyDecisionRefused(id: string, verb: "approved" | "rejected", error: unknown) {
  if (toAppError(error).code === "conflict") {
    notifyError(`Batch ${id} changed and was reloaded: check it again before deciding`, error);
  } else {
    notifyError(`Batch ${id} was not ${verb}`, error);
  }
}

/** What submitting a batch would send; nothing is sent. A refusal is shown in the drawer. */
export function useDryRunPayoutBatch() {
  return useMutation({
    mutationFn: (id: string) => call(commands.dryRunPayoutBatch(id)),
  });
}

/**
 * Approves a batch as it was shown: the approval is bound to the content hash of what the approver
 * saw, and the engine refuses it (`conflict`) if the batch changed since.
 */
export function useApprovePayoutBatch() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, contentHash }: { id: string; contentHash: string }) =>
      call(commands.approvePayoutBatch(id, contentHash)),
    onSuccess: (row) => {
      const complete = row.approvals >= row.approvalsNeeded;
      notifySuccess(
        complete ? `Batch ${row.id} approved` : `Your approval of batch ${row.id} is recorded`,
        complete
          ? `${row.approvals} of ${row.approvalsNeeded} approvals: it can be sent to Payoneer.`
          : `${row.approvals} of ${row.approvalsNeeded} approvals: it needs another approver.`,
      );
    },
    onError: (error, { id }) => notifyDecisionRefused(id, "approved", error),
    onSettled: (_row, _error, { id }) => refreshPayoutBatch(queryClient, id),
  });
}

/** Rejects a batch with a reason (audited); none of its items is sent. */
export function useRejectPayoutBatch() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) =>
      call(commands.rejectPayoutBatch(id, reason)),
    onSuccess: (row, { reason }) => notifySuccess(`Batch ${row.id} rejected`, reason),
    onError: (error, { id }) => notifyDecisionRefused(id, "rejected", error),
    onSettled: (_row, _error, { id }) => refreshPayoutBatch(queryClient, id),
  });
}

/**
 * Corrects a payout item's recipient: the engine writes it to Salesforce and checks the item again.
 * A refusal is shown in the form (its message names the field), so no toast for errors.
 */
export function useCorrectPayoutItem() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (correction: PayoutCorrection) => call(commands.correctPayoutItem(correction)),
    onSuccess: (row) =>
      notifySuccess(
        "Recipient corrected: written to Salesforce and re-checked",
        row.state === "needs_correction"
          ? `It still needs correction${row.reason ? `: ${row.reason}` : "."}`
          : `It is now ${payoutItemStateLook(row.state).label.toLowerCase()}.`,
      ),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.payouts.corrections }),
        queryClient.invalidateQueries({ queryKey: queryKeys.payouts.batchLists }),
      ]),
  });
}

const RUN_RECONCILIATION_KEY = ["runReconciliation"] as const;

/** A period to reconcile, both days included (YYYY-MM-DD). */
export interface ReconPeriod {
  from: string;
  to: string;
}

/** "12 matched · 3 suggested · 2 exceptions": a run's results in words. */
export function reconCounts(run: Pick<ReconRunRow, "matched" | "suggested" | "exceptions">) {
  return `${formatInteger(run.matched)} matched · ${formatInteger(run.suggested)} suggested · ${formatInteger(run.exceptions)} ${run.exceptions === 1 ? "exception" : "exceptions"}`;
}

/** Tells the person who pressed Run now how the reconciliation went. */
function notifyReconFinished(run: ReconRunRow) {
  const period = `${run.periodFrom} – ${run.periodTo}`;
  if (run.error) {
    notifyResult(`Reconciliation of ${period} failed`, run.error, "red");
    return;
  }
  const balance = run.balances ? "Totals balance." : "Totals do not balance.";
  const color = !run.balances
    ? "red"
    : run.exceptions > 0 || run.suggested > 0
      ? "yellow"
      : "green";
  notifyResult(`Reconciliation of ${period} finished`, `${reconCounts(run)}. ${balance}`, color);
}

/**
 * Reconciles a period now; it can take seconds. The outcome is announced from here, so it still
 * arrives when the person has moved to another screen.
 */
export function useRunReconciliation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationKey: RUN_RECONCILIATION_KEY,
    mutationFn: ({ from, to }: ReconPeriod) => call(commands.runReconciliation(from, to)),
    onSuccess: notifyReconFinished,
    onError: (error, { from, to }) =>
      notifyError(`Reconciliation of ${from} – ${to} could not run`, error),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.reconciliation.all }),
  });
}

/** The period this console is reconciling right now (from any screen), if any. */
export function useReconciliationRunning(): ReconPeriod | null {
  const periods = useMutationState({
    filters: { mutationKey: RUN_RECONCILIATION_KEY, status: "pending" },
    select: (mutation) => mutation.state.variables as ReconPeriod,
  });
  return periods.at(-1) ?? null;
}

/** A decision about a reconciliation result, as the engine takes it. */
export type ReconDecision = "accepted" | "rejected" | "explained" | "fixed";

const DECISION_WORDS: Record<ReconDecision, string> = {
  accepted: "accepted",
  rejected: "rejected",
  explained: "marked explained",
  fixed: "marked fixed",
};

/**
 * Decides about a result: accept or reject a suggestion, mark an exception explained (with a note)
 * or fixed. A refusal is shown where the decision was made, so no toast for errors.
 */
export function useResolveReconciliationResult() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      id,
      decision,
      note,
    }: {
      id: number;
      decision: ReconDecision;
      note: string | null;
    }) => call(commands.resolveReconciliationResult(id, decision, note)),
    onSuccess: (row, { decision }) =>
      notifySuccess(`Result ${row.id} ${DECISION_WORDS[decision]}`, row.note ?? undefined),
    // The row, the run's open counts and the list of runs change.
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.reconciliation.all }),
  });
}

/**
 * Fixes an exception by writing its provider records to Salesforce through the normal sync (as
 * queued jobs: a refusal lands in Failures). A refusal to fix is shown in the drawer.
 */
export function useFixReconciliationResult() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, note }: { id: number; note: string | null }) =>
      call(commands.fixReconciliationResult(id, note)),
    onSuccess: (row) => notifySuccess(`Result ${row.id} sent to Salesforce`, row.note ?? undefined),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.reconciliation.all }),
  });
}

/** Writes a run's results to a file in the data directory and says where. */
export function useExportReconciliationRun() {
  return useMutation({
    mutationFn: ({ id, format }: { id: number; format: "csv" | "xlsx" }) =>
      call(commands.exportReconciliationRun(id, format)),
    onSuccess: (saved, { id, format }) =>
      notifySuccess(
        `Saved to ${saved.path}`,
        `Run ${id} as ${format.toUpperCase()}, ${formatInteger(saved.bytes)} bytes.`,
      ),
    onError: (error, { id, format }) =>
      notifyError(`Run ${id} could not be exported as ${format.toUpperCase()}`, error),
  });
}
