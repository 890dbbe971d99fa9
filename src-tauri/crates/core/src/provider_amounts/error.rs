//! [`ProviderAmountError`]: why an amount cannot be written in, or read from, a provider's units.

use crate::currency::Currency;
use crate::money::{Money, MoneyError};

/// Why a [`Money`] cannot be converted exactly to or from a provider's integer amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderAmountError {
    /// The amount itself is unusable (e.g. a currency without a minor unit).
    #[error(transparent)]
    Money(#[from] MoneyError),

    /// The provider documents no encoding for this currency and its ISO exponent is not the
    /// provider's default, so any choice would be a guess that could be off by a factor of ten.
    #[error(
        "{provider} does not document how to write {currency} amounts (ISO 4217 exponent \
         {iso_exponent}); refusing to guess"
    )]
    UnsupportedCurrency {
        /// The provider's name.
        provider: &'static str,
        /// The currency.
        currency: Currency,
        /// The currency's ISO 4217 exponent.
        iso_exponent: u32,
    },

    /// The amount has finer precision than the provider accepts for its currency.
    #[error(
        "{amount} cannot be sent to {provider}, which counts {currency} with {provider_exponent} \
         decimal places; refusing to round it",
        currency = .amount.currency()
    )]
    PrecisionLoss {
        /// The provider's name.
        provider: &'static str,
        /// The amount that was to be sent.
        amount: Money,
        /// The number of decimal places the provider counts the currency in.
        provider_exponent: u32,
    },

    /// The provider only accepts multiples of `step` in its units for this currency.
    #[error(
        "{provider} needs {currency} amounts in multiples of {step} of its units ({rule}); \
         {amount} would be sent as {provider_amount}, so round it explicitly before sending",
        currency = .amount.currency()
    )]
    NotMultiple {
        /// The provider's name.
        provider: &'static str,
        /// The amount that was to be sent.
        amount: Money,
        /// The amount in the provider's units.
        provider_amount: i64,
        /// The multiple the provider requires.
        step: i64,
        /// The documented rule, for the operator.
        rule: &'static str,
    },

    /// The amount is outside the range the provider accepts.
    #[error(
        "{amount} is outside what {provider} accepts ({min}..={max} of its units); it would be \
         sent as {provider_amount}"
    )]
    OutOfRange {
        /// The provider's name.
        provider: &'static str,
        /// The amount that was to be sent.
        amount: Money,
        /// The amount in the provider's units.
        provider_amount: i64,
        /// The smallest accepted value.
        min: i64,
        /// The largest accepted value.
        max: i64,
    },

    /// An amount received from the provider is finer than ISO 4217 allows for its currency
    /// (e.g. a fractional-króna ISK amount from before Stripe's 2023 change).
    #[error(
        "{provider} amount {provider_amount} (in {provider_exponent}-decimal {currency}) has more \
         precision than {currency}'s ISO 4217 exponent {iso_exponent}; refusing to round it"
    )]
    Unrepresentable {
        /// The provider's name.
        provider: &'static str,
        /// The amount as the provider sent it.
        provider_amount: i64,
        /// The currency.
        currency: Currency,
        /// The number of decimal places the provider counts the currency in.
        provider_exponent: u32,
        /// The currency's ISO 4217 exponent.
        iso_exponent: u32,
    },

    /// Rescaling between the provider's units and ISO minor units overflows `i64`.
    #[error("{amount} {currency} does not fit in 64 bits when converted for {provider}")]
    Overflow {
        /// The provider's name.
        provider: &'static str,
        /// The amount being converted (major units, or the provider's integer).
        amount: String,
        /// The currency.
        currency: Currency,
    },
}
