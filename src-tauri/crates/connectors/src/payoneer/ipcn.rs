//! Payoneer's IPCNs (Instant Payment Confirmation Notifications, apis.md §4): one receiver URL per
//! event type, JSON bodies with space-containing keys whose values may be form-encoded, and, when
//! Payoneer provisions HMAC for the program, an `Authorization` header:
//!
//! `hmacauth <AppName>:<Signature>:<Nonce>:<Timestamp>`, where `Signature` is
//! `base64(HMAC-SHA256(secret, AppName + METHOD + lower(urlencode(normalize(url))) + Timestamp +
//! Nonce + base64(MD5(body))))`, `normalize` lower-cases the URL and sorts its query parameters,
//! and `urlencode` is form encoding (Java's `URLEncoder`). The body digest is part of it only for
//! POST. Source: go-payoneer `webhooks.go` `ComputeSignature`, whose author checked it against a
//! real sandbox delivery.
//!
//! Paysync treats an IPCN as a reason to look, never as the truth: the payouts flow asks the
//! payout's status by `client_reference_id` before anything changes. Everything here parses
//! untrusted input: nothing panics, sizes are bounded, the compare is constant-time.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use md5::{Digest as _, Md5};
use paysync_core::Secret;
use serde_json::{Map, Value};
use sha2::Sha256;

/// The header the signature arrives in.
pub const HEADER: &str = "Authorization";

/// The scheme word that starts the header.
const SCHEME: &str = "hmacauth";

/// The `AppName` of Payoneer's IPCN sender, followed by `sandbox` or `production`.
pub const APP_NAME_PREFIX: &str = "Webhook-IPCNSender-";

/// Payoneer does not publish a tolerance; Stripe's five minutes bounds how long a captured
/// delivery can be replayed without refusing deliveries from a slightly skewed clock.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Timestamps above this are milliseconds (second-precision values pass it only in 5138).
const MILLIS_ABOVE: i64 = 100_000_000_000;

/// A nonce or app name longer than this is not Payoneer's.
const MAX_PART: usize = 256;

/// A SHA-256 HMAC is 32 bytes.
const SIGNATURE_LEN: usize = 32;

/// The event types Paysync receives, each at its own path under `/webhooks/payoneer/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IpcnKind {
    /// "Payment Request Accepted": a payout was accepted.
    PaymentAccepted,
    /// "Cancel Payout": a payout was cancelled or failed, with a reason code.
    PayoutCancelled,
    /// "Sent to bank / Account-Card loaded": a payout was transferred.
    AccountLoaded,
    /// "Approved": a payee finished registration and can be paid.
    PayeeApproved,
    /// "Declined": a payee's registration was declined, with a reason.
    PayeeDeclined,
}

impl IpcnKind {
    /// Every kind, in the order the README lists their URLs.
    pub const ALL: [Self; 5] = [
        Self::PaymentAccepted,
        Self::PayoutCancelled,
        Self::AccountLoaded,
        Self::PayeeApproved,
        Self::PayeeDeclined,
    ];

    /// The last path segment of its receiver URL.
    pub fn path_segment(self) -> &'static str {
        match self {
            Self::PaymentAccepted => "payment-accepted",
            Self::PayoutCancelled => "payout-cancelled",
            Self::AccountLoaded => "account-loaded",
            Self::PayeeApproved => "payee-approved",
            Self::PayeeDeclined => "payee-declined",
        }
    }

    /// The kind served at `segment`, if any.
    pub fn from_path_segment(segment: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.path_segment() == segment)
    }

    /// Whether the notice is about one payout (and names its `client_reference_id`).
    pub fn is_about_a_payout(self) -> bool {
        matches!(
            self,
            Self::PaymentAccepted | Self::PayoutCancelled | Self::AccountLoaded
        )
    }
}

/// Why a delivery's authentication was refused. No message carries a secret or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpcnAuthError {
    /// No `Authorization` header.
    #[error("the IPCN has no Authorization header")]
    Missing,
    /// The header is not `hmacauth App:Signature:Nonce:Timestamp`.
    #[error("the IPCN's Authorization header is malformed: {0}")]
    Malformed(&'static str),
    /// The app name is not Payoneer's IPCN sender.
    #[error("the IPCN's app name is not {APP_NAME_PREFIX}sandbox or …production")]
    UnknownSender,
    /// The timestamp is further from now than the tolerance.
    #[error("the IPCN was signed {age_secs} s from now, beyond the {tolerance_secs} s tolerance")]
    OutsideTolerance {
        /// Now minus the timestamp; negative when signed in the future.
        age_secs: i64,
        /// The tolerance.
        tolerance_secs: i64,
    },
    /// The signature does not match with any secret: the body, URL, timestamp or secret differ.
    #[error("the IPCN's signature matches no current secret")]
    Mismatch,
    /// There is no secret to check against.
    #[error("no Payoneer IPCN secret is configured")]
    NoSecret,
}

/// A parsed `Authorization: hmacauth …` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HmacAuth {
    /// `AppName`.
    pub app_name: String,
    /// The decoded signature.
    pub signature: [u8; SIGNATURE_LEN],
    /// The nonce, as sent.
    pub nonce: String,
    /// The timestamp, as sent (it is signed as text).
    pub timestamp: String,
}

impl HmacAuth {
    /// Parses the header value.
    pub fn parse(header: &str) -> Result<Self, IpcnAuthError> {
        let (scheme, rest) = header
            .trim()
            .split_once(' ')
            .ok_or(IpcnAuthError::Malformed("no scheme"))?;
        if !scheme.eq_ignore_ascii_case(SCHEME) {
            return Err(IpcnAuthError::Malformed("the scheme is not hmacauth"));
        }
        let parts: Vec<&str> = rest.trim().split(':').collect();
        let [app_name, signature, nonce, timestamp] = parts.as_slice() else {
            return Err(IpcnAuthError::Malformed("not App:Signature:Nonce:Timestamp"));
        };
        if app_name.len() > MAX_PART || nonce.len() > MAX_PART || timestamp.len() > 20 {
            return Err(IpcnAuthError::Malformed("a part is too long"));
        }
        if nonce.is_empty() || timestamp.is_empty() {
            return Err(IpcnAuthError::Malformed("an empty nonce or timestamp"));
        }
        let decoded = BASE64
            .decode(signature.as_bytes())
            .map_err(|_| IpcnAuthError::Malformed("the signature is not base64"))?;
        let signature: [u8; SIGNATURE_LEN] = decoded
            .try_into()
            .map_err(|_| IpcnAuthError::Malformed("the signature is not 32 bytes"))?;
        Ok(Self {
            app_name: (*app_name).to_owned(),
            signature,
            nonce: (*nonce).to_owned(),
            timestamp: (*timestamp).to_owned(),
        })
    }

    /// When it was signed.
    fn signed_at(&self) -> Result<i64, IpcnAuthError> {
        let t = self
            .timestamp
            .parse::<i64>()
            .map_err(|_| IpcnAuthError::Malformed("the timestamp is not a number"))?;
        Ok(if t > MILLIS_ABOVE { t / 1000 } else { t })
    }
}

/// Lower-cases a URL and sorts its query parameters.
fn normalize_url(url: &str) -> String {
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

/// The text the signature is computed over.
fn string_to_sign(
    app_name: &str,
    method: &str,
    url: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
) -> String {
    let method = method.to_ascii_uppercase();
    let digest = if method == "POST" {
        BASE64.encode(Md5::digest(body))
    } else {
        String::new()
    };
    let encoded: String = url::form_urlencoded::byte_serialize(normalize_url(url).as_bytes()).collect();
    format!(
        "{app_name}{method}{}{timestamp}{nonce}{digest}",
        encoded.to_lowercase()
    )
}

fn mac(secret: &str) -> Hmac<Sha256> {
    // HMAC takes a key of any length; the error branch cannot happen.
    <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
}

/// The base64 signature Payoneer would send for this delivery (for tests and fixtures).
pub fn sign(
    secret: &str,
    app_name: &str,
    method: &str,
    url: &str,
    timestamp: &str,
    nonce: &str,
    body: &[u8],
) -> String {
    let mut mac = mac(secret);
    mac.update(string_to_sign(app_name, method, url, timestamp, nonce, body).as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// Checks a delivery: `authorization` is the header (`None` if absent), `method` and `url` as
/// Payoneer called them (the URL registered with Payoneer, with its query), `body` the raw bytes.
/// Any of `secrets` may match (two are held while a secret is rolled).
pub fn verify(
    authorization: Option<&str>,
    method: &str,
    url: &str,
    body: &[u8],
    secrets: &[Secret<String>],
    now: DateTime<Utc>,
    tolerance_secs: i64,
) -> Result<(), IpcnAuthError> {
    let header = authorization.ok_or(IpcnAuthError::Missing)?;
    let auth = HmacAuth::parse(header)?;
    if !auth.app_name.starts_with(APP_NAME_PREFIX) {
        return Err(IpcnAuthError::UnknownSender);
    }
    let age_secs = now.timestamp().saturating_sub(auth.signed_at()?);
    if age_secs.saturating_abs() > tolerance_secs {
        return Err(IpcnAuthError::OutsideTolerance {
            age_secs,
            tolerance_secs,
        });
    }
    if secrets.is_empty() {
        return Err(IpcnAuthError::NoSecret);
    }
    let text = string_to_sign(&auth.app_name, method, url, &auth.timestamp, &auth.nonce, body);
    let matched = secrets.iter().any(|secret| {
        let mut mac = mac(secret.expose());
        mac.update(text.as_bytes());
        mac.verify_slice(&auth.signature).is_ok()
    });
    if matched {
        Ok(())
    } else {
        Err(IpcnAuthError::Mismatch)
    }
}

/// Why an authentic body could not be read. The field is named.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpcnDecodeError {
    /// Not a JSON object.
    #[error("the IPCN body is not a JSON object")]
    NotAnObject,
    /// A field this kind must carry is missing or empty.
    #[error("the IPCN has no {0:?}")]
    Missing(&'static str),
}

/// What one IPCN says. Values are form-decoded (`+` and `%xx`), as Payoneer may encode them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpcnNotice {
    /// Its type.
    pub kind: IpcnKind,
    /// `Payee Id`.
    pub payee_id: String,
    /// `IntPaymentId`: the payout's `client_reference_id`, for payout notices.
    pub client_reference_id: Option<String>,
    /// `Reason Code`, for cancellations.
    pub reason_code: Option<String>,
    /// `Reason Description`.
    pub reason_description: Option<String>,
    /// `Payment Amount` or `Amount`, as text.
    pub amount: Option<String>,
    /// `Currency`.
    pub currency: Option<String>,
    /// `Payoneer Id`, for payee notices.
    pub account_id: Option<String>,
}

fn form_decode(value: &str) -> String {
    let spaced = value.replace('+', " ");
    percent_encoding::percent_decode_str(&spaced)
        .decode_utf8_lossy()
        .into_owned()
}

fn field(body: &Map<String, Value>, key: &'static str) -> Option<String> {
    let value = match body.get(key)? {
        Value::String(s) => form_decode(s),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// Reads an authentic IPCN body of `kind`.
pub fn decode(kind: IpcnKind, body: &[u8]) -> Result<IpcnNotice, IpcnDecodeError> {
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) else {
        return Err(IpcnDecodeError::NotAnObject);
    };
    let payee_id = field(&map, "Payee Id").ok_or(IpcnDecodeError::Missing("Payee Id"))?;
    let client_reference_id = field(&map, "IntPaymentId");
    if kind.is_about_a_payout() && client_reference_id.is_none() {
        return Err(IpcnDecodeError::Missing("IntPaymentId"));
    }
    Ok(IpcnNotice {
        kind,
        payee_id,
        client_reference_id,
        reason_code: field(&map, "Reason Code"),
        reason_description: field(&map, "Reason Description"),
        amount: field(&map, "Payment Amount").or_else(|| field(&map, "Amount")),
        currency: field(&map, "Currency"),
        account_id: field(&map, "Payoneer Id"),
    })
}

/// The id an IPCN is deduplicated by: Payoneer sends no event id, so it is the kind and a digest
/// of the raw body (a redelivery is byte-identical; two different events differ in their body).
pub fn event_id(kind: IpcnKind, body: &[u8]) -> String {
    let digest = sha2::Sha256::digest(body);
    format!("{}:{}", kind.path_segment(), hex::encode(&digest[..16]))
}

#[cfg(test)]
mod tests;
