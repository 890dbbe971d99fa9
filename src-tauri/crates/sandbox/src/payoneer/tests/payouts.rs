//! Mass payouts: validation, dedupe, funds, asynchronous settlement, status, cancel, balance.

use chrono::Duration;
use serde_json::{Value, json};

use super::{Fixture, dec, new_payee};
use crate::payoneer::{PayeeStatus, PayoutStatus, Scope};

fn item(reference: &str, payee: &str, amount: Value, currency: &str) -> Value {
    json!({"client_reference_id": reference, "payee_id": payee, "amount": amount,
           "currency": currency, "description": "March payout"})
}

fn batch(items: Vec<Value>) -> Value {
    json!({ "Payments": items })
}

#[tokio::test]
async fn invalid_batch_is_rejected_whole_naming_every_bad_item() {
    let f = Fixture::start().await;
    f.payee("good", "USD");
    f.sim
        .insert_payee(new_payee("pend", PayeeStatus::Pending, "USD", None), f.now());
    f.sim
        .insert_payee(new_payee("gone", PayeeStatus::Inactive, "USD", None), f.now());
    f.sim.set_balance("USD", dec("10000"));
    f.sim.set_balance("JPY", dec("100000"));
    let body = batch(vec![
        item("ok-1", "good", json!(10.5), "USD"),
        item("bad-payee", "nobody", json!(1), "USD"),
        item("bad-pending", "pend", json!(1), "USD"),
        item("bad-inactive", "gone", json!(1), "USD"),
        item("bad-currency", "good", json!(1), "XYZ"),
        item("bad-zero", "good", json!(0), "USD"),
        item("bad-decimals", "good", json!("1.005"), "USD"),
        item("bad-jpy", "good", json!(1.5), "JPY"),
        item("ok-1", "good", json!(2), "USD"),
    ]);
    let (status, body) = f.post("/masspayouts", &body).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "Bad Request");
    assert_eq!(body["error_details"]["code"], 400);
    assert_eq!(body["error_details"]["sub_code"], 1000);
    let errors = body["error_details"]["errors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let pairs: Vec<(String, String)> = errors
        .iter()
        .map(|e| {
            (
                e["target"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expect = [
        ("Payments[1].payee_id", "payee_not_found"),
        ("Payments[2].payee_id", "payee_not_active"),
        ("Payments[3].payee_id", "payee_not_active"),
        ("Payments[4].currency", "invalid_currency"),
        ("Payments[5].amount", "invalid_amount"),
        ("Payments[6].amount", "invalid_amount"),
        ("Payments[7].amount", "invalid_amount"),
        ("Payments[8].client_reference_id", "duplicate_client_reference_id"),
    ];
    for (target, code) in expect {
        assert!(
            pairs.contains(&(target.into(), code.into())),
            "missing {target} {code} in {pairs:?}"
        );
    }
    assert!(
        !pairs.iter().any(|(t, _)| t.starts_with("Payments[0]")),
        "{pairs:?}"
    );
    assert!(
        errors
            .iter()
            .all(|e| e["message"].is_string() && e["value"].is_string())
    );
    // Nothing created, nothing drawn.
    assert!(f.sim.ledger().is_empty());
    assert!(f.sim.payouts().is_empty());
    assert_eq!(f.sim.balance("USD"), dec("10000"));
    let (status, _) = f.get("/payouts/ok-1/status").await;
    assert_eq!(status, 404);
    f.stop().await;
}

#[tokio::test]
async fn batch_size_and_shape_limits() {
    let f = Fixture::start().await;
    f.payee("good", "USD");
    f.sim.set_balance("USD", dec("100000"));
    let many: Vec<Value> = (0..501)
        .map(|i| item(&format!("r-{i}"), "good", json!(1), "USD"))
        .collect();
    let (status, body) = f.post("/masspayouts", &batch(many)).await;
    assert_eq!(status, 400);
    assert_eq!(body["error_details"]["errors"][0]["code"], "invalid_batch_size");
    let (status, _) = f.post("/masspayouts", &batch(vec![])).await;
    assert_eq!(status, 400);
    let (status, _) = f.post("/masspayouts", &json!({"payments": []})).await;
    assert_eq!(status, 400);
    let exactly: Vec<Value> = (0..500)
        .map(|i| item(&format!("r-{i}"), "good", json!(1), "USD"))
        .collect();
    let (status, body) = f.post("/masspayouts", &batch(exactly)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(f.sim.ledger().len(), 500);
    f.stop().await;
}

#[tokio::test]
async fn resubmitted_reference_is_rejected_and_paid_once() {
    let f = Fixture::start().await;
    f.payee("good", "USD");
    f.sim.set_balance("USD", dec("100"));
    let one = batch(vec![item("ref-1", "good", json!(15.0), "USD")]);
    let (status, body) = f.post("/masspayouts", &one).await;
    assert_eq!((status, body), (200, json!({"result": "Payments Created"})));
    // The retry after a lost response: rejected, not paid again.
    let (status, body) = f.post("/masspayouts", &one).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error_details"]["sub_code"], 2307);
    assert_eq!(
        body["error_details"]["errors"][0]["code"],
        "client_reference_id_already_exists"
    );
    assert_eq!(body["error_details"]["errors"][0]["value"], "ref-1");
    // Mixed with a new item: the whole batch is still rejected, nothing created.
    let mixed = batch(vec![
        item("ref-1", "good", json!(15), "USD"),
        item("ref-2", "good", json!(1), "USD"),
    ]);
    let (status, body) = f.post("/masspayouts", &mixed).await;
    assert_eq!(status, 400);
    assert_eq!(body["error_details"]["sub_code"], 2307);
    let ledger = f.sim.ledger();
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0].client_reference_id, "ref-1");
    assert_eq!(ledger[0].amount, dec("15"));
    assert_eq!(f.sim.duplicate_submissions(), 2);
    assert_eq!(f.sim.balance("USD"), dec("85"));
    f.stop().await;
}

#[tokio::test]
async fn insufficient_funds_rejects_the_batch_naming_the_amount() {
    let f = Fixture::start().await;
    f.payee("good", "USD");
    f.sim.set_balance("USD", dec("100.00"));
    f.sim.set_fee("USD", dec("1.25"));
    let body = batch(vec![
        item("a", "good", json!("60.00"), "USD"),
        item("b", "good", json!("40.00"), "USD"),
    ]);
    let (status, body) = f.post("/masspayouts", &body).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error_details"]["sub_code"], 2308);
    let error = &body["error_details"]["errors"][0];
    assert_eq!(error["code"], "insufficient_funds");
    assert_eq!(error["value"], "102.50");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap_or_default()
            .contains("102.50 USD")
    );
    assert!(f.sim.ledger().is_empty());
    assert_eq!(f.sim.balance("USD"), dec("100.00"));
    f.stop().await;
}

#[tokio::test]
async fn payouts_settle_asynchronously_with_fee_and_exact_fx() {
    let f = Fixture::start().await;
    f.payee("eu", "EUR");
    f.payee("us", "USD");
    f.sim.set_balance("USD", dec("1000.00"));
    f.sim.set_fee("USD", dec("2.00"));
    f.sim.set_fx_rate("USD", "EUR", dec("0.923456"));
    let body = batch(vec![
        item("fx-1", "eu", json!(100.25), "USD"),
        item("us-1", "us", json!("5.10"), "USD"),
    ]);
    let (status, _) = f.post("/masspayouts", &body).await;
    assert_eq!(status, 200);
    // Drawn down at acceptance: 100.25 + 5.10 + 2 × 2.00 fee.
    assert_eq!(f.sim.balance("USD"), dec("890.65"));
    let (_, body) = f.get("/balance").await;
    assert_eq!(body, json!({"result": {"balance": 890.65, "currency": "USD"}}));

    let (status, body) = f.get("/payouts/fx-1/status").await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["status"], "Pending");
    assert!(body["result"].get("target_amount").is_none());
    f.clock.advance(Duration::seconds(119));
    let (_, body) = f.get("/payouts/fx-1/status").await;
    assert_eq!(body["result"]["status"], "Pending");
    f.clock.advance(Duration::seconds(1));
    let (_, body) = f.get("/payouts/fx-1/status").await;
    let r = &body["result"];
    assert_eq!(r["status"], "Transferred", "{body}");
    assert_eq!(r["amount"], json!(100.25));
    assert_eq!(r["currency"], "USD");
    assert_eq!(r["payee_id"], "eu");
    assert_eq!(r["fee"], json!(2));
    // 100.25 × 0.923456 = 92.5764640 → 92.58 EUR.
    assert_eq!(r["target_amount"], json!(92.58));
    assert_eq!(r["target_currency"], "EUR");
    assert_eq!(r["payout_date"], "2026-01-01T00:00:00+00:00");
    assert_eq!(r["load_date"], "2026-01-01T00:02:00+00:00");
    assert!(r["payout_id"].as_str().is_some_and(|id| id.len() == 10));
    let (_, body) = f.get("/payouts/us-1/status").await;
    assert_eq!(body["result"]["amount"], json!(5.1));
    assert!(body["result"].get("target_amount").is_none());
    assert!(
        f.sim
            .ledger()
            .iter()
            .all(|e| e.status == PayoutStatus::Transferred)
    );
    f.stop().await;
}

#[tokio::test]
async fn failing_payee_is_cancelled_with_reason_and_refunded() {
    let f = Fixture::start().await;
    f.failing_payee("bad-bank");
    f.sim.set_balance("USD", dec("50"));
    f.sim.set_fee("USD", dec("1"));
    let (status, _) = f
        .post(
            "/masspayouts",
            &batch(vec![item("r-f", "bad-bank", json!(5.1), "USD")]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(f.sim.balance("USD"), dec("43.9"));
    // Admin "settle now" skips the delay.
    let moved = f.sim.settle_now(Scope::All).await;
    assert_eq!(moved, 1);
    let (_, body) = f.get("/payouts/r-f/status").await;
    let r = &body["result"];
    assert_eq!(r["status"], "Cancelled");
    assert_eq!(r["cancel_reason_code"], 30013);
    assert_eq!(
        r["cancel_reason_description"],
        "Bank details - Invalid Branch Code"
    );
    assert_eq!(r["reason_code"], "30013");
    assert_eq!(r["reason_description"], "Bank details - Invalid Branch Code");
    assert_eq!(f.sim.balance("USD"), dec("50"));
    f.stop().await;
}

#[tokio::test]
async fn unknown_payout_is_404_sub_code_2306() {
    let f = Fixture::start().await;
    let (status, body) = f.get("/payouts/never-sent/status").await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        json!({"error":"Not Found","error_description":"Payout not found","error_details":{"code":404,"sub_code":2306}})
    );
    let (status, body) = f.put("/payouts/never-sent/cancel").await;
    assert_eq!(
        (status, body["error_details"]["sub_code"].clone()),
        (404, json!(2306))
    );
    f.stop().await;
}

#[tokio::test]
async fn cancel_accepts_put_and_post_and_acts_asynchronously() {
    let f = Fixture::start().await;
    f.payee("good", "USD");
    f.sim.set_balance("USD", dec("100"));
    let body = batch(vec![
        item("c-1", "good", json!(10), "USD"),
        item("c-2", "good", json!(20), "USD"),
    ]);
    let (status, _) = f.post("/masspayouts", &body).await;
    assert_eq!(status, 200);
    let accepted = json!({"result": {"description": "The request was received successfully. The cancel action has not yet been performed."}});
    let (status, body) = f.put("/payouts/c-1/cancel").await;
    assert_eq!((status, body), (200, accepted.clone()));
    let (status, body) = f.post("/payouts/c-2/cancel", &json!({})).await;
    assert_eq!((status, body), (200, accepted));
    // Not performed yet.
    let (_, body) = f.get("/payouts/c-1/status").await;
    assert_eq!(body["result"]["status"], "Pending");
    assert_eq!(f.sim.balance("USD"), dec("70"));
    f.clock.advance(Duration::seconds(5));
    let (_, body) = f.get("/payouts/c-1/status").await;
    assert_eq!(body["result"]["status"], "Cancelled");
    assert_eq!(body["result"]["cancel_reason_code"], 10301);
    assert!(body["result"].get("reason_code").is_none());
    assert_eq!(f.sim.balance("USD"), dec("100"));
    // Stays cancelled; never settles later.
    f.clock.advance(Duration::seconds(600));
    let (_, body) = f.get("/payouts/c-2/status").await;
    assert_eq!(body["result"]["status"], "Cancelled");
    let (status, body) = f.put("/payouts/c-2/cancel").await;
    assert_eq!(status, 400);
    assert_eq!(body["error_details"]["sub_code"], 2309);
    f.stop().await;
}

#[tokio::test]
async fn cancel_after_transfer_is_refused_and_a_late_cancel_loses_the_race() {
    let f = Fixture::start().await;
    f.payee("good", "USD");
    f.sim.set_balance("USD", dec("100"));
    let (status, _) = f
        .post(
            "/masspayouts",
            &batch(vec![item("t-1", "good", json!(10), "USD")]),
        )
        .await;
    assert_eq!(status, 200);
    f.clock.advance(Duration::seconds(117));
    let (status, _) = f.put("/payouts/t-1/cancel").await;
    assert_eq!(status, 200);
    // Settlement (at 120 s) comes before the cancel (at 122 s).
    f.clock.advance(Duration::seconds(10));
    let (_, body) = f.get("/payouts/t-1/status").await;
    assert_eq!(body["result"]["status"], "Transferred");
    let (status, _) = f.put("/payouts/t-1/cancel").await;
    assert_eq!(status, 400);
    assert_eq!(f.sim.balance("USD"), dec("90"));
    f.stop().await;
}

#[tokio::test]
async fn payout_date_in_the_future_delays_settlement() {
    let mut f = Fixture::start().await;
    f.payee("good", "USD");
    f.sim.set_balance("USD", dec("100"));
    let mut one = item("d-1", "good", json!(1), "USD");
    one["payout_date"] = json!("2026-01-03");
    let (status, body) = f.post("/masspayouts", &batch(vec![one])).await;
    assert_eq!(status, 200, "{body}");
    f.clock.advance(Duration::days(1));
    // Tokens last an hour on the sim clock too.
    f.token = super::get_token(&f.http, &f.handle.base_url).await;
    let (_, body) = f.get("/payouts/d-1/status").await;
    assert_eq!(body["result"]["status"], "Pending");
    assert_eq!(
        body["result"]["scheduled_payout_date"],
        "2026-01-03T00:00:00+00:00"
    );
    f.clock.advance(Duration::days(1));
    f.token = super::get_token(&f.http, &f.handle.base_url).await;
    let (_, body) = f.get("/payouts/d-1/status").await;
    assert_eq!(body["result"]["status"], "Transferred");
    f.stop().await;
}

#[tokio::test]
async fn balances_lists_every_currency() {
    let f = Fixture::start().await;
    f.sim.set_balance("USD", dec("12.50"));
    f.sim.set_balance("EUR", dec("3"));
    let (_, body) = f.get("/balances").await;
    assert_eq!(
        body,
        json!({"result": {"items": [{"balance": 3, "currency": "EUR"}, {"balance": 12.5, "currency": "USD"}]}})
    );
    let (_, body) = f.get("/balance?currency=eur").await;
    assert_eq!(body["result"]["currency"], "EUR");
    f.stop().await;
}
