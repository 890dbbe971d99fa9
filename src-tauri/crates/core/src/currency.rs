//! [`Currency`]: an ISO 4217 currency and its exponent (how many minor-unit digits it has).
//!
//! Exponents come from the `iso_currency` crate's copy of the ISO 4217 table, never from a list
//! typed here, so there is one source of truth (ARCHITECTURE §3.1). Provider-specific exponents,
//! which sometimes differ from ISO, live in [`crate::provider_amounts`].

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::money_error::MoneyError;

/// An ISO 4217 currency. Ordered, displayed and serialized by its alphabetic code (`"USD"`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// United States dollar (exponent 2).
    pub const USD: Self = Self(iso_currency::Currency::USD);
    /// Euro (exponent 2).
    pub const EUR: Self = Self(iso_currency::Currency::EUR);
    /// Pound sterling (exponent 2).
    pub const GBP: Self = Self(iso_currency::Currency::GBP);
    /// Japanese yen (exponent 0).
    pub const JPY: Self = Self(iso_currency::Currency::JPY);
    /// Kuwaiti dinar (exponent 3).
    pub const KWD: Self = Self(iso_currency::Currency::KWD);

    /// Parses an alphabetic ISO 4217 code. Case-insensitive (Stripe sends `"usd"`) and trims
    /// surrounding whitespace (CSV cells often carry some).
    pub fn from_code(code: &str) -> Result<Self, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        iso_currency::Currency::from_code(&upper)
            .map(Self)
            .ok_or_else(|| MoneyError::UnknownCurrency {
                code: code.to_owned(),
            })
    }

    /// The upper-case alphabetic code, e.g. `"USD"`.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// The number of minor-unit digits per ISO 4217 (JPY 0, USD 2, KWD 3, CLF 4).
    ///
    /// Fails with [`MoneyError::NoMinorUnit`] for currencies ISO gives no minor unit (precious
    /// metals such as XAU, XDR, the test code XTS, XXX): there is no exact way to write a
    /// fraction of them, so callers must not guess one.
    pub fn exponent(&self) -> Result<u32, MoneyError> {
        self.0
            .exponent()
            .map(u32::from)
            .ok_or(MoneyError::NoMinorUnit { currency: *self })
    }

    /// The underlying `iso_currency` value, for names, symbols and numeric codes.
    pub const fn iso(&self) -> iso_currency::Currency {
        self.0
    }

    /// Every currency in the ISO table, in numeric-code order (includes funds, superseded codes
    /// and currencies without a minor unit).
    pub fn all() -> impl Iterator<Item = Self> {
        // iso_currency only offers an iterator behind an extra feature; numeric codes are unique
        // and lie in 1..=999, so walking them enumerates the table without another dependency.
        (1..=999u16)
            .filter_map(iso_currency::Currency::from_numeric)
            .map(Self)
    }
}

impl From<iso_currency::Currency> for Currency {
    fn from(value: iso_currency::Currency) -> Self {
        Self(value)
    }
}

impl PartialOrd for Currency {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Currency {
    // By code, not by iso_currency's enum order, so sorting is stable across crate upgrades.
    fn cmp(&self, other: &Self) -> Ordering {
        self.code().cmp(other.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_code(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::from_code(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exponent_of(code: &str) -> Result<u32, MoneyError> {
        Currency::from_code(code).and_then(|c| c.exponent())
    }

    #[test]
    fn exponents_come_from_iso_4217() {
        assert_eq!(exponent_of("JPY"), Ok(0));
        assert_eq!(exponent_of("USD"), Ok(2));
        assert_eq!(exponent_of("KWD"), Ok(3));
        assert_eq!(exponent_of("BHD"), Ok(3));
        assert_eq!(exponent_of("CLF"), Ok(4));
    }

    #[test]
    fn currencies_without_a_minor_unit_refuse_an_exponent() {
        let xau = Currency::from_code("XAU").unwrap();
        assert_eq!(xau.exponent(), Err(MoneyError::NoMinorUnit { currency: xau }));
        assert!(xau.exponent().unwrap_err().to_string().contains("XAU"));
    }

    #[test]
    fn codes_parse_case_insensitively_and_trimmed() {
        assert_eq!(Currency::from_code("usd"), Ok(Currency::USD));
        assert_eq!(" Eur\t".parse::<Currency>(), Ok(Currency::EUR));
        assert_eq!(
            Currency::from_code("XYZ"),
            Err(MoneyError::UnknownCurrency { code: "XYZ".into() })
        );
        assert!(Currency::from_code("").is_err());
        assert!(Currency::from_code("US").is_err());
    }

    #[test]
    fn display_and_serde_use_the_code() {
        assert_eq!(Currency::JPY.to_string(), "JPY");
        assert_eq!(serde_json::to_string(&Currency::USD).unwrap(), "\"USD\"");
        assert_eq!(
            serde_json::from_str::<Currency>("\"usd\"").unwrap(),
            Currency::USD
        );
        assert!(serde_json::from_str::<Currency>("\"nope\"").is_err());
    }

    #[test]
    fn orders_by_code() {
        let mut v = [Currency::USD, Currency::EUR, Currency::JPY, Currency::GBP];
        v.sort();
        let codes: Vec<_> = v.iter().map(Currency::code).collect();
        assert_eq!(codes, ["EUR", "GBP", "JPY", "USD"]);
    }

    #[test]
    fn all_enumerates_the_table_once() {
        let all: Vec<_> = Currency::all().collect();
        assert!(all.len() > 150);
        let mut codes: Vec<_> = all.iter().map(Currency::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len());
        assert!(all.contains(&Currency::USD));
    }
}
