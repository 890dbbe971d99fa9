//! Paysync's connectors (ARCHITECTURE §1–§2).
//!
//! - [`http`]: the one executor every connector sends through. Connectors build [`http::Request`]
//!   values; the [`http::Executor`] owns auth refresh, rate limiting, retries, circuit breakers,
//!   redaction and telemetry.
//!
//! - [`oauth`]: OAuth 2.0 clients: the Salesforce desktop sign-in (PKCE, loopback redirect),
//!   refresh and revocation, and client-credentials tokens for Payoneer and Checkout.com.
//!
//! - [`stripe`]: Stripe requests, wire shapes and conversions: charges, events (signatures, the
//!   decoder, the Events API) and the lists a re-scan reads.
//!
//! - [`salesforce`]: Salesforce REST: sObject Collections upserts by External ID, each record's
//!   outcome, and the org's API usage from `Sforce-Limit-Info`.
//!
//! - [`payoneer`]: Payoneer Mass Payouts: payees, batches, payout status and the balance.
//!
//! The other provider clients (`checkout/`, `maldopay/`) come later.

pub mod http;
pub mod oauth;
pub mod payoneer;
pub mod salesforce;
pub mod stripe;
