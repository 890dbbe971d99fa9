//! Responses as Checkout.com sends them: `Cko-Request-Id` and `Cko-Version` on every response,
//! bare `401`/`404` bodies where the spec documents no content, and the
//! `{request_id, error_type, error_codes}` shape for errors that have a body.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{CKO_VERSION, CheckoutSim, ids};

/// The id of the request being handled, put in the request's extensions by [`stamp`].
#[derive(Debug, Clone)]
pub(crate) struct RequestId(pub String);

/// A response before headers are added: a status and an optional JSON body. Kept as data so
/// idempotent responses can be saved and replayed byte for byte.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: StatusCode,
    pub body: Option<Value>,
    /// Extra headers (e.g. `Location` for a 3DS page click).
    pub headers: Vec<(header::HeaderName, String)>,
    /// A non-JSON body (the 3DS page's HTML).
    pub html: Option<String>,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body: Some(body),
            headers: Vec::new(),
            html: None,
        }
    }

    pub(crate) fn empty(status: StatusCode) -> Self {
        Self {
            status,
            body: None,
            headers: Vec::new(),
            html: None,
        }
    }

    pub(crate) fn html(status: StatusCode, html: String) -> Self {
        Self {
            status,
            body: None,
            headers: Vec::new(),
            html: Some(html),
        }
    }

    /// `401` with an empty body: Checkout.com's answer to a missing, unknown or expired key or
    /// token, and to a token without the route's scope (spec: "Unauthorized", no content).
    pub(crate) fn unauthorized() -> Self {
        Self::empty(StatusCode::UNAUTHORIZED)
    }

    /// `404` with an empty body (spec: "Payment not found", no content).
    pub(crate) fn not_found() -> Self {
        Self::empty(StatusCode::NOT_FOUND)
    }

    /// `422` `ValidationError` with `error_type: request_invalid`.
    pub(crate) fn invalid(request_id: &str, codes: &[&str]) -> Self {
        Self::json(
            StatusCode::UNPROCESSABLE_ENTITY,
            error_body(request_id, "request_invalid", codes),
        )
    }

    /// `403` for an action the payment's state does not allow ("Capture not allowed"). The spec
    /// gives these no schema; the body follows its `ErrorResponse` (`operation_not_allowed`).
    pub(crate) fn not_allowed(request_id: &str, code: &str) -> Self {
        Self::json(
            StatusCode::FORBIDDEN,
            error_body(request_id, "operation_not_allowed", &[code]),
        )
    }
}

/// `{request_id, error_type, error_codes}`.
pub(crate) fn error_body(request_id: &str, error_type: &str, codes: &[&str]) -> Value {
    json!({
        "request_id": request_id,
        "error_type": error_type,
        "error_codes": codes,
    })
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let mut response = if let Some(html) = self.html {
            let mut r = Response::new(Body::from(html));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        } else if let Some(body) = self.body {
            let mut r = Response::new(Body::from(body.to_string()));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            r
        } else {
            Response::new(Body::empty())
        };
        *response.status_mut() = self.status;
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                response.headers_mut().insert(name, v);
            }
        }
        response
    }
}

/// Middleware: gives each request an id and stamps `Cko-Request-Id` / `Cko-Version` on the
/// response.
pub(crate) async fn stamp(State(sim): State<Arc<CheckoutSim>>, mut request: Request, next: Next) -> Response {
    let request_id = ids::request_id(&*sim.ctx.rng);
    request.extensions_mut().insert(RequestId(request_id.clone()));
    let mut response = next.run(request).await;
    add_headers(&mut response, &request_id);
    response
}

fn add_headers(response: &mut Response, request_id: &str) {
    if let Ok(v) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert("cko-request-id", v);
    }
    response
        .headers_mut()
        .insert("cko-version", HeaderValue::from_static(CKO_VERSION));
}

/// Unknown routes: `404` with an empty body.
pub(crate) async fn not_found() -> Reply {
    Reply::not_found()
}

/// The response for an injected fault with `status`, shaped like the real one for that status.
pub(crate) fn injected(status: StatusCode, request_id: &str) -> Response {
    let reply = match status.as_u16() {
        // Documented without content.
        401 | 403 | 404 | 502 | 504 => Reply::empty(status),
        422 => Reply::invalid(request_id, &["request_invalid"]),
        429 => Reply::json(
            status,
            error_body(request_id, "too_many_requests", &["too_many_requests"]),
        ),
        409 => Reply::json(
            status,
            error_body(request_id, "request_invalid", &["duplicate_request"]),
        ),
        503 => Reply::json(
            status,
            error_body(request_id, "service_not_available", &["service_unavailable"]),
        ),
        _ => Reply::json(
            status,
            error_body(request_id, "internal_server_error", &["unknown_error"]),
        ),
    };
    let mut response = reply.into_response();
    add_headers(&mut response, request_id);
    response
}
