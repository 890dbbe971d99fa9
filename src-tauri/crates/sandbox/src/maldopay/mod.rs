//! The MaldoPay simulator (apis.md §5, reliability.md §1.5).
//!
//! - JSON-in-form API: `POST /json/auth/` (player auth → token) then `POST /json/transactions/`
//!   (DEPOSIT / WITHDRAW on a catalog `serviceId`, integer minor-unit `amount`,
//!   `referenceOrderId` deduplicated by rejection), also under `/json/sandbox/`.
//! - `PENDING → CONFIRMED | DECLINED | CANCELED` on the sim clock, by the payment page the
//!   `redirect` points to, or by admin; refunds and chargebacks as child transactions.
//! - Server-to-server form callbacks signed by the configurable model of apis.md §5.
//! - `POST /json/transactions/status/`: a sandbox extension (no status query is documented).
//!
//! MaldoPay publishes no API documentation; shapes come from its PHP SDK and the omnipay driver,
//! and every choice the references leave open is documented next to the code.

mod admin;
pub mod catalog;
mod lifecycle;
mod routes;
pub mod signing;
pub mod state;
pub mod wire;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::error::SandboxError;
use crate::server::{SimContext, Simulator};

pub use signing::{Algorithm, CallbackSigning, Canonical, Encoding, callback_signature, signature_headers};
pub use state::{
    CallbackConfig, CallbackRecord, Config, DEFAULT_API_KEY, DEFAULT_BRAND_ID, DEFAULT_CLIENT_ID,
    NewTransaction, Transaction, TxStatus, TxType,
};

use lifecycle::Outgoing;
use state::{Client, State};

/// The MaldoPay simulator.
#[derive(Debug)]
pub struct MaldoPaySim {
    ctx: SimContext,
    state: Mutex<State>,
}

impl MaldoPaySim {
    /// A simulator knowing the default merchant (`clientId` 1001, `brandId` 1, `apiKey`
    /// `sandbox-api-key`). Starts a background ticker (when a Tokio runtime is running) so
    /// pending transactions resolve on the sim clock without any request.
    pub fn new(ctx: SimContext) -> Arc<Self> {
        let sim = Arc::new(Self {
            ctx,
            state: Mutex::new(State::default()),
        });
        crate::server::spawn_ticker(&sim, std::time::Duration::from_millis(500), |sim| async move {
            sim.run_due().await;
        });
        sim
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.ctx.clock.now()
    }

    pub(crate) fn ctx(&self) -> &SimContext {
        &self.ctx
    }

    /// A random numeric id of `digits` digits (no leading zero).
    pub(crate) fn numeric_id(&self, digits: u32) -> String {
        let low = 10u64.pow(digits.saturating_sub(1));
        let span = 10u64.pow(digits).saturating_sub(low);
        low.saturating_add(self.ctx.rng.below(span)).to_string()
    }

    /// Resolves what is due and returns the callbacks to send.
    pub(crate) fn advance(&self) -> Vec<Outgoing> {
        let now = self.now();
        lifecycle::process_due(&mut self.lock(), now)
    }

    /// Sends callbacks in the background, in order.
    pub(crate) fn dispatch(self: &Arc<Self>, out: Vec<Outgoing>) {
        if out.is_empty() {
            return;
        }
        let sim = self.clone();
        tokio::spawn(async move { sim.deliver(out).await });
    }

    /// Sends callbacks and waits for them, recording each attempt. No retries: MaldoPay's
    /// retry policy is not public.
    pub(crate) async fn deliver(&self, out: Vec<Outgoing>) {
        for item in out {
            let mut request = self
                .ctx
                .http
                .post(&item.url)
                .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(item.body.clone());
            for (name, value) in &item.headers {
                request = request.header(name.as_str(), value.as_str());
            }
            let (status, error) = match request.send().await {
                Ok(r) => (Some(r.status().as_u16()), None),
                Err(e) => (None, Some(e.to_string())),
            };
            self.lock().deliveries.push(CallbackRecord {
                transaction_id: item.transaction_id,
                url: item.url,
                body: item.body,
                headers: item.headers,
                status,
                error,
            });
        }
    }

    /// Resolves everything due on the sim clock and waits for the callbacks.
    pub async fn run_due(&self) {
        let out = self.advance();
        self.deliver(out).await;
    }

    // ---- Seeding API (bypasses auth and faults) ----

    /// Registers (or replaces) a merchant.
    pub fn register_client(&self, client_id: &str, brand_id: &str, api_key: &str) {
        self.lock().clients.insert(
            client_id.to_owned(),
            Client {
                brand_id: brand_id.to_owned(),
                api_key: api_key.to_owned(),
            },
        );
    }

    /// Inserts a transaction of the default merchant with an explicit past `created` time and
    /// returns its `transactionId`. A PENDING one resolves CONFIRMED `settle_delay_secs` after
    /// `created`. No callback is sent for seeded state.
    pub fn insert_transaction(&self, tx: NewTransaction) -> String {
        let id = self.numeric_id(10);
        let mut state = self.lock();
        let creation = catalog::service(tx.service_id).map_or(300, |s| s.creation_code);
        let (code_id, reason) = lifecycle::code_for(tx.kind, tx.status, creation);
        let settle_at = (tx.status == TxStatus::Pending)
            .then(|| tx.created + Duration::seconds(state.config.settle_delay_secs));
        state.transactions.insert(
            id.clone(),
            Transaction {
                transaction_id: id.clone(),
                client_id: DEFAULT_CLIENT_ID.to_owned(),
                brand_id: DEFAULT_BRAND_ID.to_owned(),
                kind: tx.kind,
                service_id: tx.service_id,
                amount: tx.amount,
                currency: tx.currency.to_ascii_uppercase(),
                reference_order_id: tx.reference_order_id,
                status: tx.status,
                code_id,
                reason: reason.to_owned(),
                player_id: "seed-player".to_owned(),
                landing_pages: Default::default(),
                parent_transaction_id: None,
                created_at: tx.created,
                updated_at: tx.created,
                settle_at,
                planned: TxStatus::Confirmed,
            },
        );
        id
    }

    /// Moves a PENDING transaction to `status` now and sends its callback.
    pub async fn resolve(
        &self,
        transaction_id: &str,
        status: TxStatus,
        reason: Option<&str>,
    ) -> Result<(), SandboxError> {
        let now = self.now();
        let out = {
            let mut state = self.lock();
            let tx = state
                .transactions
                .get(transaction_id)
                .ok_or_else(|| SandboxError::Invalid(format!("unknown transaction {transaction_id}")))?;
            if tx.status != TxStatus::Pending {
                return Err(SandboxError::Invalid(format!(
                    "{transaction_id} is already {}",
                    tx.status.as_str()
                )));
            }
            lifecycle::resolve(&mut state, transaction_id, status, reason, now, now)
        };
        self.deliver(out.into_iter().collect()).await;
        Ok(())
    }

    /// Books a refund (`amount` minor units, the whole remainder when `None`) on a CONFIRMED
    /// deposit, sends its callback and returns the refund's `transactionId`.
    pub async fn refund(
        &self,
        transaction_id: &str,
        amount: Option<i64>,
        reason: Option<&str>,
    ) -> Result<String, SandboxError> {
        self.reverse(transaction_id, TxType::Refund, amount, reason).await
    }

    /// Books a chargeback on a CONFIRMED deposit, sends its callback and returns its id.
    pub async fn chargeback(
        &self,
        transaction_id: &str,
        amount: Option<i64>,
        reason: Option<&str>,
    ) -> Result<String, SandboxError> {
        self.reverse(transaction_id, TxType::Chargeback, amount, reason)
            .await
    }

    async fn reverse(
        &self,
        parent: &str,
        kind: TxType,
        amount: Option<i64>,
        reason: Option<&str>,
    ) -> Result<String, SandboxError> {
        let id = self.numeric_id(10);
        let now = self.now();
        let out = lifecycle::reverse(&mut self.lock(), parent, kind, amount, reason, id.clone(), now)
            .map_err(SandboxError::Invalid)?;
        self.deliver(out.into_iter().collect()).await;
        Ok(id)
    }

    /// Replaces timing, credential policy and outcome rules.
    pub fn set_config(&self, config: Config) {
        self.lock().config = config;
    }

    /// Current timing, credential policy and outcome rules.
    pub fn config(&self) -> Config {
        self.lock().config.clone()
    }

    /// Replaces the callback receiver and signing model.
    pub fn set_callbacks(&self, callbacks: CallbackConfig) {
        self.lock().callbacks = callbacks;
    }

    // ---- Accessors ----

    /// Every transaction (refunds and chargebacks included), by id.
    pub fn transactions(&self) -> Vec<Transaction> {
        self.lock().transactions.values().cloned().collect()
    }

    /// How many transaction requests reused a `referenceOrderId` (each was rejected).
    pub fn duplicate_submissions(&self) -> u64 {
        self.lock().duplicate_submissions
    }

    /// Every callback delivery attempt, in order.
    pub fn deliveries(&self) -> Vec<CallbackRecord> {
        self.lock().deliveries.clone()
    }
}

/// Resolves due transactions every half second of real time (weak reference: ends with the
/// simulator).
impl Simulator for MaldoPaySim {
    fn name(&self) -> &'static str {
        "maldopay"
    }

    fn routes(self: Arc<Self>) -> Router {
        routes::routes().fallback(not_found).with_state(self)
    }

    fn admin_routes(self: Arc<Self>) -> Router {
        admin::routes().with_state(self)
    }

    fn injected_error(&self, status: StatusCode) -> Response {
        (
            status,
            axum::Json(json!({
                "transaction": { "codeId": 599, "codeMessage": "Service temporarily unavailable" }
            })),
        )
            .into_response()
    }

    fn snapshot(&self) -> serde_json::Value {
        serde_json::to_value(&*self.lock()).unwrap_or(serde_json::Value::Null)
    }

    fn restore(&self, snapshot: serde_json::Value) -> Result<(), SandboxError> {
        let state: State = serde_json::from_value(snapshot)?;
        *self.lock() = state;
        Ok(())
    }
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({ "transaction": { "codeId": wire::CODE_NOT_FOUND, "codeMessage": "Not found" } })),
    )
        .into_response()
}
