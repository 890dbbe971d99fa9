//! `POST /payments` outcomes, 3-D Secure, amount rules and validation errors.

use axum::http::StatusCode;
use serde_json::json;

use super::{assert_signed, card, env, json_of, payment, receiver};

fn is_checkout_id(id: &str, prefix: &str) -> bool {
    id.len() == prefix.len() + 27
        && id.starts_with(&format!("{prefix}_"))
        && id[prefix.len() + 1..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

#[tokio::test]
async fn approved_payment_is_authorized_then_captured_asynchronously() {
    let env = env().await;
    let hook = receiver(0).await;
    env.register(&hook, "whsec", &[]).await;

    let (status, body) = env.pay(&payment("4242424242424242", 6540, "USD")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let id = body["id"].as_str().unwrap();
    assert!(is_checkout_id(id, "pay"), "{id}");
    assert!(is_checkout_id(body["action_id"].as_str().unwrap(), "act"));
    assert_eq!(body["status"], "Authorized");
    assert_eq!(body["approved"], true);
    assert_eq!(body["response_code"], "10000");
    assert_eq!(body["response_summary"], "Approved");
    assert_eq!(body["amount"], 6540);
    assert_eq!(body["reference"], "ORD-1");
    assert_eq!(body["source"]["last4"], "4242");
    assert_eq!(body["source"]["scheme"], "Visa");
    assert!(is_checkout_id(body["customer"]["id"].as_str().unwrap(), "cus"));
    assert!(body["_links"]["self"]["href"].as_str().unwrap().ends_with(id));
    assert!(body["_links"]["actions"]["href"].is_string());

    let details = env.wait_status(id, "Captured").await;
    assert_eq!(details["balances"]["total_captured"], 6540);
    assert_eq!(details["balances"]["available_to_refund"], 6540);
    assert_eq!(details["metadata"], json!({ "order": 1 }));
    assert_eq!(details["actions"][0]["type"], "Capture");
    assert_eq!(details["actions"][1]["type"], "Authorization");

    let approved = hook.wait_for("payment_approved", id).await;
    assert_signed(&approved, "whsec");
    let captured = hook.wait_for("payment_captured", id).await;
    assert_signed(&captured, "whsec");
    let event = captured.json();
    assert!(is_checkout_id(event["id"].as_str().unwrap(), "evt"));
    assert_eq!(event["data"]["amount"], 6540);
    assert_eq!(event["data"]["currency"], "USD");
    assert_eq!(event["data"]["reference"], "ORD-1");
    assert_eq!(event["data"]["response_code"], "10000");
    assert!(is_checkout_id(
        event["data"]["action_id"].as_str().unwrap(),
        "act"
    ));
    assert!(event["created_on"].as_str().unwrap().ends_with('Z'));

    // The same card is the same stored source, usable as `{"type": "id"}`.
    let src = body["source"]["id"].as_str().unwrap();
    let (status, again) = env
        .pay(&json!({ "source": { "type": "id", "id": src }, "amount": 100, "currency": "USD", "capture": false }))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["source"]["id"], src);
    assert_eq!(again["status"], "Authorized");
}

#[tokio::test]
async fn declined_card_returns_201_declined() {
    let env = env().await;
    let hook = receiver(0).await;
    env.register(&hook, "k", &["payment_declined"]).await;
    let (status, body) = env.pay(&payment("4000000000000002", 1000, "EUR")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["status"], "Declined");
    assert_eq!(body["approved"], false);
    assert_eq!(body["response_code"], "20051");
    assert_eq!(body["response_summary"], "Insufficient Funds");
    assert!(body.get("auth_code").is_none());
    let id = body["id"].as_str().unwrap();
    let event = hook.wait_for("payment_declined", id).await.json();
    assert_eq!(event["data"]["response_code"], "20051");
    let (_, actions) = json_of(env.get(&format!("/payments/{id}/actions")).await).await;
    assert_eq!(actions[0]["approved"], false);
}

async fn three_ds_payment(env: &super::Env) -> (String, String) {
    let mut body = payment("4485040371536584", 2500, "GBP");
    body["3ds"] = json!({ "enabled": true });
    let (status, body) = env.pay(&body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "Pending");
    let redirect = body["_links"]["redirect"]["href"].as_str().unwrap().to_owned();
    (body["id"].as_str().unwrap().to_owned(), redirect)
}

#[tokio::test]
async fn three_ds_card_is_pending_until_the_challenge_is_completed() {
    let env = env().await;
    let hook = receiver(0).await;
    env.register(&hook, "k", &[]).await;
    let (id, redirect) = three_ds_payment(&env).await;
    assert_eq!(redirect, env.url(&format!("/sandbox/3ds/{id}")));
    hook.wait_for("payment_pending", &id).await;
    let details = env.wait_status(&id, "Pending").await;
    assert_eq!(details["_links"]["redirect"]["href"], redirect.as_str());

    let page = env.http.get(&redirect).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains(&format!("/sandbox/3ds/{id}/complete")) && html.contains("/fail"),
        "{html}"
    );

    let click = env
        .http
        .post(format!("{redirect}/complete"))
        .send()
        .await
        .unwrap();
    assert_eq!(click.status(), StatusCode::OK);
    let details = env.wait_status(&id, "Captured").await;
    assert_eq!(details["3ds"]["authentication_response"], "Y");
    hook.wait_for("payment_approved", &id).await;
    hook.wait_for("payment_captured", &id).await;

    // A second click changes nothing.
    let again = env.http.post(format!("{redirect}/fail")).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
}

#[tokio::test]
async fn failed_three_ds_declines_and_redirects_to_failure_url() {
    let env = env().await;
    let hook = receiver(0).await;
    env.register(&hook, "k", &["payment_declined"]).await;
    let mut body = payment("4485040371536584", 2500, "GBP");
    body["3ds"] = json!({ "enabled": true });
    body["failure_url"] = json!("http://127.0.0.1:9/failed");
    let (_, body) = env.pay(&body).await;
    let id = body["id"].as_str().unwrap();
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let click = no_follow
        .post(env.url(&format!("/sandbox/3ds/{id}/fail")))
        .send()
        .await
        .unwrap();
    assert_eq!(click.status(), StatusCode::SEE_OTHER);
    let location = click.headers()["location"].to_str().unwrap();
    assert_eq!(location, format!("http://127.0.0.1:9/failed?cko-payment-id={id}"));
    let details = env.wait_status(id, "Declined").await;
    assert_eq!(details["approved"], false);
    hook.wait_for("payment_declined", id).await;
}

#[tokio::test]
async fn without_3ds_requested_the_enrolled_card_is_processed_directly() {
    let env = env().await;
    let (status, body) = env.pay(&payment("4485040371536584", 2500, "GBP")).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::CREATED, Some("Authorized"))
    );
}

#[tokio::test]
async fn zero_amount_is_a_card_verification() {
    let env = env().await;
    let (status, body) = env
        .pay(&json!({ "source": card("4242424242424242"), "currency": "USD" }))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(body["status"], "Card Verified");
    let id = body["id"].as_str().unwrap();
    let (_, actions) = json_of(env.get(&format!("/payments/{id}/actions")).await).await;
    assert_eq!(actions[0]["type"], "Card Verification");
}

#[tokio::test]
async fn amount_rules_follow_checkout_currencies() {
    let env = env().await;
    let accepted = [
        (100, "JPY"),
        (100_000, "BHD"),
        (1_000, "KWD"),
        (5, "ISK"),
        (999_999_999, "USD"),
        (500, "CLP"),
    ];
    for (amount, currency) in accepted {
        let (status, body) = env.pay(&payment("4242424242424242", amount, currency)).await;
        assert_eq!(status, StatusCode::CREATED, "{amount} {currency}: {body}");
    }
    let rejected = [
        (1_001, "BHD"),
        (1_000_000_000, "USD"),
        (-1, "USD"),
        (12_345, "TND"),
    ];
    for (amount, currency) in rejected {
        let (status, body) = env.pay(&payment("4242424242424242", amount, currency)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{amount} {currency}");
        assert_eq!(body["error_type"], "request_invalid");
        assert_eq!(body["error_codes"], json!(["amount_invalid"]));
    }
    let (status, body) = env
        .pay(&json!({ "source": card("4242424242424242"), "amount": 10.5, "currency": "USD" }))
        .await;
    assert_eq!(
        (status, body["error_codes"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!(["amount_invalid"]))
    );
}

#[tokio::test]
async fn validation_errors_list_every_code() {
    let env = env().await;
    let response = env
        .post("/payments", &json!({ "amount": 100, "currency": "XYZ" }))
        .await;
    let request_id = response.headers()["cko-request-id"].to_str().unwrap().to_owned();
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["request_id"], request_id.as_str());
    assert_eq!(body["error_type"], "request_invalid");
    assert_eq!(
        body["error_codes"],
        json!(["payment_source_required", "currency_invalid"])
    );

    let (_, body) = env
        .pay(&json!({ "source": card("4242424242424242"), "amount": 100 }))
        .await;
    assert_eq!(body["error_codes"], json!(["currency_required"]));
    let (_, body) = env
        .pay(&json!({ "source": { "type": "card", "number": "4242424242424241", "expiry_month": 13, "expiry_year": 2030 }, "amount": 100, "currency": "USD", "reference": "x".repeat(51) }))
        .await;
    assert_eq!(
        body["error_codes"],
        json!([
            "card_number_invalid",
            "card_expiry_month_invalid",
            "reference_invalid"
        ])
    );
    let (_, body) = env
        .pay(&json!({ "source": { "type": "card", "number": "4242424242424242", "expiry_month": 12, "expiry_year": 2025 }, "amount": 100, "currency": "USD" }))
        .await;
    assert_eq!(
        body["error_codes"],
        json!(["card_expired"]),
        "the sandbox clock is at 2026-01"
    );
    let (_, body) = env.pay(&json!({ "source": { "type": "id", "id": "src_aaaaaaaaaaaaaaaaaaaaaaaaaa" }, "amount": 100, "currency": "USD" })).await;
    assert_eq!(body["error_codes"], json!(["source_id_invalid"]));

    let malformed = env
        .http
        .post(env.url("/payments"))
        .header("authorization", super::KEY)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn unknown_payments_and_routes_are_bare_404s() {
    let env = env().await;
    for path in [
        "/payments/pay_aaaaaaaaaaaaaaaaaaaaaaaaaa",
        "/payments/pay_aaaaaaaaaaaaaaaaaaaaaaaaaa/actions",
        "/nope",
    ] {
        let response = env.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(response.headers().contains_key("cko-request-id"));
        assert!(response.bytes().await.unwrap().is_empty());
    }
    let response = env
        .post("/payments/pay_aaaaaaaaaaaaaaaaaaaaaaaaaa/captures", &json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn injected_faults_use_checkout_shapes() {
    let env = env().await;
    env.handle.faults.set(crate::FaultConfig {
        rules: vec![crate::FaultRule {
            path_prefix: Some("/payments".to_owned()),
            errors: vec![crate::ErrorFault {
                status: 500,
                rate_bp: crate::faults::ALWAYS_BP,
                retry_after_secs: None,
            }],
            ..crate::FaultRule::default()
        }],
        ..crate::FaultConfig::default()
    });
    let response = env
        .post("/payments", &payment("4242424242424242", 100, "USD"))
        .await;
    assert!(response.headers().contains_key("cko-request-id"));
    let (status, body) = json_of(response).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(body["error_type"], "internal_server_error");
    assert!(body["request_id"].is_string());
}
