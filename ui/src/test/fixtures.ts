import type {
  AppInfo,
  DryRunReport,
  AuditPage,
  AuditRow,
  ConnectionCard,
  FailureDetail,
  FailureGroup,
  FailurePage,
  FailureRow,
  FlowRow,
  IpcError,
  Overview,
  PaymentDetail,
  PaymentPage,
  PaymentRow,
  PayoutBatchDetail,
  PayoutBatchRow,
  PayoutItemRow,
  ReconResultRow,
  ReconRunDetail,
  ReconRunRow,
  RunRow,
} from "../bindings";

export const NOW = "2025-11-21T12:00:00Z";

export function run(overrides: Partial<RunRow> = {}): RunRow {
  return {
    id: 7,
    flow: "audit.verify",
    trigger: "schedule",
    startedAt: "2025-11-21T11:55:00Z",
    finishedAt: "2025-11-21T11:55:02Z",
    outcome: "succeeded",
    read: 1200,
    written: 1200,
    failed: 0,
    error: null,
    ...overrides,
  };
}

export function flow(overrides: Partial<FlowRow> = {}): FlowRow {
  return {
    name: "audit.verify",
    description: "Re-checks every entry of the tamper-evident audit log against its signed chain.",
    schedule: "every 1d",
    lastRun: run(),
    nextDue: "2099-01-01T00:00:00Z",
    paused: false,
    ...overrides,
  };
}

export function appInfo(overrides: Partial<AppInfo> = {}): AppInfo {
  return {
    profile: "sandbox",
    version: "0.1.0",
    dataDir: "/home/finance/.local/share/paysync",
    sandbox: {
      simulators: [
        { provider: "salesforce", baseUrl: "http://127.0.0.1:41001" },
        { provider: "stripe", baseUrl: "http://127.0.0.1:41002" },
      ],
      seeding: false,
      seedingProblem: null,
      demo: { customers: 40, payments: 250, payees: 12, paymentRequests: 30, discrepancies: 3 },
    },
    preferences: { theme: "light", closeToTray: false },
    ...overrides,
  };
}

export function overview(overrides: Partial<Overview> = {}): Overview {
  return {
    profile: "sandbox",
    connections: [
      {
        provider: "stripe",
        label: "Stripe",
        health: "healthy",
        detail: null,
        checkedAt: "2025-11-21T11:59:00Z",
      },
      {
        provider: "payoneer",
        label: "Payoneer",
        health: "down",
        detail: "Connection refused",
        checkedAt: "2025-11-21T11:58:00Z",
      },
      {
        provider: "maldopay",
        label: "MaldoPay",
        health: "notConnected",
        detail: null,
        checkedAt: null,
      },
    ],
    flows: [flow()],
    recentRuns: [run(), run({ id: 6, outcome: "failed", failed: 3, error: "Stripe said no" })],
    queue: { pending: 12, running: 2, inDoubt: 1, succeeded: 300, dead: 4 },
    deadLetters: { open: 4, oldestOpenAt: "2025-11-21T09:00:00Z" },
    payoutsAwaitingApproval: null,
    salesforceApi: { used: 8_000, limit: 10_000 },
    volume: [],
    audit: { verified: true, entries: 1234, problem: null, checkedAt: "2025-11-21T11:59:30Z" },
    generatedAt: "2025-11-21T11:59:59Z",
    ...overrides,
  };
}

export function auditRow(seq: number, overrides: Partial<AuditRow> = {}): AuditRow {
  return {
    seq,
    at: "2025-11-21T10:00:00Z",
    actor: "scheduler",
    action: "flow.run",
    subject: `flow:audit.verify#${seq}`,
    details: JSON.stringify({ run: seq, outcome: "succeeded" }, null, 2),
    ...overrides,
  };
}

/** A page of newest-first rows for any offset and limit, out of `total`. */
export function auditPage(total: number, offset: number, limit: number): AuditPage {
  const rows: AuditRow[] = [];
  for (let i = offset; i < Math.min(total, offset + limit); i++) rows.push(auditRow(total - i));
  return { total, rows };
}

export function payment(overrides: Partial<PaymentRow> = {}): PaymentRow {
  return {
    provider: "stripe",
    providerId: "ch_3Demo0001",
    kind: "charge",
    status: "succeeded",
    amount: "1234.50",
    currency: "EUR",
    occurredAt: "2025-11-21T10:00:00Z",
    customer: "cus_Demo01",
    syncedAt: "2025-11-21T11:59:00Z",
    ...overrides,
  };
}

const PAYMENT_STATUSES = ["succeeded", "pending", "failed"] as const;

/**
 * A page of newest-first payments for any offset and limit, out of `total`: `ch_<n>` for n from
 * `total` down, each status in turn, amounts `<n>.50` EUR.
 */
export function paymentPage(total: number, offset: number, limit: number): PaymentPage {
  const rows: PaymentRow[] = [];
  for (let i = offset; i < Math.min(total, offset + limit); i++) {
    const n = total - i;
    rows.push(
      payment({
        providerId: `ch_${n}`,
        status: PAYMENT_STATUSES[n % 3] ?? "succeeded",
        amount: `${n}.50`,
        customer: n % 5 === 0 ? null : `cus_${n % 7}`,
      }),
    );
  }
  return { total, rows };
}

/** A charge that was written to Salesforce, then partly refunded, and the refund written too. */
export function paymentDetail(overrides: Partial<PaymentDetail> = {}): PaymentDetail {
  return {
    payment: payment(),
    timeline: [
      {
        at: "2025-11-21T10:00:00Z",
        kind: "event",
        title: "charge.succeeded",
        detail: "charge ch_3Demo0001: succeeded, 1234.50 EUR",
      },
      {
        at: "2025-11-21T10:05:00Z",
        kind: "salesforce_write",
        title: "Written to Salesforce (charge)",
        detail: "charge ch_3Demo0001 → Salesforce record a01Demo01, state of event evt_1",
      },
      {
        at: "2025-11-21T11:00:00Z",
        kind: "event",
        title: "charge.refunded",
        detail: "refund re_1: succeeded, 20.00 EUR",
      },
    ],
    ...overrides,
  };
}

export function failureGroup(overrides: Partial<FailureGroup> = {}): FailureGroup {
  return {
    kind: "stripe.salesforce.record",
    errorCode: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    count: 37,
    oldestAt: "2025-11-19T09:00:00Z",
    sample: "Payment__c a01Demo07: Amount__c must be positive",
    ...overrides,
  };
}

/** The open queue of the demo: a Salesforce validation rule, then an ambiguous customer match. */
export function failureGroups(): FailureGroup[] {
  return [
    failureGroup(),
    failureGroup({
      kind: "salesforce.stripe.subscription",
      errorCode: "match.ambiguous",
      count: 4,
      oldestAt: "2025-11-20T15:00:00Z",
      sample: "2 Stripe customers have the email finance@acme.test",
    }),
  ];
}

export function failureRow(id: number, overrides: Partial<FailureRow> = {}): FailureRow {
  return {
    id,
    kind: "stripe.salesforce.record",
    errorClass: "terminal",
    errorCode: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    errorMessage: `Payment__c for ch_${id}: Amount__c must be positive`,
    status: "open",
    attempts: 3,
    firstFailedAt: "2025-11-21T09:00:00Z",
    createdAt: "2025-11-21T09:10:00Z",
    object: "Stripe charge",
    ...overrides,
  };
}

/** A page of newest-first failures for any offset and limit, out of `total`: ids from `total` down. */
export function failurePage(
  total: number,
  offset: number,
  limit: number,
  overrides: Partial<FailureRow> = {},
): FailurePage {
  const rows: FailureRow[] = [];
  for (let i = offset; i < Math.min(total, offset + limit); i++) {
    rows.push(failureRow(total - i, overrides));
  }
  return { total, rows };
}

/** A Stripe event whose Salesforce write failed three times on a validation rule. */
export function failureDetail(overrides: Partial<FailureDetail> = {}): FailureDetail {
  return {
    failure: failureRow(12),
    payload: JSON.stringify(
      { id: "evt_1", type: "charge.succeeded", data: { object: { id: "ch_12", amount: -100 } } },
      null,
      2,
    ),
    attemptLog: [1, 2, 3].map((number) => ({
      number,
      startedAt: `2025-11-21T09:0${number}:00Z`,
      finishedAt: `2025-11-21T09:0${number}:01Z`,
      outcome: number < 3 ? "retry" : "dead",
      errorCode: "FIELD_CUSTOM_VALIDATION_EXCEPTION",
      errorMessage: "Amount__c must be positive",
    })),
    resolution: null,
    records: [
      {
        provider: "stripe",
        object: "charge",
        id: "ch_12",
        label: "Stripe charge ch_12",
        url: "http://127.0.0.1:4242/dashboard/test/payments/ch_12",
        testMode: true,
      },
    ],
    ...overrides,
  };
}

export function ipcError(overrides: Partial<IpcError> = {}): IpcError {
  return {
    code: "unavailable",
    message: "Paysync's engine is not running yet.",
    detail: "the start-up task ended without a result",
    retryable: true,
    ...overrides,
  };
}

/** A connected Stripe card in the sandbox; pass `connected: false` and nulls for a bare one. */
export function connectionCard(overrides: Partial<ConnectionCard> = {}): ConnectionCard {
  return {
    provider: "stripe",
    label: "Stripe",
    profile: "sandbox",
    method: "keys",
    connected: true,
    status: "connected",
    account: "Stripe (test mode)",
    accountRef: "acct_1Demo",
    endpoint: "http://127.0.0.1:41002",
    connectedAt: "2025-11-21T10:00:00Z",
    lastSuccessAt: "2025-11-21T11:59:00Z",
    lastError: null,
    ...overrides,
  };
}

/** A provider's card before anything is connected. */
export function notConnected(
  provider: string,
  label: string,
  overrides: Partial<ConnectionCard> = {},
): ConnectionCard {
  return connectionCard({
    provider,
    label,
    connected: false,
    status: null,
    account: null,
    accountRef: null,
    connectedAt: null,
    lastSuccessAt: null,
    ...overrides,
  });
}

/** A draft EUR batch of three payouts drafted by Paysync, needing one approval. */
export function payoutBatch(id: string, overrides: Partial<PayoutBatchRow> = {}): PayoutBatchRow {
  return {
    id,
    status: "draft",
    currency: "EUR",
    programId: "100010001",
    itemCount: 3,
    total: "1234.50",
    fees: null,
    createdBy: "paysync",
    makers: ["maker@acme.test"],
    createdAt: "2025-11-21T10:00:00Z",
    approvals: 0,
    approvalsNeeded: 1,
    heldReason: null,
    paid: 0,
    failed: 0,
    cancelled: 0,
    inFlight: 0,
    contentHash: `hash-of-${id}`,
    ...overrides,
  };
}

/** A batched payout of 411.50 EUR to a German payee. */
export function payoutItem(id: number, overrides: Partial<PayoutItemRow> = {}): PayoutItemRow {
  const n = String(id).padStart(6, "0");
  return {
    id,
    batchId: "pb_1",
    requestId: `a0Q${n}`,
    requestName: `PR-${n}`,
    payeeName: `Payee ${id}`,
    payeeId: `payee_${id}`,
    contactId: `003${n}`,
    email: `payee${id}@example.com`,
    country: "DE",
    amount: "411.50",
    currency: "EUR",
    state: "batched",
    reason: null,
    payoutId: null,
    fee: null,
    targetAmount: null,
    targetCurrency: null,
    updatedAt: "2025-11-21T10:00:00Z",
    ...overrides,
  };
}

/** A batch as its approver sees it: approvable, three items, nobody has decided yet. */
export function payoutBatchDetail(overrides: Partial<PayoutBatchDetail> = {}): PayoutBatchDetail {
  return {
    batch: payoutBatch("pb_1"),
    items: [1, 2, 3].map((id) => payoutItem(id)),
    approvalLog: [],
    you: "checker@acme.test",
    canApprove: true,
    whyNot: null,
    ...overrides,
  };
}

/** What submitting pb_1 would send: everything, with funds to spare. */
export function dryRunReport(overrides: Partial<DryRunReport> = {}): DryRunReport {
  return {
    batchId: "pb_1",
    wouldSend: 3,
    total: "1234.50",
    fees: "6.00",
    currency: "EUR",
    balance: "50000.00",
    enoughFunds: true,
    problems: [],
    payload: JSON.stringify(
      { payments: [{ client_reference_id: "pi_1", amount: 411.5 }] },
      null,
      2,
    ),
    ...overrides,
  };
}

/** A finished reconciliation of 15–21 Nov started by a person: it balances. */
export function reconRun(id: number, overrides: Partial<ReconRunRow> = {}): ReconRunRow {
  return {
    id,
    periodFrom: "2025-11-15",
    periodTo: "2025-11-21",
    startedBy: "maria@acme.test",
    startedAt: "2025-11-21T11:00:00Z",
    finishedAt: "2025-11-21T11:00:04Z",
    matched: 240,
    suggested: 3,
    exceptions: 5,
    balances: true,
    offline: false,
    error: null,
    ...overrides,
  };
}

/**
 * Run 12 as the screen's header shows it: EUR and USD totals that add up, results by kind
 * (5 exceptions, 3 suggestions, 240 matches) and two Stripe payouts, one of which does not tie out.
 */
export function reconRunDetail(overrides: Partial<ReconRunDetail> = {}): ReconRunDetail {
  return {
    run: reconRun(12),
    totals: [
      {
        currency: "EUR",
        providerInput: "12500.00",
        providerMatched: "12000.00",
        providerUnmatched: "500.00",
        salesforceInput: "12480.00",
        salesforceMatched: "12000.00",
        salesforceUnmatched: "480.00",
      },
      {
        currency: "USD",
        providerInput: "310.00",
        providerMatched: "310.00",
        providerUnmatched: "0.00",
        salesforceInput: "310.00",
        salesforceMatched: "310.00",
        salesforceUnmatched: "0.00",
      },
    ],
    counts: [
      { category: "matched", kind: "one_to_one", count: 230, open: 0 },
      { category: "matched", kind: "many_to_one", count: 10, open: 0 },
      { category: "suggested", kind: "one_to_one", count: 3, open: 2 },
      { category: "exception", kind: "missing_in_salesforce", count: 3, open: 3 },
      { category: "exception", kind: "amount_mismatch", count: 2, open: 1 },
    ],
    payouts: [
      { payout: "po_1Demo", currency: "EUR", expected: "1000.00", actual: "1000.00", ties: true },
      { payout: "po_2Demo", currency: "EUR", expected: "500.00", actual: "495.00", ties: false },
    ],
    ...overrides,
  };
}

/** An open exception: a Stripe charge with no Payment__c in Salesforce. */
export function reconResult(id: number, overrides: Partial<ReconResultRow> = {}): ReconResultRow {
  const row: ReconResultRow = {
    id,
    category: "exception",
    kind: "missing_in_salesforce",
    currency: "EUR",
    providerIds: [`ch_${id}`],
    salesforceIds: [],
    reason: `Stripe charge ch_${id} (120.00 EUR, 18 Nov) has no Payment__c in Salesforce`,
    gross: null,
    fee: null,
    fxDifference: null,
    net: null,
    resolution: null,
    resolvedBy: null,
    resolvedAt: null,
    note: null,
    fixable: false,
    ...overrides,
  };
  // As the engine says: an open exception whose Salesforce side is missing or wrong.
  const fixable =
    row.category === "exception" &&
    row.resolution === null &&
    row.providerIds.length > 0 &&
    FIXABLE_KINDS.includes(row.kind);
  return { ...row, fixable: overrides.fixable ?? fixable };
}

const FIXABLE_KINDS = [
  "missing_in_salesforce",
  "amount_mismatch",
  "currency_mismatch",
  "status_mismatch",
];

/** An open suggestion: one charge and one Payment__c that differ by Stripe's fee. */
export function reconSuggestion(
  id: number,
  overrides: Partial<ReconResultRow> = {},
): ReconResultRow {
  return reconResult(id, {
    category: "suggested",
    kind: "one_to_one",
    providerIds: [`ch_${id}`],
    salesforceIds: [`a01Demo${id}`],
    reason: `ch_${id} and a01Demo${id}: same customer and day; Salesforce holds the net of the fee`,
    gross: "100.00",
    fee: "3.20",
    fxDifference: "0.00",
    net: "96.80",
    ...overrides,
  });
}
