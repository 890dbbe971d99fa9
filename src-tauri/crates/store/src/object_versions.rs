//! Object versions: the newest provider state applied to Salesforce per provider object, so that
//! events arriving late or twice never move a record backwards. Recording the applied versions and
//! marking their events processed happen in one transaction ([`ObjectVersions::commit`]): a crash
//! before it re-applies the same state (the writes are idempotent upserts), never a stale one.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::time::{at, ms};
use crate::{Store, require};

/// The applied state of one provider object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ObjectVersion {
    /// The provider's type of the object (`customer`, `charge`, …).
    pub object_type: String,
    /// The provider's id of the object.
    pub object_id: String,
    /// The provider's time of the applied state (Stripe: the event's `created`, Unix seconds).
    pub version: i64,
    /// The event whose state was applied.
    pub event_id: String,
    /// Whether the object was deleted at the provider (a tombstone: nothing applies after it).
    pub deleted: bool,
    /// The Salesforce record written, when one was.
    pub target_id: Option<String>,
    /// When it was applied.
    pub applied_at: DateTime<Utc>,
}

/// A state that was just applied, for [`ObjectVersions::commit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedVersion {
    /// The provider's type of the object.
    pub object_type: String,
    /// The provider's id of the object.
    pub object_id: String,
    /// The provider's time of the applied state.
    pub version: i64,
    /// The event whose state was applied.
    pub event_id: String,
    /// Whether it was a deletion.
    pub deleted: bool,
    /// The Salesforce record written, when one was.
    pub target_id: Option<String>,
}

/// The object versions of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct ObjectVersions<'a> {
    store: &'a Store,
}

impl<'a> ObjectVersions<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// The applied state of one object, if any was applied.
    pub async fn get(
        &self,
        source: &str,
        object_type: &str,
        object_id: &str,
    ) -> Result<Option<ObjectVersion>> {
        let row = sqlx::query_file_as!(
            VersionRow,
            "queries/object_versions/get.sql",
            source,
            object_type,
            object_id
        )
        .fetch_optional(self.store.pool())
        .await?;
        Ok(row.map(ObjectVersion::from))
    }

    /// The applied states of many objects (type, id), a few thousand a statement; objects never
    /// applied are absent from the answer.
    pub async fn get_many(
        &self,
        source: &str,
        keys: &[(String, String)],
    ) -> Result<HashMap<(String, String), ObjectVersion>> {
        let mut found = HashMap::with_capacity(keys.len());
        for chunk in keys.chunks(CHUNK) {
            let keys = serde_json::to_string(chunk)?;
            let rows = sqlx::query_file_as!(VersionRow, "queries/object_versions/get_many.sql", source, keys)
                .fetch_all(self.store.pool())
                .await?;
            for row in rows {
                found.insert(
                    (row.object_type.clone(), row.object_id.clone()),
                    ObjectVersion::from(row),
                );
            }
        }
        Ok(found)
    }

    /// In one transaction: records every applied state (an older one never replaces a newer one,
    /// and a tombstone is never lifted) and marks the given events of `source` processed. A few
    /// thousand rows a statement, rather than a round trip per row.
    pub async fn commit(
        &self,
        source: &str,
        applied: &[AppliedVersion],
        processed_events: &[String],
        now: DateTime<Utc>,
    ) -> Result<()> {
        require("source", source)?;
        for v in applied {
            require("object_type", &v.object_type)?;
            require("object_id", &v.object_id)?;
        }
        let now_ms = ms(now);
        let mut tx = self.store.begin_write().await?;
        for chunk in applied.chunks(CHUNK) {
            let rows: Vec<VersionArgs<'_>> = chunk
                .iter()
                .map(|v| {
                    (
                        v.object_type.as_str(),
                        v.object_id.as_str(),
                        v.version,
                        v.event_id.as_str(),
                        i64::from(v.deleted),
                        v.target_id.as_deref(),
                    )
                })
                .collect();
            let rows = serde_json::to_string(&rows)?;
            sqlx::query_file!("queries/object_versions/upsert_many.sql", source, rows, now_ms)
                .execute(&mut *tx)
                .await?;
        }
        for chunk in processed_events.chunks(CHUNK) {
            let ids = serde_json::to_string(chunk)?;
            sqlx::query_file!("queries/inbox/mark_processed_many.sql", source, ids, now_ms)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Rows bound as one JSON array per statement.
const CHUNK: usize = 5_000;

/// An applied state as `upsert_many.sql` binds it: type, id, version, event, deleted, target.
type VersionArgs<'a> = (&'a str, &'a str, i64, &'a str, i64, Option<&'a str>);

struct VersionRow {
    object_type: String,
    object_id: String,
    version: i64,
    event_id: String,
    deleted: i64,
    target_id: Option<String>,
    applied_at: i64,
}

impl From<VersionRow> for ObjectVersion {
    fn from(row: VersionRow) -> Self {
        Self {
            object_type: row.object_type,
            object_id: row.object_id,
            version: row.version,
            event_id: row.event_id,
            deleted: row.deleted != 0,
            target_id: row.target_id,
            applied_at: at(row.applied_at),
        }
    }
}
