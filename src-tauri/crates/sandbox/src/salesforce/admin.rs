//! Admin routes under `/__sandbox/salesforce/…` (no auth, no limits, no faults), mirroring the
//! seeding API for the CLI and tests:
//!
//! | Route | Does |
//! |---|---|
//! | `GET/POST /clients`, `DELETE /clients/{client_id}` | OAuth clients ([`OAuthClient`]) |
//! | `GET/PUT /user` | the org user ([`OrgUser`]) |
//! | `GET/POST/DELETE /validation-rules` | custom validation rules ([`ValidationRule`]) |
//! | `GET/PUT/DELETE /lock-injection` | `UNABLE_TO_LOCK_ROW` injection ([`LockInjection`]) |
//! | `GET/PUT/DELETE /limits` | `{daily_limit, used}`; PUT `{daily_limit}`; DELETE forgets usage |
//! | `GET/PUT /session` | `{timeout_secs}`: access-token lifetime |
//! | `POST /tokens` | `{client_id?, scope?}` → a Salesforce token response |
//! | `GET /records`, `GET/POST /records/{object}` | dump records; POST `{fields, created_at?}` seeds one |
//! | `PATCH /records/{object}/{id}` | edits a record as a person in the org would (`{fields}`), past validation rules |
//! | `GET /schema.md` | the schema as Markdown |

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::SalesforceSim;
use super::schema::{self, OBJECTS};
use super::state::{LockInjection, OAuthClient, OrgUser, ValidationRule};

type Sim = State<Arc<SalesforceSim>>;

fn bad(message: impl std::fmt::Display) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": message.to_string()})),
    )
        .into_response()
}

async fn list_clients(State(sim): Sim) -> Response {
    Json(sim.lock().oauth.clients.values().cloned().collect::<Vec<_>>()).into_response()
}

async fn add_client(State(sim): Sim, Json(c): Json<OAuthClient>) -> Response {
    sim.register_client(c.clone());
    (StatusCode::CREATED, Json(c)).into_response()
}

async fn remove_client(State(sim): Sim, Path(id): Path<String>) -> Response {
    match sim.lock().oauth.clients.remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn get_user(State(sim): Sim) -> Response {
    Json(sim.user()).into_response()
}

async fn put_user(State(sim): Sim, Json(u): Json<OrgUser>) -> Response {
    sim.set_user(u.clone());
    Json(u).into_response()
}

async fn list_rules(State(sim): Sim) -> Response {
    Json(sim.lock().rules.clone()).into_response()
}

async fn add_rule(State(sim): Sim, Json(r): Json<ValidationRule>) -> Response {
    match sim.add_validation_rule(r.clone()) {
        Ok(()) => (StatusCode::CREATED, Json(r)).into_response(),
        Err(e) => bad(e),
    }
}

async fn clear_rules(State(sim): Sim) -> Response {
    sim.lock().rules.clear();
    StatusCode::NO_CONTENT.into_response()
}

async fn get_locks(State(sim): Sim) -> Response {
    Json(sim.lock().locks.clone()).into_response()
}

async fn put_locks(State(sim): Sim, Json(l): Json<LockInjection>) -> Response {
    sim.set_lock_injection(l.clone());
    Json(l).into_response()
}

async fn clear_locks(State(sim): Sim) -> Response {
    sim.set_lock_injection(LockInjection::default());
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct Limits {
    daily_limit: u64,
}

fn limits_json(sim: &SalesforceSim) -> Value {
    let (used, max) = sim.api_usage();
    json!({"daily_limit": max, "used": used})
}

async fn get_limits(State(sim): Sim) -> Response {
    Json(limits_json(&sim)).into_response()
}

async fn put_limits(State(sim): Sim, Json(l): Json<Limits>) -> Response {
    sim.set_daily_limit(l.daily_limit);
    Json(limits_json(&sim)).into_response()
}

async fn reset_usage(State(sim): Sim) -> Response {
    sim.lock().usage.reset();
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct Session {
    timeout_secs: i64,
}

async fn get_session(State(sim): Sim) -> Response {
    Json(json!({"timeout_secs": sim.lock().oauth.session_timeout_secs})).into_response()
}

async fn put_session(State(sim): Sim, Json(s): Json<Session>) -> Response {
    if s.timeout_secs <= 0 {
        return bad("timeout_secs must be positive");
    }
    sim.set_session_timeout(chrono::Duration::seconds(s.timeout_secs));
    Json(json!({"timeout_secs": s.timeout_secs})).into_response()
}

#[derive(Deserialize, Default)]
struct MintRequest {
    client_id: Option<String>,
    scope: Option<String>,
}

async fn mint(State(sim): Sim, body: axum::body::Bytes) -> Response {
    let req: MintRequest = if body.is_empty() {
        MintRequest::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(r) => r,
            Err(e) => return bad(e),
        }
    };
    let client = req.client_id.as_deref().unwrap_or(super::SANDBOX_CLIENT_ID);
    let scope = req.scope.as_deref().unwrap_or("api refresh_token");
    Json(sim.mint_token(client, scope)).into_response()
}

async fn all_records(State(sim): Sim) -> Response {
    let dump: Map<String, Value> = OBJECTS
        .iter()
        .map(|o| {
            (
                o.name.to_owned(),
                Value::Array(sim.records(o.name).into_iter().map(Value::Object).collect()),
            )
        })
        .collect();
    Json(Value::Object(dump)).into_response()
}

async fn object_records(State(sim): Sim, Path(object): Path<String>) -> Response {
    if schema::object(&object).is_none() {
        return StatusCode::NOT_FOUND.into_response();
    }
    Json(sim.records(&object)).into_response()
}

#[derive(Deserialize)]
struct Seed {
    fields: Map<String, Value>,
    created_at: Option<DateTime<Utc>>,
}

async fn seed_record(State(sim): Sim, Path(object): Path<String>, Json(s): Json<Seed>) -> Response {
    let at = s.created_at.unwrap_or_else(|| sim.now());
    match sim.insert_record(&object, s.fields, at) {
        Ok(id) => (StatusCode::CREATED, Json(json!({"id": id}))).into_response(),
        Err(e) => bad(e),
    }
}

#[derive(Deserialize)]
struct Edit {
    fields: Map<String, Value>,
}

async fn edit_record(
    State(sim): Sim,
    Path((object, id)): Path<(String, String)>,
    Json(e): Json<Edit>,
) -> Response {
    match sim.update_record(&object, &id, e.fields, sim.now()) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => bad(e),
    }
}

async fn schema_md() -> Response {
    (
        [(header::CONTENT_TYPE, "text/markdown; charset=utf-8")],
        schema::schema_markdown(),
    )
        .into_response()
}

/// The admin router (paths relative to `/__sandbox`).
pub(crate) fn router(sim: Arc<SalesforceSim>) -> Router {
    Router::new()
        .route("/salesforce/clients", get(list_clients).post(add_client))
        .route("/salesforce/clients/{client_id}", delete(remove_client))
        .route("/salesforce/user", get(get_user).put(put_user))
        .route(
            "/salesforce/validation-rules",
            get(list_rules).post(add_rule).delete(clear_rules),
        )
        .route(
            "/salesforce/lock-injection",
            get(get_locks).put(put_locks).delete(clear_locks),
        )
        .route(
            "/salesforce/limits",
            get(get_limits).put(put_limits).delete(reset_usage),
        )
        .route("/salesforce/session", get(get_session).put(put_session))
        .route("/salesforce/tokens", post(mint))
        .route("/salesforce/records", get(all_records))
        .route(
            "/salesforce/records/{object}",
            get(object_records).post(seed_record),
        )
        .route("/salesforce/records/{object}/{id}", patch(edit_record))
        .route("/salesforce/schema.md", get(schema_md))
        .with_state(sim)
}
