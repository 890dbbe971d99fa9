//! Payoneer's wire shapes: the `{error, error_description, error_details:{code, sub_code, errors}}`
//! error body, the `{result: …}` envelope, and how amounts and dates are written.
//!
//! Sub-codes: `1000` (validation) and `2306` (payout not found) come from the SDK fixtures
//! (apis.md §4); every other sub-code here is the simulator's own choice, because no public source
//! lists them. Connectors should branch on the HTTP status and on 1000/2306 only.

use std::str::FromStr;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::{Value, json};

/// Validation failed (go-payoneer fixture "Invalid payout data").
pub const SUB_VALIDATION: u32 = 1000;
/// Payout not found (both SDKs).
pub const SUB_PAYOUT_NOT_FOUND: u32 = 2306;
/// The access token is missing, unknown or expired (simulator's choice).
pub const SUB_INVALID_TOKEN: u32 = 1101;
/// The token's client may not act on this program (simulator's choice).
pub const SUB_FORBIDDEN: u32 = 1103;
/// Unknown route or program (simulator's choice).
pub const SUB_NOT_FOUND: u32 = 1104;
/// Payee not found (simulator's choice).
pub const SUB_PAYEE_NOT_FOUND: u32 = 2100;
/// Every rejected item of a batch reused a `client_reference_id` accepted earlier (simulator's choice).
pub const SUB_DUPLICATE_REFERENCE: u32 = 2307;
/// The program balance does not cover the batch (simulator's choice).
pub const SUB_INSUFFICIENT_FUNDS: u32 = 2308;
/// The payout is already final and cannot be cancelled (simulator's choice).
pub const SUB_NOT_CANCELLABLE: u32 = 2309;

/// One entry of `error_details.errors`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemError {
    /// Machine-readable reason, e.g. `payee_not_active`.
    pub code: String,
    /// What it is about, e.g. `Payments[2].payee_id`.
    pub target: String,
    /// The offending value.
    pub value: String,
    /// Human-readable text.
    pub message: String,
}

impl ItemError {
    /// Builds an item error.
    pub fn new(code: &str, target: String, value: impl Into<String>, message: String) -> Self {
        Self {
            code: code.to_owned(),
            target,
            value: value.into(),
            message,
        }
    }
}

/// A Payoneer error response.
pub fn error(
    status: StatusCode,
    description: &str,
    sub_code: Option<u32>,
    errors: Vec<ItemError>,
) -> Response {
    let mut details = serde_json::Map::new();
    details.insert("code".into(), json!(status.as_u16()));
    if let Some(sub) = sub_code {
        details.insert("sub_code".into(), json!(sub));
    }
    if !errors.is_empty() {
        details.insert("errors".into(), json!(errors));
    }
    let body = json!({
        "error": status.canonical_reason().unwrap_or("Error"),
        "error_description": description,
        "error_details": Value::Object(details),
    });
    (status, Json(body)).into_response()
}

/// A 401 for a bad bearer token, with the RFC 6750 challenge.
pub fn unauthorized(description: &str) -> Response {
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        description,
        Some(SUB_INVALID_TOKEN),
        vec![],
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

/// An OAuth token-endpoint error (RFC 6749 §5.2 names, which share Payoneer's `error` /
/// `error_description` keys).
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response()
}

/// `200 {"result": …}`.
pub fn ok_result(result: Value) -> Response {
    (StatusCode::OK, Json(json!({ "result": result }))).into_response()
}

/// A decimal amount as a JSON number, as the reference fixtures write amounts (`"amount": 5.1`).
///
/// serde_json here has no arbitrary-precision numbers, so the value goes through its shortest
/// round-trip form; amounts up to 15 significant digits are exact. Trailing zeros are dropped
/// (`5.10` → `5.1`), as in the fixture.
pub fn amount_json(amount: Decimal) -> Value {
    let text = amount.normalize().to_string();
    serde_json::Number::from_str(&text).map_or(Value::String(text), Value::Number)
}

/// A decimal amount as a string with the currency's digits (`"357.65"`), as IPCN bodies write it.
pub fn amount_text(amount: Decimal, exponent: u32) -> String {
    let mut rounded = amount.round_dp(exponent);
    rounded.rescale(exponent);
    rounded.to_string()
}

/// A timestamp as the status endpoint writes it (`2021-03-17T10:47:00+00:00`).
pub fn datetime(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// A date as the payee status endpoint writes it (`2021-07-08`).
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// Parses a JSON amount given as a number or a numeric string into an exact decimal.
pub fn parse_amount(value: &Value) -> Option<Decimal> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        _ => return None,
    };
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
}
