//! The OAuth token endpoints: `POST /services/oauth2/token` (authorization code with PKCE, refresh
//! token), `POST /services/oauth2/revoke`, `GET /services/oauth2/userinfo` and the identity URL
//! `GET /id/{orgId}/{userId}`. Token responses are shaped like Salesforce's: `issued_at` in
//! milliseconds as a string, an HMAC `signature`, and no `expires_in`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use paysync_core::RandomSource;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::SalesforceSim;
use super::ids::base62;
use super::oauth::form;
use super::state::{AccessToken, OAuthClient, RefreshToken, State as SimState};
use super::wire::oauth_error;

/// What is needed to mint tokens.
pub(crate) struct Grant<'a> {
    /// The client the tokens are for.
    pub client_id: &'a str,
    /// Its secret (the signature key; empty when it has none).
    pub secret: &'a str,
    /// Granted scopes, space-separated.
    pub scope: &'a str,
    /// `Some` to reuse this refresh token (refresh flow: it is not rotated).
    pub existing_refresh: Option<&'a str>,
}

fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

fn wants_refresh(scope: &str) -> bool {
    scope
        .split(' ')
        .any(|s| s == "refresh_token" || s == "offline_access")
}

/// Mints an access token (and a refresh token when the scope asks and none is reused); returns
/// the Salesforce token response.
pub(crate) fn issue(
    st: &mut SimState,
    rng: &dyn RandomSource,
    now: DateTime<Utc>,
    base_url: &str,
    grant: &Grant<'_>,
) -> Value {
    let user = st.user.clone();
    let org15 = user.org_id.get(..15).unwrap_or(&user.org_id);
    let access = format!("{org15}!AQ{}", base62(rng, 96));
    let new_refresh = (grant.existing_refresh.is_none() && wants_refresh(grant.scope))
        .then(|| format!("5Aep861{}", base62(rng, 80)));
    if let Some(r) = &new_refresh {
        st.oauth.refresh.insert(
            r.clone(),
            RefreshToken {
                client_id: grant.client_id.to_owned(),
                user_id: user.user_id.clone(),
                scope: grant.scope.to_owned(),
            },
        );
    }
    let parent = new_refresh
        .clone()
        .or_else(|| grant.existing_refresh.map(str::to_owned));
    st.oauth.access.insert(
        access.clone(),
        AccessToken {
            client_id: grant.client_id.to_owned(),
            user_id: user.user_id.clone(),
            scope: grant.scope.to_owned(),
            expires_at: now + Duration::seconds(st.oauth.session_timeout_secs),
            refresh_token: parent,
        },
    );
    // Forget expired access tokens so the state does not grow without bound.
    st.oauth
        .access
        .retain(|_, t| t.expires_at + Duration::days(1) > now);
    let id_url = format!("{base_url}/id/{}/{}", user.org_id, user.user_id);
    let issued_at = now.timestamp_millis().to_string();
    let signature = match Hmac::<Sha256>::new_from_slice(grant.secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(id_url.as_bytes());
            mac.update(issued_at.as_bytes());
            STANDARD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    let mut body = json!({
        "access_token": access,
        "signature": signature,
        "scope": grant.scope,
        "instance_url": base_url,
        "id": id_url,
        "token_type": "Bearer",
        "issued_at": issued_at,
    });
    if let (Some(r), Some(obj)) = (new_refresh, body.as_object_mut()) {
        obj.insert("refresh_token".to_owned(), Value::String(r));
    }
    body
}

/// Client credentials from the form or HTTP Basic.
fn client_credentials(
    headers: &HeaderMap,
    p: &std::collections::HashMap<String, String>,
) -> (Option<String>, Option<String>) {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.split_once(':').map(|(u, p)| (u.to_owned(), p.to_owned())));
    let id = p
        .get("client_id")
        .cloned()
        .or_else(|| basic.as_ref().map(|b| b.0.clone()));
    let secret = p.get("client_secret").cloned().or_else(|| basic.map(|b| b.1));
    (id.filter(|s| !s.is_empty()), secret.filter(|s| !s.is_empty()))
}

/// Checks the client and its secret; `Err` is the OAuth error response.
fn authenticate_client(
    st: &SimState,
    id: Option<&str>,
    secret: Option<&str>,
) -> Result<OAuthClient, Box<Response>> {
    let Some(client) = id.and_then(|id| st.oauth.clients.get(id)) else {
        return Err(Box::new(oauth_error(
            "invalid_client_id",
            "client identifier invalid",
        )));
    };
    let expected = client.client_secret.as_deref().unwrap_or("");
    let secret_ok = secret.is_some_and(|s| ct_eq(s, expected));
    if !secret_ok && (client.require_secret || secret.is_some()) {
        return Err(Box::new(oauth_error(
            "invalid_client",
            "invalid client credentials",
        )));
    }
    Ok(client.clone())
}

/// `POST /services/oauth2/token`.
pub(crate) async fn token(
    State(sim): State<Arc<SalesforceSim>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = form(&body);
    let now = sim.now();
    let (id, secret) = client_credentials(&headers, &p);
    let mut st = sim.lock();
    let grant_type = p.get("grant_type").map(String::as_str).unwrap_or("");
    if grant_type != "authorization_code" && grant_type != "refresh_token" {
        return oauth_error("unsupported_grant_type", "grant type not supported");
    }
    let client = match authenticate_client(&st, id.as_deref(), secret.as_deref()) {
        Ok(c) => c,
        Err(resp) => return *resp,
    };
    let key = client.client_secret.clone().unwrap_or_default();
    if grant_type == "refresh_token" {
        let Some(rt) = p.get("refresh_token").filter(|r| {
            st.oauth
                .refresh
                .get(r.as_str())
                .is_some_and(|t| t.client_id == client.client_id)
        }) else {
            return oauth_error("invalid_grant", "expired access/refresh token");
        };
        let scope = st
            .oauth
            .refresh
            .get(rt.as_str())
            .map(|t| t.scope.clone())
            .unwrap_or_default();
        let grant = Grant {
            client_id: &client.client_id,
            secret: &key,
            scope: &scope,
            existing_refresh: Some(rt),
        };
        return Json(issue(&mut st, sim.rng(), now, sim.base_url(), &grant)).into_response();
    }
    let Some((code_key, code)) = p
        .get("code")
        .and_then(|c| st.oauth.codes.get(c.as_str()).map(|v| (c.clone(), v.clone())))
    else {
        return oauth_error("invalid_grant", "invalid authorization code");
    };
    if code.used || code.client_id != client.client_id {
        return oauth_error("invalid_grant", "invalid authorization code");
    }
    if now >= code.expires_at {
        return oauth_error("invalid_grant", "expired authorization code");
    }
    if p.get("redirect_uri") != Some(&code.redirect_uri) {
        return oauth_error("redirect_uri_mismatch", "redirect_uri must match configuration");
    }
    let verifier = p.get("code_verifier");
    let pkce_ok = match (&code.code_challenge, verifier) {
        (None, None) => true,
        (Some(challenge), Some(v)) => ct_eq(&URL_SAFE_NO_PAD.encode(Sha256::digest(v.as_bytes())), challenge),
        _ => false,
    };
    if !pkce_ok {
        return oauth_error("invalid_grant", "invalid code verifier");
    }
    if let Some(c) = st.oauth.codes.get_mut(&code_key) {
        c.used = true;
    }
    let grant = Grant {
        client_id: &client.client_id,
        secret: &key,
        scope: &code.scope,
        existing_refresh: None,
    };
    Json(issue(&mut st, sim.rng(), now, sim.base_url(), &grant)).into_response()
}

/// `POST /services/oauth2/revoke` (form `token=…`; also `GET ?token=…`).
pub(crate) async fn revoke(
    State(sim): State<Arc<SalesforceSim>>,
    RawQuery(q): RawQuery,
    body: Bytes,
) -> Response {
    let mut p = form(&body);
    if !p.contains_key("token") {
        p = form(q.unwrap_or_default().as_bytes());
    }
    let Some(token) = p.get("token").filter(|t| !t.is_empty()) else {
        return oauth_error("unsupported_token_type", "unsupported token type");
    };
    let mut st = sim.lock();
    if st.oauth.access.remove(token.as_str()).is_some() {
        return StatusCode::OK.into_response();
    }
    if st.oauth.refresh.remove(token.as_str()).is_some() {
        st.oauth
            .access
            .retain(|_, a| a.refresh_token.as_deref() != Some(token.as_str()));
        return StatusCode::OK.into_response();
    }
    oauth_error("invalid_token", "invalid token")
}

/// The live access token's user for a Bearer header, or Salesforce's identity-service refusal.
fn identity_user(sim: &SalesforceSim, headers: &HeaderMap) -> Result<super::OrgUser, Box<Response>> {
    let now = sim.now();
    let token = super::gate::bearer(headers);
    let st = sim.lock();
    let ok = token
        .as_deref()
        .and_then(|t| st.oauth.access.get(t))
        .is_some_and(|t| t.expires_at > now);
    if !ok {
        return Err(Box::new(
            (StatusCode::FORBIDDEN, "Bad_OAuth_Token").into_response(),
        ));
    }
    Ok(st.user.clone())
}

fn urls(base: &str, user: &super::OrgUser) -> Value {
    let data = format!("{base}/services/data/v{{version}}");
    json!({
        "rest": format!("{data}/"),
        "sobjects": format!("{data}/sobjects/"),
        "query": format!("{data}/query/"),
        "search": format!("{data}/search/"),
        "recent": format!("{data}/recent/"),
        "profile": format!("{base}/{}", user.user_id),
        "custom_domain": base,
    })
}

fn split_name(name: &str) -> (&str, &str) {
    name.split_once(' ').unwrap_or(("", name))
}

/// `GET /services/oauth2/userinfo` (OpenID Connect user info).
pub(crate) async fn userinfo(State(sim): State<Arc<SalesforceSim>>, headers: HeaderMap) -> Response {
    let user = match identity_user(&sim, &headers) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    let base = sim.base_url();
    let (given, family) = split_name(&user.name);
    Json(json!({
        "sub": format!("{base}/id/{}/{}", user.org_id, user.user_id),
        "user_id": user.user_id,
        "organization_id": user.org_id,
        "preferred_username": user.username,
        "nickname": user.username.split('@').next().unwrap_or_default(),
        "name": user.name,
        "email": user.email,
        "email_verified": true,
        "given_name": given,
        "family_name": family,
        "zoneinfo": "Etc/UTC",
        "active": true,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "urls": urls(base, &user),
    }))
    .into_response()
}

/// `GET /id/{orgId}/{userId}` (the identity URL from the token response).
pub(crate) async fn identity(
    State(sim): State<Arc<SalesforceSim>>,
    Path((org, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let user = match identity_user(&sim, &headers) {
        Ok(u) => u,
        Err(r) => return *r,
    };
    if org != user.org_id || user_id != user.user_id {
        return (StatusCode::FORBIDDEN, "Bad_Id").into_response();
    }
    let base = sim.base_url();
    let (given, family) = split_name(&user.name);
    Json(json!({
        "id": format!("{base}/id/{}/{}", user.org_id, user.user_id),
        "asserted_user": true,
        "user_id": user.user_id,
        "organization_id": user.org_id,
        "username": user.username,
        "nick_name": user.username.split('@').next().unwrap_or_default(),
        "display_name": user.name,
        "email": user.email,
        "email_verified": true,
        "first_name": given,
        "last_name": family,
        "timezone": "Etc/UTC",
        "active": true,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": 0,
        "urls": urls(base, &user),
        "is_app_installed": true,
    }))
    .into_response()
}
