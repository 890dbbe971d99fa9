//! Paysync's connectors (ARCHITECTURE §1–§2).
//!
//! - [`http`]: the one executor every connector sends through. Connectors build [`http::Request`]
//!   values; the [`http::Executor`] owns auth refresh, rate limiting, retries, circuit breakers,
//!   redaction and telemetry.
//!
//! Provider clients (`stripe/`, `salesforce/`, `checkout/`, `payoneer/`, `maldopay/`) come later.

pub mod http;
