//! IPCN authentication and bodies.

use chrono::{DateTime, Utc};
use paysync_core::Secret;

use super::*;

const SECRET: &str = "sandbox-ipcn-secret";
const APP: &str = "Webhook-IPCNSender-sandbox";
const URL: &str = "http://127.0.0.1:8080/IPCN/Cancel?b=2&A=1";
const BODY: &[u8] = br#"{"Payee Id":"p-1","IntPaymentId":"ref-1"}"#;
const T: &str = "1767225600";

fn at(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

fn secrets(values: &[&str]) -> Vec<Secret<String>> {
    values.iter().map(|s| Secret::new((*s).to_owned())).collect()
}

fn header(signature: &str, nonce: &str, timestamp: &str) -> String {
    format!("hmacauth {APP}:{signature}:{nonce}:{timestamp}")
}

/// A vector computed outside Rust (Python `hmac`/`hashlib`/`base64` and a hand-written Java
/// `URLEncoder`), not by this code.
#[test]
fn the_signature_matches_a_vector_computed_elsewhere() {
    assert_eq!(
        sign(SECRET, APP, "POST", URL, T, "abc123", BODY),
        "unSd9TWulBULR9IhMXRPrwy3hnH1PAyyeh73TwEnwlw="
    );
    assert_eq!(
        sign(SECRET, APP, "get", URL, T, "abc123", BODY),
        "HCsu0D7CKYNxUws5UgruO4a+3921IR5jFQvugZg4bGc="
    );
}

#[test]
fn an_authentic_delivery_passes_with_either_secret_during_a_roll() {
    let signature = sign(SECRET, APP, "POST", URL, T, "n-1", BODY);
    let now = at(1_767_225_700);
    let h = header(&signature, "n-1", T);
    assert_eq!(
        verify(Some(&h), "POST", URL, BODY, &secrets(&[SECRET]), now, 300),
        Ok(())
    );
    assert_eq!(
        verify(
            Some(&h),
            "POST",
            URL,
            BODY,
            &secrets(&["new-secret", SECRET]),
            now,
            300
        ),
        Ok(())
    );
    // The query's order and the URL's case do not matter; they are normalised before signing.
    let reordered = "http://127.0.0.1:8080/ipcn/cancel?A=1&b=2";
    assert_eq!(
        verify(Some(&h), "POST", reordered, BODY, &secrets(&[SECRET]), now, 300),
        Ok(())
    );
    // Milliseconds are read as such.
    let millis = "1767225600000";
    let signature = sign(SECRET, APP, "POST", URL, millis, "n-1", BODY);
    let h = header(&signature, "n-1", millis);
    assert_eq!(
        verify(Some(&h), "POST", URL, BODY, &secrets(&[SECRET]), now, 300),
        Ok(())
    );
}

#[test]
fn tampering_staleness_and_strangers_are_refused() {
    let signature = sign(SECRET, APP, "POST", URL, T, "n-1", BODY);
    let h = header(&signature, "n-1", T);
    let now = at(1_767_225_600);
    let ok = secrets(&[SECRET]);
    let refused = |header: Option<&str>, url: &str, body: &[u8], keys: &[Secret<String>], now| {
        verify(header, "POST", url, body, keys, now, 300)
    };
    assert_eq!(
        refused(Some(&h), URL, b"{}", &ok, now),
        Err(IpcnAuthError::Mismatch)
    );
    assert_eq!(
        refused(Some(&h), "http://127.0.0.1:8080/ipcn/other", BODY, &ok, now),
        Err(IpcnAuthError::Mismatch)
    );
    assert_eq!(
        refused(Some(&h), URL, BODY, &secrets(&["other"]), now),
        Err(IpcnAuthError::Mismatch)
    );
    assert_eq!(
        refused(Some(&h), URL, BODY, &[], now),
        Err(IpcnAuthError::NoSecret)
    );
    assert_eq!(refused(None, URL, BODY, &ok, now), Err(IpcnAuthError::Missing));
    assert!(matches!(
        refused(Some(&h), URL, BODY, &ok, at(1_767_225_901)),
        Err(IpcnAuthError::OutsideTolerance { age_secs: 301, .. })
    ));
    assert!(matches!(
        refused(Some(&h), URL, BODY, &ok, at(1_767_225_299)),
        Err(IpcnAuthError::OutsideTolerance { age_secs: -301, .. })
    ));
    // Another nonce or timestamp than the one signed.
    let h2 = header(&signature, "n-2", T);
    assert_eq!(
        refused(Some(&h2), URL, BODY, &ok, now),
        Err(IpcnAuthError::Mismatch)
    );
    let stranger = format!("hmacauth Someone-Else:{signature}:n-1:{T}");
    assert_eq!(
        refused(Some(&stranger), URL, BODY, &ok, now),
        Err(IpcnAuthError::UnknownSender)
    );
    for bad in [
        "",
        "hmacauth",
        "Bearer abc",
        "hmacauth a:b:c",
        "hmacauth Webhook-IPCNSender-sandbox:!!:n:1",
        "hmacauth Webhook-IPCNSender-sandbox:AAAA:n:1",
        "hmacauth Webhook-IPCNSender-sandbox:unSd9TWulBULR9IhMXRPrwy3hnH1PAyyeh73TwEnwlw=::1",
    ] {
        assert!(
            matches!(
                refused(Some(bad), URL, BODY, &ok, now),
                Err(IpcnAuthError::Malformed(_))
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn bodies_are_read_with_their_encoded_values_decoded() {
    let body = br#"{"Payee Id":"p-1","IntPaymentId":"b1-7","Reason Code":"10005","Reason Description":"Bank+account+closed%2c+ask+the+payee","Payment Amount":"12.50","Canceled Payment Date":"2022-01-17T20%3a03%3a05Z"}"#;
    let notice = decode(IpcnKind::PayoutCancelled, body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(notice.client_reference_id.as_deref(), Some("b1-7"));
    assert_eq!(notice.reason_code.as_deref(), Some("10005"));
    assert_eq!(
        notice.reason_description.as_deref(),
        Some("Bank account closed, ask the payee")
    );
    assert_eq!(notice.amount.as_deref(), Some("12.50"));

    let loaded = br#"{"Payee Id":"p-1","Amount":"10.00","IntPaymentId":"b1-8","Currency":"EUR","Transaction Date":"2026-11-22T10:00:00Z"}"#;
    let notice = decode(IpcnKind::AccountLoaded, loaded).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(notice.currency.as_deref(), Some("EUR"));
    assert_eq!(notice.amount.as_deref(), Some("10.00"));

    let approved = br#"{"Payee Id":"ps-003","Payoneer Id":"9000001","Session Id":"s"}"#;
    let notice = decode(IpcnKind::PayeeApproved, approved).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(notice.account_id.as_deref(), Some("9000001"));
    assert_eq!(notice.client_reference_id, None);
}

#[test]
fn bodies_without_what_their_kind_needs_are_refused_with_the_field_named() {
    assert_eq!(
        decode(IpcnKind::AccountLoaded, br#"{"Payee Id":"p-1"}"#),
        Err(IpcnDecodeError::Missing("IntPaymentId"))
    );
    assert_eq!(
        decode(IpcnKind::PayeeApproved, br#"{"IntPaymentId":"x"}"#),
        Err(IpcnDecodeError::Missing("Payee Id"))
    );
    assert_eq!(
        decode(IpcnKind::PayeeApproved, b"[1]"),
        Err(IpcnDecodeError::NotAnObject)
    );
    assert_eq!(
        decode(IpcnKind::PayeeApproved, b"\xff"),
        Err(IpcnDecodeError::NotAnObject)
    );
}

#[test]
fn kinds_round_trip_through_their_paths_and_event_ids_are_stable() {
    for kind in IpcnKind::ALL {
        assert_eq!(IpcnKind::from_path_segment(kind.path_segment()), Some(kind));
    }
    assert_eq!(IpcnKind::from_path_segment("stripe"), None);
    let a = event_id(IpcnKind::AccountLoaded, BODY);
    assert_eq!(a, event_id(IpcnKind::AccountLoaded, BODY));
    assert_ne!(a, event_id(IpcnKind::PayoutCancelled, BODY));
    assert_ne!(a, event_id(IpcnKind::AccountLoaded, b"{}"));
    assert!(a.starts_with("account-loaded:"));
}

proptest::proptest! {
    /// Any header and body are refused or accepted without a panic; acceptance means the true
    /// signature.
    #[test]
    fn untrusted_headers_never_panic(header in ".{0,200}", body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64)) {
        let ok = verify(Some(&header), "POST", URL, &body, &secrets(&[SECRET]), at(1_767_225_600), 300);
        proptest::prop_assert!(ok.is_err());
        let _ = decode(IpcnKind::PayoutCancelled, &body);
    }
}
