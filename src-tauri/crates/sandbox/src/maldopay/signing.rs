//! The configurable callback-signing model proposed in apis.md §5 ("configurable HMAC callback
//! gateway"). MaldoPay publishes no signing scheme (the only public client verifies nothing), so
//! authenticity is configuration: header name, algorithm, encoding, canonical string, optional
//! timestamp header, or none at all.
//!
//! Recipe, for a form body `b`, secret `s` and Unix timestamp `t`:
//! - canonical `RawBody` = `b`; `TimestampDotBody` = `t + "." + b`; `SortedValues` = the decoded
//!   field values ordered by field name, joined by `:`, then `":" + s`.
//! - `HmacSha256` = HMAC-SHA256(key `s`, canonical).
//! - `Sha256Concat` / `Md5Concat` = digest(canonical + `s`); for `SortedValues` the canonical
//!   string already ends with the secret, so it is digested as is.
//! - encoded as lower-case hex or standard base64, sent in `header` (default `X-Signature`);
//!   the timestamp goes in `timestamp_header` when one is set (always for `TimestampDotBody`,
//!   defaulting to `X-Timestamp`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use md5::Md5;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// How the signature is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Algorithm {
    /// No signature (IP allow-listing only, as the public omnipay driver assumes).
    None,
    /// HMAC-SHA256 keyed with the secret.
    HmacSha256,
    /// SHA-256 of canonical + secret.
    Sha256Concat,
    /// MD5 of canonical + secret.
    Md5Concat,
}

/// How the digest is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// Lower-case hex.
    Hex,
    /// Standard base64 with padding.
    Base64,
}

/// What is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Canonical {
    /// The raw form body.
    RawBody,
    /// Field values sorted by field name, joined by `:`, plus `:` + secret.
    SortedValues,
    /// Timestamp + `.` + raw body.
    TimestampDotBody,
}

/// The signing configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CallbackSigning {
    /// Algorithm (`none` sends no signature).
    pub algorithm: Algorithm,
    /// Signature header name.
    pub header: String,
    /// Digest encoding.
    pub encoding: Encoding,
    /// Canonical string.
    pub canonical: Canonical,
    /// Shared secret.
    pub secret: String,
    /// Header carrying the Unix timestamp, if any.
    pub timestamp_header: Option<String>,
    /// How far a receiver should accept the timestamp from its clock (advisory; receivers check).
    pub tolerance_secs: i64,
}

impl Default for CallbackSigning {
    /// apis.md §5's default: HMAC-SHA256, hex, over the raw body, in `X-Signature`.
    fn default() -> Self {
        Self {
            algorithm: Algorithm::HmacSha256,
            header: "X-Signature".to_owned(),
            encoding: Encoding::Hex,
            canonical: Canonical::RawBody,
            secret: "maldopay-sandbox-callback-secret".to_owned(),
            timestamp_header: None,
            tolerance_secs: 300,
        }
    }
}

/// The string that is signed (pure).
pub fn canonical_string(signing: &CallbackSigning, body: &str, timestamp: i64) -> String {
    match signing.canonical {
        Canonical::RawBody => body.to_owned(),
        Canonical::TimestampDotBody => format!("{timestamp}.{body}"),
        Canonical::SortedValues => {
            let mut fields: Vec<(String, String)> = url::form_urlencoded::parse(body.as_bytes())
                .into_owned()
                .collect();
            fields.sort();
            let mut parts: Vec<String> = fields.into_iter().map(|(_, v)| v).collect();
            parts.push(signing.secret.clone());
            parts.join(":")
        }
    }
}

/// The signature of a callback body at `timestamp`, or `None` when signing is off (pure).
pub fn callback_signature(signing: &CallbackSigning, body: &str, timestamp: i64) -> Option<String> {
    let canonical = canonical_string(signing, body, timestamp);
    let concat = || match signing.canonical {
        Canonical::SortedValues => canonical.clone(),
        _ => format!("{canonical}{}", signing.secret),
    };
    let digest: Vec<u8> = match signing.algorithm {
        Algorithm::None => return None,
        Algorithm::HmacSha256 => {
            // HMAC accepts keys of any length, so this cannot fail.
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(signing.secret.as_bytes())
                .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
            mac.update(canonical.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Algorithm::Sha256Concat => Sha256::digest(concat().as_bytes()).to_vec(),
        Algorithm::Md5Concat => Md5::digest(concat().as_bytes()).to_vec(),
    };
    Some(match signing.encoding {
        Encoding::Hex => hex::encode(digest),
        Encoding::Base64 => BASE64.encode(digest),
    })
}

/// The headers to send with a callback body at `timestamp` (signature and timestamp), or none
/// when signing is off (pure).
pub fn signature_headers(signing: &CallbackSigning, body: &str, timestamp: i64) -> Vec<(String, String)> {
    let Some(signature) = callback_signature(signing, body, timestamp) else {
        return Vec::new();
    };
    let mut headers = vec![(signing.header.clone(), signature)];
    let timestamp_header = match (&signing.timestamp_header, signing.canonical) {
        (Some(h), _) => Some(h.clone()),
        (None, Canonical::TimestampDotBody) => Some("X-Timestamp".to_owned()),
        (None, _) => None,
    };
    if let Some(h) = timestamp_header {
        headers.push((h, timestamp.to_string()));
    }
    headers
}
