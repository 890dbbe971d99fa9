//! IPCN signatures (fixed vectors) and signed deliveries end to end.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use md5::{Digest as _, Md5};
use serde_json::{Value, json};
use sha2::Sha256;

use super::{Fixture, Receiver, dec};
use crate::payoneer::ipcn::{ipcn_signature, java_url_encode, normalize_url};
use crate::payoneer::{IpcnConfig, IpcnEvent, Scope};

const SECRET: &str = "sandbox-ipcn-secret";
const APP: &str = "Webhook-IPCNSender-sandbox";

/// Vectors computed outside Rust (Python `hmac`/`hashlib`/`base64`, a hand-written Java
/// `URLEncoder`), for url `http://127.0.0.1:8080/IPCN/Cancel?b=2&A=1`, timestamp `1767225600`,
/// nonce `abc123` and body `{"Payee Id":"p-1","IntPaymentId":"ref-1"}`.
#[test]
fn signature_matches_fixed_vectors() {
    let url = "http://127.0.0.1:8080/IPCN/Cancel?b=2&A=1";
    let body = br#"{"Payee Id":"p-1","IntPaymentId":"ref-1"}"#;
    assert_eq!(
        java_url_encode(&normalize_url(url), false).to_lowercase(),
        "http%3a%2f%2f127.0.0.1%3a8080%2fipcn%2fcancel%3fa%3d1%26b%3d2"
    );
    assert_eq!(
        ipcn_signature(SECRET, APP, "POST", url, "1767225600", "abc123", body),
        "unSd9TWulBULR9IhMXRPrwy3hnH1PAyyeh73TwEnwlw="
    );
    // No body digest for GET.
    assert_eq!(
        ipcn_signature(SECRET, APP, "get", url, "1767225600", "abc123", body),
        "HCsu0D7CKYNxUws5UgruO4a+3921IR5jFQvugZg4bGc="
    );
    // Java's URLEncoder quirks: '*' kept, '~' encoded, space as '+'.
    assert_eq!(java_url_encode("a*b~c d", false), "a*b%7Ec+d");
    assert_eq!(java_url_encode("20:03", true), "20%3a03");
}

/// Recomputes a signature step by step with the hash crates directly.
fn independent_signature(url: &str, timestamp: &str, nonce: &str, body: &[u8]) -> String {
    let lower = url.to_lowercase();
    let normalized = match lower.split_once('?') {
        Some((path, query)) => {
            let mut params: Vec<&str> = query.split('&').collect();
            params.sort_unstable();
            format!("{path}?{}", params.join("&"))
        }
        None => lower,
    };
    // form_urlencoded differs from Java only on '*' and '~', which these URLs do not contain.
    let encoded: String = url::form_urlencoded::byte_serialize(normalized.as_bytes()).collect();
    let digest = BASE64.encode(Md5::digest(body));
    let to_sign = format!("{APP}POST{}{timestamp}{nonce}{digest}", encoded.to_lowercase());
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(SECRET.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    mac.update(to_sign.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

fn item(reference: &str, payee: &str) -> Value {
    json!({"client_reference_id": reference, "payee_id": payee, "amount": 5.1, "currency": "USD",
           "description": "IPCN test"})
}

#[tokio::test]
async fn payout_ipcns_are_signed_and_carry_the_documented_bodies() {
    let f = Fixture::start().await;
    let receiver = Receiver::start().await;
    let url_for = |name: &str| format!("{}/IPCN/{name}?z=1&a=2", receiver.base);
    let mut urls = BTreeMap::new();
    urls.insert(IpcnEvent::PaymentRequestAccepted, url_for("Accepted"));
    urls.insert(IpcnEvent::AccountLoaded, url_for("Loaded"));
    urls.insert(IpcnEvent::CancelPayout, url_for("Cancel"));
    f.sim.set_ipcn(IpcnConfig {
        app_name: APP.into(),
        secret: Some(SECRET.into()),
        urls,
    });
    f.payee("good", "USD");
    f.failing_payee("bad-bank");
    f.sim.set_balance("USD", dec("100"));
    let (status, _) = f
        .post(
            "/masspayouts",
            &json!({"Payments": [item("ok", "good"), item("ko", "bad-bank")]}),
        )
        .await;
    assert_eq!(status, 200);
    receiver.wait_for(2).await;
    f.sim.settle_now(Scope::All).await;
    let got = receiver.wait_for(4).await;

    for received in &got {
        let auth = received.header("authorization").unwrap_or_default();
        let rest = auth
            .strip_prefix("hmacauth ")
            .unwrap_or_else(|| panic!("scheme: {auth}"));
        let parts: Vec<&str> = rest.split(':').collect();
        assert_eq!(parts.len(), 4, "{auth}");
        let (app, signature, nonce, timestamp) = (parts[0], parts[1], parts[2], parts[3]);
        assert_eq!(app, APP);
        assert_eq!(timestamp, f.now().timestamp().to_string());
        let name = received.path.trim_start_matches("/IPCN/");
        let url = url_for(name);
        assert_eq!(
            signature,
            independent_signature(&url, timestamp, nonce, received.body.as_bytes())
        );
        assert_eq!(
            signature,
            ipcn_signature(
                SECRET,
                APP,
                "POST",
                &url,
                timestamp,
                nonce,
                received.body.as_bytes()
            )
        );
    }
    let by_path = |path: &str| -> Vec<Value> {
        got.iter()
            .filter(|r| r.path == path)
            .map(|r| serde_json::from_str(&r.body).unwrap_or_default())
            .collect()
    };
    let accepted = by_path("/IPCN/Accepted");
    assert_eq!(accepted.len(), 2);
    assert!(accepted.contains(&json!({"Payee Id": "good", "IntPaymentId": "ok"})));
    assert_eq!(
        by_path("/IPCN/Loaded"),
        vec![
            json!({"Payee Id": "good", "Amount": "5.10", "IntPaymentId": "ok", "Currency": "USD",
                    "Transaction Date": "2026-01-01T00:00:00Z"})
        ]
    );
    assert_eq!(
        by_path("/IPCN/Cancel"),
        vec![
            json!({"Payee Id": "bad-bank", "IntPaymentId": "ko", "Reason Code": "30013",
                    "Reason Description": "Bank+details+-+Invalid+Branch+Code", "Payment Amount": "5.10",
                    "Canceled Payment Date": "2026-01-01T00%3a00%3a00Z"})
        ]
    );
    let deliveries = f.sim.deliveries();
    assert_eq!(deliveries.len(), 4);
    assert!(deliveries.iter().all(|d| d.status == Some(200)));
    f.stop().await;
}

#[tokio::test]
async fn without_a_secret_ipcns_are_unsigned() {
    let f = Fixture::start().await;
    let receiver = Receiver::start().await;
    let mut urls = BTreeMap::new();
    urls.insert(
        IpcnEvent::PaymentRequestAccepted,
        format!("{}/accepted", receiver.base),
    );
    f.sim.set_ipcn(IpcnConfig {
        urls,
        ..IpcnConfig::default()
    });
    f.payee("good", "USD");
    f.sim.set_balance("USD", dec("100"));
    let (status, _) = f
        .post("/masspayouts", &json!({"Payments": [item("u-1", "good")]}))
        .await;
    assert_eq!(status, 200);
    let got = receiver.wait_for(1).await;
    assert!(got[0].header("authorization").is_none());
    // Admin refuses non-loopback receivers.
    let r = f
        .http
        .put(format!("{}/__sandbox/payoneer/ipcn", f.handle.base_url))
        .json(&json!({"app_name": APP, "secret": null, "urls": {"cancel_payout": "https://example.com/x"}}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 400);
    f.stop().await;
}
