//! Verifying a webhook's `Stripe-Signature` header (apis.md §2.3): `t=<unix seconds>,v1=<hex>…`,
//! where each `v1` is HMAC-SHA256 over `"<t>.<raw body>"` keyed with an endpoint secret. A
//! delivery is authentic when any `v1` matches any of the secrets Paysync holds (two are held
//! while a secret is rolled) and `t` is within the tolerance of now, in either direction.
//!
//! The header is untrusted input: the parser never panics, bounds what it keeps, and the compare
//! is constant-time (`hmac::Mac::verify_slice`).

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use paysync_core::Secret;
use sha2::Sha256;

/// The header's name.
pub const HEADER: &str = "Stripe-Signature";

/// Stripe's libraries accept a delivery signed at most this many seconds from now.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// More `v1` values than this is not a delivery Stripe would send (one per active secret).
const MAX_SIGNATURES: usize = 8;

/// A SHA-256 HMAC is 32 bytes, 64 hex digits.
const SIGNATURE_LEN: usize = 32;

/// Why a delivery was refused. None of the messages carries a secret or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Stripe-Signature` header.
    #[error("the delivery has no Stripe-Signature header")]
    Missing,
    /// The header is not `t=…,v1=…`.
    #[error("the Stripe-Signature header is malformed: {0}")]
    Malformed(&'static str),
    /// The header has no `v1` signature (only other schemes, e.g. `v0`).
    #[error("the Stripe-Signature header has no v1 signature")]
    NoV1,
    /// `t` is further from now than the tolerance.
    #[error("the delivery was signed {age_secs} s from now, beyond the {tolerance_secs} s tolerance")]
    OutsideTolerance {
        /// Now minus `t`; negative when signed in the future.
        age_secs: i64,
        /// The tolerance.
        tolerance_secs: i64,
    },
    /// No `v1` matches any secret: the body, the timestamp or the secret differ.
    #[error("no signature matches the body with any current signing secret")]
    Mismatch,
    /// There is no secret to check against.
    #[error("no webhook signing secret is configured")]
    NoSecret,
}

/// A parsed `Stripe-Signature` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHeader {
    /// `t`: when Stripe signed the delivery (Unix seconds).
    pub timestamp: i64,
    /// Every well-formed `v1` value, decoded.
    pub v1: Vec<[u8; SIGNATURE_LEN]>,
}

impl SignatureHeader {
    /// Parses the header. Unknown schemes (`v0`, future ones) are ignored, as Stripe's libraries
    /// do; a `v1` that is not 64 hex digits cannot match and is skipped; exactly one `t` is required.
    pub fn parse(header: &str) -> Result<Self, SignatureError> {
        let mut timestamp = None;
        let mut v1 = Vec::new();
        for part in header.split(',') {
            let Some((key, value)) = part.trim().split_once('=') else {
                return Err(SignatureError::Malformed("an element is not key=value"));
            };
            match key {
                "t" => {
                    if timestamp.is_some() {
                        return Err(SignatureError::Malformed("more than one timestamp"));
                    }
                    let t = value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed("the timestamp is not a number"))?;
                    timestamp = Some(t);
                }
                "v1" => {
                    let mut bytes = [0u8; SIGNATURE_LEN];
                    if hex::decode_to_slice(value, &mut bytes).is_ok() {
                        if v1.len() == MAX_SIGNATURES {
                            return Err(SignatureError::Malformed("too many signatures"));
                        }
                        v1.push(bytes);
                    }
                }
                _ => {}
            }
        }
        let timestamp = timestamp.ok_or(SignatureError::Malformed("no timestamp"))?;
        if v1.is_empty() {
            return Err(SignatureError::NoV1);
        }
        Ok(Self { timestamp, v1 })
    }
}

/// Checks a delivery: `header` is the `Stripe-Signature` value (`None` when absent), `body` the
/// raw bytes exactly as received, `secrets` the endpoint's current signing secrets. Returns the
/// signing time on success.
pub fn verify(
    header: Option<&str>,
    body: &[u8],
    secrets: &[Secret<String>],
    now: DateTime<Utc>,
    tolerance_secs: i64,
) -> Result<i64, SignatureError> {
    let header = SignatureHeader::parse(header.ok_or(SignatureError::Missing)?)?;
    if secrets.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let age_secs = now.timestamp().saturating_sub(header.timestamp);
    if age_secs.saturating_abs() > tolerance_secs {
        return Err(SignatureError::OutsideTolerance {
            age_secs,
            tolerance_secs,
        });
    }
    let timestamp = header.timestamp.to_string();
    for secret in secrets {
        let Ok(mac) = Hmac::<Sha256>::new_from_slice(secret.expose().as_bytes()) else {
            continue;
        };
        let mut mac = mac;
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        // Every signature is compared, each in constant time; the loop's length depends only
        // on how many there are, which the header already shows.
        let mut matched = false;
        for signature in &header.v1 {
            matched |= mac.clone().verify_slice(signature).is_ok();
        }
        if matched {
            return Ok(header.timestamp);
        }
    }
    Err(SignatureError::Mismatch)
}

/// Signs `body` at `timestamp` with `secret` the way Stripe does; for tests and the receiver's
/// self-check.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm cannot be reached.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    const SECRET: &str = "whsec_current_0123456789";
    const OLD_SECRET: &str = "whsec_previous_9876543210";
    const BODY: &[u8] = br#"{"id":"evt_1","object":"event","type":"charge.succeeded"}"#;

    fn now() -> DateTime<Utc> {
        Utc.timestamp_opt(1_763_700_000, 0).single().unwrap_or_default()
    }

    fn secrets(values: &[&str]) -> Vec<Secret<String>> {
        values.iter().map(|s| Secret::new((*s).to_owned())).collect()
    }

    fn header(t: i64, signers: &[&str], body: &[u8]) -> String {
        let mut h = format!("t={t}");
        for s in signers {
            h.push_str(&format!(",v1={}", sign(s, t, body)));
        }
        h
    }

    fn check(header: Option<&str>, body: &[u8]) -> Result<i64, SignatureError> {
        verify(header, body, &secrets(&[SECRET]), now(), DEFAULT_TOLERANCE_SECS)
    }

    #[test]
    fn a_valid_delivery_is_accepted() {
        let t = now().timestamp() - 10;
        assert_eq!(check(Some(&header(t, &[SECRET], BODY)), BODY), Ok(t));
    }

    #[test]
    fn a_tampered_body_is_refused() {
        let h = header(now().timestamp(), &[SECRET], BODY);
        let tampered = br#"{"id":"evt_1","object":"event","type":"charge.refunded"}"#;
        assert_eq!(check(Some(&h), tampered), Err(SignatureError::Mismatch));
        // One byte of whitespace is a different body: the raw bytes are signed, not the JSON.
        let mut spaced = BODY.to_vec();
        spaced.push(b'\n');
        assert_eq!(check(Some(&h), &spaced), Err(SignatureError::Mismatch));
    }

    #[test]
    fn a_tampered_timestamp_is_refused() {
        let t = now().timestamp() - 10;
        let signed = sign(SECRET, t, BODY);
        let moved = format!("t={},v1={signed}", t + 1);
        assert_eq!(check(Some(&moved), BODY), Err(SignatureError::Mismatch));
    }

    #[test]
    fn a_delivery_signed_too_long_ago_is_refused() {
        let t = now().timestamp() - 301;
        assert_eq!(
            check(Some(&header(t, &[SECRET], BODY)), BODY),
            Err(SignatureError::OutsideTolerance {
                age_secs: 301,
                tolerance_secs: 300
            })
        );
        // The edge itself is inside.
        let edge = now().timestamp() - 300;
        assert_eq!(check(Some(&header(edge, &[SECRET], BODY)), BODY), Ok(edge));
    }

    #[test]
    fn a_delivery_signed_in_the_future_is_refused() {
        let t = now().timestamp() + 301;
        assert!(matches!(
            check(Some(&header(t, &[SECRET], BODY)), BODY),
            Err(SignatureError::OutsideTolerance { age_secs: -301, .. })
        ));
    }

    #[test]
    fn any_of_two_v1_signatures_may_match() {
        let t = now().timestamp();
        // Stripe signs with the new and the old secret while a secret is rolled; Paysync may hold
        // either one.
        let both = header(t, &[OLD_SECRET, SECRET], BODY);
        assert_eq!(check(Some(&both), BODY), Ok(t));
        let wrong_first = format!("t={t},v1={},v1={}", "0".repeat(64), sign(SECRET, t, BODY));
        assert_eq!(check(Some(&wrong_first), BODY), Ok(t));
    }

    #[test]
    fn both_held_secrets_are_tried_during_a_roll() {
        let t = now().timestamp();
        let held = secrets(&[SECRET, OLD_SECRET]);
        let by_old = header(t, &[OLD_SECRET], BODY);
        assert_eq!(verify(Some(&by_old), BODY, &held, now(), 300), Ok(t));
        // After the roll only the new secret is held: the old one's signature is refused.
        assert_eq!(
            verify(Some(&by_old), BODY, &secrets(&[SECRET]), now(), 300),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn a_missing_or_unsigned_header_is_refused() {
        assert_eq!(check(None, BODY), Err(SignatureError::Missing));
        let t = now().timestamp();
        assert_eq!(check(Some(&format!("t={t}")), BODY), Err(SignatureError::NoV1));
        let v0_only = format!("t={t},v0={}", sign(SECRET, t, BODY));
        assert_eq!(check(Some(&v0_only), BODY), Err(SignatureError::NoV1));
        assert_eq!(
            check(Some(""), BODY),
            Err(SignatureError::Malformed("an element is not key=value"))
        );
        assert_eq!(
            check(Some(&format!("v1={}", sign(SECRET, t, BODY))), BODY),
            Err(SignatureError::Malformed("no timestamp"))
        );
        assert_eq!(
            check(Some(&format!("t=12,t={t},v1={}", sign(SECRET, t, BODY))), BODY),
            Err(SignatureError::Malformed("more than one timestamp"))
        );
        assert_eq!(
            check(Some("t=soon,v1=00"), BODY),
            Err(SignatureError::Malformed("the timestamp is not a number"))
        );
    }

    #[test]
    fn no_secret_means_no_delivery_is_trusted() {
        let t = now().timestamp();
        assert_eq!(
            verify(Some(&header(t, &[SECRET], BODY)), BODY, &[], now(), 300),
            Err(SignatureError::NoSecret)
        );
    }

    #[test]
    fn errors_never_show_a_signature_or_a_secret() {
        let t = now().timestamp();
        let signed = sign(SECRET, t, BODY);
        let tampered = check(Some(&format!("t={t},v1={signed}")), b"other");
        let text = format!(
            "{:?} {}",
            tampered,
            tampered.clone().err().map(|e| e.to_string()).unwrap_or_default()
        );
        assert!(!text.contains(&signed) && !text.contains(SECRET), "{text}");
    }

    #[test]
    fn the_simulator_and_the_verifier_agree() {
        let t = now().timestamp();
        let h = paysync_sandbox::stripe::signature_header(&[SECRET, OLD_SECRET], t, BODY);
        assert_eq!(check(Some(&h), BODY), Ok(t));
    }

    proptest! {
        #[test]
        fn the_parser_never_panics(header in ".{0,300}") {
            let _ = SignatureHeader::parse(&header);
        }

        #[test]
        fn any_change_to_a_signed_body_is_caught(
            body in proptest::collection::vec(any::<u8>(), 0..256),
            flip in any::<prop::sample::Index>(),
            bit in 0u8..8,
        ) {
            let t = now().timestamp();
            let h = header(t, &[SECRET], &body);
            prop_assert_eq!(check(Some(&h), &body), Ok(t));
            if !body.is_empty() {
                let mut changed = body.clone();
                let i = flip.index(changed.len());
                changed[i] ^= 1 << bit;
                prop_assert_eq!(check(Some(&h), &changed), Err(SignatureError::Mismatch));
            }
        }
    }
}
