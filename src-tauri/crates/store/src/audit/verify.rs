//! Streaming verification of the whole chain.

use std::future::poll_fn;

use subtle::ConstantTimeEq;

use super::chain::{self, EntryFields, GENESIS_HASH};
use super::{AuditError, AuditHead, AuditVerification};
use crate::Store;
use crate::error::Result;

/// Entries per streamed block (one JSON array per block, ~270 KB for typical entries).
const BLOCK: i64 = 1024;

/// One entry as the block query encodes it.
type EncodedEntry = (i64, i64, String, String, String, String, String, String);

/// Checks every entry in seq order — contiguous seq from 1, each `prev_hash` linking to the
/// previous entry, each HMAC (compared in constant time) — and that the last entry is the
/// anchored head. The head and the entries are read in one transaction, so they are one snapshot
/// even while others append; entries are streamed in blocks, so memory stays bounded.
pub(super) async fn verify(store: &Store) -> Result<AuditVerification> {
    let base = store.audit_key().mac()?;
    let mut tx = store.pool().begin().await?;
    let head = chain::read_head(&mut tx, &base).await?;

    let mut expected_seq: i64 = 1;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let mut entries: u64 = 0;
    let mut computed = [0_u8; 64];
    {
        let mut blocks = sqlx::query_file_scalar!("queries/audit/blocks.sql", BLOCK).fetch(&mut *tx);
        while let Some(block) = poll_fn(|cx| blocks.as_mut().poll_next(cx)).await {
            let block: Vec<EncodedEntry> = serde_json::from_str(&block?)
                .map_err(|err| tampered(expected_seq, &format!("unreadable entry: {err}")))?;
            for (seq, at, actor, action, subject, details, row_prev_hash, hash) in block {
                if seq != expected_seq {
                    return Err(AuditError::Gap {
                        expected: expected_seq,
                        found: seq,
                    }
                    .into());
                }
                if row_prev_hash != prev_hash {
                    return Err(tampered(seq, "its prev_hash is not the previous entry's hash"));
                }
                let fields = EntryFields {
                    seq,
                    at,
                    actor: &actor,
                    action: &action,
                    subject: &subject,
                    details: &details,
                    prev_hash: &row_prev_hash,
                };
                let mac = hmac::Mac::finalize(fields.mac(&base)).into_bytes();
                if hex::encode_to_slice(mac, &mut computed).is_err()
                    || !bool::from(computed[..].ct_eq(hash.as_bytes()))
                {
                    return Err(tampered(seq, "its HMAC does not match its contents"));
                }
                prev_hash = hash;
                expected_seq += 1;
                entries += 1;
            }
        }
    }
    tx.rollback().await?;

    let last = (entries > 0).then(|| AuditHead {
        seq: expected_seq - 1,
        hash: prev_hash,
    });
    let tip = chain::check_tip(head.as_ref(), last.as_ref())?;
    Ok(AuditVerification {
        entries,
        head_seq: tip.seq,
        head_hash: tip.hash,
    })
}

fn tampered(seq: i64, reason: &str) -> crate::StoreError {
    AuditError::Tampered {
        seq,
        reason: reason.to_owned(),
    }
    .into()
}
