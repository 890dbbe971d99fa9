//! Payee routes under `/v4/programs/{program_id}/payees`: registration link, status, details and
//! release; plus the registration completion and approve/decline used by the sandbox page and
//! admin routes (which send the "Approved"/"Declined" IPCNs).

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{delete, get, post};
use serde_json::{Value, json};

use super::PayoneerSim;
use super::auth::authorize;
use super::ipcn::{self, Outgoing};
use super::state::{IpcnEvent, Payee, PayeeStatus, RegistrationLink};
use super::wire::{self, ItemError, SUB_PAYEE_NOT_FOUND, SUB_VALIDATION, date, ok_result};
use crate::error::SandboxError;

type Sim = State<Arc<PayoneerSim>>;

/// The payee routes.
pub(crate) fn routes() -> Router<Arc<PayoneerSim>> {
    Router::new()
        .route(
            "/v4/programs/{program_id}/payees/registration-link",
            post(registration_link),
        )
        .route("/v4/programs/{program_id}/payees/{payee_id}/status", get(status))
        .route(
            "/v4/programs/{program_id}/payees/{payee_id}/details",
            get(details),
        )
        .route("/v4/programs/{program_id}/payees/{payee_id}", delete(release))
}

fn payee_not_found() -> Response {
    wire::error(
        StatusCode::NOT_FOUND,
        "Payee not found",
        Some(SUB_PAYEE_NOT_FOUND),
        vec![],
    )
}

fn str_at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, key| v.get(key))?.as_str()
}

async fn registration_link(
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
    let payee_id = str_at(&request, &["payee_id"])
        .unwrap_or_default()
        .trim()
        .to_owned();
    if payee_id.is_empty() {
        return wire::error(
            StatusCode::BAD_REQUEST,
            "Invalid registration request",
            Some(SUB_VALIDATION),
            vec![ItemError::new(
                "missing_field",
                "payee_id".into(),
                "",
                "payee_id is required".into(),
            )],
        );
    }
    let currency = request
        .get("payout_methods")
        .and_then(|m| m.as_array())
        .and_then(|m| m.first())
        .and_then(|m| m.get("currency"))
        .and_then(|c| c.as_str())
        .unwrap_or("USD")
        .to_ascii_uppercase();
    let link = RegistrationLink {
        program_id,
        payee_id,
        session_id: str_at(&request, &["client_session_id"])
            .unwrap_or_default()
            .to_owned(),
        redirect_url: str_at(&request, &["redirect_url"]).map(str::to_owned),
        email: str_at(&request, &["payee", "contact", "email"])
            .unwrap_or_default()
            .to_owned(),
        country: str_at(&request, &["payee", "address", "country"])
            .unwrap_or_default()
            .to_owned(),
        payout_currency: currency,
        used: false,
    };
    let mut bytes = [0u8; 16];
    sim.ctx().rng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let url = format!("{}/__sandbox/payoneer/register/{token}", sim.ctx().base_url);
    sim.lock().links.insert(token.clone(), link);
    ok_result(json!({ "registration_link": url, "token": token }))
}

/// The `status` object shared by status and details.
fn status_json(payee: &Payee) -> Value {
    let items: Vec<Value> = payee
        .reasons
        .iter()
        .map(|r| json!({ "reason_description": r }))
        .collect();
    json!({
        "type": payee.status.type_code(),
        "description": payee.status.description(),
        "reasons": { "items": items },
    })
}

async fn status(
    State(sim): Sim,
    Path((program_id, payee_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    sim.dispatch(sim.advance(&super::Scope::Due));
    if let Some(response) = authorize(&sim, &headers, &program_id) {
        return response;
    }
    let state = sim.lock();
    let Some(payee) = state
        .programs
        .get(&program_id)
        .and_then(|p| p.payees.get(&payee_id))
    else {
        return payee_not_found();
    };
    ok_result(json!({
        "account_id": payee.account_id,
        "status": status_json(payee),
        "registration_date": date(payee.registered_at),
        "payout_method": { "type": payee.payout_method_type, "currency": payee.payout_currency },
    }))
}

async fn details(
    State(sim): Sim,
    Path((program_id, payee_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    sim.dispatch(sim.advance(&super::Scope::Due));
    if let Some(response) = authorize(&sim, &headers, &program_id) {
        return response;
    }
    let state = sim.lock();
    let Some(payee) = state
        .programs
        .get(&program_id)
        .and_then(|p| p.payees.get(&payee_id))
    else {
        return payee_not_found();
    };
    ok_result(json!({
        "payee_id": payee.payee_id,
        "account_id": payee.account_id,
        "type": "INDIVIDUAL",
        "contact": { "email": payee.email },
        "address": { "country": payee.country },
        "status": status_json(payee),
        "registration_date": date(payee.registered_at),
        "payout_method": { "type": payee.payout_method_type, "currency": payee.payout_currency },
    }))
}

async fn release(
    State(sim): Sim,
    Path((program_id, payee_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    sim.dispatch(sim.advance(&super::Scope::Due));
    if let Some(response) = authorize(&sim, &headers, &program_id) {
        return response;
    }
    let now = sim.now();
    let mut state = sim.lock();
    let removed = state
        .programs
        .get_mut(&program_id)
        .and_then(|p| p.payees.remove(&payee_id));
    if removed.is_none() {
        return payee_not_found();
    }
    ok_result(json!({ "payee_id": payee_id, "release_date": wire::datetime(now) }))
}

/// Moves a payee to Active (→ "Approved" IPCN) or Inactive (→ "Declined" IPCN) or Pending (no
/// IPCN). Returns the IPCNs to send.
pub(crate) fn set_payee_status(
    sim: &PayoneerSim,
    program_id: &str,
    payee_id: &str,
    status: PayeeStatus,
    reason: Option<&str>,
) -> Result<Vec<Outgoing>, SandboxError> {
    let now = sim.now();
    let mut state = sim.lock();
    let payee = state
        .programs
        .get_mut(program_id)
        .and_then(|p| p.payees.get_mut(payee_id))
        .ok_or_else(|| SandboxError::Invalid(format!("unknown payee {program_id}/{payee_id}")))?;
    payee.status = status;
    payee.reasons = reason.map(|r| vec![r.to_owned()]).unwrap_or_default();
    let (account_id, session_id) = (payee.account_id.clone(), payee.session_id.clone());
    let event = match status {
        PayeeStatus::Active => Some((
            IpcnEvent::PayeeApproved,
            ipcn::payee_approved(payee_id, &account_id, &session_id),
        )),
        PayeeStatus::Inactive => Some((
            IpcnEvent::PayeeDeclined,
            ipcn::payee_declined(payee_id, &account_id, &session_id, reason.unwrap_or_default()),
        )),
        PayeeStatus::Pending => None,
    };
    Ok(event
        .and_then(|(kind, body)| ipcn::build(&state, sim.ctx().rng.as_ref(), now, kind, &body))
        .into_iter()
        .collect())
}

/// Completes a registration link: creates (or updates) the payee with `status`. Returns the
/// redirect URL (if the link had one) and the IPCNs to send.
pub(crate) fn complete_registration(
    sim: &PayoneerSim,
    token: &str,
    status: PayeeStatus,
) -> Result<(Option<String>, Vec<Outgoing>), SandboxError> {
    let account_id = sim.numeric_id(7);
    let now = sim.now();
    let link = {
        let mut state = sim.lock();
        let link = state
            .links
            .get_mut(token)
            .ok_or_else(|| SandboxError::Invalid("unknown registration link".into()))?;
        if link.used {
            return Err(SandboxError::Invalid(
                "this registration link was already used".into(),
            ));
        }
        link.used = true;
        let link = link.clone();
        let program = state.program_mut(&link.program_id);
        let payee = program
            .payees
            .entry(link.payee_id.clone())
            .or_insert_with(|| Payee {
                payee_id: link.payee_id.clone(),
                account_id,
                status: PayeeStatus::Pending,
                reasons: Vec::new(),
                email: link.email.clone(),
                country: link.country.clone(),
                payout_currency: link.payout_currency.clone(),
                payout_method_type: "BANK".to_owned(),
                fail_payouts_with: None,
                session_id: link.session_id.clone(),
                registered_at: now,
            });
        payee.session_id = link.session_id.clone();
        link
    };
    let reason = (status == PayeeStatus::Inactive).then_some("Incorrect information");
    let out = set_payee_status(sim, &link.program_id, &link.payee_id, status, reason)?;
    Ok((link.redirect_url, out))
}
