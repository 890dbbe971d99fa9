//! Stripe's error body, `{"error":{"type","code","message","param","decline_code","doc_url",…}}`
//! (SPEC:stripe `error` / `api_errors`, apis.md §2.8). Absent members are left out rather than
//! sent as `null`: the spec does not mark them nullable, and Stripe omits them.

use axum::http::StatusCode;
use serde_json::{Map, Value, json};

/// Error `type` values (the spec's `api_errors.type` enum).
pub const API_ERROR: &str = "api_error";
/// A card was declined or could not be charged.
pub const CARD_ERROR: &str = "card_error";
/// An `Idempotency-Key` was reused with another endpoint or other parameters.
pub const IDEMPOTENCY_ERROR: &str = "idempotency_error";
/// Anything wrong with the request itself (also used for 401, 404 and 429 bodies).
pub const INVALID_REQUEST: &str = "invalid_request_error";

/// One Stripe API error, with where it happened in the pipeline.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// `type`.
    pub kind: &'static str,
    /// `code`, e.g. `resource_missing`.
    pub code: Option<String>,
    /// `message`.
    pub message: String,
    /// `param`.
    pub param: Option<String>,
    /// Raised while validating parameters, before execution began: Stripe does not save such
    /// results under an idempotency key.
    pub before_execution: bool,
    /// The rarely used parts, boxed to keep `Result<_, ApiError>` small.
    pub more: Box<More>,
}

/// The rarely used parts of an [`ApiError`].
#[derive(Debug, Clone, Default)]
pub struct More {
    /// `decline_code` (card errors).
    pub decline_code: Option<String>,
    /// Further members (`charge`, `payment_intent`, `payment_method`) for card errors.
    pub extra: Map<String, Value>,
    /// Extra response headers (`Retry-After`, `Stripe-Should-Retry`).
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    /// A bare error of `kind` with `status` and `message`.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            kind,
            code: None,
            message: message.into(),
            param: None,
            before_execution: false,
            more: Box::default(),
        }
    }

    /// A 400 `invalid_request_error`.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, INVALID_REQUEST, message)
    }

    /// A 400 parameter error raised before execution (never saved under an idempotency key).
    pub fn param(param: &str, message: impl Into<String>) -> Self {
        Self::invalid(message).with_param(param).validation()
    }

    /// `Missing required param: amount.`
    pub fn missing(param: &str) -> Self {
        Self::param(param, format!("Missing required param: {param}.")).with_code("parameter_missing")
    }

    /// `Received unknown parameter: foo`.
    pub fn unknown_param(param: &str) -> Self {
        Self::param(param, format!("Received unknown parameter: {param}")).with_code("parameter_unknown")
    }

    /// 404 `resource_missing`: `No such customer: 'cus_x'`.
    pub fn missing_resource(noun: &str, id: &str, param: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            INVALID_REQUEST,
            format!("No such {noun}: '{id}'"),
        )
        .with_code("resource_missing")
        .with_param(param)
    }

    /// Sets `code`.
    #[must_use]
    pub fn with_code(mut self, code: &str) -> Self {
        self.code = Some(code.to_owned());
        self
    }

    /// Sets `param`.
    #[must_use]
    pub fn with_param(mut self, param: &str) -> Self {
        self.param = Some(param.to_owned());
        self
    }

    /// Sets `decline_code`.
    #[must_use]
    pub fn with_decline_code(mut self, code: Option<&str>) -> Self {
        self.more.decline_code = code.map(str::to_owned);
        self
    }

    /// Adds a member such as `charge` or `payment_intent`.
    #[must_use]
    pub fn with_extra(mut self, key: &str, value: Value) -> Self {
        self.more.extra.insert(key.to_owned(), value);
        self
    }

    /// Adds a response header.
    #[must_use]
    pub fn with_header(mut self, name: &'static str, value: String) -> Self {
        self.more.headers.push((name, value));
        self
    }

    /// Marks the error as a validation failure (before execution).
    #[must_use]
    pub fn validation(mut self) -> Self {
        self.before_execution = true;
        self
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut e = Map::new();
        if let Some(code) = &self.code {
            e.insert("code".into(), json!(code));
            e.insert("doc_url".into(), json!(doc_url(code)));
        }
        if let Some(d) = &self.more.decline_code {
            e.insert("decline_code".into(), json!(d));
        }
        e.insert("message".into(), json!(self.message));
        if let Some(p) = &self.param {
            e.insert("param".into(), json!(p));
        }
        e.insert("type".into(), json!(self.kind));
        for (k, v) in &self.more.extra {
            e.insert(k.clone(), v.clone());
        }
        json!({ "error": e })
    }
}

/// `https://stripe.com/docs/error-codes/<code with dashes>`, the link every coded error carries.
pub fn doc_url(code: &str) -> String {
    format!("https://stripe.com/docs/error-codes/{}", code.replace('_', "-"))
}

/// The body for a generic injected failure: `api_error` for 5xx, `rate_limit` for 429.
pub fn injected(status: StatusCode) -> ApiError {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return rate_limited();
    }
    if status.is_server_error() {
        return ApiError::new(
            status,
            API_ERROR,
            "An unknown error occurred while processing your request. Please try again later.",
        );
    }
    ApiError::new(
        status,
        INVALID_REQUEST,
        format!(
            "The request failed with status {}.",
            status.canonical_reason().unwrap_or("unknown")
        ),
    )
}

/// The 429 body Stripe sends in test mode when the request rate is exceeded.
pub fn rate_limited() -> ApiError {
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        INVALID_REQUEST,
        "Testmode request rate limit exceeded, the rate limits in testmode are lower than livemode. \
         You can learn more about rate limits here https://stripe.com/docs/rate-limits.",
    )
    .with_code("rate_limit")
}
