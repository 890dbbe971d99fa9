//! The one HTTP executor every connector uses (ARCHITECTURE §2; aesthetics §4.8–4.9).
//!
//! Connectors build a [`Request`] value (method, path, query, headers, body, idempotency key,
//! [`RetrySafety`], endpoint label) and hand it to [`Executor::send`], which owns:
//!
//! - **auth** ([`auth`]): credentials per attempt; on a 401 one serialized refresh and one retry;
//! - **rate limits** ([`limits`]): a GCRA limiter per provider endpoint, plus a shared pause when
//!   the provider answers 429 with `Retry-After`;
//! - **retries**: each failure is classified by [`paysync_core::retry::classify`] for the request's
//!   safety; retriable ones back off with full jitter (never sooner than `Retry-After`), terminal
//!   ones return, in-doubt ones return at once and are never resent;
//! - **circuit breakers** ([`breaker`]) per provider endpoint, on the injected clock;
//! - **redaction** ([`redact`]) of every header, query value, log line and error excerpt;
//! - **telemetry**: one `tracing` span per call with provider, endpoint, attempt, status, duration.

pub mod auth;
pub mod breaker;
mod error;
mod executor;
pub mod limits;
pub mod redact;
mod request;
mod response;

pub use auth::{Authenticator, NoAuth, RefreshingBearer, StaticBearer, TokenFingerprint, TokenSource};
pub use breaker::{BreakerPolicy, BreakerState, Circuit};
pub use error::HttpError;
pub use executor::{Executor, ExecutorConfig, ProviderConfig, ProviderPolicy};
pub use limits::RateLimit;
pub use paysync_core::retry::RetrySafety;
pub use request::{Body, Request, RequestSummary};
pub use reqwest::Method;
pub use response::Response;
