//! `Cko-Idempotency-Key`: 2xx replayed, 4xx not saved, 409 while in flight, 24 h window.

use axum::http::StatusCode;
use chrono::Duration;
use serde_json::{Value, json};

use super::{Env, KEY, env, json_of, payment};
use crate::checkout::Config;

async fn pay_with_key(env: &Env, key: &str, body: &Value) -> (StatusCode, Value) {
    let response = env
        .http
        .post(env.url("/payments"))
        .header("authorization", KEY)
        .header("cko-idempotency-key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    json_of(response).await
}

#[tokio::test]
async fn a_2xx_result_is_replayed_for_the_same_key() {
    let env = env().await;
    let body = payment("4242424242424242", 1000, "USD");
    let (s1, first) = pay_with_key(&env, "key-1", &body).await;
    let (s2, second) = pay_with_key(&env, "key-1", &body).await;
    assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first, second, "same body, same payment");
    assert_eq!(env.sim.payments().len(), 1);
    let (_, third) = pay_with_key(&env, "key-2", &body).await;
    assert_ne!(third["id"], first["id"]);
    assert_eq!(env.sim.payments().len(), 2);

    // A declined payment is still a 201 and is replayed too.
    let declined = payment("4000000000000002", 1000, "USD");
    let (_, d1) = pay_with_key(&env, "key-3", &declined).await;
    let (_, d2) = pay_with_key(&env, "key-3", &declined).await;
    assert_eq!(d1["id"], d2["id"]);
}

#[tokio::test]
async fn a_4xx_result_is_not_saved() {
    let env = env().await;
    let (status, _) = pay_with_key(&env, "key-x", &json!({ "amount": 1000, "currency": "USD" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = pay_with_key(&env, "key-x", &payment("4242424242424242", 1000, "USD")).await;
    assert_eq!(status, StatusCode::CREATED, "the retry is processed anew: {body}");
    assert_eq!(env.sim.payments().len(), 1);
}

#[tokio::test]
async fn a_concurrent_request_with_an_in_flight_key_gets_409() {
    let env = env().await;
    env.sim.set_config(Config {
        handler_delay_ms: 400,
        ..env.sim.config()
    });
    let body = payment("4242424242424242", 1000, "USD");
    let (a, b) = tokio::join!(pay_with_key(&env, "same", &body), async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        pay_with_key(&env, "same", &body).await
    });
    assert_eq!(a.0, StatusCode::CREATED);
    assert_eq!(b.0, StatusCode::CONFLICT);
    assert_eq!(b.1["error_codes"], json!(["duplicate_request"]));
    assert!(b.1["request_id"].is_string());
    assert_eq!(env.sim.payments().len(), 1);
    // Once the first finished, the key replays.
    let (status, replay) = pay_with_key(&env, "same", &body).await;
    assert_eq!(
        (status, replay["id"].clone()),
        (StatusCode::CREATED, a.1["id"].clone())
    );

    // The older documented behaviour: 429 "duplicate request detected".
    env.sim.set_config(Config {
        idempotency_conflict_status: 429,
        ..env.sim.config()
    });
    let (a, b) = tokio::join!(pay_with_key(&env, "other", &body), async {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        pay_with_key(&env, "other", &body).await
    });
    assert_eq!((a.0, b.0), (StatusCode::CREATED, StatusCode::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn saved_results_expire_after_24_hours_of_sandbox_time() {
    let env = env().await;
    let body = payment("4242424242424242", 1000, "USD");
    let (_, first) = pay_with_key(&env, "k", &body).await;
    env.clock.advance(Duration::hours(23) + Duration::minutes(59));
    let (_, replay) = pay_with_key(&env, "k", &body).await;
    assert_eq!(replay["id"], first["id"]);
    env.clock.advance(Duration::minutes(1));
    let (status, fresh) = pay_with_key(&env, "k", &body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_ne!(fresh["id"], first["id"], "expired: processed anew");
}

#[tokio::test]
async fn captures_are_idempotent_per_payment() {
    let env = env().await;
    let mut body = payment("4242424242424242", 1000, "USD");
    body["capture"] = json!(false);
    let (_, paid) = env.pay(&body).await;
    let id = paid["id"].as_str().unwrap();
    let capture = || {
        env.http
            .post(env.url(&format!("/payments/{id}/captures")))
            .header("authorization", KEY)
            .header("cko-idempotency-key", "cap")
            .json(&json!({ "amount": 400, "capture_type": "NonFinal" }))
            .send()
    };
    let (s1, first) = json_of(capture().await.unwrap()).await;
    let (s2, second) = json_of(capture().await.unwrap()).await;
    assert_eq!((s1, s2), (StatusCode::ACCEPTED, StatusCode::ACCEPTED));
    assert_eq!(first["action_id"], second["action_id"]);
    let details = env.wait_status(id, "Partially Captured").await;
    assert_eq!(details["balances"]["total_captured"], 400, "captured once");
}
