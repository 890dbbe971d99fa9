//! The pure failure classifier (ARCHITECTURE §3.3–3.4): given what went wrong and how safe the
//! operation is to repeat, decide whether it is retriable, terminal or in doubt. No I/O, no time:
//! every connector and the job runner share this one function, and its table tests pin it down.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::ErrorClass;

/// How safe an outbound operation is to send again when its outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetrySafety {
    /// Reads and pure local work: repeating them has no side effect.
    ReadOnly,
    /// The provider replays the saved result for the same idempotency key (Stripe, 24 h).
    ReplaySafe,
    /// The provider saves a result only for 2xx responses (Checkout.com): after a 5xx or timeout the
    /// payment may exist, so look it up by our reference before anything else.
    ReplaySafeOnSuccessOnly,
    /// The provider dedupes on our reference (Payoneer `client_reference_id`): query status first.
    ReferenceDedup,
    /// No documented idempotency (MaldoPay): query, then ask a human.
    Unsafe,
}

impl RetrySafety {
    /// Whether a request that may have reached the provider can be sent again without asking first.
    pub const fn may_resend_unknown_outcome(self) -> bool {
        matches!(self, Self::ReadOnly | Self::ReplaySafe)
    }
}

/// What went wrong with one attempt, as observed by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The connection could not be made, so nothing reached the provider.
    ConnectFailed,
    /// The request was sent but no response arrived in time.
    Timeout,
    /// The provider answered with a non-success status.
    Http {
        /// The HTTP status code.
        status: u16,
        /// The provider's error code (`UNABLE_TO_LOCK_ROW`, `idempotency_error`, …), if any.
        code: Option<String>,
        /// The `Retry-After` the provider asked for, if any.
        retry_after: Option<Duration>,
        /// Stripe's `Stripe-Should-Retry` header, which overrides the status-based decision.
        should_retry: Option<bool>,
    },
    /// Our own validation refused the record before anything was sent.
    Invalid {
        /// The field that failed.
        field: String,
        /// Why it failed.
        message: String,
    },
    /// Credentials were refused even after a refresh: a person must reconnect.
    AuthRefused,
    /// A local fault (disk, database) that may clear up.
    Local(String),
    /// The provider's circuit breaker is open: nothing was sent, and nothing is to be sent before
    /// `until`. The work waits for it; it does not spend an attempt.
    Unavailable {
        /// When the breaker lets a probe through.
        until: DateTime<Utc>,
    },
}

/// The code of a call a circuit breaker stopped.
const CIRCUIT_OPEN: &str = "circuit_open";

/// The classifier's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    /// Retriable, terminal or in doubt.
    pub class: ErrorClass,
    /// A short stable code for grouping in the DLQ and dashboards.
    pub code: String,
    /// The earliest time to try again that the provider asked for.
    pub retry_after: Option<Duration>,
}

impl Classification {
    fn new(class: ErrorClass, code: impl Into<String>, retry_after: Option<Duration>) -> Self {
        Self {
            class,
            code: code.into(),
            retry_after,
        }
    }
}

/// Salesforce error codes that mean "contention, try again" rather than "bad data".
const SALESFORCE_TRANSIENT: &[&str] = &[
    "UNABLE_TO_LOCK_ROW",
    "SERVER_UNAVAILABLE",
    "REQUEST_RUNNING_TOO_LONG",
];

/// Whether a Salesforce error code (a whole call's, or one record's in a collection) means
/// contention that a later attempt may get past, rather than data Salesforce refuses.
pub fn is_salesforce_transient(code: &str) -> bool {
    SALESFORCE_TRANSIENT.contains(&code)
}

/// Salesforce's rolling 24-hour allocation is exhausted: retriable, but not soon.
const SALESFORCE_LIMIT: &str = "REQUEST_LIMIT_EXCEEDED";

/// How long to wait after Salesforce reports its daily allocation used up, when it gives no hint.
pub const SALESFORCE_LIMIT_BACKOFF: Duration = Duration::from_secs(15 * 60);

/// Classifies one failed attempt. Pure: same inputs, same answer.
pub fn classify(failure: &Failure, safety: RetrySafety) -> Classification {
    use ErrorClass::{InDoubt, Retriable, Terminal};
    match failure {
        Failure::ConnectFailed => Classification::new(Retriable, "connect_failed", None),
        Failure::Local(_) => Classification::new(Retriable, "local_fault", None),
        Failure::Unavailable { .. } => Classification::new(Retriable, CIRCUIT_OPEN, None),
        Failure::AuthRefused => Classification::new(Terminal, "auth_refused", None),
        Failure::Invalid { field, .. } => Classification::new(Terminal, format!("invalid:{field}"), None),
        Failure::Timeout => {
            let class = if safety.may_resend_unknown_outcome() {
                Retriable
            } else {
                InDoubt
            };
            Classification::new(class, "timeout", None)
        }
        Failure::Http {
            status,
            code,
            retry_after,
            should_retry,
        } => {
            let code_str = code.as_deref().unwrap_or_default();
            let label = if code_str.is_empty() {
                format!("http_{status}")
            } else {
                code_str.to_owned()
            };
            // Stripe tells us outright; its word beats our status-based guess.
            if let Some(explicit) = should_retry {
                let class = match (explicit, *status >= 500) {
                    (true, true) if !safety.may_resend_unknown_outcome() => InDoubt,
                    (true, _) => Retriable,
                    (false, _) => Terminal,
                };
                return Classification::new(class, label, *retry_after);
            }
            if SALESFORCE_TRANSIENT.contains(&code_str) {
                return Classification::new(Retriable, label, *retry_after);
            }
            if code_str == SALESFORCE_LIMIT {
                let wait = retry_after.unwrap_or(SALESFORCE_LIMIT_BACKOFF);
                return Classification::new(Retriable, label, Some(wait));
            }
            match status {
                // Rate limited or a concurrent request holds our idempotency key: nothing was done.
                429 | 409 => Classification::new(Retriable, label, *retry_after),
                // Gateway trouble and server errors: the request may have been executed.
                408 | 500..=599 => {
                    let class = if safety.may_resend_unknown_outcome() {
                        Retriable
                    } else {
                        InDoubt
                    };
                    Classification::new(class, label, *retry_after)
                }
                401 | 403 => Classification::new(Terminal, label, None),
                _ => Classification::new(Terminal, label, None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ErrorClass::{InDoubt, Retriable, Terminal};

    fn http(status: u16, code: Option<&str>) -> Failure {
        Failure::Http {
            status,
            code: code.map(str::to_owned),
            retry_after: None,
            should_retry: None,
        }
    }

    #[test]
    fn table() {
        let secs = Duration::from_secs;
        let cases: Vec<(Failure, RetrySafety, ErrorClass, &str)> = vec![
            (
                Failure::ConnectFailed,
                RetrySafety::Unsafe,
                Retriable,
                "connect_failed",
            ),
            (Failure::Timeout, RetrySafety::ReadOnly, Retriable, "timeout"),
            (Failure::Timeout, RetrySafety::ReplaySafe, Retriable, "timeout"),
            (
                Failure::Timeout,
                RetrySafety::ReplaySafeOnSuccessOnly,
                InDoubt,
                "timeout",
            ),
            (Failure::Timeout, RetrySafety::ReferenceDedup, InDoubt, "timeout"),
            (Failure::Timeout, RetrySafety::Unsafe, InDoubt, "timeout"),
            (http(500, None), RetrySafety::ReplaySafe, Retriable, "http_500"),
            (
                http(502, None),
                RetrySafety::ReplaySafeOnSuccessOnly,
                InDoubt,
                "http_502",
            ),
            (http(503, None), RetrySafety::ReferenceDedup, InDoubt, "http_503"),
            (http(504, None), RetrySafety::ReadOnly, Retriable, "http_504"),
            (http(429, None), RetrySafety::Unsafe, Retriable, "http_429"),
            (
                http(409, Some("idempotency_key_in_use")),
                RetrySafety::ReplaySafe,
                Retriable,
                "idempotency_key_in_use",
            ),
            (
                http(400, Some("idempotency_error")),
                RetrySafety::ReplaySafe,
                Terminal,
                "idempotency_error",
            ),
            (
                http(400, Some("REQUIRED_FIELD_MISSING")),
                RetrySafety::ReadOnly,
                Terminal,
                "REQUIRED_FIELD_MISSING",
            ),
            (
                http(400, Some("FIELD_CUSTOM_VALIDATION_EXCEPTION")),
                RetrySafety::ReadOnly,
                Terminal,
                "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            ),
            (
                http(400, Some("DUPLICATE_VALUE")),
                RetrySafety::ReadOnly,
                Terminal,
                "DUPLICATE_VALUE",
            ),
            (
                http(400, Some("UNABLE_TO_LOCK_ROW")),
                RetrySafety::ReadOnly,
                Retriable,
                "UNABLE_TO_LOCK_ROW",
            ),
            (http(300, None), RetrySafety::ReadOnly, Terminal, "http_300"),
            (
                http(401, Some("INVALID_SESSION_ID")),
                RetrySafety::ReadOnly,
                Terminal,
                "INVALID_SESSION_ID",
            ),
            (http(404, None), RetrySafety::ReadOnly, Terminal, "http_404"),
            (http(422, None), RetrySafety::Unsafe, Terminal, "http_422"),
            (
                Failure::AuthRefused,
                RetrySafety::ReadOnly,
                Terminal,
                "auth_refused",
            ),
            (
                Failure::Local("disk full".into()),
                RetrySafety::Unsafe,
                Retriable,
                "local_fault",
            ),
            (
                Failure::Unavailable {
                    until: DateTime::<Utc>::MIN_UTC,
                },
                RetrySafety::Unsafe,
                Retriable,
                "circuit_open",
            ),
            (
                Failure::Invalid {
                    field: "BillingCountry".into(),
                    message: "required".into(),
                },
                RetrySafety::ReadOnly,
                Terminal,
                "invalid:BillingCountry",
            ),
        ];
        for (failure, safety, class, code) in cases {
            let c = classify(&failure, safety);
            assert_eq!(
                (c.class, c.code.as_str()),
                (class, code),
                "{failure:?} with {safety:?}"
            );
        }
        let limited = classify(
            &Failure::Http {
                status: 429,
                code: None,
                retry_after: Some(secs(7)),
                should_retry: None,
            },
            RetrySafety::ReplaySafe,
        );
        assert_eq!(limited.retry_after, Some(secs(7)));
    }

    #[test]
    fn salesforce_daily_limit_waits_long() {
        let c = classify(&http(403, Some("REQUEST_LIMIT_EXCEEDED")), RetrySafety::ReadOnly);
        assert_eq!(c.class, Retriable);
        assert_eq!(c.retry_after, Some(SALESFORCE_LIMIT_BACKOFF));
    }

    #[test]
    fn stripe_should_retry_overrides_status() {
        let f = |status, should| Failure::Http {
            status,
            code: None,
            retry_after: None,
            should_retry: Some(should),
        };
        assert_eq!(classify(&f(400, true), RetrySafety::ReplaySafe).class, Retriable);
        assert_eq!(classify(&f(500, false), RetrySafety::ReplaySafe).class, Terminal);
        assert_eq!(classify(&f(500, true), RetrySafety::ReplaySafe).class, Retriable);
        // A provider's "retry" never licenses a blind resend of an unsafe side effect.
        assert_eq!(classify(&f(500, true), RetrySafety::Unsafe).class, InDoubt);
    }
}
