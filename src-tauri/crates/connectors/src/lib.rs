//! Paysync's connectors (ARCHITECTURE §1–§2).
//!
//! - [`http`]: the one executor every connector sends through. Connectors build [`http::Request`]
//!   values; the [`http::Executor`] owns auth refresh, rate limiting, retries, circuit breakers,
//!   redaction and telemetry.
//!
//! - [`stripe`]: Stripe requests, wire shapes and conversions (charges so far).
//!
//! The other provider clients (`salesforce/`, `checkout/`, `payoneer/`, `maldopay/`) come later.

pub mod http;
pub mod stripe;
