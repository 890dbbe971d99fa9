//! MaldoPay's wire conventions: requests are `application/x-www-form-urlencoded` with a `json`
//! field holding the JSON document (and optionally `apiKey`); answers are JSON envelopes with a
//! `transaction.codeId` / `codeMessage`, HTTP 200 even for business errors (the SDKs read only
//! the body).
//!
//! `codeId` meanings: auth success is `0` (the SDK treats `codeId != 0` as an error); creation
//! codes come from the service catalog; 2xx = success, 3xx = pending, 5xx = cancelled/declined
//! (omnipay driver). The specific error and final codes below are the simulator's own choices
//! (no public list exists) and sit in the 5xx family, so every client treats them as failures.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

/// Auth succeeded (SDK `Authorization.php`).
pub const CODE_AUTH_OK: u32 = 0;
/// Final: transaction confirmed.
pub const CODE_CONFIRMED: u32 = 200;
/// Final: refund confirmed (sandbox model).
pub const CODE_REFUND: u32 = 210;
/// Final: chargeback booked (sandbox model).
pub const CODE_CHARGEBACK: u32 = 220;
/// Final: declined by the payment method.
pub const CODE_DECLINED: u32 = 501;
/// Final: cancelled.
pub const CODE_CANCELED: u32 = 502;
/// Unknown `clientId`/`brandId` or wrong `apiKey`.
pub const CODE_BAD_CREDENTIALS: u32 = 510;
/// Token unknown, expired or issued to another merchant.
pub const CODE_BAD_TOKEN: u32 = 511;
/// `serviceId` not in the catalog.
pub const CODE_UNKNOWN_SERVICE: u32 = 512;
/// `type` does not match the service (DEPOSIT service asked to WITHDRAW, …).
pub const CODE_WRONG_TYPE: u32 = 513;
/// `amount` is not a positive integer of minor units.
pub const CODE_BAD_AMOUNT: u32 = 514;
/// `currencyCode` invalid or not the player's currency.
pub const CODE_BAD_CURRENCY: u32 = 515;
/// `referenceOrderId` already used by this merchant: rejected, never a second transaction.
pub const CODE_DUPLICATE_REFERENCE: u32 = 516;
/// The `json` field is missing, not JSON, or lacks a required field.
pub const CODE_MALFORMED: u32 = 517;
/// Status query (sandbox extension): no such transaction.
pub const CODE_NOT_FOUND: u32 = 404;

/// `{"transaction":{"codeId","codeMessage"}}` with HTTP 200.
pub fn code_error(code: u32, message: &str) -> Response {
    Json(json!({ "transaction": { "codeId": code, "codeMessage": message } })).into_response()
}

/// Any JSON body with HTTP 200.
pub fn ok(body: Value) -> Response {
    (StatusCode::OK, Json(body)).into_response()
}

/// The decoded form and its `json` document, or the error to answer with.
pub struct Envelope {
    /// The parsed `json` field.
    pub json: Value,
    /// The `apiKey` field, if sent.
    pub api_key: Option<String>,
}

/// Parses a form body with a `json=` field.
pub fn parse_envelope(body: &[u8]) -> Result<Envelope, Box<Response>> {
    let mut json_text = None;
    let mut api_key = None;
    for (k, v) in url::form_urlencoded::parse(body) {
        match k.as_ref() {
            "json" => json_text = Some(v.into_owned()),
            "apiKey" => api_key = Some(v.into_owned()),
            _ => {}
        }
    }
    let Some(text) = json_text else {
        return Err(Box::new(code_error(CODE_MALFORMED, "Missing json field")));
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(json) if json.is_object() => Ok(Envelope { json, api_key }),
        _ => Err(Box::new(code_error(
            CODE_MALFORMED,
            "The json field is not a JSON object",
        ))),
    }
}

/// A JSON scalar as text: `1001` and `"1001"` both give `"1001"` (the SDK casts ids to int,
/// other clients send strings).
pub fn scalar(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An integer given as a JSON integer or an all-digits string.
pub fn integer(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let s = s.trim();
            (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        }
        _ => None,
    }
}

/// How callbacks and status answers write dates (`2026-01-01 00:00:00`, UTC; PHP's `DateTime`
/// parses it).
pub fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// Minor units as a major-unit decimal string with the currency's digits (`1050` USD → `10.50`).
pub fn major(amount: i64, exponent: u32) -> String {
    let mut d = rust_decimal::Decimal::new(amount, exponent);
    d.rescale(exponent);
    d.to_string()
}
