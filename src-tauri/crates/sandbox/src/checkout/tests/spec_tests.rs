//! The simulator's responses validated against `shared/specs/checkout/checkout-nas.openapi.json`.

use axum::http::StatusCode;
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::openapi::Spec;
use super::{Env, env, json_of, payment};
use crate::checkout::Config;

/// `POST /payments` 202 and `GET /payments/{id}` 200 are `oneOf: [Payment…, Payout…]`, but the
/// payout branches declare no required fields and allow extra properties, so a valid Pending or
/// Declined payment matches both and can never satisfy `oneOf` (an upstream spec glitch).
/// Validating against the payment branch alone is the stricter check.
fn payment_branch(spec: &Spec, path: &str, method: &str, status: &str, branch: &str) -> Value {
    let schema = spec.response_schema(path, method, status);
    let branches: Vec<&str> = schema["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["$ref"].as_str().unwrap())
        .collect();
    assert!(
        branches.contains(&format!("#/components/schemas/{branch}").as_str()),
        "{branches:?}"
    );
    Spec::schema_ref(branch)
}

struct Checker {
    spec: Spec,
    env: Env,
}

impl Checker {
    async fn get(&self, path: &str) -> Value {
        let (status, body) = json_of(self.env.get(path).await).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
        body
    }

    async fn details(&self, id: &str) {
        let body = self.get(&format!("/payments/{id}")).await;
        let schema = payment_branch(&self.spec, "/payments/{id}", "get", "200", "PaymentDetails");
        self.spec
            .assert_valid(&format!("GET /payments ({})", body["status"]), &schema, &body);
    }

    async fn pay(&self, request: &Value, expected: StatusCode) -> Value {
        let (status, body) = self.env.pay(request).await;
        assert_eq!(status, expected, "{body}");
        let schema = if status == StatusCode::CREATED {
            self.spec.response_schema("/payments", "post", "201")
        } else {
            payment_branch(&self.spec, "/payments", "post", "202", "PaymentAcceptedResponse")
        };
        self.spec
            .assert_valid(&format!("POST /payments {status}"), &schema, &body);
        body
    }

    async fn operation(&self, id: &str, what: &str, body: Value) -> Value {
        let (status, response) = json_of(self.env.post(&format!("/payments/{id}/{what}"), &body).await).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{response}");
        let schema = self
            .spec
            .response_schema(&format!("/payments/{{id}}/{what}"), "post", "202");
        self.spec
            .assert_valid(&format!("POST {what} 202"), &schema, &response);
        response
    }
}

#[tokio::test]
async fn payment_responses_match_the_spec() {
    let Some(spec) = Spec::load() else { return };
    let env = env().await;
    env.sim.set_config(Config {
        hold_actions: true,
        ..env.sim.config()
    });
    let c = Checker { spec, env };

    // 201 Authorized (capture held), then Captured.
    let approved = c
        .pay(&payment("4242424242424242", 6540, "USD"), StatusCode::CREATED)
        .await;
    let id = approved["id"].as_str().unwrap();
    c.details(id).await;
    c.env.sim.complete_all();
    c.details(id).await;
    let actions = c.get(&format!("/payments/{id}/actions")).await;
    let schema = c.spec.response_schema("/payments/{id}/actions", "get", "200");
    c.spec.assert_valid("GET actions", &schema, &actions);

    // Refund 202, partially refunded.
    c.operation(
        id,
        "refunds",
        json!({ "amount": 1000, "reference": "R-1", "metadata": { "k": "v" } }),
    )
    .await;
    c.env.sim.complete_all();
    c.details(id).await;
    let actions = c.get(&format!("/payments/{id}/actions")).await;
    c.spec.assert_valid("GET actions after refund", &schema, &actions);

    // Capture 202 on an authorization; void 202 on another.
    let mut manual = payment("5436031030606378", 3000, "EUR");
    manual["capture"] = json!(false);
    let auth = c.pay(&manual, StatusCode::CREATED).await;
    let aid = auth["id"].as_str().unwrap();
    c.operation(
        aid,
        "captures",
        json!({ "amount": 1000, "capture_type": "NonFinal" }),
    )
    .await;
    c.env.sim.complete_all();
    c.details(aid).await;
    let to_void = c.pay(&manual, StatusCode::CREATED).await;
    let vid = to_void["id"].as_str().unwrap();
    c.operation(vid, "voids", json!({ "reference": "V" })).await;
    c.env.sim.complete_all();
    c.details(vid).await;

    // Declined, card verification, 3-D Secure pending.
    let declined = c
        .pay(&payment("4000000000000002", 100, "GBP"), StatusCode::CREATED)
        .await;
    c.details(declined["id"].as_str().unwrap()).await;
    let verified = c
        .pay(
            &json!({ "source": super::card("4242424242424242"), "currency": "USD" }),
            StatusCode::CREATED,
        )
        .await;
    c.details(verified["id"].as_str().unwrap()).await;
    let mut three_ds = payment("4485040371536584", 2500, "GBP");
    three_ds["3ds"] = json!({ "enabled": true });
    let pending = c.pay(&three_ds, StatusCode::ACCEPTED).await;
    c.details(pending["id"].as_str().unwrap()).await;

    // Webhook envelopes of payment events against `EventObject`.
    let events = c.env.sim.events();
    assert!(events.len() >= 8);
    for event in &events {
        c.spec.assert_valid(
            &format!("event {}", event["type"]),
            &Spec::schema_ref("EventObject"),
            event,
        );
    }

    // The events API.
    let subject = c.get(&format!("/workflows/events/subject/{id}")).await;
    let schema = c
        .spec
        .response_schema("/workflows/events/subject/{subjectId}", "get", "200");
    c.spec.assert_valid("subject events", &schema, &subject);
    let event = c
        .get(&format!(
            "/workflows/events/{}",
            subject["data"][0]["id"].as_str().unwrap()
        ))
        .await;
    let schema = c
        .spec
        .response_schema("/workflows/events/{eventId}", "get", "200");
    c.spec.assert_valid("event", &schema, &event);
}

#[tokio::test]
async fn error_responses_match_the_spec() {
    let Some(spec) = Spec::load() else { return };
    let env = env().await;
    let (status, body) = env.pay(&json!({ "amount": 1001, "currency": "BHD" })).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    spec.assert_valid("422", &spec.response_schema("/payments", "post", "422"), &body);
    // The documented 422 body for every payment operation is `ValidationError` too.
    let (_, paid) = env.pay(&payment("4242424242424242", 100, "USD")).await;
    let (status, body) = json_of(
        env.post(
            &format!("/payments/{}/refunds", paid["id"].as_str().unwrap()),
            &json!({ "amount": "x" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    spec.assert_valid(
        "refund 422",
        &spec.response_schema("/payments/{id}/refunds", "post", "422"),
        &body,
    );
    let (status, body) = json_of(env.get("/disputes?limit=999").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    spec.assert_valid(
        "paging 422",
        &spec.response_schema("/disputes", "get", "422"),
        &body,
    );
    // The duplicate-request body is the documented 429 shape.
    env.sim.set_config(Config {
        handler_delay_ms: 300,
        idempotency_conflict_status: 429,
        ..env.sim.config()
    });
    let send = || {
        env.http
            .post(env.url("/payments"))
            .header("authorization", super::KEY)
            .header("cko-idempotency-key", "dup")
            .json(&payment("4242424242424242", 100, "USD"))
            .send()
    };
    let (_, second) = tokio::join!(send(), async {
        tokio::time::sleep(std::time::Duration::from_millis(80)).await;
        send().await
    });
    let (status, body) = json_of(second.unwrap()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    spec.assert_valid("429", &spec.response_schema("/payments", "post", "429"), &body);
}

#[tokio::test]
async fn dispute_responses_match_the_spec() {
    let Some(spec) = Spec::load() else { return };
    let env = env().await;
    let t = Utc.with_ymd_and_hms(2025, 10, 1, 0, 0, 0).unwrap();
    let pay = env.sim.insert_payment(crate::checkout::NewPayment {
        amount: 5000,
        currency: "USD".to_owned(),
        reference: Some("R".to_owned()),
        status: crate::checkout::PaymentStatus::Captured,
        customer_email: None,
        metadata: serde_json::Map::new(),
        created: t,
    });
    let d1 = env
        .sim
        .insert_dispute(&pay, 5000, "fraudulent", "evidence_required", t);
    env.sim.insert_dispute(&pay, 100, "duplicate", "lost", t);
    let (_, list) = json_of(
        env.get("/disputes?limit=10&statuses=evidence_required,lost")
            .await,
    )
    .await;
    assert_eq!(list["total_count"], 2);
    spec.assert_valid(
        "GET /disputes",
        &spec.response_schema("/disputes", "get", "200"),
        &list,
    );
    let (_, detail) = json_of(env.get(&format!("/disputes/{d1}")).await).await;
    spec.assert_valid(
        "GET /disputes/{id}",
        &spec.response_schema("/disputes/{dispute_id}", "get", "200"),
        &detail,
    );
}

#[tokio::test]
async fn token_responses_match_the_spec() {
    let Some(spec) = Spec::load() else { return };
    let env = env().await;
    env.sim.register_client("ack_spec", "secret", &["gateway"]);
    let request = |secret: &str| {
        env.http
            .post(env.url("/connect/token"))
            .basic_auth("ack_spec", Some(secret))
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", "gateway:payment gateway:payment-details"),
            ])
            .send()
    };
    let (status, body) = json_of(request("secret").await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    spec.assert_valid(
        "token 200",
        &spec.response_schema("/connect/token", "post", "200"),
        &body,
    );
    let (status, body) = json_of(request("wrong").await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    spec.assert_valid(
        "token 400",
        &spec.response_schema("/connect/token", "post", "400"),
        &body,
    );
}

#[tokio::test]
async fn the_validator_rejects_broken_responses() {
    let Some(spec) = Spec::load() else { return };
    let env = env().await;
    let (_, good) = env.pay(&payment("4242424242424242", 100, "USD")).await;
    let schema = spec.response_schema("/payments", "post", "201");
    let validator = spec.validator(&schema);
    assert!(validator.is_valid(&good));
    type Breakage = (&'static str, fn(&mut Value));
    let breakages: [Breakage; 6] = [
        ("unknown status", |v| v["status"] = json!("Captured")),
        ("short id", |v| v["id"] = json!("pay_short")),
        ("missing actions link", |v| {
            v["_links"].as_object_mut().unwrap().remove("actions");
        }),
        ("bad timestamp", |v| v["processed_on"] = json!("yesterday")),
        // Reaches `01_PaymentResponseCardSource` through the discriminator.
        ("card source without last4", |v| {
            v["source"].as_object_mut().unwrap().remove("last4");
        }),
        ("string amount", |v| v["amount"] = json!("100")),
    ];
    for (what, breakage) in breakages {
        let mut bad = good.clone();
        breakage(&mut bad);
        assert!(!validator.is_valid(&bad), "{what} was accepted");
    }
}
