//! The console's data transfer objects: exactly what crosses the desktop IPC boundary, in the
//! shapes the UI renders. TypeScript types are generated from these (feature `specta`), so the UI
//! and the engine cannot drift apart. Amounts are decimal strings, never floating point; nothing
//! here can carry a secret.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Which world the console is looking at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Profile {
    /// Local simulators with demo data; no real money moves.
    Sandbox,
    /// Real provider accounts.
    Production,
}

/// What the app frame shows everywhere.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The active profile.
    pub profile: Profile,
    /// The app version.
    pub version: String,
    /// Where the data lives.
    pub data_dir: String,
    /// The running sandbox, in the sandbox profile.
    pub sandbox: Option<SandboxInfo>,
    /// The user's preferences.
    pub preferences: Preferences,
}

/// The running sandbox.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SandboxInfo {
    /// Each simulator's name and base URL.
    pub simulators: Vec<Simulator>,
    /// Demo data is still being seeded (the first seconds of a first run).
    pub seeding: bool,
    /// Why demo data could not be seeded, if it could not.
    pub seeding_problem: Option<String>,
    /// What demo data was seeded.
    pub demo: Option<DemoSummary>,
}

/// One simulator.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Simulator {
    /// `salesforce`, `stripe`, …
    pub provider: String,
    /// Its base URL on loopback.
    pub base_url: String,
}

/// What the demo seeded.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DemoSummary {
    /// Stripe customers.
    pub customers: u64,
    /// Stripe payments.
    pub payments: u64,
    /// Payoneer payees.
    pub payees: u64,
    /// Salesforce payment requests.
    pub payment_requests: u64,
    /// Deliberate differences for reconciliation to find.
    pub discrepancies: u64,
}

/// The user's preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    /// `light`, `dark` or `auto` (follow the system).
    pub theme: Theme,
    /// Closing the window keeps Paysync running in the system tray.
    pub close_to_tray: bool,
}

/// A colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Theme {
    /// Light.
    Light,
    /// Dark.
    Dark,
    /// Follow the system.
    Auto,
}

/// Everything on the Overview.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    /// The active profile.
    pub profile: Profile,
    /// Each connection's health.
    pub connections: Vec<ConnectionHealth>,
    /// Each flow's schedule and latest run.
    pub flows: Vec<FlowRow>,
    /// The latest runs of any flow, newest first.
    pub recent_runs: Vec<RunRow>,
    /// Jobs by status.
    pub queue: QueueDepth,
    /// The dead-letter queue.
    pub dead_letters: DeadLetterDepth,
    /// Payout batches waiting for a checker; `None` while payouts are not set up.
    pub payouts_awaiting_approval: Option<u64>,
    /// Salesforce daily API requests used against the org's limit; `None` when not known.
    pub salesforce_api: Option<ApiUsage>,
    /// Synced volume per day and currency, oldest first.
    pub volume: Vec<DailyVolume>,
    /// The audit chain.
    pub audit: AuditStatus,
    /// When this was computed.
    pub generated_at: DateTime<Utc>,
}

/// How a connection is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Health {
    /// Answering normally.
    Healthy,
    /// Answering, but with recent errors.
    Degraded,
    /// Not answering.
    Down,
    /// Never connected.
    NotConnected,
}

/// One connection's health.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionHealth {
    /// `salesforce`, `stripe`, `checkout`, `payoneer`, `maldopay`.
    pub provider: String,
    /// The name shown.
    pub label: String,
    /// Its health.
    pub health: Health,
    /// Why it is not healthy, in words.
    pub detail: Option<String>,
    /// When it was last checked or last succeeded.
    pub checked_at: Option<DateTime<Utc>>,
}

/// A flow's row.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FlowRow {
    /// The flow's stable name.
    pub name: String,
    /// What it does, in words.
    pub description: String,
    /// Its schedule (`every 1d`, a cron expression), or `None` for on demand.
    pub schedule: Option<String>,
    /// Its latest run.
    pub last_run: Option<RunRow>,
    /// When it is next due (`None` while paused).
    pub next_due: Option<DateTime<Utc>>,
    /// Whether its schedule is paused (it can still be run now).
    pub paused: bool,
}

/// A run's row.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RunRow {
    /// The run.
    pub id: i64,
    /// The flow.
    pub flow: String,
    /// `schedule`, `manual` or `startup`.
    pub trigger: String,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: Option<DateTime<Utc>>,
    /// `succeeded`, `failed`, `partial`, `abandoned`; `None` while running.
    pub outcome: Option<String>,
    /// Records read.
    pub read: u64,
    /// Records written.
    pub written: u64,
    /// Records failed.
    pub failed: u64,
    /// Why it failed.
    pub error: Option<String>,
}

/// Jobs by status.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct QueueDepth {
    /// Waiting to run.
    pub pending: u64,
    /// Running now.
    pub running: u64,
    /// Outcome unknown, waiting for a status check.
    pub in_doubt: u64,
    /// Done.
    pub succeeded: u64,
    /// Parked in the DLQ.
    pub dead: u64,
}

/// The dead-letter queue at a glance.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DeadLetterDepth {
    /// Open entries.
    pub open: u64,
    /// When the oldest open entry was parked.
    pub oldest_open_at: Option<DateTime<Utc>>,
}

/// API calls used against a limit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ApiUsage {
    /// Used in the current window.
    pub used: u64,
    /// The limit.
    pub limit: u64,
}

/// Money synced on one day in one currency.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DailyVolume {
    /// The day, `YYYY-MM-DD` (UTC).
    pub day: String,
    /// ISO 4217 code.
    pub currency: String,
    /// The total as a decimal string in major units (`"1234.50"`).
    pub amount: String,
    /// How many transactions.
    pub count: u64,
}

/// The audit chain's state.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AuditStatus {
    /// Whether the chain verified.
    pub verified: bool,
    /// Entries checked.
    pub entries: u64,
    /// What was wrong, when it did not verify.
    pub problem: Option<String>,
    /// When it was checked.
    pub checked_at: DateTime<Utc>,
}

/// What the Payments view asks for.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PaymentQuery {
    /// A piece of the provider id (`ch_…`) or the customer id (`cus_…`).
    pub text: Option<String>,
    /// The provider's status, exactly (`succeeded`, `pending`, `failed`).
    pub status: Option<String>,
    /// The ISO currency code; the amount range needs one.
    pub currency: Option<String>,
    /// The smallest amount, in major units (`"100.00"`).
    pub min_amount: Option<String>,
    /// The largest amount, in major units.
    pub max_amount: Option<String>,
    /// The sort column.
    pub sort: PaymentSortColumn,
    /// Largest (or newest) first.
    pub descending: bool,
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return (at most 500).
    pub limit: u32,
}

/// Payment columns the table sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum PaymentSortColumn {
    /// When it happened.
    #[default]
    OccurredAt,
    /// The amount.
    Amount,
    /// The status.
    Status,
    /// The customer.
    Customer,
    /// The provider id.
    ProviderId,
}

/// A payment's row.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PaymentRow {
    /// `stripe`, …
    pub provider: String,
    /// The provider's id (`ch_…`).
    pub provider_id: String,
    /// The provider's object type (`charge`).
    pub kind: String,
    /// The provider's status.
    pub status: String,
    /// The amount as a decimal string in major units (`"1234.50"`).
    pub amount: String,
    /// ISO 4217 code.
    pub currency: String,
    /// When it happened at the provider.
    pub occurred_at: DateTime<Utc>,
    /// The provider's customer id.
    pub customer: Option<String>,
    /// When Paysync last read it.
    pub synced_at: DateTime<Utc>,
}

/// One page of payments.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PaymentPage {
    /// Payments that match, across all pages.
    pub total: u64,
    /// This page.
    pub rows: Vec<PaymentRow>,
}

/// One moment of a payment's timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TimelineRow {
    /// When.
    pub at: DateTime<Utc>,
    /// `event` (from the provider), `salesforce_write` or `salesforce_delete`.
    pub kind: String,
    /// One line.
    pub title: String,
    /// The object and what it said, or what was written where.
    pub detail: String,
}

/// A payment with its timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetail {
    /// The payment.
    pub payment: PaymentRow,
    /// Its moments, oldest first.
    pub timeline: Vec<TimelineRow>,
}

/// Failures that share a root cause.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FailureGroup {
    /// The job kind (whose records: `stripe.salesforce.record`, …).
    pub kind: String,
    /// The error code (`FIELD_CUSTOM_VALIDATION_EXCEPTION`, `match.ambiguous`, …).
    pub error_code: String,
    /// How many.
    pub count: u64,
    /// When the oldest was parked.
    pub oldest_at: DateTime<Utc>,
    /// One of their messages.
    pub sample: String,
}

/// What replaying a failure would write, before it is replayed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FailurePreview {
    /// `create`, `update`, `unchanged`, `refused` (the mapping refuses it: see `why`) or `none`
    /// (nothing to preview for this kind).
    pub action: String,
    /// The Salesforce object written.
    pub object: Option<String>,
    /// The record found by its External ID, when there is one.
    pub target_id: Option<String>,
    /// That record's page.
    pub target_link: Option<RecordLink>,
    /// Why it would be refused, or why there is nothing to preview.
    pub why: Option<String>,
    /// Every field written, against its current value.
    pub fields: Vec<FieldChange>,
}

/// One field of a previewed write.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FieldChange {
    /// The Salesforce field.
    pub field: String,
    /// Its value now (JSON text; `null` when the record does not exist).
    pub current: String,
    /// The value the replay writes (JSON text).
    pub proposed: String,
    /// Whether the write changes it.
    pub changed: bool,
}

/// What a whole group's replay or discard did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FailureGroupOutcome {
    /// The job kind.
    pub kind: String,
    /// The error code.
    pub error_code: String,
    /// The failures replayed or discarded (each audited).
    pub failure_ids: Vec<i64>,
}

/// How long ago a failure was parked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum FailureAge {
    /// Within the last hour.
    LastHour,
    /// Within the last 24 hours.
    LastDay,
    /// More than a day ago.
    OlderThanDay,
    /// More than a week ago.
    OlderThanWeek,
}

/// Narrows the Failures screen (its groups, its list and the group actions): one provider's
/// flows, one object, an age. Every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase", default)]
pub struct FailureScope {
    /// Only flows involving this provider (`stripe`, `salesforce`, `payoneer`).
    pub provider: Option<String>,
    /// Only failures about this object (a value of [`FailureFacets::objects`]).
    pub object: Option<String>,
    /// Only failures of this age.
    pub age: Option<FailureAge>,
}

/// One choice of a Failures filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FacetChoice {
    /// The value to filter by.
    pub value: String,
    /// What to show.
    pub label: String,
    /// How many open failures it has, where counted.
    pub count: Option<u64>,
}

/// The choices of the Failures screen's provider and object filters.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FailureFacets {
    /// Providers whose flows can fail.
    pub providers: Vec<FacetChoice>,
    /// The objects open failures are about, with their counts.
    pub objects: Vec<FacetChoice>,
}

/// A record a failure is about, with its page at the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RecordLink {
    /// `stripe` or `salesforce`.
    pub provider: String,
    /// The object type (`customer`, `Account`, …).
    pub object: String,
    /// The record's id.
    pub id: String,
    /// What to show, e.g. "Salesforce Account 001…".
    pub label: String,
    /// The record's page: Salesforce Lightning, the Stripe dashboard, or the sandbox's pages.
    pub url: String,
    /// A Stripe test-mode object (its page is under the dashboard's `/test`).
    pub test_mode: bool,
}

/// What the Failures screen asks for.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FailureQuery {
    /// `open` (also when absent), `replayed`, `discarded`, or `all` for every status.
    pub status: Option<String>,
    /// Only this job kind.
    pub kind: Option<String>,
    /// Only this error code.
    pub error_code: Option<String>,
    /// Provider, object and age.
    #[serde(default)]
    pub scope: FailureScope,
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return (at most 500).
    pub limit: u32,
}

/// A failure's row.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FailureRow {
    /// The dead letter's id.
    pub id: i64,
    /// The job kind.
    pub kind: String,
    /// `retriable`, `terminal` or `in_doubt`.
    pub error_class: String,
    /// The error code.
    pub error_code: String,
    /// The message, naming the record and field where there is one.
    pub error_message: String,
    /// `open`, `replayed` or `discarded`.
    pub status: String,
    /// How many attempts were made.
    pub attempts: u32,
    /// When it first failed.
    pub first_failed_at: DateTime<Utc>,
    /// When it was parked.
    pub created_at: DateTime<Utc>,
    /// What it is about ("Stripe customer", "Salesforce Account", …), when known.
    pub object: Option<String>,
}

/// One page of failures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FailurePage {
    /// Failures that match, across all pages.
    pub total: u64,
    /// This page.
    pub rows: Vec<FailureRow>,
}

/// One attempt of a failed job.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AttemptRow {
    /// Its number.
    pub number: u32,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// `succeeded`, `retry`, `dead`, `in_doubt`, …
    pub outcome: String,
    /// The error code, when it failed.
    pub error_code: Option<String>,
    /// The error message, when it failed.
    pub error_message: Option<String>,
}

/// A failure with its whole evidence.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FailureDetail {
    /// The row.
    pub failure: FailureRow,
    /// The job's input (for a record: the whole provider event), as pretty JSON.
    pub payload: String,
    /// Every attempt, oldest first.
    pub attempt_log: Vec<AttemptRow>,
    /// Who replayed or discarded it, and why.
    pub resolution: Option<String>,
    /// The records it is about, linked to their pages (for providers connected here).
    pub records: Vec<RecordLink>,
}

/// What the audit screen asks for.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AuditQuery {
    /// Exactly this actor.
    pub actor: Option<String>,
    /// Actions starting with this.
    pub action: Option<String>,
    /// Objects (subjects) containing this.
    pub subject: Option<String>,
    /// The sort column.
    pub sort: AuditSortColumn,
    /// Largest first.
    pub descending: bool,
    /// Rows to skip.
    pub offset: u32,
    /// Rows to return (at most 500).
    pub limit: u32,
}

/// Audit columns the table sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum AuditSortColumn {
    /// Time (append order).
    #[default]
    Seq,
    /// Actor.
    Actor,
    /// Action.
    Action,
    /// Object.
    Subject,
}

/// One page of the audit log.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AuditPage {
    /// Entries that match, across all pages.
    pub total: u64,
    /// This page.
    pub rows: Vec<AuditRow>,
}

/// One audit entry.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AuditRow {
    /// Position in the chain.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// To what.
    pub subject: String,
    /// The details, as indented JSON.
    pub details: String,
}

/// A global search result.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    /// The screen that shows it.
    pub screen: Screen,
    /// What to show.
    pub title: String,
    /// A second line.
    pub detail: String,
    /// The thing's id on that screen (run id, audit seq, flow name).
    pub key: String,
}

/// The console's screens that search can lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum Screen {
    /// Overview.
    Overview,
    /// Flows and runs.
    Flows,
    /// Audit log.
    Audit,
    /// Connections.
    Connections,
}

/// Something the engine did that the console shows as it happens.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ConsoleEvent {
    /// A flow run started.
    RunStarted {
        /// The run.
        run_id: i64,
        /// The flow.
        flow: String,
    },
    /// A flow run made progress.
    RunProgress {
        /// The run.
        run_id: i64,
        /// The flow.
        flow: String,
        /// Records done so far.
        done: u64,
        /// Records in all, when known.
        total: Option<u64>,
    },
    /// A flow run finished.
    RunFinished {
        /// The run.
        run_id: i64,
        /// The flow.
        flow: String,
        /// `succeeded`, `failed`, `partial`.
        outcome: String,
    },
    /// The dead-letter queue changed (an entry was parked, replayed or discarded).
    DeadLettersChanged {
        /// Open entries may have changed by this much; the UI refetches.
        job_kind: Option<String>,
    },
    /// The audit chain failed verification.
    AuditTampered {
        /// What was found.
        reason: String,
    },
    /// A provider endpoint's circuit breaker changed: calls to it are paused (`open`), one trial
    /// call is let through (`halfOpen`), or calls flow again (`closed`).
    BreakerChanged {
        /// The provider (`stripe`, …).
        provider: String,
        /// The endpoint (`stripe:GET /v1/charges`).
        endpoint: String,
        /// The new state.
        state: BreakerPosition,
        /// While open: when the next trial call may go.
        until: Option<DateTime<Utc>>,
    },
    /// New payout batches wait for a checker's approval.
    PayoutApprovalsNeeded {
        /// Batches drafted.
        batches: u64,
        /// Items they hold.
        items: u64,
    },
    /// A payout batch is held (insufficient funds) until the balance allows.
    PayoutBatchHeld {
        /// The batch.
        batch_id: String,
        /// Payoneer's reason.
        reason: String,
    },
}

/// Where a circuit breaker stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum BreakerPosition {
    /// Calls flow.
    Closed,
    /// Calls fail fast after repeated provider failures.
    Open,
    /// One trial call is in flight.
    HalfOpen,
}

/// One provider's card on the Connections screen. Carries no secret: after saving, a secret never
/// travels back to the window.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionCard {
    /// `salesforce`, `stripe`, `checkout`, `payoneer`, `maldopay`.
    pub provider: String,
    /// The provider's name.
    pub label: String,
    /// The profile the card belongs to.
    pub profile: String,
    /// How this provider is connected.
    pub method: ConnectMethod,
    /// Whether an account is connected in this profile.
    pub connected: bool,
    /// The connection's status (`connected`, `needs_reauth`, …) when connected.
    pub status: Option<String>,
    /// The account it points to, in words (`Stripe (test mode)`, `Payoneer program 100010001`).
    pub account: Option<String>,
    /// The provider's id of the account, when known.
    pub account_ref: Option<String>,
    /// The base URL calls go to in this profile (a simulator in the sandbox).
    pub endpoint: Option<String>,
    /// When it was connected.
    pub connected_at: Option<DateTime<Utc>>,
    /// When a call through it last succeeded.
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last error seen through it.
    pub last_error: Option<String>,
}

/// How a provider is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub enum ConnectMethod {
    /// OAuth in the system browser.
    OAuth,
    /// Keys pasted into the form.
    Keys,
}

/// What the connect form sends: the provider and its fields. The only time a secret crosses IPC,
/// and only towards the engine. `Debug` names the provider only, so no log can print a secret.
#[derive(Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "provider", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ConnectInput {
    /// A Stripe secret or restricted key.
    Stripe {
        /// `sk_test_…`/`rk_test_…` (sandbox) or `sk_live_…`/`rk_live_…` (production).
        secret_key: String,
    },
    /// A Checkout.com secret key.
    Checkout {
        /// `sk_sbox_…` (sandbox) or `sk_…` (production).
        secret_key: String,
    },
    /// A Checkout.com OAuth client (access key), for the client-credentials grant.
    CheckoutOauth {
        /// The access key id (`ack_…`).
        client_id: String,
        /// The access key secret.
        client_secret: String,
    },
    /// A Payoneer program's API client.
    Payoneer {
        /// The program id.
        program_id: String,
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: String,
    },
    /// A MaldoPay merchant.
    Maldopay {
        /// The client id.
        client_id: String,
        /// The brand id.
        brand_id: String,
        /// The API key.
        api_key: String,
        /// The callback signing secret.
        callback_secret: String,
    },
}

/// The verdict of "Test connection".
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionTest {
    /// The provider.
    pub provider: String,
    /// Whether the provider accepted the stored credentials.
    pub ok: bool,
    /// What was found, or why it failed, in words.
    pub message: String,
    /// When.
    pub tested_at: DateTime<Utc>,
}

impl std::fmt::Debug for ConnectInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let provider = match self {
            Self::Stripe { .. } => "stripe",
            Self::Checkout { .. } => "checkout",
            Self::CheckoutOauth { .. } => "checkoutOauth",
            Self::Payoneer { .. } => "payoneer",
            Self::Maldopay { .. } => "maldopay",
        };
        f.debug_struct("ConnectInput")
            .field("provider", &provider)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::ConnectInput;

    #[test]
    fn a_connect_form_prints_its_provider_never_its_secrets() {
        let input = ConnectInput::Maldopay {
            client_id: "1001".into(),
            brand_id: "1".into(),
            api_key: "api-key-canary".into(),
            callback_secret: "callback-canary".into(),
        };
        let printed = format!("{input:?}");
        assert!(printed.contains("maldopay"), "{printed}");
        assert!(!printed.contains("canary"), "{printed}");
    }
}
