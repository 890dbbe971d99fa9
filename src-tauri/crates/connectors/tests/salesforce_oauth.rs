//! The OAuth clients against the sandbox simulators, over real loopback HTTP.
//!
//! Salesforce: the desktop sign-in (PKCE + loopback redirect) is driven like a browser: GET the
//! authorize URL, read the consent form, POST the decision, follow the 302 to the loopback
//! listener. Then refresh, revoke, the negative cases, and the executor's authenticator.
//! Payoneer and Checkout.com: the client-credentials token cache on a manual clock.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use paysync_connectors::http::{
    Authenticator, BreakerPolicy, Executor, ExecutorConfig, HttpError, Method, ProviderConfig,
    ProviderPolicy, RateLimit, Request, RetrySafety,
};
use paysync_connectors::oauth::client_credentials::DEFAULT_REFRESH_MARGIN;
use paysync_connectors::oauth::{
    ClientCredentials, ClientCredentialsConfig, LoginHost, LoopbackError, OAuthError, RefreshedToken,
    SalesforceAuthenticator, SalesforceOAuth, SalesforceOAuthConfig, TokenSink, oauth_http_client,
};
use paysync_core::retry::RetryPolicy;
use paysync_core::{Clock, ManualClock, Secret, SeededRandom, SharedClock};
use paysync_sandbox::checkout::CheckoutSim;
use paysync_sandbox::payoneer::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PROGRAM_ID, PayoneerSim};
use paysync_sandbox::salesforce::{OrgUser, SANDBOX_CLIENT_ID, SalesforceSim};
use paysync_sandbox::{ServeOptions, SimContext, SimHandle, Simulator, serve};
use url::Url;

// ---------------------------------------------------------------------------------------------
// Harness

async fn start<S: Simulator>(
    clock: &ManualClock,
    build: impl FnOnce(SimContext) -> Arc<S>,
) -> (SimHandle, Arc<S>) {
    let options = ServeOptions::loopback();
    serve(
        options,
        Arc::new(clock.clone()),
        Arc::new(SeededRandom::new(5)),
        build,
    )
    .await
    .unwrap_or_else(|e| panic!("start simulator: {e}"))
}

struct Org {
    handle: SimHandle,
    sim: Arc<SalesforceSim>,
    clock: ManualClock,
}

impl Org {
    async fn start() -> Self {
        let clock = ManualClock::at_fixed_origin();
        let (handle, sim) = start(&clock, SalesforceSim::new).await;
        let user = sim.user();
        sim.set_user(OrgUser {
            name: "Ada Lovelace".to_owned(),
            email: "ada@example.com".to_owned(),
            username: "ada@acme.example".to_owned(),
            ..user
        });
        Self { handle, sim, clock }
    }

    fn base(&self) -> &str {
        &self.handle.base_url
    }

    fn oauth(&self, callback_timeout: Duration) -> SalesforceOAuth {
        let mut config = SalesforceOAuthConfig::new(
            LoginHost::Custom(Url::parse(self.base()).unwrap_or_else(|e| panic!("{e}"))),
            SANDBOX_CLIENT_ID,
        );
        config.callback_timeout = callback_timeout;
        let http = oauth_http_client(Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"));
        SalesforceOAuth::new(config, http, Arc::new(self.clock.clone())).unwrap_or_else(|e| panic!("{e}"))
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

/// Plays the user's browser: opens the consent page, clicks Allow or Deny (`decision`), and
/// follows the redirect to the app's loopback listener.
async fn consent(authorize_url: &str, decision: &str) -> Shown {
    let landed = paysync_sandbox::salesforce::browser::answer_consent(authorize_url, decision == "allow")
        .await
        .unwrap_or_else(|e| panic!("consent: {e}"));
    assert!(
        landed.callback.starts_with("http://127.0.0.1:"),
        "{}",
        landed.callback
    );
    Shown {
        status: landed.status,
        body: landed.body,
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

/// GET on the loopback listener (the browser hitting some other URL); `None` if refused.
async fn get_loopback(url: &str) -> Option<Shown> {
    let r = browser().get(url).send().await.ok()?;
    Some(Shown {
        status: r.status().as_u16(),
        body: r.text().await.unwrap_or_default(),
    })
}

fn refused(e: &OAuthError) -> (String, String) {
    match e {
        OAuthError::Refused {
            error, description, ..
        } => (error.clone(), description.clone()),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

const TIMEOUT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// Salesforce sign-in

#[tokio::test]
async fn sign_in_with_pkce_yields_tokens_ids_and_user() {
    let org = Org::start().await;
    let oauth = org.oauth(TIMEOUT);
    let pending = oauth.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let url = pending.url().to_owned();
    assert!(
        url.starts_with(&format!("{}/services/oauth2/authorize?", org.base())),
        "{url}"
    );
    assert_eq!(param(&url, "response_type"), "code");
    assert_eq!(param(&url, "client_id"), SANDBOX_CLIENT_ID);
    assert_eq!(param(&url, "code_challenge_method"), "S256");
    assert_eq!(param(&url, "code_challenge").len(), 43);
    assert_eq!(param(&url, "scope"), "api refresh_token openid");
    assert_eq!(param(&url, "redirect_uri"), pending.redirect_uri());
    assert!(param(&url, "state").len() >= 16);
    let redirect = Url::parse(pending.redirect_uri()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (redirect.host_str(), redirect.path()),
        (Some("127.0.0.1"), "/callback")
    );
    assert_ne!(redirect.port(), None);

    let (tokens, shown) = tokio::join!(pending.finish(), consent(&url, "allow"));
    let tokens = tokens.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(shown.status, 200);
    assert!(
        shown
            .body
            .contains("Paysync is connected, you can close this tab."),
        "{}",
        shown.body
    );

    let user = org.sim.user();
    assert_eq!(tokens.instance_url, org.base());
    assert_eq!(tokens.org_id, user.org_id);
    assert_eq!(tokens.user_id, user.user_id);
    assert_eq!(
        tokens.identity_url,
        format!("{}/id/{}/{}", org.base(), user.org_id, user.user_id)
    );
    assert_eq!(tokens.issued_at, org.clock.now());
    assert!(
        tokens.refresh_token.is_some(),
        "the refresh_token scope grants one"
    );
    let who = tokens.user.clone().unwrap_or_else(|| panic!("no user info"));
    assert_eq!(
        (who.name.as_str(), who.email.as_str(), who.username.as_str()),
        ("Ada Lovelace", "ada@example.com", "ada@acme.example")
    );
    let printed = format!("{tokens:?}");
    assert!(
        !printed.contains(tokens.access_token.expose().as_str()),
        "{printed}"
    );

    // The access token works on the REST API.
    let limits = browser()
        .get(format!("{}/services/data/v66.0/limits", tokens.instance_url))
        .bearer_auth(tokens.access_token.expose())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(limits.status(), 200);

    // Replaying the callback (same state) after success finds the listener closed.
    let replay = format!("{}?code=anything&state={}", redirect, param(&url, "state"));
    assert!(
        get_loopback(&replay).await.is_none(),
        "the listener must be closed after one callback"
    );
}

#[tokio::test]
async fn authorize_opens_the_browser_and_completes() {
    let org = Org::start().await;
    let oauth = org.oauth(TIMEOUT);
    let opened = Arc::new(Mutex::new(None));
    let seen = opened.clone();
    let tokens = oauth
        .authorize(move |url| {
            *seen.lock().unwrap_or_else(PoisonError::into_inner) = Some(url.to_owned());
            let url = url.to_owned();
            tokio::spawn(async move { consent(&url, "allow").await });
            Ok(())
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(opened.lock().unwrap_or_else(PoisonError::into_inner).is_some());
    assert_eq!(tokens.org_id, org.sim.user().org_id);

    let failed = oauth.authorize(|_| Err("no browser installed".to_owned())).await;
    assert_eq!(
        failed.err(),
        Some(OAuthError::Browser("no browser installed".to_owned()))
    );
}

#[tokio::test]
async fn refresh_then_revoke_then_reconnect_needed() {
    let org = Org::start().await;
    let oauth = org.oauth(TIMEOUT);
    let pending = oauth.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let url = pending.url().to_owned();
    let (tokens, _) = tokio::join!(pending.finish(), consent(&url, "allow"));
    let tokens = tokens.unwrap_or_else(|e| panic!("{e}"));
    let refresh_token = tokens
        .refresh_token
        .clone()
        .unwrap_or_else(|| panic!("no refresh token"));

    org.clock.advance(chrono::Duration::minutes(30));
    let refreshed = oauth
        .refresh(&refresh_token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(refreshed.access_token, tokens.access_token);
    assert!(
        refreshed.refresh_token.is_none(),
        "Salesforce does not rotate refresh tokens"
    );
    assert_eq!(refreshed.instance_url, org.base());
    assert_eq!(refreshed.issued_at, org.clock.now());

    oauth
        .revoke(&refresh_token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // Revoking a refresh token also kills the access tokens issued from it.
    let limits = browser()
        .get(format!("{}/services/data/v66.0/limits", org.base()))
        .bearer_auth(refreshed.access_token.expose())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(limits.status(), 401);

    let err = oauth
        .refresh(&refresh_token)
        .await
        .err()
        .unwrap_or_else(|| panic!("refresh succeeded"));
    match &err {
        OAuthError::ReconnectNeeded { reason } => {
            assert!(reason.contains("expired access/refresh token"), "{reason}")
        }
        other => panic!("expected ReconnectNeeded, got {other:?}"),
    }
    assert!(!err.is_retryable());

    // The token is gone: a second revocation is refused with Salesforce's code.
    let again = oauth
        .revoke(&refresh_token)
        .await
        .err()
        .unwrap_or_else(|| panic!("revoked twice"));
    assert_eq!(refused(&again).0, "invalid_token");
}

#[tokio::test]
async fn a_callback_with_the_wrong_state_is_rejected() {
    let org = Org::start().await;
    let oauth = org.oauth(TIMEOUT);
    let pending = oauth.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let forged = format!("{}?code=aPrxForged&state=not-the-state", pending.redirect_uri());
    let redirect = pending.redirect_uri().to_owned();
    let (result, shown) = tokio::join!(pending.finish(), get_loopback(&forged));
    let shown = shown.unwrap_or_else(|| panic!("the listener did not answer"));
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
    assert!(err.to_string().contains("state mismatch"), "{err}");
    assert!(
        get_loopback(&redirect).await.is_none(),
        "the listener must be closed"
    );
}

#[tokio::test]
async fn an_unexpected_path_gets_404_and_the_wait_goes_on() {
    let org = Org::start().await;
    let oauth = org.oauth(TIMEOUT);
    let pending = oauth.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let url = pending.url().to_owned();
    let root = pending.redirect_uri().replace("/callback", "");
    let browse = async {
        for stray in ["/favicon.ico", "/", "/callback/../other?code=x"] {
            let shown = get_loopback(&format!("{root}{stray}"))
                .await
                .unwrap_or_else(|| panic!("no answer for {stray}"));
            assert_eq!(shown.status, 404, "{stray}");
            assert!(shown.body.contains("still waiting"), "{}", shown.body);
        }
        let no_query = get_loopback(&format!("{root}/callback")).await;
        assert_eq!(no_query.map(|s| s.status), Some(400));
        consent(&url, "allow").await
    };
    let (tokens, shown) = tokio::join!(pending.finish(), browse);
    assert_eq!(shown.status, 200);
    let tokens = tokens.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tokens.org_id, org.sim.user().org_id);
}

#[tokio::test]
async fn deny_on_the_consent_page_is_access_denied_with_the_description() {
    let org = Org::start().await;
    let oauth = org.oauth(TIMEOUT);
    let pending = oauth.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let url = pending.url().to_owned();
    let (result, shown) = tokio::join!(pending.finish(), consent(&url, "deny"));
    assert_eq!(shown.status, 400);
    assert!(shown.body.contains("access_denied"), "{}", shown.body);
    assert!(
        shown.body.contains("end-user denied authorization"),
        "{}",
        shown.body
    );
    let err = result.err().unwrap_or_else(|| panic!("denied sign-in succeeded"));
    assert_eq!(
        err,
        OAuthError::Callback(LoopbackError::Denied {
            error: "access_denied".to_owned(),
            description: "end-user denied authorization".to_owned(),
        })
    );
    assert_eq!(err.oauth_code(), Some("access_denied"));
}

#[tokio::test]
async fn no_callback_times_out_and_closes_the_listener() {
    let org = Org::start().await;
    let oauth = org.oauth(Duration::from_millis(300));
    let pending = oauth.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let redirect = pending.redirect_uri().to_owned();
    let err = pending
        .finish()
        .await
        .err()
        .unwrap_or_else(|| panic!("no timeout"));
    assert_eq!(
        err,
        OAuthError::Callback(LoopbackError::Timeout(Duration::from_millis(300)))
    );
    assert!(err.to_string().contains("no sign-in response arrived"), "{err}");
    assert!(
        get_loopback(&redirect).await.is_none(),
        "the listener must be closed"
    );
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_refused_and_the_code_is_single_use() {
    let org = Org::start().await;
    let oauth = org.oauth(TIMEOUT);
    let pending = oauth.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let url = pending.url().to_owned();
    let (callback, _) = tokio::join!(pending.callback(), consent(&url, "allow"));
    let callback = callback.unwrap_or_else(|e| panic!("{e}"));
    let code = callback.code().clone();
    let redirect = callback.redirect_uri().to_owned();

    // Someone who intercepted the code but not the verifier gets nothing.
    let wrong = Secret::new("dBjftJeZ4CVP-mJ92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned());
    let err = oauth
        .exchange_code(&code, &wrong, &redirect)
        .await
        .err()
        .unwrap_or_else(|| panic!("a wrong verifier was accepted"));
    assert_eq!(
        refused(&err),
        ("invalid_grant".to_owned(), "invalid code verifier".to_owned())
    );
    assert!(err.to_string().contains("invalid code verifier"), "{err}");

    // The right verifier still works: the verifier was the only thing wrong.
    let tokens = callback.exchange().await.unwrap_or_else(|e| panic!("{e}"));
    assert!(!tokens.access_token.expose().is_empty());

    // The code is single use.
    let err = oauth
        .exchange_code(&code, &wrong, &redirect)
        .await
        .err()
        .unwrap_or_else(|| panic!("a used code was accepted"));
    assert_eq!(
        refused(&err),
        (
            "invalid_grant".to_owned(),
            "invalid authorization code".to_owned()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// The Salesforce authenticator in the executor

#[derive(Debug, Default)]
struct MemorySink {
    stored: Mutex<Vec<RefreshedToken>>,
}

impl MemorySink {
    fn count(&self) -> usize {
        self.stored.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

#[async_trait]
impl TokenSink for MemorySink {
    async fn store(&self, tokens: &RefreshedToken) -> Result<(), String> {
        self.stored
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(tokens.clone());
        Ok(())
    }
}

fn policy() -> ProviderPolicy {
    ProviderPolicy {
        rate: RateLimit::per_second(200),
        max_attempts: 2,
        backoff: RetryPolicy {
            base: Duration::from_millis(10),
            cap: Duration::from_millis(50),
        },
        breaker: BreakerPolicy {
            failure_threshold: 1_000,
            open_for: Duration::from_secs(30),
        },
        timeout: Duration::from_secs(5),
    }
}

fn executor(name: &str, base_url: &str, auth: Arc<dyn Authenticator>, clock: SharedClock) -> Executor {
    let provider = ProviderConfig {
        name: name.to_owned(),
        base_url: base_url.to_owned(),
        idempotency_header: None,
        policy: policy(),
        auth,
    };
    Executor::new(
        &ExecutorConfig::default(),
        vec![provider],
        clock,
        Arc::new(SeededRandom::new(1)),
    )
    .unwrap_or_else(|e| panic!("executor: {e}"))
}

fn limits() -> Request {
    Request::new(
        Method::GET,
        "/services/data/v66.0/limits",
        RetrySafety::ReplaySafe,
        "salesforce:GET /limits",
    )
}

async fn signed_in(org: &Org) -> (SalesforceOAuth, paysync_connectors::oauth::SalesforceTokens) {
    let oauth = org.oauth(TIMEOUT);
    let pending = oauth.begin().await.unwrap_or_else(|e| panic!("{e}"));
    let url = pending.url().to_owned();
    let (tokens, _) = tokio::join!(pending.finish(), consent(&url, "allow"));
    (oauth, tokens.unwrap_or_else(|e| panic!("{e}")))
}

#[tokio::test]
async fn an_expired_session_is_refreshed_once_and_stored() {
    let org = Org::start().await;
    let (oauth, tokens) = signed_in(&org).await;
    let sink = Arc::new(MemorySink::default());
    let auth = Arc::new(SalesforceAuthenticator::from_tokens(oauth, &tokens, sink.clone()));
    let clock: SharedClock = Arc::new(org.clock.clone());
    let exec = executor("salesforce", &tokens.instance_url, auth.clone(), clock);

    let ok = exec
        .send("salesforce", limits())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.status, 200);
    assert_eq!(sink.count(), 0);

    // The org's session timeout (2 h) passes: the next call gets 401, refreshes, retries.
    org.clock
        .advance(chrono::Duration::hours(2) + chrono::Duration::seconds(1));
    let before = auth.fingerprint().await;
    let ok = exec
        .send("salesforce", limits())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.status, 200);
    assert_eq!(sink.count(), 1, "the refreshed token is handed to the sink");
    assert_ne!(auth.fingerprint().await, before);
    assert_eq!(auth.reconnect_needed().await, None);
}

#[tokio::test]
async fn concurrent_401s_with_one_fingerprint_refresh_once() {
    let org = Org::start().await;
    let (oauth, tokens) = signed_in(&org).await;
    let sink = Arc::new(MemorySink::default());
    let auth = Arc::new(SalesforceAuthenticator::from_tokens(oauth, &tokens, sink.clone()));
    let failed = auth.fingerprint().await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let auth = auth.clone();
        let failed = failed.clone();
        tasks.push(tokio::spawn(async move { auth.refresh(&failed).await }));
    }
    for t in tasks {
        t.await
            .unwrap_or_else(|e| panic!("join: {e}"))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert_eq!(sink.count(), 1, "one refresh for eight concurrent 401s");
    assert_ne!(auth.fingerprint().await, failed);
}

#[tokio::test]
async fn a_revoked_grant_means_reconnect_and_no_more_refreshes() {
    let org = Org::start().await;
    let (oauth, tokens) = signed_in(&org).await;
    let sink = Arc::new(MemorySink::default());
    let auth = Arc::new(SalesforceAuthenticator::from_tokens(
        oauth.clone(),
        &tokens,
        sink.clone(),
    ));
    let clock: SharedClock = Arc::new(org.clock.clone());
    let exec = executor("salesforce", &tokens.instance_url, auth.clone(), clock);

    let refresh_token = tokens
        .refresh_token
        .clone()
        .unwrap_or_else(|| panic!("no refresh token"));
    oauth
        .revoke(&refresh_token)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let err = exec
        .send("salesforce", limits())
        .await
        .err()
        .unwrap_or_else(|| panic!("a revoked grant still works"));
    match &err {
        HttpError::AuthRefused { message, .. } => {
            assert!(message.contains("Salesforce must be reconnected"), "{message}");
            assert!(message.contains("expired access/refresh token"), "{message}");
        }
        other => panic!("expected AuthRefused, got {other:?}"),
    }
    assert!(auth.reconnect_needed().await.is_some());
    assert_eq!(sink.count(), 0);

    // No further refresh is attempted: with the org down, a refresh that went to the network
    // would fail with a connection error; this one fails at once with "reconnect".
    org.handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
    let again = auth.refresh(&auth.fingerprint().await).await;
    assert!(
        matches!(&again, Err(HttpError::AuthRefused { message, .. }) if message.contains("reconnected")),
        "{again:?}"
    );
    let applied = exec.send("salesforce", limits()).await;
    assert!(
        matches!(applied, Err(HttpError::AuthRefused { .. })),
        "{applied:?}"
    );
}

#[tokio::test]
async fn a_refresh_while_salesforce_is_down_is_retriable_and_not_sticky() {
    let org = Org::start().await;
    let (oauth, tokens) = signed_in(&org).await;
    let sink = Arc::new(MemorySink::default());
    let auth = SalesforceAuthenticator::from_tokens(oauth, &tokens, sink.clone());
    org.handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
    let err = auth.refresh(&auth.fingerprint().await).await.err();
    assert!(matches!(err, Some(HttpError::Connect { .. })), "{err:?}");
    assert_eq!(auth.reconnect_needed().await, None);
}

// ---------------------------------------------------------------------------------------------
// Client credentials: Payoneer and Checkout.com

fn http() -> reqwest::Client {
    oauth_http_client(Duration::from_secs(10)).unwrap_or_else(|e| panic!("{e}"))
}

async fn payoneer_balance(base: &str, token: &Secret<String>) -> u16 {
    browser()
        .get(format!("{base}/v4/programs/{DEFAULT_PROGRAM_ID}/balance"))
        .bearer_auth(token.expose())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn payoneer_token_is_cached_and_renewed_before_expiry() {
    let clock = ManualClock::at_fixed_origin();
    let (handle, _sim) = start(&clock, PayoneerSim::new).await;
    let config = ClientCredentialsConfig::payoneer(
        &handle.base_url,
        DEFAULT_CLIENT_ID,
        Secret::new(DEFAULT_CLIENT_SECRET.to_owned()),
    );
    let source =
        ClientCredentials::new(config, http(), Arc::new(clock.clone())).unwrap_or_else(|e| panic!("{e}"));

    let first = source.access_token().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(payoneer_balance(&handle.base_url, &first).await, 200);
    let ttl = chrono::Duration::seconds(3600);
    let margin = chrono::Duration::from_std(DEFAULT_REFRESH_MARGIN).unwrap_or_default();
    assert_eq!(source.refresh_at().await, Some(clock.now() + ttl - margin));

    // Cached until 60 s before expiry.
    clock.advance(ttl - margin - chrono::Duration::seconds(1));
    let cached = source.access_token().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cached, first);
    clock.advance(chrono::Duration::seconds(1));
    let renewed = source.access_token().await.unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(renewed, first, "renewed 60 s before expiry");
    assert_eq!(payoneer_balance(&handle.base_url, &renewed).await, 200);

    // Had it kept the old one, it would have been refused a minute later.
    clock.advance(margin);
    assert_eq!(payoneer_balance(&handle.base_url, &first).await, 401);
    assert_eq!(payoneer_balance(&handle.base_url, &renewed).await, 200);
}

#[tokio::test]
async fn payoneer_concurrent_callers_share_one_token_and_the_executor_uses_it() {
    let clock = ManualClock::at_fixed_origin();
    let (handle, _sim) = start(&clock, PayoneerSim::new).await;
    let config = ClientCredentialsConfig::payoneer(
        &handle.base_url,
        DEFAULT_CLIENT_ID,
        Secret::new(DEFAULT_CLIENT_SECRET.to_owned()),
    );
    let source = Arc::new(
        ClientCredentials::new(config, http(), Arc::new(clock.clone())).unwrap_or_else(|e| panic!("{e}")),
    );
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let source = source.clone();
        tasks.push(tokio::spawn(async move { source.access_token().await }));
    }
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(
            t.await
                .unwrap_or_else(|e| panic!("join: {e}"))
                .unwrap_or_else(|e| panic!("{e}")),
        );
    }
    assert!(tokens.windows(2).all(|w| w[0] == w[1]), "one fetch shared by all");

    // Through the executor; a 401 with the current fingerprint refetches, a stale one does not.
    let exec = executor(
        "payoneer",
        &handle.base_url,
        source.clone(),
        Arc::new(clock.clone()),
    );
    let balance = Request::new(
        Method::GET,
        format!("/v4/programs/{DEFAULT_PROGRAM_ID}/balance"),
        RetrySafety::ReplaySafe,
        "payoneer:GET /balance",
    );
    let ok = exec
        .send("payoneer", balance)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ok.status, 200);
    let current = source.access_token().await.unwrap_or_else(|e| panic!("{e}"));
    let stale = paysync_connectors::http::TokenFingerprint::of("Bearer something-older");
    source.refresh(&stale).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(source.access_token().await.ok(), Some(current.clone()));
    let fp = paysync_connectors::http::TokenFingerprint::of(&format!("Bearer {}", current.expose()));
    source.refresh(&fp).await.unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(source.access_token().await.ok(), Some(current));
}

#[tokio::test]
async fn payoneer_wrong_secret_is_refused_clearly() {
    let clock = ManualClock::at_fixed_origin();
    let (handle, _sim) = start(&clock, PayoneerSim::new).await;
    let config = ClientCredentialsConfig::payoneer(
        &handle.base_url,
        DEFAULT_CLIENT_ID,
        Secret::new("wrong".to_owned()),
    );
    let source = ClientCredentials::new(config, http(), Arc::new(clock)).unwrap_or_else(|e| panic!("{e}"));
    let err = source
        .access_token()
        .await
        .err()
        .unwrap_or_else(|| panic!("a wrong secret worked"));
    assert_eq!(
        refused(&err),
        (
            "invalid_client".to_owned(),
            "Client authentication failed".to_owned()
        )
    );
    assert!(
        err.to_string().starts_with("Payoneer token request was refused"),
        "{err}"
    );
    assert!(!err.to_string().contains("wrong"), "no secret in messages: {err}");
}

#[tokio::test]
async fn checkout_token_uses_basic_auth_scopes_and_expiry() {
    let clock = ManualClock::at_fixed_origin();
    let (handle, sim) = start(&clock, CheckoutSim::new).await;
    // A secret with characters RFC 6749 §2.3.1 form-encodes inside the Basic credentials.
    let secret = "s3cret+/&: ü";
    sim.register_client("ack_paysync", secret, &["gateway"]);
    let config = ClientCredentialsConfig::checkout(
        &handle.base_url,
        "ack_paysync",
        Secret::new(secret.to_owned()),
        vec!["gateway".to_owned()],
    );
    let source =
        ClientCredentials::new(config, http(), Arc::new(clock.clone())).unwrap_or_else(|e| panic!("{e}"));
    let token = source.access_token().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(token.expose().split('.').count(), 3, "a JWT-shaped token");
    let details = |t: Secret<String>| {
        let url = format!("{}/payments/pay_aaaaaaaaaaaaaaaaaaaaaaaaaa", handle.base_url);
        async move {
            browser()
                .get(url)
                .bearer_auth(t.expose())
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or_else(|e| panic!("{e}"))
        }
    };
    // Authorized for gateway:payment-details (the payment just does not exist).
    assert_eq!(details(token.clone()).await, 404);
    assert_eq!(source.access_token().await.ok(), Some(token.clone()), "cached");
    clock.advance(chrono::Duration::seconds(3600 - 60));
    let renewed = source.access_token().await.unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(renewed, token);
    clock.advance(chrono::Duration::seconds(60));
    assert_eq!(details(token).await, 401, "the old token expired");
    assert_eq!(details(renewed).await, 404);

    // A scope the client was not granted is refused with the OAuth code.
    let config = ClientCredentialsConfig::checkout(
        &handle.base_url,
        "ack_paysync",
        Secret::new(secret.to_owned()),
        vec!["disputes".to_owned()],
    );
    let source = ClientCredentials::new(config, http(), Arc::new(clock)).unwrap_or_else(|e| panic!("{e}"));
    let err = source
        .access_token()
        .await
        .err()
        .unwrap_or_else(|| panic!("scope granted"));
    assert_eq!(refused(&err).0, "invalid_scope");
}

#[tokio::test]
async fn a_token_endpoint_that_is_down_is_retriable() {
    // Bind and drop a port so nothing listens there.
    let port = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let config = ClientCredentialsConfig::payoneer(
        &format!("http://127.0.0.1:{port}"),
        DEFAULT_CLIENT_ID,
        Secret::new(DEFAULT_CLIENT_SECRET.to_owned()),
    );
    let source = ClientCredentials::new(config, http(), Arc::new(ManualClock::at_fixed_origin()))
        .unwrap_or_else(|e| panic!("{e}"));
    let err = source
        .access_token()
        .await
        .err()
        .unwrap_or_else(|| panic!("no server, no token"));
    assert!(err.is_retryable(), "{err:?}");
    assert!(
        matches!(err, OAuthError::Unavailable { status: None, .. }),
        "{err:?}"
    );
}
