//! The events API: recorded changes, filters, `previous_attributes` and the 30-day window.

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::{Value, json};

use super::T;

fn types(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn changes_record_events_with_snapshots() {
    let t = T::start().await;
    let cus = t.customer("e@example.com").await;
    t.advance(Duration::seconds(5));
    t.post(
        &format!("/v1/customers/{cus}"),
        &[("name", "Eve"), ("metadata[k]", "v")],
    )
    .await
    .ok();
    t.advance(Duration::seconds(5));
    let pi = t.pay("1000", "usd", "pm_card_visa").await.ok();
    let r = t.get("/v1/events?limit=100").await.ok();
    let got = types(&r.body);
    assert_eq!(
        got,
        [
            "payment_intent.succeeded",
            "charge.succeeded",
            "payment_intent.created",
            "customer.updated",
            "customer.created"
        ]
    );
    let updated = &r.body["data"][3];
    assert_eq!(updated["data"]["object"]["name"], "Eve");
    assert_eq!(
        updated["data"]["previous_attributes"],
        json!({"name": null, "metadata": {"k": null}})
    );
    assert_eq!(updated["api_version"], "2023-08-16");
    assert_eq!(updated["object"], "event");
    assert!(updated["request"]["id"].as_str().unwrap().starts_with("req_"));
    let created = &r.body["data"][4];
    assert_eq!(
        created["data"]["object"]["name"],
        json!(null),
        "snapshot at the time, not now"
    );
    assert!(created["data"].get("previous_attributes").is_none());
    assert_eq!(r.body["data"][0]["data"]["object"]["id"], json!(pi.id()));

    let only = t.get("/v1/events?type=customer.*").await.ok();
    assert_eq!(types(&only.body), ["customer.updated", "customer.created"]);
    let some = t
        .get("/v1/events?types[]=charge.succeeded&types[]=customer.created")
        .await
        .ok();
    assert_eq!(types(&some.body), ["charge.succeeded", "customer.created"]);
    let both = t.get("/v1/events?type=x&types[]=y").await;
    assert_eq!(both.status, StatusCode::BAD_REQUEST);
    let t0 = t.clock_now();
    let recent = t.get(&format!("/v1/events?created[gte]={t0}")).await.ok();
    assert_eq!(recent.body["data"].as_array().unwrap().len(), 3);

    let id = r.body["data"][4]["id"].as_str().unwrap();
    let one = t.get(&format!("/v1/events/{id}")).await.ok();
    assert_eq!(one.body["type"], "customer.created");
}

#[tokio::test]
async fn events_go_back_thirty_days_only() {
    let t = T::start().await;
    t.customer("old@example.com").await;
    let old = t.get("/v1/events").await.ok().body["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    t.advance(Duration::days(29));
    t.customer("newer@example.com").await;
    assert_eq!(
        t.get("/v1/events").await.ok().body["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    t.get(&format!("/v1/events/{old}")).await.ok();

    t.advance(Duration::days(1) + Duration::seconds(1));
    let r = t.get("/v1/events").await.ok();
    assert_eq!(types(&r.body), ["customer.created"]);
    assert_eq!(r.body["data"][0]["data"]["object"]["email"], "newer@example.com");
    let gone = t.get(&format!("/v1/events/{old}")).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(gone.body["error"]["code"], "resource_missing");
    assert_eq!(gone.body["error"]["message"], format!("No such event: '{old}'"));
    // Still kept for tests and manifests.
    assert_eq!(t.sim.events().len(), 2);
}

#[tokio::test]
async fn lifecycle_event_types() {
    let t = T::start().await;
    let pi = t.pay("3000", "usd", "pm_card_visa").await.ok();
    let ch = pi.body["latest_charge"].as_str().unwrap().to_owned();
    let re = t
        .post("/v1/refunds", &[("charge", &ch), ("amount", "1000")])
        .await
        .ok();
    t.post(
        &format!("/v1/refunds/{}", re.id()),
        &[("metadata[reason]", "late")],
    )
    .await
    .ok();
    t.pay("100", "usd", "pm_card_chargeDeclined").await;
    let r = t.get("/v1/events?limit=100").await.ok();
    let got = types(&r.body);
    for want in [
        "refund.created",
        "charge.refunded",
        "refund.updated",
        "charge.failed",
        "payment_intent.payment_failed",
    ] {
        assert!(got.iter().any(|g| g == want), "{want} in {got:?}");
    }
    let refunded = r.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["type"] == "charge.refunded")
        .unwrap();
    assert_eq!(refunded["data"]["previous_attributes"]["amount_refunded"], 0);
}
