//! The two-step auth → transaction flow, its errors, token expiry and `referenceOrderId` dedupe.

use chrono::Duration;
use serde_json::json;

use super::{Fixture, auth_doc, tx_doc};
use crate::maldopay::{Config, TxStatus};

#[tokio::test]
async fn two_step_flow_creates_a_pending_deposit_with_the_catalog_code() {
    let f = Fixture::start().await;
    // Both the live and the sandbox paths answer; the SDK posts to `…/auth/`.
    let (status, body) = f
        .form("/json/sandbox/auth/", &auth_doc("player-1", "BRL"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["transaction"]["codeId"], 0);
    assert_eq!(body["response"]["codeId"], 0);
    assert_eq!(body["response"]["userId"], "player-1");
    let token = f.token("BRL").await;
    assert_eq!(token.len(), 32);

    let body = f.create(&token, 2157, "DEPOSIT", json!(1050), "order-1").await;
    let tx = &body["transaction"];
    assert_eq!(tx["codeId"], 311, "{body}");
    assert_eq!(tx["serviceId"], 2157);
    let id = tx["transactionId"].as_str().unwrap_or_default().to_owned();
    assert_eq!(id.len(), 10);
    let redirect = body["redirect"]["url"].as_str().unwrap_or_default();
    assert!(
        redirect.ends_with(&format!("/__sandbox/maldopay/pay/{id}")),
        "{redirect}"
    );
    let all = f.sim.transactions();
    assert_eq!(all.len(), 1);
    assert_eq!(
        (all[0].status, all[0].amount, all[0].currency.as_str()),
        (TxStatus::Pending, 1050, "BRL")
    );
    assert_eq!(all[0].player_id, "player-1");
    f.stop().await;
}

#[tokio::test]
async fn auth_rejects_bad_credentials_with_a_non_zero_code() {
    let f = Fixture::start().await;
    let mut doc = auth_doc("p", "BRL");
    doc["auth"]["clientId"] = json!(9999);
    let (_, body) = f.form("/json/auth/", &doc, None).await;
    assert_eq!(body["transaction"]["codeId"], 510);
    assert!(body.get("response").is_none());
    let mut doc = auth_doc("p", "BRL");
    doc["auth"]["brandId"] = json!("2");
    let (_, body) = f.form("/json/auth/", &doc, None).await;
    assert_eq!(body["transaction"]["codeId"], 510);
    let (_, body) = f
        .form("/json/auth/", &auth_doc("p", "BRL"), Some("wrong-key"))
        .await;
    assert_eq!(body["transaction"]["codeId"], 510);
    let (_, body) = f
        .form("/json/auth/", &auth_doc("p", "BRL"), Some("sandbox-api-key"))
        .await;
    assert_eq!(body["transaction"]["codeId"], 0);
    f.sim.set_config(Config {
        require_api_key: true,
        ..Config::default()
    });
    let (_, body) = f.form("/json/auth/", &auth_doc("p", "BRL"), None).await;
    assert_eq!(body["transaction"]["codeId"], 510);
    // Malformed envelopes.
    let r = f
        .http
        .post(format!("{}/json/auth/", f.handle.base_url))
        .form(&[("json", "{not json")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body: serde_json::Value = r.json().await.unwrap_or_default();
    assert_eq!(body["transaction"]["codeId"], 517);
    let r = f
        .http
        .post(format!("{}/json/auth/", f.handle.base_url))
        .json(&auth_doc("p", "BRL"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let body: serde_json::Value = r.json().await.unwrap_or_default();
    assert_eq!(body["transaction"]["codeId"], 517);
    f.stop().await;
}

#[tokio::test]
async fn transaction_errors_create_nothing() {
    let f = Fixture::start().await;
    let token = f.token("BRL").await;
    let cases = [
        (tx_doc(&token, 9999, "DEPOSIT", json!(100), "BRL", "e-1"), 512),
        (tx_doc(&token, 2157, "WITHDRAW", json!(100), "BRL", "e-2"), 513),
        (tx_doc(&token, 2157, "REFUND", json!(100), "BRL", "e-3"), 517),
        (tx_doc(&token, 2157, "DEPOSIT", json!(10.5), "BRL", "e-4"), 514),
        (tx_doc(&token, 2157, "DEPOSIT", json!(0), "BRL", "e-5"), 514),
        (tx_doc(&token, 2157, "DEPOSIT", json!("10.50"), "BRL", "e-6"), 514),
        (tx_doc(&token, 2157, "DEPOSIT", json!(100), "USD", "e-7"), 515),
        (
            tx_doc("not-a-token", 2157, "DEPOSIT", json!(100), "BRL", "e-8"),
            511,
        ),
        (tx_doc(&token, 2157, "DEPOSIT", json!(100), "BRL", ""), 517),
    ];
    for (doc, code) in cases {
        let (status, body) = f.form("/json/transactions/", &doc, None).await;
        assert_eq!(status, 200);
        assert_eq!(body["transaction"]["codeId"], code, "{doc} → {body}");
        assert!(body["transaction"]["codeMessage"].is_string());
    }
    assert!(f.sim.transactions().is_empty());
    // Amount as an all-digits string is accepted (PHP clients send either).
    let body = f.create(&token, 2157, "DEPOSIT", json!("1050"), "e-ok").await;
    assert_eq!(body["transaction"]["codeId"], 311);
    f.stop().await;
}

#[tokio::test]
async fn tokens_expire_on_the_sim_clock() {
    let f = Fixture::start().await;
    let token = f.token("BRL").await;
    f.clock.advance(Duration::seconds(1799));
    let body = f.create(&token, 2157, "DEPOSIT", json!(100), "t-1").await;
    assert_eq!(body["transaction"]["codeId"], 311);
    f.clock.advance(Duration::seconds(1));
    let body = f.create(&token, 2157, "DEPOSIT", json!(100), "t-2").await;
    assert_eq!(body["transaction"]["codeId"], 511);
    // A token from another merchant is refused too.
    f.sim.register_client("2002", "7", "k2");
    let fresh = f.token("BRL").await;
    let mut doc = tx_doc(&fresh, 2157, "DEPOSIT", json!(100), "BRL", "t-3");
    doc["transaction"]["clientId"] = json!("2002");
    doc["transaction"]["brandId"] = json!("7");
    let (_, body) = f.form("/json/transactions/", &doc, None).await;
    assert_eq!(body["transaction"]["codeId"], 511);
    f.stop().await;
}

#[tokio::test]
async fn duplicate_reference_order_id_is_rejected_never_a_second_transaction() {
    let f = Fixture::start().await;
    let token = f.token("BRL").await;
    let first = f.create(&token, 2157, "DEPOSIT", json!(1050), "dup-1").await;
    assert_eq!(first["transaction"]["codeId"], 311);
    for amount in [json!(1050), json!(999)] {
        let again = f.create(&token, 2157, "DEPOSIT", amount, "dup-1").await;
        assert_eq!(again["transaction"]["codeId"], 516, "{again}");
        assert!(again["transaction"].get("transactionId").is_none());
    }
    assert_eq!(f.sim.transactions().len(), 1);
    assert_eq!(f.sim.duplicate_submissions(), 2);
    // Still a duplicate after the first one is final.
    f.clock.advance(Duration::seconds(60));
    f.sim.run_due().await;
    let again = f.create(&token, 2157, "DEPOSIT", json!(1050), "dup-1").await;
    assert_eq!(again["transaction"]["codeId"], 516);
    assert_eq!(f.sim.transactions().len(), 1);
    f.stop().await;
}

#[tokio::test]
async fn withdrawals_and_immediate_services() {
    let f = Fixture::start().await;
    let token = f.token("BRL").await;
    // BankWithdraw expects 304 and has no payment page.
    let body = f.create(&token, 2012, "WITHDRAW", json!(20000), "w-1").await;
    assert_eq!(body["transaction"]["codeId"], 304);
    assert!(body.get("redirect").is_none());
    // CreditS2S expects 200: done at once.
    let body = f.create(&token, 2116, "DEPOSIT", json!(1000), "s2s-1").await;
    assert_eq!(body["transaction"]["codeId"], 200);
    assert!(body.get("redirect").is_none());
    // …and a declining amount answers 501 at once (the SDK raises: codeId != expected).
    let body = f.create(&token, 2116, "DEPOSIT", json!(5100), "s2s-2").await;
    assert_eq!(body["transaction"]["codeId"], 501);
    let statuses: Vec<TxStatus> = f.sim.transactions().iter().map(|t| t.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == TxStatus::Confirmed).count(), 1);
    assert_eq!(statuses.iter().filter(|s| **s == TxStatus::Declined).count(), 1);
    assert_eq!(statuses.iter().filter(|s| **s == TxStatus::Pending).count(), 1);
    f.stop().await;
}
