//! Salesforce REST (apis.md §1): requests built as values for the shared executor and the
//! answers read back: upserts on an External ID field through sObject Collections (200 records a
//! call, one object type, `allOrNone: false` so each record succeeds or fails on its own), each
//! record's outcome classified; SOQL queries with their pages and single-record updates; and the
//! `Sforce-Limit-Info` header every counted call carries.

pub mod collections;
pub mod limits;
pub mod records;

pub use collections::{RecordOutcome, SaveError, SaveResult, UpsertBatch, UpsertError};
pub use limits::ApiUsage;
pub use records::QueryPage;

/// The provider name the executor knows Salesforce by.
pub const PROVIDER: &str = "salesforce";

/// The REST API version Paysync speaks (Winter '26); the simulator serves it too.
pub const API_VERSION: &str = "v66.0";

/// The most records one sObject Collections call takes.
pub const COLLECTION_MAX: usize = 200;
