//! The durable job queue (aesthetics §4.10, reliability §2.3).
//!
//! A job is *enqueued* `pending` with a deterministic idempotency key (enqueueing the same key
//! again changes nothing) and optionally a concurrency key (at most one live job per record).
//! A worker *leases* due jobs: the job becomes `running`, owned by the worker until the lease
//! expires, and an attempt row opens. Only the current lease holder — same owner, same attempt
//! number — can then complete it, retry it later, dead-letter it or declare it in doubt; any other
//! report is refused and changes nothing. (A report that arrives after the lease expired is still
//! accepted as long as nothing has reclaimed the job yet: nobody else can have run it.)
//!
//! A lease that expires without a report is *reclaimed*: a replay-safe job with attempts left runs
//! again, one out of attempts is dead-lettered, and a job whose side effect is not safe to repeat
//! becomes `in_doubt` — never re-run blindly — until a status query or an operator resolves it.

mod model;
mod queue;
mod read;
mod recovery;
pub(crate) mod shared;

pub(crate) use model::AttemptRow;
pub use model::{
    Attempt, AttemptOutcome, Enqueued, InDoubtResolution, Job, JobCounts, JobFailure, JobStatus, LeasedJob,
    NewJob, Reclaimed,
};
pub use recovery::LEASE_EXPIRED;
pub use shared::MAX_IDEMPOTENCY_KEY_LEN;

use crate::Store;

/// The job queue of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct JobQueue<'a> {
    store: &'a Store,
}

impl<'a> JobQueue<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }
}
