//! Admin routes, mounted under `/__sandbox/` without faults: the payee registration page the
//! registration link points to, seeding over HTTP (payees, balances, FX rates, fees, clients),
//! timing, IPCN receivers, "settle now", and read-only views of the ledger and deliveries.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;

use super::routes_payees::{complete_registration, set_payee_status};
use super::settle::Scope;
use super::state::{Config, DEFAULT_PROGRAM_ID, IpcnConfig, NewPayee, PayeeStatus};
use super::{PayoneerSim, routes_payees};

type Sim = State<Arc<PayoneerSim>>;

/// The admin routes (relative to `/__sandbox`).
pub(crate) fn routes() -> Router<Arc<PayoneerSim>> {
    Router::new()
        .route(
            "/payoneer/register/{token}",
            get(register_page).post(register_submit),
        )
        .route("/payoneer/payees", get(list_payees).post(seed_payee))
        .route("/payoneer/payees/{payee_id}/approve", post(approve))
        .route("/payoneer/payees/{payee_id}/decline", post(decline))
        .route("/payoneer/balances", put(set_balance))
        .route("/payoneer/fx-rates", put(set_fx_rate))
        .route("/payoneer/fees", put(set_fee))
        .route("/payoneer/clients", post(register_client))
        .route("/payoneer/config", get(get_config).put(put_config))
        .route("/payoneer/ipcn", get(get_ipcn).put(put_ipcn))
        .route("/payoneer/settle", post(settle_now))
        .route("/payoneer/tick", post(tick))
        .route("/payoneer/payouts", get(list_payouts))
        .route("/payoneer/ledger", get(ledger))
        .route("/payoneer/deliveries", get(deliveries))
}

fn bad_request(message: impl std::fmt::Display) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": message.to_string() })),
    )
        .into_response()
}

fn program_or_default(program_id: Option<String>) -> String {
    program_id.unwrap_or_else(|| DEFAULT_PROGRAM_ID.to_owned())
}

async fn register_page(State(sim): Sim, Path(token): Path<String>) -> Response {
    let link = sim.lock().links.get(&token).cloned();
    let Some(link) = link else {
        return (StatusCode::NOT_FOUND, Html("<h1>Unknown registration link</h1>")).into_response();
    };
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;")
    };
    Html(format!(
        "<!doctype html><title>Payoneer sandbox registration</title>\
         <h1>Register payee {payee}</h1><p>Program {program}. This page stands in for Payoneer's \
         sign-up flow.</p><form method=\"post\">\
         <button name=\"decision\" value=\"approve\">Register and approve</button> \
         <button name=\"decision\" value=\"pending\">Register (KYC pending)</button> \
         <button name=\"decision\" value=\"decline\">Register and decline</button></form>",
        payee = escape(&link.payee_id),
        program = escape(&link.program_id),
    ))
    .into_response()
}

async fn register_submit(State(sim): Sim, Path(token): Path<String>, body: Bytes) -> Response {
    let decision = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "decision")
        .map(|(_, v)| v.into_owned());
    let auto = sim.lock().config.auto_approve_registrations;
    let status = match decision.as_deref() {
        Some("approve") => PayeeStatus::Active,
        Some("decline") => PayeeStatus::Inactive,
        Some("pending") => PayeeStatus::Pending,
        _ if auto => PayeeStatus::Active,
        _ => PayeeStatus::Pending,
    };
    match complete_registration(&sim, &token, status) {
        Err(e) => (StatusCode::BAD_REQUEST, Html(format!("<h1>{e}</h1>"))).into_response(),
        Ok((redirect, out)) => {
            sim.deliver(out).await;
            match redirect {
                Some(url) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
                None => Html("<h1>Registration complete</h1>").into_response(),
            }
        }
    }
}

#[derive(Deserialize)]
struct SeedPayee {
    #[serde(default)]
    program_id: Option<String>,
    #[serde(default)]
    created: Option<DateTime<Utc>>,
    #[serde(flatten)]
    payee: NewPayee,
}

async fn seed_payee(State(sim): Sim, Json(seed): Json<SeedPayee>) -> Response {
    let created = seed.created.unwrap_or_else(|| sim.now());
    sim.insert_payee_in(&program_or_default(seed.program_id), seed.payee, created);
    StatusCode::NO_CONTENT.into_response()
}

async fn list_payees(State(sim): Sim) -> Response {
    Json(sim.payees()).into_response()
}

#[derive(Deserialize, Default)]
struct PayeeDecision {
    #[serde(default)]
    program_id: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

fn decision(body: &Bytes) -> PayeeDecision {
    serde_json::from_slice(body).unwrap_or_default()
}

async fn approve(State(sim): Sim, Path(payee_id): Path<String>, body: Bytes) -> Response {
    let d = decision(&body);
    let program = program_or_default(d.program_id);
    match set_payee_status(&sim, &program, &payee_id, PayeeStatus::Active, None) {
        Err(e) => bad_request(e),
        Ok(out) => {
            sim.deliver(out).await;
            StatusCode::NO_CONTENT.into_response()
        }
    }
}

async fn decline(State(sim): Sim, Path(payee_id): Path<String>, body: Bytes) -> Response {
    let d = decision(&body);
    let program = program_or_default(d.program_id);
    let reason = d.reason.unwrap_or_else(|| "Incorrect information".to_owned());
    match routes_payees::set_payee_status(&sim, &program, &payee_id, PayeeStatus::Inactive, Some(&reason)) {
        Err(e) => bad_request(e),
        Ok(out) => {
            sim.deliver(out).await;
            StatusCode::NO_CONTENT.into_response()
        }
    }
}

#[derive(Deserialize)]
struct BalanceBody {
    #[serde(default)]
    program_id: Option<String>,
    currency: String,
    amount: Decimal,
}

async fn set_balance(State(sim): Sim, Json(b): Json<BalanceBody>) -> Response {
    sim.set_program_balance(&program_or_default(b.program_id), &b.currency, b.amount);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct FxBody {
    from: String,
    to: String,
    rate: Decimal,
}

async fn set_fx_rate(State(sim): Sim, Json(b): Json<FxBody>) -> Response {
    sim.set_fx_rate(&b.from, &b.to, b.rate);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct FeeBody {
    currency: String,
    fee: Decimal,
}

async fn set_fee(State(sim): Sim, Json(b): Json<FeeBody>) -> Response {
    sim.set_fee(&b.currency, b.fee);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct ClientBody {
    client_id: String,
    client_secret: String,
    #[serde(default)]
    program_ids: Vec<String>,
}

async fn register_client(State(sim): Sim, Json(b): Json<ClientBody>) -> Response {
    let programs: Vec<&str> = if b.program_ids.is_empty() {
        vec![DEFAULT_PROGRAM_ID]
    } else {
        b.program_ids.iter().map(String::as_str).collect()
    };
    sim.register_client(&b.client_id, &b.client_secret, &programs);
    StatusCode::NO_CONTENT.into_response()
}

async fn get_config(State(sim): Sim) -> Response {
    Json(sim.config()).into_response()
}

async fn put_config(State(sim): Sim, Json(config): Json<Config>) -> Response {
    sim.set_config(config);
    Json(sim.config()).into_response()
}

async fn get_ipcn(State(sim): Sim) -> Response {
    let config = sim.lock().ipcn.clone();
    // The secret is write-only.
    Json(json!({
        "app_name": config.app_name,
        "has_secret": config.secret.is_some(),
        "urls": config.urls,
    }))
    .into_response()
}

async fn put_ipcn(State(sim): Sim, Json(config): Json<IpcnConfig>) -> Response {
    for url in config.urls.values() {
        if !is_loopback(url) {
            return bad_request(format!("IPCN receivers must be loopback URLs: {url}"));
        }
    }
    sim.set_ipcn(config);
    StatusCode::NO_CONTENT.into_response()
}

/// Deliveries only ever go to this machine.
fn is_loopback(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    })
}

#[derive(Deserialize, Default)]
struct SettleBody {
    #[serde(default)]
    program_id: Option<String>,
    #[serde(default)]
    client_reference_id: Option<String>,
}

async fn settle_now(State(sim): Sim, body: Bytes) -> Response {
    let b: SettleBody = serde_json::from_slice(&body).unwrap_or_default();
    let scope = match b.client_reference_id {
        Some(reference) => Scope::One {
            program_id: program_or_default(b.program_id),
            client_reference_id: reference,
        },
        None => Scope::All,
    };
    let moved = sim.settle_now(scope).await;
    Json(json!({ "moved": moved })).into_response()
}

async fn tick(State(sim): Sim) -> Response {
    sim.run_due().await;
    StatusCode::NO_CONTENT.into_response()
}

async fn list_payouts(State(sim): Sim) -> Response {
    Json(sim.payouts()).into_response()
}

async fn ledger(State(sim): Sim) -> Response {
    Json(json!({
        "entries": sim.ledger(),
        "duplicate_submissions": sim.duplicate_submissions(),
    }))
    .into_response()
}

async fn deliveries(State(sim): Sim) -> Response {
    Json(sim.deliveries()).into_response()
}
