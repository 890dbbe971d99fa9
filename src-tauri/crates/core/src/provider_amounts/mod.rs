//! Provider-specific amount rules, kept as data (ARCHITECTURE §3.1).
//!
//! Providers send and expect integer amounts "in the smallest unit", but their idea of the
//! smallest unit is not always ISO 4217's: Stripe counts MGA in whole units (ISO: 2 decimals) and
//! ISK in hundredths (ISO: 0 decimals); Checkout.com counts CLP in hundredths (ISO: 0). Each
//! provider module lists its exceptions as `const` slices of currency codes, cites where the list
//! came from, and converts between [`Money`] (ISO minor units) and the provider's integer exactly,
//! refusing anything that would need rounding.

pub mod checkout;
mod error;
pub mod stripe;

pub use error::ProviderAmountError;

use crate::currency::Currency;
use crate::money::Money;

/// How one provider writes amounts of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountRule {
    /// Decimal places the provider's integer carries (0: whole units, 2: hundredths…).
    pub exponent: u32,
    /// The provider's integer must be a multiple of this (1 when unrestricted).
    pub step: i64,
    /// The documented reason for `step`, shown to the operator when an amount breaks it.
    pub step_rule: &'static str,
}

impl AmountRule {
    /// A rule with no step restriction.
    pub const fn exponent(exponent: u32) -> Self {
        Self {
            exponent,
            step: 1,
            step_rule: "",
        }
    }
}

/// Whether `currency` is in a provider's list of codes.
fn listed(list: &[&str], currency: Currency) -> bool {
    list.contains(&currency.code())
}

/// `money` in the provider's integer units under `rule`, exactly.
fn to_provider(provider: &'static str, money: &Money, rule: AmountRule) -> Result<i64, ProviderAmountError> {
    let iso_exponent = money.currency().exponent()?;
    let overflow = || ProviderAmountError::Overflow {
        provider,
        amount: money.to_decimal().to_string(),
        currency: money.currency(),
    };
    let provider_amount = if rule.exponent >= iso_exponent {
        pow10(rule.exponent - iso_exponent)
            .and_then(|f| money.minor().checked_mul(f))
            .ok_or_else(overflow)?
    } else {
        let divisor = pow10(iso_exponent - rule.exponent).ok_or_else(overflow)?;
        if money.minor() % divisor != 0 {
            return Err(ProviderAmountError::PrecisionLoss {
                provider,
                amount: *money,
                provider_exponent: rule.exponent,
            });
        }
        money.minor() / divisor
    };
    if provider_amount % rule.step != 0 {
        return Err(ProviderAmountError::NotMultiple {
            provider,
            amount: *money,
            provider_amount,
            step: rule.step,
            rule: rule.step_rule,
        });
    }
    Ok(provider_amount)
}

/// A provider integer counted with `provider_exponent` decimals, as exact ISO [`Money`].
fn from_provider(
    provider: &'static str,
    provider_amount: i64,
    currency: Currency,
    provider_exponent: u32,
) -> Result<Money, ProviderAmountError> {
    let iso_exponent = currency.exponent()?;
    let overflow = || ProviderAmountError::Overflow {
        provider,
        amount: provider_amount.to_string(),
        currency,
    };
    let minor = if iso_exponent >= provider_exponent {
        pow10(iso_exponent - provider_exponent)
            .and_then(|f| provider_amount.checked_mul(f))
            .ok_or_else(overflow)?
    } else {
        let divisor = pow10(provider_exponent - iso_exponent).ok_or_else(overflow)?;
        if provider_amount % divisor != 0 {
            return Err(ProviderAmountError::Unrepresentable {
                provider,
                provider_amount,
                currency,
                provider_exponent,
                iso_exponent,
            });
        }
        provider_amount / divisor
    };
    Ok(Money::from_minor(minor, currency))
}

fn pow10(exp: u32) -> Option<i64> {
    10i64.checked_pow(exp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescales_exactly_in_both_directions() {
        let usd = Currency::USD;
        let rule = AmountRule::exponent(0);
        assert_eq!(to_provider("P", &Money::from_minor(500, usd), rule), Ok(5));
        assert!(matches!(
            to_provider("P", &Money::from_minor(550, usd), rule),
            Err(ProviderAmountError::PrecisionLoss {
                provider_exponent: 0,
                ..
            })
        ));
        assert_eq!(from_provider("P", 5, usd, 0), Ok(Money::from_minor(500, usd)));
        assert_eq!(
            from_provider("P", 500, Currency::JPY, 2),
            Ok(Money::from_minor(5, Currency::JPY))
        );
        assert!(matches!(
            from_provider("P", 550, Currency::JPY, 2),
            Err(ProviderAmountError::Unrepresentable {
                iso_exponent: 0,
                provider_exponent: 2,
                ..
            })
        ));
    }

    #[test]
    fn overflow_is_an_error() {
        let big = Money::from_minor(i64::MAX / 10, Currency::JPY);
        assert!(matches!(
            to_provider("P", &big, AmountRule::exponent(2)),
            Err(ProviderAmountError::Overflow { .. })
        ));
        assert!(matches!(
            from_provider("P", i64::MIN, Currency::USD, 0),
            Err(ProviderAmountError::Overflow { .. })
        ));
    }
}
