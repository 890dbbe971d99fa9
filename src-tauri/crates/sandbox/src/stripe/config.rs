//! Run-time settings of the Stripe simulator, changeable through `PUT /__sandbox/config`.

use serde::{Deserialize, Serialize};

/// Settings that shape how the simulator answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SimConfig {
    /// Requests per second allowed per API key (Stripe: 25 in test mode, apis.md §2.8); 0 turns
    /// the limiter off.
    pub rate_limit_per_sec: u32,
    /// Bucket size: how many requests may arrive at once (defaults to one second's worth).
    pub rate_limit_burst: u32,
    /// Value of `Stripe-Should-Retry` on a rate-limit 429, if any. Stripe's libraries do not
    /// retry real rate limits and no source shows the header on them, so none is sent by default.
    pub rate_limit_should_retry: Option<bool>,
    /// Artificial delay inside every API handler after its idempotency key is claimed, so tests
    /// can race two requests with the same key (409 `idempotency_key_in_use`).
    pub handler_delay_ms: u64,
    /// Seconds after creation when a pending payout goes `in_transit`.
    pub payout_in_transit_after_secs: i64,
    /// Days from payout creation to `arrival_date` (when it becomes `paid`).
    pub payout_arrival_days: i64,
    /// Days from a charge until its funds are available (`available_on`).
    pub funds_available_after_days: i64,
    /// Seconds after an automatic payout's creation when its reconciliation completes.
    pub payout_reconciliation_after_secs: i64,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            rate_limit_per_sec: 25,
            rate_limit_burst: 25,
            rate_limit_should_retry: None,
            handler_delay_ms: 0,
            payout_in_transit_after_secs: 3_600,
            payout_arrival_days: 2,
            funds_available_after_days: 2,
            payout_reconciliation_after_secs: 300,
        }
    }
}
