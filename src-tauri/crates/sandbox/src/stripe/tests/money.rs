//! Refunds, disputes, payouts and balance transactions, subscriptions and invoices.

use axum::http::StatusCode;
use chrono::Duration;
use reqwest::Method;
use serde_json::{Value, json};

use super::T;

async fn charge(t: &T, amount: &str) -> String {
    let pi = t.pay(amount, "usd", "pm_card_visa").await.ok();
    pi.body["latest_charge"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn refunds_partial_full_and_excess() {
    let t = T::start().await;
    let ch = charge(&t, "5000").await;
    let r1 = t
        .post(
            "/v1/refunds",
            &[
                ("charge", &ch),
                ("amount", "2000"),
                ("reason", "requested_by_customer"),
            ],
        )
        .await
        .ok();
    assert_eq!(r1.body["status"], "succeeded");
    assert_eq!(r1.body["amount"], 2000);
    let c = t.get(&format!("/v1/charges/{ch}")).await.ok();
    assert_eq!(c.body["amount_refunded"], 2000);
    assert_eq!(c.body["refunded"], false);
    assert!(c.body.get("refunds").is_none(), "refunds only when expanded");

    let too_much = t
        .post("/v1/refunds", &[("charge", &ch), ("amount", "3001")])
        .await;
    assert_eq!(too_much.status, StatusCode::BAD_REQUEST);
    assert_eq!(too_much.body["error"]["param"], "amount");
    assert_eq!(
        too_much.body["error"]["message"],
        "Refund amount ($30.01) is greater than unrefunded amount on charge ($30.00)"
    );

    // The rest, through the payment intent and then the nested route.
    let pi = c.body["payment_intent"].as_str().unwrap().to_owned();
    t.post("/v1/refunds", &[("payment_intent", &pi), ("amount", "1000")])
        .await
        .ok();
    t.post(&format!("/v1/charges/{ch}/refunds"), &[]).await.ok();
    let c = t.get(&format!("/v1/charges/{ch}?expand[]=refunds")).await.ok();
    assert_eq!(c.body["amount_refunded"], 5000);
    assert_eq!(c.body["refunded"], true);
    assert_eq!(c.body["refunds"]["data"].as_array().unwrap().len(), 3);
    let done = t.post("/v1/refunds", &[("charge", &ch)]).await;
    assert_eq!(done.body["error"]["code"], "charge_already_refunded");
    let nested = t.get(&format!("/v1/charges/{ch}/refunds?limit=2")).await.ok();
    assert_eq!(nested.body["url"], format!("/v1/charges/{ch}/refunds"));
    assert_eq!(nested.body["has_more"], true);
    let txns = t.get("/v1/balance_transactions?type=refund").await.ok();
    let nets: i64 = txns.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["net"].as_i64().unwrap())
        .sum();
    assert_eq!(nets, -5000);
    let neither = t.post("/v1/refunds", &[]).await;
    assert_eq!(neither.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn disputes_open_close_and_resolve() {
    let t = T::start().await;
    let ch = charge(&t, "8000").await;
    let d = t
        .admin(
            Method::POST,
            "/disputes",
            json!({"charge": ch, "reason": "product_not_received"}),
        )
        .await
        .ok();
    let dp = d.id();
    assert!(dp.starts_with("dp_"));
    assert_eq!(d.body["status"], "needs_response");
    assert_eq!(d.body["balance_transactions"][0]["amount"], -8000);
    assert_eq!(d.body["balance_transactions"][0]["fee"], 1500);
    let c = t.get(&format!("/v1/charges/{ch}")).await.ok();
    assert_eq!(c.body["disputed"], true);
    let r = t.post("/v1/refunds", &[("charge", &ch)]).await;
    assert_eq!(r.body["error"]["code"], "charge_disputed");

    let listed = t.get(&format!("/v1/disputes?charge={ch}")).await.ok();
    assert_eq!(listed.body["data"][0]["id"], json!(dp));
    let closed = t.post(&format!("/v1/disputes/{dp}/close"), &[]).await.ok();
    assert_eq!(closed.body["status"], "lost");
    let again = t.post(&format!("/v1/disputes/{dp}/close"), &[]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);

    // Evidence submitted, then won: the funds and fee come back.
    let ch2 = charge(&t, "4000").await;
    let d2 = t
        .admin(Method::POST, "/disputes", json!({"charge": ch2}))
        .await
        .ok()
        .id();
    let up = t
        .post(
            &format!("/v1/disputes/{d2}"),
            &[("evidence[uncategorized_text]", "delivered")],
        )
        .await
        .ok();
    assert_eq!(up.body["status"], "under_review");
    assert_eq!(up.body["evidence"]["uncategorized_text"], "delivered");
    let won = t
        .admin(
            Method::POST,
            &format!("/disputes/{d2}/resolve"),
            json!({"status": "won"}),
        )
        .await
        .ok();
    assert_eq!(won.body["status"], "won");
    assert_eq!(won.body["balance_transactions"][1]["net"], 4000 + 1500);
    let types: Vec<Value> = t.sim.events().iter().map(|e| e["type"].clone()).collect();
    for want in [
        "charge.dispute.created",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.closed",
        "charge.dispute.funds_reinstated",
        "charge.dispute.updated",
    ] {
        assert!(types.contains(&json!(want)), "{want}");
    }

    // A pm_card_createDispute payment is disputed right away.
    let p = t.pay("2500", "usd", "pm_card_createDispute").await.ok();
    let ch3 = p.body["latest_charge"].as_str().unwrap();
    let d3 = t.get(&format!("/v1/disputes?charge={ch3}")).await.ok();
    assert_eq!(d3.body["data"][0]["reason"], "fraudulent");
}

#[tokio::test]
async fn payouts_sweep_tie_out_and_advance_with_the_clock() {
    let t = T::start().await;
    for a in ["10000", "2500", "4000"] {
        charge(&t, a).await;
    }
    let ch = charge(&t, "1000").await;
    t.post("/v1/refunds", &[("charge", &ch), ("amount", "400")])
        .await
        .ok();
    t.advance(Duration::days(3));
    let po = t
        .admin(Method::POST, "/payouts", json!({"currency": "usd"}))
        .await
        .ok();
    let po_id = po.id();
    assert_eq!(po.body["automatic"], true);
    assert_eq!(po.body["status"], "pending");
    let txns = t
        .get(&format!("/v1/balance_transactions?payout={po_id}&limit=100"))
        .await
        .ok();
    let data = txns.body["data"].as_array().unwrap();
    let swept: i64 = data
        .iter()
        .filter(|x| x["type"] != "payout")
        .map(|x| x["net"].as_i64().unwrap())
        .sum();
    assert_eq!(swept, po.body["amount"].as_i64().unwrap());
    let own: Vec<&Value> = data.iter().filter(|x| x["type"] == "payout").collect();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0]["net"], -po.body["amount"].as_i64().unwrap());
    assert_eq!(data.len(), 6);
    let expected = (10_000 - 320) + (2_500 - 103) + (4_000 - 146) + (1_000 - 59) - 400;
    assert_eq!(po.body["amount"], expected);
    let bal = t.get("/v1/balance").await.ok();
    assert_eq!(bal.body["available"][0]["amount"], 0);

    t.advance(Duration::minutes(10));
    let p = t.get(&format!("/v1/payouts/{po_id}")).await.ok();
    assert_eq!(p.body["reconciliation_status"], "completed");
    t.advance(Duration::hours(1));
    assert_eq!(
        t.get(&format!("/v1/payouts/{po_id}")).await.ok().body["status"],
        "in_transit"
    );
    t.advance(Duration::days(2));
    assert_eq!(
        t.get(&format!("/v1/payouts/{po_id}")).await.ok().body["status"],
        "paid"
    );
    let kinds: Vec<String> = t
        .sim
        .events()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect();
    for want in [
        "payout.created",
        "payout.reconciliation_completed",
        "payout.updated",
        "payout.paid",
    ] {
        assert!(kinds.iter().any(|k| k == want), "{want}");
    }

    // Manual payouts: balance check, no itemisation, failure returns the funds.
    let low = t
        .post("/v1/payouts", &[("amount", "100"), ("currency", "usd")])
        .await;
    assert_eq!(low.body["error"]["code"], "balance_insufficient");
    charge(&t, "3000").await;
    t.advance(Duration::days(3));
    let m = t
        .post(
            "/v1/payouts",
            &[("amount", "1000"), ("currency", "usd"), ("metadata[batch]", "7")],
        )
        .await
        .ok();
    assert_eq!(m.body["automatic"], false);
    assert_eq!(m.body["reconciliation_status"], "not_applicable");
    let r = t
        .get(&format!("/v1/balance_transactions?payout={}", m.id()))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body["error"]["message"],
        "Balance transaction history can only be filtered on automatic transfers, not manual."
    );
    let f = t
        .admin(
            Method::POST,
            &format!("/payouts/{}/status", m.id()),
            json!({"status": "failed", "failure_code": "account_closed"}),
        )
        .await
        .ok();
    assert_eq!(f.body["status"], "failed");
    assert_eq!(f.body["failure_code"], "account_closed");
    assert!(
        f.body["failure_balance_transaction"]
            .as_str()
            .unwrap()
            .starts_with("txn_")
    );
    assert!(kinds_now(&t).contains(&"payout.failed".to_owned()));
    let c = t
        .post("/v1/payouts", &[("amount", "500"), ("currency", "usd")])
        .await
        .ok();
    let canceled = t.post(&format!("/v1/payouts/{}/cancel", c.id()), &[]).await.ok();
    assert_eq!(canceled.body["status"], "canceled");
    let huf = t
        .post("/v1/payouts", &[("amount", "1050"), ("currency", "huf")])
        .await;
    assert_eq!(huf.status, StatusCode::BAD_REQUEST);
}

fn kinds_now(t: &T) -> Vec<String> {
    t.sim
        .events()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn subscriptions_invoice_each_period() {
    let t = T::start().await;
    let prod = t.post("/v1/products", &[("name", "Pro plan")]).await.ok().id();
    let price = t
        .post(
            "/v1/prices",
            &[
                ("product", &prod),
                ("currency", "usd"),
                ("unit_amount", "2000"),
                ("recurring[interval]", "month"),
            ],
        )
        .await
        .ok();
    assert_eq!(price.body["type"], "recurring");
    let price = price.id();
    let one_time = t
        .post(
            "/v1/prices",
            &[("product", &prod), ("currency", "usd"), ("unit_amount", "500")],
        )
        .await
        .ok();
    assert_eq!(one_time.body["type"], "one_time");

    let cus = t.customer("sub@example.com").await;
    let no_pm = t
        .post(
            "/v1/subscriptions",
            &[("customer", &cus), ("items[0][price]", &price)],
        )
        .await;
    assert_eq!(no_pm.status, StatusCode::BAD_REQUEST);
    t.post(
        &format!("/v1/customers/{cus}"),
        &[("invoice_settings[default_payment_method]", "pm_card_visa")],
    )
    .await
    .ok();
    let sub = t
        .post(
            "/v1/subscriptions",
            &[
                ("customer", &cus),
                ("items[0][price]", &price),
                ("expand[]", "latest_invoice"),
            ],
        )
        .await
        .ok();
    assert_eq!(sub.body["status"], "active");
    assert_eq!(sub.body["items"]["data"][0]["price"]["id"], json!(price));
    let inv = &sub.body["latest_invoice"];
    assert_eq!(inv["status"], "paid");
    assert_eq!(inv["amount_paid"], 2000);
    assert_eq!(inv["billing_reason"], "subscription_create");
    let sub_id = sub.id();
    let wrong = t
        .post(
            "/v1/subscriptions",
            &[("customer", &cus), ("items[0][price]", &one_time.id())],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);

    // Two periods later: two renewal invoices, paid.
    t.advance(Duration::days(62));
    let invoices = t
        .get(&format!(
            "/v1/invoices?subscription={sub_id}&expand[]=data.subscription"
        ))
        .await
        .ok();
    let data = invoices.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert!(data.iter().all(|i| i["status"] == "paid"));
    assert_eq!(data[0]["billing_reason"], "subscription_cycle");
    assert_eq!(data[0]["subscription"]["id"], json!(sub_id));
    let s = t.get(&format!("/v1/subscriptions/{sub_id}")).await.ok();
    assert!(s.body["current_period_end"].as_i64().unwrap() > t.clock_now());

    // Cancel at period end, then it ends.
    let s = t
        .post(
            &format!("/v1/subscriptions/{sub_id}"),
            &[("cancel_at_period_end", "true")],
        )
        .await
        .ok();
    assert_eq!(s.body["cancel_at_period_end"], true);
    t.advance(Duration::days(31));
    let s = t.get(&format!("/v1/subscriptions/{sub_id}")).await.ok();
    assert_eq!(s.body["status"], "canceled");
    let kinds = kinds_now(&t);
    for want in [
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
        "invoice.created",
        "invoice.finalized",
        "invoice.paid",
        "invoice.payment_succeeded",
    ] {
        assert!(kinds.iter().any(|k| k == want), "{want}");
    }
}

#[tokio::test]
async fn failed_renewal_makes_the_subscription_past_due_and_cancel_works() {
    let t = T::start().await;
    let prod = t.post("/v1/products", &[("name", "Basic")]).await.ok().id();
    let price = t
        .post(
            "/v1/prices",
            &[
                ("product", &prod),
                ("currency", "usd"),
                ("unit_amount", "900"),
                ("recurring[interval]", "week"),
            ],
        )
        .await
        .ok()
        .id();
    let cus = t.customer("late@example.com").await;
    let sub = t
        .post(
            "/v1/subscriptions",
            &[
                ("customer", &cus),
                ("items[0][price]", &price),
                ("default_payment_method", "pm_card_visa"),
            ],
        )
        .await
        .ok()
        .id();
    t.post(
        &format!("/v1/subscriptions/{sub}"),
        &[("default_payment_method", "pm_card_chargeDeclined")],
    )
    .await
    .ok();
    t.advance(Duration::days(7));
    let s = t.get(&format!("/v1/subscriptions/{sub}")).await.ok();
    assert_eq!(s.body["status"], "past_due");
    let open = t
        .get(&format!("/v1/invoices?subscription={sub}&status=open"))
        .await
        .ok();
    let inv = open.body["data"][0].clone();
    assert_eq!(inv["attempt_count"], 1);
    let paid = t
        .post(
            &format!("/v1/invoices/{}/pay", inv["id"].as_str().unwrap()),
            &[("payment_method", "pm_card_visa")],
        )
        .await
        .ok();
    assert_eq!(paid.body["status"], "paid");
    assert_eq!(
        t.get(&format!("/v1/subscriptions/{sub}")).await.ok().body["status"],
        "active"
    );
    assert!(kinds_now(&t).contains(&"invoice.payment_failed".to_owned()));
    let c = t.delete(&format!("/v1/subscriptions/{sub}")).await.ok();
    assert_eq!(c.body["status"], "canceled");
    let listed = t.get("/v1/subscriptions").await.ok();
    assert_eq!(listed.body["data"], json!([]));
    let all = t.get("/v1/subscriptions?status=all").await.ok();
    assert_eq!(all.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn invoice_state_machine() {
    let t = T::start().await;
    let cus = t.customer("inv@example.com").await;
    let inv = t
        .post(
            "/v1/invoices",
            &[
                ("customer", &cus),
                ("collection_method", "send_invoice"),
                ("days_until_due", "14"),
            ],
        )
        .await
        .ok();
    assert_eq!(inv.body["status"], "draft");
    let id = inv.id();
    let f = t.post(&format!("/v1/invoices/{id}/finalize"), &[]).await.ok();
    assert_eq!(f.body["status"], "open");
    assert!(f.body["number"].as_str().unwrap().ends_with("-0001"));
    let v = t.post(&format!("/v1/invoices/{id}/void"), &[]).await.ok();
    assert_eq!(v.body["status"], "void");
    let bad = t.post(&format!("/v1/invoices/{id}/pay"), &[]).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let inv2 = t.post("/v1/invoices", &[("customer", &cus)]).await.ok().id();
    t.post(&format!("/v1/invoices/{inv2}/finalize"), &[]).await.ok();
    let u = t
        .post(&format!("/v1/invoices/{inv2}/mark_uncollectible"), &[])
        .await
        .ok();
    assert_eq!(u.body["status"], "uncollectible");

    let inv3 = t.post("/v1/invoices", &[("customer", &cus)]).await.ok().id();
    let d = t.delete(&format!("/v1/invoices/{inv3}")).await.ok();
    assert_eq!(d.body["deleted"], true);
    let inv4 = t.post("/v1/invoices", &[("customer", &cus)]).await.ok().id();
    let p = t
        .post(
            &format!("/v1/invoices/{inv4}/pay"),
            &[("paid_out_of_band", "true")],
        )
        .await
        .ok();
    assert_eq!(p.body["status"], "paid");
}
