//! The chain itself: how an entry's hash is computed, how the head is anchored, and appending —
//! the one implementation used by [`super::AuditLog`] and by other modules' transactions.
//!
//! `hash = hex(HMAC-SHA256(key, enc(domain) ‖ enc(seq) ‖ enc(at) ‖ enc(actor) ‖ enc(action) ‖
//! enc(subject) ‖ enc(details) ‖ enc(prev_hash)))`, where `enc(x)` is `x`'s length as a big-endian
//! u64 followed by its bytes (integers as 8 big-endian bytes), so no field boundary can shift. The
//! first entry's `prev_hash` is [`GENESIS_HASH`].
//!
//! The head `{seq, hash}` is also kept outside the table, in settings key [`HEAD_KEY`], written in
//! the same transaction as every append and authenticated with its own HMAC (plus a key check), so
//! removing entries from the tail — even together with rewinding the head — is detected.

use chrono::{DateTime, Utc};
use hmac::Mac;
use serde::{Deserialize, Serialize};
use sqlx::SqliteConnection;

use super::key::HmacSha256;
use super::{AuditEntry, AuditError, AuditHead, AuditKey, NewAuditEntry};
use crate::error::{Result, StoreError};
use crate::require;
use crate::time::{at, ms};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The settings key holding the anchored head.
pub(crate) const HEAD_KEY: &str = "audit.head";

const ENTRY_DOMAIN: &[u8] = b"paysync/audit-entry/v1";
const HEAD_DOMAIN: &[u8] = b"paysync/audit-head/v1";
const KEY_CHECK_DOMAIN: &[u8] = b"paysync/audit-key-check/v1";

fn field(mac: &mut HmacSha256, bytes: &[u8]) {
    let len = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    mac.update(&len.to_be_bytes());
    mac.update(bytes);
}

/// The HMAC state over an entry's canonical encoding; `base` is the keyed HMAC.
pub(crate) struct EntryFields<'a> {
    pub seq: i64,
    pub at: i64,
    pub actor: &'a str,
    pub action: &'a str,
    pub subject: &'a str,
    pub details: &'a str,
    pub prev_hash: &'a str,
}

impl EntryFields<'_> {
    pub(crate) fn mac(&self, base: &HmacSha256) -> HmacSha256 {
        let mut mac = base.clone();
        field(&mut mac, ENTRY_DOMAIN);
        field(&mut mac, &self.seq.to_be_bytes());
        field(&mut mac, &self.at.to_be_bytes());
        field(&mut mac, self.actor.as_bytes());
        field(&mut mac, self.action.as_bytes());
        field(&mut mac, self.subject.as_bytes());
        field(&mut mac, self.details.as_bytes());
        field(&mut mac, self.prev_hash.as_bytes());
        mac
    }

    pub(crate) fn hash(&self, base: &HmacSha256) -> String {
        hex::encode(self.mac(base).finalize().into_bytes())
    }
}

fn head_mac(base: &HmacSha256, seq: i64, hash: &str) -> HmacSha256 {
    let mut mac = base.clone();
    field(&mut mac, HEAD_DOMAIN);
    field(&mut mac, &seq.to_be_bytes());
    field(&mut mac, hash.as_bytes());
    mac
}

fn key_check(base: &HmacSha256) -> String {
    let mut mac = base.clone();
    field(&mut mac, KEY_CHECK_DOMAIN);
    hex::encode(mac.finalize().into_bytes())
}

/// The head as stored in settings.
#[derive(Serialize, Deserialize)]
struct StoredHead {
    seq: i64,
    hash: String,
    /// HMAC of a fixed message: tells "wrong key" apart from "tampered".
    key_check: String,
    /// HMAC over (seq, hash).
    mac: String,
}

fn encode_head(base: &HmacSha256, head: &AuditHead) -> Result<String> {
    let stored = StoredHead {
        seq: head.seq,
        hash: head.hash.clone(),
        key_check: key_check(base),
        mac: hex::encode(head_mac(base, head.seq, &head.hash).finalize().into_bytes()),
    };
    Ok(serde_json::to_string(&stored)?)
}

fn decode_head(base: &HmacSha256, value: &str) -> Result<AuditHead, AuditError> {
    let stored: StoredHead = serde_json::from_str(value).map_err(|err| AuditError::HeadTampered {
        reason: format!("unreadable: {err}"),
    })?;
    let expected_check = key_check(base);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(
        stored.key_check.as_bytes(),
        expected_check.as_bytes(),
    )) {
        return Err(AuditError::WrongKey);
    }
    let mac = hex::decode(&stored.mac).map_err(|_| AuditError::HeadTampered {
        reason: "its MAC is not hex".to_owned(),
    })?;
    head_mac(base, stored.seq, &stored.hash)
        .verify_slice(&mac)
        .map_err(|_| AuditError::HeadTampered {
            reason: "its MAC does not match its seq and hash".to_owned(),
        })?;
    Ok(AuditHead {
        seq: stored.seq,
        hash: stored.hash,
    })
}

/// The authenticated head anchored in settings, if any.
pub(crate) async fn read_head(conn: &mut SqliteConnection, base: &HmacSha256) -> Result<Option<AuditHead>> {
    let value = sqlx::query_file_scalar!("queries/settings/get.sql", HEAD_KEY)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(value.map(|v| decode_head(base, &v)).transpose()?)
}

/// Compares the log's last entry (`last`, `None` if empty) with the anchored head.
pub(crate) fn check_tip(head: Option<&AuditHead>, last: Option<&AuditHead>) -> Result<AuditHead, AuditError> {
    match (head, last) {
        (None, None) => Ok(AuditHead::genesis()),
        (None, Some(_)) => Err(AuditError::MissingHead),
        (Some(head), None) => Err(AuditError::Truncated {
            anchored_seq: head.seq,
            last_seq: 0,
        }),
        (Some(head), Some(last)) if head.seq > last.seq => Err(AuditError::Truncated {
            anchored_seq: head.seq,
            last_seq: last.seq,
        }),
        (Some(head), Some(last)) if head != last => Err(AuditError::HeadMismatch {
            expected_seq: head.seq,
            expected_hash: head.hash.clone(),
            found_seq: last.seq,
            found_hash: last.hash.clone(),
        }),
        (Some(head), Some(_)) => Ok(head.clone()),
    }
}

/// The current end of the chain, refusing to extend a chain whose anchor and table disagree.
async fn tip(conn: &mut SqliteConnection, base: &HmacSha256) -> Result<AuditHead> {
    let head = read_head(conn, base).await?;
    let last = sqlx::query_file!("queries/audit/last.sql")
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| AuditHead {
            seq: row.seq,
            hash: row.hash,
        });
    Ok(check_tip(head.as_ref(), last.as_ref())?)
}

/// Entries written per INSERT statement by [`append_all`].
const INSERT_BATCH: usize = 512;

/// Appends `entries` after the current tip inside the caller's transaction and re-anchors the head.
/// Returns the last entry written (`None` if `entries` is empty).
pub(crate) async fn append_all(
    conn: &mut SqliteConnection,
    key: &AuditKey,
    entries: &[NewAuditEntry],
    now: DateTime<Utc>,
) -> Result<Option<AuditEntry>> {
    for entry in entries {
        for (field, value) in [
            ("actor", &entry.actor),
            ("action", &entry.action),
            ("subject", &entry.subject),
        ] {
            require(field, value)?;
            if value.chars().any(char::is_control) {
                return Err(StoreError::validation(
                    field,
                    "must not contain control characters",
                ));
            }
        }
    }
    let Some(last) = entries.last() else {
        return Ok(None);
    };
    let base = key.mac()?;
    let mut tip = tip(conn, &base).await?;
    let mut prev_of_last = tip.hash.clone();
    let at_ms = ms(now);
    for batch in entries.chunks(INSERT_BATCH) {
        let mut rows = Vec::with_capacity(batch.len());
        for entry in batch {
            let seq = tip.seq + 1;
            let details = serde_json::to_string(&entry.details)?;
            let hash = EntryFields {
                seq,
                at: at_ms,
                actor: &entry.actor,
                action: &entry.action,
                subject: &entry.subject,
                details: &details,
                prev_hash: &tip.hash,
            }
            .hash(&base);
            prev_of_last = std::mem::replace(
                &mut tip,
                AuditHead {
                    seq,
                    hash: hash.clone(),
                },
            )
            .hash;
            rows.push((
                seq,
                &entry.actor,
                &entry.action,
                &entry.subject,
                details,
                prev_of_last.clone(),
                hash,
            ));
        }
        let rows = serde_json::to_string(&rows)?;
        sqlx::query_file!("queries/audit/insert.sql", rows, at_ms)
            .execute(&mut *conn)
            .await?;
    }
    let anchored = encode_head(&base, &tip)?;
    sqlx::query_file!("queries/settings/set.sql", HEAD_KEY, anchored, at_ms)
        .execute(&mut *conn)
        .await?;
    Ok(Some(AuditEntry {
        seq: tip.seq,
        at: at(at_ms),
        actor: last.actor.clone(),
        action: last.action.clone(),
        subject: last.subject.clone(),
        details: last.details.clone(),
        prev_hash: prev_of_last,
        hash: tip.hash,
    }))
}

/// Appends one entry inside the caller's transaction (see [`append_all`]).
pub(crate) async fn append_in_tx(
    conn: &mut SqliteConnection,
    key: &AuditKey,
    entry: &NewAuditEntry,
    now: DateTime<Utc>,
) -> Result<AuditEntry> {
    append_all(conn, key, std::slice::from_ref(entry), now)
        .await?
        .ok_or_else(|| StoreError::InvalidState {
            what: "an audit append wrote nothing".to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> HmacSha256 {
        AuditKey::new(vec![9; 32])
            .and_then(|k| k.mac())
            .unwrap_or_else(|_| unreachable!())
    }

    fn fields<'a>(actor: &'a str, action: &'a str) -> EntryFields<'a> {
        EntryFields {
            seq: 1,
            at: 1_000,
            actor,
            action,
            subject: "s",
            details: "{}",
            prev_hash: GENESIS_HASH,
        }
    }

    #[test]
    fn field_boundaries_cannot_shift() {
        let b = base();
        assert_ne!(fields("ab", "c").hash(&b), fields("a", "bc").hash(&b));
        assert_eq!(fields("ab", "c").hash(&b), fields("ab", "c").hash(&b));
        assert_eq!(fields("ab", "c").hash(&b).len(), 64);
    }

    proptest::proptest! {
        /// Moving bytes between adjacent fields always changes the hash (length prefixes).
        #[test]
        fn shifting_a_boundary_changes_the_hash(a in ".{0,12}", b in ".{0,12}", split in 0_usize..24) {
            let joined = format!("{a}{b}");
            let cut = joined.char_indices().map(|(i, _)| i).chain([joined.len()]).nth(split);
            if let Some(cut) = cut.filter(|&c| c != a.len()) {
                let (x, y) = joined.split_at(cut);
                let b_ = base();
                proptest::prop_assert_ne!(fields(&a, &b).hash(&b_), fields(x, y).hash(&b_));
            }
        }
    }

    #[test]
    fn head_round_trips_and_rejects_forgery() {
        let b = base();
        let head = AuditHead {
            seq: 3,
            hash: "ab".repeat(32),
        };
        let encoded = encode_head(&b, &head).unwrap_or_default();
        assert_eq!(decode_head(&b, &encoded), Ok(head.clone()));

        let forged = encoded.replace("\"seq\":3", "\"seq\":2");
        assert!(matches!(
            decode_head(&b, &forged),
            Err(AuditError::HeadTampered { .. })
        ));

        let other = AuditKey::new(vec![8; 32])
            .and_then(|k| k.mac())
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(decode_head(&other, &encoded), Err(AuditError::WrongKey));
    }

    #[test]
    fn tip_checks() {
        let h = |seq: i64, c: &str| AuditHead {
            seq,
            hash: c.repeat(64),
        };
        assert_eq!(check_tip(None, None), Ok(AuditHead::genesis()));
        assert_eq!(check_tip(None, Some(&h(1, "a"))), Err(AuditError::MissingHead));
        assert_eq!(
            check_tip(Some(&h(2, "a")), Some(&h(1, "b"))),
            Err(AuditError::Truncated {
                anchored_seq: 2,
                last_seq: 1
            })
        );
        assert!(matches!(
            check_tip(Some(&h(1, "a")), Some(&h(2, "b"))),
            Err(AuditError::HeadMismatch { .. })
        ));
        assert!(matches!(
            check_tip(Some(&h(2, "a")), Some(&h(2, "b"))),
            Err(AuditError::HeadMismatch { .. })
        ));
        assert_eq!(check_tip(Some(&h(2, "a")), Some(&h(2, "a"))), Ok(h(2, "a")));
    }
}
