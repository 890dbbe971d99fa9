import type { AuditQuery, FailureQuery, FailureScope, PaymentQuery } from "../bindings";

/** One page of a reconciliation run's results, as `listReconciliationResults` takes it. */
export interface ReconResultQuery {
  runId: number;
  /** `matched`, `suggested` or `exception`; null for every category. */
  category: string | null;
  /** One kind (`amount_mismatch`, `one_to_one`, …); null for every kind. */
  kind: string | null;
  limit: number;
  offset: number;
}

/** Every query key in one place, so invalidation after an event cannot miss a spelling. */
export const queryKeys = {
  appInfo: ["appInfo"] as const,
  overview: ["overview"] as const,
  flows: ["flows"] as const,
  runs: {
    all: ["runs"] as const,
    list: (flow: string | null, limit: number) => ["runs", { flow, limit }] as const,
  },
  audit: {
    all: ["audit"] as const,
    pages: ["audit", "page"] as const,
    page: (query: AuditQuery) => ["audit", "page", query] as const,
    status: ["audit", "status"] as const,
  },
  payments: {
    all: ["payments"] as const,
    pages: ["payments", "page"] as const,
    page: (query: PaymentQuery) => ["payments", "page", query] as const,
    detail: (provider: string, providerId: string) =>
      ["payments", "detail", { provider, providerId }] as const,
  },
  failures: {
    all: ["failures"] as const,
    groups: (status: string, scope: FailureScope) => ["failures", "groups", status, scope] as const,
    facets: ["failures", "facets"] as const,
    pages: ["failures", "page"] as const,
    page: (query: FailureQuery) => ["failures", "page", query] as const,
    detail: (id: number) => ["failures", "detail", id] as const,
  },
  payouts: {
    all: ["payouts"] as const,
    /** Every list of batches, whatever its status filter. */
    batchLists: ["payouts", "batches"] as const,
    batches: (status: string | null) => ["payouts", "batches", status] as const,
    batch: (id: string) => ["payouts", "batch", id] as const,
    corrections: ["payouts", "corrections"] as const,
  },
  reconciliation: {
    all: ["reconciliation"] as const,
    runs: ["reconciliation", "runs"] as const,
    /** `null` is the latest run. */
    run: (id: number | null) => ["reconciliation", "run", id] as const,
    resultPages: ["reconciliation", "results"] as const,
    results: (query: ReconResultQuery) => ["reconciliation", "results", query] as const,
  },
  search: (text: string) => ["search", text] as const,
  connections: ["connections"] as const,
};
