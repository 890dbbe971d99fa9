//! The request value connectors build, and the redacted summary of it that logs and errors carry.

use paysync_core::IdempotencyKey;
use paysync_core::retry::RetrySafety;
use reqwest::Method;
use serde_json::Value;

use super::redact;

/// The body of a request.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Body {
    /// No body.
    #[default]
    None,
    /// A JSON document (`application/json`).
    Json(Value),
    /// Form fields (`application/x-www-form-urlencoded`), in order; repeated names are allowed.
    Form(Vec<(String, String)>),
    /// Raw bytes with their content type.
    Raw {
        /// The bytes sent.
        bytes: Vec<u8>,
        /// The `Content-Type` header value.
        content_type: String,
    },
}

/// One logical operation against a provider, built by a connector and sent by the
/// [`Executor`](super::Executor). The same value (and so the same idempotency key) is sent on
/// every attempt.
#[derive(Debug, Clone)]
pub struct Request {
    /// The HTTP method.
    pub method: Method,
    /// The path, joined onto the provider's configured base URL (e.g. `/v1/payment_intents`).
    pub path: String,
    /// Query pairs, in order.
    pub query: Vec<(String, String)>,
    /// Extra headers (authentication is added by the provider's authenticator).
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Body,
    /// The idempotency key, sent under the provider's idempotency header.
    pub idempotency_key: Option<IdempotencyKey>,
    /// How safe the operation is to send again when its outcome is unknown.
    pub safety: RetrySafety,
    /// The label used for rate limits, breakers and telemetry, e.g. `stripe:POST /v1/payment_intents`.
    pub endpoint: String,
}

impl Request {
    /// A request with no query, headers, body or idempotency key.
    pub fn new(
        method: Method,
        path: impl Into<String>,
        safety: RetrySafety,
        endpoint: impl Into<String>,
    ) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::None,
            idempotency_key: None,
            safety,
            endpoint: endpoint.into(),
        }
    }

    /// A `GET` that is safe to repeat.
    pub fn get(path: impl Into<String>, endpoint: impl Into<String>) -> Self {
        Self::new(Method::GET, path, RetrySafety::ReadOnly, endpoint)
    }

    /// Adds a query pair.
    #[must_use]
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    #[must_use]
    pub fn body(mut self, body: Body) -> Self {
        self.body = body;
        self
    }

    /// Sets the idempotency key.
    #[must_use]
    pub fn idempotency_key(mut self, key: IdempotencyKey) -> Self {
        self.idempotency_key = Some(key);
        self
    }

    /// The redacted summary of this request against `base_url`.
    pub fn summary(&self, provider: &str, base_url: &str) -> RequestSummary {
        let mut headers: Vec<(String, String)> = self
            .headers
            .iter()
            .map(|(n, v)| (n.clone(), redact::header_value(n, v)))
            .collect();
        headers.sort();
        let query = redact::query(&self.query);
        let url = if query.is_empty() {
            join(base_url, &self.path)
        } else {
            format!("{}?{query}", join(base_url, &self.path))
        };
        RequestSummary {
            provider: provider.to_owned(),
            endpoint: self.endpoint.clone(),
            method: self.method.to_string(),
            url,
            headers,
        }
    }
}

/// What logs, errors and the console may show of a request: secrets replaced by `[REDACTED]`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequestSummary {
    /// The provider's name (`stripe`).
    pub provider: String,
    /// The endpoint label.
    pub endpoint: String,
    /// The HTTP method.
    pub method: String,
    /// The full URL, with sensitive query values redacted.
    pub url: String,
    /// The connector's headers, with sensitive values redacted (authentication is never listed).
    pub headers: Vec<(String, String)>,
}

/// Joins `path` onto `base` with exactly one slash between them.
pub(crate) fn join(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_redacts_and_joins() {
        let r = Request::get("/v1/things", "p:GET /v1/things")
            .query("limit", "3")
            .query("api_key", "canary-1")
            .header("X-Client-Secret", "canary-2")
            .header("Accept", "application/json");
        let s = r.summary("p", "http://h:1/base/");
        assert_eq!(s.url, "http://h:1/base/v1/things?limit=3&api_key=[REDACTED]");
        let text = format!("{s:?}");
        assert!(!text.contains("canary"), "{text}");
        assert!(s.headers.contains(&("Accept".into(), "application/json".into())));
    }
}
