//! The contract between the job runner and the code that does a job's work.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use paysync_core::{ErrorClass, SharedClock, SharedRandom};
use paysync_store::Job;
use serde_json::Value;

use crate::classify::{Classification, Failure, RetrySafety, classify};

/// What a handler gets besides the job itself.
#[derive(Debug, Clone)]
pub struct JobContext {
    /// The store (a handler that applies state records what it applied).
    pub store: paysync_store::Store,
    /// Injected time.
    pub clock: SharedClock,
    /// Injected randomness.
    pub rng: SharedRandom,
    /// This attempt's number, starting at 1.
    pub attempt: u32,
}

/// Why an attempt failed, already classified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct JobError {
    /// Retriable, terminal or in doubt.
    pub class: ErrorClass,
    /// A short stable code for grouping.
    pub code: String,
    /// A human-readable explanation naming the record and field where there is one.
    pub message: String,
    /// The earliest time to try again that the provider asked for.
    pub retry_after: Option<Duration>,
    /// Set when the provider's circuit breaker stopped the call: nothing was sent, and the job
    /// waits until then without spending an attempt.
    pub held_until: Option<DateTime<Utc>>,
}

impl JobError {
    /// Classifies an observed failure for an operation of the given safety.
    pub fn from_failure(failure: &Failure, safety: RetrySafety, message: impl Into<String>) -> Self {
        let Classification {
            class,
            code,
            retry_after,
        } = classify(failure, safety);
        let held_until = match failure {
            Failure::Unavailable { until } => Some(*until),
            _ => None,
        };
        Self {
            class,
            code,
            message: message.into(),
            retry_after,
            held_until,
        }
    }

    /// A failure that retrying cannot fix.
    pub fn terminal(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            class: ErrorClass::Terminal,
            code: code.into(),
            message: message.into(),
            retry_after: None,
            held_until: None,
        }
    }

    /// A failure that may clear up.
    pub fn retriable(
        code: impl Into<String>,
        message: impl Into<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        Self {
            class: ErrorClass::Retriable,
            code: code.into(),
            message: message.into(),
            retry_after,
            held_until: None,
        }
    }
}

/// The answer to "did this in-doubt side effect happen?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusCheck {
    /// It happened; here is what the provider reports.
    Done(Option<Value>),
    /// It certainly did not happen: safe to run the job again.
    NotDone,
    /// No way to tell yet: leave it for the next check or a person.
    Unknown,
}

/// The code that does one kind of job.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// The job kind this handler runs, e.g. `stripe.sync_event`.
    fn kind(&self) -> &str;

    /// How safe the job is to run again after a crash mid-attempt. Anything other than
    /// `ReadOnly`/`ReplaySafe` makes an expired lease put the job in doubt instead of re-running it.
    fn retry_safety(&self) -> RetrySafety;

    /// Does the work once. Returns a result to store with the job, or a classified error.
    async fn run(&self, ctx: &JobContext, job: &Job) -> Result<Option<Value>, JobError>;

    /// Asks the provider whether an in-doubt job's side effect happened.
    async fn check_status(&self, _ctx: &JobContext, _job: &Job) -> Result<StatusCheck, JobError> {
        Ok(StatusCheck::Unknown)
    }

    /// What running a job with `payload` would write, field by field against the target's
    /// current state, without writing (the preview before a replay). `None` when this kind has
    /// no preview.
    async fn preview(&self, _ctx: &JobContext, _payload: &Value) -> Result<Option<Value>, JobError> {
        Ok(None)
    }
}
