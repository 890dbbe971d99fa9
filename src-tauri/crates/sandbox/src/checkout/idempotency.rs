//! `Cko-Idempotency-Key` (apis.md §3.3, reliability.md §1.3).
//!
//! - Only a 2xx result is saved; a replay within the window returns the same status and body.
//! - A 4xx/5xx result is not saved, so a retry with the same key is processed anew.
//! - While the first request with a key is still running, another with the same key gets `409`
//!   (configurable to the older `429 "duplicate request detected"`).
//! - Saved results expire after 24 h on the sandbox clock.

use std::future::Future;
use std::sync::Arc;

use axum::http::StatusCode;

use super::CheckoutSim;
use super::reply::{Reply, error_body};
use super::state::SavedResponse;

/// Removes a key from the in-flight set however the request ends (including cancellation when
/// the client hangs up).
struct InFlight {
    sim: Arc<CheckoutSim>,
    key: String,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.sim.lock().in_flight.remove(&self.key);
    }
}

impl CheckoutSim {
    /// Runs `work` under the idempotency rules for `key` on the operation `scope`
    /// (e.g. `POST /payments`); without a key it simply runs `work`.
    pub(crate) async fn idempotent(
        self: &Arc<Self>,
        scope: &str,
        key: Option<String>,
        request_id: &str,
        work: impl Future<Output = Reply>,
    ) -> Reply {
        let Some(key) = key else {
            return work.await;
        };
        let full_key = format!("{scope} {key}");
        let now = self.now();
        {
            let mut state = self.lock();
            let ttl = chrono::Duration::seconds(state.config.idempotency_ttl_secs);
            state.idempotency.retain(|_, saved| saved.saved_at + ttl > now);
            if let Some(saved) = state.idempotency.get(&full_key) {
                let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
                return match &saved.body {
                    Some(body) => Reply::json(status, body.clone()),
                    None => Reply::empty(status),
                };
            }
            if !state.in_flight.insert(full_key.clone()) {
                let status = StatusCode::from_u16(state.config.idempotency_conflict_status)
                    .unwrap_or(StatusCode::CONFLICT);
                return Reply::json(
                    status,
                    error_body(request_id, "request_invalid", &["duplicate_request"]),
                );
            }
        }
        let guard = InFlight {
            sim: self.clone(),
            key: full_key.clone(),
        };
        let reply = work.await;
        if reply.status.is_success() {
            self.lock().idempotency.insert(
                full_key,
                SavedResponse {
                    status: reply.status.as_u16(),
                    body: reply.body.clone(),
                    saved_at: self.now(),
                },
            );
        }
        drop(guard);
        reply
    }
}
