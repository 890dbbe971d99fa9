//! Stripe's amount rules (`shared/reference/apis.md` §2.7, from stripe.com/docs/currencies).
//!
//! Stripe amounts are integers in "the currency's smallest unit", which is two decimals unless a
//! list below says otherwise. A currency outside every list whose ISO exponent is not 2 (IQD,
//! LYD, CLF, UYW, UYI…) is refused, because Stripe documents no encoding for it.

use super::{AmountRule, ProviderAmountError, from_provider, listed, to_provider};
use crate::currency::Currency;
use crate::money::Money;

/// The provider name used in errors.
pub const PROVIDER: &str = "Stripe";

/// Zero-decimal currencies: the amount is in whole units (`500` JPY is ¥500). apis.md §2.7, from
/// the 2022 web.archive.org copy of stripe.com/docs/currencies. MGA is zero-decimal here although
/// ISO 4217 gives it 2 decimals.
pub const ZERO_DECIMAL: &[&str] = &[
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF",
    "XPF",
];

/// Three-decimal currencies, whose amounts must end in 0 ("round to the nearest ten, e.g. 5.124
/// KWD → 5120 or 5130"). apis.md §2.7, same archived page.
pub const THREE_DECIMAL: &[&str] = &["BHD", "JOD", "KWD", "OMR", "TND"];

/// Currencies Stripe still writes with two decimals but only accepts in whole units (amount
/// divisible by 100): ISK since 2023-04-14, error `invalid_charge_amount_no_decimal_compatible`.
/// apis.md §2.7, from support.stripe.com/questions/deprecation-of-fractional-isk-charges-and-refunds.
/// ISO 4217 gives ISK 0 decimals, so `5` ISK is sent as `500`.
pub const WHOLE_UNITS_AS_TWO_DECIMAL: &[&str] = &["ISK"];

/// Currencies charged with two decimals but paid out only in whole units (payout amount divisible
/// by 100). apis.md §2.7 (Stripe docs text quoted by a third-party mirror).
pub const WHOLE_UNIT_PAYOUTS: &[&str] = &["HUF", "TWD"];

/// The number of decimals Stripe's integer carries for `currency`.
pub fn exponent(currency: Currency) -> Result<u32, ProviderAmountError> {
    if listed(ZERO_DECIMAL, currency) {
        return Ok(0);
    }
    if listed(THREE_DECIMAL, currency) {
        return Ok(3);
    }
    if listed(WHOLE_UNITS_AS_TWO_DECIMAL, currency) {
        return Ok(2);
    }
    match currency.exponent()? {
        2 => Ok(2),
        iso_exponent => Err(ProviderAmountError::UnsupportedCurrency {
            provider: PROVIDER,
            currency,
            iso_exponent,
        }),
    }
}

/// The rule for amounts Stripe is asked to charge, refund or capture.
pub fn charge_rule(currency: Currency) -> Result<AmountRule, ProviderAmountError> {
    let exponent = exponent(currency)?;
    Ok(if listed(THREE_DECIMAL, currency) {
        AmountRule {
            exponent,
            step: 10,
            step_rule: "three-decimal currencies must end in 0",
        }
    } else if listed(WHOLE_UNITS_AS_TWO_DECIMAL, currency) {
        AmountRule {
            exponent,
            step: 100,
            step_rule: "whole units only since 2023-04-14",
        }
    } else {
        AmountRule::exponent(exponent)
    })
}

/// The rule for amounts Stripe is asked to pay out: the charge rule plus whole-unit payouts.
pub fn payout_rule(currency: Currency) -> Result<AmountRule, ProviderAmountError> {
    let rule = charge_rule(currency)?;
    Ok(if listed(WHOLE_UNIT_PAYOUTS, currency) {
        AmountRule {
            step: 100,
            step_rule: "payouts in whole units only",
            ..rule
        }
    } else {
        rule
    })
}

/// `money` as the integer `amount` for a Stripe charge, PaymentIntent, refund or capture.
pub fn to_stripe_amount(money: &Money) -> Result<i64, ProviderAmountError> {
    to_provider(PROVIDER, money, charge_rule(money.currency())?)
}

/// `money` as the integer `amount` for a Stripe payout (HUF and TWD must be whole units).
pub fn to_stripe_payout_amount(money: &Money) -> Result<i64, ProviderAmountError> {
    to_provider(PROVIDER, money, payout_rule(money.currency())?)
}

/// An integer `amount` received from Stripe, as exact [`Money`].
///
/// Step rules are not applied here: they constrain what we send, and amounts Stripe computes
/// (fees, balances) need not follow them.
pub fn from_stripe_amount(amount: i64, currency: Currency) -> Result<Money, ProviderAmountError> {
    from_provider(PROVIDER, amount, currency, exponent(currency)?)
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
        for list in [
            ZERO_DECIMAL,
            THREE_DECIMAL,
            WHOLE_UNITS_AS_TWO_DECIMAL,
            WHOLE_UNIT_PAYOUTS,
        ] {
            for code in list {
                assert!(Currency::from_code(code).is_ok(), "{code}");
            }
        }
    }

    #[test]
    fn lists_match_apis_md_and_do_not_overlap() {
        assert_eq!(ZERO_DECIMAL.len(), 16);
        assert_eq!(THREE_DECIMAL.len(), 5);
        for code in ZERO_DECIMAL {
            assert!(!THREE_DECIMAL.contains(code) && !WHOLE_UNITS_AS_TWO_DECIMAL.contains(code));
        }
    }

    #[test]
    fn where_stripe_and_iso_disagree() {
        // A change in the ISO table (iso_currency upgrade) should make someone re-read Stripe's page.
        let differs: Vec<_> = ZERO_DECIMAL
            .iter()
            .filter(|c| cur(c).exponent() != Ok(0))
            .collect();
        assert_eq!(differs, [&"MGA"]);
        assert!(THREE_DECIMAL.iter().all(|c| cur(c).exponent() == Ok(3)));
        assert_eq!(cur("ISK").exponent(), Ok(0));
    }

    #[test]
    fn documented_examples() {
        // "to charge 10 USD, provide an amount value of 1000"; "to charge ¥500, provide 500".
        assert_eq!(to_stripe_amount(&money(1000, "USD")), Ok(1000));
        assert_eq!(to_stripe_amount(&money(500, "JPY")), Ok(500));
        // "5.124 KWD must be rounded to 5120 or 5130".
        assert_eq!(to_stripe_amount(&money(5120, "KWD")), Ok(5120));
        assert_eq!(to_stripe_amount(&money(5130, "KWD")), Ok(5130));
        let err = to_stripe_amount(&money(5124, "KWD")).unwrap_err();
        assert!(matches!(
            err,
            ProviderAmountError::NotMultiple {
                provider_amount: 5124,
                step: 10,
                ..
            }
        ));
        assert!(err.to_string().contains("5.124 KWD"), "{err}");
        // "to charge 5 ISK, provide an amount value of 500".
        assert_eq!(to_stripe_amount(&money(5, "ISK")), Ok(500));
        assert_eq!(from_stripe_amount(500, cur("ISK")), Ok(money(5, "ISK")));
        assert!(matches!(
            from_stripe_amount(4010, cur("ISK")),
            Err(ProviderAmountError::Unrepresentable {
                provider_amount: 4010,
                ..
            })
        ));
        // HUF: two-decimal charges, whole-unit payouts ("HUF 10.45 → pay out 1000").
        assert_eq!(to_stripe_amount(&money(1045, "HUF")), Ok(1045));
        assert!(matches!(
            to_stripe_payout_amount(&money(1045, "HUF")),
            Err(ProviderAmountError::NotMultiple { step: 100, .. })
        ));
        assert_eq!(to_stripe_payout_amount(&money(1000, "HUF")), Ok(1000));
        assert!(to_stripe_payout_amount(&money(1050, "TWD")).is_err());
        assert_eq!(to_stripe_payout_amount(&money(1050, "USD")), Ok(1050));
    }

    #[test]
    fn mga_is_whole_units_at_stripe() {
        assert_eq!(to_stripe_amount(&money(500, "MGA")), Ok(5));
        assert!(matches!(
            to_stripe_amount(&money(550, "MGA")),
            Err(ProviderAmountError::PrecisionLoss {
                provider_exponent: 0,
                ..
            })
        ));
        assert_eq!(from_stripe_amount(5, cur("MGA")), Ok(money(500, "MGA")));
    }

    #[test]
    fn undocumented_exponents_are_refused() {
        for code in ["IQD", "LYD", "CLF", "UYW", "UYI"] {
            assert!(
                matches!(
                    to_stripe_amount(&money(1000, code)),
                    Err(ProviderAmountError::UnsupportedCurrency { .. })
                ),
                "{code}"
            );
        }
        assert!(matches!(
            from_stripe_amount(1, cur("XAU")),
            Err(ProviderAmountError::Money(_))
        ));
    }

    #[test]
    fn negative_amounts_convert() {
        // Balance transactions and refunds are reported negative; the rules are about magnitude.
        assert_eq!(from_stripe_amount(-1050, Currency::USD), Ok(money(-1050, "USD")));
        assert_eq!(to_stripe_amount(&money(-5130, "KWD")), Ok(-5130));
    }

    fn any_currency() -> impl Strategy<Value = Currency> {
        prop::sample::select(Currency::all().collect::<Vec<_>>())
    }

    fn any_amount() -> impl Strategy<Value = i64> {
        prop_oneof![
            any::<i64>(),
            -100_000i64..100_000,
            (-1_000i64..1_000).prop_map(|n| n * 100)
        ]
    }

    proptest! {
        #[test]
        fn money_round_trips_through_stripe(currency in any_currency(), minor in any_amount()) {
            let money = Money::from_minor(minor, currency);
            for to in [to_stripe_amount, to_stripe_payout_amount] {
                if let Ok(amount) = to(&money) {
                    prop_assert_eq!(from_stripe_amount(amount, currency), Ok(money));
                }
            }
        }

        #[test]
        fn stripe_amounts_round_trip_through_money(currency in any_currency(), amount in any_amount()) {
            if let Ok(money) = from_stripe_amount(amount, currency)
                && let Ok(back) = to_stripe_amount(&money)
            {
                prop_assert_eq!(back, amount);
            }
        }
    }
}
