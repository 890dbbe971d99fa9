//! Seeded fault injection, per simulator and per endpoint: latency with jitter, error statuses at a
//! rate (429 with `Retry-After` included), timeouts, outage windows on the sandbox clock, and
//! "commit then lose the response". Rates are in basis points (1 bp = 0.01 %), so no floating point
//! decides anything and a seed replays the same faults.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};
use paysync_core::{RandomSource, SeededRandom, SharedClock};
use serde::{Deserialize, Serialize};

/// 100 % in basis points.
pub const ALWAYS_BP: u32 = 10_000;

/// An injected error status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorFault {
    /// The HTTP status to answer with (e.g. 429, 500, 503).
    pub status: u16,
    /// How often, in basis points of matching requests.
    pub rate_bp: u32,
    /// `Retry-After` seconds to send with it (typically with 429).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

/// A window during which the provider is down (on the sandbox clock).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    /// Start (inclusive).
    pub start: DateTime<Utc>,
    /// End (exclusive).
    pub end: DateTime<Utc>,
    /// The status answered during the outage (default 503).
    #[serde(default = "default_outage_status")]
    pub status: u16,
}

const fn default_outage_status() -> u16 {
    503
}

/// Faults applied to the requests a rule matches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultRule {
    /// HTTP method to match (any when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Path prefix to match, e.g. `/v1/payment_intents` (any when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// Fixed added latency.
    pub latency_ms: u64,
    /// Uniform random extra latency in `0..=jitter_ms`.
    pub jitter_ms: u64,
    /// Injected error statuses.
    pub errors: Vec<ErrorFault>,
    /// How often the request hangs without an answer (the client times out), in basis points.
    pub timeout_bp: u32,
    /// How often the request is executed but its response is lost, in basis points.
    pub lose_response_bp: u32,
    /// Windows of total outage.
    pub outages: Vec<Outage>,
}

impl FaultRule {
    fn matches(&self, method: &Method, path: &str) -> bool {
        self.method
            .as_deref()
            .is_none_or(|m| m.eq_ignore_ascii_case(method.as_str()))
            && self.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
    }
}

/// A simulator's whole fault configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    /// Seed of the fault dice; the same seed and request sequence give the same faults.
    pub seed: u64,
    /// How long a "timeout" or "lost response" holds the connection before dropping it.
    pub hang_ms: u64,
    /// Rules, all of which apply to a request they match (latencies add up; the first error wins).
    pub rules: Vec<FaultRule>,
}

impl Default for FaultConfig {
    fn default() -> Self {
        Self {
            seed: 0,
            hang_ms: 30_000,
            rules: Vec::new(),
        }
    }
}

/// What the fault layer decided for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Let it through after this delay.
    Pass {
        /// Added latency.
        delay: Duration,
        /// Run the handler, then lose the response.
        lose_response: bool,
    },
    /// Answer with an injected error after this delay.
    Fail {
        /// Added latency.
        delay: Duration,
        /// The status.
        status: u16,
        /// `Retry-After` seconds.
        retry_after_secs: Option<u64>,
    },
    /// Hang, never answering.
    Hang,
}

/// Requests and injected faults remembered, at most (the older half is forgotten beyond).
const MAX_REMEMBERED: usize = 20_000;

/// What the fault layer did to one request, for a test to check the client against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Injected {
    /// `METHOD path`.
    pub request: String,
    /// The status answered (0 for a hang).
    pub status: u16,
    /// The `Retry-After` sent with it.
    pub retry_after_secs: Option<u64>,
    /// When it was answered (wall clock, so waits the client really made can be measured).
    pub at: std::time::Instant,
}

/// Shared, runtime-changeable fault state of one simulator.
#[derive(Debug, Clone)]
pub struct FaultController {
    inner: Arc<Mutex<(FaultConfig, SeededRandom)>>,
    clock: SharedClock,
    log: Arc<Mutex<Vec<(String, std::time::Instant)>>>,
    injected: Arc<Mutex<Vec<Injected>>>,
}

impl FaultController {
    /// A controller starting with `config`.
    pub fn new(config: FaultConfig, clock: SharedClock) -> Self {
        let rng = SeededRandom::new(config.seed);
        Self {
            inner: Arc::new(Mutex::new((config, rng))),
            clock,
            log: Arc::default(),
            injected: Arc::default(),
        }
    }

    /// Every fault injected so far, oldest first.
    pub fn injected(&self) -> Vec<Injected> {
        self.injected
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// When each request reached the fault layer (`METHOD path`, wall clock), oldest first.
    pub fn arrivals(&self) -> Vec<(String, std::time::Instant)> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn record(&self, request: String, verdict: &Verdict) {
        let at = std::time::Instant::now();
        {
            let mut log = self.log.lock().unwrap_or_else(PoisonError::into_inner);
            // A sandbox runs for hours: keep the recent past only.
            if log.len() >= MAX_REMEMBERED {
                log.drain(..MAX_REMEMBERED / 2);
            }
            log.push((request.clone(), at));
        }
        let (status, retry_after_secs) = match verdict {
            Verdict::Pass { .. } => return,
            Verdict::Hang => (0, None),
            Verdict::Fail {
                status,
                retry_after_secs,
                ..
            } => (*status, *retry_after_secs),
        };
        let mut injected = self.injected.lock().unwrap_or_else(PoisonError::into_inner);
        if injected.len() >= MAX_REMEMBERED {
            injected.drain(..MAX_REMEMBERED / 2);
        }
        injected.push(Injected {
            request,
            status,
            retry_after_secs,
            at,
        });
    }

    /// The current configuration.
    pub fn config(&self) -> FaultConfig {
        self.inner
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .clone()
    }

    /// Replaces the configuration (and reseeds the dice).
    pub fn set(&self, config: FaultConfig) {
        let rng = SeededRandom::new(config.seed);
        *self.inner.lock().unwrap_or_else(PoisonError::into_inner) = (config, rng);
    }

    /// How long hangs last.
    pub fn hang(&self) -> Duration {
        Duration::from_millis(
            self.inner
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .0
                .hang_ms,
        )
    }

    /// Rolls the dice for one request, and remembers what it did.
    pub fn decide(&self, method: &Method, path: &str) -> Verdict {
        let verdict = self.roll(method, path);
        self.record(format!("{method} {path}"), &verdict);
        verdict
    }

    fn roll(&self, method: &Method, path: &str) -> Verdict {
        let now = self.clock.now();
        let guard = &mut *self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let (config, rng) = (&guard.0, &guard.1);
        let hit = |bp: u32| bp > 0 && rng.below(u64::from(ALWAYS_BP)) < u64::from(bp);
        let mut delay = Duration::ZERO;
        let mut lose_response = false;
        for rule in config.rules.iter().filter(|r| r.matches(method, path)) {
            if let Some(o) = rule.outages.iter().find(|o| o.start <= now && now < o.end) {
                return Verdict::Fail {
                    delay,
                    status: o.status,
                    retry_after_secs: None,
                };
            }
            let jitter = if rule.jitter_ms > 0 {
                rng.below(rule.jitter_ms + 1)
            } else {
                0
            };
            delay += Duration::from_millis(rule.latency_ms + jitter);
            if hit(rule.timeout_bp) {
                return Verdict::Hang;
            }
            if let Some(e) = rule.errors.iter().find(|e| hit(e.rate_bp)) {
                return Verdict::Fail {
                    delay,
                    status: e.status,
                    retry_after_secs: e.retry_after_secs,
                };
            }
            lose_response |= hit(rule.lose_response_bp);
        }
        Verdict::Pass { delay, lose_response }
    }
}

/// Renders a provider-shaped error body for an injected status.
pub type ErrorRenderer = Arc<dyn Fn(StatusCode) -> Response + Send + Sync>;

/// The state the fault middleware needs.
#[derive(Clone)]
pub struct FaultLayerState {
    /// The dice and configuration.
    pub faults: FaultController,
    /// The provider's error shape.
    pub render: ErrorRenderer,
}

/// Axum middleware applying the simulator's faults to every API request.
pub async fn inject(State(state): State<FaultLayerState>, request: Request, next: Next) -> Response {
    let verdict = state.faults.decide(request.method(), request.uri().path());
    match verdict {
        Verdict::Hang => {
            tokio::time::sleep(state.faults.hang()).await;
            hung_up()
        }
        Verdict::Fail {
            delay,
            status,
            retry_after_secs,
        } => {
            tokio::time::sleep(delay).await;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let mut response = (state.render)(status);
            if let Some(v) = retry_after_secs.and_then(|secs| HeaderValue::from_str(&secs.to_string()).ok()) {
                response.headers_mut().insert("retry-after", v);
            }
            response
        }
        Verdict::Pass { delay, lose_response } => {
            tokio::time::sleep(delay).await;
            let response = next.run(request).await;
            if lose_response {
                // The work is committed; the client never hears about it.
                drop(response);
                tokio::time::sleep(state.faults.hang()).await;
                return hung_up();
            }
            response
        }
    }
}

/// What a client sees if it is still waiting when a hang ends: the connection closes with a gateway
/// timeout (a real lost response looks like a client-side timeout; clients time out well before this).
fn hung_up() -> Response {
    let mut r = Response::new(Body::from("upstream connection lost"));
    *r.status_mut() = StatusCode::GATEWAY_TIMEOUT;
    r.headers_mut()
        .insert("connection", HeaderValue::from_static("close"));
    r
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use paysync_core::{Clock, ManualClock};

    use super::*;

    fn controller(rules: Vec<FaultRule>, seed: u64) -> (FaultController, ManualClock) {
        let clock = ManualClock::at_fixed_origin();
        (
            FaultController::new(
                FaultConfig {
                    seed,
                    hang_ms: 10,
                    rules,
                },
                Arc::new(clock.clone()),
            ),
            clock,
        )
    }

    #[test]
    fn no_rules_means_no_faults() {
        let (f, _) = controller(vec![], 1);
        assert_eq!(
            f.decide(&Method::GET, "/v1/charges"),
            Verdict::Pass {
                delay: Duration::ZERO,
                lose_response: false
            }
        );
    }

    #[test]
    fn error_rate_is_close_to_configured_and_seeded() {
        let rule = FaultRule {
            errors: vec![ErrorFault {
                status: 429,
                rate_bp: 2_000,
                retry_after_secs: Some(3),
            }],
            ..FaultRule::default()
        };
        let (a, _) = controller(vec![rule.clone()], 42);
        let (b, _) = controller(vec![rule], 42);
        let run = |f: &FaultController| -> Vec<bool> {
            (0..5_000)
                .map(|_| matches!(f.decide(&Method::POST, "/x"), Verdict::Fail { status: 429, .. }))
                .collect()
        };
        let (ra, rb) = (run(&a), run(&b));
        assert_eq!(ra, rb, "same seed, same faults");
        let hits = ra.iter().filter(|h| **h).count();
        assert!((800..1_200).contains(&hits), "about 20 % of 5,000: {hits}");
    }

    #[test]
    fn rules_match_method_and_path_prefix() {
        let rule = FaultRule {
            method: Some("POST".into()),
            path_prefix: Some("/v1/payouts".into()),
            errors: vec![ErrorFault {
                status: 500,
                rate_bp: ALWAYS_BP,
                retry_after_secs: None,
            }],
            ..FaultRule::default()
        };
        let (f, _) = controller(vec![rule], 1);
        assert!(matches!(
            f.decide(&Method::POST, "/v1/payouts/po_1"),
            Verdict::Fail { status: 500, .. }
        ));
        assert!(matches!(
            f.decide(&Method::GET, "/v1/payouts"),
            Verdict::Pass { .. }
        ));
        assert!(matches!(
            f.decide(&Method::POST, "/v1/charges"),
            Verdict::Pass { .. }
        ));
    }

    #[test]
    fn outages_follow_the_sandbox_clock() {
        let (f, clock) = controller(vec![], 1);
        let start = clock.now() + chrono::Duration::minutes(1);
        f.set(FaultConfig {
            seed: 1,
            hang_ms: 10,
            rules: vec![FaultRule {
                outages: vec![Outage {
                    start,
                    end: start + chrono::Duration::minutes(5),
                    status: 503,
                }],
                ..FaultRule::default()
            }],
        });
        assert!(matches!(f.decide(&Method::GET, "/"), Verdict::Pass { .. }));
        clock.advance(chrono::Duration::minutes(2));
        assert!(matches!(
            f.decide(&Method::GET, "/"),
            Verdict::Fail { status: 503, .. }
        ));
        clock.advance(chrono::Duration::minutes(5));
        assert!(matches!(f.decide(&Method::GET, "/"), Verdict::Pass { .. }));
    }

    #[test]
    fn latency_adds_jitter_within_bounds() {
        let rule = FaultRule {
            latency_ms: 50,
            jitter_ms: 10,
            ..FaultRule::default()
        };
        let (f, _) = controller(vec![rule], 3);
        for _ in 0..100 {
            let Verdict::Pass { delay, .. } = f.decide(&Method::GET, "/") else {
                panic!("unexpected fault")
            };
            assert!((50..=60).contains(&delay.as_millis()));
        }
    }
}
