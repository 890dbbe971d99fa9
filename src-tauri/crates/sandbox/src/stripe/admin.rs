//! Admin routes under `/__sandbox/` (JSON in and out, no auth, no faults):
//!
//! | Route | Does |
//! |---|---|
//! | `GET/PUT /config` | [`SimConfig`]: rate limit, artificial handler delay, payout timing |
//! | `GET/POST /api_keys` | list / add accepted `sk_test_…` keys (`{"key": …}`) |
//! | `GET/POST /webhook_endpoints` | list / register (`{url, enabled_events?, secret?, rolling_secret?}`) |
//! | `DELETE /webhook_endpoints/{id}` | remove an endpoint (its retries stop) |
//! | `POST /webhook_endpoints/{id}/roll` | new secret; the old one keeps signing (`{secret?, expires_in_secs?}`) |
//! | `GET/PUT /webhooks/config` | [`DeliveryConfig`]: retries, timeout, duplicates, shuffle, pause |
//! | `GET /webhooks/attempts` | the delivery attempts log |
//! | `POST /clock/tick` | apply time-driven changes now |
//! | `POST /disputes` | open a dispute (`{charge, amount?, reason?, status?}`) |
//! | `POST /disputes/{id}/resolve` | close it `{"status": "won"\|"lost"}` |
//! | `POST /payouts` | automatic payout sweeping available funds (`{currency}`) |
//! | `POST /payouts/{id}/status` | move a payout (`{status, failure_code?}`) |
//! | `GET /objects/{kind}`, `GET /events` | everything stored, newest first |

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors::ApiError;
use super::webhooks::{DeliveryConfig, WebhookEndpoint};
use super::{SimConfig, StripeSim, disputes, ledger, state};

type S = State<Arc<StripeSim>>;

/// The admin router.
pub fn router(sim: Arc<StripeSim>) -> Router {
    Router::new()
        .route("/config", get(get_config).put(put_config))
        .route("/api_keys", get(list_keys).post(add_key))
        .route("/webhook_endpoints", get(list_endpoints).post(add_endpoint))
        .route("/webhook_endpoints/{id}", axum::routing::delete(delete_endpoint))
        .route("/webhook_endpoints/{id}/roll", post(roll_secret))
        .route("/webhooks/config", get(get_delivery).put(put_delivery))
        .route("/webhooks/attempts", get(attempts))
        .route("/clock/tick", post(tick))
        .route("/disputes", post(open_dispute))
        .route("/disputes/{id}/resolve", post(resolve_dispute))
        .route("/payouts", post(sweep_payout))
        .route("/payouts/{id}/status", post(payout_status))
        .route("/objects/{kind}", get(objects))
        .route("/events", get(events))
        .with_state(sim)
}

fn bad(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(ApiError::invalid(message).body())).into_response()
}

fn api(result: Result<Value, ApiError>) -> Response {
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => (e.status, Json(e.body())).into_response(),
    }
}

async fn get_config(State(sim): S) -> Json<SimConfig> {
    Json(sim.config())
}

async fn put_config(State(sim): S, Json(c): Json<SimConfig>) -> Json<SimConfig> {
    sim.set_config(c);
    Json(sim.config())
}

async fn list_keys(State(sim): S) -> Json<Value> {
    Json(json!(sim.with_state(|st| st.api_keys.clone())))
}

#[derive(Deserialize)]
struct NewKey {
    key: String,
}

async fn add_key(State(sim): S, Json(k): Json<NewKey>) -> Response {
    if !k.key.starts_with("sk_test_") {
        return bad("The sandbox only accepts test-mode secret keys (sk_test_…).");
    }
    sim.add_api_key(&k.key);
    Json(json!({"key": k.key})).into_response()
}

async fn list_endpoints(State(sim): S) -> Json<Vec<WebhookEndpoint>> {
    Json(sim.with_state(|st| st.webhooks.endpoints.clone()))
}

#[derive(Deserialize)]
struct NewEndpoint {
    url: String,
    #[serde(default)]
    enabled_events: Option<Vec<String>>,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    rolling_secret: Option<String>,
}

/// Deliveries only ever go to this machine.
fn loopback(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| {
        matches!(u.scheme(), "http" | "https")
            && match u.host() {
                Some(url::Host::Domain(d)) => d == "localhost",
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            }
    })
}

async fn add_endpoint(State(sim): S, Json(n): Json<NewEndpoint>) -> Response {
    if !loopback(&n.url) {
        return bad("Webhook endpoints must be loopback URLs (127.0.0.1, localhost or [::1]).");
    }
    let now = sim.now();
    let rng = sim.ctx.rng.clone();
    let ep = WebhookEndpoint {
        id: state::new_id(rng.as_ref(), "we_"),
        url: n.url,
        enabled_events: n.enabled_events.unwrap_or_else(|| vec!["*".into()]),
        secret: n
            .secret
            .unwrap_or_else(|| format!("whsec_{}", state::base62(rng.as_ref(), 32))),
        rolling_secret: n.rolling_secret,
        rolling_expires_at: None,
        disabled: false,
        created: now,
    };
    sim.with_state(|st| st.webhooks.endpoints.push(ep.clone()));
    Json(ep).into_response()
}

async fn delete_endpoint(State(sim): S, Path(id): Path<String>) -> Response {
    let removed = sim.with_state(|st| {
        let before = st.webhooks.endpoints.len();
        st.webhooks.endpoints.retain(|e| e.id != id);
        before != st.webhooks.endpoints.len()
    });
    if removed {
        Json(json!({"id": id, "deleted": true})).into_response()
    } else {
        (
            StatusCode::NOT_FOUND,
            Json(ApiError::missing_resource("webhook_endpoint", &id, "id").body()),
        )
            .into_response()
    }
}

#[derive(Deserialize, Default)]
struct Roll {
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    expires_in_secs: Option<i64>,
}

async fn roll_secret(State(sim): S, Path(id): Path<String>, body: Option<Json<Roll>>) -> Response {
    let roll = body.map(|Json(r)| r).unwrap_or_default();
    let now = sim.now();
    let fresh = roll
        .secret
        .unwrap_or_else(|| format!("whsec_{}", state::base62(sim.ctx.rng.as_ref(), 32)));
    let expires = now + roll.expires_in_secs.unwrap_or(24 * 3600);
    let ep = sim.with_state(|st| {
        let ep = st.webhooks.endpoints.iter_mut().find(|e| e.id == id)?;
        let old = std::mem::replace(&mut ep.secret, fresh);
        ep.rolling_secret = Some(old);
        ep.rolling_expires_at = Some(expires);
        Some(ep.clone())
    });
    match ep {
        Some(ep) => Json(ep).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(ApiError::missing_resource("webhook_endpoint", &id, "id").body()),
        )
            .into_response(),
    }
}

async fn get_delivery(State(sim): S) -> Json<DeliveryConfig> {
    Json(sim.with_state(|st| st.webhooks.config.clone()))
}

async fn put_delivery(State(sim): S, Json(c): Json<DeliveryConfig>) -> Json<DeliveryConfig> {
    let released = sim.with_state(|st| {
        st.webhooks.config = c.clone();
        !c.paused && !st.delivery_queue.is_empty()
    });
    if released {
        sim.wake_deliveries();
    }
    Json(c)
}

async fn attempts(State(sim): S) -> Json<Value> {
    Json(json!(sim.delivery_attempts()))
}

async fn tick(State(sim): S) -> Json<Value> {
    sim.tick();
    Json(json!({"now": sim.now()}))
}

#[derive(Deserialize)]
struct NewDispute {
    charge: String,
    #[serde(default)]
    amount: Option<i64>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

async fn open_dispute(State(sim): S, Json(d): Json<NewDispute>) -> Response {
    api(sim.exec(None, None, |x| {
        let amount = match d.amount {
            Some(a) => a,
            None => x.fetch("charge", &d.charge, "charge")?["amount_captured"]
                .as_i64()
                .unwrap_or(0),
        };
        disputes::open(
            x,
            &d.charge,
            amount,
            d.reason.as_deref().unwrap_or("fraudulent"),
            d.status.as_deref().unwrap_or("needs_response"),
        )
    }))
}

#[derive(Deserialize)]
struct Outcome {
    status: String,
    #[serde(default)]
    failure_code: Option<String>,
}

async fn resolve_dispute(State(sim): S, Path(id): Path<String>, Json(o): Json<Outcome>) -> Response {
    api(sim.exec(None, None, |x| disputes::resolve(x, &id, &o.status)))
}

#[derive(Deserialize)]
struct Sweep {
    currency: String,
}

async fn sweep_payout(State(sim): S, Json(s): Json<Sweep>) -> Response {
    api(sim.exec(None, None, |x| {
        ledger::settle(x);
        ledger::create_payout(x, None, &s.currency, true)
    }))
}

async fn payout_status(State(sim): S, Path(id): Path<String>, Json(o): Json<Outcome>) -> Response {
    api(sim.exec(None, None, |x| {
        ledger::set_payout_status(x, &id, &o.status, o.failure_code.as_deref())
    }))
}

async fn objects(State(sim): S, Path(kind): Path<String>) -> Json<Vec<Value>> {
    Json(sim.objects(&kind))
}

async fn events(State(sim): S) -> Json<Vec<Value>> {
    Json(sim.events())
}
