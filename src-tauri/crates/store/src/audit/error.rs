//! [`AuditError`]: the ways an audit log can fail verification.

use crate::ids::AuditSeq;

/// Why the audit log is not trustworthy. Every variant means the log or its anchor was changed
/// outside Paysync (or read with the wrong key): stop and investigate, never "repair" silently.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// An entry's contents or its link to the previous entry do not match its HMAC.
    #[error("entry {seq} was tampered with: {reason}")]
    Tampered {
        /// The entry.
        seq: AuditSeq,
        /// What did not match.
        reason: String,
    },
    /// Sequence numbers are not contiguous from 1: an entry was removed (or inserted).
    #[error("entries are not contiguous: expected seq {expected}, found {found}")]
    Gap {
        /// The seq that should come next.
        expected: AuditSeq,
        /// The seq that came instead.
        found: AuditSeq,
    },
    /// The log ends before its anchored head: entries were removed from the tail, or the database
    /// was rolled back to an older copy.
    #[error(
        "the log ends at seq {last_seq} but its anchored head is seq {anchored_seq}: entries were removed"
    )]
    Truncated {
        /// The seq the anchor says the log reaches.
        anchored_seq: AuditSeq,
        /// The seq the log actually ends at.
        last_seq: AuditSeq,
    },
    /// The log's last entry is not the anchored head.
    #[error(
        "head mismatch: the anchor is seq {expected_seq} ({expected_hash}) but the log has seq {found_seq} \
         ({found_hash})"
    )]
    HeadMismatch {
        /// The anchored seq.
        expected_seq: AuditSeq,
        /// The anchored hash.
        expected_hash: String,
        /// The seq found in the log.
        found_seq: AuditSeq,
        /// The hash found in the log.
        found_hash: String,
    },
    /// The log has entries but its head anchor is missing.
    #[error("the log has entries but no anchored head")]
    MissingHead,
    /// The stored head anchor is not authentic (not written with the audit key).
    #[error("the anchored head is not authentic: {reason}")]
    HeadTampered {
        /// What did not match.
        reason: String,
    },
    /// The audit key is not the key this log was written with.
    #[error("the audit key is not the key this audit log was written with")]
    WrongKey,
}
