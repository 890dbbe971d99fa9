import { keepPreviousData, useQuery } from "@tanstack/react-query";

import {
  commands,
  type AuditQuery,
  type FailureQuery,
  type FailureScope,
  type PaymentQuery,
  type PayoutBatchRow,
} from "../bindings";
import { call } from "./ipc";
import { queryKeys, type ReconResultQuery } from "./queryKeys";

/** The Overview re-reads every 10 s besides refreshing on engine events. */
const OVERVIEW_REFRESH_MS = 10_000;

export function useAppInfo() {
  return useQuery({
    queryKey: queryKeys.appInfo,
    queryFn: () => call(commands.getAppInfo()),
    staleTime: Number.POSITIVE_INFINITY,
    // The first run seeds demo data in the background: look again until it is in place.
    refetchInterval: (query) => (query.state.data?.sandbox?.seeding ? 1_000 : false),
  });
}

export function useOverview() {
  return useQuery({
    queryKey: queryKeys.overview,
    queryFn: () => call(commands.getOverview()),
    refetchInterval: OVERVIEW_REFRESH_MS,
  });
}

export function useFlows() {
  return useQuery({
    queryKey: queryKeys.flows,
    queryFn: () => call(commands.listFlows()),
  });
}

export function useRuns(flow: string | null, limit: number) {
  return useQuery({
    queryKey: queryKeys.runs.list(flow, limit),
    queryFn: () => call(commands.listRuns(flow, limit)),
  });
}

/** One page of the audit log; the previous page stays on screen while the next one loads. */
export function useAuditPage(query: AuditQuery) {
  return useQuery({
    queryKey: queryKeys.audit.page(query),
    queryFn: () => call(commands.listAudit(query)),
    placeholderData: keepPreviousData,
  });
}

export function useAuditStatus() {
  return useQuery({
    queryKey: queryKeys.audit.status,
    queryFn: () => call(commands.verifyAudit()),
  });
}

/** One page of payments; the previous page stays on screen while the next one loads. */
export function usePaymentsPage(query: PaymentQuery) {
  return useQuery({
    queryKey: queryKeys.payments.page(query),
    queryFn: () => call(commands.listPayments(query)),
    placeholderData: keepPreviousData,
  });
}

/** A payment and its timeline; nothing is asked while no payment is picked. */
export function usePayment(which: { provider: string; providerId: string } | null) {
  return useQuery({
    queryKey: queryKeys.payments.detail(which?.provider ?? "", which?.providerId ?? ""),
    queryFn: () =>
      which
        ? call(commands.getPayment(which.provider, which.providerId))
        : Promise.reject(new Error("no payment picked")),
    enabled: which !== null,
  });
}

/** Failures not narrowed: every provider, object and age. */
export const ANY_FAILURE_SCOPE: FailureScope = { provider: null, object: null, age: null };

/** Whether a scope narrows the failures at all. */
export function isNarrowed(scope: FailureScope): boolean {
  return Boolean(scope.provider || scope.object || scope.age);
}

/**
 * Failures of one status (`open`, `replayed`, `discarded` or `all`) within a provider, object and
 * age, grouped by root cause.
 */
export function useFailureGroups(status: string, scope: FailureScope) {
  return useQuery({
    queryKey: queryKeys.failures.groups(status, scope),
    queryFn: () => call(commands.listFailureGroups(status, scope)),
    placeholderData: keepPreviousData,
  });
}

/** The choices of the Failures filters: providers, and the objects open failures are about. */
export function useFailureFacets() {
  return useQuery({
    queryKey: queryKeys.failures.facets,
    queryFn: () => call(commands.listFailureFacets()),
    placeholderData: keepPreviousData,
  });
}

/** One page of failures; the previous page stays on screen while the next one loads. */
export function useFailuresPage(query: FailureQuery) {
  return useQuery({
    queryKey: queryKeys.failures.page(query),
    queryFn: () => call(commands.listFailures(query)),
    placeholderData: keepPreviousData,
  });
}

/** A failure with its payload and attempts; nothing is asked while no failure is picked. */
export function useFailure(id: number | null) {
  return useQuery({
    queryKey: queryKeys.failures.detail(id ?? -1),
    queryFn: () =>
      id !== null ? call(commands.getFailure(id)) : Promise.reject(new Error("no failure picked")),
    enabled: id !== null,
  });
}

/** While money is on its way to Payoneer, the payout screens look again this often. */
export const PAYOUT_LIVE_MS = 2_000;

/** A batch whose items are being sent or settled: its counts change by themselves. */
export function isPayoutLive(batch: Pick<PayoutBatchRow, "status">): boolean {
  return batch.status === "submitting" || batch.status === "submitted";
}

/**
 * Payout batches: `null` for every batch not finished, `"all"`, or one status. The list is a live
 * view while any batch on it is being sent or settled.
 */
export function usePayoutBatches(status: string | null) {
  return useQuery({
    queryKey: queryKeys.payouts.batches(status),
    queryFn: () => call(commands.listPayoutBatches(status)),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.some(isPayoutLive) ? PAYOUT_LIVE_MS : false),
  });
}

/** A batch with its items and approvals; nothing is asked while no batch is picked. */
export function usePayoutBatch(id: string | null) {
  return useQuery({
    queryKey: queryKeys.payouts.batch(id ?? ""),
    queryFn: () =>
      id !== null
        ? call(commands.getPayoutBatch(id))
        : Promise.reject(new Error("no batch picked")),
    enabled: id !== null,
    refetchInterval: (query) => {
      const batch = query.state.data?.batch;
      return batch && isPayoutLive(batch) ? PAYOUT_LIVE_MS : false;
    },
  });
}

/** Payout items whose recipient support must correct. */
export function usePayoutCorrections() {
  return useQuery({
    queryKey: queryKeys.payouts.corrections,
    queryFn: () => call(commands.listPayoutCorrections()),
  });
}

/** While a reconciliation run is still going (started by its schedule), it is read this often. */
export const RECON_LIVE_MS = 2_000;

/** Reconciliation runs, newest first; the list is read again while one of them is going. */
export function useReconciliationRuns() {
  return useQuery({
    queryKey: queryKeys.reconciliation.runs,
    queryFn: () => call(commands.listReconciliationRuns()),
    refetchInterval: (query) =>
      query.state.data?.some((run) => run.finishedAt === null) ? RECON_LIVE_MS : false,
  });
}

/**
 * One reconciliation run with its totals, counts and tie-outs; `null` is the latest run (the
 * engine answers `notFound` when there is none yet).
 */
export function useReconciliationRun(id: number | null) {
  return useQuery({
    queryKey: queryKeys.reconciliation.run(id),
    queryFn: () => call(commands.getReconciliationRun(id)),
    refetchInterval: (query) =>
      query.state.data && query.state.data.run.finishedAt === null ? RECON_LIVE_MS : false,
  });
}

/** One page of a run's results; the previous page stays on screen while the next one loads. */
export function useReconciliationResults(query: ReconResultQuery) {
  return useQuery({
    queryKey: queryKeys.reconciliation.results(query),
    queryFn: () =>
      call(
        commands.listReconciliationResults(
          query.runId,
          query.category,
          query.kind,
          query.limit,
          query.offset,
        ),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useSearch(text: string) {
  const trimmed = text.trim();
  return useQuery({
    queryKey: queryKeys.search(trimmed),
    queryFn: () => call(commands.search(trimmed)),
    enabled: trimmed.length > 0,
    placeholderData: keepPreviousData,
  });
}

/** A card per provider for the active profile; never carries a secret. */
export function useConnections() {
  return useQuery({
    queryKey: queryKeys.connections,
    queryFn: () => call(commands.listConnections()),
  });
}
