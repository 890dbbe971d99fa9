//! [`Money`]: an exact amount in one currency, held as an `i64` count of the currency's ISO 4217
//! minor units (ARCHITECTURE §3.1). There is no `f64` anywhere on this path; arithmetic is
//! checked, and nothing rounds: an amount that cannot be held exactly is an error.

mod parse;
#[cfg(test)]
mod tests;

use std::borrow::Borrow;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::currency::Currency;
pub use crate::money_error::MoneyError;
pub use parse::parse_decimal_amount;

/// An exact amount of money: `minor` units of `currency` (cents for USD, yen for JPY, fils for
/// KWD). Serializes as `{"minor": 123450, "currency": "USD"}`; displays as `1234.50 USD`.
///
/// Deliberately not `Ord`: amounts in different currencies have no order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Money {
    minor: i64,
    currency: Currency,
}

impl Money {
    /// `minor` units of `currency`, e.g. `Money::from_minor(1050, USD)` is 10.50 USD.
    ///
    /// For a currency without an ISO minor unit (XAU…), `minor` counts whole units.
    pub const fn from_minor(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero in `currency`.
    pub const fn zero(currency: Currency) -> Self {
        Self::from_minor(0, currency)
    }

    /// The amount in minor units.
    pub const fn minor(&self) -> i64 {
        self.minor
    }

    /// The currency.
    pub const fn currency(&self) -> Currency {
        self.currency
    }

    /// The exact amount for a major-unit decimal (`1.50` USD → 150 cents).
    ///
    /// Trailing zeros are fine (`1.500` USD is 150), but more significant decimal places than the
    /// currency has are refused with [`MoneyError::PrecisionLoss`] (`1.005` USD), values beyond
    /// `i64` minor units with [`MoneyError::Overflow`], and currencies without a minor unit with
    /// [`MoneyError::NoMinorUnit`].
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        let exponent = currency.exponent()?;
        let normalized = amount.normalize();
        let scale = normalized.scale();
        if scale > exponent {
            return Err(MoneyError::PrecisionLoss {
                amount: amount.to_string(),
                currency,
                exponent,
            });
        }
        // Decimal's mantissa has at most 96 bits and the factor is at most 10^4 (ISO exponents),
        // so the i128 product cannot overflow; only the narrowing to i64 can fail.
        let minor = 10i128
            .checked_pow(exponent - scale)
            .and_then(|factor| normalized.mantissa().checked_mul(factor))
            .and_then(|minor| i64::try_from(minor).ok())
            .ok_or_else(|| MoneyError::Overflow {
                amount: amount.to_string(),
                currency,
            })?;
        Ok(Self::from_minor(minor, currency))
    }

    /// The amount in major units with exactly the currency's exponent as its scale
    /// (`1234.50` for 123450 USD cents, `500` for 500 JPY).
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.minor, scale_of(self.currency))
    }

    /// `self + rhs`, refusing different currencies and overflow.
    pub fn checked_add(self, rhs: Self) -> Result<Self, MoneyError> {
        self.same_currency(rhs)?;
        self.minor
            .checked_add(rhs.minor)
            .map(|minor| Self::from_minor(minor, self.currency))
            .ok_or_else(|| self.overflow_of(format!("{} + {}", self.to_decimal(), rhs.to_decimal())))
    }

    /// `self - rhs`, refusing different currencies and overflow.
    pub fn checked_sub(self, rhs: Self) -> Result<Self, MoneyError> {
        self.same_currency(rhs)?;
        self.minor
            .checked_sub(rhs.minor)
            .map(|minor| Self::from_minor(minor, self.currency))
            .ok_or_else(|| self.overflow_of(format!("{} - {}", self.to_decimal(), rhs.to_decimal())))
    }

    /// `-self`; only `i64::MIN` minor units overflows.
    pub fn checked_neg(self) -> Result<Self, MoneyError> {
        self.minor
            .checked_neg()
            .map(|minor| Self::from_minor(minor, self.currency))
            .ok_or_else(|| self.overflow_of(format!("-({})", self.to_decimal())))
    }

    /// The total of `items`, all of which must be in `currency` (an empty list sums to zero).
    ///
    /// The running total is kept in `i128`, so the result depends only on the true total, not on
    /// the order of the items: it is an error only if that total does not fit in `i64`.
    pub fn checked_sum<I>(items: I, currency: Currency) -> Result<Self, MoneyError>
    where
        I: IntoIterator,
        I::Item: Borrow<Self>,
    {
        let mut total: i128 = 0;
        for item in items {
            let item = *item.borrow();
            if item.currency != currency {
                let left = i64::try_from(total)
                    .map(|minor| Self::from_minor(minor, currency))
                    .map_err(|_| Self::sum_overflow(total, currency))?;
                return Err(MoneyError::CurrencyMismatch { left, right: item });
            }
            // Cannot overflow: it would take more than 2^64 items of i64::MAX.
            total += i128::from(item.minor);
        }
        i64::try_from(total)
            .map(|minor| Self::from_minor(minor, currency))
            .map_err(|_| Self::sum_overflow(total, currency))
    }

    /// Whether the amount is zero.
    pub const fn is_zero(&self) -> bool {
        self.minor == 0
    }

    /// Whether the amount is below zero.
    pub const fn is_negative(&self) -> bool {
        self.minor < 0
    }

    /// Whether the amount is above zero.
    pub const fn is_positive(&self) -> bool {
        self.minor > 0
    }

    fn same_currency(self, rhs: Self) -> Result<(), MoneyError> {
        if self.currency == rhs.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self,
                right: rhs,
            })
        }
    }

    fn overflow_of(self, amount: String) -> MoneyError {
        MoneyError::Overflow {
            amount,
            currency: self.currency,
        }
    }

    fn sum_overflow(total: i128, currency: Currency) -> MoneyError {
        let amount = Decimal::try_from_i128_with_scale(total, scale_of(currency))
            .map_or_else(|_| format!("{total} minor units"), |d| format!("sum {d}"));
        MoneyError::Overflow { amount, currency }
    }
}

/// The decimal scale used to show `minor` units of `currency`: its ISO exponent, or 0 (whole
/// units) for currencies without a minor unit, whose `minor` counts whole units.
fn scale_of(currency: Currency) -> u32 {
    currency.exponent().unwrap_or(0)
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.to_decimal(), self.currency)
    }
}
