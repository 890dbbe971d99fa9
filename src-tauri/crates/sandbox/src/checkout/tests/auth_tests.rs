//! Secret keys, OAuth client credentials, token expiry and scopes.

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use serde_json::{Value, json};

use super::{KEY, env, json_of, payment};

async fn token(env: &super::Env, basic: Option<(&str, &str)>, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut request = env.http.post(env.url("/connect/token")).form(form);
    if let Some((id, secret)) = basic {
        request = request.header(
            "authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        );
    }
    json_of(request.send().await.unwrap()).await
}

#[tokio::test]
async fn secret_keys_authenticate_and_failures_are_bare_401s() {
    let env = env().await;
    let body = payment("4242424242424242", 1000, "USD");

    let ok = env.post("/payments", &body).await;
    assert_eq!(ok.status(), StatusCode::CREATED);
    assert!(ok.headers().contains_key("cko-request-id"));
    assert!(ok.headers().contains_key("cko-version"));

    for header in [
        None,
        Some("Bearer sk_sbox_wrong"),
        Some("sk_sbox_sandbox"),
        Some("Basic abc"),
    ] {
        let mut request = env.http.post(env.url("/payments")).json(&body);
        if let Some(h) = header {
            request = request.header("authorization", h);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{header:?}");
        assert!(response.headers().contains_key("cko-request-id"));
        assert!(response.bytes().await.unwrap().is_empty(), "401 has no body");
    }

    env.sim.register_secret_key("sk_sbox_second");
    let response = env
        .http
        .get(env.url("/disputes"))
        .header("authorization", "Bearer sk_sbox_second")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn oauth_client_credentials_basic_and_form() {
    let env = env().await;
    env.sim
        .register_client("ack_test", "s3cret", &["gateway", "disputes:view"]);

    let (status, body) = token(
        &env,
        Some(("ack_test", "s3cret")),
        &[("grant_type", "client_credentials"), ("scope", "gateway:payment")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let access = body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(access.split('.').count(), 3, "looks like a JWT");

    let response = env
        .http
        .post(env.url("/payments"))
        .header("authorization", format!("Bearer {access}"))
        .json(&payment("4242424242424242", 1000, "USD"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);

    // Form fields instead of Basic; no scope = every scope of the client.
    let (status, body) = token(
        &env,
        None,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "ack_test"),
            ("client_secret", "s3cret"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn oauth_errors() {
    let env = env().await;
    env.sim
        .register_client("ack_test", "s3cret", &["gateway:payment"]);
    type Case<'a> = (Option<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: [Case; 6] = [
        (
            Some(("ack_test", "wrong")),
            vec![("grant_type", "client_credentials")],
            "invalid_client",
        ),
        (
            Some(("ack_nobody", "s3cret")),
            vec![("grant_type", "client_credentials")],
            "invalid_client",
        ),
        (None, vec![("grant_type", "client_credentials")], "invalid_client"),
        (
            Some(("ack_test", "s3cret")),
            vec![("grant_type", "password")],
            "unsupported_grant_type",
        ),
        (
            Some(("ack_test", "s3cret")),
            vec![("grant_type", "client_credentials"), ("scope", "gateway")],
            "invalid_scope",
        ),
        (
            Some(("ack_test", "s3cret")),
            vec![("grant_type", "client_credentials"), ("scope", "nonsense")],
            "invalid_scope",
        ),
    ];
    for (basic, form, error) in cases {
        let (status, body) = token(&env, basic, &form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{form:?}");
        assert_eq!(body, json!({ "error": error }), "{form:?}");
    }
    let (status, body) = token(&env, Some(("ack_test", "s3cret")), &[]).await;
    assert_eq!(
        (status, body),
        (StatusCode::BAD_REQUEST, json!({ "error": "invalid_request" }))
    );
}

#[tokio::test]
async fn tokens_expire_on_the_sandbox_clock() {
    let env = env().await;
    env.sim.register_client("ack_test", "s3cret", &["gateway"]);
    let (_, body) = token(
        &env,
        Some(("ack_test", "s3cret")),
        &[("grant_type", "client_credentials")],
    )
    .await;
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());
    let list = |bearer: String| {
        let request = env
            .http
            .get(env.url("/payments/pay_aaaaaaaaaaaaaaaaaaaaaaaaaa"))
            .header("authorization", bearer);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(list(bearer.clone()).await, StatusCode::NOT_FOUND, "authenticated");
    env.clock.advance(Duration::seconds(3599));
    assert_eq!(list(bearer.clone()).await, StatusCode::NOT_FOUND, "still valid");
    env.clock.advance(Duration::seconds(1));
    let response = env
        .http
        .get(env.url("/payments/pay_aaaaaaaaaaaaaaaaaaaaaaaaaa"))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "expired");
    assert!(response.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn scopes_are_enforced_per_route() {
    let env = env().await;
    env.sim
        .register_client("ack_read", "s", &["gateway:payment-details", "disputes:view"]);
    let (_, body) = token(
        &env,
        Some(("ack_read", "s")),
        &[("grant_type", "client_credentials")],
    )
    .await;
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());

    let (_, paid) = env.pay(&payment("4242424242424242", 1000, "USD")).await;
    let id = paid["id"].as_str().unwrap();

    let get = env
        .http
        .get(env.url(&format!("/payments/{id}")))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::OK);
    let disputes = env
        .http
        .get(env.url("/disputes"))
        .header("authorization", &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(disputes.status(), StatusCode::OK);

    for (path, body) in [
        ("/payments".to_owned(), payment("4242424242424242", 1000, "USD")),
        (format!("/payments/{id}/refunds"), json!({})),
        (format!("/payments/{id}/voids"), json!({})),
    ] {
        let response = env
            .http
            .post(env.url(&path))
            .header("authorization", &bearer)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(response.bytes().await.unwrap().is_empty());
    }
    // The secret key still can.
    let response = env
        .http
        .post(env.url(&format!("/payments/{id}/voids")))
        .header("authorization", KEY)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_ne!(response.status(), StatusCode::UNAUTHORIZED);
}
