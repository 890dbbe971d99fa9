//! The Payoneer Mass Payouts v4 simulator (apis.md §4, reliability.md §1.4).
//!
//! - OAuth2 client credentials at `POST /api/v2/oauth2/token`; API calls need `Bearer` tokens
//!   that expire on the sim clock.
//! - Under `/v4/programs/{program_id}`: payee registration links, status, details and release;
//!   `POST /masspayouts` (whole batch validated first, all-or-nothing, `client_reference_id`
//!   deduplicated by rejection); payout status and cancel; balance.
//! - Payouts draw the program balance down at acceptance and settle asynchronously on the sim
//!   clock, with FX and a configurable fee; IPCNs are signed `hmacauth` as Payoneer does.
//! - A ledger of every payout creation, so crash tests can prove nothing was paid twice.
//!
//! Every shape is third-party evidence (no official spec is public); where the references are
//! silent the choice is documented next to the code.

mod admin;
mod auth;
mod batch;
pub mod ipcn;
mod routes_payees;
mod routes_payouts;
pub mod settle;
pub mod state;
pub mod wire;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::error::SandboxError;
use crate::server::{SimContext, Simulator};

pub use settle::Scope;
pub use state::{
    Config, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PROGRAM_ID, DeliveryRecord, IpcnConfig,
    IpcnEvent, LedgerEntry, NewPayee, Payee, PayeeStatus, Payout, PayoutFailure, PayoutStatus,
};

use ipcn::Outgoing;
use state::{Client, State, fx_key};

/// The Payoneer simulator.
#[derive(Debug)]
pub struct PayoneerSim {
    ctx: SimContext,
    state: Mutex<State>,
}

impl PayoneerSim {
    /// A simulator with the default program (`100010001`, primary currency USD, no funds) and the
    /// default client (`paysync-sandbox` / `sandbox-secret`). Starts a background ticker (when a
    /// Tokio runtime is running) so payouts settle on the sim clock without any request.
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

    /// Applies whatever is due in `scope` and returns the IPCNs to send.
    pub(crate) fn advance(&self, scope: &Scope) -> Vec<Outgoing> {
        self.advance_counting(scope).1
    }

    fn advance_counting(&self, scope: &Scope) -> (usize, Vec<Outgoing>) {
        let now = self.now();
        let mut state = self.lock();
        settle::process(&mut state, self.ctx.rng.as_ref(), now, scope)
    }

    /// Sends IPCNs in the background, in order.
    pub(crate) fn dispatch(self: &Arc<Self>, out: Vec<Outgoing>) {
        if out.is_empty() {
            return;
        }
        let sim = self.clone();
        tokio::spawn(async move { sim.deliver(out).await });
    }

    /// Sends IPCNs and waits for them, recording each attempt.
    pub(crate) async fn deliver(&self, out: Vec<Outgoing>) {
        for item in out {
            let record = ipcn::send(&self.ctx.http, item).await;
            self.lock().deliveries.push(record);
        }
    }

    /// Processes everything due on the sim clock and waits for the resulting IPCNs.
    pub async fn run_due(&self) {
        let out = self.advance(&Scope::Due);
        self.deliver(out).await;
    }

    /// Settles payouts now, ignoring the settle delay ("settle now"), and waits for the IPCNs.
    /// Returns how many payouts moved.
    pub async fn settle_now(&self, scope: Scope) -> usize {
        let (moved, out) = self.advance_counting(&scope);
        self.deliver(out).await;
        moved
    }

    // ---- Seeding API (bypasses auth and faults) ----

    /// Adds or replaces a payee in the default program, registered at `created`.
    pub fn insert_payee(&self, payee: NewPayee, created: DateTime<Utc>) {
        self.insert_payee_in(DEFAULT_PROGRAM_ID, payee, created);
    }

    /// Adds or replaces a payee in `program_id` (created if new), registered at `created`.
    pub fn insert_payee_in(&self, program_id: &str, payee: NewPayee, created: DateTime<Utc>) {
        let account_id = self.account_id();
        let mut state = self.lock();
        let program = state.program_mut(program_id);
        program.payees.insert(
            payee.payee_id.clone(),
            Payee {
                payee_id: payee.payee_id,
                account_id,
                status: payee.status,
                reasons: payee.reasons,
                email: payee.email,
                country: payee.country,
                payout_currency: payee.payout_currency.to_ascii_uppercase(),
                payout_method_type: "BANK".to_owned(),
                fail_payouts_with: payee.fail_payouts_with,
                session_id: String::new(),
                registered_at: created,
            },
        );
    }

    /// Sets the default program's available balance in `currency` (major units). A currency with
    /// a balance entry (even zero) is enabled for payouts.
    pub fn set_balance(&self, currency: &str, amount: Decimal) {
        self.set_program_balance(DEFAULT_PROGRAM_ID, currency, amount);
    }

    /// Sets `program_id`'s available balance in `currency` (major units).
    pub fn set_program_balance(&self, program_id: &str, currency: &str, amount: Decimal) {
        let mut state = self.lock();
        state
            .program_mut(program_id)
            .balances
            .insert(currency.to_ascii_uppercase(), amount);
    }

    /// The default program's available balance in `currency` (zero when none).
    pub fn balance(&self, currency: &str) -> Decimal {
        let state = self.lock();
        state
            .programs
            .get(DEFAULT_PROGRAM_ID)
            .and_then(|p| p.balances.get(&currency.to_ascii_uppercase()).copied())
            .unwrap_or(Decimal::ZERO)
    }

    /// Sets the rate that converts one unit of `from` into `to` (exact decimal).
    pub fn set_fx_rate(&self, from: &str, to: &str, rate: Decimal) {
        self.lock().fx_rates.insert(fx_key(from, to), rate);
    }

    /// Sets the flat fee charged to the program per payout in `currency` (major units).
    pub fn set_fee(&self, currency: &str, fee: Decimal) {
        self.lock().fees.insert(currency.to_ascii_uppercase(), fee);
    }

    /// Registers (or replaces) an OAuth client allowed to act on `program_ids` (each created if new).
    pub fn register_client(&self, client_id: &str, client_secret: &str, program_ids: &[&str]) {
        let mut state = self.lock();
        for program in program_ids {
            state.program_mut(program);
        }
        state.clients.insert(
            client_id.to_owned(),
            Client {
                secret: client_secret.to_owned(),
                program_ids: program_ids.iter().map(|p| (*p).to_owned()).collect(),
            },
        );
    }

    /// Replaces timing and limits.
    pub fn set_config(&self, config: Config) {
        self.lock().config = config;
    }

    /// Current timing and limits.
    pub fn config(&self) -> Config {
        self.lock().config.clone()
    }

    /// Replaces the IPCN receivers and secret.
    pub fn set_ipcn(&self, config: IpcnConfig) {
        self.lock().ipcn = config;
    }

    /// Approves a payee (→ Active) and sends the "Approved" IPCN.
    pub async fn approve_payee(&self, program_id: &str, payee_id: &str) -> Result<(), SandboxError> {
        let out = routes_payees::set_payee_status(self, program_id, payee_id, PayeeStatus::Active, None)?;
        self.deliver(out).await;
        Ok(())
    }

    /// Declines a payee (→ Inactive) with `reason` and sends the "Declined" IPCN.
    pub async fn decline_payee(
        &self,
        program_id: &str,
        payee_id: &str,
        reason: &str,
    ) -> Result<(), SandboxError> {
        let out =
            routes_payees::set_payee_status(self, program_id, payee_id, PayeeStatus::Inactive, Some(reason))?;
        self.deliver(out).await;
        Ok(())
    }

    // ---- Accessors ----

    /// Every payee of every program, by program then payee id.
    pub fn payees(&self) -> Vec<Payee> {
        let state = self.lock();
        state
            .programs
            .values()
            .flat_map(|p| p.payees.values().cloned())
            .collect()
    }

    /// Every payout of every program, by program then reference.
    pub fn payouts(&self) -> Vec<Payout> {
        let state = self.lock();
        state
            .programs
            .values()
            .flat_map(|p| p.payouts.values().cloned())
            .collect()
    }

    /// Every payout ever created, in creation order, with its current status. A correct client
    /// never produces two entries with the same `(program_id, client_reference_id)`; the
    /// simulator itself never creates one either (resubmissions are rejected and counted in
    /// [`Self::duplicate_submissions`]).
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        let state = self.lock();
        state
            .ledger
            .iter()
            .map(|entry| {
                let mut entry = entry.clone();
                if let Some(p) = state
                    .programs
                    .get(&entry.program_id)
                    .and_then(|p| p.payouts.get(&entry.client_reference_id))
                {
                    entry.status = p.status;
                }
                entry
            })
            .collect()
    }

    /// How many submitted payments reused a `client_reference_id` accepted earlier (each was
    /// rejected, never paid twice).
    pub fn duplicate_submissions(&self) -> u64 {
        self.lock().duplicate_submissions
    }

    /// Every IPCN delivery attempt, in order.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.lock().deliveries.clone()
    }

    /// A random numeric id of `digits` digits (no leading zero).
    pub(crate) fn numeric_id(&self, digits: u32) -> String {
        let low = 10u64.pow(digits.saturating_sub(1));
        let span = 10u64.pow(digits).saturating_sub(low);
        low.saturating_add(self.ctx.rng.below(span)).to_string()
    }

    fn account_id(&self) -> String {
        self.numeric_id(7)
    }
}

/// Moves due payouts every half second of real time, so a demo running on the system clock
/// settles without anyone polling. Holds only a weak reference, so it ends with the simulator.
impl Simulator for PayoneerSim {
    fn name(&self) -> &'static str {
        "payoneer"
    }

    fn routes(self: Arc<Self>) -> Router {
        Router::new()
            .merge(auth::routes())
            .merge(routes_payees::routes())
            .merge(routes_payouts::routes())
            .fallback(not_found)
            .with_state(self)
    }

    fn admin_routes(self: Arc<Self>) -> Router {
        admin::routes().with_state(self)
    }

    fn injected_error(&self, status: StatusCode) -> Response {
        wire::error(
            status,
            "The service is temporarily unable to process the request",
            None,
            vec![],
        )
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
    wire::error(
        StatusCode::NOT_FOUND,
        "Resource not found",
        Some(wire::SUB_NOT_FOUND),
        vec![],
    )
}
