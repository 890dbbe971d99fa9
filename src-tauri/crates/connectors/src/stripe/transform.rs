//! Pure conversions from Stripe's wire shapes to domain records; every failure names the object
//! and the field, so the record can be parked with its payload rather than lost.

use chrono::{DateTime, Utc};
use paysync_core::provider_amounts::stripe::from_stripe_amount;
use paysync_core::{Currency, Money};

use super::wire::Charge;

/// A charge as Paysync stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRecord {
    /// `ch_…`.
    pub id: String,
    /// The amount in ISO minor units.
    pub amount: Money,
    /// Stripe's status.
    pub status: String,
    /// When it was created.
    pub created: DateTime<Utc>,
    /// The customer id.
    pub customer: Option<String>,
}

/// Why a charge could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Stripe charge {id}: field {field}: {message}")]
pub struct TransformError {
    /// The charge.
    pub id: String,
    /// The field.
    pub field: &'static str,
    /// What is wrong with it.
    pub message: String,
}

impl TryFrom<&Charge> for ChargeRecord {
    type Error = TransformError;

    fn try_from(c: &Charge) -> Result<Self, Self::Error> {
        let fail = |field, message: String| TransformError {
            id: c.id.clone(),
            field,
            message,
        };
        let currency: Currency = c
            .currency
            .to_uppercase()
            .parse()
            .map_err(|e| fail("currency", format!("{:?}: {e}", c.currency)))?;
        let amount = from_stripe_amount(c.amount, currency).map_err(|e| fail("amount", e.to_string()))?;
        let created = DateTime::<Utc>::from_timestamp(c.created, 0)
            .ok_or_else(|| fail("created", format!("{} is not a time", c.created)))?;
        Ok(Self {
            id: c.id.clone(),
            amount,
            status: c.status.clone(),
            created,
            customer: c.customer.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(amount: i64, currency: &str) -> Charge {
        Charge {
            id: "ch_1".into(),
            amount,
            currency: currency.into(),
            status: "succeeded".into(),
            created: 1_700_000_000,
            customer: Some("cus_1".into()),
        }
    }

    #[test]
    fn amounts_convert_with_stripes_currency_rules() {
        let eur = ChargeRecord::try_from(&charge(1050, "eur")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(eur.amount.to_string(), "10.50 EUR");
        // ISK: Stripe counts two decimals, ISO none.
        let isk = ChargeRecord::try_from(&charge(50_000, "isk")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(isk.amount.to_string(), "500 ISK");
        let jpy = ChargeRecord::try_from(&charge(500, "jpy")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(jpy.amount.minor(), 500);
    }

    #[test]
    fn bad_fields_are_named() {
        let err = ChargeRecord::try_from(&charge(100, "zzz")).err();
        assert_eq!(err.map(|e| e.field), Some("currency"));
        let mut c = charge(100, "eur");
        c.created = i64::MAX;
        let err = ChargeRecord::try_from(&c)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("ch_1") && err.contains("created"), "{err}");
    }
}
