//! Authentication: secret keys and OAuth client-credential tokens (apis.md §3.1).
//!
//! A secret key may call everything. A token carries the scopes it was issued with; a parent
//! scope (`gateway`) covers its children (`gateway:payment`). Every failure is a bare `401`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::json;

use super::reply::Reply;
use super::state::Token;
use super::{CheckoutSim, ids};

/// Every scope in the spec's OAuth flow (`securitySchemes.OAuth`).
pub(crate) const KNOWN_SCOPES: &[&str] = &[
    "vault",
    "vault:instruments",
    "vault:tokenization",
    "gateway",
    "gateway:payment",
    "gateway:payment-details",
    "gateway:payment-authorizations",
    "gateway:payment-voids",
    "gateway:payment-captures",
    "gateway:payment-refunds",
    "fx",
    "payouts:bank-details",
    "sessions:app",
    "sessions:browser",
    "disputes",
    "disputes:view",
    "disputes:provide-evidence",
    "disputes:accept",
    "accounts",
    "flow",
    "flow:workflows",
    "flow:events",
    "files",
    "files:retrieve",
    "files:upload",
    "files:download",
    "balances",
    "balances:view",
    "transfers",
    "transfers:view",
    "transfers:create",
    "middleware",
    "middleware:merchants-secret",
    "middleware:merchants-public",
];

/// Whether holding `granted` allows `required` (equal, or a parent of it).
pub(crate) fn covers(granted: &str, required: &str) -> bool {
    granted == required
        || required
            .strip_prefix(granted)
            .is_some_and(|rest| rest.starts_with(':'))
}

impl CheckoutSim {
    /// Checks the `Authorization` header for a route needing `scope`.
    pub(crate) fn authorize(&self, headers: &HeaderMap, scope: &str) -> Result<(), Reply> {
        let Some(credential) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
        else {
            return Err(Reply::unauthorized());
        };
        let now = self.now();
        let state = self.lock();
        if state.secret_keys.contains(credential) {
            return Ok(());
        }
        match state.tokens.get(credential) {
            Some(token) if token.expires_at > now && token.scopes.iter().any(|s| covers(s, scope)) => Ok(()),
            _ => Err(Reply::unauthorized()),
        }
    }
}

/// `POST /connect/token`: OAuth 2.0 client credentials (RFC 6749 §4.4), form-encoded, client
/// authenticated with HTTP Basic or `client_id`/`client_secret` form fields. Errors are `400`
/// `{"error": …}`, the only error status the spec lists.
pub(crate) async fn token(State(sim): State<Arc<CheckoutSim>>, headers: HeaderMap, body: Bytes) -> Reply {
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&body).into_owned().collect();
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let oauth_error = |error: &str| {
        let mut reply = Reply::json(StatusCode::BAD_REQUEST, json!({ "error": error }));
        reply.headers.push((header::CACHE_CONTROL, "no-store".to_owned()));
        reply
    };

    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(|b64| {
            STANDARD
                .decode(b64.trim())
                .ok()
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|s| s.split_once(':').map(|(i, p)| (decode(i), decode(p))))
        });
    let credentials = match basic {
        Some(Some(pair)) => Some(pair),
        // A Basic header that does not decode is a bad client authentication.
        Some(None) => return oauth_error("invalid_client"),
        None => field("client_id").zip(field("client_secret")),
    };
    let Some(grant_type) = field("grant_type") else {
        return oauth_error("invalid_request");
    };
    let Some((client_id, client_secret)) = credentials else {
        return oauth_error("invalid_client");
    };

    let now = sim.now();
    let mut state = sim.lock();
    let Some(client) = state
        .clients
        .get(&client_id)
        .filter(|c| {
            bool::from(subtle::ConstantTimeEq::ct_eq(
                c.secret.as_bytes(),
                client_secret.as_bytes(),
            ))
        })
        .cloned()
    else {
        return oauth_error("invalid_client");
    };
    if grant_type != "client_credentials" {
        return oauth_error("unsupported_grant_type");
    }
    let requested: Vec<String> = match field("scope") {
        Some(scope) => scope.split_whitespace().map(str::to_owned).collect(),
        None => Vec::new(),
    };
    let scopes = if requested.is_empty() {
        client.scopes.clone()
    } else {
        let allowed =
            |s: &String| KNOWN_SCOPES.contains(&s.as_str()) && client.scopes.iter().any(|g| covers(g, s));
        if !requested.iter().all(allowed) {
            return oauth_error("invalid_scope");
        }
        requested
    };

    let ttl = state.config.token_ttl_secs;
    let expires_at = now + chrono::Duration::seconds(ttl);
    let access_token = jwt_like(&sim, &client_id, &scopes, now, expires_at);
    state.tokens.retain(|_, t| t.expires_at > now);
    state.tokens.insert(
        access_token.clone(),
        Token {
            client_id,
            scopes,
            expires_at,
        },
    );
    let mut reply = Reply::json(
        StatusCode::OK,
        json!({
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": ttl,
        }),
    );
    reply.headers.push((header::CACHE_CONTROL, "no-store".to_owned()));
    reply
}

/// Percent-decodes a Basic credential part (RFC 6749 §2.3.1 form-encodes them).
fn decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A token shaped like Checkout.com's (a JWT). Clients must treat it as opaque; the simulator
/// looks it up rather than verifying it.
fn jwt_like(
    sim: &CheckoutSim,
    client_id: &str,
    scopes: &[String],
    now: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
) -> String {
    let header = json!({ "alg": "RS256", "kid": "sandbox", "typ": "at+jwt" });
    let claims = json!({
        "iss": format!("{}/connect", sim.ctx.base_url),
        "client_id": client_id,
        "scope": scopes,
        "iat": now.timestamp(),
        "nbf": now.timestamp(),
        "exp": expires_at.timestamp(),
        "jti": ids::request_id(&*sim.ctx.rng),
    });
    let mut signature = [0u8; 64];
    sim.ctx.rng.fill_bytes(&mut signature);
    format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn parent_scopes_cover_children() {
        assert!(covers("gateway", "gateway:payment"));
        assert!(covers("gateway:payment", "gateway:payment"));
        assert!(!covers("gateway:payment", "gateway:payment-details"));
        assert!(!covers("gate", "gateway:payment"));
        assert!(!covers("disputes:view", "disputes:accept"));
    }
}
