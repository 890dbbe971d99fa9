//! The executor: sends [`Request`]s with auth, rate limits, retries, breakers and redaction.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use paysync_core::retry::{NextStep, RetryPolicy};
use paysync_core::{SharedClock, SharedRandom};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap};
use serde_json::Value;
use tracing::{Instrument, field};

use super::auth::{Authenticator, TokenFingerprint};
use super::breaker::{Admission, Breaker, BreakerPolicy, BreakerState, Circuit};
use super::limits::{EndpointLimits, RateLimit};
use super::request::join;
use super::{Body, HttpError, Request, Response, redact};

/// Client-wide settings.
#[derive(Debug, Clone)]
pub struct ExecutorConfig {
    /// How long to wait for a TCP/TLS connection.
    pub connect_timeout: Duration,
    /// How long an idle pooled connection is kept.
    pub pool_idle_timeout: Duration,
    /// The most idle connections kept per host.
    pub pool_max_idle_per_host: usize,
    /// The `User-Agent` sent.
    pub user_agent: String,
}

impl Default for ExecutorConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            pool_idle_timeout: Duration::from_secs(90),
            pool_max_idle_per_host: 16,
            user_agent: concat!("paysync/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// How one provider is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderPolicy {
    /// Our pace per endpoint.
    pub rate: RateLimit,
    /// Attempts per call, the first included (at least one).
    pub max_attempts: u32,
    /// Backoff between attempts.
    pub backoff: RetryPolicy,
    /// The circuit breaker per endpoint.
    pub breaker: BreakerPolicy,
    /// The per-attempt timeout (whole exchange, body included).
    pub timeout: Duration,
}

impl Default for ProviderPolicy {
    fn default() -> Self {
        Self {
            rate: RateLimit::per_second(20),
            max_attempts: 4,
            backoff: RetryPolicy {
                base: Duration::from_millis(500),
                cap: Duration::from_secs(30),
            },
            breaker: BreakerPolicy::default(),
            timeout: Duration::from_secs(30),
        }
    }
}

/// One provider's configuration. The base URL is configuration so every connector can point at
/// its simulator (ARCHITECTURE §3.9).
#[derive(Debug, Clone)]
pub struct ProviderConfig {
    /// The provider's name (`stripe`), used in telemetry and to pick it in [`Executor::send`].
    pub name: String,
    /// The base URL paths are joined onto.
    pub base_url: String,
    /// The header the idempotency key is sent under (`Idempotency-Key`, `Cko-Idempotency-Key`), if
    /// the provider has one.
    pub idempotency_header: Option<String>,
    /// Rate, retries, breaker and timeout.
    pub policy: ProviderPolicy,
    /// Credentials.
    pub auth: Arc<dyn Authenticator>,
}

#[derive(Debug)]
struct Provider {
    config: ProviderConfig,
    limits: EndpointLimits,
    breakers: Mutex<BTreeMap<String, Breaker>>,
}

#[derive(Debug)]
struct Inner {
    client: reqwest::Client,
    clock: SharedClock,
    rng: SharedRandom,
    providers: HashMap<String, Provider>,
    /// Breaker transitions (closed ↔ open ↔ half-open), for the console.
    breaker_changes: tokio::sync::broadcast::Sender<BreakerState>,
}

/// The one HTTP executor. Cheap to clone: clones share the connection pool, limiters and breakers.
#[derive(Debug, Clone)]
pub struct Executor {
    inner: Arc<Inner>,
}

impl Executor {
    /// Builds the client and registers `providers`.
    pub fn new(
        config: &ExecutorConfig,
        providers: Vec<ProviderConfig>,
        clock: SharedClock,
        rng: SharedRandom,
    ) -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(config.pool_idle_timeout)
            .pool_max_idle_per_host(config.pool_max_idle_per_host)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| HttpError::InvalidRequest(format!("http client: {}", describe(&e))))?;
        let mut map = HashMap::new();
        for p in providers {
            url::Url::parse(&p.base_url)
                .map_err(|e| HttpError::InvalidRequest(format!("{}: base URL: {e}", p.name)))?;
            let provider = Provider {
                limits: EndpointLimits::new(p.policy.rate),
                breakers: Mutex::new(BTreeMap::new()),
                config: p,
            };
            map.insert(provider.config.name.clone(), provider);
        }
        Ok(Self {
            inner: Arc::new(Inner {
                client,
                clock,
                rng,
                providers: map,
                breaker_changes: tokio::sync::broadcast::channel(64).0,
            }),
        })
    }

    /// The base URL calls to `provider` go to, if this executor serves it (the console links a
    /// record to its page there).
    pub fn base_url(&self, provider: &str) -> Option<&str> {
        self.inner
            .providers
            .get(provider)
            .map(|p| p.config.base_url.as_str())
    }

    /// Every breaker that has seen a call, for the console.
    pub fn breaker_states(&self) -> Vec<BreakerState> {
        let mut out: Vec<BreakerState> = self
            .inner
            .providers
            .values()
            .flat_map(|p| {
                let breakers = p.breakers.lock().unwrap_or_else(PoisonError::into_inner);
                breakers
                    .iter()
                    .map(|(endpoint, b)| BreakerState {
                        provider: p.config.name.clone(),
                        endpoint: endpoint.clone(),
                        circuit: b.circuit(),
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        out.sort_by(|a, b| (&a.provider, &a.endpoint).cmp(&(&b.provider, &b.endpoint)));
        out
    }

    /// Breaker transitions from now on: one [`BreakerState`] each time a breaker opens, lets a
    /// probe through (half-open) or closes again. Changes in the failure count alone are not sent.
    pub fn breaker_changes(&self) -> tokio::sync::broadcast::Receiver<BreakerState> {
        self.inner.breaker_changes.subscribe()
    }

    /// Sends `request` to `provider`, retrying as its policy and the request's safety allow.
    pub async fn send(&self, provider: &str, request: Request) -> Result<Response, HttpError> {
        let p = self
            .inner
            .providers
            .get(provider)
            .ok_or_else(|| HttpError::InvalidRequest(format!("unknown provider {provider:?}")))?;
        let summary = request.summary(provider, &p.config.base_url);
        let span = tracing::info_span!(
            "http",
            provider,
            endpoint = %request.endpoint,
            method = %summary.method,
            url = %summary.url,
            attempt = field::Empty,
            status = field::Empty,
            duration_ms = field::Empty,
        );
        self.run(p, &request).instrument(span).await
    }

    async fn run(&self, p: &Provider, req: &Request) -> Result<Response, HttpError> {
        let policy = &p.config.policy;
        let endpoint = req.endpoint.as_str();
        let mut refreshed = false;
        let mut attempt = 0u32;
        loop {
            attempt = attempt.saturating_add(1);
            tracing::Span::current().record("attempt", attempt);
            let probe = match self.admit(p, endpoint) {
                Admission::Rejected { until } => {
                    tracing::warn!(%until, "Circuit open; failing fast.");
                    return Err(HttpError::CircuitOpen {
                        endpoint: endpoint.to_owned(),
                        until,
                    });
                }
                Admission::Probe => true,
                Admission::Allowed => false,
            };
            let pause = p.limits.pause_remaining(endpoint, self.inner.clock.now());
            if !pause.is_zero() {
                tracing::debug!(
                    pause_ms = millis(pause),
                    "Endpoint paused by Retry-After; waiting."
                );
                tokio::time::sleep(pause).await;
            }
            p.limits.acquire(endpoint).await;
            let started = Instant::now();
            let (result, fingerprint) = self.attempt(p, req, attempt).await;
            let elapsed = millis(started.elapsed());
            self.record(p, endpoint, probe, &result);
            let span = tracing::Span::current();
            span.record("duration_ms", elapsed);
            let error = match result {
                Ok(response) => {
                    span.record("status", response.status);
                    tracing::info!(
                        attempt,
                        status = response.status,
                        duration_ms = elapsed,
                        "HTTP call succeeded."
                    );
                    return Ok(response);
                }
                Err(e) => e,
            };
            if let HttpError::Status { status, .. } = &error {
                span.record("status", *status);
            }
            let class = error.classification(req.safety);
            tracing::warn!(attempt, duration_ms = elapsed, code = %class.code, error = %error, "HTTP attempt failed.");
            if let HttpError::Status {
                status: 401,
                body_excerpt,
                ..
            } = &error
            {
                if refreshed {
                    return Err(HttpError::AuthRefused {
                        endpoint: endpoint.to_owned(),
                        message: body_excerpt.clone(),
                    });
                }
                refreshed = true;
                p.config
                    .auth
                    .refresh(&fingerprint)
                    .await
                    .map_err(|e| with_endpoint(e, endpoint))?;
                tracing::info!("Credentials refreshed after a 401; retrying once.");
                continue;
            }
            if let HttpError::Status {
                status: 429,
                retry_after: Some(wait),
                ..
            } = &error
            {
                let until = self.inner.clock.now()
                    + chrono::Duration::from_std(*wait).unwrap_or(chrono::Duration::MAX);
                p.limits.pause_until(endpoint, until);
            }
            let budget = policy.max_attempts.max(1).saturating_add(u32::from(refreshed));
            match policy.backoff.next_step(
                class.class,
                attempt,
                budget,
                class.retry_after,
                self.inner.rng.as_ref(),
            ) {
                NextStep::RetryAfter(delay) => {
                    tracing::debug!(delay_ms = millis(delay), "Backing off before the next attempt.");
                    tokio::time::sleep(delay).await;
                }
                NextStep::DeadLetter | NextStep::AwaitStatusCheck => return Err(error),
            }
        }
    }

    fn admit(&self, p: &Provider, endpoint: &str) -> Admission {
        let now = self.inner.clock.now();
        let mut breakers = p.breakers.lock().unwrap_or_else(PoisonError::into_inner);
        let breaker = breakers
            .entry(endpoint.to_owned())
            .or_insert_with(|| Breaker::new(p.config.policy.breaker));
        let before = breaker.circuit();
        let admission = breaker.admit(now);
        self.announce(p, endpoint, before, breaker.circuit());
        admission
    }

    fn announce(&self, p: &Provider, endpoint: &str, before: Circuit, after: Circuit) {
        if std::mem::discriminant(&before) != std::mem::discriminant(&after) {
            // Nobody listening is fine: the console subscribes only while it is open.
            let _ = self.inner.breaker_changes.send(BreakerState {
                provider: p.config.name.clone(),
                endpoint: endpoint.to_owned(),
                circuit: after,
            });
        }
    }

    fn record(&self, p: &Provider, endpoint: &str, probe: bool, result: &Result<Response, HttpError>) {
        let now = self.inner.clock.now();
        let mut breakers = p.breakers.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(b) = breakers.get_mut(endpoint) else {
            return;
        };
        let before = b.circuit();
        match result {
            Ok(_) => b.on_success(),
            Err(HttpError::InvalidRequest(_)) if probe => b.on_abandoned(now),
            Err(e) if e.is_provider_failure() => b.on_failure(now),
            Err(HttpError::InvalidRequest(_)) => {}
            Err(_) => b.on_success(),
        }
        self.announce(p, endpoint, before, b.circuit());
    }

    /// One attempt; also returns the fingerprint of the credentials it carried.
    async fn attempt(
        &self,
        p: &Provider,
        req: &Request,
        attempt: u32,
    ) -> (Result<Response, HttpError>, TokenFingerprint) {
        let endpoint = req.endpoint.as_str();
        let built = match self.build(p, req).await {
            Ok(b) => b,
            Err(e) => return (Err(e), TokenFingerprint::none()),
        };
        let fingerprint = built
            .headers()
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map_or_else(TokenFingerprint::none, TokenFingerprint::of);
        let mut known = p.config.auth.known_secrets().await;
        known.extend(sensitive_values(req));
        let result = match self.inner.client.execute(built).await {
            Err(e) => Err(transport(&e, endpoint, &known)),
            Ok(resp) => {
                let status = resp.status().as_u16();
                let headers = resp.headers().clone();
                match resp.bytes().await {
                    Err(e) => Err(transport(&e, endpoint, &known)),
                    Ok(body) if (200..300).contains(&status) => Ok(Response {
                        status,
                        headers,
                        body: body.to_vec(),
                        endpoint: endpoint.to_owned(),
                        attempts: attempt,
                    }),
                    Ok(body) => Err(HttpError::Status {
                        endpoint: endpoint.to_owned(),
                        status,
                        provider_code: provider_code(&body).map(|c| redact::replace_known(&c, &known)),
                        retry_after: retry_after(&headers, self.inner.clock.now()),
                        should_retry: header_str(&headers, "stripe-should-retry")
                            .and_then(|v| v.parse().ok()),
                        body_excerpt: redact::excerpt(&body, &known),
                    }),
                }
            }
        };
        (result, fingerprint)
    }

    async fn build(&self, p: &Provider, req: &Request) -> Result<reqwest::Request, HttpError> {
        let url = join(&p.config.base_url, &req.path);
        let mut rb = self
            .inner
            .client
            .request(req.method.clone(), url)
            .timeout(p.config.policy.timeout);
        if !req.query.is_empty() {
            rb = rb.query(&req.query);
        }
        for (name, value) in &req.headers {
            rb = rb.header(name.as_str(), value.as_str());
        }
        if let (Some(key), Some(header)) = (&req.idempotency_key, &p.config.idempotency_header) {
            rb = rb.header(header.as_str(), key.as_str());
        }
        rb = match &req.body {
            Body::None => rb,
            Body::Json(v) => rb.json(v),
            Body::Form(pairs) => rb.form(pairs),
            Body::Raw { bytes, content_type } => {
                rb.header(CONTENT_TYPE, content_type.as_str()).body(bytes.clone())
            }
        };
        let rb = p
            .config
            .auth
            .apply(rb)
            .await
            .map_err(|e| with_endpoint(e, &req.endpoint))?;
        rb.build()
            .map_err(|e| HttpError::InvalidRequest(format!("{}: {}", req.endpoint, describe(&e))))
    }
}

/// Values of the request's own sensitive headers and query parameters, to scrub from excerpts.
fn sensitive_values(req: &Request) -> Vec<String> {
    req.headers
        .iter()
        .chain(req.query.iter())
        .filter(|(n, _)| redact::is_sensitive(n))
        .map(|(_, v)| v.clone())
        .collect()
}

fn transport(e: &reqwest::Error, endpoint: &str, known: &[String]) -> HttpError {
    let endpoint = endpoint.to_owned();
    if e.is_connect() {
        HttpError::Connect {
            endpoint,
            message: redact::replace_known(&describe(e), known),
        }
    } else if e.is_builder() {
        HttpError::InvalidRequest(format!(
            "{endpoint}: {}",
            redact::replace_known(&describe(e), known)
        ))
    } else {
        // A timeout, or the connection dropped mid-exchange: the provider may have acted.
        HttpError::Timeout { endpoint, sent: true }
    }
}

/// A reqwest error and its causes, without the URL (which may carry query secrets), redacted.
fn describe(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), url.path());
    }
    redact::scrub_free_text(&text)
}

fn with_endpoint(e: HttpError, endpoint: &str) -> HttpError {
    match e {
        HttpError::AuthRefused {
            endpoint: ep,
            message,
        } if ep.is_empty() => HttpError::AuthRefused {
            endpoint: endpoint.to_owned(),
            message,
        },
        other => other,
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `Retry-After` as seconds or an HTTP date (relative to the injected clock).
fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let value = header_str(headers, "retry-after")?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((at - now).to_std().unwrap_or_default())
}

/// The provider's error code from the common error shapes: Stripe `error.code`/`error.type`,
/// Salesforce `[{errorCode}]`, Checkout.com `error_type`, and plain `code`/`error`.
fn provider_code(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    [
        "/error/code",
        "/0/errorCode",
        "/error_type",
        "/errorCode",
        "/code",
        "/error/type",
        "/error",
    ]
    .iter()
    .find_map(|p| v.pointer(p).and_then(Value::as_str))
    .map(|s| redact::truncate(s.to_owned(), 100))
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    #[test]
    fn parses_retry_after_and_codes() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z").map(|d| d.with_timezone(&Utc));
        let now = now.unwrap_or_default();
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        h.insert(
            "retry-after",
            HeaderValue::from_static("Thu, 01 Jan 2026 00:00:30 GMT"),
        );
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(30)));
        assert_eq!(
            provider_code(br#"{"error":{"code":"rate_limit","type":"invalid_request_error"}}"#).as_deref(),
            Some("rate_limit")
        );
        assert_eq!(
            provider_code(br#"[{"errorCode":"UNABLE_TO_LOCK_ROW"}]"#).as_deref(),
            Some("UNABLE_TO_LOCK_ROW")
        );
        assert_eq!(
            provider_code(br#"{"error_type":"request_invalid"}"#).as_deref(),
            Some("request_invalid")
        );
        assert_eq!(provider_code(b"oops"), None);
    }
}
