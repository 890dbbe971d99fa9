//! OAuth client credentials and bearer-token checks.

use chrono::Duration;

use super::{Fixture, read};

#[tokio::test]
async fn token_with_form_credentials_has_the_documented_shape() {
    let f = Fixture::start().await;
    let r = f
        .http
        .post(format!("{}/api/v2/oauth2/token", f.handle.base_url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("scope", "read write"),
            ("client_id", "paysync-sandbox"),
            ("client_secret", "sandbox-secret"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = read(r).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "read write");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["consented_on"], f.now().timestamp());
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() == 48));
    f.stop().await;
}

#[tokio::test]
async fn token_errors_use_oauth_names() {
    let f = Fixture::start().await;
    let url = format!("{}/api/v2/oauth2/token", f.handle.base_url);
    let r = f
        .http
        .post(&url)
        .basic_auth("paysync-sandbox", Some("wrong"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        r.headers().get("www-authenticate").map(|v| v.as_bytes()),
        Some(&b"Basic"[..])
    );
    let (status, body) = read(r).await;
    assert_eq!((status, body["error"].as_str()), (401, Some("invalid_client")));

    let r = f
        .http
        .post(&url)
        .basic_auth("paysync-sandbox", Some("sandbox-secret"))
        .form(&[("grant_type", "password")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = read(r).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );

    let r = f
        .http
        .post(&url)
        .basic_auth("paysync-sandbox", Some("sandbox-secret"))
        .form(&[("grant_type", "client_credentials"), ("scope", "admin")])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = read(r).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_scope")));

    let r = f
        .http
        .post(&url)
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = read(r).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_request")));
    f.stop().await;
}

#[tokio::test]
async fn expired_missing_and_unknown_tokens_get_401() {
    let f = Fixture::start().await;
    let (status, _) = f.get("/balance").await;
    assert_eq!(status, 200);
    f.clock.advance(Duration::seconds(3600));
    let (status, body) = f.get("/balance").await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"], "Unauthorized");
    assert_eq!(body["error_description"], "Access token has expired");
    assert_eq!(body["error_details"]["code"], 401);

    let r = f
        .http
        .get(f.url("/balance"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(r.headers().contains_key("www-authenticate"));
    assert_eq!(r.status().as_u16(), 401);
    let r = f
        .http
        .get(f.url("/balance"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 401);
    f.stop().await;
}

#[tokio::test]
async fn programs_are_scoped_to_their_clients() {
    let f = Fixture::start().await;
    f.sim.register_client("other", "other-secret", &["200020002"]);
    // The default client may not act on the other client's program.
    let r = f
        .http
        .get(format!("{}/v4/programs/200020002/balance", f.handle.base_url))
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (status, body) = read(r).await;
    assert_eq!(status, 403, "{body}");
    let r = f
        .http
        .get(format!("{}/v4/programs/999/balance", f.handle.base_url))
        .bearer_auth(&f.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.status().as_u16(), 404);
    // Unknown routes answer in Payoneer's error shape.
    let (status, body) = f.get("/nothing-here").await;
    assert_eq!(status, 404);
    assert_eq!(body["error"], "Not Found");
    f.stop().await;
}
