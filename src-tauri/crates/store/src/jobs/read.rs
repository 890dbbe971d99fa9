//! Reading the queue: single jobs, attempt history, counts, pages.

use chrono::{DateTime, Utc};

use super::model::{Attempt, Job, JobCounts, JobRow, JobStatus};
use super::{JobQueue, shared};
use crate::error::Result;
use crate::ids::JobId;
use crate::time::{at_opt, ms, to_u64};

impl JobQueue<'_> {
    /// The job, if it exists.
    pub async fn get(&self, id: JobId) -> Result<Option<Job>> {
        let mut conn = self.store.pool().acquire().await?;
        shared::get(&mut conn, id).await
    }

    /// Every attempt at the job, oldest first, across DLQ replay rounds.
    pub async fn attempts(&self, id: JobId) -> Result<Vec<Attempt>> {
        let mut conn = self.store.pool().acquire().await?;
        shared::attempt_rows(&mut conn, id)
            .await?
            .into_iter()
            .map(Attempt::try_from)
            .collect()
    }

    /// How many jobs are in each status.
    pub async fn counts(&self) -> Result<JobCounts> {
        let rows = sqlx::query_file!("queries/jobs/counts.sql")
            .fetch_all(self.store.pool())
            .await?;
        let mut counts = JobCounts::default();
        for row in rows {
            let n = to_u64(row.count, "job count")?;
            match row.status.parse::<JobStatus>()? {
                JobStatus::Pending => counts.pending = n,
                JobStatus::Running => counts.running = n,
                JobStatus::Succeeded => counts.succeeded = n,
                JobStatus::Dead => counts.dead = n,
                JobStatus::InDoubt => counts.in_doubt = n,
                JobStatus::Cancelled => counts.cancelled = n,
            }
        }
        Ok(counts)
    }

    /// Jobs, newest first, optionally only those in `status`.
    pub async fn list(&self, status: Option<JobStatus>, limit: u32, offset: u32) -> Result<Vec<Job>> {
        let status = status.map(JobStatus::as_str);
        sqlx::query_file_as!(
            JobRow,
            "queries/jobs/list.sql",
            status,
            i64::from(limit),
            i64::from(offset)
        )
        .fetch_all(self.store.pool())
        .await?
        .into_iter()
        .map(Job::try_from)
        .collect()
    }

    /// The earliest `run_at` of any pending job (when a worker should next look), if any.
    pub async fn next_run_at(&self) -> Result<Option<DateTime<Utc>>> {
        let next = sqlx::query_file_scalar!("queries/jobs/next_run_at.sql")
            .fetch_one(self.store.pool())
            .await?;
        Ok(at_opt(next))
    }

    /// How many running jobs have a lease that ended before `now` (waiting to be reclaimed).
    pub async fn running_past_lease(&self, now: DateTime<Utc>) -> Result<u64> {
        let n = sqlx::query_file_scalar!("queries/jobs/running_past_lease.sql", ms(now))
            .fetch_one(self.store.pool())
            .await?;
        to_u64(n, "running_past_lease")
    }
}
