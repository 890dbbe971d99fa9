use std::str::FromStr;

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;

const USD: Currency = Currency::USD;
const JPY: Currency = Currency::JPY;
const KWD: Currency = Currency::KWD;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn usd(minor: i64) -> Money {
    Money::from_minor(minor, USD)
}

#[test]
fn from_decimal_is_exact() {
    assert_eq!(Money::from_decimal(dec("1.50"), USD), Ok(usd(150)));
    assert_eq!(Money::from_decimal(dec("1.5000"), USD), Ok(usd(150)));
    assert_eq!(Money::from_decimal(dec("-0.01"), USD), Ok(usd(-1)));
    assert_eq!(
        Money::from_decimal(dec("500"), JPY),
        Ok(Money::from_minor(500, JPY))
    );
    assert_eq!(
        Money::from_decimal(dec("5.125"), KWD),
        Ok(Money::from_minor(5125, KWD))
    );
}

#[test]
fn from_decimal_refuses_to_round() {
    let err = Money::from_decimal(dec("1.005"), USD).unwrap_err();
    assert_eq!(
        err,
        MoneyError::PrecisionLoss {
            amount: "1.005".into(),
            currency: USD,
            exponent: 2
        }
    );
    assert_eq!(
        err.to_string(),
        "1.005 USD has more decimal places than USD allows (2); refusing to round it"
    );
    assert!(matches!(
        Money::from_decimal(dec("0.5"), JPY),
        Err(MoneyError::PrecisionLoss { exponent: 0, .. })
    ));
}

#[test]
fn from_decimal_refuses_overflow_and_missing_minor_units() {
    let too_big = dec("92233720368547758.08"); // i64::MAX + 1 cents
    assert!(matches!(
        Money::from_decimal(too_big, USD),
        Err(MoneyError::Overflow { .. })
    ));
    assert_eq!(
        Money::from_decimal(dec("92233720368547758.07"), USD),
        Ok(usd(i64::MAX))
    );
    assert_eq!(
        Money::from_decimal(dec("-92233720368547758.08"), USD),
        Ok(usd(i64::MIN))
    );
    let xau = Currency::from_code("XAU").unwrap();
    assert_eq!(
        Money::from_decimal(dec("1"), xau),
        Err(MoneyError::NoMinorUnit { currency: xau })
    );
}

#[test]
fn to_decimal_and_display_use_the_exact_exponent() {
    assert_eq!(usd(123450).to_decimal().to_string(), "1234.50");
    assert_eq!(usd(123450).to_string(), "1234.50 USD");
    assert_eq!(usd(-5).to_string(), "-0.05 USD");
    assert_eq!(Money::zero(USD).to_string(), "0.00 USD");
    assert_eq!(Money::from_minor(500, JPY).to_string(), "500 JPY");
    assert_eq!(Money::from_minor(5120, KWD).to_string(), "5.120 KWD");
}

#[test]
fn serializes_as_minor_and_code() {
    let json = serde_json::to_string(&usd(123450)).unwrap();
    assert_eq!(json, r#"{"minor":123450,"currency":"USD"}"#);
    assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), usd(123450));
    assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"ZZZ"}"#).is_err());
    assert!(serde_json::from_str::<Money>(r#"{"minor":1.5,"currency":"USD"}"#).is_err());
}

#[test]
fn arithmetic_is_checked() {
    assert_eq!(usd(150).checked_add(usd(50)), Ok(usd(200)));
    assert_eq!(usd(150).checked_sub(usd(200)), Ok(usd(-50)));
    assert_eq!(usd(7).checked_neg(), Ok(usd(-7)));
    assert!(matches!(
        usd(i64::MAX).checked_add(usd(1)),
        Err(MoneyError::Overflow { .. })
    ));
    assert!(matches!(
        usd(i64::MIN).checked_sub(usd(1)),
        Err(MoneyError::Overflow { .. })
    ));
    assert!(matches!(
        usd(i64::MIN).checked_neg(),
        Err(MoneyError::Overflow { .. })
    ));
    let eur = Money::from_minor(1, Currency::EUR);
    let err = usd(1000).checked_add(eur).unwrap_err();
    assert_eq!(
        err,
        MoneyError::CurrencyMismatch {
            left: usd(1000),
            right: eur
        }
    );
    assert_eq!(
        err.to_string(),
        "cannot combine 10.00 USD with 0.01 EUR: the currencies differ"
    );
}

#[test]
fn predicates() {
    assert!(Money::zero(USD).is_zero());
    assert!(usd(-1).is_negative() && !usd(-1).is_positive());
    assert!(usd(1).is_positive() && !usd(1).is_zero());
}

#[test]
fn checked_sum_totals_one_currency() {
    assert_eq!(Money::checked_sum(Vec::<Money>::new(), USD), Ok(usd(0)));
    assert_eq!(Money::checked_sum([usd(1), usd(2), usd(-4)], USD), Ok(usd(-1)));
    assert_eq!(Money::checked_sum([usd(1), usd(2)].iter(), USD), Ok(usd(3)));
    // Intermediate totals beyond i64 are fine when the final total fits.
    assert_eq!(
        Money::checked_sum([usd(i64::MAX), usd(1), usd(-1)], USD),
        Ok(usd(i64::MAX))
    );
    assert!(matches!(
        Money::checked_sum([usd(i64::MAX), usd(1)], USD),
        Err(MoneyError::Overflow { .. })
    ));
    let jpy = Money::from_minor(5, JPY);
    assert_eq!(
        Money::checked_sum([usd(1), jpy], USD),
        Err(MoneyError::CurrencyMismatch {
            left: usd(1),
            right: jpy
        })
    );
}

#[test]
fn parses_plain_decimals() {
    assert_eq!(parse_decimal_amount("12.34", USD), Ok(usd(1234)));
    assert_eq!(parse_decimal_amount("-0.5", USD), Ok(usd(-50)));
    assert_eq!(parse_decimal_amount(" 7 ", USD), Ok(usd(700)));
    assert_eq!(parse_decimal_amount("1.50000", USD), Ok(usd(150)));
    assert_eq!(parse_decimal_amount("007.10", USD), Ok(usd(710)));
    assert_eq!(parse_decimal_amount("500", JPY), Ok(Money::from_minor(500, JPY)));
    assert_eq!(
        parse_decimal_amount("5.12", KWD),
        Ok(Money::from_minor(5120, KWD))
    );
    assert_eq!(
        parse_decimal_amount("-92233720368547758.08", USD),
        Ok(usd(i64::MIN))
    );
}

#[test]
fn rejects_ambiguous_or_malformed_text() {
    for input in [
        "", " ", "1e3", "12,34", "1,234.00", "+5", ".5", "5.", "-", "--1", "1.2.3", "$5", "５", "NaN",
    ] {
        assert_eq!(
            parse_decimal_amount(input, USD),
            Err(MoneyError::InvalidAmount {
                input: input.to_owned()
            }),
            "{input:?}"
        );
    }
}

#[test]
fn parse_refuses_rounding_and_overflow() {
    assert_eq!(
        parse_decimal_amount("1.005", USD),
        Err(MoneyError::PrecisionLoss {
            amount: "1.005".into(),
            currency: USD,
            exponent: 2
        })
    );
    assert!(matches!(
        parse_decimal_amount("1.5", JPY),
        Err(MoneyError::PrecisionLoss { .. })
    ));
    assert!(matches!(
        parse_decimal_amount("92233720368547758.08", USD),
        Err(MoneyError::Overflow { .. })
    ));
    assert!(matches!(
        parse_decimal_amount(&"9".repeat(60), USD),
        Err(MoneyError::Overflow { .. })
    ));
    let xau = Currency::from_code("XAU").unwrap();
    assert_eq!(
        parse_decimal_amount("1", xau),
        Err(MoneyError::NoMinorUnit { currency: xau })
    );
}

fn currencies_with_exponent() -> Vec<(Currency, u32)> {
    Currency::all()
        .filter_map(|c| c.exponent().ok().map(|e| (c, e)))
        .collect()
}

fn any_currency() -> impl Strategy<Value = (Currency, u32)> {
    prop::sample::select(currencies_with_exponent())
}

proptest! {
    #[test]
    fn minor_to_decimal_round_trips((currency, _) in any_currency(), minor in any::<i64>()) {
        let money = Money::from_minor(minor, currency);
        prop_assert_eq!(Money::from_decimal(money.to_decimal(), currency), Ok(money));
        prop_assert_eq!(parse_decimal_amount(&money.to_decimal().to_string(), currency), Ok(money));
    }

    #[test]
    fn decimal_to_money_round_trips(
        (currency, exponent) in any_currency(),
        mantissa in -10i64.pow(14)..10i64.pow(14),
        extra_zeros in 0u32..4,
    ) {
        // A value with at most `exponent` significant decimals, written with trailing zeros
        // (|mantissa| < 10^14 and at most 3 extra zeros keep the written form inside i64).
        let scale_cut = mantissa.unsigned_abs() % u64::from(exponent + 1);
        let value = Decimal::new(mantissa, u32::try_from(scale_cut).unwrap_or(0));
        let written = Decimal::new(mantissa * 10i64.pow(extra_zeros), value.scale() + extra_zeros);
        let money = Money::from_decimal(written, currency).unwrap();
        prop_assert_eq!(money.to_decimal(), value);
        prop_assert_eq!(money.to_decimal().scale(), exponent);
    }

    #[test]
    fn from_decimal_rejects_exactly_the_over_precise(
        (currency, exponent) in any_currency(),
        mantissa in -10i64.pow(14)..10i64.pow(14),
        scale in 0u32..10,
    ) {
        let value = Decimal::new(mantissa, scale);
        let significant_decimals = value.normalize().scale();
        let result = Money::from_decimal(value, currency);
        if significant_decimals > exponent {
            let is_precision_loss = matches!(result, Err(MoneyError::PrecisionLoss { .. }));
            prop_assert!(is_precision_loss);
        } else {
            prop_assert_eq!(result.map(|m| m.to_decimal()), Ok(value));
        }
        let text_result = parse_decimal_amount(&value.to_string(), currency);
        prop_assert_eq!(text_result.is_ok(), significant_decimals <= exponent);
    }

    #[test]
    fn checked_sum_never_overflows_silently(
        items in prop::collection::vec(
            prop_oneof![any::<i64>(), -1_000_000i64..1_000_000, Just(i64::MAX), Just(i64::MIN)],
            0..12,
        ),
    ) {
        let exact: i128 = items.iter().map(|&m| i128::from(m)).sum();
        let result = Money::checked_sum(items.iter().map(|&m| usd(m)), USD);
        match i64::try_from(exact) {
            Ok(total) => prop_assert_eq!(result, Ok(usd(total))),
            Err(_) => {
                let is_overflow = matches!(result, Err(MoneyError::Overflow { .. }));
                prop_assert!(is_overflow);
            }
        }
    }

    #[test]
    fn add_commutes_and_sub_inverts(a in any::<i64>(), b in any::<i64>()) {
        let (a, b) = (usd(a), usd(b));
        prop_assert_eq!(a.checked_add(b).ok(), b.checked_add(a).ok());
        let exact = i128::from(a.minor()) + i128::from(b.minor());
        prop_assert_eq!(a.checked_add(b).is_ok(), i64::try_from(exact).is_ok());
        if let Ok(sum) = a.checked_add(b) {
            prop_assert_eq!(sum.checked_sub(b), Ok(a));
            prop_assert_eq!(sum.checked_sub(a), Ok(b));
        }
        prop_assert_eq!(a.checked_sub(a), Ok(Money::zero(USD)));
        if let Ok(neg) = b.checked_neg() {
            prop_assert_eq!(a.checked_sub(b).ok(), a.checked_add(neg).ok());
        }
    }

    #[test]
    fn serde_round_trips((currency, _) in any_currency(), minor in any::<i64>()) {
        let money = Money::from_minor(minor, currency);
        let json = serde_json::to_string(&money).unwrap();
        prop_assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money);
    }
}
