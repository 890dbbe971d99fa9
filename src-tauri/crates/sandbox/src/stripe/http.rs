//! The request pipeline every API call goes through, in Stripe's order: API version, auth
//! (401), rate limit (429), time-driven changes, routing (404 for unknown URLs), parameter
//! parsing and validation (400, never saved), idempotency key claim (replay / 400 / 409), the
//! handler under the state lock, `expand[]`, and the saved idempotent result. Every response
//! carries `Request-Id` and `Stripe-Version`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine;
use serde_json::{Value, json};

use super::StripeSim;
use super::errors::{self, ApiError, INVALID_REQUEST};
use super::expand;
use super::form;
use super::idempotency::{self, Claim};
use super::params;
use super::routes::{self, Call};
use super::state::{API_VERSION, new_id};

/// Largest request body read.
const MAX_BODY: usize = 2 * 1024 * 1024;

/// A JSON response with Stripe's standard headers.
fn json_response(status: StatusCode, body: &Value, request_id: &str, version: &str) -> Response {
    let text = serde_json::to_string_pretty(body).unwrap_or_else(|_| "{}".into());
    let mut r = Response::new(Body::from(text));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/json"));
    set(h, "request-id", request_id);
    set(h, "stripe-version", version);
    h.insert("cache-control", HeaderValue::from_static("no-cache, no-store"));
    r
}

fn set(h: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(name, v);
    }
}

/// The response for an error, with its extra headers.
pub fn error_response(e: &ApiError, request_id: &str, version: &str) -> Response {
    let mut r = json_response(e.status, &e.body(), request_id, version);
    for (name, value) in &e.more.headers {
        set(r.headers_mut(), name, value);
    }
    if e.status == StatusCode::UNAUTHORIZED {
        r.headers_mut().insert(
            "www-authenticate",
            HeaderValue::from_static("Basic realm=\"Stripe\""),
        );
    }
    r
}

/// `sk_test_****…abcd`: the prefix and the last four characters, as Stripe shows a bad key.
fn mask(key: &str) -> String {
    let prefix_len = [
        "sk_test_", "sk_live_", "rk_test_", "rk_live_", "pk_test_", "pk_live_",
    ]
    .iter()
    .find(|p| key.starts_with(*p))
    .map_or(0, |p| p.len());
    let chars: Vec<char> = key.chars().collect();
    let keep_tail = if chars.len() > prefix_len + 4 { 4 } else { 0 };
    let stars = chars.len().saturating_sub(prefix_len + keep_tail);
    format!(
        "{}{}{}",
        &key[..prefix_len],
        "*".repeat(stars),
        chars[chars.len() - keep_tail..].iter().collect::<String>()
    )
}

/// The secret key of a request: `Bearer <key>` or Basic with the key as user name.
fn authenticate(sim: &StripeSim, headers: &HeaderMap) -> Result<String, ApiError> {
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or_default();
    let key = if let Some(k) = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
    {
        k.trim().to_owned()
    } else if let Some(b) = header
        .strip_prefix("Basic ")
        .or_else(|| header.strip_prefix("basic "))
    {
        base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .ok()
            .and_then(|d| String::from_utf8(d).ok())
            .map(|s| s.split(':').next().unwrap_or_default().to_owned())
            .unwrap_or_default()
    } else {
        String::new()
    };
    if key.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            INVALID_REQUEST,
            "You did not provide an API key. You need to provide your API key in the Authorization header, \
             using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See \
             https://stripe.com/docs/api#authentication for details, or we can help at \
             https://support.stripe.com/.",
        ));
    }
    // Live keys never reach the sandbox's books, even if someone registered one.
    let known = key.starts_with("sk_test_") && sim.with_state(|st| st.api_keys.contains(&key));
    if !known {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            INVALID_REQUEST,
            format!("Invalid API Key provided: {}", mask(&key)),
        ));
    }
    Ok(key)
}

/// `YYYY-MM-DD` with an optional `.name` release suffix.
fn valid_version(v: &str) -> bool {
    let (date, name) = v.split_once('.').unwrap_or((v, "a"));
    let b = date.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && !name.is_empty()
        && name.bytes().all(|c| c.is_ascii_lowercase())
}

/// The API handler for every `/v1/…` request.
pub async fn handle(State(sim): State<Arc<StripeSim>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let request_id = new_id(sim.ctx.rng.as_ref(), "req_");
    let version = match parts.headers.get("stripe-version").and_then(|v| v.to_str().ok()) {
        Some(v) if valid_version(v) => v.to_owned(),
        Some(v) => {
            let e = ApiError::invalid(format!("Invalid Stripe API version: {v}"));
            return error_response(&e, &request_id, API_VERSION);
        }
        None => API_VERSION.to_owned(),
    };
    let fail = |e: &ApiError| error_response(e, &request_id, &version);
    let key = match authenticate(&sim, &parts.headers) {
        Ok(k) => k,
        Err(e) => return fail(&e),
    };
    let (per_sec, burst, should_retry, delay_ms) = sim.with_state(|st| {
        (
            st.config.rate_limit_per_sec,
            st.config.rate_limit_burst,
            st.config.rate_limit_should_retry,
            st.config.handler_delay_ms,
        )
    });
    if let Err(wait) = sim.limiter.take(&key, per_sec, burst) {
        let mut e = errors::rate_limited().with_header("retry-after", wait.to_string());
        if let Some(flag) = should_retry {
            e = e.with_header("stripe-should-retry", flag.to_string());
        }
        return fail(&e);
    }
    sim.tick();

    let path = parts.uri.path().to_owned();
    let Some((route, ids)) = routes::find(&sim.table, &parts.method, &path) else {
        let e = ApiError::new(
            StatusCode::NOT_FOUND,
            INVALID_REQUEST,
            format!(
                "Unrecognized request URL ({}: {path}). Please see https://stripe.com/docs or we can help at \
                 https://support.stripe.com/.",
                parts.method
            ),
        );
        return fail(&e);
    };
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return fail(&ApiError::invalid("The request body is too large.")),
    };
    let raw = if parts.method == Method::POST {
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        parts.uri.query().unwrap_or_default().to_owned()
    };
    let params_v = match form::parse(&raw) {
        Ok(v) => v,
        Err(fe) => return fail(&ApiError::param(&fe.param, fe.message)),
    };
    if let Err(e) = params::validate(route.spec, &params_v, route.list) {
        return fail(&e);
    }
    if let Some(check) = route.check
        && let Err(e) = check(&params_v)
    {
        return fail(&e.validation());
    }

    let idem_key = if parts.method == Method::POST {
        parts
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    } else {
        None
    };
    if let Some(k) = &idem_key {
        if let Err(e) = idempotency::check_key(k) {
            return fail(&e);
        }
        let endpoint = format!("{} {path}", parts.method);
        let canonical = form::canonical(&params_v);
        let now = sim.now();
        let claim = sim.with_state(|st| idempotency::claim(st, k, &endpoint, &canonical, now, &request_id));
        match claim {
            Claim::Execute => {}
            Claim::Refuse(e) => return fail(&e),
            Claim::Replay {
                status,
                body,
                original_request,
            } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
                let mut r = json_response(status, &body, &request_id, &version);
                set(r.headers_mut(), "idempotency-key", k);
                set(r.headers_mut(), "idempotent-replayed", "true");
                set(r.headers_mut(), "original-request", &original_request);
                return r;
            }
        }
    }
    if delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }

    let call = Call {
        params: params_v,
        ids,
    };
    let request_info = json!({"id": request_id, "idempotency_key": idem_key});
    let handler = route.handler;
    let (status, body, headers) = sim.exec(None, Some(request_info), |x| {
        let result = handler(x, &call).and_then(|mut v| {
            expand::apply(x.st, &mut v, &params::expand_list(&call.params))?;
            Ok(v)
        });
        let (status, body, headers, before) = match result {
            Ok(v) => (StatusCode::OK, v, Vec::new(), false),
            Err(e) => (e.status, e.body(), e.more.headers.clone(), e.before_execution),
        };
        if let Some(k) = &idem_key {
            if before {
                idempotency::release(x.st, k);
            } else {
                idempotency::finish(x.st, k, status.as_u16(), &body);
            }
        }
        (status, body, headers)
    });
    let mut r = json_response(status, &body, &request_id, &version);
    for (name, value) in headers {
        set(r.headers_mut(), name, &value);
    }
    if let Some(k) = &idem_key {
        set(r.headers_mut(), "idempotency-key", k);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_masked_like_stripe() {
        assert_eq!(mask("sk_test_abcdefgh1234"), "sk_test_********1234");
        assert_eq!(mask("sk_live_xy"), "sk_live_**");
        assert_eq!(mask("nope"), "****");
    }

    #[test]
    fn versions() {
        assert!(valid_version("2023-08-16"));
        assert!(valid_version("2024-09-30.acacia"));
        assert!(!valid_version("latest"));
        assert!(!valid_version("2024-9-30"));
    }
}
