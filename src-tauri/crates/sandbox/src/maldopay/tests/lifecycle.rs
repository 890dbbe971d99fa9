//! Asynchronous resolution, signed callbacks over HTTP, the payment page, refunds, chargebacks,
//! the status extension and seeding.

use chrono::Duration;
use hmac::{Hmac, Mac};
use paysync_core::Clock as _;
use serde_json::json;
use sha2::Sha256;

use super::{Fixture, Receiver};
use crate::maldopay::{
    Algorithm, CallbackSigning, Canonical, Encoding, NewTransaction, TxStatus, TxType, callback_signature,
};

#[tokio::test]
async fn pending_deposit_resolves_on_the_sim_clock_with_signed_callbacks() {
    let f = Fixture::start().await;
    let receiver = Receiver::start().await;
    f.callbacks_to(&receiver, CallbackSigning::default());
    let token = f.token("BRL").await;
    let body = f.create(&token, 2157, "DEPOSIT", json!(1050), "order-7").await;
    let id = body["transaction"]["transactionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let got = receiver.wait_for(1).await;
    assert_eq!(got[0].field("result").as_deref(), Some("PENDING"));
    assert_eq!(got[0].field("codeId").as_deref(), Some("311"));

    f.clock.advance(Duration::seconds(59));
    f.sim.run_due().await;
    assert_eq!(f.sim.transactions()[0].status, TxStatus::Pending);
    f.clock.advance(Duration::seconds(1));
    let r = f
        .http
        .post(format!("{}/__sandbox/maldopay/tick", f.handle.base_url))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 204);
    let got = receiver.wait_for(2).await;
    let cb = &got[1];
    let expect = [
        ("result", "CONFIRMED"),
        ("codeId", "200"),
        ("reason", "Transaction confirmed"),
        ("serviceId", "2157"),
        ("referenceOrderId", "order-7"),
        ("maldoTransactionId", id.as_str()),
        ("amount", "10.50"),
        ("currency", "BRL"),
        ("dateUpdated", "2026-01-01 00:01:00"),
    ];
    for (name, value) in expect {
        assert_eq!(cb.field(name).as_deref(), Some(value), "{name} in {}", cb.body);
    }
    assert_eq!(
        cb.header("content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    // Default: HMAC-SHA256 hex of the raw body, recomputed here with the hmac crate.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"maldopay-sandbox-callback-secret")
        .unwrap_or_else(|e| panic!("{e}"));
    mac.update(cb.body.as_bytes());
    assert_eq!(
        cb.header("x-signature"),
        Some(hex::encode(mac.finalize().into_bytes()))
    );
    assert!(f.sim.deliveries().iter().all(|d| d.status == Some(200)));
    f.stop().await;
}

#[tokio::test]
async fn callbacks_are_signed_in_each_configured_mode() {
    let f = Fixture::start().await;
    let receiver = Receiver::start().await;
    let token = f.token("BRL").await;
    let modes = [
        (
            Algorithm::HmacSha256,
            Encoding::Base64,
            Canonical::TimestampDotBody,
            Some("X-Ts"),
        ),
        (
            Algorithm::Sha256Concat,
            Encoding::Hex,
            Canonical::SortedValues,
            None,
        ),
        (Algorithm::Md5Concat, Encoding::Hex, Canonical::RawBody, None),
        (
            Algorithm::HmacSha256,
            Encoding::Hex,
            Canonical::RawBody,
            Some("X-Ts"),
        ),
        (Algorithm::None, Encoding::Hex, Canonical::RawBody, None),
    ];
    for (i, (algorithm, encoding, canonical, ts_header)) in modes.into_iter().enumerate() {
        let signing = CallbackSigning {
            algorithm,
            encoding,
            canonical,
            header: "X-Callback-Signature".into(),
            secret: format!("secret-{i}"),
            timestamp_header: ts_header.map(str::to_owned),
            tolerance_secs: 300,
        };
        f.callbacks_to(&receiver, signing.clone());
        // CreditS2S confirms at once, so each creation sends one final callback.
        let body = f
            .create(&token, 2116, "DEPOSIT", json!(1000 + i), &format!("mode-{i}"))
            .await;
        assert_eq!(body["transaction"]["codeId"], 200);
        let got = receiver.wait_for(i + 1).await;
        let cb = &got[i];
        let expected = callback_signature(&signing, &cb.body, f.clock.now().timestamp());
        assert_eq!(cb.header("x-callback-signature"), expected, "mode {i}");
        let ts = f.clock.now().timestamp().to_string();
        match (ts_header, algorithm) {
            (_, Algorithm::None) => assert!(cb.header("x-ts").is_none()),
            (Some(_), _) => assert_eq!(cb.header("x-ts"), Some(ts)),
            (None, _) => assert!(cb.header("x-ts").is_none() && cb.header("x-timestamp").is_none()),
        }
    }
    assert!(receiver.all()[4].header("x-callback-signature").is_none());
    f.stop().await;
}

#[tokio::test]
async fn outcome_rules_decline_and_cancel() {
    let f = Fixture::start().await;
    let receiver = Receiver::start().await;
    f.callbacks_to(&receiver, CallbackSigning::default());
    let token = f.token("BRL").await;
    f.create(&token, 2157, "DEPOSIT", json!(5100), "d-1").await;
    f.create(&token, 2157, "DEPOSIT", json!(5200), "c-1").await;
    receiver.wait_for(2).await;
    f.clock.advance(Duration::seconds(60));
    f.sim.run_due().await;
    let got = receiver.wait_for(4).await;
    let finals: Vec<(Option<String>, Option<String>, Option<String>)> = got[2..]
        .iter()
        .map(|r| (r.field("referenceOrderId"), r.field("result"), r.field("codeId")))
        .collect();
    assert!(finals.contains(&(Some("d-1".into()), Some("DECLINED".into()), Some("501".into()))));
    assert!(finals.contains(&(Some("c-1".into()), Some("CANCELED".into()), Some("502".into()))));
    f.stop().await;
}

#[tokio::test]
async fn payment_page_resolves_and_redirects_to_the_landing_page() {
    let f = Fixture::start().await;
    let token = f.token("BRL").await;
    let body = f.create(&token, 2157, "DEPOSIT", json!(1050), "page-1").await;
    let url = body["redirect"]["url"].as_str().unwrap_or_default().to_owned();
    let page = f.http.get(&url).send().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(page.text().await.unwrap_or_default().contains("1050"));
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let r = client
        .post(&url)
        .form(&[("decision", "decline")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(
        r.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("http://127.0.0.1:1/declined")
    );
    assert_eq!(f.sim.transactions()[0].status, TxStatus::Declined);
    // Final states never move again, not even when the settle time passes.
    f.clock.advance(Duration::seconds(600));
    f.sim.run_due().await;
    assert_eq!(f.sim.transactions()[0].status, TxStatus::Declined);
    let r = client
        .post(&url)
        .form(&[("decision", "confirm")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 400);
    f.stop().await;
}

#[tokio::test]
async fn refunds_and_chargebacks_are_child_transactions_with_callbacks() {
    let f = Fixture::start().await;
    let receiver = Receiver::start().await;
    f.callbacks_to(&receiver, CallbackSigning::default());
    let token = f.token("BRL").await;
    let body = f.create(&token, 2116, "DEPOSIT", json!(3000), "rf-1").await;
    let parent = body["transaction"]["transactionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    receiver.wait_for(1).await;
    let r = f
        .http
        .post(format!(
            "{}/__sandbox/maldopay/transactions/{parent}/refund",
            f.handle.base_url
        ))
        .json(&json!({"amount": 1000}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 200);
    let refund_id = f.sim.refund(&parent, None, Some("Goodwill")).await;
    assert!(refund_id.is_ok());
    // Nothing left to charge back.
    assert!(f.sim.chargeback(&parent, None, None).await.is_err());
    let got = receiver.wait_for(3).await;
    assert_eq!(got[1].field("type").as_deref(), Some("REFUND"));
    assert_eq!(got[1].field("parentTransactionId"), Some(parent.clone()));
    assert_eq!(got[1].field("amount").as_deref(), Some("10.00"));
    assert_eq!(got[1].field("codeId").as_deref(), Some("210"));
    assert_eq!(got[1].field("referenceOrderId").as_deref(), Some("rf-1"));
    assert_eq!(got[2].field("reason").as_deref(), Some("Goodwill"));
    assert_eq!(got[2].field("amount").as_deref(), Some("20.00"));

    let body = f.create(&token, 2116, "DEPOSIT", json!(700), "cb-1").await;
    let other = body["transaction"]["transactionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    receiver.wait_for(4).await;
    let chargeback = f.sim.chargeback(&other, Some(700), Some("Fraud")).await;
    assert!(chargeback.is_ok());
    let got = receiver.wait_for(5).await;
    assert_eq!(got[4].field("type").as_deref(), Some("CHARGEBACK"));
    assert_eq!(got[4].field("codeId").as_deref(), Some("220"));
    let kinds: Vec<TxType> = f.sim.transactions().iter().map(|t| t.kind).collect();
    assert_eq!(kinds.iter().filter(|k| **k == TxType::Refund).count(), 2);
    assert_eq!(kinds.iter().filter(|k| **k == TxType::Chargeback).count(), 1);
    f.stop().await;
}

#[tokio::test]
async fn status_query_extension_finds_by_reference_or_id() {
    let f = Fixture::start().await;
    let token = f.token("BRL").await;
    let body = f.create(&token, 2157, "DEPOSIT", json!(1050), "q-1").await;
    let id = body["transaction"]["transactionId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let (_, body) = f
        .form(
            "/json/transactions/status/",
            &json!({"status": {"clientId": 1001, "brandId": 1, "referenceOrderId": "q-1"}}),
            None,
        )
        .await;
    let tx = &body["transaction"];
    assert_eq!(
        (tx["status"].as_str(), tx["codeId"].as_u64()),
        (Some("PENDING"), Some(311))
    );
    assert_eq!(tx["transactionId"], id.as_str());
    assert_eq!(tx["amount"], 1050);
    assert_eq!(body["sandboxExtension"], true);
    f.clock.advance(Duration::seconds(60));
    let (_, body) = f
        .form(
            "/json/sandbox/transactions/status/",
            &json!({"status": {"clientId": "1001", "brandId": "1", "transactionId": id}}),
            None,
        )
        .await;
    assert_eq!(body["transaction"]["status"], "CONFIRMED");
    let (_, body) = f
        .form(
            "/json/transactions/status/",
            &json!({"status": {"clientId": 1001, "brandId": 1, "referenceOrderId": "nope"}}),
            None,
        )
        .await;
    assert_eq!(body["transaction"]["codeId"], 404);
    f.sim.register_client("2002", "7", "k2");
    let (_, body) = f
        .form(
            "/json/transactions/status/",
            &json!({"status": {"clientId": 2002, "brandId": 7, "referenceOrderId": "q-1"}}),
            None,
        )
        .await;
    assert_eq!(body["transaction"]["codeId"], 404);
    f.stop().await;
}

#[tokio::test]
async fn seeded_transactions_keep_their_past_times_and_resolve() {
    let f = Fixture::start().await;
    let created = f.clock.now() - Duration::days(3);
    let id = f.sim.insert_transaction(NewTransaction {
        kind: TxType::Deposit,
        service_id: 2157,
        amount: 2500,
        currency: "brl".into(),
        reference_order_id: "seed-1".into(),
        status: TxStatus::Pending,
        created,
    });
    let done = f.sim.insert_transaction(NewTransaction {
        kind: TxType::Withdraw,
        service_id: 2012,
        amount: 900,
        currency: "BRL".into(),
        reference_order_id: "seed-2".into(),
        status: TxStatus::Confirmed,
        created,
    });
    assert_ne!(id, done);
    f.sim.run_due().await;
    let all = f.sim.transactions();
    let seeded = all.iter().find(|t| t.transaction_id == id).cloned();
    let seeded = seeded.unwrap_or_else(|| panic!("seeded transaction missing"));
    assert_eq!(seeded.status, TxStatus::Confirmed);
    assert_eq!(seeded.created_at, created);
    assert_eq!(seeded.updated_at, created + Duration::seconds(60));
    assert_eq!(seeded.currency, "BRL");
    // Seeded references are deduplicated like any other.
    let token = f.token("BRL").await;
    let body = f.create(&token, 2157, "DEPOSIT", json!(2500), "seed-1").await;
    assert_eq!(body["transaction"]["codeId"], 516);
    f.stop().await;
}
