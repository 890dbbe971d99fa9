//! HTTP tests of the Checkout.com simulator: each starts a real server on a loopback port with a
//! manual clock and seed 7, and drives it with reqwest.

mod auth_tests;
mod dispute_tests;
mod idempotency_tests;
mod openapi;
mod operation_tests;
mod payment_tests;
mod snapshot_tests;
mod spec_tests;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use paysync_core::ManualClock;
use serde_json::{Value, json};

use super::{CheckoutSim, Config};
use crate::server::SimHandle;

/// The default secret key, as a header value.
pub(super) const KEY: &str = "Bearer sk_sbox_sandbox";

/// A running simulator and a client for it.
pub(super) struct Env {
    pub handle: SimHandle,
    pub sim: Arc<CheckoutSim>,
    pub clock: ManualClock,
    pub http: reqwest::Client,
}

/// Starts a simulator with short delays (actions complete after 20 ms, retries after 20 ms).
pub(super) async fn env() -> Env {
    let (handle, sim, clock, http) = crate::testing::start(CheckoutSim::new).await;
    sim.set_config(Config {
        action_delay_ms: 20,
        webhook_retry_base_ms: 20,
        webhook_timeout_ms: 2_000,
        ..Config::default()
    });
    Env {
        handle,
        sim,
        clock,
        http,
    }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url)
    }

    /// POST JSON with the default secret key.
    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header("authorization", KEY)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// GET with the default secret key.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .header("authorization", KEY)
            .send()
            .await
            .unwrap()
    }

    /// `POST /payments`, returning status and body.
    pub async fn pay(&self, body: &Value) -> (StatusCode, Value) {
        json_of(self.post("/payments", body).await).await
    }

    /// `GET /payments/{id}` until its status is `status` (up to 5 s).
    pub async fn wait_status(&self, id: &str, status: &str) -> Value {
        for _ in 0..250 {
            let (_, body) = json_of(self.get(&format!("/payments/{id}")).await).await;
            if body["status"] == status {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("payment {id} never reached {status}");
    }

    /// Registers `receiver` for all events (or `types`), with an Authorization header.
    pub async fn register(&self, receiver: &Receiver, key: &str, types: &[&str]) {
        let response = self
            .http
            .post(self.url("/__sandbox/webhooks"))
            .json(&json!({
                "url": receiver.url,
                "signature_key": key,
                "headers": { "Authorization": "hook-secret" },
                "event_types": types,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
}

/// Status and JSON body (`Null` for an empty body).
pub(super) async fn json_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
    };
    (status, body)
}

/// A card source.
pub(super) fn card(number: &str) -> Value {
    json!({ "type": "card", "number": number, "expiry_month": 12, "expiry_year": 2030, "cvv": "100" })
}

/// A typical payment request on `number`.
pub(super) fn payment(number: &str, amount: i64, currency: &str) -> Value {
    json!({
        "source": card(number),
        "amount": amount,
        "currency": currency,
        "reference": "ORD-1",
        "customer": { "email": "ada@example.com", "name": "Ada" },
        "metadata": { "order": 1 },
    })
}

/// One webhook delivery as the receiver saw it.
#[derive(Debug, Clone)]
pub(super) struct Hit {
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Hit {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }
}

/// A tiny webhook receiver that answers 500 to its first `fail_first` requests.
pub(super) struct Receiver {
    pub url: String,
    pub hits: Arc<Mutex<Vec<Hit>>>,
    pub requests: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct ReceiverState {
    hits: Arc<Mutex<Vec<Hit>>>,
    requests: Arc<AtomicUsize>,
    fail_first: usize,
}

async fn receive(State(s): State<ReceiverState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let n = s.requests.fetch_add(1, Ordering::SeqCst);
    if n < s.fail_first {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    s.hits.lock().unwrap().push(Hit { headers, body });
    StatusCode::OK
}

pub(super) async fn receiver(fail_first: usize) -> Receiver {
    let hits = Arc::new(Mutex::new(Vec::new()));
    let requests = Arc::new(AtomicUsize::new(0));
    let state = ReceiverState {
        hits: hits.clone(),
        requests: requests.clone(),
        fail_first,
    };
    let app = axum::Router::new()
        .route("/hook", post(receive))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Receiver { url, hits, requests }
}

impl Receiver {
    /// Waits (up to 5 s) until a delivery of `event_type` for `subject` arrived, and returns it.
    pub async fn wait_for(&self, event_type: &str, subject: &str) -> Hit {
        for _ in 0..250 {
            if let Some(hit) = self.find(event_type, subject) {
                return hit;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let seen: Vec<String> = self
            .hits
            .lock()
            .unwrap()
            .iter()
            .map(|h| h.json()["type"].to_string())
            .collect();
        panic!("no {event_type} for {subject}; saw {seen:?}");
    }

    pub fn find(&self, event_type: &str, subject: &str) -> Option<Hit> {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .find(|h| {
                let v = h.json();
                v["type"] == event_type && v["data"]["id"] == subject
            })
            .cloned()
    }

    pub fn count(&self, event_type: &str, subject: &str) -> usize {
        self.hits
            .lock()
            .unwrap()
            .iter()
            .filter(|h| {
                let v = h.json();
                v["type"] == event_type && v["data"]["id"] == subject
            })
            .count()
    }
}

/// An HMAC-SHA256 written independently of the simulator's, to check `Cko-Signature`.
pub(super) fn independent_hmac_hex(key: &[u8], message: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    const BLOCK: usize = 64;
    let mut k = if key.len() > BLOCK {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(BLOCK, 0);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::digest([ipad.as_slice(), message].concat());
    let outer = Sha256::digest([opad.as_slice(), inner.as_slice()].concat());
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

/// Asserts the delivery is signed with `key` over its raw bytes and carries the configured
/// Authorization header.
pub(super) fn assert_signed(hit: &Hit, key: &str) {
    let got = hit.headers.get("cko-signature").unwrap().to_str().unwrap();
    assert_eq!(got, independent_hmac_hex(key.as_bytes(), &hit.body));
    assert_eq!(hit.headers.get("authorization").unwrap(), "hook-secret");
    assert_eq!(hit.headers.get("content-type").unwrap(), "application/json");
}
