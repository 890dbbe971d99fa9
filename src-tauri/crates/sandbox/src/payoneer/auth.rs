//! OAuth2 client credentials (`POST /api/v2/oauth2/token`, form-encoded, credentials in a Basic
//! header or in the form) and bearer-token checks for the v4 API. In production the token comes
//! from `login.payoneer.com`; the simulator serves both hosts on one base URL.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::Duration;
use serde_json::json;
use subtle::ConstantTimeEq as _;

use super::PayoneerSim;
use super::state::Grant;
use super::wire::{self, SUB_FORBIDDEN, SUB_NOT_FOUND, oauth_error, unauthorized};

/// The token route.
pub(crate) fn routes() -> Router<Arc<PayoneerSim>> {
    Router::new().route("/api/v2/oauth2/token", post(token))
}

/// Client id and secret from `Authorization: Basic …`, if present and well-formed.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(BASE64.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

async fn token(State(sim): State<Arc<PayoneerSim>>, headers: HeaderMap, body: Bytes) -> Response {
    let out = sim.advance(&super::Scope::Due);
    sim.dispatch(out);
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request must be application/x-www-form-urlencoded",
        );
    }
    let Some(grant_type) = field("grant_type") else {
        return oauth_error(StatusCode::BAD_REQUEST, "invalid_request", "Missing grant_type");
    };
    let basic = basic_credentials(&headers);
    let used_basic = basic.is_some();
    let credentials = basic.or_else(|| Some((field("client_id")?, field("client_secret")?)));
    let Some((client_id, secret)) = credentials else {
        return invalid_client(false);
    };
    let known = {
        let state = sim.lock();
        state
            .clients
            .get(&client_id)
            .is_some_and(|c| bool::from(c.secret.as_bytes().ct_eq(secret.as_bytes())))
    };
    if !known {
        return invalid_client(used_basic);
    }
    if grant_type != "client_credentials" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "Only client_credentials is supported by this sandbox",
        );
    }
    let scope = field("scope").unwrap_or_else(|| "read write".to_owned());
    if scope.split_whitespace().any(|s| s != "read" && s != "write") {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "Scope must be 'read write'",
        );
    }
    let now = sim.now();
    let mut bytes = [0u8; 24];
    sim.ctx().rng.fill_bytes(&mut bytes);
    let access_token = hex::encode(bytes);
    let ttl = {
        let mut state = sim.lock();
        let ttl = state.config.token_ttl_secs;
        state.tokens.insert(
            access_token.clone(),
            Grant {
                client_id,
                expires_at: now + Duration::seconds(ttl),
            },
        );
        ttl
    };
    (
        StatusCode::OK,
        axum::Json(json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ttl,
            "scope": scope,
            "consented_on": now.timestamp(),
        })),
    )
        .into_response()
}

fn invalid_client(used_basic: bool) -> Response {
    let mut response = oauth_error(
        StatusCode::UNAUTHORIZED,
        "invalid_client",
        "Client authentication failed",
    );
    if used_basic {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Basic"));
    }
    response
}

/// Checks the bearer token and that its client may act on `program_id` (which must exist);
/// returns the rejection to send, if any.
pub(crate) fn authorize(sim: &PayoneerSim, headers: &HeaderMap, program_id: &str) -> Option<Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned());
    let Some(token) = token else {
        return Some(unauthorized("Missing access token"));
    };
    let now = sim.now();
    let state = sim.lock();
    let Some(grant) = state.tokens.get(&token) else {
        return Some(unauthorized("Invalid access token"));
    };
    if grant.expires_at <= now {
        return Some(unauthorized("Access token has expired"));
    }
    if !state.programs.contains_key(program_id) {
        return Some(wire::error(
            StatusCode::NOT_FOUND,
            "Program not found",
            Some(SUB_NOT_FOUND),
            vec![],
        ));
    }
    let allowed = state
        .clients
        .get(&grant.client_id)
        .is_some_and(|c| c.program_ids.iter().any(|p| p == program_id));
    if !allowed {
        return Some(wire::error(
            StatusCode::FORBIDDEN,
            "The client is not authorized for this program",
            Some(SUB_FORBIDDEN),
            vec![],
        ));
    }
    None
}
