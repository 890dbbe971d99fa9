//! Paysync's durable store: one embedded SQLite file (sqlx) holding everything that must survive a
//! crash (ARCHITECTURE §2–§3).
//!
//! - [`jobs`]: the durable job queue. A job is *leased* by a worker (`running`, with an owner and an
//!   expiry); only the current lease holder can finish it. An expired lease is *reclaimed*: a
//!   replay-safe job runs again, an unsafe one becomes **in doubt** and waits for a status query or a
//!   human, never a blind re-send.
//! - [`dead_letters`]: jobs that failed for good, with their full payload and every attempt, for an
//!   operator to replay (same idempotency key) or discard with a reason. Never purged.
//! - [`inbox`]: every inbound event once, keyed by (source, event id), written in the same
//!   transaction as the job it causes.
//! - [`links`], [`cursors`], [`runs`], [`connections`], [`settings`]: cross-system links, poll
//!   cursors, sync runs (one live run per flow), connection metadata (never secrets), settings.
//! - [`audit`]: the tamper-evident audit log, HMAC-chained with an anchored head.
//!
//! Conventions: the store never reads the wall clock (every time is a `now` argument, stored as
//! unix milliseconds); every SQL statement lives in `queries/<area>/<verb>.sql` and is checked at
//! compile time; every read-then-write transaction starts with `BEGIN IMMEDIATE`.

#![deny(missing_docs)]

pub mod audit;
pub mod connections;
pub mod cursors;
pub mod dead_letters;
pub mod error;
pub mod ids;
pub mod inbox;
pub mod jobs;
pub mod links;
mod names;
pub mod object_versions;
pub mod open;
pub mod payments;
pub mod payouts;
pub mod reconciliation;
pub mod runs;
pub mod settings;
mod time;

use std::sync::Arc;

use sqlx::{Sqlite, SqlitePool, Transaction};

pub use audit::{
    AuditEntry, AuditError, AuditFilter, AuditHead, AuditKey, AuditLog, AuditSort, AuditSortColumn,
    AuditVerification, NewAuditEntry,
};
pub use connections::{Connection, Connections, NewConnection};
pub use cursors::Cursors;
pub use dead_letters::{DeadLetter, DeadLetterFilter, DeadLetterGroup, DeadLetterStatus, DeadLetters};
pub use error::{Result, StoreError};
pub use ids::{AuditSeq, DeadLetterId, InboxId, JobId, LinkId, RunId};
pub use inbox::{Inbox, InboxEvent, InboxOutcome, NewInboxEvent, ObjectEvent, PendingEvent};
pub use jobs::{
    Attempt, AttemptOutcome, Enqueued, InDoubtResolution, Job, JobCounts, JobFailure, JobQueue, JobStatus,
    LeasedJob, NewJob, Reclaimed,
};
pub use links::{Link, Links, NewLink};
pub use names::UnknownName;
pub use object_versions::{AppliedVersion, ObjectVersion, ObjectVersions};
pub use open::{Pragmas, StoreOptions};
pub use payments::{
    DailyVolume, PaymentFilter, PaymentSort, PaymentSortColumn, Payments, ProviderPayment, StoredPayment,
};
pub use payouts::{
    BatchStatus, IntakeOutcome, ItemOutcome, ItemState, NewPayoutItem, PayoutApproval, PayoutBatch,
    PayoutItem, Payouts, StateTotal,
};
pub use reconciliation::{
    InputCount, NewReconInput, NewReconResult, ReconResult, ReconRun, ReconSide, Reconciliation, Resolution,
    ResultCategory, ResultCount,
};
pub use runs::{Run, RunCounts, RunOutcome, RunTrigger, Runs};
pub use settings::Settings;

/// One page of a longer list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Page<T> {
    /// How many items match in total, across all pages.
    pub total: u64,
    /// The items on this page.
    pub items: Vec<T>,
}

/// A handle on the database. Cheap to clone: clones share the connection pool and the audit key.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
    audit_key: Arc<AuditKey>,
}

impl Store {
    /// The durable job queue.
    pub fn jobs(&self) -> JobQueue<'_> {
        JobQueue::new(self)
    }

    /// The dead-letter queue.
    pub fn dead_letters(&self) -> DeadLetters<'_> {
        DeadLetters::new(self)
    }

    /// The inbound-event inbox.
    pub fn inbox(&self) -> Inbox<'_> {
        Inbox::new(self)
    }

    /// Provider ↔ Salesforce links.
    pub fn links(&self) -> Links<'_> {
        Links::new(self)
    }

    /// The provider state applied to Salesforce, per object.
    pub fn object_versions(&self) -> ObjectVersions<'_> {
        ObjectVersions::new(self)
    }

    /// Poll cursors.
    pub fn cursors(&self) -> Cursors<'_> {
        Cursors::new(self)
    }

    /// The provider payments.
    pub fn payments(&self) -> Payments<'_> {
        Payments::new(self)
    }

    /// Payout items, batches and their approvals.
    pub fn payouts(&self) -> Payouts<'_> {
        Payouts::new(self)
    }

    /// Reconciliation inputs, runs and results.
    pub fn reconciliation(&self) -> Reconciliation<'_> {
        Reconciliation::new(self)
    }

    /// Sync runs.
    pub fn runs(&self) -> Runs<'_> {
        Runs::new(self)
    }

    /// Connection metadata.
    pub fn connections(&self) -> Connections<'_> {
        Connections::new(self)
    }

    /// Key/value settings.
    pub fn settings(&self) -> Settings<'_> {
        Settings::new(self)
    }

    /// The tamper-evident audit log.
    pub fn audit(&self) -> AuditLog<'_> {
        AuditLog::new(self)
    }

    /// Closes every connection, waiting for the ones in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub(crate) fn audit_key(&self) -> &AuditKey {
        &self.audit_key
    }

    /// A write transaction that takes SQLite's write lock up front (`BEGIN IMMEDIATE`), so a
    /// read-then-write never fails on a lock upgrade when other workers write concurrently; it
    /// waits for the lock (busy timeout) instead.
    pub(crate) async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }
}

/// Rejects an empty (or blank) required text argument.
pub(crate) fn require(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(StoreError::validation(field, "must not be empty"));
    }
    Ok(())
}
