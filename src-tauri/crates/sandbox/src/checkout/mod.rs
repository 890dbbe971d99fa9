//! A stateful simulator of Checkout.com's unified payments API ("NAS" account structure), following
//! `shared/reference/apis.md` §3, `reliability.md` §1.3 and the OpenAPI bundle in
//! `shared/specs/checkout/checkout-nas.openapi.json`.
//!
//! What it does, and why it is strict:
//! - Auth with secret keys (`Authorization: Bearer sk_sbox_…`) or OAuth client-credential tokens
//!   from `POST /connect/token`, with expiry on the sandbox clock and per-route scopes. Every auth
//!   failure is a bare `401` with an empty body, as the spec documents it, so a client that parses
//!   every error body as JSON finds out here.
//! - `POST /payments` with test cards (approved, declined with real response codes, a 3-D Secure
//!   card that returns `202 Pending` and a redirect to a page under `/sandbox/3ds/{id}`), Checkout's
//!   amount rules, and an asynchronous capture when `capture` is true.
//! - Captures, refunds and voids answer `202` and complete later (a background task), so a client
//!   that assumes the status changed on `202` is caught.
//! - `Cko-Idempotency-Key`: only 2xx results are saved (24 h on the sandbox clock); a concurrent
//!   request with an in-flight key gets `409`.
//! - Disputes, the workflow events API, and signed webhooks (`Cko-Signature`) with retries and an
//!   optional duplicate-delivery switch (Checkout promises at-least-once delivery).
//!
//! The in-process seeding API ([`CheckoutSim::insert_payment`], [`CheckoutSim::insert_dispute`],
//! [`CheckoutSim::register_secret_key`], [`CheckoutSim::register_client`]) loads demo data with
//! explicit past timestamps, bypassing auth and faults. Admin routes are described in [`admin`].

pub mod admin;
mod auth;
mod cards;
mod disputes;
mod events;
mod idempotency;
mod ids;
mod operations;
mod payments;
mod reply;
mod seed;
mod state;
mod three_ds;
mod validation;
mod webhooks;
mod wire;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};

use crate::error::SandboxError;
use crate::server::{SimContext, Simulator};

pub use seed::{NewPayment, PaymentStatus};
pub use state::Config;
pub use webhooks::signature;

/// The `Cko-Version` header value sent on every response. Checkout.com documents the header but
/// not its format; this is a plausible build number.
pub const CKO_VERSION: &str = "1.1154.0";

/// The secret key every new simulator accepts.
pub const DEFAULT_SECRET_KEY: &str = "sk_sbox_sandbox";

/// The OAuth client (access key id) every new simulator accepts, with the `gateway` and
/// `disputes` scopes; its secret is [`DEFAULT_CLIENT_SECRET`].
pub const DEFAULT_CLIENT_ID: &str = "ack_sandbox";

/// The secret of [`DEFAULT_CLIENT_ID`] (published, not a secret).
pub const DEFAULT_CLIENT_SECRET: &str = "sandbox-access-secret";

/// The Checkout.com simulator. Build it with [`CheckoutSim::new`] and serve it with
/// [`crate::serve`]; load demo data with the seeding methods.
pub struct CheckoutSim {
    ctx: SimContext,
    state: Mutex<state::State>,
    /// A handle on itself, so `&self` methods can start background work (async actions, webhook
    /// deliveries) that outlives the request.
    me: Weak<CheckoutSim>,
}

impl std::fmt::Debug for CheckoutSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckoutSim")
            .field("base_url", &self.ctx.base_url)
            .finish_non_exhaustive()
    }
}

impl CheckoutSim {
    /// A simulator with no data, accepting the secret key [`DEFAULT_SECRET_KEY`].
    pub fn new(ctx: SimContext) -> Arc<Self> {
        Arc::new_cyclic(|me| Self {
            ctx,
            state: Mutex::new(state::State::new()),
            me: me.clone(),
        })
    }

    /// The simulator's base URL (e.g. `http://127.0.0.1:41234`).
    pub fn base_url(&self) -> &str {
        &self.ctx.base_url
    }

    /// The current configuration (delays, webhook retries, idempotency window…).
    pub fn config(&self) -> Config {
        self.lock().config.clone()
    }

    /// Replaces the configuration.
    pub fn set_config(&self, config: Config) {
        self.lock().config = config;
    }

    fn lock(&self) -> MutexGuard<'_, state::State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.ctx.clock.now()
    }

    /// Spawns `work` with a strong handle on the simulator, if it is still alive and a Tokio
    /// runtime is running (seeding from plain sync code has no runtime and needs none).
    fn spawn<F, Fut>(&self, work: F)
    where
        F: FnOnce(Arc<Self>) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        if let (Some(me), Ok(rt)) = (self.me.upgrade(), tokio::runtime::Handle::try_current()) {
            rt.spawn(work(me));
        }
    }
}

impl Simulator for CheckoutSim {
    fn name(&self) -> &'static str {
        "checkout"
    }

    fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route("/connect/token", post(auth::token))
            .route("/payments", post(payments::create))
            .route("/payments/{id}", get(payments::details))
            .route("/payments/{id}/actions", get(payments::actions))
            .route("/payments/{id}/captures", post(operations::capture))
            .route("/payments/{id}/refunds", post(operations::refund))
            .route("/payments/{id}/voids", post(operations::void))
            .route("/disputes", get(disputes::list))
            .route("/disputes/{id}", get(disputes::detail))
            .route("/disputes/{id}/accept", post(disputes::accept))
            .route(
                "/disputes/{id}/evidence",
                get(disputes::get_evidence)
                    .put(disputes::provide_evidence)
                    .post(disputes::submit_evidence),
            )
            .route("/workflows/events/{id}", get(events::event))
            .route("/workflows/events/subject/{id}", get(events::subject))
            .route("/sandbox/3ds/{id}", get(three_ds::page))
            .route("/sandbox/3ds/{id}/{action}", post(three_ds::click))
            .fallback(reply::not_found)
            .layer(axum::middleware::from_fn_with_state(self.clone(), reply::stamp))
            .with_state(self)
    }

    fn admin_routes(self: Arc<Self>) -> Router {
        admin::routes(self)
    }

    fn injected_error(&self, status: StatusCode) -> Response {
        let request_id = ids::request_id(&*self.ctx.rng);
        reply::injected(status, &request_id)
    }

    fn snapshot(&self) -> serde_json::Value {
        serde_json::to_value(&*self.lock()).unwrap_or(serde_json::Value::Null)
    }

    fn restore(&self, snapshot: serde_json::Value) -> Result<(), SandboxError> {
        let restored: state::State = serde_json::from_value(snapshot)?;
        let pending: Vec<String> = restored.pending.keys().cloned().collect();
        *self.lock() = restored;
        // Background tasks do not survive a restart; start the ones the snapshot still owes.
        for action_id in pending {
            self.schedule_completion(action_id);
        }
        Ok(())
    }
}
