//! Paysync's domain core: the types every other crate shares, with no I/O.
//!
//! - [`clock`] and [`random`]: injected time and randomness (the only places allowed to read the
//!   wall clock or the OS RNG).
//! - [`secret`]: [`Secret<T>`](secret::Secret), which never prints its value.
//! - [`error_class`]: how a failed attempt is treated (retriable, terminal, in doubt).
//! - [`currency`] and [`money`]: [`Currency`] (ISO 4217, exponents from the ISO table) and exact
//!   [`Money`] in `i64` minor units, with checked arithmetic and no rounding (ARCHITECTURE §3.1).
//! - [`provider_amounts`]: Stripe's and Checkout.com's zero- and three-decimal lists as data, and
//!   exact conversions between [`Money`] and their integer amounts.
//! - [`ids`]: id newtypes and the deterministic [`IdempotencyKey`].
//! - [`mapping`]: field mappings as versioned documents (source path → transform → target field,
//!   with validation), interpreted without a rebuild.
//! - [`reconcile`]: the pure matching engine (shared ids, then rules), breakdowns and tie-out.
//! - [`retry`]: the pure failure classifier and the backoff policy that the engine's job runner and
//!   the connectors' HTTP executor share (ARCHITECTURE §3.3–3.4).

pub mod clock;
pub mod currency;
pub mod error_class;
pub mod ids;
pub mod mapping;
pub mod money;
mod money_error;
pub mod provider_amounts;
pub mod random;
pub mod reconcile;
pub mod retry;
pub mod secret;

pub use clock::{Clock, ManualClock, SharedClock, SystemClock};
pub use currency::Currency;
pub use error_class::ErrorClass;
pub use ids::{AuditSeq, ConnectionId, CorrelationId, DeadLetterId, IdError, IdempotencyKey, JobId, RunId};
pub use money::{Money, MoneyError, parse_decimal_amount};
pub use provider_amounts::ProviderAmountError;
pub use random::{RandomSource, SeededRandom, SharedRandom, SystemRandom};
pub use secret::Secret;
