//! Snapshot and restore: everything survives, including actions accepted but not completed.

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use serde_json::{Map, json};

use super::{env, json_of, payment};
use crate::checkout::{Config, NewPayment, PaymentStatus};
use crate::server::Simulator;

#[tokio::test]
async fn snapshot_round_trips_into_a_fresh_simulator() {
    let a = env().await;
    a.sim.set_config(Config {
        hold_actions: true,
        ..a.sim.config()
    });
    a.sim.register_secret_key("sk_sbox_restored");
    a.sim.register_client("ack_x", "s", &["gateway"]);
    let seeded = a.sim.insert_payment(NewPayment {
        amount: 1234,
        currency: "GBP".to_owned(),
        reference: Some("SEED".to_owned()),
        status: PaymentStatus::PartiallyRefunded,
        customer_email: Some("c@example.com".to_owned()),
        metadata: Map::new(),
        created: Utc.with_ymd_and_hms(2025, 6, 1, 12, 0, 0).unwrap(),
    });
    let dispute = a.sim.insert_dispute(
        &seeded,
        600,
        "duplicate",
        "evidence_required",
        Utc.with_ymd_and_hms(2025, 7, 1, 0, 0, 0).unwrap(),
    );
    // A live payment whose automatic capture is accepted but held.
    let (_, live) = a.pay(&payment("4242424242424242", 700, "USD")).await;
    let live_id = live["id"].as_str().unwrap().to_owned();

    let snapshot = a.sim.snapshot();
    let b = env().await;
    let mut restored = snapshot.clone();
    restored["config"]["hold_actions"] = json!(false);
    restored["config"]["action_delay_ms"] = json!(10);
    b.sim.restore(restored).unwrap();

    let (status, details) = json_of(
        b.http
            .get(b.url(&format!("/payments/{seeded}")))
            .header("authorization", "Bearer sk_sbox_restored")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(details["status"], "Partially Refunded");
    assert_eq!(details["balances"]["total_refunded"], 617);
    assert_eq!(details["requested_on"], "2025-06-01T12:00:00.000Z");
    let (status, d) = json_of(b.get(&format!("/disputes/{dispute}")).await).await;
    assert_eq!(
        (status, d["category"].clone()),
        (StatusCode::OK, json!("duplicate"))
    );
    // The held capture is completed by the restored simulator.
    b.wait_status(&live_id, "Captured").await;
    assert_eq!(b.sim.events().len(), a.sim.events().len() + 1);

    // Restoring the same snapshot again gives the same state.
    let c = env().await;
    c.sim.restore(snapshot.clone()).unwrap();
    assert_eq!(c.sim.snapshot(), snapshot);
    assert!(c.sim.restore(json!({ "payments": 5 })).is_err());
}

#[tokio::test]
async fn seeded_payments_follow_their_status() {
    let env = env().await;
    let created = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    let cases = [
        (PaymentStatus::Authorized, vec!["Authorization"]),
        (PaymentStatus::Captured, vec!["Capture", "Authorization"]),
        (
            PaymentStatus::Refunded,
            vec!["Refund", "Capture", "Authorization"],
        ),
        (PaymentStatus::Voided, vec!["Void", "Authorization"]),
        (PaymentStatus::Declined, vec!["Authorization"]),
        (PaymentStatus::Pending, vec![]),
    ];
    for (status, kinds) in cases {
        let id = env.sim.insert_payment(NewPayment {
            amount: 1000,
            currency: "BHD".to_owned(),
            reference: None,
            status,
            customer_email: None,
            metadata: Map::new(),
            created,
        });
        let (_, details) = json_of(env.get(&format!("/payments/{id}")).await).await;
        assert_eq!(details["status"], status.as_str());
        let got: Vec<&str> = details["actions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["type"].as_str().unwrap())
            .collect();
        assert_eq!(got, kinds, "{status:?}");
    }
    // Partial amounts respect the currency's step (BHD: multiples of 10).
    let id = env.sim.insert_payment(NewPayment {
        amount: 1010,
        currency: "BHD".to_owned(),
        reference: None,
        status: PaymentStatus::PartiallyCaptured,
        customer_email: None,
        metadata: Map::new(),
        created,
    });
    let (_, details) = json_of(env.get(&format!("/payments/{id}")).await).await;
    assert_eq!(details["balances"]["total_captured"], 500);
    // Seeded events carry the seeded timestamps.
    let first = &env.sim.events()[0];
    assert_eq!(first["created_on"], "2025-01-01T00:00:00.000Z");
}
