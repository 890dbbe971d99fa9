//! Payout routes under `/v4/programs/{program_id}`: `POST /masspayouts`, payout status and cancel,
//! and the program balance.
//!
//! Mass payouts are all-or-nothing: the whole batch is validated first and any bad item rejects
//! it with 400, naming every bad item in `error_details.errors`, nothing created. A
//! `client_reference_id` accepted earlier is **rejected** (reliability.md §1.4 target 1: "resubmit
//! an accepted client_reference_id → expect rejection, never a second payment"), with sub-code
//! 2307 when that is the only problem and 1000 otherwise; the caller resolves it by querying the
//! payout status. Acceptance draws amount + fee from the balance; settlement is asynchronous.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::Duration;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use super::PayoneerSim;
use super::auth::authorize;
use super::batch::{Checked, validate};
use super::ipcn;
use super::settle::exponent;
use super::state::{IpcnEvent, LedgerEntry, Payout, PayoutStatus};
use super::wire::{
    self, ItemError, SUB_DUPLICATE_REFERENCE, SUB_INSUFFICIENT_FUNDS, SUB_NOT_CANCELLABLE,
    SUB_PAYOUT_NOT_FOUND, SUB_VALIDATION, amount_json, amount_text, datetime, ok_result,
};

type Sim = State<Arc<PayoneerSim>>;

/// The payout and balance routes.
pub(crate) fn routes() -> Router<Arc<PayoneerSim>> {
    Router::new()
        .route("/v4/programs/{program_id}/masspayouts", post(mass_payouts))
        .route(
            "/v4/programs/{program_id}/payouts/{client_reference_id}/status",
            get(payout_status),
        )
        .route(
            "/v4/programs/{program_id}/payouts/{client_reference_id}/cancel",
            post(cancel).put(cancel),
        )
        .route("/v4/programs/{program_id}/balance", get(balance))
        .route("/v4/programs/{program_id}/balances", get(balances))
}

async fn mass_payouts(
    State(sim): Sim,
    Path(program_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.dispatch(sim.advance(&super::Scope::Due));
    if let Some(response) = authorize(&sim, &headers, &program_id) {
        return response;
    }
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(items) = request.get("Payments").and_then(Value::as_array) else {
        return wire::error(
            StatusCode::BAD_REQUEST,
            "Invalid payout data",
            Some(SUB_VALIDATION),
            vec![ItemError::new(
                "invalid_request",
                "Payments".into(),
                "",
                "The body must be a JSON object with a \"Payments\" array".into(),
            )],
        );
    };
    let now = sim.now();
    // Payout ids are drawn before taking the lock (one per item, so ids replay per seed).
    let payout_ids: Vec<String> = items.iter().map(|_| sim.numeric_id(10)).collect();
    let mut state = sim.lock();
    let max_batch = state.config.max_batch;
    if items.is_empty() || items.len() > max_batch {
        return wire::error(
            StatusCode::BAD_REQUEST,
            "Invalid payout data",
            Some(SUB_VALIDATION),
            vec![ItemError::new(
                "invalid_batch_size",
                "Payments".into(),
                items.len().to_string(),
                format!("A batch must hold between 1 and {max_batch} payments"),
            )],
        );
    }
    let Some(program) = state.programs.get(&program_id) else {
        return wire::error(
            StatusCode::NOT_FOUND,
            "Program not found",
            Some(wire::SUB_NOT_FOUND),
            vec![],
        );
    };
    let Checked {
        valid,
        errors,
        known_duplicates,
    } = validate(&state, program, items);
    if !errors.is_empty() {
        state.duplicate_submissions += known_duplicates;
        let only_duplicates = u64::try_from(errors.len()).is_ok_and(|n| n == known_duplicates);
        let (sub, text) = if only_duplicates {
            (
                SUB_DUPLICATE_REFERENCE,
                "Payout with this client_reference_id already exists",
            )
        } else {
            (SUB_VALIDATION, "Invalid payout data")
        };
        return wire::error(StatusCode::BAD_REQUEST, text, Some(sub), errors);
    }
    // Funds: amount + fee per currency, against the balance, before anything is created.
    let mut needed: BTreeMap<String, Decimal> = BTreeMap::new();
    for v in &valid {
        let fee = state.fee(&v.currency);
        let entry = needed.entry(v.currency.clone()).or_insert(Decimal::ZERO);
        *entry = entry.saturating_add(v.amount).saturating_add(fee);
    }
    let mut shortfalls = Vec::new();
    for (currency, need) in &needed {
        let have = program.balances.get(currency).copied().unwrap_or(Decimal::ZERO);
        if *need > have {
            let e = exponent(currency);
            shortfalls.push(ItemError::new(
                "insufficient_funds",
                format!("balance.{currency}"),
                amount_text(*need, e),
                format!(
                    "Insufficient funds: the batch needs {} {currency} (including fees), the balance is {} {currency}",
                    amount_text(*need, e),
                    amount_text(have, e)
                ),
            ));
        }
    }
    if !shortfalls.is_empty() {
        let description = shortfalls[0].message.clone();
        return wire::error(
            StatusCode::BAD_REQUEST,
            &description,
            Some(SUB_INSUFFICIENT_FUNDS),
            shortfalls,
        );
    }
    let delay = Duration::seconds(state.config.settle_delay_secs);
    let mut events = Vec::new();
    for (v, payout_id) in valid.into_iter().zip(payout_ids) {
        let fee = state.fee(&v.currency);
        let settle_at = v.payout_date.map_or(now + delay, |d| d.max(now + delay));
        let payout = Payout {
            program_id: program_id.clone(),
            client_reference_id: v.reference.clone(),
            payout_id: payout_id.clone(),
            payee_id: v.payee_id.clone(),
            amount: v.amount,
            currency: v.currency.clone(),
            description: v.description,
            group_id: v.group_id,
            requested_payout_date: v.payout_date,
            fee,
            status: PayoutStatus::Pending,
            created_at: now,
            settle_at,
            load_date: None,
            target_amount: v.target.as_ref().map(|t| t.0),
            target_currency: v.target.map(|t| t.1),
            reason_code: None,
            reason_description: None,
            cancel_reason_code: None,
            cancel_reason_description: None,
            cancel_at: None,
        };
        state.ledger.push(LedgerEntry {
            program_id: program_id.clone(),
            client_reference_id: v.reference.clone(),
            payout_id,
            amount: v.amount,
            currency: v.currency.clone(),
            payee_id: v.payee_id.clone(),
            status: PayoutStatus::Pending,
            created_at: now,
        });
        let program = state.program_mut(&program_id);
        let balance = program.balances.entry(v.currency).or_insert(Decimal::ZERO);
        *balance = balance.saturating_sub(v.amount).saturating_sub(fee);
        program.payouts.insert(v.reference.clone(), payout);
        events.push(ipcn::payment_request_accepted(&v.payee_id, &v.reference));
    }
    let out: Vec<_> = events
        .iter()
        .filter_map(|body| {
            ipcn::build(
                &state,
                sim.ctx().rng.as_ref(),
                now,
                IpcnEvent::PaymentRequestAccepted,
                body,
            )
        })
        .collect();
    drop(state);
    sim.dispatch(out);
    ok_result_plain()
}

/// `200 {"result":"Payments Created"}` (go-payoneer's test server answers 201; apis.md says 200).
fn ok_result_plain() -> Response {
    use axum::response::IntoResponse as _;
    (
        StatusCode::OK,
        axum::Json(json!({ "result": "Payments Created" })),
    )
        .into_response()
}

fn payout_not_found() -> Response {
    wire::error(
        StatusCode::NOT_FOUND,
        "Payout not found",
        Some(SUB_PAYOUT_NOT_FOUND),
        vec![],
    )
}

/// The status endpoint's `result` for one payout.
pub(crate) fn status_json(p: &Payout) -> Value {
    let mut result = json!({
        "payout_date": datetime(p.created_at),
        "amount": amount_json(p.amount),
        "currency": p.currency,
        "status": p.status.as_str(),
        "payee_id": p.payee_id,
        "payout_id": p.payout_id,
        "fee": amount_json(p.fee),
    });
    let fields = [
        (
            "scheduled_payout_date",
            p.requested_payout_date.map(|d| json!(datetime(d))),
        ),
        ("load_date", p.load_date.map(|d| json!(datetime(d)))),
        ("reason_code", p.reason_code.as_ref().map(|c| json!(c))),
        (
            "reason_description",
            p.reason_description.as_ref().map(|c| json!(c)),
        ),
        ("cancel_reason_code", p.cancel_reason_code.map(|c| json!(c))),
        (
            "cancel_reason_description",
            p.cancel_reason_description.as_ref().map(|c| json!(c)),
        ),
    ];
    for (key, value) in fields {
        if let Some(value) = value {
            result[key] = value;
        }
    }
    if p.status == PayoutStatus::Transferred
        && let (Some(amount), Some(currency)) = (p.target_amount, &p.target_currency)
    {
        result["target_amount"] = amount_json(amount);
        result["target_currency"] = json!(currency);
    }
    result
}

async fn payout_status(
    State(sim): Sim,
    Path((program_id, reference)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    sim.dispatch(sim.advance(&super::Scope::Due));
    if let Some(response) = authorize(&sim, &headers, &program_id) {
        return response;
    }
    let state = sim.lock();
    match state
        .programs
        .get(&program_id)
        .and_then(|p| p.payouts.get(&reference))
    {
        Some(payout) => ok_result(status_json(payout)),
        None => payout_not_found(),
    }
}

async fn cancel(
    State(sim): Sim,
    Path((program_id, reference)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    sim.dispatch(sim.advance(&super::Scope::Due));
    if let Some(response) = authorize(&sim, &headers, &program_id) {
        return response;
    }
    let now = sim.now();
    let mut state = sim.lock();
    let delay = Duration::seconds(state.config.cancel_delay_secs);
    let Some(payout) = state
        .programs
        .get_mut(&program_id)
        .and_then(|p| p.payouts.get_mut(&reference))
    else {
        return payout_not_found();
    };
    if payout.status != PayoutStatus::Pending {
        return wire::error(
            StatusCode::BAD_REQUEST,
            &format!(
                "Payout cannot be cancelled: its status is {}",
                payout.status.as_str()
            ),
            Some(SUB_NOT_CANCELLABLE),
            vec![],
        );
    }
    if payout.cancel_at.is_none() {
        payout.cancel_at = Some(now + delay);
    }
    ok_result(json!({
        "description": "The request was received successfully. The cancel action has not yet been performed."
    }))
}

async fn balance(
    State(sim): Sim,
    Path(program_id): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    sim.dispatch(sim.advance(&super::Scope::Due));
    if let Some(response) = authorize(&sim, &headers, &program_id) {
        return response;
    }
    let state = sim.lock();
    let Some(program) = state.programs.get(&program_id) else {
        return wire::error(
            StatusCode::NOT_FOUND,
            "Program not found",
            Some(wire::SUB_NOT_FOUND),
            vec![],
        );
    };
    let currency = query
        .get("currency")
        .map_or_else(|| program.primary_currency.clone(), |c| c.to_ascii_uppercase());
    let amount = program.balances.get(&currency).copied().unwrap_or(Decimal::ZERO);
    ok_result(json!({ "balance": amount_json(amount), "currency": currency }))
}

/// Every currency's balance: `{result:{items:[{balance, currency}]}}` (a sandbox extension; the
/// references only show the single-currency `/balance`).
async fn balances(State(sim): Sim, Path(program_id): Path<String>, headers: HeaderMap) -> Response {
    sim.dispatch(sim.advance(&super::Scope::Due));
    if let Some(response) = authorize(&sim, &headers, &program_id) {
        return response;
    }
    let state = sim.lock();
    let items: Vec<Value> = state
        .programs
        .get(&program_id)
        .map(|p| {
            p.balances
                .iter()
                .map(|(c, b)| json!({ "balance": amount_json(*b), "currency": c }))
                .collect()
        })
        .unwrap_or_default();
    ok_result(json!({ "items": items }))
}
