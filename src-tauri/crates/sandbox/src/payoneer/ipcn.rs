//! IPCN (Instant Payment Confirmation Notification) bodies, their `hmacauth` signature and their
//! delivery to loopback receivers.
//!
//! Signature (apis.md §4, go-payoneer `ComputeSignature`, said to match a real sandbox webhook):
//! `base64(HMAC-SHA256(secret, AppName + METHOD + lower(urlencode(normalize(url))) + Timestamp +
//! Nonce + base64(MD5(body))))`, where `normalize` lower-cases the URL and sorts its query
//! parameters, `urlencode` is Java's `URLEncoder.encode(s, "UTF-8")`, and the body digest is only
//! part of the string for POST. Sent as `Authorization: hmacauth <AppName>:<Signature>:<Nonce>:<Timestamp>`
//! with the timestamp in Unix seconds.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use md5::{Digest as _, Md5};
use paysync_core::RandomSource;
use serde_json::{Value, json};
use sha2::Sha256;

use super::state::{DeliveryRecord, IpcnEvent, State};

/// Java's `URLEncoder.encode(s, "UTF-8")`: `A-Z a-z 0-9 . - * _` stay, space becomes `+`, every
/// other UTF-8 byte becomes `%XX` (upper-case hex, or lower-case when `lower_hex`).
pub fn java_url_encode(s: &str, lower_hex: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ if lower_hex => out.push_str(&format!("%{b:02x}")),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Lower-cases a URL and sorts its query parameters (the `normalize` step of the signature).
pub fn normalize_url(url: &str) -> String {
    let lower = url.to_lowercase();
    match lower.split_once('?') {
        None => lower,
        Some((path, query)) => {
            let mut params: Vec<&str> = query.split('&').collect();
            params.sort_unstable();
            format!("{path}?{}", params.join("&"))
        }
    }
}

/// The base64 IPCN signature of one request (pure; see the module docs for the recipe).
pub fn ipcn_signature(
    secret: &str,
    app_name: &str,
    method: &str,
    url: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
) -> String {
    let method = method.to_ascii_uppercase();
    let body_digest = if method == "POST" {
        BASE64.encode(Md5::digest(body))
    } else {
        String::new()
    };
    let encoded_url = java_url_encode(&normalize_url(url), false).to_lowercase();
    let to_sign = format!("{app_name}{method}{encoded_url}{timestamp}{nonce}{body_digest}");
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(to_sign.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// The `Authorization` header value for a signed IPCN.
pub fn authorization_header(app_name: &str, signature: &str, nonce: &str, timestamp: &str) -> String {
    format!("hmacauth {app_name}:{signature}:{nonce}:{timestamp}")
}

/// An IPCN ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub event: IpcnEvent,
    pub url: String,
    pub body: String,
    pub authorization: Option<String>,
}

/// Builds the IPCN for `event` if a receiver is registered for it, signing it when a secret is set.
pub(crate) fn build(
    state: &State,
    rng: &dyn RandomSource,
    now: DateTime<Utc>,
    event: IpcnEvent,
    body: &Value,
) -> Option<Outgoing> {
    let url = state.ipcn.urls.get(&event)?.clone();
    let body = body.to_string();
    let authorization = state.ipcn.secret.as_ref().map(|secret| {
        let timestamp = now.timestamp().to_string();
        let nonce = rng.uuid_v4().simple().to_string();
        let app = &state.ipcn.app_name;
        let signature = ipcn_signature(secret, app, "POST", &url, &timestamp, &nonce, body.as_bytes());
        authorization_header(app, &signature, &nonce, &timestamp)
    });
    Some(Outgoing {
        event,
        url,
        body,
        authorization,
    })
}

/// Sends one IPCN and records the outcome. No retries: Payoneer's retry policy is not public.
pub(crate) async fn send(http: &reqwest::Client, out: Outgoing) -> DeliveryRecord {
    let mut request = http
        .post(&out.url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(out.body.clone());
    if let Some(auth) = &out.authorization {
        request = request.header(reqwest::header::AUTHORIZATION, auth);
    }
    let (status, error) = match request.send().await {
        Ok(response) => (Some(response.status().as_u16()), None),
        Err(e) => (None, Some(e.to_string())),
    };
    DeliveryRecord {
        event: out.event,
        url: out.url,
        body: out.body,
        authorization: out.authorization,
        status,
        error,
    }
}

/// "Payment Request Accepted" body.
pub(crate) fn payment_request_accepted(payee_id: &str, client_reference_id: &str) -> Value {
    json!({ "Payee Id": payee_id, "IntPaymentId": client_reference_id })
}

/// "Cancel Payout" body. Reason description and date are form-encoded with lower-case hex, as in
/// Payoneer's published example (`"Action+cannot+be+performed…"`, `"2022-01-17T20%3a03%3a05Z"`).
pub(crate) fn cancel_payout(
    payee_id: &str,
    client_reference_id: &str,
    reason_code: u32,
    reason_description: &str,
    amount: &str,
    at: DateTime<Utc>,
) -> Value {
    let date = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    json!({
        "Payee Id": payee_id,
        "IntPaymentId": client_reference_id,
        "Reason Code": reason_code.to_string(),
        "Reason Description": java_url_encode(reason_description, true),
        "Payment Amount": amount,
        "Canceled Payment Date": java_url_encode(&date, true),
    })
}

/// "Sent to bank / Account-Card loaded" body.
pub(crate) fn account_loaded(
    payee_id: &str,
    client_reference_id: &str,
    amount: &str,
    currency: &str,
    at: DateTime<Utc>,
) -> Value {
    json!({
        "Payee Id": payee_id,
        "Amount": amount,
        "IntPaymentId": client_reference_id,
        "Currency": currency,
        "Transaction Date": at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    })
}

/// "Approved" body.
pub(crate) fn payee_approved(payee_id: &str, account_id: &str, session_id: &str) -> Value {
    json!({ "Payee Id": payee_id, "Payoneer Id": account_id, "Session Id": session_id })
}

/// "Declined" body.
pub(crate) fn payee_declined(payee_id: &str, account_id: &str, session_id: &str, reason: &str) -> Value {
    json!({
        "Payee Id": payee_id,
        "Payoneer Id": account_id,
        "Session Id": session_id,
        "Reason Description": reason,
    })
}
