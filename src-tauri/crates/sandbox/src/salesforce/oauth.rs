//! The authorization step of the OAuth 2.0 web-server flow with PKCE, as a desktop app uses it:
//! `GET /services/oauth2/authorize` shows a consent page with "Allow" (`#allow`) and "Deny"
//! (`#deny`) buttons; they post to `/services/oauth2/authorize/decision`, which redirects to the
//! app's callback with `code` and `state` (or `error=access_denied`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use url::Url;

use super::SalesforceSim;
use super::ids::base62;
use super::state::{AuthCode, PendingAuth};

/// Authorization codes live 15 minutes on the sandbox clock.
const CODE_TTL_MINUTES: i64 = 15;

/// Scopes Salesforce knows (others are refused with `invalid_scope`).
const KNOWN_SCOPES: &[&str] = &[
    "api",
    "web",
    "full",
    "id",
    "profile",
    "email",
    "address",
    "phone",
    "openid",
    "refresh_token",
    "offline_access",
    "chatter_api",
    "custom_permissions",
    "visualforce",
    "content",
    "lightning",
];

/// Reads a form or query string; the first occurrence of a key wins.
pub(crate) fn form(bytes: &[u8]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(bytes) {
        out.entry(k.into_owned()).or_insert_with(|| v.into_owned());
    }
    out
}

/// Minimal HTML escaping for values shown on the consent page.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Whether a registered callback URL accepts `given`: exactly, or (RFC 8252 §7.3) a loopback
/// `http` URL with the same host and path on any port.
pub(crate) fn redirect_matches(registered: &str, given: &str) -> bool {
    if registered == given {
        return true;
    }
    let (Ok(r), Ok(g)) = (Url::parse(registered), Url::parse(given)) else {
        return false;
    };
    let loopback =
        |u: &Url| u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    loopback(&r)
        && loopback(&g)
        && r.host_str() == g.host_str()
        && r.path() == g.path()
        && r.query() == g.query()
}

/// An error page shown instead of redirecting (the callback cannot be trusted).
fn error_page(error: &str, description: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><title>Error</title></head><body><h1>OAuth Error</h1>\
         <p id=\"error\">error={}&amp;error_description={}</p></body></html>",
        esc(error),
        esc(&description.replace(' ', "%20"))
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

/// A 302 to the callback with these query parameters appended.
fn redirect(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let Ok(mut url) = Url::parse(redirect_uri) else {
        return error_page("redirect_uri_mismatch", "redirect_uri must match configuration");
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    let mut resp = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(url.as_str()) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp
}

fn redirect_error(redirect_uri: &str, state: Option<&str>, error: &str, description: &str) -> Response {
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(s) = state {
        params.push(("state", s));
    }
    redirect(redirect_uri, &params)
}

/// A PKCE challenge: base64url without padding, 43–128 characters.
fn valid_challenge(c: &str) -> bool {
    (43..=128).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// `GET /services/oauth2/authorize`.
pub(crate) async fn authorize(State(sim): State<Arc<SalesforceSim>>, RawQuery(q): RawQuery) -> Response {
    let p = form(q.unwrap_or_default().as_bytes());
    let get = |k: &str| p.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let now = sim.now();
    let mut st = sim.lock();
    let Some(client) = get("client_id").and_then(|id| st.oauth.clients.get(id)).cloned() else {
        return error_page("invalid_client_id", "client identifier invalid");
    };
    let Some(redirect_uri) = get("redirect_uri") else {
        return error_page("redirect_uri_missing", "redirect_uri must match configuration");
    };
    if !client
        .redirect_uris
        .iter()
        .any(|r| redirect_matches(r, redirect_uri))
    {
        return error_page("redirect_uri_mismatch", "redirect_uri must match configuration");
    }
    let state = get("state");
    if get("response_type") != Some("code") {
        return redirect_error(
            redirect_uri,
            state,
            "unsupported_response_type",
            "response type not supported",
        );
    }
    let challenge = get("code_challenge");
    if let Some(m) = get("code_challenge_method")
        && m != "S256"
    {
        return redirect_error(
            redirect_uri,
            state,
            "invalid_request",
            "unsupported code_challenge_method",
        );
    }
    if challenge.is_some_and(|c| !valid_challenge(c)) {
        return redirect_error(redirect_uri, state, "invalid_request", "invalid code_challenge");
    }
    let scope = get("scope")
        .unwrap_or("api")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if let Some(bad) = scope.split(' ').find(|s| !KNOWN_SCOPES.contains(s)) {
        let msg = format!("the requested scope is not allowed: {bad}");
        return redirect_error(redirect_uri, state, "invalid_scope", &msg);
    }
    // Consent pages nobody answered within a day are forgotten.
    st.oauth
        .pending
        .retain(|_, p| p.created_at + Duration::days(1) > now);
    let request_id = base62(sim.rng(), 24);
    st.oauth.pending.insert(
        request_id.clone(),
        PendingAuth {
            client_id: client.client_id.clone(),
            redirect_uri: redirect_uri.to_owned(),
            state: state.map(str::to_owned),
            scope: scope.clone(),
            code_challenge: challenge.map(str::to_owned),
            created_at: now,
        },
    );
    let user = st.user.clone();
    drop(st);
    let scopes: String = scope.split(' ').map(|s| format!("<li>{}</li>", esc(s))).collect();
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Allow Access?</title></head>\n\
         <body>\n<h1>Allow Access?</h1>\n\
         <p><strong id=\"client\">{client}</strong> is asking to:</p>\n<ul id=\"scopes\">{scopes}</ul>\n\
         <p>You are logged in as <span id=\"username\">{username}</span>.</p>\n\
         <form id=\"decision\" method=\"post\" action=\"/services/oauth2/authorize/decision\">\n\
         <input type=\"hidden\" name=\"request_id\" value=\"{request_id}\">\n\
         <button type=\"submit\" id=\"allow\" name=\"decision\" value=\"allow\">Allow</button>\n\
         <button type=\"submit\" id=\"deny\" name=\"decision\" value=\"deny\">Deny</button>\n\
         </form>\n</body></html>\n",
        client = esc(&client.client_id),
        username = esc(&user.username),
    ))
    .into_response()
}

/// A new authorization code: Salesforce's look (`aPrx…`, base64 with `+`, `/` and `==`, so the
/// client must URL-decode it correctly).
fn new_code(sim: &SalesforceSim) -> String {
    let mut bytes = [0u8; 46];
    sim.rng().fill_bytes(&mut bytes);
    format!("aPrx{}", STANDARD.encode(bytes))
}

/// `POST /services/oauth2/authorize/decision` (the consent form).
pub(crate) async fn decision(State(sim): State<Arc<SalesforceSim>>, body: Bytes) -> Response {
    let p = form(&body);
    let now = sim.now();
    let mut st = sim.lock();
    let Some(pending) = p.get("request_id").and_then(|id| st.oauth.pending.remove(id)) else {
        return error_page(
            "invalid_request",
            "unknown or already answered authorization request",
        );
    };
    let state = pending.state.as_deref();
    if p.get("decision").map(String::as_str) != Some("allow") {
        return redirect_error(
            &pending.redirect_uri,
            state,
            "access_denied",
            "end-user denied authorization",
        );
    }
    let code = new_code(&sim);
    st.oauth.codes.insert(
        code.clone(),
        AuthCode {
            client_id: pending.client_id.clone(),
            redirect_uri: pending.redirect_uri.clone(),
            scope: pending.scope.clone(),
            code_challenge: pending.code_challenge.clone(),
            expires_at: now + Duration::minutes(CODE_TTL_MINUTES),
            used: false,
        },
    );
    // Forget long-expired codes so the state does not grow without bound.
    st.oauth
        .codes
        .retain(|_, c| c.expires_at + Duration::days(1) > now);
    drop(st);
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = state {
        params.push(("state", s));
    }
    redirect(&pending.redirect_uri, &params)
}

#[cfg(test)]
mod tests {
    use super::redirect_matches;

    #[test]
    fn loopback_redirects_match_any_port() {
        assert!(redirect_matches(
            "http://127.0.0.1/callback",
            "http://127.0.0.1:53123/callback"
        ));
        assert!(redirect_matches(
            "http://localhost:8080/cb",
            "http://localhost:9999/cb"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1/callback",
            "http://127.0.0.1:53123/other"
        ));
        assert!(!redirect_matches(
            "http://127.0.0.1/callback",
            "http://localhost:53123/callback"
        ));
        assert!(!redirect_matches(
            "https://app.example.com/cb",
            "https://app.example.com:444/cb"
        ));
        assert!(redirect_matches(
            "https://app.example.com/cb",
            "https://app.example.com/cb"
        ));
    }
}
