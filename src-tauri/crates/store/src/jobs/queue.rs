//! Enqueueing, leasing and the lease holder's reports.

use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::model::{AttemptOutcome, Enqueued, Job, JobFailure, JobRow, LeasedJob, NewJob};
use super::{JobQueue, shared};
use crate::dead_letters;
use crate::error::Result;
use crate::ids::{DeadLetterId, JobId};
use crate::require;
use crate::time::{at, lease_until, ms};

impl JobQueue<'_> {
    /// Enqueues `job`. If a job with the same idempotency key exists (in any status), nothing
    /// changes and its id is returned as [`Enqueued::Existing`]. If another live job (pending,
    /// running or in doubt) holds the same (kind, concurrency key), fails with
    /// [`crate::StoreError::Conflict`].
    pub async fn enqueue(&self, job: &NewJob, now: DateTime<Utc>) -> Result<Enqueued> {
        let mut tx = self.store.begin_write().await?;
        let enqueued = shared::enqueue(&mut tx, job, now).await?;
        tx.commit().await?;
        Ok(enqueued)
    }

    /// Enqueues every job in one transaction: all of them or (on an error) none. A later job
    /// with the idempotency key of an earlier one in the same batch is [`Enqueued::Existing`].
    pub async fn enqueue_many(&self, jobs: &[NewJob], now: DateTime<Utc>) -> Result<Vec<Enqueued>> {
        let mut tx = self.store.begin_write().await?;
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            out.push(shared::enqueue(&mut tx, job, now).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// Leases up to `limit` due pending jobs (`run_at <= now`) of the given kinds to `owner` for
    /// `lease_for`, oldest `run_at` first. Atomically, each becomes `running`, its attempt count
    /// goes up by one and a `running` attempt row opens. An empty `kinds` leases nothing.
    pub async fn lease(
        &self,
        owner: &str,
        kinds: &[String],
        limit: u32,
        lease_for: Duration,
        now: DateTime<Utc>,
    ) -> Result<Vec<LeasedJob>> {
        require("owner", owner)?;
        let until = lease_until(now, lease_for)?;
        if kinds.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let kinds = serde_json::to_string(kinds)?;
        let now_ms = ms(now);
        let mut tx = self.store.begin_write().await?;
        let rows = sqlx::query_file_as!(
            JobRow,
            "queries/jobs/lease.sql",
            owner,
            until,
            now_ms,
            kinds,
            i64::from(limit)
        )
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(&rows.iter().map(|r| r.id).collect::<Vec<_>>())?;
        sqlx::query_file!("queries/jobs/insert_running_attempts.sql", ids, now_ms)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;

        let mut jobs = rows.into_iter().map(Job::try_from).collect::<Result<Vec<_>>>()?;
        jobs.sort_by_key(|job| (job.run_at, job.id));
        Ok(jobs
            .into_iter()
            .map(|job| LeasedJob {
                attempt_no: job.attempts,
                owner: owner.to_owned(),
                lease_expires_at: at(until),
                job,
            })
            .collect())
    }

    /// Extends `owner`'s lease on a running job to `now + lease_for` (a heartbeat). `false` if the
    /// job is not running or is leased by someone else.
    pub async fn extend_lease(
        &self,
        id: JobId,
        owner: &str,
        lease_for: Duration,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let until = lease_until(now, lease_for)?;
        let done = sqlx::query_file!("queries/jobs/extend_lease.sql", id, owner, until, ms(now))
            .execute(self.store.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The lease holder reports success: the job is `succeeded` with `result`. `false` (and nothing
    /// changes) if the lease was lost: not running, another owner, or another attempt.
    pub async fn complete(
        &self,
        id: JobId,
        owner: &str,
        attempt_no: u32,
        result: Option<&Value>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let result = result.map(serde_json::to_string).transpose()?;
        let mut tx = self.store.begin_write().await?;
        let done = sqlx::query_file!(
            "queries/jobs/complete.sql",
            id,
            owner,
            i64::from(attempt_no),
            result,
            ms(now)
        )
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        shared::finish_attempt(&mut tx, id, AttemptOutcome::Succeeded, None, None, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The lease holder reports a retriable failure: the job goes back to `pending`, due at
    /// `run_at`, and the attempt ends as `retry`. `false` (nothing changes) if the lease was lost.
    /// Deciding that attempts are exhausted is the caller's job ([`Self::dead_letter`]).
    pub async fn retry_later(
        &self,
        id: JobId,
        owner: &str,
        attempt_no: u32,
        failure: &JobFailure,
        run_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.send_back(id, (owner, attempt_no), failure, run_at, now, 0)
            .await
    }

    /// The lease holder reports that the provider is unavailable (its circuit breaker is open):
    /// the job waits, `pending` until `run_at`, and the attempt, recorded as `retry` with the
    /// failure, is not counted against the job's budget (its `max_attempts` grows by one). An
    /// outage never dead-letters work that nothing was sent for. `false` if the lease was lost.
    pub async fn hold_until(
        &self,
        id: JobId,
        owner: &str,
        attempt_no: u32,
        failure: &JobFailure,
        run_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.send_back(id, (owner, attempt_no), failure, run_at, now, 1)
            .await
    }

    /// Sends a leased job back to `pending` with `extra_attempts` more allowed.
    async fn send_back(
        &self,
        id: JobId,
        (owner, attempt_no): (&str, u32),
        failure: &JobFailure,
        run_at: DateTime<Utc>,
        now: DateTime<Utc>,
        extra_attempts: i64,
    ) -> Result<bool> {
        let mut tx = self.store.begin_write().await?;
        let done = sqlx::query_file!(
            "queries/jobs/retry_later.sql",
            id,
            owner,
            i64::from(attempt_no),
            ms(run_at),
            failure.message,
            failure.class.as_str(),
            failure.code,
            ms(now),
            extra_attempts
        )
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        shared::finish_attempt(
            &mut tx,
            id,
            AttemptOutcome::Retry,
            Some(failure),
            Some(run_at),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The lease holder gives up: in one transaction the job becomes `dead`, the attempt ends as
    /// `dead`, and a dead letter is written with the full payload and every attempt. `None`
    /// (nothing changes) if the lease was lost.
    pub async fn dead_letter(
        &self,
        id: JobId,
        owner: &str,
        attempt_no: u32,
        failure: &JobFailure,
        now: DateTime<Utc>,
    ) -> Result<Option<DeadLetterId>> {
        let mut tx = self.store.begin_write().await?;
        let done = sqlx::query_file!(
            "queries/jobs/mark_dead.sql",
            id,
            owner,
            i64::from(attempt_no),
            failure.message,
            failure.class.as_str(),
            failure.code,
            ms(now)
        )
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        shared::finish_attempt(&mut tx, id, AttemptOutcome::Dead, Some(failure), None, now).await?;
        let dead_letter = dead_letters::insert_for_job(&mut tx, id, failure, now).await?;
        tx.commit().await?;
        Ok(Some(dead_letter))
    }

    /// The lease holder cannot tell whether the side effect happened: the job becomes `in_doubt`
    /// (kept live, never re-run blindly) and the attempt ends as `in_doubt`. `false` (nothing
    /// changes) if the lease was lost.
    pub async fn mark_in_doubt(
        &self,
        id: JobId,
        owner: &str,
        attempt_no: u32,
        failure: &JobFailure,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.store.begin_write().await?;
        let done = sqlx::query_file!(
            "queries/jobs/mark_in_doubt.sql",
            id,
            owner,
            i64::from(attempt_no),
            failure.message,
            failure.class.as_str(),
            failure.code,
            ms(now)
        )
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        shared::finish_attempt(&mut tx, id, AttemptOutcome::InDoubt, Some(failure), None, now).await?;
        tx.commit().await?;
        Ok(true)
    }
}
