//! HTTP-level tests of the Stripe simulator, through a real server on a loopback port with a
//! manual clock (2026-01-01T00:00:00Z) and seed 7.

mod api;
mod events;
mod idempotency;
mod lists;
mod money;
mod seeding;
mod spec;
mod webhooks;

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use paysync_core::ManualClock;
use serde_json::{Value, json};

use super::{DEFAULT_TEST_KEY, StripeSim};
use crate::server::SimHandle;

/// A running simulator and a client for it.
pub(super) struct T {
    pub handle: SimHandle,
    pub sim: Arc<StripeSim>,
    pub clock: ManualClock,
    pub http: reqwest::Client,
    pub key: String,
}

/// One response.
#[derive(Debug)]
pub(super) struct R {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl R {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `body.id`.
    pub fn id(&self) -> String {
        self.body["id"].as_str().unwrap_or_default().to_owned()
    }

    /// Panics unless 200.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        self
    }
}

impl T {
    /// A simulator with the rate limit raised so bulk tests are not throttled.
    pub async fn start() -> Self {
        let t = Self::start_default().await;
        let mut c = t.sim.config();
        c.rate_limit_per_sec = 10_000;
        c.rate_limit_burst = 10_000;
        t.sim.set_config(c);
        t
    }

    /// A simulator with its default configuration.
    pub async fn start_default() -> Self {
        let (handle, sim, clock, http) = crate::testing::start(StripeSim::new).await;
        Self {
            handle,
            sim,
            clock,
            http,
            key: DEFAULT_TEST_KEY.to_owned(),
        }
    }

    /// The base URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url)
    }

    async fn read(resp: reqwest::Response) -> R {
        let status = StatusCode::from_u16(resp.status().as_u16()).unwrap_or(StatusCode::IM_A_TEAPOT);
        let mut headers = HeaderMap::new();
        for (k, v) in resp.headers() {
            if let (Ok(name), Ok(value)) = (
                axum::http::HeaderName::from_bytes(k.as_str().as_bytes()),
                axum::http::HeaderValue::from_bytes(v.as_bytes()),
            ) {
                headers.append(name, value);
            }
        }
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        R {
            status,
            headers,
            body,
        }
    }

    /// POST a form with extra headers.
    pub async fn post_h(&self, path: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> R {
        let mut req = self
            .http
            .post(self.url(path))
            .bearer_auth(&self.key)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).unwrap_or_default());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        Self::read(req.send().await.unwrap_or_else(|e| panic!("POST {path}: {e}"))).await
    }

    /// POST a form.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> R {
        self.post_h(path, form, &[]).await
    }

    /// GET with a query (already encoded in `path_and_query`).
    pub async fn get(&self, path_and_query: &str) -> R {
        let req = self.http.get(self.url(path_and_query)).bearer_auth(&self.key);
        Self::read(
            req.send()
                .await
                .unwrap_or_else(|e| panic!("GET {path_and_query}: {e}")),
        )
        .await
    }

    /// DELETE.
    pub async fn delete(&self, path: &str) -> R {
        let req = self.http.delete(self.url(path)).bearer_auth(&self.key);
        Self::read(req.send().await.unwrap_or_else(|e| panic!("DELETE {path}: {e}"))).await
    }

    /// An admin call with a JSON body.
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Value) -> R {
        let req = self
            .http
            .request(method, self.url(&format!("/__sandbox{path}")))
            .json(&body);
        Self::read(req.send().await.unwrap_or_else(|e| panic!("admin {path}: {e}"))).await
    }

    /// Creates a customer.
    pub async fn customer(&self, email: &str) -> String {
        self.post("/v1/customers", &[("email", email)]).await.ok().id()
    }

    /// A confirmed card payment; returns the payment intent.
    pub async fn pay(&self, amount: &str, currency: &str, pm: &str) -> R {
        self.post(
            "/v1/payment_intents",
            &[
                ("amount", amount),
                ("currency", currency),
                ("payment_method", pm),
                ("confirm", "true"),
            ],
        )
        .await
    }

    /// Moves the sandbox clock.
    pub fn advance(&self, d: chrono::Duration) {
        self.clock.advance(d);
    }
}

/// A scripted "status" that makes the receiver hang for two seconds (then answer 200).
pub(super) const HANG: u16 = 999;

/// A tiny webhook receiver: records every delivery and answers with the scripted statuses
/// (then 200).
#[derive(Clone, Default)]
pub(super) struct Receiver {
    pub got: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    pub script: Arc<Mutex<Vec<u16>>>,
}

impl Receiver {
    /// Starts it; returns it and its URL.
    pub async fn start(script: Vec<u16>) -> (Self, String) {
        let r = Self {
            got: Arc::default(),
            script: Arc::new(Mutex::new(script)),
        };
        let state = r.clone();
        let app = axum::Router::new()
            .route(
                "/hook",
                axum::routing::post(
                    |axum::extract::State(s): axum::extract::State<Receiver>,
                     headers: HeaderMap,
                     body: String| async move {
                        s.got.lock().unwrap().push((headers, body));
                        let code = {
                            let mut script = s.script.lock().unwrap();
                            if script.is_empty() { 200 } else { script.remove(0) }
                        };
                        if code == HANG {
                            tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                            return StatusCode::OK;
                        }
                        StatusCode::from_u16(code).unwrap_or(StatusCode::OK)
                    },
                ),
            )
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        (r, format!("http://{addr}/hook"))
    }

    /// Deliveries so far.
    pub fn deliveries(&self) -> Vec<(HeaderMap, String)> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (real time, bounded) until at least `n` deliveries arrived.
    pub async fn wait_for(&self, n: usize) -> Vec<(HeaderMap, String)> {
        for _ in 0..400 {
            if self.got.lock().unwrap().len() >= n {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        self.deliveries()
    }
}

/// Fast webhook settings for tests.
pub(super) fn fast_delivery() -> Value {
    json!({"retry_base_ms": 20, "max_attempts": 4, "timeout_ms": 2000})
}
