//! Disputes: seeding, paging and filters, accept, evidence, issuer decisions and webhooks.

use axum::http::StatusCode;
use chrono::{Duration, TimeZone, Utc};
use serde_json::{Map, json};

use super::{Env, assert_signed, env, json_of, receiver};
use crate::checkout::{NewPayment, PaymentStatus};

fn seed(env: &Env) -> (String, Vec<String>) {
    let t0 = Utc.with_ymd_and_hms(2025, 11, 1, 9, 0, 0).unwrap();
    let pay = env.sim.insert_payment(NewPayment {
        amount: 9900,
        currency: "EUR".to_owned(),
        reference: Some("ORD-77".to_owned()),
        status: PaymentStatus::Captured,
        customer_email: Some("bob@example.com".to_owned()),
        metadata: Map::new(),
        created: t0,
    });
    let other = env.sim.insert_payment(NewPayment {
        amount: 500,
        currency: "EUR".to_owned(),
        reference: None,
        status: PaymentStatus::Captured,
        customer_email: None,
        metadata: Map::new(),
        created: t0,
    });
    let disputes = (0..5)
        .map(|i| {
            let status = if i < 3 { "evidence_required" } else { "won" };
            let payment = if i == 4 { &other } else { &pay };
            env.sim.insert_dispute(
                payment,
                1000 + i,
                "fraudulent",
                status,
                t0 + Duration::days(i + 1),
            )
        })
        .collect();
    (pay, disputes)
}

#[tokio::test]
async fn list_pages_newest_first_and_filters() {
    let env = env().await;
    let (pay, ids) = seed(&env);
    let (status, page) = json_of(env.get("/disputes?limit=2&skip=1").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["limit"], 2);
    assert_eq!(page["skip"], 1);
    assert_eq!(page["total_count"], 5);
    let got: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        [ids[3].as_str(), ids[2].as_str()],
        "newest last_update first"
    );
    let first = &page["data"][0];
    assert_eq!(first["category"], "fraudulent");
    assert_eq!(first["currency"], "EUR");
    assert_eq!(first["payment_reference"], "ORD-77");
    assert_eq!(first["received_on"], "2025-11-05T09:00:00.000Z");
    assert_eq!(first["evidence_required_by"], "2025-11-12T09:00:00.000Z");

    let (_, page) = json_of(env.get("/disputes?statuses=won").await).await;
    assert_eq!(page["total_count"], 2);
    let (_, page) = json_of(env.get(&format!("/disputes?payment_id={pay}")).await).await;
    assert_eq!(page["total_count"], 4);
    let (_, page) = json_of(
        env.get("/disputes?from=2025-11-03T00:00:00Z&to=2025-11-04T23:00:00Z")
            .await,
    )
    .await;
    assert_eq!(page["total_count"], 2);
    assert_eq!(page["from"], "2025-11-03T00:00:00Z");

    for bad in ["limit=0", "limit=251", "skip=-1", "from=yesterday"] {
        let (status, body) = json_of(env.get(&format!("/disputes?{bad}")).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(body["error_type"], "request_invalid");
    }
}

#[tokio::test]
async fn detail_and_unknown_dispute() {
    let env = env().await;
    let (pay, ids) = seed(&env);
    let (status, d) = json_of(env.get(&format!("/disputes/{}", ids[0])).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["id"], ids[0].as_str());
    assert_eq!(d["status"], "evidence_required");
    assert_eq!(d["payment"]["id"], pay.as_str());
    assert_eq!(d["payment"]["amount"], 9900);
    assert!(
        d["_links"]["evidence"]["href"]
            .as_str()
            .unwrap()
            .ends_with("/evidence")
    );
    let response = env.get("/disputes/dsp_aaaaaaaaaaaaaaaaaaaaaa").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn accept_evidence_and_decisions_fire_dispute_webhooks() {
    let env = env().await;
    let hook = receiver(0).await;
    env.register(&hook, "dk", &[]).await;
    let (_, ids) = seed(&env);
    assert!(
        hook.hits.lock().unwrap().is_empty(),
        "seeding delivers no webhooks"
    );

    // Accept.
    let response = env
        .post(&format!("/disputes/{}/accept", ids[0]), &json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, d) = json_of(env.get(&format!("/disputes/{}", ids[0])).await).await;
    assert_eq!(d["status"], "accepted");
    let hit = hook.wait_for("dispute_accepted", &ids[0]).await;
    assert_signed(&hit, "dk");
    let response = env
        .post(&format!("/disputes/{}/accept", ids[0]), &json!({}))
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "already accepted");

    // Evidence: submitting nothing is refused; provide, read back, submit.
    let id = &ids[1];
    let response = env.post(&format!("/disputes/{id}/evidence"), &json!({})).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = env
        .http
        .put(env.url(&format!("/disputes/{id}/evidence")))
        .header("authorization", super::KEY)
        .json(&json!({ "proof_of_delivery_or_service_text": "Delivered 2025-10-30", "invoice_or_receipt_file": "file_abc" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, evidence) = json_of(env.get(&format!("/disputes/{id}/evidence")).await).await;
    assert_eq!(
        evidence["proof_of_delivery_or_service_text"],
        "Delivered 2025-10-30"
    );
    let too_long = env
        .http
        .put(env.url(&format!("/disputes/{id}/evidence")))
        .header("authorization", super::KEY)
        .json(&json!({ "customer_communication_text": "x".repeat(501) }))
        .send()
        .await
        .unwrap();
    assert_eq!(too_long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let response = env.post(&format!("/disputes/{id}/evidence"), &json!({})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, d) = json_of(env.get(&format!("/disputes/{id}")).await).await;
    assert_eq!(d["status"], "evidence_under_review");
    hook.wait_for("dispute_evidence_submitted", id).await;

    // The issuer decides (admin).
    let response = env
        .http
        .post(env.url(&format!("/__sandbox/disputes/{id}/status")))
        .json(&json!({ "status": "won" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let won = hook.wait_for("dispute_won", id).await.json();
    assert_eq!(won["data"]["status"], "won");

    // A dispute opened through the admin route fires dispute_evidence_required.
    let payment_id = env.sim.payments()[0]["id"].as_str().unwrap().to_owned();
    let (status, created) = json_of(
        env.http
            .post(env.url("/__sandbox/disputes"))
            .json(&json!({ "payment_id": payment_id, "category": "not_as_described" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let new_id = created["id"].as_str().unwrap();
    let hit = hook.wait_for("dispute_evidence_required", new_id).await.json();
    assert_eq!(hit["data"]["amount"], 9900);
}

#[tokio::test]
async fn dispute_routes_need_dispute_scopes() {
    let env = env().await;
    let (_, ids) = seed(&env);
    env.sim.register_client("ack_view", "s", &["disputes:view"]);
    let (_, token) = json_of(
        env.http
            .post(env.url("/connect/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "ack_view"),
                ("client_secret", "s"),
            ])
            .send()
            .await
            .unwrap(),
    )
    .await;
    let bearer = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let view = env
        .http
        .get(env.url("/disputes"))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(view.status(), StatusCode::OK);
    let accept = env
        .http
        .post(env.url(&format!("/disputes/{}/accept", ids[0])))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(accept.status(), StatusCode::UNAUTHORIZED);
}
