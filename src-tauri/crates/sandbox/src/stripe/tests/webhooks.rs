//! Webhook deliveries: signatures checked with an independent HMAC, secret rotation, retries
//! after a failing receiver, duplicates, seeded shuffling and the attempts log.

use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use super::{HANG, Receiver, T, fast_delivery};
use crate::stripe::signature_header;

/// Verifies a `Stripe-Signature` header the way Stripe's libraries do: any `v1` matching
/// HMAC-SHA256(secret, "t.body") in hex, and `t` within 300 s of `now`.
fn verify(header: &str, body: &str, secret: &str, now: i64) -> bool {
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => sigs.push(v.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected = hex::encode(mac.finalize().into_bytes());
    (now - t).abs() <= 300 && sigs.contains(&expected)
}

async fn endpoint(t: &T, url: &str, events: Value) -> Value {
    t.admin(Method::PUT, "/webhooks/config", fast_delivery())
        .await
        .ok();
    t.admin(
        Method::POST,
        "/webhook_endpoints",
        json!({"url": url, "enabled_events": events}),
    )
    .await
    .ok()
    .body
}

#[tokio::test]
async fn deliveries_are_signed_and_verifiable() {
    let t = T::start().await;
    let (rx, url) = Receiver::start(vec![]).await;
    let ep = endpoint(&t, &url, json!(["customer.created"])).await;
    let secret = ep["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"));
    let cus = t.customer("hook@example.com").await;
    t.pay("1000", "usd", "pm_card_visa").await.ok();
    let got = rx.wait_for(1).await;
    assert_eq!(got.len(), 1, "only subscribed types are sent");
    let (headers, body) = &got[0];
    let sig = headers["stripe-signature"].to_str().unwrap();
    assert!(sig.starts_with(&format!("t={},v1=", t.clock_now())), "{sig}");
    assert!(verify(sig, body, &secret, t.clock_now()));
    assert!(
        !verify(sig, &body.replace("hook@", "hack@"), &secret, t.clock_now()),
        "tampered body fails"
    );
    assert!(!verify(sig, body, "whsec_wrong", t.clock_now()));
    let event: Value = serde_json::from_str(body).unwrap();
    assert_eq!(event["type"], "customer.created");
    assert_eq!(event["data"]["object"]["id"], json!(cus));
    assert_eq!(headers["content-type"], "application/json; charset=utf-8");
    // The pure helper agrees with the delivered header.
    assert_eq!(signature_header(&[&secret], t.clock_now(), body.as_bytes()), sig);
    // Delivered events no longer count as pending.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let e = t
        .get(&format!("/v1/events/{}", event["id"].as_str().unwrap()))
        .await
        .ok();
    assert_eq!(e.body["pending_webhooks"], 0);
    let ok = t.get("/v1/events?delivery_success=true").await.ok();
    assert!(
        ok.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == event["id"])
    );
}

#[tokio::test]
async fn rolled_secret_signs_with_two_v1() {
    let t = T::start().await;
    let (rx, url) = Receiver::start(vec![]).await;
    let ep = endpoint(&t, &url, json!(["*"])).await;
    let old = ep["secret"].as_str().unwrap().to_owned();
    let id = ep["id"].as_str().unwrap();
    let rolled = t
        .admin(
            Method::POST,
            &format!("/webhook_endpoints/{id}/roll"),
            json!({"expires_in_secs": 3600}),
        )
        .await
        .ok();
    let new = rolled.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    t.customer("roll@example.com").await;
    let got = rx.wait_for(1).await;
    let (headers, body) = &got[0];
    let sig = headers["stripe-signature"].to_str().unwrap();
    assert_eq!(sig.matches("v1=").count(), 2, "{sig}");
    assert!(verify(sig, body, &old, t.clock_now()));
    assert!(verify(sig, body, &new, t.clock_now()));
    // After the roll expires only the new secret signs.
    t.advance(chrono::Duration::hours(2));
    t.customer("after@example.com").await;
    let got = rx.wait_for(2).await;
    let (headers, body) = &got[1];
    let sig = headers["stripe-signature"].to_str().unwrap();
    assert_eq!(sig.matches("v1=").count(), 1);
    assert!(verify(sig, body, &new, t.clock_now()));
    assert!(!verify(sig, body, &old, t.clock_now()));
}

#[tokio::test]
async fn failing_receiver_is_retried_with_backoff() {
    let t = T::start().await;
    let (rx, url) = Receiver::start(vec![500, 503]).await;
    endpoint(&t, &url, json!(["*"])).await;
    t.customer("retry@example.com").await;
    let got = rx.wait_for(3).await;
    assert_eq!(got.len(), 3);
    let ids: Vec<Value> = got
        .iter()
        .map(|(_, b)| serde_json::from_str::<Value>(b).unwrap()["id"].clone())
        .collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "the same event each time");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let log = t
        .admin(Method::GET, "/webhooks/attempts", json!(null))
        .await
        .ok()
        .body;
    let log = log.as_array().unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0]["status"], 500);
    assert_eq!(log[1]["status"], 503);
    assert_eq!(log[2]["status"], 200);
    assert_eq!(log[2]["attempt"], 3);
    assert_eq!(log[2]["succeeded"], true);

    // A receiver that never succeeds gets max_attempts tries, then nothing more.
    let (dead, dead_url) = Receiver::start(vec![500; 10]).await;
    t.admin(
        Method::POST,
        "/webhook_endpoints",
        json!({"url": dead_url, "enabled_events": ["product.created"]}),
    )
    .await
    .ok();
    t.post("/v1/products", &[("name", "x")]).await.ok();
    dead.wait_for(4).await;
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(dead.deliveries().len(), 4);
    let pending = t.get("/v1/events?type=product.created").await.ok();
    assert_eq!(pending.body["data"][0]["pending_webhooks"], 1);
    // Non-loopback URLs are refused.
    let r = t
        .admin(
            Method::POST,
            "/webhook_endpoints",
            json!({"url": "http://192.0.2.1/hook"}),
        )
        .await;
    assert_eq!(r.status.as_u16(), 400);
}

#[tokio::test]
async fn timeouts_and_unreachable_receivers_count_as_failures() {
    let t = T::start().await;
    let (rx, url) = Receiver::start(vec![HANG]).await;
    endpoint(&t, &url, json!(["*"])).await;
    t.admin(
        Method::PUT,
        "/webhooks/config",
        json!({"retry_base_ms": 10, "max_attempts": 2, "timeout_ms": 200}),
    )
    .await
    .ok();
    t.customer("t@example.com").await;
    rx.wait_for(2).await;
    for _ in 0..200 {
        if t.sim.delivery_attempts().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let log = t.sim.delivery_attempts();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].error.as_deref(), Some("timeout"));
    assert!(log[1].succeeded);

    // Nothing listening: a bound-then-dropped port refuses connections.
    let t = T::start().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    drop(listener);
    endpoint(&t, &url, json!(["*"])).await;
    t.admin(
        Method::PUT,
        "/webhooks/config",
        json!({"retry_base_ms": 10, "max_attempts": 2, "timeout_ms": 200}),
    )
    .await
    .ok();
    t.customer("t@example.com").await;
    for _ in 0..200 {
        if t.sim.delivery_attempts().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let log = t.sim.delivery_attempts();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter()
            .all(|a| a.status.is_none() && a.error.is_some() && !a.succeeded)
    );
}

#[tokio::test]
async fn duplicates_and_seeded_shuffle() {
    let t = T::start().await;
    let (rx, url) = Receiver::start(vec![]).await;
    endpoint(&t, &url, json!(["customer.created"])).await;
    t.admin(
        Method::PUT,
        "/webhooks/config",
        json!({"retry_base_ms": 20, "duplicates": true}),
    )
    .await
    .ok();
    t.customer("dup@example.com").await;
    let got = rx.wait_for(2).await;
    assert_eq!(got.len(), 2);
    let parsed: Vec<Value> = got
        .iter()
        .map(|(_, b)| serde_json::from_str(b).unwrap())
        .collect();
    assert_eq!(parsed[0]["id"], parsed[1]["id"], "the same event twice");
    assert_eq!(parsed[0]["data"], parsed[1]["data"]);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let log = t.sim.delivery_attempts();
    assert_eq!(log.iter().filter(|a| a.duplicate).count(), 1);

    // Held back, then released as one shuffled batch.
    let run = |seed: u64| async move {
        let t = T::start().await;
        let (rx, url) = Receiver::start(vec![]).await;
        endpoint(&t, &url, json!(["customer.created"])).await;
        t.admin(
            Method::PUT,
            "/webhooks/config",
            json!({"retry_base_ms": 20, "paused": true, "shuffle": true, "shuffle_seed": seed}),
        )
        .await
        .ok();
        let mut made = Vec::new();
        for n in 0..8 {
            made.push(t.customer(&format!("s{n}@example.com")).await);
        }
        assert!(rx.deliveries().is_empty(), "paused");
        t.admin(
            Method::PUT,
            "/webhooks/config",
            json!({"retry_base_ms": 20, "paused": false, "shuffle": true, "shuffle_seed": seed}),
        )
        .await
        .ok();
        let got = rx.wait_for(8).await;
        let order: Vec<String> = got
            .iter()
            .map(|(_, b)| {
                serde_json::from_str::<Value>(b).unwrap()["data"]["object"]["email"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        (made.len(), order)
    };
    let (n, a) = run(42).await;
    let (_, b) = run(42).await;
    assert_eq!(a.len(), n);
    assert_eq!(a, b, "same seed, same order");
    let created: Vec<String> = (0..8).map(|n| format!("s{n}@example.com")).collect();
    assert_ne!(a, created, "reordered");
    let mut sorted = a.clone();
    sorted.sort();
    assert_eq!(sorted, created, "every event once");
}
