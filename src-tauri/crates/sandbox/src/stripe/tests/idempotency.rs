//! `Idempotency-Key`: replay, replayed errors, parameter mismatch, concurrency, expiry.

use axum::http::StatusCode;
use chrono::Duration;

use super::T;

#[tokio::test]
async fn replays_the_first_response_once_executed() {
    let t = T::start().await;
    let form = [("email", "idem@example.com"), ("metadata[a]", "1")];
    let first = t
        .post_h("/v1/customers", &form, &[("idempotency-key", "k-1")])
        .await
        .ok();
    assert!(first.header("idempotent-replayed").is_none());
    assert_eq!(first.header("idempotency-key"), Some("k-1"));
    // Same parameters in another order: same request.
    let again = t
        .post_h(
            "/v1/customers",
            &[("metadata[a]", "1"), ("email", "idem@example.com")],
            &[("idempotency-key", "k-1")],
        )
        .await
        .ok();
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.header("original-request"), first.header("request-id"));
    assert_ne!(again.header("request-id"), first.header("request-id"));
    assert_eq!(again.body, first.body);
    assert_eq!(t.sim.objects("customer").len(), 1, "executed once");
    assert_eq!(t.sim.events().len(), 1);
    // Without a key, a second customer is made.
    t.post("/v1/customers", &form).await.ok();
    assert_eq!(t.sim.objects("customer").len(), 2);
}

#[tokio::test]
async fn errors_after_execution_began_are_replayed_validation_errors_are_not() {
    let t = T::start().await;
    let pay = [
        ("amount", "1000"),
        ("currency", "usd"),
        ("payment_method", "pm_card_chargeDeclined"),
        ("confirm", "true"),
    ];
    let first = t
        .post_h("/v1/payment_intents", &pay, &[("idempotency-key", "decl")])
        .await;
    assert_eq!(first.status, StatusCode::PAYMENT_REQUIRED);
    let again = t
        .post_h("/v1/payment_intents", &pay, &[("idempotency-key", "decl")])
        .await;
    assert_eq!(again.status, StatusCode::PAYMENT_REQUIRED);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(t.sim.objects("payment_intent").len(), 1);

    // A 404 found while executing is saved too.
    let missing = [
        ("amount", "1000"),
        ("currency", "usd"),
        ("customer", "cus_missing"),
    ];
    let a = t
        .post_h("/v1/payment_intents", &missing, &[("idempotency-key", "nf")])
        .await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let b = t
        .post_h("/v1/payment_intents", &missing, &[("idempotency-key", "nf")])
        .await;
    assert_eq!(b.header("idempotent-replayed"), Some("true"));

    // Parameter validation failures are not saved: the key can then be used for a valid request.
    let bad = t
        .post_h(
            "/v1/payment_intents",
            &[("amount", "12x"), ("currency", "usd")],
            &[("idempotency-key", "v")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let good = t
        .post_h(
            "/v1/payment_intents",
            &[("amount", "1200"), ("currency", "usd")],
            &[("idempotency-key", "v")],
        )
        .await
        .ok();
    assert!(good.header("idempotent-replayed").is_none());

    let long = "k".repeat(256);
    let r = t
        .post_h("/v1/customers", &[], &[("idempotency-key", &long)])
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let ok = "k".repeat(255);
    t.post_h("/v1/customers", &[], &[("idempotency-key", &ok)])
        .await
        .ok();
}

#[tokio::test]
async fn different_parameters_or_endpoint_is_an_idempotency_error() {
    let t = T::start().await;
    t.post_h(
        "/v1/customers",
        &[("email", "a@x.io")],
        &[("idempotency-key", "same")],
    )
    .await
    .ok();
    let r = t
        .post_h(
            "/v1/customers",
            &[("email", "b@x.io")],
            &[("idempotency-key", "same")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"]["type"], "idempotency_error");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("same parameters")
    );
    let r = t
        .post_h("/v1/products", &[("name", "x")], &[("idempotency-key", "same")])
        .await;
    assert_eq!(r.body["error"]["type"], "idempotency_error");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("POST /v1/customers")
    );
}

#[tokio::test]
async fn concurrent_request_with_a_key_in_flight_gets_409() {
    let t = T::start().await;
    let mut c = t.sim.config();
    c.handler_delay_ms = 1_000;
    t.sim.set_config(c);
    let form = [("email", "race@example.com")];
    let (a, b) = tokio::join!(
        t.post_h("/v1/customers", &form, &[("idempotency-key", "race")]),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            t.post_h("/v1/customers", &form, &[("idempotency-key", "race")])
                .await
        }
    );
    assert_eq!(a.status, StatusCode::OK);
    assert_eq!(b.status, StatusCode::CONFLICT);
    assert_eq!(b.body["error"]["code"], "idempotency_key_in_use");
    assert_eq!(b.body["error"]["type"], "invalid_request_error");
    // Once the first finished, a retry replays it.
    let c = t
        .post_h("/v1/customers", &form, &[("idempotency-key", "race")])
        .await
        .ok();
    assert_eq!(c.header("idempotent-replayed"), Some("true"));
    assert_eq!(c.id(), a.id());
    assert_eq!(t.sim.objects("customer").len(), 1);
}

#[tokio::test]
async fn keys_expire_after_24_hours() {
    let t = T::start().await;
    let form = [("email", "exp@example.com")];
    let first = t
        .post_h("/v1/customers", &form, &[("idempotency-key", "exp")])
        .await
        .ok();
    t.advance(Duration::hours(23));
    let replay = t
        .post_h("/v1/customers", &form, &[("idempotency-key", "exp")])
        .await
        .ok();
    assert_eq!(replay.id(), first.id());
    t.advance(Duration::hours(1));
    let fresh = t
        .post_h("/v1/customers", &form, &[("idempotency-key", "exp")])
        .await
        .ok();
    assert!(fresh.header("idempotent-replayed").is_none());
    assert_ne!(fresh.id(), first.id());
    // GET requests ignore the header.
    let g = t
        .http
        .get(t.url("/v1/customers"))
        .bearer_auth(&t.key)
        .header("idempotency-key", "exp")
        .send()
        .await
        .unwrap();
    assert!(g.headers().get("idempotent-replayed").is_none());
}
