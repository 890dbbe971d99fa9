//! Test helpers: a scripted axum server, executor builders and a tracing capture.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use paysync_connectors::http::{
    Authenticator, BreakerPolicy, Executor, ExecutorConfig, ProviderConfig, ProviderPolicy, RateLimit,
};
use paysync_core::retry::RetryPolicy;
use paysync_core::{SeededRandom, SharedClock};

/// What the scripted server answers.
pub enum Reply {
    /// A status with headers and a body.
    Status(u16, Vec<(&'static str, String)>, String),
    /// Hang this long, then answer 200 (the client will have given up).
    Hang(Duration),
}

/// Decides the reply from the request headers and the 0-based hit number.
pub type Script = Arc<dyn Fn(&HeaderMap, usize) -> Reply + Send + Sync>;

#[derive(Clone)]
struct ServerState {
    script: Script,
    hits: Arc<Mutex<Vec<Instant>>>,
}

/// A running scripted server.
pub struct Scripted {
    pub base_url: String,
    hits: Arc<Mutex<Vec<Instant>>>,
}

impl Scripted {
    pub async fn start(script: Script) -> Self {
        let hits = Arc::new(Mutex::new(Vec::new()));
        let state = ServerState {
            script,
            hits: hits.clone(),
        };
        let app = axum::Router::new().fallback(handle).with_state(state);
        let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("addr: {e}"));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            base_url: format!("http://{addr}"),
            hits,
        }
    }

    /// Arrival times of every request so far.
    pub fn hits(&self) -> Vec<Instant> {
        self.hits.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

async fn handle(State(state): State<ServerState>, headers: HeaderMap) -> Response {
    let n = {
        let mut hits = state.hits.lock().unwrap_or_else(PoisonError::into_inner);
        hits.push(Instant::now());
        hits.len() - 1
    };
    match (state.script)(&headers, n) {
        Reply::Hang(d) => {
            tokio::time::sleep(d).await;
            (StatusCode::OK, "{}").into_response()
        }
        Reply::Status(status, extra, body) => {
            let mut r = (
                StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT),
                body,
            )
                .into_response();
            for (name, value) in extra {
                if let Ok(v) = value.parse() {
                    r.headers_mut().insert(name, v);
                }
            }
            r.headers_mut().insert(
                "content-type",
                "application/json".parse().unwrap_or_else(|_| unreachable!()),
            );
            r
        }
    }
}

/// A policy with short waits for tests.
pub fn fast_policy(max_attempts: u32) -> ProviderPolicy {
    ProviderPolicy {
        rate: RateLimit::per_second(200),
        max_attempts,
        backoff: RetryPolicy {
            base: Duration::from_millis(20),
            cap: Duration::from_millis(200),
        },
        breaker: BreakerPolicy {
            failure_threshold: 1_000,
            open_for: Duration::from_secs(30),
        },
        timeout: Duration::from_secs(5),
    }
}

/// An executor with one provider called `name`.
pub fn executor(
    name: &str,
    base_url: &str,
    policy: ProviderPolicy,
    auth: Arc<dyn Authenticator>,
    clock: SharedClock,
) -> Executor {
    let provider = ProviderConfig {
        name: name.to_owned(),
        base_url: base_url.to_owned(),
        idempotency_header: Some("Idempotency-Key".to_owned()),
        policy,
        auth,
    };
    Executor::new(
        &ExecutorConfig::default(),
        vec![provider],
        clock,
        Arc::new(SeededRandom::new(11)),
    )
    .unwrap_or_else(|e| panic!("executor: {e}"))
}

/// Everything tracing writes while the returned guard lives (current thread only).
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let sink = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(PoisonError::into_inner)).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
