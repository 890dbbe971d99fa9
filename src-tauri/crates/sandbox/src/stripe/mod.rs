//! A stateful simulator of the Stripe API (version 2023-08-16, apis.md §2), faithful where
//! integrations break: form-encoded nested parameters, secret-key auth, Stripe's error bodies,
//! list pagination and `expand[]`, idempotency keys, per-key rate limits, the events API with its
//! 30-day window, signed webhooks with retries, and Stripe's amount rules and fees.
//!
//! Served resources: customers, payment intents (confirm/capture/cancel), charges, refunds,
//! disputes, products, prices, subscriptions, invoices, payouts, balance transactions, the
//! balance and events. Time-driven changes (settlement, renewals, payout arrival) follow the
//! sandbox clock. Admin routes under `/__sandbox/` configure keys, webhooks and faults, and
//! drive disputes and payouts; the seeding API ([`seed`]) loads past data in process.

mod admin;
mod billing;
mod cards;
mod clock;
mod config;
mod disputes;
mod errors;
mod expand;
pub mod form;
mod http;
mod idempotency;
mod ledger;
mod list;
mod params;
mod payments;
mod ratelimit;
mod routes;
mod routes_billing;
mod routes_core;
mod routes_invoices;
mod routes_money;
pub mod seed;
mod spec_billing;
mod spec_core;
mod state;
mod webhooks;
mod wire;
mod wire_billing;

#[cfg(test)]
mod tests;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{any, get};
use tokio::sync::Notify;

pub use config::SimConfig;
pub use seed::{NewCustomer, NewInvoice, NewPayment, NewPrice, NewProduct, PaymentStatus};
pub use state::API_VERSION;
pub use webhooks::{DeliveryAttempt, DeliveryConfig, WebhookEndpoint, signature_header};

use crate::error::SandboxError;
use crate::server::{SimContext, Simulator};
use ratelimit::RateLimiter;
use routes::Route;
use state::{Exec, State};

/// The test secret key every new simulator accepts.
pub const DEFAULT_TEST_KEY: &str = "sk_test_sandbox";

/// The Stripe simulator.
pub struct StripeSim {
    ctx: SimContext,
    state: Mutex<State>,
    table: Vec<Route>,
    limiter: RateLimiter,
    deliveries: Arc<Notify>,
    dispatcher: AtomicBool,
    me: Weak<StripeSim>,
}

impl std::fmt::Debug for StripeSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSim")
            .field("base_url", &self.ctx.base_url)
            .finish_non_exhaustive()
    }
}

impl StripeSim {
    /// A simulator with no data and the default test key `sk_test_sandbox`.
    pub fn new(ctx: SimContext) -> Arc<Self> {
        let mut st = State::default();
        st.api_keys.insert(DEFAULT_TEST_KEY.to_owned());
        Arc::new_cyclic(|me| Self {
            ctx,
            state: Mutex::new(st),
            table: routes::table(),
            limiter: RateLimiter::default(),
            deliveries: Arc::new(Notify::new()),
            dispatcher: AtomicBool::new(false),
            me: me.clone(),
        })
    }

    /// Runs `f` with the state locked (never across an `.await`).
    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut guard = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// The sandbox clock in Unix seconds.
    fn now(&self) -> i64 {
        self.ctx.clock.now().timestamp()
    }

    /// The outbound HTTP client (webhook deliveries).
    fn http(&self) -> &reqwest::Client {
        &self.ctx.http
    }

    /// Runs a unit of work at the current time (or `at`), then wakes the webhook dispatcher if it
    /// recorded events.
    fn exec<R>(
        &self,
        at: Option<i64>,
        request: Option<serde_json::Value>,
        f: impl FnOnce(&mut Exec<'_>) -> R,
    ) -> R {
        let clock = self.now();
        let (result, emitted) = self.with_state(|st| {
            let mut x = Exec::new(st, at.unwrap_or(clock), self.ctx.rng.as_ref());
            x.clock_now = clock;
            if let Some(r) = request {
                x.request = r;
            }
            let result = f(&mut x);
            (result, !x.outbox.is_empty())
        });
        if emitted {
            self.wake_deliveries();
        }
        result
    }

    /// Starts the webhook dispatcher on first use (it needs a Tokio runtime) and wakes it.
    fn wake_deliveries(&self) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        if !self.dispatcher.swap(true, Ordering::SeqCst) {
            tokio::spawn(webhooks::dispatch(self.me.clone(), self.deliveries.clone()));
        }
        self.deliveries.notify_one();
    }

    /// Applies time-driven changes due by the sandbox clock (also done before every request).
    pub fn tick(&self) {
        self.exec(None, None, clock::process_due);
    }

    /// Accepts another secret key (`sk_test_…`).
    pub fn add_api_key(&self, key: &str) {
        self.with_state(|st| st.api_keys.insert(key.to_owned()));
    }

    /// The current run-time settings.
    pub fn config(&self) -> SimConfig {
        self.with_state(|st| st.config.clone())
    }

    /// Replaces the run-time settings.
    pub fn set_config(&self, config: SimConfig) {
        self.with_state(|st| {
            st.config = config;
            // Payout timings may have changed what is due.
            st.due_checked = None;
        });
        self.limiter.reset();
    }

    /// Every webhook delivery attempt so far.
    pub fn delivery_attempts(&self) -> Vec<DeliveryAttempt> {
        self.with_state(|st| st.webhooks.attempts.clone())
    }
}

impl Simulator for StripeSim {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .route("/v1/{*rest}", any(http::handle))
            .route("/dashboard/{resource}/{id}", get(dashboard_page))
            .route("/dashboard/test/{resource}/{id}", get(dashboard_page))
            .fallback(http::handle)
            .with_state(self)
    }

    fn admin_routes(self: Arc<Self>) -> Router {
        admin::router(self)
    }

    fn injected_error(&self, status: StatusCode) -> Response {
        let request_id = state::new_id(self.ctx.rng.as_ref(), "req_");
        http::error_response(&errors::injected(status), &request_id, API_VERSION)
    }

    fn snapshot(&self) -> serde_json::Value {
        self.with_state(|st| serde_json::to_value(&*st).unwrap_or_default())
    }

    fn restore(&self, snapshot: serde_json::Value) -> Result<(), SandboxError> {
        let mut st: State = serde_json::from_value(snapshot)?;
        st.reindex();
        idempotency::drop_in_flight(&mut st);
        let pending = !st.delivery_queue.is_empty();
        self.with_state(|cur| *cur = st);
        self.limiter.reset();
        if pending {
            self.wake_deliveries();
        }
        Ok(())
    }
}

/// `GET /dashboard[/test]/{resource}/{id}`: an object's page, as the Stripe dashboard shows it
/// (the sandbox's stand-in, for the console's links). `payments` holds charges and payment
/// intents, as the dashboard's does.
async fn dashboard_page(
    axum::extract::State(sim): axum::extract::State<Arc<StripeSim>>,
    axum::extract::Path((resource, id)): axum::extract::Path<(String, String)>,
) -> Response {
    let kinds: &[&str] = match resource.as_str() {
        "payments" => &["charge", "payment_intent"],
        other => &[other.strip_suffix('s').unwrap_or(other)],
    };
    let found = kinds.iter().find_map(|kind| {
        sim.objects(kind)
            .into_iter()
            .find(|o| o.get("id").and_then(serde_json::Value::as_str) == Some(id.as_str()))
    });
    match found.and_then(|o| o.as_object().cloned()) {
        Some(object) => crate::record_page::page("Stripe", &format!("{resource} {id}"), &object),
        None => crate::record_page::not_found("Stripe", &format!("{resource} {id}")),
    }
}
