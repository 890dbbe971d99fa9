//! Checkout.com's amount rules (`shared/reference/apis.md` §3.6, from
//! checkout.com/docs/payments/accept-payments/format-the-amount-value, 2025-12-17, and
//! checkout.com/docs/resources/calculating-the-value, 2022).
//!
//! Three cases: the listed "full amount" currencies are whole units, the listed "divide by 1000"
//! currencies are thousandths whose last digit must be 0, and every other currency is divided by
//! 100 — including CLP, whose ISO exponent is 0, so 5 CLP is sent as `500`.

use super::{AmountRule, ProviderAmountError, from_provider, listed, to_provider};
use crate::currency::Currency;
use crate::money::Money;

/// The provider name used in errors.
pub const PROVIDER: &str = "Checkout.com";

/// "Full amount" currencies: the amount is in whole units (`100` JPY is ¥100). apis.md §3.6.
/// ISK is here and CLP is not. Copies from 2022 also listed CLF; the current page does not, so CLF
/// falls under "all others ÷100".
pub const FULL_AMOUNT: &[&str] = &[
    "BIF", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VUV", "VND", "XAF", "XOF", "XPF",
];

/// "Divide by 1000" currencies; the last digit must be 0 (`1001` BHD is invalid). apis.md §3.6
/// names BHD and marks the rest unverified; Checkout.com's own page (format-the-amount-value,
/// 2025 copies, and calculating-the-value, 2022) lists exactly these seven, all of which are
/// three-decimal in ISO 4217.
pub const DIVIDE_BY_1000: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];

/// The largest amount Checkout.com accepts: "not more than nine digits". apis.md §3.6.
pub const MAX_AMOUNT: i64 = 999_999_999;

/// The number of decimals Checkout.com's integer carries for `currency` ("all others ÷100").
pub fn exponent(currency: Currency) -> u32 {
    if listed(FULL_AMOUNT, currency) {
        0
    } else if listed(DIVIDE_BY_1000, currency) {
        3
    } else {
        2
    }
}

/// The rule for amounts sent to Checkout.com.
pub fn rule(currency: Currency) -> AmountRule {
    let exponent = exponent(currency);
    if listed(DIVIDE_BY_1000, currency) {
        AmountRule {
            exponent,
            step: 10,
            step_rule: "divide-by-1000 currencies must end in 0",
        }
    } else {
        AmountRule::exponent(exponent)
    }
}

/// `money` as the integer `amount` for a Checkout.com payment, capture, refund or payout.
///
/// Accepts `0..=MAX_AMOUNT`. The docs say "greater than zero", but the API reference gives `0` a
/// meaning (card verification, extending an authorization), so zero is left to the caller.
pub fn to_checkout_amount(money: &Money) -> Result<i64, ProviderAmountError> {
    let amount = to_provider(PROVIDER, money, rule(money.currency()))?;
    if !(0..=MAX_AMOUNT).contains(&amount) {
        return Err(ProviderAmountError::OutOfRange {
            provider: PROVIDER,
            amount: *money,
            provider_amount: amount,
            min: 0,
            max: MAX_AMOUNT,
        });
    }
    Ok(amount)
}

/// An integer `amount` received from Checkout.com, as exact [`Money`].
///
/// No range or step check: dispute amounts, for one, can be negative.
pub fn from_checkout_amount(amount: i64, currency: Currency) -> Result<Money, ProviderAmountError> {
    from_provider(PROVIDER, amount, currency, exponent(currency))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    fn money(minor: i64, code: &str) -> Money {
        Money::from_minor(minor, cur(code))
    }

    #[test]
    fn every_listed_code_is_an_iso_currency() {
        for code in FULL_AMOUNT.iter().chain(DIVIDE_BY_1000) {
            assert!(Currency::from_code(code).is_ok(), "{code}");
        }
        assert_eq!(FULL_AMOUNT.len(), 15);
        assert!(!FULL_AMOUNT.contains(&"CLP"));
        assert!(FULL_AMOUNT.iter().all(|c| !DIVIDE_BY_1000.contains(c)));
    }

    #[test]
    fn lists_agree_with_iso() {
        assert!(FULL_AMOUNT.iter().all(|c| cur(c).exponent() == Ok(0)));
        assert!(DIVIDE_BY_1000.iter().all(|c| cur(c).exponent() == Ok(3)));
    }

    #[test]
    fn documented_examples() {
        // "amount set to 100 is for 100 Japanese Yen".
        assert_eq!(to_checkout_amount(&money(100, "JPY")), Ok(100));
        // "amount set to 100000 is for 100 Bahraini Dinar".
        assert_eq!(to_checkout_amount(&money(100_000, "BHD")), Ok(100_000));
        assert_eq!(
            from_checkout_amount(100_000, cur("BHD")),
            Ok(money(100_000, "BHD"))
        );
        // "an amount value of 1001 is invalid".
        let err = to_checkout_amount(&money(1001, "BHD")).unwrap_err();
        assert!(matches!(
            err,
            ProviderAmountError::NotMultiple {
                provider_amount: 1001,
                step: 10,
                ..
            }
        ));
        assert!(err.to_string().contains("1.001 BHD"), "{err}");
        // "amount set to 10000 is for 100 US Dollars".
        assert_eq!(to_checkout_amount(&money(10_000, "USD")), Ok(10_000));
        // ISK is whole units here (unlike Stripe).
        assert_eq!(to_checkout_amount(&money(5, "ISK")), Ok(5));
    }

    #[test]
    fn clp_is_divided_by_100() {
        assert_eq!(to_checkout_amount(&money(5, "CLP")), Ok(500));
        assert_eq!(from_checkout_amount(500, cur("CLP")), Ok(money(5, "CLP")));
        assert!(matches!(
            from_checkout_amount(550, cur("CLP")),
            Err(ProviderAmountError::Unrepresentable { .. })
        ));
    }

    #[test]
    fn range_is_enforced_on_the_way_out() {
        assert_eq!(to_checkout_amount(&money(MAX_AMOUNT, "USD")), Ok(MAX_AMOUNT));
        assert_eq!(to_checkout_amount(&money(0, "USD")), Ok(0));
        for minor in [MAX_AMOUNT + 1, -1] {
            assert!(matches!(
                to_checkout_amount(&money(minor, "USD")),
                Err(ProviderAmountError::OutOfRange { max: MAX_AMOUNT, .. })
            ));
        }
        // 10 million CLP is 1_000_000_000 in Checkout's units: ten digits.
        assert!(to_checkout_amount(&money(10_000_000, "CLP")).is_err());
        assert_eq!(from_checkout_amount(-999, Currency::USD), Ok(money(-999, "USD")));
    }

    #[test]
    fn finer_than_checkout_is_refused() {
        // CLF has 4 ISO decimals; Checkout divides it by 100.
        assert!(matches!(
            to_checkout_amount(&money(12_345, "CLF")),
            Err(ProviderAmountError::PrecisionLoss {
                provider_exponent: 2,
                ..
            })
        ));
        assert_eq!(to_checkout_amount(&money(12_300, "CLF")), Ok(123));
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(Currency::all().collect::<Vec<_>>())
    }

    fn any_amount() -> impl Strategy<Value = i64> {
        prop_oneof![
            any::<i64>(),
            -1_000i64..2_000_000_000,
            (0i64..100_000).prop_map(|n| n * 100)
        ]
    }

    proptest! {
        #[test]
        fn money_round_trips_through_checkout(currency in any_currency(), minor in any_amount()) {
            let money = Money::from_minor(minor, currency);
            if let Ok(amount) = to_checkout_amount(&money) {
                prop_assert!((0..=MAX_AMOUNT).contains(&amount));
                prop_assert_eq!(from_checkout_amount(amount, currency), Ok(money));
            }
        }

        #[test]
        fn checkout_amounts_round_trip_through_money(currency in any_currency(), amount in any_amount()) {
            if let Ok(money) = from_checkout_amount(amount, currency)
                && let Ok(back) = to_checkout_amount(&money)
            {
                prop_assert_eq!(back, amount);
            }
        }
    }
}
