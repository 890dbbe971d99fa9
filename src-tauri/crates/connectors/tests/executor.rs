//! The executor against real HTTP: the Stripe simulator with injected faults, and small scripted
//! servers for the auth, Retry-After, in-doubt and redaction paths.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use paysync_connectors::http::{
    Body, Circuit, HttpError, Method, NoAuth, RefreshingBearer, Request, RetrySafety, StaticBearer,
    TokenSource,
};
use paysync_core::{
    Clock, ErrorClass, IdempotencyKey, ManualClock, Secret, SeededRandom, SharedClock, SystemClock,
};
use paysync_sandbox::faults::ErrorFault;
use paysync_sandbox::stripe::{DEFAULT_TEST_KEY, StripeSim};
use paysync_sandbox::{FaultConfig, FaultRule, Outage, ServeOptions, SimHandle, serve};
use support::{Capture, Reply, Scripted, executor, fast_policy};

async fn stripe(clock: SharedClock) -> (SimHandle, Arc<StripeSim>) {
    let options = ServeOptions::loopback();
    serve(options, clock, Arc::new(SeededRandom::new(3)), StripeSim::new)
        .await
        .unwrap_or_else(|e| panic!("start simulator: {e}"))
}

fn stripe_auth() -> Arc<StaticBearer> {
    Arc::new(StaticBearer::new(Secret::new(DEFAULT_TEST_KEY.to_owned())))
}

fn create_pi(n: usize) -> Request {
    Request::new(
        Method::POST,
        "/v1/payment_intents",
        RetrySafety::ReplaySafe,
        "stripe:POST /v1/payment_intents",
    )
    .body(Body::Form(vec![
        ("amount".into(), format!("{}", 1000 + n)),
        ("currency".into(), "usd".into()),
    ]))
    .idempotency_key(IdempotencyKey::derive("test-pi", &[&n.to_string()]))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn under_chaos_every_keyed_request_succeeds_exactly_once() {
    let clock: SharedClock = Arc::new(SystemClock);
    let (handle, sim) = stripe(clock.clone()).await;
    handle.faults.set(FaultConfig {
        seed: 99,
        hang_ms: 1_500,
        rules: vec![FaultRule {
            path_prefix: Some("/v1/payment_intents".into()),
            errors: vec![
                ErrorFault {
                    status: 429,
                    rate_bp: 2_000,
                    retry_after_secs: Some(1),
                },
                ErrorFault {
                    status: 500,
                    rate_bp: 1_000,
                    retry_after_secs: None,
                },
                ErrorFault {
                    status: 503,
                    rate_bp: 500,
                    retry_after_secs: None,
                },
            ],
            timeout_bp: 500,
            lose_response_bp: 500,
            ..FaultRule::default()
        }],
    });
    let mut policy = fast_policy(12);
    policy.timeout = Duration::from_millis(400);
    policy.rate = paysync_connectors::http::RateLimit::per_second(20);
    let exec = executor("stripe", &handle.base_url, policy, stripe_auth(), clock);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..16 {
        let exec = exec.clone();
        tasks.spawn(async move { exec.send("stripe", create_pi(n)).await });
    }
    let mut ids = BTreeSet::new();
    let mut retried = 0;
    while let Some(joined) = tasks.join_next().await {
        let response = joined
            .unwrap_or_else(|e| panic!("join: {e}"))
            .unwrap_or_else(|e| panic!("send: {e}"));
        retried += usize::from(response.attempts > 1);
        let body: serde_json::Value = response.json().unwrap_or_else(|e| panic!("{e}"));
        ids.insert(body["id"].as_str().unwrap_or_default().to_owned());
    }
    assert_eq!(ids.len(), 16, "one distinct payment intent per key");
    assert_eq!(
        sim.objects("payment_intent").len(),
        16,
        "each created exactly once"
    );
    assert!(retried > 0, "the faults should have forced some retries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_caller_retries_before_retry_after() {
    let script: support::Script = Arc::new(|_, n| {
        if n == 0 {
            Reply::Status(
                429,
                vec![("retry-after", "1".into())],
                r#"{"error":{"code":"rate_limit"}}"#.into(),
            )
        } else {
            Reply::Status(200, vec![], "{}".into())
        }
    });
    let server = Scripted::start(script).await;
    let exec = executor(
        "p",
        &server.base_url,
        fast_policy(3),
        Arc::new(NoAuth),
        Arc::new(SystemClock),
    );
    let first = {
        let exec = exec.clone();
        tokio::spawn(async move { exec.send("p", Request::get("/a", "p:GET /a")).await })
    };
    while server.hits().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    // A second caller arriving during the pause waits too.
    let second = exec.send("p", Request::get("/a", "p:GET /a")).await;
    let first = first.await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(first.map(|r| r.attempts).ok(), Some(2));
    assert!(second.is_ok());
    let hits = server.hits();
    assert_eq!(hits.len(), 3);
    for later in hits.iter().skip(1) {
        let gap = later.duration_since(hits[0]);
        assert!(
            gap >= Duration::from_secs(1),
            "a request came {gap:?} after the 429"
        );
    }
}

#[tokio::test]
async fn an_outage_opens_the_breaker_and_it_recovers() {
    let manual = ManualClock::at_fixed_origin();
    let clock: SharedClock = Arc::new(manual.clone());
    let t0 = manual.now();
    let (handle, _sim) = stripe(clock.clone()).await;
    handle.faults.set(FaultConfig {
        rules: vec![FaultRule {
            outages: vec![Outage {
                start: t0,
                end: t0 + chrono::Duration::seconds(60),
                status: 503,
            }],
            ..FaultRule::default()
        }],
        ..FaultConfig::default()
    });
    let mut policy = fast_policy(1);
    policy.breaker.failure_threshold = 3;
    policy.breaker.open_for = Duration::from_secs(30);
    let exec = executor("stripe", &handle.base_url, policy, stripe_auth(), clock);
    let mut changes = exec.breaker_changes();
    let list = || Request::get("/v1/customers", "stripe:GET /v1/customers");
    for _ in 0..3 {
        let e = exec.send("stripe", list()).await.err();
        assert!(matches!(e, Some(HttpError::Status { status: 503, .. })), "{e:?}");
    }
    let open_until = t0 + chrono::Duration::seconds(30);
    match exec.send("stripe", list()).await {
        Err(e @ HttpError::CircuitOpen { until, .. }) => {
            assert_eq!(until, open_until);
            assert_eq!(
                e.classification(RetrySafety::Unsafe).class,
                ErrorClass::Retriable,
                "held, not failed"
            );
        }
        other => panic!("expected a fast failure, got {other:?}"),
    }
    assert_eq!(
        exec.breaker_states()[0].circuit,
        Circuit::Open { until: open_until }
    );
    // Half-open during the outage: the one probe fails and the breaker opens again.
    manual.advance(chrono::Duration::seconds(31));
    assert!(matches!(
        exec.send("stripe", list()).await,
        Err(HttpError::Status { status: 503, .. })
    ));
    assert!(matches!(exec.breaker_states()[0].circuit, Circuit::Open { .. }));
    // After the outage: the probe succeeds and the breaker closes.
    manual.advance(chrono::Duration::seconds(31));
    assert!(exec.send("stripe", list()).await.is_ok());
    assert_eq!(exec.breaker_states()[0].circuit, Circuit::Closed { failures: 0 });
    assert!(exec.send("stripe", list()).await.is_ok());
    // Each transition was announced once, in order; failure counts alone were not.
    let mut announced = Vec::new();
    while let Ok(change) = changes.try_recv() {
        assert_eq!(
            (change.provider.as_str(), change.endpoint.as_str()),
            ("stripe", "stripe:GET /v1/customers")
        );
        announced.push(match change.circuit {
            Circuit::Closed { .. } => "closed",
            Circuit::Open { .. } => "open",
            Circuit::HalfOpen => "half_open",
        });
    }
    assert_eq!(announced, ["open", "half_open", "open", "half_open", "closed"]);
}

#[tokio::test]
async fn a_validation_error_is_not_retried() {
    let capture = Capture::default();
    let _guard = capture.install();
    let (handle, sim) = stripe(Arc::new(SystemClock)).await;
    let exec = executor(
        "stripe",
        &handle.base_url,
        fast_policy(5),
        stripe_auth(),
        Arc::new(SystemClock),
    );
    let mut req = create_pi(0);
    req.body = Body::Form(vec![("currency".into(), "usd".into())]);
    let e = exec.send("stripe", req).await.err();
    let Some(e @ HttpError::Status { status: 400, .. }) = e else {
        panic!("expected a 400, got {e:?}");
    };
    assert_eq!(
        e.classification(RetrySafety::ReplaySafe).class,
        ErrorClass::Terminal
    );
    assert_eq!(
        capture.text().matches("HTTP attempt failed").count(),
        1,
        "{}",
        capture.text()
    );
    assert!(sim.objects("payment_intent").is_empty());
}

#[tokio::test]
async fn a_timeout_on_an_unsafe_operation_is_in_doubt_and_never_resent() {
    let server = Scripted::start(Arc::new(|_, _| Reply::Hang(Duration::from_secs(2)))).await;
    let mut policy = fast_policy(5);
    policy.timeout = Duration::from_millis(300);
    let exec = executor(
        "maldopay",
        &server.base_url,
        policy,
        Arc::new(NoAuth),
        Arc::new(SystemClock),
    );
    let req = Request::new(
        Method::POST,
        "/payouts",
        RetrySafety::Unsafe,
        "maldopay:POST /payouts",
    )
    .body(Body::Json(serde_json::json!({"amount": 100})));
    let e = exec.send("maldopay", req).await.err();
    let Some(e @ HttpError::Timeout { sent: true, .. }) = e else {
        panic!("expected an in-doubt timeout, got {e:?}");
    };
    assert_eq!(e.classification(RetrySafety::Unsafe).class, ErrorClass::InDoubt);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.hits().len(), 1, "an in-doubt request is never resent");
}

#[tokio::test]
async fn secrets_never_reach_logs_or_errors() {
    let canary_key = "sk_test_canary_5f0c2a9e";
    let canary_query = "qcanary_7d1e";
    let canary_header = "hcanary_93ab";
    let body = format!(
        r#"{{"error":{{"message":"Invalid API Key provided: {canary_key}","code":"invalid"}},"client_secret":"pi_x_secret_y","echo":"{canary_header} {canary_query}"}}"#
    );
    let server = Scripted::start(Arc::new(move |_, _| {
        Reply::Status(400, vec![("set-cookie", "sid=zz".into())], body.clone())
    }))
    .await;
    let capture = Capture::default();
    let _guard = capture.install();
    let auth = Arc::new(StaticBearer::new(Secret::new(canary_key.to_owned())));
    let exec = executor(
        "stripe",
        &server.base_url,
        fast_policy(2),
        auth,
        Arc::new(SystemClock),
    );
    let req = Request::get("/v1/things", "stripe:GET /v1/things")
        .query("api_key", canary_query)
        .query("limit", "3")
        .header("X-Client-Secret", canary_header);
    let summary = format!("{:?}", req.summary("stripe", &server.base_url));
    let e = exec
        .send("stripe", req)
        .await
        .err()
        .unwrap_or_else(|| panic!("expected an error"));
    let rendered = format!("{e} {e:?} {summary} {}", capture.text());
    for canary in [canary_key, canary_query, canary_header, "pi_x_secret_y"] {
        assert!(!rendered.contains(canary), "{canary} leaked: {rendered}");
    }
    assert!(
        capture.text().contains("api_key=[REDACTED]&limit=3"),
        "{}",
        capture.text()
    );
    assert!(capture.text().contains("HTTP attempt failed"));
}

/// Hands out `stale` first and `fresh` after, counting fetches.
#[derive(Debug, Default)]
struct Tokens {
    fetches: AtomicUsize,
}

#[async_trait]
impl TokenSource for Tokens {
    async fn fetch(&self) -> Result<Secret<String>, HttpError> {
        let n = self.fetches.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok(Secret::new(if n == 0 { "stale" } else { "fresh" }.to_owned()))
    }
}

fn accept_only(token: &'static str) -> support::Script {
    Arc::new(move |headers, _| {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if auth == format!("Bearer {token}") {
            Reply::Status(200, vec![], r#"{"ok":true}"#.into())
        } else {
            Reply::Status(
                401,
                vec![],
                r#"[{"errorCode":"INVALID_SESSION_ID","message":"Session expired"}]"#.into(),
            )
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_401s_refresh_once_then_retry() {
    let server = Scripted::start(accept_only("fresh")).await;
    let auth = Arc::new(RefreshingBearer::new(Tokens::default()));
    let exec = executor(
        "salesforce",
        &server.base_url,
        fast_policy(3),
        auth.clone(),
        Arc::new(SystemClock),
    );
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let exec = exec.clone();
        tasks.spawn(async move {
            exec.send("salesforce", Request::get("/q", "salesforce:GET /q"))
                .await
        });
    }
    while let Some(joined) = tasks.join_next().await {
        let r = joined.unwrap_or_else(|e| panic!("{e}"));
        assert!(r.is_ok(), "{r:?}");
    }
    let fetches = format!("{auth:?}");
    assert!(
        fetches.contains("fetches: 2"),
        "one initial fetch and one refresh: {fetches}"
    );
}

#[tokio::test]
async fn a_second_401_is_auth_refused() {
    let server = Scripted::start(accept_only("never")).await;
    let auth = Arc::new(RefreshingBearer::new(Tokens::default()));
    let exec = executor(
        "salesforce",
        &server.base_url,
        fast_policy(3),
        auth,
        Arc::new(SystemClock),
    );
    let e = exec
        .send("salesforce", Request::get("/q", "salesforce:GET /q"))
        .await
        .err();
    assert!(matches!(e, Some(HttpError::AuthRefused { .. })), "{e:?}");
    assert_eq!(server.hits().len(), 2, "one refresh, one retry");
}
