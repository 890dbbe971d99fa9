//! How OAuth requests reach the network: an adapter that lets the `oauth2` crate send through a
//! reqwest 0.12 client (desktop.md §8), and turns transport failures and transient statuses into
//! errors the callers can classify, which the `oauth2` crate alone cannot (it drops the status).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use oauth2::basic::BasicErrorResponse;
use oauth2::{AsyncHttpClient, HttpRequest, HttpResponse, RequestTokenError};
use reqwest::header::CONTENT_TYPE;

use super::OAuthError;
use crate::http::redact;

/// The most a token endpoint's answer may weigh; anything larger is not a token response.
const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// The reqwest client for token, revocation and user-info calls: it never follows redirects (so
/// a token endpoint cannot bounce credentials elsewhere), with connect and total timeouts.
pub fn oauth_http_client(timeout: Duration) -> Result<reqwest::Client, OAuthError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .timeout(timeout)
        .user_agent(concat!("paysync/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| OAuthError::Config(format!("could not build the HTTP client: {}", describe(e))))
}

/// The HTTP client the `oauth2` crate sends through: a reqwest 0.12 client behind [`send`]. A
/// named type rather than a closure, so the futures it returns are `Send` for any borrow (which
/// `async_trait` methods need).
#[derive(Debug, Clone)]
pub(crate) struct OAuthHttp(pub reqwest::Client);

impl<'c> AsyncHttpClient<'c> for OAuthHttp {
    type Error = TransportError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, TransportError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(send(&self.0, request))
    }
}

/// A failure below the OAuth layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum TransportError {
    /// No complete answer: connect failure, timeout, reset.
    #[error("{0}")]
    Network(String),
    /// The server answered a status that means "try again later" (`408`, `429`, `5xx`).
    #[error("HTTP {0}")]
    Transient(u16),
    /// The server redirected; OAuth endpoints must not.
    #[error("the server redirected (HTTP {0}); OAuth endpoints must answer directly")]
    Redirect(u16),
    /// A client-error status whose body is not an OAuth error document.
    #[error("HTTP {0} without an OAuth error body")]
    Status(u16),
    /// The answer was larger than any token response.
    #[error("the answer was larger than {MAX_RESPONSE_BYTES} bytes")]
    TooLarge,
}

/// A reqwest error and its causes, without the URL, redacted.
pub(crate) fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    redact::scrub_free_text(&text)
}

fn is_json(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("application/json"))
}

/// Sends one request built by the `oauth2` crate (or by hand) and returns the answer, or the
/// transport-level failure. OAuth error documents (`4xx` with JSON) pass through untouched.
pub(crate) async fn send(
    http: &reqwest::Client,
    request: HttpRequest,
) -> Result<HttpResponse, TransportError> {
    let request = reqwest::Request::try_from(request).map_err(|e| TransportError::Network(describe(e)))?;
    let mut response = http
        .execute(request)
        .await
        .map_err(|e| TransportError::Network(describe(e)))?;
    let status = response.status();
    if status.is_redirection() {
        return Err(TransportError::Redirect(status.as_u16()));
    }
    if status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429 {
        return Err(TransportError::Transient(status.as_u16()));
    }
    if status.is_client_error() && !is_json(&response) {
        return Err(TransportError::Status(status.as_u16()));
    }
    let mut builder = oauth2::http::Response::builder().status(status);
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| TransportError::Network(describe(e)))?
    {
        if body.len().saturating_add(chunk.len()) > MAX_RESPONSE_BYTES {
            return Err(TransportError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    builder
        .body(body)
        .map_err(|e| TransportError::Network(format!("could not read the answer: {e}")))
}

/// The error for a transport failure during `operation`.
pub(crate) fn transport_error(operation: &str, e: TransportError) -> OAuthError {
    match e {
        TransportError::Network(message) => OAuthError::Unavailable {
            operation: operation.to_owned(),
            message,
            status: None,
        },
        TransportError::Transient(status) => OAuthError::Unavailable {
            operation: operation.to_owned(),
            message: format!("the server answered HTTP {status}"),
            status: Some(status),
        },
        other @ (TransportError::Redirect(_) | TransportError::Status(_) | TransportError::TooLarge) => {
            OAuthError::InvalidResponse {
                operation: operation.to_owned(),
                message: other.to_string(),
            }
        }
    }
}

/// The error for a failed `oauth2` token request during `operation`.
pub(crate) fn token_error(
    operation: &str,
    e: RequestTokenError<TransportError, BasicErrorResponse>,
) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(r) => OAuthError::Refused {
            operation: operation.to_owned(),
            error: r.error().as_ref().to_owned(),
            description: clean_text(r.error_description().map_or("", String::as_str)),
        },
        RequestTokenError::Request(t) => transport_error(operation, t),
        // Only the path of the offending field: serde's message may quote a value.
        RequestTokenError::Parse(err, _body) => OAuthError::InvalidResponse {
            operation: operation.to_owned(),
            message: format!("could not read the JSON answer at `{}`", err.path()),
        },
        RequestTokenError::Other(message) => OAuthError::InvalidResponse {
            operation: operation.to_owned(),
            message: redact::scrub_free_text(&message),
        },
    }
}

/// Text from the network made fit for a message: control characters dropped, at most 300
/// characters, and anything token-like scrubbed.
pub(crate) fn clean_text(text: &str) -> String {
    let cleaned: String = text.chars().filter(|c| !c.is_control()).take(300).collect();
    redact::scrub_free_text(cleaned.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_failures_are_classified() {
        let op = "Salesforce token refresh";
        assert!(transport_error(op, TransportError::Network("reset".into())).is_retryable());
        assert!(transport_error(op, TransportError::Transient(503)).is_retryable());
        assert!(transport_error(op, TransportError::Transient(429)).is_retryable());
        assert!(!transport_error(op, TransportError::Redirect(302)).is_retryable());
        assert!(!transport_error(op, TransportError::Status(404)).is_retryable());
    }

    #[test]
    fn clean_text_drops_controls_and_caps_length() {
        assert_eq!(clean_text("a\r\nb\u{7}c"), "abc");
        assert_eq!(clean_text(&"x".repeat(1000)).chars().count(), 300);
    }
}
