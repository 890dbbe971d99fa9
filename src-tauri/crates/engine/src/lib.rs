//! Paysync's sync engine.
//!
//! - [`classify`] and [`backoff`]: the pure rules for what a failure means and when to try again
//!   (they live in [`paysync_core::retry`] and are re-exported here).
//! - [`handler`] and [`runner`]: the job contract and the leasing job runner over the durable queue.
//! - [`scheduler`]: named flows on intervals or cron expressions, never two runs of one flow at once.
//! - [`flows`]: provider pulls into the local store (`stripe.payments`, `stripe.events`).
//! - [`webhooks`]: verified webhook deliveries into the inbox.
//! - [`mappings`]: the default field mappings shipped as data (Stripe objects → Salesforce).
//! - [`payouts`]: Payoneer payouts from Salesforce requests, with four-eyes approval.
//! - [`reconcile`]: scheduled, local, explained reconciliation of provider money against Salesforce.
//! - [`events`]: typed events that logs, counters and the console share.
//! - [`engine`]: the [`Engine`] façade, the only API that the CLI, the desktop shell and tests call.

pub mod builtin_flows;
pub mod engine;
pub mod error;
pub mod events;
pub mod failure_records;
pub mod failure_scope;
pub mod flows;
pub mod handler;
pub mod keys;
pub mod mappings;
pub mod payment_timeline;
pub mod payouts;
pub mod reconcile;
pub mod runner;
pub mod scheduler;
pub mod selftest;
pub mod webhooks;

/// The retry policy, moved to core so connectors share it; re-exported at its old path.
pub use paysync_core::retry::backoff;
/// The pure failure classifier, moved to core so connectors share it; re-exported at its old path.
pub use paysync_core::retry::classify;

pub use engine::{Engine, EngineOptions, Extensions, FlowStatus, StatusReport};
pub use error::EngineError;
pub use events::{EngineEvent, EventBus};
pub use handler::{JobContext, JobError, JobHandler, StatusCheck};
pub use runner::RunnerConfig;
