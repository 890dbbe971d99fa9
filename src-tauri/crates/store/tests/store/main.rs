//! Integration tests of the store's public API (one test binary, one module per area).

mod audit;
mod common;
mod concurrency;
mod dlq;
mod inbox;
mod jobs;
mod misc;
mod object_versions;
mod open;
mod payments;
mod payouts;
mod queries;
mod reconciliation;
mod runs;
