//! Parsing amounts typed by people or read from CSV files. The grammar is deliberately narrow
//! (`-?digits(.digits)?`): exponents, thousands separators and decimal commas are ambiguous in
//! money ("1,234" is 1234 in one locale and 1.234 in another), so they are refused, not guessed.

use super::{Money, MoneyError};
use crate::currency::Currency;

/// Parses a major-unit amount such as `"12.34"` or `"-0.5"` into exact [`Money`].
///
/// Surrounding whitespace is ignored. Refuses anything that is not `-?[0-9]+(\.[0-9]+)?`
/// (`"1e3"`, `"12,34"`, `"+5"`, `".5"`, `""`) with [`MoneyError::InvalidAmount`], more significant
/// decimal places than the currency has with [`MoneyError::PrecisionLoss`], and values beyond
/// `i64` minor units with [`MoneyError::Overflow`].
pub fn parse_decimal_amount(input: &str, currency: Currency) -> Result<Money, MoneyError> {
    let text = input.trim();
    let invalid = || MoneyError::InvalidAmount {
        input: input.to_owned(),
    };

    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (int_part, frac_part) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    if !is_digits(int_part) || !is_digits(frac_part) {
        return Err(invalid());
    }

    let exponent = currency.exponent()?;
    let significant_frac = frac_part.trim_end_matches('0');
    let frac_digits = u32::try_from(significant_frac.len()).unwrap_or(u32::MAX);
    if frac_digits > exponent {
        return Err(MoneyError::PrecisionLoss {
            amount: text.to_owned(),
            currency,
            exponent,
        });
    }

    // Accumulate integer digits, significant fraction digits, then zeros up to the exponent.
    let overflow = || MoneyError::Overflow {
        amount: text.to_owned(),
        currency,
    };
    let padding = std::iter::repeat_n(b'0', usize::try_from(exponent - frac_digits).unwrap_or(0));
    let mut minor: i128 = 0;
    for digit in int_part.bytes().chain(significant_frac.bytes()).chain(padding) {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(digit - b'0')))
            .ok_or_else(overflow)?;
    }
    if negative {
        minor = -minor;
    }
    i64::try_from(minor)
        .map(|minor| Money::from_minor(minor, currency))
        .map_err(|_| overflow())
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}
