//! OAuth: web-server flow with PKCE, consent page, codes, refresh, revoke, expiry, userinfo.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Duration;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::Sha256;

use super::{Org, Reply, start};

const VERIFIER: &str = "dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk";
/// base64url-no-pad(SHA-256(VERIFIER)).
const CHALLENGE: &str = "ngF5GsXcbwljx6u133FFr3Xht9xooA_DuaX_3QwODtc";
const CLIENT: &str = "desktop-app";
const REDIRECT: &str = "http://127.0.0.1:53682/callback";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

async fn register(org: &Org, client_id: &str, secret: Option<&str>, require_secret: bool) {
    let r = org
        .admin(
            Method::POST,
            "/clients",
            json!({
                "client_id": client_id,
                "client_secret": secret,
                "require_secret": require_secret,
                "redirect_uris": ["http://127.0.0.1/callback", "https://app.example.com/oauth"],
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
}

async fn authorize_page(org: &Org, params: &[(&str, &str)]) -> reqwest::Response {
    let q = serde_urlencoded::to_string(params).unwrap_or_default();
    no_redirects()
        .get(format!("{}/services/oauth2/authorize?{q}", org.base()))
        .send()
        .await
        .unwrap_or_else(|e| panic!("authorize: {e}"))
}

fn request_id(html: &str) -> String {
    let marker = "name=\"request_id\" value=\"";
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("no request_id in {html}"));
    html[start..].split('"').next().unwrap_or_default().to_owned()
}

/// Shows the consent page and clicks a button; returns the redirect Location.
async fn consent(org: &Org, params: &[(&str, &str)], decision: &str) -> url::Url {
    let page = authorize_page(org, params).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap_or_default();
    assert!(
        html.contains("id=\"allow\"") && html.contains(">Allow</button>"),
        "{html}"
    );
    assert!(
        html.contains("id=\"deny\"") && html.contains(">Deny</button>"),
        "{html}"
    );
    let resp = no_redirects()
        .post(format!("{}/services/oauth2/authorize/decision", org.base()))
        .form(&[("request_id", request_id(&html).as_str()), ("decision", decision)])
        .send()
        .await
        .unwrap_or_else(|e| panic!("decision: {e}"));
    assert_eq!(resp.status(), StatusCode::FOUND);
    let loc = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    url::Url::parse(loc).unwrap_or_else(|e| panic!("location {loc}: {e}"))
}

fn param(url: &url::Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn code(org: &Org, scope: &str) -> String {
    let loc = consent(
        org,
        &[
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("state", "st-123"),
            ("scope", scope),
        ],
        "allow",
    )
    .await;
    assert_eq!(
        format!("{}://{}{}", loc.scheme(), loc.authority(), loc.path()),
        REDIRECT
    );
    assert_eq!(param(&loc, "state").as_deref(), Some("st-123"));
    param(&loc, "code").unwrap_or_else(|| panic!("no code in {loc}"))
}

async fn token(org: &Org, form: &[(&str, &str)], basic: Option<(&str, &str)>) -> Reply {
    let mut req = org
        .http
        .post(format!("{}/services/oauth2/token", org.base()))
        .form(form);
    if let Some((u, p)) = basic {
        req = req.basic_auth(u, Some(p));
    }
    let resp = req.send().await.unwrap_or_else(|e| panic!("token: {e}"));
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = resp.json().await.unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
    }
}

async fn exchange(org: &Org, code: &str, verifier: Option<&str>) -> Reply {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", CLIENT),
        ("redirect_uri", REDIRECT),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    token(org, &form, None).await
}

async fn rest_status(org: &Org, access: &str) -> Reply {
    org.call_with(Method::GET, &org.data("/limits"), Some(access), None, &[])
        .await
}

#[tokio::test]
async fn pkce_flow_issues_salesforce_shaped_tokens() {
    let org = start().await;
    register(&org, CLIENT, Some("s3cret"), false).await;
    let code = code(&org, "api refresh_token").await;
    assert!(code.starts_with("aPrx"));
    let r = exchange(&org, &code, Some(VERIFIER)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    let access = b["access_token"].as_str().unwrap_or_default();
    assert!(access.contains('!'));
    assert!(
        b["refresh_token"]
            .as_str()
            .is_some_and(|s| s.starts_with("5Aep861"))
    );
    assert_eq!(b["instance_url"], json!(org.base()));
    assert_eq!(b["token_type"], json!("Bearer"));
    assert_eq!(b["scope"], json!("api refresh_token"));
    assert!(b.get("expires_in").is_none());
    let user = org.sim.user();
    let id = format!("{}/id/{}/{}", org.base(), user.org_id, user.user_id);
    assert_eq!(b["id"], json!(id));
    let issued_at = b["issued_at"].as_str().unwrap_or_default();
    assert_eq!(issued_at, org.clock_now().timestamp_millis().to_string());
    let mut mac = Hmac::<Sha256>::new_from_slice(b"s3cret").unwrap_or_else(|e| panic!("{e}"));
    mac.update(format!("{id}{issued_at}").as_bytes());
    assert_eq!(
        b["signature"],
        json!(STANDARD.encode(mac.finalize().into_bytes()))
    );
    let ok = rest_status(&org, access).await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn no_refresh_token_without_the_scope() {
    let org = start().await;
    register(&org, CLIENT, None, false).await;
    let code = code(&org, "api").await;
    let r = exchange(&org, &code, Some(VERIFIER)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.get("refresh_token").is_none());
}

#[tokio::test]
async fn wrong_or_missing_verifier_is_invalid_grant() {
    let org = start().await;
    register(&org, CLIENT, None, false).await;
    let code = code(&org, "api").await;
    for verifier in [Some("wrong-verifier-wrong-verifier-wrong-verifier-x"), None] {
        let r = exchange(&org, &code, verifier).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        assert_eq!(
            r.body,
            json!({"error": "invalid_grant", "error_description": "invalid code verifier"})
        );
    }
    // The code still works with the right verifier (a failed attempt does not consume it).
    assert_eq!(exchange(&org, &code, Some(VERIFIER)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn codes_are_single_use_and_expire() {
    let org = start().await;
    register(&org, CLIENT, None, false).await;
    let first = code(&org, "api").await;
    assert_eq!(
        exchange(&org, &first, Some(VERIFIER)).await.status,
        StatusCode::OK
    );
    let again = exchange(&org, &first, Some(VERIFIER)).await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
    assert_eq!(again.body["error"], json!("invalid_grant"));

    let late = code(&org, "api").await;
    org.clock.advance(Duration::minutes(15));
    let r = exchange(&org, &late, Some(VERIFIER)).await;
    assert_eq!(
        r.body,
        json!({"error": "invalid_grant", "error_description": "expired authorization code"})
    );
}

#[tokio::test]
async fn redirect_uri_must_match() {
    let org = start().await;
    register(&org, CLIENT, None, false).await;
    // Not registered: an error page, never a redirect.
    let page = authorize_page(
        &org,
        &[
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", "http://127.0.0.1:5000/evil"),
        ],
    )
    .await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(
        page.text()
            .await
            .unwrap_or_default()
            .contains("redirect_uri_mismatch")
    );
    // Unknown client.
    let page = authorize_page(
        &org,
        &[
            ("response_type", "code"),
            ("client_id", "nope"),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    // At the token endpoint the code is bound to the redirect_uri it was issued for.
    let code = code(&org, "api").await;
    let r = token(
        &org,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", CLIENT),
            ("redirect_uri", "http://127.0.0.1:9999/callback"),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"], json!("redirect_uri_mismatch"));
}

#[tokio::test]
async fn deny_redirects_with_access_denied_and_state() {
    let org = start().await;
    register(&org, CLIENT, None, false).await;
    let loc = consent(
        &org,
        &[
            ("response_type", "code"),
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("state", "xyz"),
        ],
        "deny",
    )
    .await;
    assert_eq!(param(&loc, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&loc, "state").as_deref(), Some("xyz"));
    assert!(param(&loc, "code").is_none());
}

#[tokio::test]
async fn confidential_client_needs_its_secret() {
    let org = start().await;
    register(&org, CLIENT, Some("s3cret"), true).await;
    let c = code(&org, "api").await;
    let r = exchange(&org, &c, Some(VERIFIER)).await;
    assert_eq!(
        r.body,
        json!({"error": "invalid_client", "error_description": "invalid client credentials"})
    );
    let form = [
        ("grant_type", "authorization_code"),
        ("code", c.as_str()),
        ("redirect_uri", REDIRECT),
        ("code_verifier", VERIFIER),
    ];
    let r = token(&org, &form, Some((CLIENT, "s3cret"))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn refresh_does_not_rotate_and_expiry_gives_invalid_session() {
    let org = start().await;
    register(&org, CLIENT, None, false).await;
    let c = code(&org, "api refresh_token").await;
    let first = exchange(&org, &c, Some(VERIFIER)).await.body;
    let access = first["access_token"].as_str().unwrap_or_default().to_owned();
    let refresh = first["refresh_token"].as_str().unwrap_or_default().to_owned();

    org.clock.advance(Duration::minutes(119));
    assert_eq!(rest_status(&org, &access).await.status, StatusCode::OK);
    org.clock.advance(Duration::minutes(1));
    let expired = rest_status(&org, &access).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        expired.body,
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );

    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
        ("client_id", CLIENT),
    ];
    for _ in 0..2 {
        let r = token(&org, &form, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        assert!(
            r.body.get("refresh_token").is_none(),
            "refresh tokens are not rotated"
        );
        let fresh = r.body["access_token"].as_str().unwrap_or_default();
        assert_ne!(fresh, access);
        assert_eq!(rest_status(&org, fresh).await.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn session_timeout_is_configurable() {
    let org = start().await;
    let r = org
        .admin(Method::PUT, "/session", json!({"timeout_secs": 600}))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let minted = org.admin(Method::POST, "/tokens", json!({})).await.body;
    let access = minted["access_token"].as_str().unwrap_or_default();
    org.clock.advance(Duration::minutes(10));
    assert_eq!(rest_status(&org, access).await.error_code(), "INVALID_SESSION_ID");
}

#[tokio::test]
async fn revoke_access_and_refresh_tokens() {
    let org = start().await;
    let revoke = |t: String| {
        let http = org.http.clone();
        let url = format!("{}/services/oauth2/revoke", org.base());
        async move {
            http.post(url)
                .form(&[("token", t)])
                .send()
                .await
                .map(|r| r.status())
        }
    };
    let minted = org
        .admin(Method::POST, "/tokens", json!({"scope": "api refresh_token"}))
        .await
        .body;
    let access = minted["access_token"].as_str().unwrap_or_default().to_owned();
    let refresh = minted["refresh_token"].as_str().unwrap_or_default().to_owned();
    let other = org.token.clone();

    assert_eq!(revoke(other.clone()).await.ok(), Some(StatusCode::OK));
    assert_eq!(rest_status(&org, &other).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(rest_status(&org, &access).await.status, StatusCode::OK);

    assert_eq!(revoke(refresh.clone()).await.ok(), Some(StatusCode::OK));
    let r = rest_status(&org, &access).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "revoking a refresh token revokes its access tokens"
    );
    assert_eq!(r.error_code(), "INVALID_SESSION_ID");
    let again = token(
        &org,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("client_id", super::super::SANDBOX_CLIENT_ID),
        ],
        None,
    )
    .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);

    assert_eq!(
        revoke("no-such-token".to_owned()).await.ok(),
        Some(StatusCode::BAD_REQUEST)
    );
}

#[tokio::test]
async fn userinfo_describes_the_org_user() {
    let org = start().await;
    let url = format!("{}/services/oauth2/userinfo", org.base());
    let r = org
        .call_with(Method::GET, &url, Some(&org.token), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let user = org.sim.user();
    assert_eq!(r.body["user_id"], json!(user.user_id));
    assert_eq!(r.body["organization_id"], json!(user.org_id));
    assert_eq!(r.body["email"], json!(user.email));
    assert_eq!(r.body["preferred_username"], json!(user.username));
    assert_eq!(r.body["name"], json!(user.name));
    let bad = org.call_with(Method::GET, &url, Some("nope"), None, &[]).await;
    assert_eq!(bad.status, StatusCode::FORBIDDEN);
    let id_url = format!("{}/id/{}/{}", org.base(), user.org_id, user.user_id);
    let id = org
        .call_with(Method::GET, &id_url, Some(&org.token), None, &[])
        .await;
    assert_eq!(id.body["username"], json!(user.username));
}

#[tokio::test]
async fn unsupported_grant_and_unknown_client() {
    let org = start().await;
    let r = token(&org, &[("grant_type", "password"), ("client_id", CLIENT)], None).await;
    assert_eq!(r.body["error"], json!("unsupported_grant_type"));
    let r = token(
        &org,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "ghost"),
            ("code", "x"),
        ],
        None,
    )
    .await;
    assert_eq!(
        r.body,
        json!({"error": "invalid_client_id", "error_description": "client identifier invalid"})
    );
}
