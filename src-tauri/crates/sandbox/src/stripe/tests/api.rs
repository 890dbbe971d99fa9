//! Auth, headers, errors, customers, payment intents, charges, amounts and rate limits.

use axum::http::StatusCode;
use base64::Engine;
use serde_json::json;

use super::T;
use crate::faults::{ErrorFault, FaultConfig, FaultRule};

#[tokio::test]
async fn bearer_and_basic_auth_and_refusals() {
    let t = T::start().await;
    assert_eq!(t.get("/v1/customers").await.status, StatusCode::OK);
    let basic = base64::engine::general_purpose::STANDARD.encode("sk_test_sandbox:");
    let r = t
        .http
        .get(t.url("/v1/customers"))
        .header("authorization", format!("Basic {basic}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);

    let r = t.http.get(t.url("/v1/customers")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("You did not provide an API key.")
    );

    for key in ["sk_test_unknownkey1234", "sk_live_abcdefgh9876"] {
        let r = t
            .http
            .get(t.url("/v1/customers"))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 401, "{key}");
        assert!(r.headers().contains_key("www-authenticate"));
        let body: serde_json::Value = r.json().await.unwrap();
        let msg = body["error"]["message"].as_str().unwrap();
        assert!(msg.starts_with("Invalid API Key provided: sk_"), "{msg}");
        assert!(
            msg.ends_with(&key[key.len() - 4..]) && msg.contains("****"),
            "{msg}"
        );
        assert!(!msg.contains(&key[8..key.len() - 4]), "the key is masked: {msg}");
    }

    // A registered key works; a live key stays refused even if registered.
    t.admin(
        reqwest::Method::POST,
        "/api_keys",
        json!({"key": "sk_test_second"}),
    )
    .await
    .ok();
    let r = t
        .http
        .get(t.url("/v1/customers"))
        .bearer_auth("sk_test_second")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let r = t
        .admin(reqwest::Method::POST, "/api_keys", json!({"key": "sk_live_x"}))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn request_id_version_and_unknown_urls() {
    let t = T::start().await;
    let r = t.get("/v1/balance").await.ok();
    assert!(r.header("request-id").unwrap().starts_with("req_"));
    assert_eq!(r.header("stripe-version"), Some("2023-08-16"));
    let r = t
        .http
        .get(t.url("/v1/balance"))
        .bearer_auth(&t.key)
        .header("stripe-version", "2024-09-30.acacia")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["stripe-version"], "2024-09-30.acacia");
    let r = t
        .http
        .get(t.url("/v1/balance"))
        .bearer_auth(&t.key)
        .header("stripe-version", "yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);

    let r = t.get("/v1/nothing_here").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(
        r.body["error"]["message"],
        "Unrecognized request URL (GET: /v1/nothing_here). Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
    );
    let r = t.delete("/v1/charges/ch_1").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn customers_crud_and_errors() {
    let t = T::start().await;
    let r = t
        .post(
            "/v1/customers",
            &[
                ("email", "ada@example.com"),
                ("name", "Ada"),
                ("metadata[order_id]", "6735"),
            ],
        )
        .await
        .ok();
    let id = r.id();
    assert!(id.starts_with("cus_") && id.len() == 18, "{id}");
    assert_eq!(r.body["metadata"]["order_id"], "6735");
    assert_eq!(r.body["object"], "customer");
    assert_eq!(r.body["created"], json!(t.clock_now()));

    let r = t
        .post(
            &format!("/v1/customers/{id}"),
            &[("name", "Ada L"), ("metadata[order_id]", "")],
        )
        .await
        .ok();
    assert_eq!(r.body["name"], "Ada L");
    assert_eq!(r.body["metadata"], json!({}));

    let missing = t.get("/v1/customers/cus_doesnotexist").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.body,
        json!({"error": {"code": "resource_missing", "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
                         "message": "No such customer: 'cus_doesnotexist'", "param": "id", "type": "invalid_request_error"}})
    );

    let unknown = t.post("/v1/customers", &[("emial", "x@y.z")]).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.body["error"]["code"], "parameter_unknown");
    assert_eq!(unknown.body["error"]["param"], "emial");
    let bad = t.post("/v1/customers", &[("email", "not-an-email")]).await;
    assert_eq!(bad.body["error"]["param"], "email");

    let pi = t
        .post(
            "/v1/payment_intents",
            &[("amount", "1000"), ("currency", "usd"), ("customer", &id)],
        )
        .await
        .ok();
    let d = t.delete(&format!("/v1/customers/{id}")).await.ok();
    let expanded = t
        .get(&format!("/v1/payment_intents/{}?expand[]=customer", pi.id()))
        .await
        .ok();
    assert_eq!(
        expanded.body["customer"],
        json!({"id": id, "object": "customer", "deleted": true})
    );
    let missing_pi = t.get("/v1/payment_intents/pi_missing").await;
    assert_eq!(missing_pi.body["error"]["param"], "id");
    assert_eq!(
        missing_pi.body["error"]["message"],
        "No such payment_intent: 'pi_missing'"
    );
    assert_eq!(d.body, json!({"id": id, "object": "customer", "deleted": true}));
    let again = t.get(&format!("/v1/customers/{id}")).await.ok();
    assert_eq!(again.body["deleted"], true);
    let upd = t.post(&format!("/v1/customers/{id}"), &[("name", "x")]).await;
    assert_eq!(upd.status, StatusCode::NOT_FOUND);
    let list = t.get("/v1/customers").await.ok();
    assert_eq!(list.body["data"], json!([]));
}

#[tokio::test]
async fn payment_intent_success_books_charge_and_fee() {
    let t = T::start().await;
    let cus = t.customer("p@example.com").await;
    let pi = t
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "2000"),
                ("currency", "usd"),
                ("customer", &cus),
                ("metadata[order]", "A1"),
            ],
        )
        .await
        .ok();
    assert_eq!(pi.body["status"], "requires_payment_method");
    let id = pi.id();
    let r = t
        .post(
            &format!("/v1/payment_intents/{id}/confirm"),
            &[("payment_method", "pm_card_visa")],
        )
        .await
        .ok();
    assert_eq!(r.body["status"], "succeeded");
    assert_eq!(r.body["amount_received"], 2000);
    let ch = r.body["latest_charge"].as_str().unwrap().to_owned();
    let charge = t
        .get(&format!("/v1/charges/{ch}?expand[]=balance_transaction"))
        .await
        .ok();
    assert_eq!(charge.body["status"], "succeeded");
    assert_eq!(charge.body["metadata"]["order"], "A1");
    let txn = &charge.body["balance_transaction"];
    assert_eq!(txn["object"], "balance_transaction");
    assert_eq!(txn["amount"], 2000);
    assert_eq!(txn["fee"], 58 + 30);
    assert_eq!(txn["net"], 2000 - 88);
    assert_eq!(txn["status"], "pending");
    assert_eq!(txn["fee_details"][0]["type"], "stripe_fee");

    let expanded = t
        .get(&format!(
            "/v1/payment_intents/{id}?expand[]=latest_charge.balance_transaction"
        ))
        .await
        .ok();
    assert_eq!(expanded.body["latest_charge"]["balance_transaction"]["net"], 1912);
    let bad = t.get(&format!("/v1/payment_intents/{id}?expand[]=amount")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let again = t.post(&format!("/v1/payment_intents/{id}/confirm"), &[]).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.body["error"]["code"], "payment_intent_unexpected_state");

    // Funds become available after two days.
    t.advance(chrono::Duration::days(2));
    let txn = t
        .get(&format!(
            "/v1/balance_transactions/{}",
            txn["id"].as_str().unwrap()
        ))
        .await
        .ok();
    assert_eq!(txn.body["status"], "available");
    let bal = t.get("/v1/balance").await.ok();
    assert_eq!(
        bal.body["available"][0],
        json!({"amount": 1912, "currency": "usd", "source_types": {"card": 1912}})
    );
}

#[tokio::test]
async fn declines_are_402_card_errors_with_a_failed_charge() {
    let t = T::start().await;
    let r = t
        .pay("1500", "usd", "pm_card_chargeDeclinedInsufficientFunds")
        .await;
    assert_eq!(r.status, StatusCode::PAYMENT_REQUIRED);
    let e = &r.body["error"];
    assert_eq!(e["type"], "card_error");
    assert_eq!(e["code"], "card_declined");
    assert_eq!(e["decline_code"], "insufficient_funds");
    assert_eq!(e["message"], "Your card has insufficient funds.");
    assert_eq!(e["doc_url"], "https://stripe.com/docs/error-codes/card-declined");
    assert_eq!(e["payment_intent"]["status"], "requires_payment_method");
    let ch = e["charge"].as_str().unwrap();
    let charge = t.get(&format!("/v1/charges/{ch}")).await.ok();
    assert_eq!(charge.body["status"], "failed");
    assert_eq!(charge.body["balance_transaction"], json!(null));
    assert_eq!(charge.body["failure_code"], "card_declined");

    let r = t.pay("1500", "usd", "pm_card_chargeDeclinedExpiredCard").await;
    assert_eq!(r.body["error"]["code"], "expired_card");
    assert!(r.body["error"].get("decline_code").is_none());

    let r = t.pay("1500", "usd", "pm_card_unknown").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["error"]["param"], "payment_method");
}

#[tokio::test]
async fn manual_capture_partial_and_cancel() {
    let t = T::start().await;
    let pi = t
        .post(
            "/v1/payment_intents",
            &[
                ("amount", "5000"),
                ("currency", "eur"),
                ("capture_method", "manual"),
                ("payment_method", "pm_card_mastercard"),
                ("confirm", "true"),
            ],
        )
        .await
        .ok();
    assert_eq!(pi.body["status"], "requires_capture");
    assert_eq!(pi.body["amount_capturable"], 5000);
    let id = pi.id();
    let too_much = t
        .post(
            &format!("/v1/payment_intents/{id}/capture"),
            &[("amount_to_capture", "6000")],
        )
        .await;
    assert_eq!(too_much.status, StatusCode::BAD_REQUEST);
    let r = t
        .post(
            &format!("/v1/payment_intents/{id}/capture"),
            &[("amount_to_capture", "4000")],
        )
        .await
        .ok();
    assert_eq!(r.body["status"], "succeeded");
    assert_eq!(r.body["amount_received"], 4000);
    let ch = t
        .get(&format!(
            "/v1/charges/{}",
            r.body["latest_charge"].as_str().unwrap()
        ))
        .await
        .ok();
    assert_eq!(ch.body["amount_captured"], 4000);
    assert_eq!(ch.body["captured"], true);

    let pi2 = t
        .post("/v1/payment_intents", &[("amount", "700"), ("currency", "usd")])
        .await
        .ok()
        .id();
    let c = t
        .post(
            &format!("/v1/payment_intents/{pi2}/cancel"),
            &[("cancellation_reason", "abandoned")],
        )
        .await
        .ok();
    assert_eq!(c.body["status"], "canceled");
    assert_eq!(c.body["cancellation_reason"], "abandoned");
    let again = t.post(&format!("/v1/payment_intents/{pi2}/cancel"), &[]).await;
    assert_eq!(again.body["error"]["code"], "payment_intent_unexpected_state");
}

#[tokio::test]
async fn authentication_required_then_confirm_again() {
    let t = T::start().await;
    let r = t.pay("1000", "usd", "pm_card_authenticationRequired").await.ok();
    assert_eq!(r.body["status"], "requires_action");
    assert_eq!(r.body["next_action"]["type"], "use_stripe_sdk");
    let r = t
        .post(&format!("/v1/payment_intents/{}/confirm", r.id()), &[])
        .await
        .ok();
    assert_eq!(r.body["status"], "succeeded");
}

#[tokio::test]
async fn amount_rules_three_decimal_isk_minimums() {
    let t = T::start().await;
    let r = t
        .post("/v1/payment_intents", &[("amount", "5124"), ("currency", "kwd")])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["code"], "invalid_charge_amount");
    assert_eq!(r.body["error"]["param"], "amount");
    assert!(r.body["error"]["message"].as_str().unwrap().contains("KWD"));
    let ok = t
        .post("/v1/payment_intents", &[("amount", "5120"), ("currency", "kwd")])
        .await
        .ok();
    assert_eq!(ok.body["amount"], 5120);
    let isk = t
        .post("/v1/payment_intents", &[("amount", "4010"), ("currency", "isk")])
        .await;
    assert_eq!(
        isk.body["error"]["code"],
        "invalid_charge_amount_no_decimal_compatible"
    );
    let small = t
        .post("/v1/payment_intents", &[("amount", "20"), ("currency", "usd")])
        .await;
    assert_eq!(small.body["error"]["code"], "amount_too_small");
    assert_eq!(
        small.body["error"]["message"],
        "Amount must be at least $0.50 usd"
    );
    let frac = t
        .post("/v1/payment_intents", &[("amount", "10.5"), ("currency", "usd")])
        .await;
    assert_eq!(frac.body["error"]["message"], "Invalid integer: 10.5");
    let cur = t
        .post("/v1/payment_intents", &[("amount", "1000"), ("currency", "xyz")])
        .await;
    assert_eq!(cur.body["error"]["param"], "currency");
    let missing = t.post("/v1/payment_intents", &[("amount", "1000")]).await;
    assert_eq!(
        missing.body["error"]["message"],
        "Missing required param: currency."
    );
    // Fee on a three-decimal currency: 2.9 % + 0.300 KWD.
    let p = t.pay("10000", "kwd", "pm_card_visa").await.ok();
    let ch = p.body["latest_charge"].as_str().unwrap();
    let c = t
        .get(&format!("/v1/charges/{ch}?expand[]=balance_transaction"))
        .await
        .ok();
    assert_eq!(c.body["balance_transaction"]["fee"], 290 + 300);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let t = T::start_default().await;
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..300 {
        let r = t.get("/v1/balance").await;
        statuses.push(r.status.as_u16());
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(r);
            break;
        }
    }
    let r = limited.unwrap_or_else(|| panic!("never limited: {statuses:?}"));
    assert!(
        statuses.iter().filter(|s| **s == 200).count() >= 25,
        "{statuses:?}"
    );
    assert_eq!(r.body["error"]["code"], "rate_limit");
    assert_eq!(r.body["error"]["type"], "invalid_request_error");
    assert_eq!(r.header("retry-after"), Some("1"));
    assert!(r.header("stripe-should-retry").is_none());
    // Configurable: a Stripe-Should-Retry value can be sent.
    let mut c = t.sim.config();
    c.rate_limit_per_sec = 1;
    c.rate_limit_burst = 1;
    c.rate_limit_should_retry = Some(true);
    t.admin(reqwest::Method::PUT, "/config", serde_json::to_value(&c).unwrap())
        .await
        .ok();
    t.get("/v1/balance").await.ok();
    let r = t.get("/v1/balance").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.header("stripe-should-retry"), Some("true"));
    // Another key has its own bucket.
    t.sim.add_api_key("sk_test_other");
    let r = t
        .http
        .get(t.url("/v1/balance"))
        .bearer_auth("sk_test_other")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn injected_faults_use_stripe_bodies() {
    let t = T::start().await;
    t.handle.faults.set(FaultConfig {
        seed: 1,
        hang_ms: 10,
        rules: vec![
            FaultRule {
                path_prefix: Some("/v1/customers".into()),
                errors: vec![ErrorFault {
                    status: 500,
                    rate_bp: 10_000,
                    retry_after_secs: None,
                }],
                ..FaultRule::default()
            },
            FaultRule {
                path_prefix: Some("/v1/balance".into()),
                errors: vec![ErrorFault {
                    status: 429,
                    rate_bp: 10_000,
                    retry_after_secs: Some(3),
                }],
                ..FaultRule::default()
            },
        ],
    });
    let r = t.get("/v1/customers").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(r.body["error"]["type"], "api_error");
    assert!(r.header("request-id").is_some());
    let r = t.get("/v1/balance").await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body["error"]["code"], "rate_limit");
    assert_eq!(r.header("retry-after"), Some("3"));
}

impl T {
    /// The sandbox clock in Unix seconds.
    pub fn clock_now(&self) -> i64 {
        use paysync_core::Clock;
        self.clock.now().timestamp()
    }
}

#[tokio::test]
async fn objects_have_dashboard_pages_as_the_console_links_them() {
    let t = T::start().await;
    let customer = t
        .post("/v1/customers", &[("email", "payer@example.com")])
        .await
        .ok()
        .id();
    for path in [
        format!("/dashboard/customers/{customer}"),
        format!("/dashboard/test/customers/{customer}"),
    ] {
        let page = t
            .http
            .get(t.url(&path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(page.status(), StatusCode::OK, "{path}");
        let html = page.text().await.unwrap_or_default();
        assert!(
            html.contains("payer@example.com") && html.contains(&customer),
            "{html}"
        );
    }
    let missing = t
        .http
        .get(t.url("/dashboard/payments/ch_missing"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
