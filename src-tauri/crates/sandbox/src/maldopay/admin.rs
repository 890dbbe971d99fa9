//! Admin routes, mounted under `/__sandbox/` without faults: the payment page a deposit's
//! `redirect` points to, merchants, outcome rules and timing, callback receiver and signing,
//! seeding, resolve / refund / chargeback, and read-only views.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::MaldoPaySim;
use super::state::{CallbackConfig, Config, NewTransaction, TxStatus};

type Sim = State<Arc<MaldoPaySim>>;

/// The admin routes (relative to `/__sandbox`).
pub(crate) fn routes() -> Router<Arc<MaldoPaySim>> {
    Router::new()
        .route("/maldopay/pay/{id}", get(pay_page).post(pay_submit))
        .route("/maldopay/clients", post(register_client))
        .route("/maldopay/config", get(get_config).put(put_config))
        .route("/maldopay/callbacks", get(get_callbacks).put(put_callbacks))
        .route("/maldopay/transactions", get(list).post(seed))
        .route("/maldopay/transactions/{id}/resolve", post(resolve))
        .route("/maldopay/transactions/{id}/refund", post(refund))
        .route("/maldopay/transactions/{id}/chargeback", post(chargeback))
        .route("/maldopay/tick", post(tick))
        .route("/maldopay/deliveries", get(deliveries))
}

fn bad_request(message: impl std::fmt::Display) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({ "error": message.to_string() })),
    )
        .into_response()
}

async fn pay_page(State(sim): Sim, Path(id): Path<String>) -> Response {
    let tx = sim.lock().transactions.get(&id).cloned();
    let Some(tx) = tx else {
        return (StatusCode::NOT_FOUND, Html("<h1>Unknown transaction</h1>")).into_response();
    };
    Html(format!(
        "<!doctype html><title>MaldoPay sandbox payment</title><h1>Pay {amount} (minor units) {currency}</h1>\
         <p>Transaction {id}, status {status}. This page stands in for the payment method.</p>\
         <form method=\"post\"><button name=\"decision\" value=\"confirm\">Confirm</button> \
         <button name=\"decision\" value=\"decline\">Decline</button> \
         <button name=\"decision\" value=\"cancel\">Cancel</button></form>",
        amount = tx.amount,
        currency = tx.currency,
        id = tx.transaction_id,
        status = tx.status.as_str(),
    ))
    .into_response()
}

async fn pay_submit(State(sim): Sim, Path(id): Path<String>, body: Bytes) -> Response {
    let decision = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "decision")
        .map(|(_, v)| v.into_owned());
    let (status, landing) = match decision.as_deref() {
        Some("decline") => (TxStatus::Declined, "landingDeclined"),
        Some("cancel") => (TxStatus::Canceled, "landingFailed"),
        _ => (TxStatus::Confirmed, "landingSuccess"),
    };
    if let Err(e) = sim.resolve(&id, status, None).await {
        return (StatusCode::BAD_REQUEST, Html(format!("<h1>{e}</h1>"))).into_response();
    }
    let url = sim
        .lock()
        .transactions
        .get(&id)
        .and_then(|t| t.landing_pages.get(landing).cloned())
        .filter(|u| !u.is_empty());
    match url {
        Some(url) => (StatusCode::SEE_OTHER, [(header::LOCATION, url)]).into_response(),
        None => Html(format!("<h1>Payment {}</h1>", status.as_str())).into_response(),
    }
}

#[derive(Deserialize)]
struct ClientBody {
    client_id: String,
    brand_id: String,
    api_key: String,
}

async fn register_client(State(sim): Sim, Json(b): Json<ClientBody>) -> Response {
    sim.register_client(&b.client_id, &b.brand_id, &b.api_key);
    StatusCode::NO_CONTENT.into_response()
}

async fn get_config(State(sim): Sim) -> Response {
    Json(sim.config()).into_response()
}

async fn put_config(State(sim): Sim, Json(config): Json<Config>) -> Response {
    sim.set_config(config);
    Json(sim.config()).into_response()
}

async fn get_callbacks(State(sim): Sim) -> Response {
    let mut callbacks = sim.lock().callbacks.clone();
    // The secret is write-only.
    callbacks.signing.secret = String::new();
    Json(callbacks).into_response()
}

/// Deliveries only ever go to this machine.
fn is_loopback(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    })
}

async fn put_callbacks(State(sim): Sim, Json(callbacks): Json<CallbackConfig>) -> Response {
    if let Some(url) = &callbacks.url
        && !is_loopback(url)
    {
        return bad_request(format!("callback receivers must be loopback URLs: {url}"));
    }
    sim.set_callbacks(callbacks);
    StatusCode::NO_CONTENT.into_response()
}

async fn list(State(sim): Sim) -> Response {
    Json(sim.transactions()).into_response()
}

async fn seed(State(sim): Sim, Json(tx): Json<NewTransaction>) -> Response {
    let id = sim.insert_transaction(tx);
    Json(json!({ "transactionId": id })).into_response()
}

#[derive(Deserialize)]
struct ResolveBody {
    result: TxStatus,
    #[serde(default)]
    reason: Option<String>,
}

async fn resolve(State(sim): Sim, Path(id): Path<String>, Json(b): Json<ResolveBody>) -> Response {
    match sim.resolve(&id, b.result, b.reason.as_deref()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => bad_request(e),
    }
}

#[derive(Deserialize, Default)]
struct ReverseBody {
    #[serde(default)]
    amount: Option<i64>,
    #[serde(default)]
    reason: Option<String>,
}

async fn refund(State(sim): Sim, Path(id): Path<String>, body: Bytes) -> Response {
    let b: ReverseBody = serde_json::from_slice(&body).unwrap_or_default();
    match sim.refund(&id, b.amount, b.reason.as_deref()).await {
        Ok(new_id) => Json(json!({ "transactionId": new_id })).into_response(),
        Err(e) => bad_request(e),
    }
}

async fn chargeback(State(sim): Sim, Path(id): Path<String>, body: Bytes) -> Response {
    let b: ReverseBody = serde_json::from_slice(&body).unwrap_or_default();
    match sim.chargeback(&id, b.amount, b.reason.as_deref()).await {
        Ok(new_id) => Json(json!({ "transactionId": new_id })).into_response(),
        Err(e) => bad_request(e),
    }
}

async fn tick(State(sim): Sim) -> Response {
    sim.run_due().await;
    StatusCode::NO_CONTENT.into_response()
}

async fn deliveries(State(sim): Sim) -> Response {
    Json(sim.deliveries()).into_response()
}
