//! The inbox (ARCHITECTURE §2): every inbound event — webhook or poll — is stored once, keyed by
//! (source, event id), in the same transaction as the job it causes. A duplicate is acknowledged
//! and ignored.

use chrono::{DateTime, Utc};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::error::Result;
use crate::ids::{InboxId, JobId};
use crate::jobs::{Enqueued, NewJob, shared};
use crate::time::{at, at_opt, ms};
use crate::{Store, require};

/// What [`Inbox::record`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InboxOutcome {
    /// The event is new: it was stored, with its job (if one was given).
    New {
        /// What enqueueing the event's job did.
        job: Option<Enqueued>,
    },
    /// The event was already recorded: nothing changed.
    Duplicate,
}

/// A recorded inbound event.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InboxEvent {
    /// Its row id.
    pub id: InboxId,
    /// Where it came from (`stripe`, `checkout`, …).
    pub source: String,
    /// The source's id for the event.
    pub event_id: String,
    /// The source's event type.
    pub event_type: String,
    /// The event body.
    pub payload: Value,
    /// The job it caused, if any.
    pub job_id: Option<JobId>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// When it was processed.
    pub processed_at: Option<DateTime<Utc>>,
}

/// An inbox event about one provider object, for a timeline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ObjectEvent {
    /// The provider's event id.
    pub event_id: String,
    /// The event type (`charge.succeeded`, `charge.refund.updated`, …).
    pub event_type: String,
    /// When the provider says it happened.
    pub created: Option<DateTime<Utc>>,
    /// When Paysync received it.
    pub received_at: DateTime<Utc>,
    /// When the apply flow was done with it.
    pub processed_at: Option<DateTime<Utc>>,
    /// The snapshot's type (`charge`, `refund`, `dispute`).
    pub object_type: Option<String>,
    /// The snapshot's id.
    pub object_id: Option<String>,
    /// The snapshot's status.
    pub status: Option<String>,
    /// The snapshot's amount in the provider's minor units.
    pub amount: Option<i64>,
    /// The snapshot's currency (lower case, as the provider sends it).
    pub currency: Option<String>,
}

/// An event to record with [`Inbox::record_many`].
#[derive(Debug, Clone)]
pub struct NewInboxEvent {
    /// The source's id for the event.
    pub event_id: String,
    /// The source's event type.
    pub event_type: String,
    /// The event body, as the source sent it: a poller stores a page's events without building
    /// and re-encoding each one's JSON tree.
    pub payload: Box<RawValue>,
}

impl NewInboxEvent {
    /// An event whose body is a JSON value.
    pub fn from_value(
        event_id: impl Into<String>,
        event_type: impl Into<String>,
        payload: &Value,
    ) -> Result<Self> {
        Ok(Self {
            event_id: event_id.into(),
            event_type: event_type.into(),
            payload: serde_json::value::to_raw_value(payload)?,
        })
    }
}

/// An unprocessed event as a consumer reads it: the body is the stored JSON text, left for the
/// consumer to decode into its own types in one pass.
#[derive(Debug, Clone)]
pub struct PendingEvent {
    /// Its row id (consumers page by it).
    pub id: InboxId,
    /// The source's id for the event.
    pub event_id: String,
    /// The source's event type.
    pub event_type: String,
    /// The event body.
    pub payload: Box<RawValue>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
}

/// The inbox of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct Inbox<'a> {
    store: &'a Store,
}

impl<'a> Inbox<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Records an event and enqueues its job, in one transaction. A duplicate (same source and
    /// event id) changes nothing. If the job cannot be enqueued (e.g. a concurrency-key
    /// [`crate::StoreError::Conflict`]), the event is not recorded either.
    pub async fn record(
        &self,
        source: &str,
        event_id: &str,
        event_type: &str,
        payload: &Value,
        job: Option<&NewJob>,
        now: DateTime<Utc>,
    ) -> Result<InboxOutcome> {
        require("source", source)?;
        require("event_id", event_id)?;
        let payload = serde_json::to_string(payload)?;
        let mut tx = self.store.begin_write().await?;
        let inserted = sqlx::query_file_scalar!(
            "queries/inbox/insert.sql",
            source,
            event_id,
            event_type,
            payload,
            ms(now)
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(inbox_id) = inserted else {
            return Ok(InboxOutcome::Duplicate);
        };
        let enqueued = match job {
            Some(job) => {
                let enqueued = shared::enqueue(&mut tx, job, now).await?;
                sqlx::query_file!("queries/inbox/set_job.sql", inbox_id, enqueued.id())
                    .execute(&mut *tx)
                    .await?;
                Some(enqueued)
            }
            None => None,
        };
        tx.commit().await?;
        Ok(InboxOutcome::New { job: enqueued })
    }

    /// Records a page of events from one source in one transaction, without jobs (their
    /// processing reads [`Inbox::unprocessed`]); returns how many were new. Duplicates, within the
    /// page or of earlier deliveries, change nothing.
    pub async fn record_many(
        &self,
        source: &str,
        events: &[NewInboxEvent],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        require("source", source)?;
        for event in events {
            require("event_id", &event.event_id)?;
        }
        let rows: Vec<(&str, &str, &RawValue)> = events
            .iter()
            .map(|e| (e.event_id.as_str(), e.event_type.as_str(), &*e.payload))
            .collect();
        let rows = serde_json::to_string(&rows)?;
        let mut tx = self.store.begin_write().await?;
        let done = sqlx::query_file!("queries/inbox/insert_many.sql", source, rows, ms(now))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Marks the event processed (the first time is kept). `false` if no such event was recorded.
    pub async fn mark_processed(&self, source: &str, event_id: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query_file!("queries/inbox/mark_processed.sql", source, event_id, ms(now))
            .execute(self.store.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Events not yet processed, oldest first.
    pub async fn unprocessed(&self, limit: u32) -> Result<Vec<InboxEvent>> {
        sqlx::query_file_as!(InboxRow, "queries/inbox/unprocessed.sql", i64::from(limit))
            .fetch_all(self.store.pool())
            .await?
            .into_iter()
            .map(InboxEvent::try_from)
            .collect()
    }

    /// Unprocessed events of one source with a row id above `after_id`, in arrival order: a
    /// consumer pages with the last id it read, so events it left unprocessed are not read twice
    /// in one pass.
    pub async fn unprocessed_from(
        &self,
        source: &str,
        after_id: InboxId,
        limit: u32,
    ) -> Result<Vec<PendingEvent>> {
        let rows = sqlx::query_file!(
            "queries/inbox/unprocessed_from.sql",
            source,
            after_id,
            i64::from(limit)
        )
        .fetch_all(self.store.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(PendingEvent {
                    id: r.id,
                    event_id: r.event_id,
                    event_type: r.event_type,
                    payload: RawValue::from_string(r.payload)?,
                    received_at: at(r.received_at),
                })
            })
            .collect()
    }

    /// The events of `source` about `object_id`: its own and those naming it as their charge
    /// (refunds, disputes), in the provider's time order, at most `limit`.
    pub async fn about_object(&self, source: &str, object_id: &str, limit: u32) -> Result<Vec<ObjectEvent>> {
        let rows = sqlx::query_file!(
            "queries/inbox/about_object.sql",
            source,
            object_id,
            i64::from(limit)
        )
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| ObjectEvent {
                event_id: r.event_id,
                event_type: r.event_type,
                created: r.created.and_then(|s| DateTime::from_timestamp(s, 0)),
                received_at: at(r.received_at),
                processed_at: at_opt(r.processed_at),
                object_type: r.object_type,
                object_id: r.object_id,
                status: r.status,
                amount: r.amount,
                currency: r.currency,
            })
            .collect())
    }

    /// How many events of one source are not processed yet.
    pub async fn count_unprocessed(&self, source: &str) -> Result<u64> {
        let n = sqlx::query_file_scalar!("queries/inbox/count_unprocessed.sql", source)
            .fetch_one(self.store.pool())
            .await?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    /// The recorded event, if any.
    pub async fn get(&self, source: &str, event_id: &str) -> Result<Option<InboxEvent>> {
        sqlx::query_file_as!(InboxRow, "queries/inbox/get.sql", source, event_id)
            .fetch_optional(self.store.pool())
            .await?
            .map(InboxEvent::try_from)
            .transpose()
    }
}

struct InboxRow {
    id: i64,
    source: String,
    event_id: String,
    event_type: String,
    payload: String,
    job_id: Option<i64>,
    received_at: i64,
    processed_at: Option<i64>,
}

impl TryFrom<InboxRow> for InboxEvent {
    type Error = crate::StoreError;

    fn try_from(row: InboxRow) -> Result<Self> {
        Ok(InboxEvent {
            id: row.id,
            source: row.source,
            event_id: row.event_id,
            event_type: row.event_type,
            payload: serde_json::from_str(&row.payload)?,
            job_id: row.job_id,
            received_at: at(row.received_at),
            processed_at: at_opt(row.processed_at),
        })
    }
}
