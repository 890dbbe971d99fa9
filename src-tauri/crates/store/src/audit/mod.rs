//! The tamper-evident audit log (ARCHITECTURE §3.8, reliability §4.9).
//!
//! Every approval, correction, replay, discard, connection change and payout is an entry with a
//! contiguous `seq`. Each entry's `hash` is an HMAC (keyed from the OS keychain) over its fields
//! and the previous entry's hash; the database refuses UPDATE and DELETE on the table; and the
//! head `{seq, hash}` is anchored outside the table (settings `audit.head`, authenticated). So
//! [`AuditLog::verify`] detects a changed field, a removed, inserted or reordered entry, a
//! truncated tail (even with a rewound head) and the wrong key; [`AuditLog::verify_anchored`]
//! also detects a rollback of the whole database to an older copy, given the head the caller
//! anchored elsewhere (the keychain) after its last append.

mod chain;
mod error;
mod key;
mod verify;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use chain::GENESIS_HASH;
pub(crate) use chain::append_in_tx;
pub use error::AuditError;
pub use key::AuditKey;

use crate::Store;
use crate::error::{Result, StoreError};
use crate::ids::AuditSeq;
use crate::time::at;

/// An entry to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// Who did it (a user, or `system:<component>`).
    pub actor: String,
    /// What was done, dotted (`dlq.replay`, `payout.approve`, …).
    pub action: String,
    /// What it was done to (`dead_letter:42`, `payout_batch:7`, …).
    pub subject: String,
    /// Structured details (never secrets).
    pub details: Value,
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Its position, contiguous from 1.
    pub seq: AuditSeq,
    /// When it was appended.
    pub at: DateTime<Utc>,
    /// Who did it.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub subject: String,
    /// Structured details.
    pub details: Value,
    /// The previous entry's hash ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// This entry's HMAC, hex.
    pub hash: String,
}

/// The end of the chain: the last entry's seq and hash (seq 0 and [`GENESIS_HASH`] when empty).
/// Anchor it somewhere the database cannot roll back (the keychain) after appending.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    /// The last entry's seq.
    pub seq: AuditSeq,
    /// The last entry's hash.
    pub hash: String,
}

impl AuditHead {
    /// The head of an empty log.
    pub fn genesis() -> Self {
        Self {
            seq: 0,
            hash: GENESIS_HASH.to_owned(),
        }
    }
}

/// What a successful verification covered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// How many entries were checked.
    pub entries: u64,
    /// The last entry's seq (0 when empty).
    pub head_seq: AuditSeq,
    /// The last entry's hash ([`GENESIS_HASH`] when empty).
    pub head_hash: String,
}

/// The audit log of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct AuditLog<'a> {
    store: &'a Store,
}

impl<'a> AuditLog<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Appends one entry (and re-anchors the head) in its own transaction.
    pub async fn append(&self, entry: &NewAuditEntry, now: DateTime<Utc>) -> Result<AuditEntry> {
        let mut tx = self.store.begin_write().await?;
        let written = append_in_tx(&mut tx, self.store.audit_key(), entry, now).await?;
        tx.commit().await?;
        Ok(written)
    }

    /// Appends many entries in one transaction (e.g. to seed a large log for a benchmark).
    /// Returns the last entry written, `None` if `entries` is empty.
    pub async fn append_many(
        &self,
        entries: &[NewAuditEntry],
        now: DateTime<Utc>,
    ) -> Result<Option<AuditEntry>> {
        let mut tx = self.store.begin_write().await?;
        let last = chain::append_all(&mut tx, self.store.audit_key(), entries, now).await?;
        tx.commit().await?;
        Ok(last)
    }

    /// Verifies the whole log against the key and the anchored head, streaming entries in seq
    /// order. Fails with [`StoreError::Audit`] naming the first problem found.
    pub async fn verify(&self) -> Result<AuditVerification> {
        verify::verify(self.store).await
    }

    /// [`Self::verify`], then checks that the log still contains `anchor` (a head the caller kept
    /// outside the database): the log must end at it or extend it. Detects a rollback of the whole
    /// database to an older copy.
    pub async fn verify_anchored(&self, anchor: &AuditHead) -> Result<AuditVerification> {
        let verified = self.verify().await?;
        if anchor.seq > verified.head_seq {
            return Err(AuditError::Truncated {
                anchored_seq: anchor.seq,
                last_seq: verified.head_seq,
            }
            .into());
        }
        let found_hash = if anchor.seq == 0 {
            Some(GENESIS_HASH.to_owned())
        } else {
            sqlx::query_file_scalar!("queries/audit/hash_at.sql", anchor.seq)
                .fetch_optional(self.store.pool())
                .await?
        };
        match found_hash {
            Some(hash) if hash == anchor.hash => Ok(verified),
            found => Err(AuditError::HeadMismatch {
                expected_seq: anchor.seq,
                expected_hash: anchor.hash.clone(),
                found_seq: anchor.seq,
                found_hash: found.unwrap_or_default(),
            }
            .into()),
        }
    }

    /// Entries, newest first.
    pub async fn list(&self, limit: u32, offset: u32) -> Result<Vec<AuditEntry>> {
        sqlx::query_file_as!(
            AuditRow,
            "queries/audit/list.sql",
            i64::from(limit),
            i64::from(offset)
        )
        .fetch_all(self.store.pool())
        .await?
        .into_iter()
        .map(AuditEntry::try_from)
        .collect()
    }

    /// One page of entries matching `filter`, in `sort` order, with the total that match.
    pub async fn page(
        &self,
        filter: &AuditFilter,
        sort: AuditSort,
        limit: u32,
        offset: u32,
    ) -> Result<crate::Page<AuditEntry>> {
        let actor = filter.actor.as_deref().filter(|s| !s.is_empty());
        let action = filter
            .action_prefix
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(like_escape);
        let subject = filter
            .subject_contains
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(like_escape);
        let descending = i64::from(sort.descending);
        let column = sort.column.as_str();
        let items = sqlx::query_file_as!(
            AuditRow,
            "queries/audit/page.sql",
            actor,
            action,
            subject,
            descending,
            column,
            i64::from(limit),
            i64::from(offset)
        )
        .fetch_all(self.store.pool())
        .await?
        .into_iter()
        .map(AuditEntry::try_from)
        .collect::<Result<Vec<_>>>()?;
        let total = sqlx::query_file_scalar!("queries/audit/count.sql", actor, action, subject)
            .fetch_one(self.store.pool())
            .await?;
        Ok(crate::Page {
            total: u64::try_from(total).unwrap_or_default(),
            items,
        })
    }

    /// The anchored head `(seq, hash)`, authenticated; `None` for an empty log.
    pub async fn head(&self) -> Result<Option<(AuditSeq, String)>> {
        let base = self.store.audit_key().mac()?;
        let mut conn = self.store.pool().acquire().await?;
        Ok(chain::read_head(&mut conn, &base).await?.map(|h| (h.seq, h.hash)))
    }
}

/// What the console filters the audit log by; empty strings mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Exactly this actor.
    pub actor: Option<String>,
    /// Actions starting with this (`dead_letter.` matches every dead-letter action).
    pub action_prefix: Option<String>,
    /// Subjects containing this.
    pub subject_contains: Option<String>,
}

/// The column the audit log is sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditSortColumn {
    /// Append order, which is also time order.
    #[default]
    Seq,
    /// The actor.
    Actor,
    /// The action.
    Action,
    /// The subject.
    Subject,
}

impl AuditSortColumn {
    /// The name `page.sql` expects.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Seq => "seq",
            Self::Actor => "actor",
            Self::Action => "action",
            Self::Subject => "subject",
        }
    }
}

/// How the audit log is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSort {
    /// The column.
    pub column: AuditSortColumn,
    /// Largest first.
    pub descending: bool,
}

/// Escapes `%`, `_` and `\` so user text matches literally in a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// An `audit_log` row.
pub(crate) struct AuditRow {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = StoreError;

    fn try_from(row: AuditRow) -> Result<Self> {
        Ok(AuditEntry {
            seq: row.seq,
            at: at(row.at),
            actor: row.actor,
            action: row.action,
            subject: row.subject,
            details: serde_json::from_str(&row.details)?,
            prev_hash: row.prev_hash,
            hash: row.hash,
        })
    }
}
