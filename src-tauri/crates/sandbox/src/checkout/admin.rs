//! Admin routes, mounted under `/__sandbox/` without auth or faults:
//!
//! | Route | What it does |
//! |---|---|
//! | `GET`/`PUT /config` | read / replace [`super::Config`] (JSON; missing fields take defaults) |
//! | `POST /secret-keys` | `{"key": "sk_sbox_…"}` → accept another secret key |
//! | `POST /clients` | `{"client_id", "client_secret", "scopes": [..]}` → register an OAuth client |
//! | `POST /webhooks` | `{"url", "signature_key", "headers"?: {..}, "event_types"?: [..]}` → `201 {"id": "wf_…"}`; loopback URLs only |
//! | `GET /webhooks`, `DELETE /webhooks/{id}` | list / remove receivers |
//! | `GET /events` | every event envelope, oldest first |
//! | `GET /deliveries` | every webhook delivery attempt (event, receiver, attempt, status, error) |
//! | `POST /actions/complete` | complete every accepted capture/refund/void now → `{"completed": n}` |
//! | `POST /payments` | seed a payment: [`super::NewPayment`] as JSON (`status` as Checkout spells it) → `{"id"}` |
//! | `GET /payments` | every payment as `GET /payments/{id}` shows it |
//! | `POST /disputes` | `{"payment_id", "amount"?, "category"?, "status"?}` → `201` dispute id, fires `dispute_*` |
//! | `POST /disputes/{id}/status` | `{"status": "won"}` → the issuer's decision, fires `dispute_won` etc. |

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::state::{Config, Receiver};
use super::{CheckoutSim, NewPayment, PaymentStatus, disputes, ids, webhooks};

type Sim = State<Arc<CheckoutSim>>;

pub(crate) fn routes(sim: Arc<CheckoutSim>) -> Router {
    Router::new()
        .route("/config", get(get_config).put(put_config))
        .route("/secret-keys", post(add_secret_key))
        .route("/clients", post(add_client))
        .route("/webhooks", post(add_webhook).get(list_webhooks))
        .route("/webhooks/{id}", delete(remove_webhook))
        .route("/events", get(list_events))
        .route("/deliveries", get(list_deliveries))
        .route("/actions/complete", post(complete_actions))
        .route("/payments", post(seed_payment).get(list_payments))
        .route("/disputes", post(add_dispute))
        .route("/disputes/{id}/status", put(dispute_status).post(dispute_status))
        .with_state(sim)
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

async fn get_config(State(sim): Sim) -> Json<Config> {
    Json(sim.config())
}

async fn put_config(State(sim): Sim, Json(config): Json<Config>) -> Json<Config> {
    sim.set_config(config);
    Json(sim.config())
}

#[derive(Deserialize)]
struct KeyBody {
    key: String,
}

async fn add_secret_key(State(sim): Sim, Json(body): Json<KeyBody>) -> StatusCode {
    sim.register_secret_key(&body.key);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct ClientBody {
    client_id: String,
    client_secret: String,
    #[serde(default)]
    scopes: Vec<String>,
}

async fn add_client(State(sim): Sim, Json(body): Json<ClientBody>) -> StatusCode {
    let scopes: Vec<&str> = body.scopes.iter().map(String::as_str).collect();
    sim.register_client(&body.client_id, &body.client_secret, &scopes);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct WebhookBody {
    url: String,
    signature_key: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    #[serde(default)]
    event_types: Vec<String>,
}

async fn add_webhook(State(sim): Sim, Json(body): Json<WebhookBody>) -> Response {
    if !webhooks::loopback_url(&body.url) {
        return bad_request("webhook receivers must be loopback URLs (127.0.0.0/8, localhost, [::1])");
    }
    let id = ids::id(&*sim.ctx.rng, "wf", 26);
    sim.lock().receivers.insert(
        id.clone(),
        Receiver {
            id: id.clone(),
            url: body.url,
            signature_key: body.signature_key,
            headers: body.headers,
            event_types: body.event_types,
        },
    );
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

async fn list_webhooks(State(sim): Sim) -> Json<Value> {
    Json(json!(sim.lock().receivers.values().collect::<Vec<_>>()))
}

async fn remove_webhook(State(sim): Sim, Path(id): Path<String>) -> StatusCode {
    if sim.lock().receivers.remove(&id).is_some() {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::NOT_FOUND
    }
}

async fn list_events(State(sim): Sim) -> Json<Vec<Value>> {
    Json(sim.events())
}

async fn list_deliveries(State(sim): Sim) -> Json<Value> {
    Json(json!(sim.lock().deliveries))
}

async fn complete_actions(State(sim): Sim) -> Json<Value> {
    Json(json!({ "completed": sim.complete_all() }))
}

#[derive(Deserialize)]
struct SeedPayment {
    amount: i64,
    currency: String,
    #[serde(default)]
    reference: Option<String>,
    status: PaymentStatus,
    #[serde(default)]
    customer_email: Option<String>,
    #[serde(default)]
    metadata: Map<String, Value>,
    #[serde(default)]
    created: Option<DateTime<Utc>>,
}

async fn seed_payment(State(sim): Sim, Json(body): Json<SeedPayment>) -> Response {
    let created = body.created.unwrap_or_else(|| sim.now());
    let id = sim.insert_payment(NewPayment {
        amount: body.amount,
        currency: body.currency,
        reference: body.reference,
        status: body.status,
        customer_email: body.customer_email,
        metadata: body.metadata,
        created,
    });
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

async fn list_payments(State(sim): Sim) -> Json<Vec<Value>> {
    Json(sim.payments())
}

#[derive(Deserialize)]
struct DisputeBody {
    payment_id: String,
    #[serde(default)]
    amount: Option<i64>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

async fn add_dispute(State(sim): Sim, Json(body): Json<DisputeBody>) -> Response {
    let now = sim.now();
    let mut state = sim.lock();
    let Some(payment) = state.payments.get(&body.payment_id) else {
        return bad_request("no such payment");
    };
    let amount = body.amount.unwrap_or(payment.amount);
    let status = body.status.as_deref().unwrap_or("evidence_required");
    if !disputes::STATUSES.contains(&status) {
        return bad_request("unknown dispute status");
    }
    let category = body.category.as_deref().unwrap_or("general");
    if !disputes::CATEGORIES.contains(&category) {
        return bad_request("unknown dispute category");
    }
    let id = disputes::create(
        &sim,
        &mut state,
        &body.payment_id,
        amount,
        category,
        status,
        now,
        true,
    );
    (StatusCode::CREATED, Json(json!({ "id": id }))).into_response()
}

#[derive(Deserialize)]
struct StatusBody {
    status: String,
}

async fn dispute_status(State(sim): Sim, Path(id): Path<String>, Json(body): Json<StatusBody>) -> Response {
    if !disputes::STATUSES.contains(&body.status.as_str()) {
        return bad_request("unknown dispute status");
    }
    let mut state = sim.lock();
    if !state.disputes.contains_key(&id) {
        return StatusCode::NOT_FOUND.into_response();
    }
    sim.set_dispute_status(&mut state, &id, &body.status, true);
    StatusCode::NO_CONTENT.into_response()
}
