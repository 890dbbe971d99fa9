//! [`MoneyError`]: every way building or combining money can fail. Each message names the amount
//! and the currency, because these errors end up in the DLQ and in front of an operator.

use crate::currency::Currency;
use crate::money::Money;

/// Why an amount of money could not be built, parsed or combined exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not an ISO 4217 alphabetic code.
    #[error("unknown currency code {code:?} (expected an ISO 4217 code such as USD)")]
    UnknownCurrency {
        /// The code as given.
        code: String,
    },

    /// ISO 4217 gives this currency no minor unit (XAU, XDR, XXX…), so amounts cannot be written
    /// exactly in minor units.
    #[error("{currency} has no minor unit in ISO 4217, so its amounts cannot be expressed exactly")]
    NoMinorUnit {
        /// The currency.
        currency: Currency,
    },

    /// The amount has more decimal places than the currency allows; we never round money.
    #[error(
        "{amount} {currency} has more decimal places than {currency} allows ({exponent}); \
         refusing to round it"
    )]
    PrecisionLoss {
        /// The amount as given, in major units.
        amount: String,
        /// The currency.
        currency: Currency,
        /// The number of decimal places the currency allows.
        exponent: u32,
    },

    /// The amount, or the result of an operation on it, does not fit in an `i64` of minor units.
    #[error("{amount} {currency} does not fit in a 64-bit count of minor units")]
    Overflow {
        /// The amount or the operation that overflowed, in major units (e.g. `"9.99 + 1.00"`).
        amount: String,
        /// The currency.
        currency: Currency,
    },

    /// Two amounts in different currencies were combined.
    #[error("cannot combine {left} with {right}: the currencies differ")]
    CurrencyMismatch {
        /// The left-hand amount (for a sum: the total so far).
        left: Money,
        /// The right-hand amount (for a sum: the first item in another currency).
        right: Money,
    },

    /// The text is not a plain decimal number.
    #[error(
        "{input:?} is not a decimal amount (expected digits, an optional leading '-' and an \
         optional '.' decimal point, e.g. \"-12.34\")"
    )]
    InvalidAmount {
        /// The text as given.
        input: String,
    },
}
