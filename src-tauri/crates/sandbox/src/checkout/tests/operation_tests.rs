//! Asynchronous captures, refunds and voids; webhook retries and duplicates.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::{Env, assert_signed, env, json_of, payment, receiver};
use crate::checkout::Config;

/// An authorized, not captured payment of `amount` USD.
async fn authorized(env: &Env, amount: i64) -> String {
    let mut body = payment("4242424242424242", amount, "USD");
    body["capture"] = json!(false);
    let (status, body) = env.pay(&body).await;
    assert_eq!(status, StatusCode::CREATED);
    body["id"].as_str().unwrap().to_owned()
}

async fn op(env: &Env, id: &str, what: &str, body: Value) -> (StatusCode, Value) {
    json_of(env.post(&format!("/payments/{id}/{what}"), &body).await).await
}

#[tokio::test]
async fn capture_is_accepted_then_completes_and_fires_a_signed_webhook() {
    let env = env().await;
    env.sim.set_config(Config {
        hold_actions: true,
        ..env.sim.config()
    });
    let hook = receiver(0).await;
    env.register(&hook, "cap-key", &["payment_captured"]).await;
    let id = authorized(&env, 5000).await;

    let (status, body) = op(
        &env,
        &id,
        "captures",
        json!({ "amount": 2000, "reference": "CAP-1", "capture_type": "NonFinal" }),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["reference"], "CAP-1");
    assert!(body["action_id"].as_str().unwrap().starts_with("act_"));
    assert!(body["_links"]["payment"]["href"].as_str().unwrap().ends_with(&id));
    // Accepted is not done: the status has not moved yet.
    let (_, details) = json_of(env.get(&format!("/payments/{id}")).await).await;
    assert_eq!(details["status"], "Authorized");
    assert_eq!(
        details["balances"]["available_to_capture"], 3000,
        "the pending capture is reserved"
    );

    let (_, done) = json_of(
        env.http
            .post(env.url("/__sandbox/actions/complete"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(done["completed"], 1);
    let details = env.wait_status(&id, "Partially Captured").await;
    assert_eq!(details["balances"]["total_captured"], 2000);
    let hit = hook.wait_for("payment_captured", &id).await;
    assert_signed(&hit, "cap-key");
    assert_eq!(hit.json()["data"]["action_id"], body["action_id"]);
    assert_eq!(hit.json()["data"]["amount"], 2000);

    // NonFinal leaves the rest capturable; capturing without an amount takes the rest.
    env.sim.set_config(Config {
        hold_actions: false,
        ..env.sim.config()
    });
    let (status, _) = op(&env, &id, "captures", json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let details = env.wait_status(&id, "Captured").await;
    assert_eq!(details["balances"]["total_captured"], 5000);
    let (_, actions) = json_of(env.get(&format!("/payments/{id}/actions")).await).await;
    let kinds: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["Capture", "Capture", "Authorization"]);
}

#[tokio::test]
async fn a_final_partial_capture_releases_the_rest() {
    let env = env().await;
    let id = authorized(&env, 5000).await;
    let (status, _) = op(&env, &id, "captures", json!({ "amount": 1000 })).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    env.wait_status(&id, "Partially Captured").await;
    let (status, body) = op(&env, &id, "captures", json!({ "amount": 1000 })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error_type"], "operation_not_allowed");
}

#[tokio::test]
async fn refunds_partial_then_full_and_over_refund_is_422() {
    let env = env().await;
    let hook = receiver(0).await;
    env.register(&hook, "rk", &["payment_refunded"]).await;
    env.sim.set_config(Config {
        hold_actions: true,
        ..env.sim.config()
    });
    let (_, body) = env.pay(&payment("4242424242424242", 3000, "EUR")).await;
    let id = body["id"].as_str().unwrap().to_owned();
    // Not captured yet (the automatic capture is still pending): nothing to refund.
    let (status, _) = op(&env, &id, "refunds", json!({})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(env.sim.complete_all(), 1);
    env.sim.set_config(Config {
        hold_actions: false,
        ..env.sim.config()
    });
    env.wait_status(&id, "Captured").await;

    let (status, body) = op(&env, &id, "refunds", json!({ "amount": 1000, "reference": "R1" })).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    // A second refund for more than what remains after the pending one is refused.
    let (status, body) = op(&env, &id, "refunds", json!({ "amount": 2001 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error_codes"], json!(["refund_amount_exceeds_balance"]));
    env.wait_status(&id, "Partially Refunded").await;
    let hit = hook.wait_for("payment_refunded", &id).await;
    assert_signed(&hit, "rk");

    let (status, _) = op(&env, &id, "refunds", json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let details = env.wait_status(&id, "Refunded").await;
    assert_eq!(details["balances"]["total_refunded"], 3000);
    assert_eq!(details["balances"]["available_to_refund"], 0);
    let (status, body) = op(&env, &id, "refunds", json!({ "amount": 1 })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body["error_codes"], json!(["refund_not_allowed"]));
    // The body amount must also follow the currency rules.
    let (status, _) = op(&env, &id, "refunds", json!({ "amount": -5 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn void_releases_an_authorization_and_blocks_later_captures() {
    let env = env().await;
    let hook = receiver(0).await;
    env.register(&hook, "vk", &[]).await;
    let id = authorized(&env, 1200).await;
    let (status, body) = op(&env, &id, "voids", json!({ "reference": "V1" })).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let details = env.wait_status(&id, "Voided").await;
    assert_eq!(details["balances"]["total_voided"], 1200);
    assert_signed(&hook.wait_for("payment_voided", &id).await, "vk");
    for what in ["captures", "voids", "refunds"] {
        let (status, body) = op(&env, &id, what, json!({})).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
        assert_eq!(body["error_type"], "operation_not_allowed");
    }
    // A declined payment cannot be captured or voided either.
    let (_, declined) = env.pay(&payment("4000000000000002", 100, "USD")).await;
    let did = declined["id"].as_str().unwrap();
    assert_eq!(
        op(&env, did, "captures", json!({})).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(op(&env, did, "voids", json!({})).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn capture_over_the_authorized_amount_is_422() {
    let env = env().await;
    let id = authorized(&env, 1000).await;
    let (status, body) = op(&env, &id, "captures", json!({ "amount": 1001 })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error_codes"], json!(["capture_amount_exceeds_balance"]));
}

#[tokio::test]
async fn failed_deliveries_are_retried_until_acknowledged() {
    let env = env().await;
    let hook = receiver(2).await;
    env.register(&hook, "k", &["payment_approved"]).await;
    let (_, body) = env.pay(&payment("4242424242424242", 100, "USD")).await;
    let id = body["id"].as_str().unwrap();
    let hit = hook.wait_for("payment_approved", id).await;
    assert_signed(&hit, "k");
    assert_eq!(hook.requests.load(std::sync::atomic::Ordering::SeqCst), 3);
    let (_, log) = json_of(
        env.http
            .get(env.url("/__sandbox/deliveries"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let statuses: Vec<Value> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].clone())
        .collect();
    assert_eq!(statuses, [json!(500), json!(500), json!(200)]);
}

#[tokio::test]
async fn retries_are_bounded() {
    let env = env().await;
    env.sim.set_config(Config {
        webhook_max_attempts: 3,
        ..env.sim.config()
    });
    let hook = receiver(100).await;
    env.register(&hook, "k", &["payment_approved"]).await;
    env.pay(&payment("4242424242424242", 100, "USD")).await;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        if hook.requests.load(std::sync::atomic::Ordering::SeqCst) >= 3 {
            break;
        }
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(hook.requests.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[tokio::test]
async fn duplicate_switch_delivers_each_event_twice_with_identical_bytes() {
    let env = env().await;
    env.sim.set_config(Config {
        webhook_duplicates: true,
        ..env.sim.config()
    });
    let hook = receiver(0).await;
    env.register(&hook, "k", &["payment_approved"]).await;
    let (_, body) = env.pay(&payment("4242424242424242", 100, "USD")).await;
    let id = body["id"].as_str().unwrap();
    hook.wait_for("payment_approved", id).await;
    for _ in 0..100 {
        if hook.count("payment_approved", id) == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let hits = hook.hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].body, hits[1].body, "same event id, same bytes");
}

#[tokio::test]
async fn receivers_must_be_loopback() {
    let env = env().await;
    let response = env
        .http
        .post(env.url("/__sandbox/webhooks"))
        .json(&json!({ "url": "https://example.com/hook", "signature_key": "k" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn events_api_lists_a_payments_events() {
    let env = env().await;
    let (_, body) = env.pay(&payment("4242424242424242", 100, "USD")).await;
    let id = body["id"].as_str().unwrap();
    env.wait_status(id, "Captured").await;
    let (status, events) = json_of(env.get(&format!("/workflows/events/subject/{id}")).await).await;
    assert_eq!(status, StatusCode::OK);
    let types: Vec<&str> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["payment_approved", "payment_captured"]);
    let event_id = events["data"][0]["id"].as_str().unwrap();
    let (status, event) = json_of(env.get(&format!("/workflows/events/{event_id}")).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(event["data"]["id"], id);
    assert_eq!(env.sim.events().len(), 2);
}
