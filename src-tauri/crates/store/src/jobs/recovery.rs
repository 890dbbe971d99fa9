//! Recovering jobs whose worker went away, and resolving jobs in doubt.

use chrono::{DateTime, Utc};
use paysync_core::ErrorClass;
use serde_json::json;

use super::model::{AttemptOutcome, InDoubtResolution, JobFailure, JobStatus, Reclaimed};
use super::{JobQueue, shared};
use crate::audit::{self, NewAuditEntry};
use crate::dead_letters;
use crate::error::{Result, StoreError};
use crate::ids::JobId;
use crate::require;
use crate::time::{at, ms};

/// The error code of an attempt whose lease expired.
pub const LEASE_EXPIRED: &str = "lease_expired";

impl JobQueue<'_> {
    /// Reclaims every running job whose lease ended before `now`, in one transaction. Each open
    /// attempt ends as `lease_expired`; then a replay-safe job with attempts left goes back to
    /// `pending` (due now), a replay-safe job out of attempts is dead-lettered (class retriable,
    /// code `lease_expired`), and a job that is not replay-safe becomes `in_doubt`.
    pub async fn reclaim_expired(&self, now: DateTime<Utc>) -> Result<Reclaimed> {
        let now_ms = ms(now);
        let mut tx = self.store.begin_write().await?;
        let expired = sqlx::query_file!("queries/jobs/expired_leases.sql", now_ms)
            .fetch_all(&mut *tx)
            .await?;
        let mut reclaimed = Reclaimed::default();
        for job in expired {
            let (id, owner, attempts) = (job.id, job.lease_owner.as_str(), job.attempts);
            let message = format!(
                "the lease held by {owner} expired at {}",
                at(job.lease_expires_at).to_rfc3339()
            );
            if job.replay_safe == 0 {
                let failure = JobFailure::new(ErrorClass::InDoubt, LEASE_EXPIRED, message);
                sqlx::query_file!(
                    "queries/jobs/mark_in_doubt.sql",
                    id,
                    owner,
                    attempts,
                    failure.message,
                    failure.class.as_str(),
                    failure.code,
                    now_ms
                )
                .execute(&mut *tx)
                .await?;
                shared::finish_attempt(
                    &mut tx,
                    id,
                    AttemptOutcome::LeaseExpired,
                    Some(&failure),
                    None,
                    now,
                )
                .await?;
                reclaimed.in_doubt.push(id);
            } else if attempts < job.max_attempts {
                let failure = JobFailure::new(ErrorClass::Retriable, LEASE_EXPIRED, message);
                sqlx::query_file!(
                    "queries/jobs/retry_later.sql",
                    id,
                    owner,
                    attempts,
                    now_ms,
                    failure.message,
                    failure.class.as_str(),
                    failure.code,
                    now_ms,
                    0_i64
                )
                .execute(&mut *tx)
                .await?;
                shared::finish_attempt(
                    &mut tx,
                    id,
                    AttemptOutcome::LeaseExpired,
                    Some(&failure),
                    Some(now),
                    now,
                )
                .await?;
                reclaimed.requeued.push(id);
            } else {
                let failure = JobFailure::new(ErrorClass::Retriable, LEASE_EXPIRED, message);
                sqlx::query_file!(
                    "queries/jobs/mark_dead.sql",
                    id,
                    owner,
                    attempts,
                    failure.message,
                    failure.class.as_str(),
                    failure.code,
                    now_ms
                )
                .execute(&mut *tx)
                .await?;
                shared::finish_attempt(
                    &mut tx,
                    id,
                    AttemptOutcome::LeaseExpired,
                    Some(&failure),
                    None,
                    now,
                )
                .await?;
                dead_letters::insert_for_job(&mut tx, id, &failure, now).await?;
                reclaimed.dead_lettered.push(id);
            }
        }
        tx.commit().await?;
        if !reclaimed.is_empty() {
            tracing::info!(
                requeued = reclaimed.requeued.len(),
                in_doubt = reclaimed.in_doubt.len(),
                dead_lettered = reclaimed.dead_lettered.len(),
                "Reclaimed expired job leases."
            );
        }
        Ok(reclaimed)
    }

    /// Graceful shutdown: every job `owner` is running goes back to `pending` (keeping its
    /// `run_at`, so it keeps its place), its attempt ends as `released` and does not count.
    /// Returns how many jobs were released.
    pub async fn release(&self, owner: &str, now: DateTime<Utc>) -> Result<u64> {
        require("owner", owner)?;
        let now_ms = ms(now);
        let mut tx = self.store.begin_write().await?;
        sqlx::query_file!("queries/jobs/release_attempts.sql", owner, now_ms)
            .execute(&mut *tx)
            .await?;
        let released = sqlx::query_file!("queries/jobs/release.sql", owner, now_ms)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(released.rows_affected())
    }

    /// Resolves an `in_doubt` job (after a status query, or by operator `actor`): succeeded,
    /// pending again (due now), or dead-lettered. Writes an audit entry in the same transaction.
    /// Fails with [`StoreError::InvalidState`] unless the job is in doubt.
    pub async fn resolve_in_doubt(
        &self,
        id: JobId,
        resolution: InDoubtResolution,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        require("actor", actor)?;
        let now_ms = ms(now);
        let mut tx = self.store.begin_write().await?;
        let job = shared::get_existing(&mut tx, id).await?;
        if job.status != JobStatus::InDoubt {
            return Err(StoreError::InvalidState {
                what: format!("job {id} is {}; only an in_doubt job can be resolved", job.status),
            });
        }
        let mut details = json!({
            "job_id": id,
            "kind": job.kind,
            "idempotency_key": job.idempotency_key,
        });
        let changed = match &resolution {
            InDoubtResolution::Succeeded { result } => {
                details["resolution"] = json!("succeeded");
                let result = result.as_ref().map(serde_json::to_string).transpose()?;
                sqlx::query_file!("queries/jobs/resolve_succeeded.sql", id, result, now_ms)
                    .execute(&mut *tx)
                    .await?
            }
            InDoubtResolution::Requeue => {
                details["resolution"] = json!("requeue");
                sqlx::query_file!("queries/jobs/resolve_requeue.sql", id, now_ms)
                    .execute(&mut *tx)
                    .await?
            }
            InDoubtResolution::DeadLetter(failure) => {
                details["resolution"] = json!("dead_letter");
                details["error_code"] = json!(failure.code);
                let changed = sqlx::query_file!(
                    "queries/jobs/resolve_dead.sql",
                    id,
                    failure.message,
                    failure.class.as_str(),
                    failure.code,
                    now_ms
                )
                .execute(&mut *tx)
                .await?;
                let dead_letter = dead_letters::insert_for_job(&mut tx, id, failure, now).await?;
                details["dead_letter_id"] = json!(dead_letter);
                changed
            }
        };
        if changed.rows_affected() != 1 {
            return Err(StoreError::InvalidState {
                what: format!("job {id} changed while it was being resolved"),
            });
        }
        let entry = NewAuditEntry {
            actor: actor.to_owned(),
            action: "job.resolve_in_doubt".to_owned(),
            subject: format!("job:{id}"),
            details,
        };
        audit::append_in_tx(&mut tx, self.store.audit_key(), &entry, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
