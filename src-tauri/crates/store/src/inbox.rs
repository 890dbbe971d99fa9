//! The inbox (ARCHITECTURE §2): every inbound event — webhook or poll — is stored once, keyed by
//! (source, event id), in the same transaction as the job it causes. A duplicate is acknowledged
//! and ignored.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use serde_json::Value;
use serde_json::value::RawValue;
use sqlx::Row;

use crate::error::{Result, StoreError};
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
    /// The id of the object the event is about (`data.object.id`), so a timeline finds it.
    pub object_id: Option<String>,
    /// The payment that object belongs to, when it names one (a refund's or dispute's `charge`).
    pub payment_id: Option<String>,
}

impl NewInboxEvent {
    /// An event whose body is a JSON value; its object and payment are read from the body.
    pub fn from_value(
        event_id: impl Into<String>,
        event_type: impl Into<String>,
        payload: &Value,
    ) -> Result<Self> {
        let (object_id, payment_id) = subject(payload);
        Ok(Self {
            event_id: event_id.into(),
            event_type: event_type.into(),
            payload: serde_json::value::to_raw_value(payload)?,
            object_id: object_id.map(str::to_owned),
            payment_id: payment_id.map(str::to_owned),
        })
    }
}

/// The object an event body is about (`data.object.id`) and the payment that object names
/// (`data.object.charge`), when they are strings: what the timeline looks events up by.
fn subject(payload: &Value) -> (Option<&str>, Option<&str>) {
    let object = &payload["data"]["object"];
    (object["id"].as_str(), object["charge"].as_str())
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
        let (object_id, payment_id) = subject(payload);
        let payload = serde_json::to_string(payload)?;
        let mut tx = self.store.begin_write().await?;
        let inserted = sqlx::query_file_scalar!(
            "queries/inbox/insert.sql",
            source,
            event_id,
            event_type,
            ms(now),
            object_id,
            payment_id
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(inbox_id) = inserted else {
            return Ok(InboxOutcome::Duplicate);
        };
        sqlx::query_file!("queries/inbox/insert_body.sql", inbox_id, payload)
            .execute(&mut *tx)
            .await?;
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
        let mut tx = self.store.begin_write().await?;
        // The new rows' ids, with their bodies: a repeat of an id, within the page or of an
        // earlier delivery, inserts no row and so returns none.
        let mut bodies: Vec<(i64, &str)> = Vec::with_capacity(events.len());
        let mut rest = events;
        while !rest.is_empty() {
            let rows = statement_rows(rest.len());
            let (chunk, tail) = rest.split_at(rows);
            let mut query = sqlx::query(INSERT_EVENTS[rows.ilog2() as usize].as_str())
                .bind(source)
                .bind(ms(now));
            for e in chunk {
                query = query
                    .bind(e.event_id.as_str())
                    .bind(e.event_type.as_str())
                    .bind(e.object_id.as_deref())
                    .bind(e.payment_id.as_deref());
            }
            let new = query.fetch_all(&mut *tx).await?;
            if !new.is_empty() {
                // Within a statement, the first of repeated ids is the one inserted.
                let mut body_of: HashMap<&str, &str> = HashMap::with_capacity(chunk.len());
                for e in chunk {
                    body_of.entry(e.event_id.as_str()).or_insert(e.payload.get());
                }
                for row in new {
                    let id: i64 = row.try_get(0)?;
                    let event_id: &str = row.try_get(1)?;
                    let body = body_of
                        .get(event_id)
                        .copied()
                        .ok_or_else(|| StoreError::InvalidState {
                            what: format!(
                                "the inbox returned event {event_id}, which the page does not hold"
                            ),
                        })?;
                    bodies.push((id, body));
                }
            }
            rest = tail;
        }
        let mut rest = bodies.as_slice();
        while !rest.is_empty() {
            let rows = statement_rows(rest.len());
            let (chunk, tail) = rest.split_at(rows);
            let mut query = sqlx::query(INSERT_BODIES[rows.ilog2() as usize].as_str());
            for (id, body) in chunk {
                query = query.bind(id).bind(*body);
            }
            query.execute(&mut *tx).await?;
            rest = tail;
        }
        tx.commit().await?;
        Ok(bodies.len() as u64)
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

/// The most rows one `INSERT` of [`Inbox::record_many`] carries: 4 parameters a row plus 2 shared,
/// far below SQLite's limit of 32,766.
const INSERT_ROWS: usize = 64;

/// How many rows the next `INSERT` of a page takes when `remaining` are left: the largest power of
/// two up to [`INSERT_ROWS`]. Row counts are powers of two so a connection caches at most seven
/// texts of each statement, each prepared once, however pages are sized.
///
/// Events' text is bound as it is: the statement this replaced passed a page as one JSON array,
/// which SQLite parsed, re-encoded per event and parsed again (8% of the sync benchmark's CPU).
fn statement_rows(remaining: usize) -> usize {
    1 << remaining.clamp(1, INSERT_ROWS).ilog2()
}

/// `statement(n)` for every row count [`statement_rows`] can return, indexed by its log2.
fn by_row_count(statement: fn(usize) -> String) -> Vec<String> {
    (0..=INSERT_ROWS.ilog2())
        .map(|power| statement(1 << power))
        .collect()
}

/// Inserts `rows` events of one source (?1) received at ?2, in their order; a duplicate (source,
/// event id) inserts nothing. Returns each new row's id and event id.
static INSERT_EVENTS: LazyLock<Vec<String>> = LazyLock::new(|| {
    by_row_count(|rows| {
        let values: Vec<String> = (0..rows)
            .map(|row| {
                let p = 3 + row * 4;
                format!("(?1, ?{}, ?{}, ?2, ?{}, ?{})", p, p + 1, p + 2, p + 3)
            })
            .collect();
        format!(
            "INSERT INTO inbox (source, event_id, event_type, received_at, object_id, payment_id) \
             VALUES {} ON CONFLICT (source, event_id) DO NOTHING RETURNING id, event_id",
            values.join(", ")
        )
    })
});

/// Inserts `rows` bodies of newly recorded events: (inbox id, text) pairs.
static INSERT_BODIES: LazyLock<Vec<String>> = LazyLock::new(|| {
    by_row_count(|rows| {
        let values: Vec<String> = (0..rows)
            .map(|row| format!("(?{}, ?{})", 1 + row * 2, 2 + row * 2))
            .collect();
        format!(
            "INSERT INTO inbox_bodies (inbox_id, payload) VALUES {}",
            values.join(", ")
        )
    })
});
