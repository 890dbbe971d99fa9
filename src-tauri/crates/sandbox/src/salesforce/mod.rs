//! A stateful Salesforce REST API simulator (API versions 55.0–66.0, current 66.0).
//!
//! - OAuth 2.0 web-server flow with PKCE for a desktop app: consent page, single-use codes bound
//!   to client and callback, loopback callbacks on any port, refresh without rotation, revocation,
//!   user info; access tokens expire after the org session timeout (default 2 h, sandbox clock).
//! - REST: `/services/data` (versions, not counted), `/limits`, SOQL `query` / `queryAll` with
//!   cursors, sObject describe / create / read / update / delete / upsert by External ID, and
//!   sObject Collections. Every call counts against a rolling 24-hour allocation and answers with
//!   `Sforce-Limit-Info`.
//! - Writes are validated from [`schema`] (types, required fields, uniqueness, picklists) plus
//!   configurable custom validation rules and injectable `UNABLE_TO_LOCK_ROW`.
//!
//! Seeding (in-process, bypassing auth, limits, faults, custom rules and lock injection):
//! [`SalesforceSim::insert_record`], [`SalesforceSim::update_record`], [`SalesforceSim::records`],
//! [`SalesforceSim::register_client`], [`SalesforceSim::set_user`],
//! [`SalesforceSim::set_daily_limit`], [`SalesforceSim::api_usage`] and friends. Admin routes
//! mirror them under `/__sandbox/salesforce/…` (see `admin.rs`).

mod admin;
pub mod browser;
mod collections;
mod describe;
mod gate;
mod ids;
mod oauth;
mod org;
mod query;
mod regex;
mod rest;
pub mod schema;
mod sobjects;
mod soql;
mod state;
mod token;
mod value;
mod wire;
mod write;

#[cfg(test)]
mod tests;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use chrono::{DateTime, Utc};
use paysync_core::RandomSource;
use serde_json::{Map, Value};

pub use state::{LockInjection, LockTarget, OAuthClient, OrgUser, RuleKind, ValidationRule};

use crate::error::SandboxError;
use crate::server::{SimContext, Simulator};
use org::{Org, Undo};
use state::{ApiUsage, OAuthState, State};
use wire::SfError;
use write::{Mode, WriteCtx};

/// The current API version.
pub const CURRENT_API_VERSION: &str = "66.0";
/// Oldest API version served (major).
pub const OLDEST_API_VERSION: u32 = 55;
/// Newest API version served (major).
pub const NEWEST_API_VERSION: u32 = 66;
/// The OAuth client every sandbox org starts with (a public desktop client: PKCE, no secret,
/// `http://127.0.0.1:<any port>/callback`); tokens minted through the admin route belong to it too.
pub const SANDBOX_CLIENT_ID: &str = "paysync-sandbox";

/// The Salesforce simulator.
pub struct SalesforceSim {
    ctx: SimContext,
    state: Mutex<State>,
}

impl std::fmt::Debug for SalesforceSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SalesforceSim")
            .field("base_url", &self.ctx.base_url)
            .finish_non_exhaustive()
    }
}

fn seed_error(e: &SfError) -> SandboxError {
    SandboxError::Invalid(format!("{}: {}", e.code, e.message))
}

impl SalesforceSim {
    /// A new org: one user, USD as the active corporate currency and the Standard Price Book.
    pub fn new(ctx: SimContext) -> Arc<Self> {
        let user = OrgUser {
            user_id: ids::new_id(&*ctx.rng, "005"),
            org_id: ids::new_id(&*ctx.rng, "00D"),
            name: "Sandbox Admin".to_owned(),
            email: "admin@paysync-sandbox.example".to_owned(),
            username: "admin@paysync-sandbox.example".to_owned(),
        };
        let state = State {
            org: Org::default(),
            oauth: OAuthState::default(),
            user,
            usage: ApiUsage::default(),
            rules: vec![],
            locks: LockInjection::default(),
            cursors: Default::default(),
            cursor_seq: 0,
        };
        let sim = Arc::new(Self {
            ctx,
            state: Mutex::new(state),
        });
        let now = sim.now();
        let defaults = [
            (
                "CurrencyType",
                serde_json::json!({"IsoCode": "USD", "ConversionRate": 1, "DecimalPlaces": 2, "IsActive": true, "IsCorporate": true}),
            ),
            (
                "Pricebook2",
                serde_json::json!({"Name": "Standard Price Book", "IsActive": true, "IsStandard": true}),
            ),
        ];
        for (object, fields) in defaults {
            if let Value::Object(fields) = fields
                && let Err(e) = sim.insert_record(object, fields, now)
            {
                tracing::error!(error = %e, object, "Could not seed a default record.");
            }
        }
        // The desktop app's External Client App: public (PKCE, no secret), loopback callback on any port.
        sim.register_client(OAuthClient {
            client_id: SANDBOX_CLIENT_ID.to_owned(),
            client_secret: None,
            require_secret: false,
            redirect_uris: vec![
                "http://127.0.0.1/callback".to_owned(),
                "http://localhost/callback".to_owned(),
            ],
        });
        sim
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.ctx.clock.now()
    }

    pub(crate) fn rng(&self) -> &dyn RandomSource {
        &*self.ctx.rng
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.ctx.base_url
    }

    /// Runs one API write under the lock; a failure leaves nothing behind.
    pub(crate) fn api_write<T>(
        &self,
        user_id: &str,
        f: impl FnOnce(&mut State, &WriteCtx<'_>, &mut Undo) -> Result<T, SfError>,
    ) -> Result<T, SfError> {
        self.write_as(user_id, self.now(), Mode::Api, f)
    }

    fn write_as<T>(
        &self,
        user_id: &str,
        now: DateTime<Utc>,
        mode: Mode,
        f: impl FnOnce(&mut State, &WriteCtx<'_>, &mut Undo) -> Result<T, SfError>,
    ) -> Result<T, SfError> {
        let mut st = self.lock();
        let ctx = WriteCtx {
            now,
            user_id,
            mode,
            rng: self.rng(),
        };
        let mut undo = Undo::new();
        let result = f(&mut st, &ctx, &mut undo);
        if result.is_err() {
            st.org.rollback(undo);
        }
        result
    }

    // ---- Seeding API (in-process; no auth, limits, faults, custom rules or lock injection) ----

    /// Inserts a record as the org user with all timestamps set to `created_at`; returns its id.
    /// Field names and types are checked against the schema (read-only fields such as
    /// `CurrencyType.IsCorporate` may be set; system fields may not).
    pub fn insert_record(
        &self,
        object: &str,
        fields: Map<String, Value>,
        created_at: DateTime<Utc>,
    ) -> Result<String, SandboxError> {
        let obj =
            schema::object(object).ok_or_else(|| SandboxError::Invalid(format!("INVALID_TYPE: {object}")))?;
        let body = write::decode_body(obj, &fields).map_err(|e| seed_error(&e))?;
        let user = self.user().user_id;
        self.write_as(&user, created_at, Mode::Seed, |st, ctx, undo| {
            write::create(st, obj, &body, ctx, undo)
        })
        .map_err(|e| seed_error(&e))
    }

    /// Updates a record as the org user, stamping `LastModifiedDate`/`SystemModstamp` with `at`.
    pub fn update_record(
        &self,
        object: &str,
        id: &str,
        fields: Map<String, Value>,
        at: DateTime<Utc>,
    ) -> Result<(), SandboxError> {
        let obj =
            schema::object(object).ok_or_else(|| SandboxError::Invalid(format!("INVALID_TYPE: {object}")))?;
        let id = ids::normalize(id).ok_or_else(|| SandboxError::Invalid(format!("MALFORMED_ID: {id}")))?;
        let body = write::decode_body(obj, &fields).map_err(|e| seed_error(&e))?;
        let user = self.user().user_id;
        self.write_as(&user, at, Mode::Seed, |st, ctx, undo| {
            write::update(st, obj, &id, &body, ctx, undo)
        })
        .map_err(|e| seed_error(&e))
    }

    /// The live records of an object, in insertion order, as REST would return them (every
    /// non-null field, including computed ones; no `attributes`). Empty for an unknown object.
    pub fn records(&self, object: &str) -> Vec<Map<String, Value>> {
        let Some(obj) = schema::object(object) else {
            return vec![];
        };
        let st = self.lock();
        st.org
            .rows(obj)
            .filter(|r| !r.deleted())
            .map(|r| {
                obj.all_fields()
                    .filter_map(|f| st.org.value(obj, r, f).map(|v| (f.name.to_owned(), v.to_json())))
                    .collect()
            })
            .collect()
    }

    /// Registers (or replaces) an OAuth client.
    pub fn register_client(&self, client: OAuthClient) {
        self.lock().oauth.clients.insert(client.client_id.clone(), client);
    }

    /// Replaces the org's user (tokens minted afterwards act as this user).
    pub fn set_user(&self, user: OrgUser) {
        self.lock().user = user;
    }

    /// The org's user.
    pub fn user(&self) -> OrgUser {
        self.lock().user.clone()
    }

    /// Sets the rolling 24-hour API request allocation.
    pub fn set_daily_limit(&self, limit: u64) {
        self.lock().usage.daily_limit = limit;
    }

    /// `(used in the last 24 hours, allocation)` on the sandbox clock.
    pub fn api_usage(&self) -> (u64, u64) {
        let now = self.now();
        let mut st = self.lock();
        (st.usage.used(now), st.usage.daily_limit)
    }

    /// Sets the access-token lifetime (the org's session timeout) for tokens issued afterwards.
    pub fn set_session_timeout(&self, timeout: chrono::Duration) {
        self.lock().oauth.session_timeout_secs = timeout.num_seconds().max(1);
    }

    /// Adds a custom validation rule (the object, field and regex pattern are checked).
    pub fn add_validation_rule(&self, rule: ValidationRule) -> Result<(), SandboxError> {
        let obj = schema::object(&rule.object)
            .ok_or_else(|| SandboxError::Invalid(format!("unknown object {}", rule.object)))?;
        if obj.field(&rule.field).is_none() {
            return Err(SandboxError::Invalid(format!(
                "unknown field {}.{}",
                rule.object, rule.field
            )));
        }
        if let RuleKind::Regex { pattern } = &rule.kind {
            regex::Regex::new(pattern).map_err(|e| SandboxError::Invalid(format!("bad pattern: {e}")))?;
        }
        self.lock().rules.push(rule);
        Ok(())
    }

    /// Deactivates the custom validation rules on `object.field` (an admin relaxing a rule);
    /// returns how many there were.
    pub fn remove_validation_rules(&self, object: &str, field: &str) -> usize {
        let mut st = self.lock();
        let before = st.rules.len();
        st.rules.retain(|r| !(r.object == object && r.field == field));
        before - st.rules.len()
    }

    /// Replaces the `UNABLE_TO_LOCK_ROW` injection.
    pub fn set_lock_injection(&self, locks: LockInjection) {
        let mut locks = locks;
        for t in &mut locks.next_writes {
            t.record_id = ids::normalize(&t.record_id).unwrap_or_else(|| t.record_id.clone());
        }
        self.lock().locks = locks;
    }

    /// Mints tokens for the org user directly (tests, demo): a Salesforce token response with a
    /// refresh token when `scope` includes `refresh_token` or `offline_access`.
    pub fn mint_token(&self, client_id: &str, scope: &str) -> Value {
        let now = self.now();
        let mut st = self.lock();
        let secret = st
            .oauth
            .clients
            .get(client_id)
            .and_then(|c| c.client_secret.clone())
            .unwrap_or_default();
        let scope = scope.split_whitespace().collect::<Vec<_>>().join(" ");
        let grant = token::Grant {
            client_id,
            secret: &secret,
            scope: &scope,
            existing_refresh: None,
        };
        token::issue(&mut st, self.rng(), now, self.base_url(), &grant)
    }
}

async fn not_found() -> Response {
    SfError::not_found().into_response()
}

impl Simulator for SalesforceSim {
    fn name(&self) -> &'static str {
        "salesforce"
    }

    fn routes(self: Arc<Self>) -> Router {
        let d = "/services/data/{version}";
        let rest = Router::new()
            .route(d, get(rest::resources))
            .route(&format!("{d}/limits"), get(rest::limits))
            .route(&format!("{d}/query"), get(query::query))
            .route(&format!("{d}/query/{{locator}}"), get(query::query_more))
            .route(&format!("{d}/queryAll"), get(query::query_all))
            .route(&format!("{d}/queryAll/{{locator}}"), get(query::query_more))
            .route(&format!("{d}/sobjects"), get(describe::describe_global))
            .route(
                &format!("{d}/sobjects/{{object}}"),
                get(describe::basic_info).post(sobjects::create),
            )
            .route(
                &format!("{d}/sobjects/{{object}}/describe"),
                get(describe::describe),
            )
            .route(
                &format!("{d}/sobjects/{{object}}/{{id}}"),
                get(sobjects::get_record)
                    .patch(sobjects::update)
                    .delete(sobjects::delete),
            )
            .route(
                &format!("{d}/sobjects/{{object}}/{{field}}/{{value}}"),
                get(sobjects::get_by_key)
                    .patch(sobjects::upsert)
                    .delete(sobjects::delete_by_key),
            )
            .route(
                &format!("{d}/composite/sobjects"),
                post(collections::create)
                    .patch(collections::update)
                    .delete(collections::delete),
            )
            .route(
                &format!("{d}/composite/sobjects/{{object}}"),
                get(collections::retrieve)
                    .post(collections::retrieve_post)
                    .delete(collections::delete),
            )
            .route(
                &format!("{d}/composite/sobjects/{{object}}/{{field}}"),
                patch(collections::upsert),
            )
            .route_layer(axum::middleware::from_fn_with_state(self.clone(), gate::gate));
        let open = Router::new()
            .route("/services/data", get(rest::versions))
            .route("/services/data/", get(rest::versions))
            .route("/services/oauth2/authorize", get(oauth::authorize))
            .route("/services/oauth2/authorize/decision", post(oauth::decision))
            .route("/services/oauth2/token", post(token::token))
            .route("/services/oauth2/revoke", post(token::revoke).get(token::revoke))
            .route(
                "/services/oauth2/userinfo",
                get(token::userinfo).post(token::userinfo),
            )
            .route("/id/{org}/{user}", get(token::identity))
            .route("/lightning/r/{object}/{id}/view", get(record_view));
        rest.merge(open).fallback(not_found).with_state(self)
    }

    fn admin_routes(self: Arc<Self>) -> Router {
        admin::router(self)
    }

    fn injected_error(&self, status: StatusCode) -> Response {
        let (code, message) = match status.as_u16() {
            401 => ("INVALID_SESSION_ID", "Session expired or invalid"),
            403 => (
                "REQUEST_LIMIT_EXCEEDED",
                "ConcurrentPerOrgLongTxn Limit exceeded.",
            ),
            404 => ("NOT_FOUND", "The requested resource does not exist"),
            429 => ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
            502..=504 => (
                "SERVER_UNAVAILABLE",
                "Server temporarily unavailable. Please try again later.",
            ),
            _ => (
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact support: 0000000000-00000 (0)",
            ),
        };
        SfError::bad(code, message).with_status(status).into_response()
    }

    fn snapshot(&self) -> Value {
        serde_json::to_value(&*self.lock()).unwrap_or(Value::Null)
    }

    fn restore(&self, snapshot: Value) -> Result<(), SandboxError> {
        let mut st: State = serde_json::from_value(snapshot)?;
        st.org.rebuild();
        *self.lock() = st;
        Ok(())
    }
}

/// `GET /lightning/r/{object}/{id}/view`: the record's page, as Lightning shows it (the sandbox's
/// stand-in, for the console's links).
async fn record_view(
    axum::extract::State(sim): axum::extract::State<Arc<SalesforceSim>>,
    axum::extract::Path((object, id)): axum::extract::Path<(String, String)>,
) -> axum::response::Response {
    let found = sim.records(&object).into_iter().find(|r| {
        r.get("Id")
            .and_then(Value::as_str)
            .is_some_and(|rid| rid == id || (id.len() == 15 && rid.starts_with(&id)))
    });
    match found {
        Some(record) => {
            let name = record
                .get("Name")
                .and_then(Value::as_str)
                .map_or_else(String::new, |n| format!(": {n}"));
            crate::record_page::page("Salesforce", &format!("{object} {id}{name}"), &record)
        }
        None => crate::record_page::not_found("Salesforce", &format!("{object} {id}")),
    }
}
