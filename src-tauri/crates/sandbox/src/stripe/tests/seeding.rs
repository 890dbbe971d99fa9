//! The in-process seeding API and snapshot/restore.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use paysync_core::Clock;
use serde_json::{Value, json};

use super::T;
use crate::server::Simulator;
use crate::stripe::{NewCustomer, NewInvoice, NewPayment, NewPrice, NewProduct, PaymentStatus};

fn ago(t: &T, d: Duration) -> DateTime<Utc> {
    t.clock.now() - d
}

/// Loads a small history: 40 days of customers, payments, refunds, a dispute, a subscription,
/// an invoice and an automatic payout.
fn seed(t: &T) -> (String, String) {
    let s = &t.sim;
    let cus = s.insert_customer(NewCustomer {
        email: Some("seed@example.com".into()),
        name: Some("Seeded Ltd".into()),
        metadata: BTreeMap::from([("crm_id".into(), "0015g00000ABC".into())]),
        created: ago(t, Duration::days(40)),
    });
    let prod = s.insert_product(NewProduct {
        name: "Team plan".into(),
        created: ago(t, Duration::days(40)),
        ..NewProduct::default()
    });
    let price = s
        .insert_price(NewPrice {
            product: prod,
            unit_amount: 4900,
            currency: "usd".into(),
            interval: Some("month".into()),
            interval_count: 1,
            created: ago(t, Duration::days(40)),
            ..NewPrice::default()
        })
        .unwrap();
    let (pi, ch) = s
        .insert_payment(NewPayment {
            customer: Some(cus.clone()),
            amount: 10_000,
            currency: "usd".into(),
            status: PaymentStatus::Succeeded,
            metadata: BTreeMap::from([("order".into(), "SO-1".into())]),
            created: ago(t, Duration::days(35)),
            ..NewPayment::default()
        })
        .unwrap();
    assert!(pi.starts_with("pi_") && ch.starts_with("ch_"));
    s.insert_refund(&ch, 2_500, ago(t, Duration::days(34))).unwrap();
    let (_, ch2) = s
        .insert_payment(NewPayment {
            amount: 6_000,
            currency: "usd".into(),
            created: ago(t, Duration::days(33)),
            ..NewPayment::default()
        })
        .unwrap();
    s.insert_dispute(&ch2, 6_000, "fraudulent", "lost", ago(t, Duration::days(32)))
        .unwrap();
    let (_, failed) = s
        .insert_payment(NewPayment {
            amount: 700,
            currency: "usd".into(),
            status: PaymentStatus::Failed,
            created: ago(t, Duration::days(31)),
            ..NewPayment::default()
        })
        .unwrap();
    assert!(failed.starts_with("ch_"));
    s.insert_payment(NewPayment {
        amount: 900,
        currency: "usd".into(),
        status: PaymentStatus::Pending,
        created: ago(t, Duration::days(1)),
        ..NewPayment::default()
    })
    .unwrap();
    let sub = s
        .insert_subscription(&cus, &price, ago(t, Duration::days(35)))
        .unwrap();
    s.insert_invoice(NewInvoice {
        customer: cus.clone(),
        amount: 1_250,
        currency: "usd".into(),
        status: "open".into(),
        description: Some("Consulting".into()),
        created: ago(t, Duration::days(20)),
        ..NewInvoice::default()
    })
    .unwrap();
    let po = s
        .insert_payout(None, "usd", ago(t, Duration::days(25)), "paid")
        .unwrap();
    (po, sub)
}

#[tokio::test]
async fn seeded_history_has_past_events_and_ties_out() {
    let t = T::start().await;
    let (po, sub) = seed(&t);
    let customers = t.sim.objects("customer");
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0]["created"], json!(t.clock_now() - 40 * 86_400));
    let events = t.sim.events();
    let created_event = events.iter().find(|e| e["type"] == "customer.created").unwrap();
    assert_eq!(created_event["created"], customers[0]["created"]);
    assert_eq!(
        created_event["request"],
        json!({"id": null, "idempotency_key": null})
    );
    for want in [
        "charge.succeeded",
        "refund.created",
        "charge.dispute.created",
        "charge.dispute.closed",
        "customer.subscription.created",
        "invoice.paid",
        "payout.created",
        "payout.paid",
        "charge.failed",
        "payment_intent.processing",
    ] {
        assert!(events.iter().any(|e| e["type"] == want), "{want}");
    }

    // The payout swept what was available 25 days ago, and its transactions tie out.
    let payout = t.get(&format!("/v1/payouts/{po}")).await.ok();
    assert_eq!(payout.body["status"], "paid");
    let txns = t
        .get(&format!("/v1/balance_transactions?payout={po}&limit=100"))
        .await
        .ok();
    let swept: i64 = txns.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["type"] != "payout")
        .map(|x| x["net"].as_i64().unwrap())
        .sum();
    assert_eq!(swept, payout.body["amount"].as_i64().unwrap());
    assert_eq!(
        swept,
        (10_000 - 320) - 2_500 + (6_000 - 204) - 6_000 - 1_500 + (4_900 - 172)
    );

    // The events API only shows the last 30 days of the seeded history.
    let listed = t.get("/v1/events?limit=100&type=customer.created").await.ok();
    assert_eq!(listed.body["data"], json!([]));

    // The monthly subscription (started 35 days ago) renewed once by now.
    let invoices = t.get(&format!("/v1/invoices?subscription={sub}")).await.ok();
    assert_eq!(invoices.body["data"].as_array().unwrap().len(), 2);
    assert!(
        t.sim
            .insert_payment(NewPayment {
                amount: 5124,
                currency: "kwd".into(),
                ..NewPayment::default()
            })
            .is_err()
    );
    assert!(t.sim.insert_refund("ch_missing", 1, t.clock.now()).is_err());
}

#[tokio::test]
async fn snapshot_restore_round_trips() {
    let t = T::start().await;
    seed(&t);
    t.tick_now().await;
    // A charge whose funds are still pending when the snapshot is taken.
    t.post(
        "/v1/payment_intents",
        &[
            ("amount", "2000"),
            ("currency", "usd"),
            ("payment_method", "pm_card_visa"),
            ("confirm", "true"),
        ],
    )
    .await
    .ok();
    let snap = t.sim.snapshot();
    let text = serde_json::to_string(&snap).unwrap();
    let back: Value = serde_json::from_str(&text).unwrap();

    let u = T::start().await;
    u.sim.restore(back).unwrap();
    assert_eq!(u.sim.snapshot(), snap);
    for path in [
        "/v1/customers",
        "/v1/charges?limit=100",
        "/v1/balance",
        "/v1/payouts",
        "/v1/subscriptions",
    ] {
        assert_eq!(t.get(path).await.ok().body, u.get(path).await.ok().body, "{path}");
    }
    // Funds pending in the snapshot settle after the restore exactly as they do in the original.
    let pending = |b: &Value| b["pending"][0]["amount"].as_i64().unwrap();
    assert!(pending(&u.get("/v1/balance").await.ok().body) > 0);
    t.advance(chrono::Duration::days(3));
    u.advance(chrono::Duration::days(3));
    let (a, b) = (
        t.get("/v1/balance").await.ok().body,
        u.get("/v1/balance").await.ok().body,
    );
    assert_eq!(a, b);
    assert_eq!(pending(&b), 0);
    assert!(u.sim.restore(json!({"objects": 5})).is_err());
}

impl T {
    /// Runs time-driven changes through the admin route.
    pub async fn tick_now(&self) {
        self.admin(reqwest::Method::POST, "/clock/tick", json!({}))
            .await
            .ok();
    }
}
