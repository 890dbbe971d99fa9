//! Job-queue steps that run inside a caller's transaction, shared by the queue, the inbox and the
//! dead-letter queue so each rule has one implementation.

use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;

use super::model::{AttemptOutcome, AttemptRow, Enqueued, Job, JobFailure, JobRow, NewJob};
use crate::error::{Result, StoreError, is_unique_violation};
use crate::ids::JobId;
use crate::require;
use crate::time::ms;

/// The longest idempotency key accepted (Stripe's limit).
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 255;

/// Validates and enqueues `job` (see [`crate::JobQueue::enqueue`]).
pub(crate) async fn enqueue(
    conn: &mut SqliteConnection,
    job: &NewJob,
    now: DateTime<Utc>,
) -> Result<Enqueued> {
    validate(job)?;
    let existing = sqlx::query_file_scalar!("queries/jobs/find_by_idempotency_key.sql", job.idempotency_key)
        .fetch_optional(&mut *conn)
        .await?;
    if let Some(id) = existing {
        return Ok(Enqueued::Existing(id));
    }
    if let Some(key) = &job.concurrency_key {
        ensure_no_live_job(conn, &job.kind, key, None).await?;
    }
    let payload = serde_json::to_string(&job.payload)?;
    let now = ms(now);
    let id = sqlx::query_file_scalar!(
        "queries/jobs/insert.sql",
        job.kind,
        payload,
        i64::from(job.max_attempts),
        ms(job.run_at),
        job.idempotency_key,
        job.concurrency_key,
        job.replay_safe,
        now,
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            StoreError::Conflict {
                what: format!(
                    "job {:?} clashes with an existing job: {err}",
                    job.idempotency_key
                ),
            }
        } else {
            err.into()
        }
    })?;
    Ok(Enqueued::Created(id))
}

fn validate(job: &NewJob) -> Result<()> {
    require("kind", &job.kind)?;
    require("idempotency_key", &job.idempotency_key)?;
    if job.idempotency_key.len() > MAX_IDEMPOTENCY_KEY_LEN {
        return Err(StoreError::validation(
            "idempotency_key",
            format!("longer than {MAX_IDEMPOTENCY_KEY_LEN} bytes"),
        ));
    }
    if let Some(key) = &job.concurrency_key {
        require("concurrency_key", key)?;
    }
    if job.max_attempts == 0 {
        return Err(StoreError::validation("max_attempts", "must be at least 1"));
    }
    Ok(())
}

/// Fails with [`StoreError::Conflict`] if a live job other than `except` holds (kind, key).
pub(crate) async fn ensure_no_live_job(
    conn: &mut SqliteConnection,
    kind: &str,
    key: &str,
    except: Option<JobId>,
) -> Result<()> {
    let live = sqlx::query_file_scalar!("queries/jobs/find_live_by_concurrency_key.sql", kind, key)
        .fetch_optional(&mut *conn)
        .await?;
    match live {
        Some(other) if Some(other) != except => Err(StoreError::Conflict {
            what: format!("job {other} of kind {kind:?} is still live for concurrency key {key:?}"),
        }),
        _ => Ok(()),
    }
}

/// The job, if it exists.
pub(crate) async fn get(conn: &mut SqliteConnection, id: JobId) -> Result<Option<Job>> {
    sqlx::query_file_as!(JobRow, "queries/jobs/get.sql", id)
        .fetch_optional(&mut *conn)
        .await?
        .map(Job::try_from)
        .transpose()
}

/// The job, which must exist.
pub(crate) async fn get_existing(conn: &mut SqliteConnection, id: JobId) -> Result<Job> {
    get(conn, id).await?.ok_or_else(|| StoreError::NotFound {
        what: "job",
        id: id.to_string(),
    })
}

/// Every attempt row of the job, oldest first.
pub(crate) async fn attempt_rows(conn: &mut SqliteConnection, id: JobId) -> Result<Vec<AttemptRow>> {
    Ok(sqlx::query_file_as!(AttemptRow, "queries/jobs/attempts.sql", id)
        .fetch_all(&mut *conn)
        .await?)
}

/// Closes the job's running attempt with `outcome`.
pub(crate) async fn finish_attempt(
    conn: &mut SqliteConnection,
    id: JobId,
    outcome: AttemptOutcome,
    failure: Option<&JobFailure>,
    retry_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    let closed = sqlx::query_file!(
        "queries/jobs/finish_attempt.sql",
        id,
        outcome.as_str(),
        ms(now),
        failure.map(|f| f.class.as_str()),
        failure.map(|f| f.code.as_str()),
        failure.map(|f| f.message.as_str()),
        retry_at.map(ms),
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if closed != 1 {
        // The lease guard already matched, so this means the history is incomplete; the job's
        // own transition still stands.
        tracing::warn!(
            job_id = id,
            outcome = outcome.as_str(),
            closed,
            "Job had no running attempt to close."
        );
    }
    Ok(())
}
