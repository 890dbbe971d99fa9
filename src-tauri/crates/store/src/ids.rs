//! Row ids handed out by the store. Plain integer aliases for now; they will be unified with
//! `paysync_core::ids` newtypes once those land.

/// A row of `jobs`.
pub type JobId = i64;
/// A row of `dead_letters`.
pub type DeadLetterId = i64;
/// A row of `runs`.
pub type RunId = i64;
/// A position in the audit log (`audit_log.seq`, contiguous from 1).
pub type AuditSeq = i64;
/// A row of `inbox`.
pub type InboxId = i64;
/// A row of `links`.
pub type LinkId = i64;
