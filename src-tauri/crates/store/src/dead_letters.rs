//! The dead-letter queue (reliability §2.4): jobs that failed for good, kept with their full
//! payload, the original enqueue time, the first failure time and every attempt, for an operator
//! to *replay* (the same job row, the same idempotency key, optionally a corrected payload) or
//! *discard* with a reason. Dead letters are never deleted (the database refuses it too).

use chrono::{DateTime, Utc};
use paysync_core::ErrorClass;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::SqliteConnection;

use crate::audit::{self, NewAuditEntry};
use crate::error::{Result, StoreError, is_unique_violation};
use crate::ids::{DeadLetterId, JobId};
use crate::jobs::shared;
use crate::jobs::{Attempt, AttemptRow, JobFailure, JobStatus};
use crate::names::{self, string_enum};
use crate::time::{at, at_opt, ms, to_u64};
use crate::{Page, Store, require};

string_enum! {
    /// Where a dead letter is in its review.
    pub enum DeadLetterStatus: "dead-letter status" {
        /// Waiting for an operator.
        Open = "open",
        /// Sent back to the queue.
        Replayed = "replayed",
        /// Given up on, with a reason.
        Discarded = "discarded",
    }
}

/// Which dead letters to list; `None` fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeadLetterFilter {
    /// Only this status.
    pub status: Option<DeadLetterStatus>,
    /// Only this job kind.
    pub kind: Option<String>,
    /// Only this error code.
    pub error_code: Option<String>,
    /// Only these job kinds (a provider's flows).
    pub kinds: Option<Vec<String>>,
    /// Only failures about this object (`customer`, `charge`, `Account`, `Payment_Request__c`, …).
    pub object: Option<String>,
    /// Only failures parked at or after this time.
    pub parked_from: Option<DateTime<Utc>>,
    /// Only failures parked before this time.
    pub parked_before: Option<DateTime<Utc>>,
}

/// A filter's narrowing as the queries bind it: kinds (a JSON array), object, parked from and
/// before (ms).
type Narrowing<'a> = (Option<String>, Option<&'a str>, Option<i64>, Option<i64>);

impl DeadLetterFilter {
    /// The narrowing filters as the queries take them: kinds as a JSON array, times in ms.
    fn narrowing(&self) -> Result<Narrowing<'_>> {
        Ok((
            self.kinds.as_ref().map(serde_json::to_string).transpose()?,
            self.object.as_deref(),
            self.parked_from.map(ms),
            self.parked_before.map(ms),
        ))
    }
}

/// Dead letters that share a root cause: the same job kind and error code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeadLetterGroup {
    /// The job kind (which flow's records).
    pub kind: String,
    /// The error code.
    pub error_code: String,
    /// How many.
    pub count: u64,
    /// When the oldest was parked.
    pub oldest: DateTime<Utc>,
    /// One of their messages.
    pub sample_message: String,
}

/// A dead letter: the failed job's evidence and its review.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DeadLetter {
    /// Its id.
    pub id: DeadLetterId,
    /// The job that failed.
    pub job_id: JobId,
    /// The job's kind.
    pub kind: String,
    /// The job's full payload when it failed.
    pub payload: Value,
    /// The job's idempotency key (a replay reuses it).
    pub idempotency_key: String,
    /// The final failure's class.
    pub error_class: ErrorClass,
    /// The final failure's code.
    pub error_code: String,
    /// The final failure's message.
    pub error_message: String,
    /// Every attempt at the job up to the failure, oldest first.
    pub attempts: Vec<Attempt>,
    /// When the job was first enqueued.
    pub job_created_at: DateTime<Utc>,
    /// When the failing round's first attempt failed.
    pub first_failed_at: DateTime<Utc>,
    /// When the job was dead-lettered.
    pub created_at: DateTime<Utc>,
    /// When the dead letter last changed.
    pub updated_at: DateTime<Utc>,
    /// Where it is in its review.
    pub status: DeadLetterStatus,
    /// Why it was discarded (or how it was replayed).
    pub resolution_reason: Option<String>,
    /// Who replayed or discarded it.
    pub resolved_by: Option<String>,
    /// When it was replayed or discarded.
    pub resolved_at: Option<DateTime<Utc>>,
    /// What the failure is about, read from its payload (`customer`, `charge`, `Account`,
    /// `Payment_Request__c`, …), when known.
    pub object: Option<String>,
}

/// The dead-letter queue of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct DeadLetters<'a> {
    store: &'a Store,
}

impl<'a> DeadLetters<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Dead letters matching `filter`, newest first, with the total count. The query follows
    /// the filter (a root cause, a status, or all), so each walks the index made for it.
    pub async fn list(&self, filter: &DeadLetterFilter, limit: u32, offset: u32) -> Result<Page<DeadLetter>> {
        let status = filter.status.map(DeadLetterStatus::as_str);
        let (kinds, object, from, before) = filter.narrowing()?;
        let (limit, offset) = (i64::from(limit), i64::from(offset));
        let pool = self.store.pool();
        let (total, rows) = match (status, filter.kind.as_deref(), filter.error_code.as_deref()) {
            // An object is rarer than a root cause is large: its own index finds its rows.
            (Some(status), kind, code) if object.is_some() && (kind.is_none() || code.is_none()) => (
                sqlx::query_file_scalar!(
                    "queries/dead_letters/count_object.sql",
                    status,
                    object,
                    kind,
                    code,
                    kinds,
                    from,
                    before
                )
                .fetch_one(pool)
                .await?,
                sqlx::query_file_as!(
                    DeadLetterRow,
                    "queries/dead_letters/list_object.sql",
                    status,
                    object,
                    kind,
                    code,
                    limit,
                    offset,
                    kinds,
                    from,
                    before
                )
                .fetch_all(pool)
                .await?,
            ),
            (Some(status), Some(kind), Some(code)) => (
                sqlx::query_file_scalar!(
                    "queries/dead_letters/count_cause.sql",
                    status,
                    kind,
                    code,
                    kinds,
                    object,
                    from,
                    before
                )
                .fetch_one(pool)
                .await?,
                sqlx::query_file_as!(
                    DeadLetterRow,
                    "queries/dead_letters/list_cause.sql",
                    status,
                    kind,
                    code,
                    limit,
                    offset,
                    kinds,
                    object,
                    from,
                    before
                )
                .fetch_all(pool)
                .await?,
            ),
            (Some(status), kind, code) => (
                sqlx::query_file_scalar!(
                    "queries/dead_letters/count_status.sql",
                    status,
                    kind,
                    code,
                    kinds,
                    object,
                    from,
                    before
                )
                .fetch_one(pool)
                .await?,
                sqlx::query_file_as!(
                    DeadLetterRow,
                    "queries/dead_letters/list_status.sql",
                    status,
                    kind,
                    code,
                    limit,
                    offset,
                    kinds,
                    object,
                    from,
                    before
                )
                .fetch_all(pool)
                .await?,
            ),
            (None, kind, code) => (
                sqlx::query_file_scalar!(
                    "queries/dead_letters/count.sql",
                    status,
                    kind,
                    code,
                    kinds,
                    object,
                    from,
                    before
                )
                .fetch_one(pool)
                .await?,
                sqlx::query_file_as!(
                    DeadLetterRow,
                    "queries/dead_letters/list.sql",
                    status,
                    kind,
                    code,
                    limit,
                    offset,
                    kinds,
                    object,
                    from,
                    before
                )
                .fetch_all(pool)
                .await?,
            ),
        };
        let items = rows
            .into_iter()
            .map(DeadLetter::try_from)
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            total: to_u64(total, "dead letter count")?,
            items,
        })
    }

    /// Dead letters grouped by root cause (kind and error code), largest group first: of one
    /// status, or all.
    pub async fn groups(&self, status: Option<DeadLetterStatus>, limit: u32) -> Result<Vec<DeadLetterGroup>> {
        let filter = DeadLetterFilter {
            status,
            ..DeadLetterFilter::default()
        };
        self.groups_in(&filter, limit).await
    }

    /// Dead letters matching `filter`'s status and narrowing filters (provider kinds, object,
    /// age) grouped by root cause, largest group first. Its kind and error code are ignored: they
    /// are what a group is.
    pub async fn groups_in(&self, filter: &DeadLetterFilter, limit: u32) -> Result<Vec<DeadLetterGroup>> {
        let limit = i64::from(limit);
        let (kinds, object, from, before) = filter.narrowing()?;
        let pool = self.store.pool();
        let rows = match filter.status.map(DeadLetterStatus::as_str) {
            Some(status) if object.is_some() => {
                sqlx::query_file_as!(
                    GroupRow,
                    "queries/dead_letters/groups_object.sql",
                    status,
                    object,
                    limit,
                    kinds,
                    from,
                    before
                )
                .fetch_all(pool)
                .await?
            }
            Some(status) => {
                sqlx::query_file_as!(
                    GroupRow,
                    "queries/dead_letters/groups_status.sql",
                    status,
                    limit,
                    kinds,
                    object,
                    from,
                    before
                )
                .fetch_all(pool)
                .await?
            }
            None => {
                sqlx::query_file_as!(
                    GroupRow,
                    "queries/dead_letters/groups.sql",
                    None::<&str>,
                    limit,
                    kinds,
                    object,
                    from,
                    before
                )
                .fetch_all(pool)
                .await?
            }
        };
        rows.into_iter()
            .map(|r| {
                Ok(DeadLetterGroup {
                    kind: r.kind,
                    error_code: r.error_code,
                    count: to_u64(r.count, "dead letter group count")?,
                    oldest: at(r.oldest),
                    sample_message: r.sample,
                })
            })
            .collect()
    }

    /// The dead letter, if it exists.
    pub async fn get(&self, id: DeadLetterId) -> Result<Option<DeadLetter>> {
        let mut conn = self.store.pool().acquire().await?;
        get(&mut conn, id).await
    }

    /// Replays an open dead letter: its job goes back to `pending`, due now, with a fresh round of
    /// attempts and the same idempotency key; the payload is replaced by `corrected_payload` if
    /// given. The dead letter becomes `replayed`, and a `dlq.replay` audit entry is written, all in
    /// one transaction. Returns the job's id.
    pub async fn replay(
        &self,
        id: DeadLetterId,
        corrected_payload: Option<&Value>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<JobId> {
        require("actor", actor)?;
        let corrected = corrected_payload.map(serde_json::to_string).transpose()?;
        let now_ms = ms(now);
        let mut tx = self.store.begin_write().await?;
        let dead_letter = get_open(&mut tx, id, "replayed").await?;
        let job = dead_job(&mut tx, &dead_letter).await?;
        if let Some(key) = &job.concurrency_key {
            shared::ensure_no_live_job(&mut tx, &job.kind, key, Some(job.id)).await?;
        }
        let requeued = sqlx::query_file!("queries/jobs/replay.sql", job.id, now_ms, corrected)
            .execute(&mut *tx)
            .await?;
        if requeued.rows_affected() != 1 {
            return Err(StoreError::InvalidState {
                what: format!("job {} changed during the replay", job.id),
            });
        }
        let reason = if corrected.is_some() {
            "replayed with a corrected payload"
        } else {
            "replayed"
        };
        close(&mut tx, id, DeadLetterStatus::Replayed, reason, actor, now).await?;
        let mut details = json!({
            "job_id": job.id,
            "kind": job.kind,
            "idempotency_key": job.idempotency_key,
            "corrected": corrected.is_some(),
            "payload_sha256": sha256_json(&job.payload)?,
        });
        if let Some(payload) = corrected_payload {
            details["corrected_payload_sha256"] = json!(sha256_json(payload)?);
        }
        let entry = NewAuditEntry {
            actor: actor.to_owned(),
            action: "dlq.replay".to_owned(),
            subject: format!("dead_letter:{id}"),
            details,
        };
        audit::append_in_tx(&mut tx, self.store.audit_key(), &entry, now).await?;
        tx.commit().await?;
        Ok(job.id)
    }

    /// Discards an open dead letter for `reason` (required): its job becomes `cancelled`, the dead
    /// letter `discarded`, and a `dlq.discard` audit entry is written, in one transaction. The dead
    /// letter itself is kept.
    pub async fn discard(
        &self,
        id: DeadLetterId,
        reason: &str,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::validation(
                "reason",
                "a discarded dead letter needs a reason",
            ));
        }
        require("actor", actor)?;
        let mut tx = self.store.begin_write().await?;
        let dead_letter = get_open(&mut tx, id, "discarded").await?;
        let job = dead_job(&mut tx, &dead_letter).await?;
        let cancelled = sqlx::query_file!("queries/jobs/cancel.sql", job.id, ms(now))
            .execute(&mut *tx)
            .await?;
        if cancelled.rows_affected() != 1 {
            return Err(StoreError::InvalidState {
                what: format!("job {} changed during the discard", job.id),
            });
        }
        close(&mut tx, id, DeadLetterStatus::Discarded, reason, actor, now).await?;
        let entry = NewAuditEntry {
            actor: actor.to_owned(),
            action: "dlq.discard".to_owned(),
            subject: format!("dead_letter:{id}"),
            details: json!({
                "job_id": job.id,
                "kind": job.kind,
                "idempotency_key": job.idempotency_key,
                "reason": reason,
            }),
        };
        audit::append_in_tx(&mut tx, self.store.audit_key(), &entry, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The objects a status's dead letters are about, with how many each (the object filter's
    /// choices), by name.
    pub async fn objects(&self, status: DeadLetterStatus) -> Result<Vec<(String, u64)>> {
        sqlx::query_file!("queries/dead_letters/objects.sql", status.as_str())
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(|r| Ok((r.object, to_u64(r.count, "dead letters of an object")?)))
            .collect()
    }

    /// How many dead letters are open, and when the oldest open one was created.
    pub async fn open_summary(&self) -> Result<(u64, Option<DateTime<Utc>>)> {
        let row = sqlx::query_file!("queries/dead_letters/open_summary.sql")
            .fetch_one(self.store.pool())
            .await?;
        Ok((to_u64(row.open, "open dead letters")?, at_opt(row.oldest)))
    }
}

/// Writes the dead letter of job `job_id`, which was just marked dead in this transaction: its
/// current payload, every attempt so far, and `failure`.
pub(crate) async fn insert_for_job(
    conn: &mut SqliteConnection,
    job_id: JobId,
    failure: &JobFailure,
    now: DateTime<Utc>,
) -> Result<DeadLetterId> {
    let job = shared::get_existing(conn, job_id).await?;
    let attempts = shared::attempt_rows(conn, job_id).await?;
    let round = i64::from(job.replays);
    let first_failed_at = attempts
        .iter()
        .filter(|a| a.round == round && a.is_failure())
        .filter_map(|a| a.finished_at)
        .min()
        .unwrap_or(ms(now));
    let payload = serde_json::to_string(&job.payload)?;
    let attempts = serde_json::to_string(&attempts)?;
    sqlx::query_file_scalar!(
        "queries/dead_letters/insert.sql",
        job_id,
        job.kind,
        payload,
        job.idempotency_key,
        failure.class.as_str(),
        failure.code,
        failure.message,
        attempts,
        ms(job.created_at),
        first_failed_at,
        ms(now)
    )
    .fetch_one(&mut *conn)
    .await
    .map_err(|err| {
        if is_unique_violation(&err) {
            StoreError::Conflict {
                what: format!("job {job_id} already has an open dead letter"),
            }
        } else {
            err.into()
        }
    })
}

async fn get(conn: &mut SqliteConnection, id: DeadLetterId) -> Result<Option<DeadLetter>> {
    sqlx::query_file_as!(DeadLetterRow, "queries/dead_letters/get.sql", id)
        .fetch_optional(&mut *conn)
        .await?
        .map(DeadLetter::try_from)
        .transpose()
}

/// The dead letter, which must exist and be open (`to` names the attempted transition).
async fn get_open(conn: &mut SqliteConnection, id: DeadLetterId, to: &str) -> Result<DeadLetter> {
    let dead_letter = get(conn, id).await?.ok_or_else(|| StoreError::NotFound {
        what: "dead letter",
        id: id.to_string(),
    })?;
    if dead_letter.status != DeadLetterStatus::Open {
        return Err(StoreError::InvalidState {
            what: format!(
                "dead letter {id} is {}; only an open dead letter can be {to}",
                dead_letter.status
            ),
        });
    }
    Ok(dead_letter)
}

/// The dead letter's job, which must still be dead.
async fn dead_job(conn: &mut SqliteConnection, dead_letter: &DeadLetter) -> Result<crate::jobs::Job> {
    let job = shared::get_existing(conn, dead_letter.job_id).await?;
    if job.status != JobStatus::Dead {
        return Err(StoreError::InvalidState {
            what: format!(
                "job {} of dead letter {} is {}, not dead",
                job.id, dead_letter.id, job.status
            ),
        });
    }
    Ok(job)
}

async fn close(
    conn: &mut SqliteConnection,
    id: DeadLetterId,
    status: DeadLetterStatus,
    reason: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let closed = sqlx::query_file!(
        "queries/dead_letters/resolve.sql",
        id,
        status.as_str(),
        reason,
        actor,
        ms(now)
    )
    .execute(&mut *conn)
    .await?;
    if closed.rows_affected() != 1 {
        return Err(StoreError::InvalidState {
            what: format!("dead letter {id} changed while being {status}"),
        });
    }
    Ok(())
}

/// The hex SHA-256 of a JSON value's serialization (names a payload in the audit log without
/// copying it there).
fn sha256_json(value: &Value) -> Result<String> {
    Ok(hex::encode(Sha256::digest(serde_json::to_vec(value)?)))
}

/// One root cause's row, as every group query returns it.
struct GroupRow {
    kind: String,
    error_code: String,
    count: i64,
    oldest: i64,
    sample: String,
}

struct DeadLetterRow {
    id: i64,
    job_id: i64,
    kind: String,
    payload: String,
    idempotency_key: String,
    error_class: String,
    error_code: String,
    error_message: String,
    attempts: String,
    job_created_at: i64,
    first_failed_at: i64,
    created_at: i64,
    updated_at: i64,
    status: String,
    resolution_reason: Option<String>,
    resolved_by: Option<String>,
    resolved_at: Option<i64>,
    object: Option<String>,
}

impl TryFrom<DeadLetterRow> for DeadLetter {
    type Error = StoreError;

    fn try_from(row: DeadLetterRow) -> Result<Self> {
        let attempts: Vec<AttemptRow> = serde_json::from_str(&row.attempts)?;
        Ok(DeadLetter {
            id: row.id,
            job_id: row.job_id,
            kind: row.kind,
            payload: serde_json::from_str(&row.payload)?,
            idempotency_key: row.idempotency_key,
            error_class: names::error_class(&row.error_class)?,
            error_code: row.error_code,
            error_message: row.error_message,
            attempts: attempts
                .into_iter()
                .map(Attempt::try_from)
                .collect::<Result<_>>()?,
            job_created_at: at(row.job_created_at),
            first_failed_at: at(row.first_failed_at),
            created_at: at(row.created_at),
            updated_at: at(row.updated_at),
            status: row.status.parse()?,
            resolution_reason: row.resolution_reason,
            resolved_by: row.resolved_by,
            resolved_at: at_opt(row.resolved_at),
            object: row.object,
        })
    }
}
