//! What every `/services/data/vXX.X/…` call goes through before its handler: the API version
//! (55.0–66.0), the Bearer token (401 `INVALID_SESSION_ID` when missing, revoked or past the
//! session timeout), and the rolling 24-hour request allocation (403 `REQUEST_LIMIT_EXCEEDED`).
//! Every counted response carries `Sforce-Limit-Info: api-usage=N/MAX`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::wire::SfError;
use super::{NEWEST_API_VERSION, OLDEST_API_VERSION, SalesforceSim};

/// The authenticated caller of a REST request.
#[derive(Debug, Clone)]
pub(crate) struct Session {
    /// The acting user.
    pub user_id: String,
    /// The API version of the URL, e.g. `66.0`.
    pub version: String,
}

/// The token of an `Authorization: Bearer …` (or the older `OAuth …`) header.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim().to_owned())
        .filter(|t| !t.is_empty())
}

/// The version of a `/services/data/vNN.N/…` path, or the answer for an unsupported one.
pub(crate) fn api_version(path: &str) -> Result<String, SfError> {
    let seg = path
        .strip_prefix("/services/data/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("");
    let parsed = seg
        .strip_prefix('v')
        .and_then(|v| v.split_once('.'))
        .filter(|(_, minor)| *minor == "0")
        .and_then(|(major, _)| major.parse::<u32>().ok());
    match parsed {
        Some(v) if (OLDEST_API_VERSION..=NEWEST_API_VERSION).contains(&v) => Ok(format!("{v}.0")),
        Some(v) if v < OLDEST_API_VERSION => Err(SfError::bad(
            "UNSUPPORTED_API_VERSION",
            format!("API version {v}.0 is retired; this org serves {OLDEST_API_VERSION}.0 to {NEWEST_API_VERSION}.0"),
        )
        .with_status(StatusCode::GONE)),
        _ => Err(SfError::not_found()),
    }
}

fn invalid_session(message: &str) -> SfError {
    SfError::bad("INVALID_SESSION_ID", message).with_status(StatusCode::UNAUTHORIZED)
}

fn limit_header(resp: &mut Response, used: u64, max: u64) {
    if let Ok(v) = HeaderValue::from_str(&format!("api-usage={used}/{max}")) {
        resp.headers_mut().insert("Sforce-Limit-Info", v);
    }
}

/// The middleware.
pub(crate) async fn gate(State(sim): State<Arc<SalesforceSim>>, mut req: Request, next: Next) -> Response {
    let version = match api_version(req.uri().path()) {
        Ok(v) => v,
        Err(e) => return e.into_response(),
    };
    let token = bearer(req.headers());
    let now = sim.now();
    let (session, used, max) = {
        let mut st = sim.lock();
        let live = token
            .as_deref()
            .and_then(|t| st.oauth.access.get(t))
            .filter(|t| t.expires_at > now)
            .cloned();
        let Some(access) = live else {
            return invalid_session("Session expired or invalid").into_response();
        };
        let rest_ok = access
            .scope
            .split(' ')
            .any(|s| matches!(s, "api" | "full" | "web"));
        if !rest_ok {
            return invalid_session("This session is not valid for use with the REST API").into_response();
        }
        let max = st.usage.daily_limit;
        match st.usage.try_record(now) {
            Ok(used) => (
                Session {
                    user_id: access.user_id,
                    version,
                },
                used,
                max,
            ),
            Err(used) => {
                drop(st);
                let mut resp = SfError::bad("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
                    .with_status(StatusCode::FORBIDDEN)
                    .into_response();
                limit_header(&mut resp, used, max);
                return resp;
            }
        }
    };
    req.extensions_mut().insert(session);
    let mut resp = next.run(req).await;
    limit_header(&mut resp, used, max);
    resp
}
