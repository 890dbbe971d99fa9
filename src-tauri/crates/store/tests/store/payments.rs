//! The Payments view's reads: filters, sorts and pages in the database, and a payment's events.

use paysync_core::{Currency, Money};
use paysync_store::{NewInboxEvent, PaymentFilter, PaymentSort, PaymentSortColumn, ProviderPayment};
use serde_json::json;

use crate::common::{mem, t0};

fn pay(id: &str, minor: i64, currency: &str, minutes: i64, status: &str, customer: &str) -> ProviderPayment {
    ProviderPayment {
        provider: "stripe".into(),
        provider_id: id.into(),
        kind: "charge".into(),
        status: status.into(),
        amount: Money::from_minor(minor, currency.parse::<Currency>().expect("currency")),
        occurred_at: t0() + chrono::Duration::minutes(minutes),
        customer_ref: Some(customer.into()),
    }
}

fn ids(page: &paysync_store::Page<paysync_store::StoredPayment>) -> Vec<&str> {
    page.items
        .iter()
        .map(|p| p.payment.provider_id.as_str())
        .collect()
}

#[tokio::test]
async fn payments_are_filtered_sorted_and_paged_in_the_database() {
    let store = mem().await;
    let payments = store.payments();
    payments
        .upsert_many(
            &[
                pay("ch_a", 1_000, "EUR", 1, "succeeded", "cus_ada"),
                pay("ch_b", 50_000, "EUR", 2, "failed", "cus_bob"),
                pay("ch_c", 2_500, "USD", 3, "succeeded", "cus_ada"),
                pay("ch_d_100%", 9_900, "EUR", 4, "pending", "cus_cy"),
            ],
            t0(),
        )
        .await
        .expect("upsert");
    let all = payments
        .page(&PaymentFilter::default(), PaymentSort::default(), 10, 0)
        .await
        .expect("page");
    assert_eq!(all.total, 4);
    assert_eq!(
        ids(&all),
        ["ch_d_100%", "ch_c", "ch_b", "ch_a"],
        "newest first by default"
    );

    let by = |filter: PaymentFilter| {
        let payments = store.payments();
        async move {
            payments
                .page(&filter, PaymentSort::default(), 10, 0)
                .await
                .expect("page")
        }
    };
    let ada = by(PaymentFilter {
        text: Some("ada".into()),
        ..PaymentFilter::default()
    })
    .await;
    assert_eq!(ids(&ada), ["ch_c", "ch_a"], "customer id matches");
    let literal = by(PaymentFilter {
        text: Some("100%".into()),
        ..PaymentFilter::default()
    })
    .await;
    assert_eq!(ids(&literal), ["ch_d_100%"], "% is matched literally");
    let failed = by(PaymentFilter {
        status: Some("failed".into()),
        ..PaymentFilter::default()
    })
    .await;
    assert_eq!(ids(&failed), ["ch_b"]);
    let eur_range = by(PaymentFilter {
        currency: Some("EUR".into()),
        min_minor: Some(1_000),
        max_minor: Some(10_000),
        ..PaymentFilter::default()
    })
    .await;
    assert_eq!(ids(&eur_range), ["ch_d_100%", "ch_a"]);
    assert_eq!(eur_range.total, 2);

    let by_amount = payments
        .page(
            &PaymentFilter::default(),
            PaymentSort {
                column: PaymentSortColumn::Amount,
                descending: true,
            },
            2,
            1,
        )
        .await
        .expect("page");
    assert_eq!(ids(&by_amount), ["ch_d_100%", "ch_c"], "second and third largest");
    assert_eq!(by_amount.total, 4);

    let one = payments.get("stripe", "ch_b").await.expect("get").expect("found");
    assert_eq!(one.payment.amount.minor(), 50_000);
    assert!(payments.get("stripe", "ch_zz").await.expect("get").is_none());
}

#[tokio::test]
async fn a_payments_events_include_its_refunds_and_disputes_in_provider_order() {
    let store = mem().await;
    let event = |id: &str, kind: &str, created: i64, object: serde_json::Value| {
        NewInboxEvent::from_value(
            id,
            kind,
            &json!({"id": id, "object": "event", "type": kind, "created": created, "data": {"object": object}}),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    store
        .inbox()
        .record_many(
            "stripe",
            &[
                event("evt_3", "charge.dispute.created", 30, json!({"id": "dp_1", "object": "dispute", "charge": "ch_1", "amount": 500, "currency": "eur", "status": "needs_response"})),
                event("evt_1", "charge.succeeded", 10, json!({"id": "ch_1", "object": "charge", "amount": 1000, "currency": "eur", "status": "succeeded"})),
                event("evt_2", "refund.created", 20, json!({"id": "re_1", "object": "refund", "charge": "ch_1", "amount": 200, "currency": "eur"})),
                event("evt_9", "charge.succeeded", 15, json!({"id": "ch_2", "object": "charge"})),
            ],
            t0(),
        )
        .await
        .expect("record");
    let events = store
        .inbox()
        .about_object("stripe", "ch_1", 10)
        .await
        .expect("events");
    let got: Vec<(&str, Option<&str>)> = events
        .iter()
        .map(|e| (e.event_id.as_str(), e.object_id.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("evt_1", Some("ch_1")),
            ("evt_2", Some("re_1")),
            ("evt_3", Some("dp_1"))
        ]
    );
    assert_eq!(events[1].amount, Some(200));
    assert_eq!(events[0].created.map(|t| t.timestamp()), Some(10));
    assert!(
        store
            .inbox()
            .about_object("checkout", "ch_1", 10)
            .await
            .expect("events")
            .is_empty()
    );
}
