//! The generic authorization-code client against an OAuth server nobody here wrote:
//! `oauth2-mock-server` 8.2.3 (npm), started from `tests/oauth-mock/server.mjs`.
//!
//! The Salesforce tests prove the client works with our own simulator; these prove it speaks the
//! standard. The endpoints come from the server's `/.well-known/openid-configuration`; the sign-in
//! goes through the real loopback listener, with reqwest as the browser (GET the authorize URL,
//! do not follow the redirect, then GET the `Location`, the loopback callback, as a browser
//! would). The server reports what it saw on stdout (see `server.mjs`), so the tests also check
//! what the client sent: the S256 challenge, the verifier that answers it, the refresh token, the
//! Bearer header.
//!
//! What oauth2-mock-server 8.2.3 validates (read in its `dist/oauth2-server-*.mjs`): at the
//! authorize endpoint, `redirect_uri` present, `response_type=code`, and the
//! `code_challenge_method` (`plain` or `S256`); it remembers the challenge per code. At the token
//! endpoint, *when a `code_verifier` is sent*: that the code had a challenge, that the verifier
//! has RFC 7636's shape (43–128 unreserved characters), and that it answers the challenge; the
//! challenge is forgotten on the first attempt, right or wrong. Refusals are `400
//! invalid_request` (RFC 7636 §4.6 says `invalid_grant`). It does not check the client id, the
//! redirect URI at the token endpoint, a code exchanged without a verifier, refresh tokens,
//! revoked tokens, or the Bearer token at the user-info endpoint.
//!
//! Node and the package are required: without them these tests fail and say to run
//! `scripts/setup.sh`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use paysync_connectors::oauth::{
    AuthorizationCodeClient, CodeFlowConfig, LoopbackError, OAuthError, OAuthTokens, TokenTypeHint,
    oauth_http_client,
};
use paysync_core::Secret;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use url::Url;

/// The version `tests/oauth-mock/package.json` pins.
const MOCK_VERSION: &str = "8.2.3";
const CLIENT_ID: &str = "paysync-desktop-test";
const TIMEOUT: Duration = Duration::from_secs(20);
const SETUP_HINT: &str = "run scripts/setup.sh (it runs `npm ci --prefix tests/oauth-mock`)";

// ---------------------------------------------------------------------------------------------
// Harness: the mock server as a child process

/// `tests/oauth-mock` at the repository root.
fn mock_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../tests/oauth-mock");
    dir.canonicalize().unwrap_or(dir)
}

/// Fails (never skips) when the pinned package is not installed.
fn require_package(dir: &Path) {
    let manifest = dir.join("node_modules/oauth2-mock-server/package.json");
    let version = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|json| json.get("version").and_then(Value::as_str).map(str::to_owned));
    match version.as_deref() {
        Some(MOCK_VERSION) => {}
        Some(other) => panic!(
            "oauth2-mock-server {other} is installed in {}, but the tests pin {MOCK_VERSION}: {SETUP_HINT}",
            dir.display()
        ),
        None => panic!(
            "oauth2-mock-server is not installed ({} is missing): {SETUP_HINT}",
            manifest.display()
        ),
    }
}

/// A running oauth2-mock-server. Dropping it kills the process (and, since its stdin closes, the
/// server exits by itself even if this test process dies first).
struct MockServer {
    _child: Child,
    issuer: String,
    discovery: Value,
    events: Arc<Mutex<Vec<Value>>>,
}

impl MockServer {
    async fn start() -> Self {
        let dir = mock_dir();
        require_package(&dir);
        let mut child = Command::new("node")
            .arg(dir.join("server.mjs"))
            .arg("--exit-on-stdin-close")
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    panic!("`node` is not installed (Node.js 20.19+ is needed): {SETUP_HINT}")
                }
                _ => panic!("could not start node {}: {e}", dir.join("server.mjs").display()),
            });
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout pipe"));
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(TIMEOUT, lines.next_line()).await;
        let issuer = first
            .ok()
            .and_then(Result::ok)
            .flatten()
            .and_then(|line| serde_json::from_str::<Value>(&line).ok())
            .and_then(|json| json.get("issuer").and_then(Value::as_str).map(str::to_owned));
        let Some(issuer) = issuer else {
            let mut stderr = String::new();
            if let Some(mut pipe) = child.stderr.take() {
                let _ = tokio::time::timeout(Duration::from_secs(2), pipe.read_to_string(&mut stderr)).await;
            }
            panic!("the OAuth mock server did not print its issuer ({SETUP_HINT}); its stderr:\n{stderr}");
        };
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = events.clone();
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(event) = serde_json::from_str::<Value>(&line) {
                    sink.lock().unwrap_or_else(PoisonError::into_inner).push(event);
                }
            }
        });
        let discovery = browser()
            .get(format!("{issuer}/.well-known/openid-configuration"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("discovery: {e}"))
            .json::<Value>()
            .await
            .unwrap_or_else(|e| panic!("discovery document: {e}"));
        assert_eq!(discovery["issuer"], issuer.as_str());
        Self {
            _child: child,
            issuer,
            discovery,
            events,
        }
    }

    /// An endpoint from the discovery document.
    fn endpoint(&self, name: &str) -> String {
        self.discovery[name]
            .as_str()
            .unwrap_or_else(|| panic!("no {name} in the discovery document"))
            .to_owned()
    }

    /// The generic client, configured only from discovery.
    fn client(&self) -> AuthorizationCodeClient {
        let mut config = CodeFlowConfig::new(
            "Mock",
            self.endpoint("authorization_endpoint"),
            self.endpoint("token_endpoint"),
            CLIENT_ID,
        );
        config.revocation_url = Some(self.endpoint("revocation_endpoint"));
        config.userinfo_url = Some(self.endpoint("userinfo_endpoint"));
        config.scopes = vec!["openid".to_owned(), "offline_access".to_owned()];
        config.callback_timeout = TIMEOUT;
        let http = oauth_http_client(Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
        AuthorizationCodeClient::new(config, http).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The events of one kind the server has reported so far.
    fn events(&self, kind: &str) -> Vec<Value> {
        self.events
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|e| e["event"] == kind)
            .cloned()
            .collect()
    }

    /// The `n`th (from 0) event of one kind, waiting briefly for the reader to catch up (the
    /// server writes it before it answers, but the reader task may not have run yet).
    async fn event(&self, kind: &str, n: usize) -> Value {
        for _ in 0..250 {
            if let Some(event) = self.events(kind).into_iter().nth(n) {
                return event;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the mock server at {} reported no {kind} event #{n}", self.issuer);
    }
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_else(|e| panic!("client: {e}"))
}

/// What the browser ends up showing.
struct Shown {
    status: u16,
    body: String,
}

/// Plays the system browser: opens the authorize URL (the mock consents at once and answers
/// 302), then follows the redirect to the app's loopback listener.
async fn browse(authorize_url: &str) -> Shown {
    let browser = browser();
    let answer = browser
        .get(authorize_url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("authorize: {e}"));
    assert_eq!(answer.status().as_u16(), 302, "the authorize endpoint redirects");
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no Location"))
        .to_owned();
    assert!(location.starts_with("http://127.0.0.1:"), "{location}");
    let landed = browser
        .get(&location)
        .send()
        .await
        .unwrap_or_else(|e| panic!("callback: {e}"));
    Shown {
        status: landed.status().as_u16(),
        body: landed.text().await.unwrap_or_default(),
    }
}

/// A query parameter of a URL.
fn param(url: &str, name: &str) -> String {
    Url::parse(url)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        })
        .unwrap_or_else(|| panic!("no {name} in {url}"))
}

/// `url` with one query parameter replaced.
fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut parsed = Url::parse(url).unwrap_or_else(|e| panic!("{e}"));
    let pairs: Vec<(String, String)> = parsed
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == name {
                value.to_owned()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    parsed.query_pairs_mut().clear().extend_pairs(pairs);
    parsed.to_string()
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn refused(e: &OAuthError) -> (String, String) {
    match e {
        OAuthError::Refused {
            error, description, ..
        } => (error.clone(), description.clone()),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A JWT: three dot-separated base64url parts.
fn is_jwt(token: &Secret<String>) -> bool {
    let parts: Vec<&str> = token.expose().split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.is_empty())
}

/// A completed sign-in.
async fn sign_in(client: &AuthorizationCodeClient) -> OAuthTokens {
    let pending = client.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let url = pending.url().to_owned();
    let (tokens, shown) = tokio::join!(pending.finish(), browse(&url));
    assert_eq!(shown.status, 200);
    tokens.unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------------------------------------
// Sign-in

#[tokio::test]
async fn pkce_sign_in_through_the_loopback_listener() {
    let mock = MockServer::start().await;
    let client = mock.client();
    let pending = client.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let url = pending.url().to_owned();
    let redirect_uri = pending.redirect_uri().to_owned();
    assert!(
        url.starts_with(&format!("{}?", mock.endpoint("authorization_endpoint"))),
        "{url}"
    );
    assert_eq!(param(&url, "code_challenge_method"), "S256");
    let challenge = param(&url, "code_challenge");
    assert_eq!(challenge.len(), 43);
    assert!(
        mock.discovery["code_challenge_methods_supported"]
            .as_array()
            .is_some_and(|m| m.iter().any(|m| m == "S256")),
        "the server advertises S256"
    );

    let (tokens, shown) = tokio::join!(pending.finish(), browse(&url));
    let tokens = tokens.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("you can close this tab"), "{}", shown.body);

    // The server's tokens, read by the generic parser.
    assert!(is_jwt(&tokens.access_token), "an RS256 JWT access token");
    assert_eq!(tokens.token_type, "bearer");
    assert_eq!(tokens.expires_in, Some(Duration::from_secs(3600)));
    assert!(tokens.refresh_token.is_some());
    assert!(tokens.id_token.as_ref().is_some_and(is_jwt), "an OpenID ID token");
    assert!(!tokens.extra.contains_key("id_token"));
    let printed = format!("{tokens:?}");
    assert!(
        !printed.contains(tokens.access_token.expose().as_str()),
        "{printed}"
    );

    // The server saw the S256 challenge, and at the token endpoint a verifier that answers it
    // (it checked that itself before issuing: a mismatch is refused, see the next test).
    let authorize = mock.event("authorize", 0).await;
    assert_eq!(authorize["code_challenge"], challenge.as_str());
    assert_eq!(authorize["code_challenge_method"], "S256");
    assert_eq!(authorize["client_id"], CLIENT_ID);
    assert_eq!(authorize["redirect_uri"], redirect_uri.as_str());
    assert_eq!(authorize["has_state"], true);
    let token = mock.event("token", 0).await;
    assert_eq!(token["grant_type"], "authorization_code");
    assert_eq!(token["code_verifier_s256"], challenge.as_str());
    assert_eq!(token["client_id"], CLIENT_ID);
    assert_eq!(token["redirect_uri"], redirect_uri.as_str());

    // The listener served one callback and closed.
    assert!(
        browser().get(&redirect_uri).send().await.is_err(),
        "the listener must be closed after one callback"
    );
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused_by_the_server() {
    let mock = MockServer::start().await;
    let client = mock.client();
    let pending = client.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let url = pending.url().to_owned();
    let (received, _) = tokio::join!(pending.callback(), browse(&url));
    let received = received.unwrap_or_else(|e| panic!("{e}"));

    // Someone who intercepted the code but not the verifier gets nothing.
    let wrong = Secret::new("dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned());
    let err = client
        .exchange_code(received.code(), &wrong, received.redirect_uri())
        .await
        .err()
        .unwrap_or_else(|| panic!("a wrong verifier was accepted"));
    assert_eq!(
        refused(&err),
        (
            "invalid_request".to_owned(),
            "code_verifier provided does not match code_challenge".to_owned()
        )
    );
    assert!(!err.is_retryable());
    assert!(
        err.to_string().starts_with("Mock code exchange was refused"),
        "{err}"
    );

    // This server forgets the challenge on the first attempt, so the code is spent: even the
    // right verifier is refused now.
    let err = received
        .exchange()
        .await
        .err()
        .unwrap_or_else(|| panic!("a spent code was accepted"));
    assert_eq!(
        refused(&err),
        ("invalid_request".to_owned(), "code_challenge required".to_owned())
    );

    // A verifier that is not RFC 7636-shaped (43–128 unreserved characters) is refused as such.
    let pending = client.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let url = pending.url().to_owned();
    let (received, _) = tokio::join!(pending.callback(), browse(&url));
    let received = received.unwrap_or_else(|e| panic!("{e}"));
    let short = Secret::new("too-short".to_owned());
    let err = client
        .exchange_code(received.code(), &short, received.redirect_uri())
        .await
        .err()
        .unwrap_or_else(|| panic!("a malformed verifier was accepted"));
    let (code, description) = refused(&err);
    assert_eq!(code, "invalid_request");
    assert!(
        description.starts_with("Invalid 'code_verifier'"),
        "{description}"
    );

    assert!(mock.events("token").is_empty(), "no tokens were issued");
}

#[tokio::test]
async fn a_callback_with_a_forged_state_is_rejected_by_our_listener() {
    let mock = MockServer::start().await;
    let client = mock.client();
    let pending = client.begin().await.unwrap_or_else(|e| panic!("{e}"));
    // The server issues a real code, but the redirect carries a state this sign-in never sent
    // (a stale tab, or a login-CSRF attempt).
    let forged = with_param(pending.url(), "state", "forged-state");
    let (result, shown) = tokio::join!(pending.finish(), browse(&forged));
    assert_eq!(shown.status, 400);
    assert!(
        shown.body.contains("does not belong to this sign-in"),
        "{}",
        shown.body
    );
    let err = result
        .err()
        .unwrap_or_else(|| panic!("a forged callback was accepted"));
    assert_eq!(err, OAuthError::Callback(LoopbackError::StateMismatch));
    mock.event("authorize", 0).await;
    assert!(
        mock.events("token").is_empty(),
        "the code of a forged callback is never exchanged"
    );
}

// ---------------------------------------------------------------------------------------------
// After the sign-in

#[tokio::test]
async fn the_refresh_token_grant_returns_new_tokens() {
    let mock = MockServer::start().await;
    let client = mock.client();
    let tokens = sign_in(&client).await;
    let refresh_token = tokens
        .refresh_token
        .clone()
        .unwrap_or_else(|| panic!("no refresh token"));

    let refreshed = client
        .refresh(&refresh_token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(is_jwt(&refreshed.access_token));
    assert_eq!(refreshed.token_type, "bearer");
    assert_eq!(refreshed.expires_in, Some(Duration::from_secs(3600)));
    let rotated = refreshed
        .refresh_token
        .clone()
        .unwrap_or_else(|| panic!("this server rotates refresh tokens"));
    assert_ne!(rotated, refresh_token);

    let sent = mock.event("token", 1).await;
    assert_eq!(sent["grant_type"], "refresh_token");
    assert_eq!(
        sent["refresh_token_sha256"],
        sha256_hex(refresh_token.expose()).as_str()
    );
    assert_eq!(sent["client_id"], CLIENT_ID);
}

#[tokio::test]
async fn the_revocation_endpoint_accepts_both_tokens() {
    let mock = MockServer::start().await;
    let client = mock.client();
    let tokens = sign_in(&client).await;
    let refresh_token = tokens
        .refresh_token
        .clone()
        .unwrap_or_else(|| panic!("no refresh token"));
    client
        .revoke(&refresh_token, Some(TokenTypeHint::RefreshToken))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    client
        .revoke(&tokens.access_token, Some(TokenTypeHint::AccessToken))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    for n in 0..2 {
        let seen = mock.event("revoke", n).await;
        assert_eq!(seen["content_type"], "application/x-www-form-urlencoded");
    }
}

#[tokio::test]
async fn user_info_is_read_with_the_access_token() {
    let mock = MockServer::start().await;
    let client = mock.client();
    let tokens = sign_in(&client).await;
    let claims = client
        .user_info(&tokens.access_token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(claims.get("sub").and_then(Value::as_str), Some("johndoe"));
    let seen = mock.event("userinfo", 0).await;
    assert_eq!(
        seen["authorization_sha256"],
        sha256_hex(&format!("Bearer {}", tokens.access_token.expose())).as_str()
    );
}
