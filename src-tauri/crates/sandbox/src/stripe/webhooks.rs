//! Webhook delivery (apis.md §2.3, reliability.md §1.2): every event is POSTed as raw JSON to
//! each enabled endpoint subscribed to its type, signed `Stripe-Signature: t=<ts>,v1=<hex>` with
//! HMAC-SHA256 over `"<t>.<body>"` (one `v1` per active secret while a secret is being rolled).
//! A non-2xx answer or a timeout is retried with exponential backoff on real time, a bounded
//! number of times. Switches make deliveries duplicate or arrive shuffled (seeded), and hold them
//! back until released; every attempt is logged for tests to inspect.

use std::collections::BTreeSet;
use std::sync::{Arc, Weak};
use std::time::Duration;

use hmac::{Hmac, Mac};
use paysync_core::{RandomSource, SeededRandom};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::StripeSim;

/// The signature header value for `payload` signed at `timestamp` with each of `secrets`:
/// `t=<timestamp>,v1=<hex hmac>[,v1=…]`.
pub fn signature_header(secrets: &[&str], timestamp: i64, payload: &[u8]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&sign(secret, timestamp, payload));
    }
    header
}

/// Hex HMAC-SHA256 of `"<timestamp>.<payload>"` keyed with `secret`.
fn sign(secret: &str, timestamp: i64, payload: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    hex::encode(mac.finalize().into_bytes())
}

/// A registered endpoint.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookEndpoint {
    /// `we_…`.
    pub id: String,
    /// Loopback URL deliveries go to.
    pub url: String,
    /// Event types, or `*` for all.
    pub enabled_events: Vec<String>,
    /// The current signing secret (`whsec_…`).
    pub secret: String,
    /// The previous secret, still signing while a roll is in progress.
    #[serde(default)]
    pub rolling_secret: Option<String>,
    /// When the previous secret stops signing (Unix seconds, sandbox clock); `None` = until removed.
    #[serde(default)]
    pub rolling_expires_at: Option<i64>,
    /// Disabled endpoints get nothing and their retries stop.
    #[serde(default)]
    pub disabled: bool,
    /// Registration time.
    pub created: i64,
}

impl WebhookEndpoint {
    /// Whether events of `kind` go to this endpoint.
    pub fn subscribed(&self, kind: &str) -> bool {
        !self.disabled && self.enabled_events.iter().any(|e| e == "*" || e == kind)
    }

    /// The secrets that sign a delivery at `now`: the current one, then the rolling one.
    pub fn signing_secrets(&self, now: i64) -> Vec<String> {
        let mut v = vec![self.secret.clone()];
        if let Some(old) = &self.rolling_secret
            && self.rolling_expires_at.is_none_or(|t| now < t)
        {
            v.push(old.clone());
        }
        v
    }
}

/// How deliveries behave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeliveryConfig {
    /// Delay before the first retry; doubles each time.
    pub retry_base_ms: u64,
    /// Attempts per delivery, the first included (Stripe test mode: three retries).
    pub max_attempts: u32,
    /// How long to wait for the receiver.
    pub timeout_ms: u64,
    /// Deliver every event twice.
    pub duplicates: bool,
    /// Shuffle each batch of deliveries with a seeded order.
    pub shuffle: bool,
    /// Seed of the shuffle.
    pub shuffle_seed: u64,
    /// Hold deliveries back (they queue) until set to false.
    pub paused: bool,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            retry_base_ms: 60_000,
            max_attempts: 4,
            timeout_ms: 10_000,
            duplicates: false,
            shuffle: false,
            shuffle_seed: 0,
            paused: false,
        }
    }
}

/// One delivery attempt, as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    /// Event id.
    pub event_id: String,
    /// Event type.
    pub event_type: String,
    /// Endpoint id.
    pub endpoint_id: String,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// Whether this is the deliberate duplicate copy.
    pub duplicate: bool,
    /// Sandbox clock at the attempt (Unix seconds).
    pub at: i64,
    /// The `Stripe-Signature` sent.
    pub signature: String,
    /// HTTP status received, if any.
    pub status: Option<u16>,
    /// Transport error or timeout, if any.
    pub error: Option<String>,
    /// 2xx received.
    pub succeeded: bool,
}

/// Webhook configuration and history, part of the snapshot.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookState {
    /// Registered endpoints.
    pub endpoints: Vec<WebhookEndpoint>,
    /// Delivery behaviour.
    pub config: DeliveryConfig,
    /// Every attempt so far.
    pub attempts: Vec<DeliveryAttempt>,
    /// `(event, endpoint)` pairs delivered successfully.
    pub delivered: BTreeSet<(String, String)>,
    /// Batches shuffled so far (varies the seeded order per batch).
    pub batches: u64,
}

/// One delivery to make.
#[derive(Debug, Clone)]
struct Job {
    event: String,
    endpoint: String,
    duplicate: bool,
}

/// The background task: waits for events, then delivers them (first attempts in order, so a
/// shuffled batch arrives in its shuffled order), spawning a retry task for each failure.
pub async fn dispatch(sim: Weak<StripeSim>, wake: Arc<tokio::sync::Notify>) {
    loop {
        wake.notified().await;
        loop {
            let Some(s) = sim.upgrade() else {
                return;
            };
            let jobs = take_jobs(&s);
            if jobs.is_empty() {
                break;
            }
            for job in jobs {
                if !attempt(&s, &job, 1).await {
                    let weak = Arc::downgrade(&s);
                    tokio::spawn(retry(weak, job));
                }
            }
        }
    }
}

fn take_jobs(sim: &StripeSim) -> Vec<Job> {
    sim.with_state(|st| {
        if st.webhooks.config.paused {
            return Vec::new();
        }
        let mut jobs = Vec::new();
        while let Some(event) = st.delivery_queue.pop_front() {
            let kind = st
                .get("event", &event)
                .and_then(|e| e["type"].as_str())
                .unwrap_or_default()
                .to_owned();
            for ep in st.webhooks.endpoints.iter().filter(|e| e.subscribed(&kind)) {
                jobs.push(Job {
                    event: event.clone(),
                    endpoint: ep.id.clone(),
                    duplicate: false,
                });
                if st.webhooks.config.duplicates {
                    jobs.push(Job {
                        event: event.clone(),
                        endpoint: ep.id.clone(),
                        duplicate: true,
                    });
                }
            }
        }
        if st.webhooks.config.shuffle && jobs.len() > 1 {
            st.webhooks.batches += 1;
            let rng = SeededRandom::new(st.webhooks.config.shuffle_seed.wrapping_add(st.webhooks.batches));
            for i in (1..jobs.len()).rev() {
                let j = usize::try_from(rng.below(i as u64 + 1)).unwrap_or(0);
                jobs.swap(i, j);
            }
        }
        jobs
    })
}

async fn retry(sim: Weak<StripeSim>, job: Job) {
    let (base, max) = match sim.upgrade() {
        Some(s) => s.with_state(|st| (st.webhooks.config.retry_base_ms, st.webhooks.config.max_attempts)),
        None => return,
    };
    for n in 2..=max {
        let factor = 1u64 << (n - 2).min(20);
        tokio::time::sleep(Duration::from_millis(base.saturating_mul(factor))).await;
        let Some(s) = sim.upgrade() else {
            return;
        };
        if attempt(&s, &job, n).await {
            return;
        }
    }
}

/// Makes one attempt; true when the receiver answered 2xx (or the endpoint is gone, so there is
/// nothing left to retry).
async fn attempt(sim: &StripeSim, job: &Job, n: u32) -> bool {
    let now = sim.now();
    let prepared = sim.with_state(|st| {
        let ep = st
            .webhooks
            .endpoints
            .iter()
            .find(|e| e.id == job.endpoint && !e.disabled)?;
        let event = st.get("event", &job.event)?;
        let body = serde_json::to_string_pretty(event).ok()?;
        Some((
            ep.url.clone(),
            ep.signing_secrets(now),
            body,
            event["type"].as_str().unwrap_or_default().to_owned(),
            st.webhooks.config.timeout_ms,
        ))
    });
    let Some((url, secrets, body, kind, timeout)) = prepared else {
        return true;
    };
    let refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
    let signature = signature_header(&refs, now, body.as_bytes());
    let result = sim
        .http()
        .post(&url)
        .header("content-type", "application/json; charset=utf-8")
        .header("user-agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
        .header("stripe-signature", &signature)
        .timeout(Duration::from_millis(timeout))
        .body(body)
        .send()
        .await;
    let (status, error) = match result {
        Ok(r) => (Some(r.status().as_u16()), None),
        Err(e) => (
            None,
            Some(if e.is_timeout() {
                "timeout".to_owned()
            } else {
                e.to_string()
            }),
        ),
    };
    let succeeded = status.is_some_and(|s| (200..300).contains(&s));
    sim.with_state(|st| {
        st.webhooks.attempts.push(DeliveryAttempt {
            event_id: job.event.clone(),
            event_type: kind,
            endpoint_id: job.endpoint.clone(),
            attempt: n,
            duplicate: job.duplicate,
            at: now,
            signature,
            status,
            error,
            succeeded,
        });
        if succeeded
            && st
                .webhooks
                .delivered
                .insert((job.event.clone(), job.endpoint.clone()))
            && let Some(ev) = st.objects.get_mut("event").and_then(|m| m.get_mut(&job.event))
        {
            let pending = ev.value["pending_webhooks"].as_i64().unwrap_or(1);
            ev.value["pending_webhooks"] = serde_json::json!((pending - 1).max(0));
        }
    });
    succeeded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_has_one_v1_per_secret() {
        let h = signature_header(&["whsec_a", "whsec_b"], 1_700_000_000, b"{}");
        let parts: Vec<&str> = h.split(',').collect();
        assert_eq!(parts[0], "t=1700000000");
        assert_eq!(parts.len(), 3);
        assert!(parts[1].starts_with("v1=") && parts[2].starts_with("v1="));
        assert_ne!(parts[1], parts[2]);
        assert_eq!(parts[1].len(), 3 + 64);
    }

    #[test]
    fn rolling_secret_expires() {
        let ep = WebhookEndpoint {
            id: "we_1".into(),
            url: "http://127.0.0.1:1/".into(),
            enabled_events: vec!["*".into()],
            secret: "new".into(),
            rolling_secret: Some("old".into()),
            rolling_expires_at: Some(100),
            disabled: false,
            created: 0,
        };
        assert_eq!(ep.signing_secrets(99), vec!["new".to_owned(), "old".to_owned()]);
        assert_eq!(ep.signing_secrets(100), vec!["new".to_owned()]);
        assert!(ep.subscribed("charge.succeeded"));
    }
}
