//! Retry rules shared by the job runner and the HTTP executor, pure and I/O-free:
//!
//! - [`classify`]: what one failed attempt means (retriable, terminal or in doubt) for an
//!   operation of a given [`RetrySafety`](classify::RetrySafety).
//! - [`backoff`]: when to try again — exponential backoff with full jitter, a bounded number of
//!   attempts and the server's `Retry-After` as a floor.

pub mod backoff;
pub mod classify;

pub use backoff::{NextStep, RetryPolicy};
pub use classify::{Classification, Failure, RetrySafety, is_salesforce_transient};
