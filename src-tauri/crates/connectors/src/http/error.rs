//! The executor's typed errors. Every message is redacted before it is stored here: no variant
//! carries a secret, so `Display` and `Debug` are safe to log and to show.

use std::time::Duration;

use chrono::{DateTime, Utc};
use paysync_core::retry::classify::classify;
use paysync_core::retry::{Classification, Failure, RetrySafety};

/// Why a request did not produce a successful response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// No connection could be made: nothing reached the provider.
    #[error("{endpoint}: could not connect: {message}")]
    Connect {
        /// The endpoint label.
        endpoint: String,
        /// What failed (redacted).
        message: String,
    },
    /// No complete response arrived in time. `sent` tells whether the request may have reached the
    /// provider (if so, its outcome is unknown).
    #[error("{endpoint}: timed out ({})", if *sent { "the request may have been processed" } else { "before sending" })]
    Timeout {
        /// The endpoint label.
        endpoint: String,
        /// Whether the request may have reached the provider.
        sent: bool,
    },
    /// The provider answered with a non-success status.
    #[error("{endpoint}: HTTP {status}{}: {body_excerpt}", provider_code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default())]
    Status {
        /// The endpoint label.
        endpoint: String,
        /// The status code.
        status: u16,
        /// The provider's error code, if the body had one.
        provider_code: Option<String>,
        /// The provider's `Retry-After`, if any.
        retry_after: Option<Duration>,
        /// Stripe's `Stripe-Should-Retry`, if sent.
        should_retry: Option<bool>,
        /// The start of the body (at most 2 KB), redacted.
        body_excerpt: String,
    },
    /// The endpoint's circuit breaker is open: the call was not made.
    #[error("{endpoint}: circuit open until {until}")]
    CircuitOpen {
        /// The endpoint label.
        endpoint: String,
        /// When a probe may go through.
        until: DateTime<Utc>,
    },
    /// The credentials were refused even after a refresh: a person must reconnect.
    #[error("{endpoint}: credentials refused after a refresh: {message}")]
    AuthRefused {
        /// The endpoint label.
        endpoint: String,
        /// What the provider or the authenticator said (redacted).
        message: String,
    },
    /// The request could not be built (bad URL, header, body, unknown provider); nothing was sent.
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A successful response could not be read or decoded.
    #[error("{endpoint}: could not decode the response: {message}")]
    Decode {
        /// The endpoint label.
        endpoint: String,
        /// What failed (redacted).
        message: String,
    },
}

impl HttpError {
    /// The classifier's view of this failure.
    pub fn failure(&self) -> Failure {
        match self {
            Self::Connect { .. } | Self::Timeout { sent: false, .. } => Failure::ConnectFailed,
            Self::Timeout { sent: true, .. } => Failure::Timeout,
            Self::Status {
                status,
                provider_code,
                retry_after,
                should_retry,
                ..
            } => Failure::Http {
                status: *status,
                code: provider_code.clone(),
                retry_after: *retry_after,
                should_retry: *should_retry,
            },
            // Nothing was sent; the provider is unavailable for now, so dependent work is held.
            Self::CircuitOpen { until, .. } => Failure::Unavailable { until: *until },
            Self::AuthRefused { .. } => Failure::AuthRefused,
            Self::InvalidRequest(message) => Failure::Invalid {
                field: "request".to_owned(),
                message: message.clone(),
            },
            Self::Decode { message, .. } => Failure::Invalid {
                field: "response".to_owned(),
                message: message.clone(),
            },
        }
    }

    /// How this failure is treated for an operation of the given safety.
    pub fn classification(&self, safety: RetrySafety) -> Classification {
        classify(&self.failure(), safety)
    }

    /// Whether the provider failed to serve (connect errors, timeouts, 5xx, 408): what the circuit
    /// breaker counts. Rate limits and client errors show the provider is up.
    pub fn is_provider_failure(&self) -> bool {
        match self {
            Self::Connect { .. } | Self::Timeout { .. } => true,
            Self::Status { status, .. } => *status == 408 || *status >= 500,
            Self::CircuitOpen { .. }
            | Self::AuthRefused { .. }
            | Self::InvalidRequest(_)
            | Self::Decode { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use paysync_core::ErrorClass;

    use super::*;

    #[test]
    fn classifications() {
        let ep = || "p:GET /x".to_owned();
        let safe = RetrySafety::ReplaySafe;
        let cases = [
            (
                HttpError::Connect {
                    endpoint: ep(),
                    message: "refused".into(),
                },
                RetrySafety::Unsafe,
                ErrorClass::Retriable,
            ),
            (
                HttpError::Timeout {
                    endpoint: ep(),
                    sent: false,
                },
                RetrySafety::Unsafe,
                ErrorClass::Retriable,
            ),
            (
                HttpError::Timeout {
                    endpoint: ep(),
                    sent: true,
                },
                RetrySafety::Unsafe,
                ErrorClass::InDoubt,
            ),
            (
                HttpError::Timeout {
                    endpoint: ep(),
                    sent: true,
                },
                safe,
                ErrorClass::Retriable,
            ),
            (
                HttpError::CircuitOpen {
                    endpoint: ep(),
                    until: DateTime::<Utc>::MIN_UTC,
                },
                RetrySafety::Unsafe,
                ErrorClass::Retriable,
            ),
            (
                HttpError::AuthRefused {
                    endpoint: ep(),
                    message: String::new(),
                },
                safe,
                ErrorClass::Terminal,
            ),
            (
                HttpError::InvalidRequest("bad header".into()),
                safe,
                ErrorClass::Terminal,
            ),
            (
                HttpError::Decode {
                    endpoint: ep(),
                    message: "eof".into(),
                },
                safe,
                ErrorClass::Terminal,
            ),
        ];
        for (e, safety, class) in cases {
            assert_eq!(e.classification(safety).class, class, "{e}");
        }
        let e = HttpError::CircuitOpen {
            endpoint: ep(),
            until: DateTime::<Utc>::MIN_UTC,
        };
        assert_eq!(e.classification(safe).code, "circuit_open");
    }
}
