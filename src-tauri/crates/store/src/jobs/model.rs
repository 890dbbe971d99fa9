//! The job queue's types, and their conversion from stored rows.

use chrono::{DateTime, Utc};
use paysync_core::ErrorClass;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, StoreError};
use crate::ids::JobId;
use crate::names::{self, string_enum};
use crate::time::{at, at_opt, to_u32};

string_enum! {
    /// Where a job is in its life.
    pub enum JobStatus: "job status" {
        /// Waiting for `run_at`, then for a worker.
        Pending = "pending",
        /// Leased by a worker.
        Running = "running",
        /// Done; `result` holds what it produced.
        Succeeded = "succeeded",
        /// Failed for good; it has a dead letter.
        Dead = "dead",
        /// Its side effect may or may not have happened; waits for a status query or an operator.
        InDoubt = "in_doubt",
        /// Its dead letter was discarded by an operator.
        Cancelled = "cancelled",
    }
}

string_enum! {
    /// How one attempt ended.
    pub enum AttemptOutcome: "attempt outcome" {
        /// Still running.
        Running = "running",
        /// The job succeeded.
        Succeeded = "succeeded",
        /// Failed; the job was scheduled again (`retry_at`).
        Retry = "retry",
        /// Failed for good; the job was dead-lettered.
        Dead = "dead",
        /// The outcome of the side effect is unknown; the job went in doubt.
        InDoubt = "in_doubt",
        /// The worker's lease expired before it reported.
        LeaseExpired = "lease_expired",
        /// Handed back at a graceful shutdown; does not count as an attempt.
        Released = "released",
    }
}

/// A job to enqueue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// What to do (the worker dispatches on it), e.g. `salesforce.upsert_payment`.
    pub kind: String,
    /// The job's input.
    pub payload: Value,
    /// Deterministic key of the logical operation: enqueueing the same key again changes nothing.
    pub idempotency_key: String,
    /// The record this job works on: at most one live (pending, running, in-doubt) job per
    /// (kind, concurrency key).
    pub concurrency_key: Option<String>,
    /// Attempts before the job is dead-lettered (at least 1).
    pub max_attempts: u32,
    /// When the job becomes due.
    pub run_at: DateTime<Utc>,
    /// Whether an expired lease may simply run the job again. `false` for unsafe side effects: an
    /// expired lease then makes the job in doubt instead.
    pub replay_safe: bool,
}

/// What [`crate::JobQueue::enqueue`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Enqueued {
    /// A new job was created.
    Created(JobId),
    /// A job with the same idempotency key already existed; nothing changed.
    Existing(JobId),
}

impl Enqueued {
    /// The job's id, whether it was created now or already existed.
    pub const fn id(self) -> JobId {
        match self {
            Self::Created(id) | Self::Existing(id) => id,
        }
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    /// Its id.
    pub id: JobId,
    /// What to do.
    pub kind: String,
    /// Its input (after any DLQ correction).
    pub payload: Value,
    /// Where it is in its life.
    pub status: JobStatus,
    /// Attempts started in the current round (a DLQ replay starts a new round at 0).
    pub attempts: u32,
    /// Attempts allowed per round.
    pub max_attempts: u32,
    /// When it is (or was) due.
    pub run_at: DateTime<Utc>,
    /// The worker holding its lease, while running.
    pub lease_owner: Option<String>,
    /// When that lease ends, while running.
    pub lease_expires_at: Option<DateTime<Utc>>,
    /// Its idempotency key (unique, kept across DLQ replays).
    pub idempotency_key: String,
    /// Its concurrency key.
    pub concurrency_key: Option<String>,
    /// Whether an expired lease may re-run it.
    pub replay_safe: bool,
    /// How many times it was replayed from the dead-letter queue.
    pub replays: u32,
    /// The message of the last failure.
    pub last_error: Option<String>,
    /// The class of the last failure.
    pub last_error_class: Option<ErrorClass>,
    /// The code of the last failure.
    pub last_error_code: Option<String>,
    /// What it produced, once succeeded.
    pub result: Option<Value>,
    /// When it was enqueued.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When it succeeded or died.
    pub finished_at: Option<DateTime<Utc>>,
}

/// A job leased to a worker. Report its outcome with `attempt_no` and `owner`; if the lease was
/// lost meanwhile, the report is refused and changes nothing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeasedJob {
    /// The job, as it is now (running).
    pub job: Job,
    /// This attempt's number within the round (equals `job.attempts`).
    pub attempt_no: u32,
    /// The lease holder.
    pub owner: String,
    /// When the lease ends unless extended.
    pub lease_expires_at: DateTime<Utc>,
}

/// Why an attempt failed, as classified by the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFailure {
    /// Retriable, terminal or in doubt.
    pub class: ErrorClass,
    /// A short, bounded, machine-readable code (e.g. `rate_limited`, `validation`).
    pub code: String,
    /// A human-readable message, already redacted.
    pub message: String,
}

impl JobFailure {
    /// A failure of `class` with `code` and `message`.
    pub fn new(class: ErrorClass, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            class,
            code: code.into(),
            message: message.into(),
        }
    }
}

/// One attempt at a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// The job.
    pub job_id: JobId,
    /// The round (the job's `replays` when the attempt started).
    pub round: u32,
    /// The attempt's number within its round, from 1.
    pub attempt_no: u32,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// When it ended.
    pub finished_at: Option<DateTime<Utc>>,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// The failure's class.
    pub error_class: Option<ErrorClass>,
    /// The failure's code.
    pub error_code: Option<String>,
    /// The failure's message.
    pub error_message: Option<String>,
    /// When the job was scheduled to run again.
    pub retry_at: Option<DateTime<Utc>>,
}

/// How many jobs are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    /// Pending jobs.
    pub pending: u64,
    /// Running jobs.
    pub running: u64,
    /// Succeeded jobs.
    pub succeeded: u64,
    /// Dead jobs.
    pub dead: u64,
    /// In-doubt jobs.
    pub in_doubt: u64,
    /// Cancelled jobs.
    pub cancelled: u64,
}

/// What [`crate::JobQueue::reclaim_expired`] did with each expired lease.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Reclaimed {
    /// Replay-safe jobs with attempts left: pending again, due now.
    pub requeued: Vec<JobId>,
    /// Unsafe jobs: in doubt, to be resolved by a status query or an operator.
    pub in_doubt: Vec<JobId>,
    /// Replay-safe jobs out of attempts: dead-lettered.
    pub dead_lettered: Vec<JobId>,
}

impl Reclaimed {
    /// Whether no lease had expired.
    pub fn is_empty(&self) -> bool {
        self.requeued.is_empty() && self.in_doubt.is_empty() && self.dead_lettered.is_empty()
    }
}

/// How an in-doubt job is resolved (after a status query or by an operator).
#[derive(Debug, Clone, PartialEq)]
pub enum InDoubtResolution {
    /// The side effect happened: the job succeeded, with this result.
    Succeeded {
        /// What the status query found.
        result: Option<Value>,
    },
    /// The side effect did not happen: run the job again.
    Requeue,
    /// Give up: dead-letter the job with this failure.
    DeadLetter(JobFailure),
}

/// A `jobs` row as selected (the column list every job query returns).
pub(crate) struct JobRow {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: i64,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<i64>,
    pub idempotency_key: String,
    pub concurrency_key: Option<String>,
    pub replay_safe: i64,
    pub replays: i64,
    pub last_error: Option<String>,
    pub last_error_class: Option<String>,
    pub last_error_code: Option<String>,
    pub result: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

impl TryFrom<JobRow> for Job {
    type Error = StoreError;

    fn try_from(row: JobRow) -> Result<Self> {
        Ok(Job {
            id: row.id,
            kind: row.kind,
            payload: serde_json::from_str(&row.payload)?,
            status: row.status.parse()?,
            attempts: to_u32(row.attempts, "jobs.attempts")?,
            max_attempts: to_u32(row.max_attempts, "jobs.max_attempts")?,
            run_at: at(row.run_at),
            lease_owner: row.lease_owner,
            lease_expires_at: at_opt(row.lease_expires_at),
            idempotency_key: row.idempotency_key,
            concurrency_key: row.concurrency_key,
            replay_safe: row.replay_safe != 0,
            replays: to_u32(row.replays, "jobs.replays")?,
            last_error: row.last_error,
            last_error_class: names::error_class_opt(row.last_error_class.as_deref())?,
            last_error_code: row.last_error_code,
            result: row.result.as_deref().map(serde_json::from_str).transpose()?,
            created_at: at(row.created_at),
            updated_at: at(row.updated_at),
            finished_at: at_opt(row.finished_at),
        })
    }
}

/// A `job_attempts` row. It is also the stable shape of the attempt history a dead letter keeps
/// as JSON (times in unix milliseconds), independent of the public [`Attempt`] type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AttemptRow {
    pub id: i64,
    pub job_id: i64,
    pub round: i64,
    pub attempt_no: i64,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub outcome: String,
    pub error_class: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub retry_at: Option<i64>,
}

impl AttemptRow {
    /// Whether the attempt ended in a failure (as opposed to running, success or release).
    pub(crate) fn is_failure(&self) -> bool {
        matches!(
            self.outcome.as_str(),
            "retry" | "dead" | "in_doubt" | "lease_expired"
        )
    }
}

impl TryFrom<AttemptRow> for Attempt {
    type Error = StoreError;

    fn try_from(row: AttemptRow) -> Result<Self> {
        Ok(Attempt {
            job_id: row.job_id,
            round: to_u32(row.round, "job_attempts.round")?,
            attempt_no: to_u32(row.attempt_no, "job_attempts.attempt_no")?,
            started_at: at(row.started_at),
            finished_at: at_opt(row.finished_at),
            outcome: row.outcome.parse()?,
            error_class: names::error_class_opt(row.error_class.as_deref())?,
            error_code: row.error_code,
            error_message: row.error_message,
            retry_at: at_opt(row.retry_at),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for s in JobStatus::ALL {
            assert_eq!(s.as_str().parse::<JobStatus>().ok(), Some(*s));
            assert_eq!(serde_json::to_value(s).ok(), Some(Value::from(s.as_str())));
        }
        for o in AttemptOutcome::ALL {
            assert_eq!(o.as_str().parse::<AttemptOutcome>().ok(), Some(*o));
            assert_eq!(serde_json::to_value(o).ok(), Some(Value::from(o.as_str())));
        }
        assert!("paused".parse::<JobStatus>().is_err());
    }
}
