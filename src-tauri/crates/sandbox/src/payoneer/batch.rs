//! Validation of a `POST …/masspayouts` batch: every item is checked (so the 400 names every bad
//! item), nothing is created here.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use paysync_core::Currency;
use rust_decimal::Decimal;
use serde_json::Value;

use super::settle::convert;
use super::state::{PayeeStatus, Program, State};
use super::wire::{ItemError, parse_amount};

/// One payment of a batch after validation.
pub(crate) struct Valid {
    pub reference: String,
    pub payee_id: String,
    pub amount: Decimal,
    pub currency: String,
    pub description: String,
    pub group_id: Option<String>,
    pub payout_date: Option<DateTime<Utc>>,
    pub target: Option<(Decimal, String)>,
}

fn parse_payout_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc())
        })
}

fn text_field(item: &Value, key: &str) -> Option<String> {
    item.get(key)
        .and_then(Value::as_str)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// The outcome of validating a batch.
pub(crate) struct Checked {
    /// Items that passed, in order (all of them when `errors` is empty).
    pub valid: Vec<Valid>,
    /// Every problem found.
    pub errors: Vec<ItemError>,
    /// How many items reused a `client_reference_id` accepted earlier.
    pub known_duplicates: u64,
}

/// Checks every item of a batch against `program` (payees, balances' currencies, existing
/// references) and `state` (FX rates).
pub(crate) fn validate(state: &State, program: &Program, items: &[Value]) -> Checked {
    let mut errors = Vec::new();
    let mut known_duplicates = 0u64;
    let mut seen = BTreeSet::new();
    let mut valid = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |field: &str| format!("Payments[{i}].{field}");
        let before = errors.len();
        let reference = text_field(item, "client_reference_id");
        match &reference {
            None => errors.push(ItemError::new(
                "missing_field",
                at("client_reference_id"),
                "",
                "client_reference_id is required".into(),
            )),
            Some(r) if program.payouts.contains_key(r) => {
                known_duplicates += 1;
                errors.push(ItemError::new(
                    "client_reference_id_already_exists",
                    at("client_reference_id"),
                    r.clone(),
                    format!("A payout with client_reference_id {r} already exists"),
                ));
            }
            Some(r) if !seen.insert(r.clone()) => errors.push(ItemError::new(
                "duplicate_client_reference_id",
                at("client_reference_id"),
                r.clone(),
                format!("client_reference_id {r} appears more than once in the batch"),
            )),
            Some(_) => {}
        }
        let currency = text_field(item, "currency").map(|c| c.to_ascii_uppercase());
        let exponent = currency
            .as_deref()
            .and_then(|c| Currency::from_code(c).ok())
            .and_then(|c| c.exponent().ok());
        match (&currency, exponent) {
            (None, _) => errors.push(ItemError::new(
                "missing_field",
                at("currency"),
                "",
                "currency is required".into(),
            )),
            (Some(c), None) => errors.push(ItemError::new(
                "invalid_currency",
                at("currency"),
                c.clone(),
                format!("{c} is not a valid currency"),
            )),
            (Some(c), Some(_)) if !program.balances.contains_key(c) => errors.push(ItemError::new(
                "currency_not_supported",
                at("currency"),
                c.clone(),
                format!("The program has no {c} account"),
            )),
            _ => {}
        }
        let amount = item.get("amount").and_then(parse_amount);
        match (amount, exponent) {
            (None, _) => errors.push(ItemError::new(
                "invalid_amount",
                at("amount"),
                item.get("amount").map(Value::to_string).unwrap_or_default(),
                "amount must be a decimal number".into(),
            )),
            (Some(a), _) if a <= Decimal::ZERO => errors.push(ItemError::new(
                "invalid_amount",
                at("amount"),
                a.to_string(),
                "amount must be greater than zero".into(),
            )),
            (Some(a), Some(e)) if a.normalize().scale() > e => errors.push(ItemError::new(
                "invalid_amount",
                at("amount"),
                a.to_string(),
                format!("amount has more than {e} decimal places"),
            )),
            _ => {}
        }
        let description = text_field(item, "description");
        if description.is_none() {
            errors.push(ItemError::new(
                "missing_field",
                at("description"),
                "",
                "description is required".into(),
            ));
        }
        let payout_date = match item.get("payout_date").and_then(Value::as_str) {
            None => None,
            Some(text) => {
                let parsed = parse_payout_date(text);
                if parsed.is_none() {
                    errors.push(ItemError::new(
                        "invalid_payout_date",
                        at("payout_date"),
                        text,
                        "payout_date must be YYYY-MM-DD or RFC 3339".into(),
                    ));
                }
                parsed
            }
        };
        let payee_id = text_field(item, "payee_id");
        let payee = payee_id.as_ref().and_then(|p| program.payees.get(p));
        match (&payee_id, payee) {
            (None, _) => errors.push(ItemError::new(
                "missing_field",
                at("payee_id"),
                "",
                "payee_id is required".into(),
            )),
            (Some(p), None) => errors.push(ItemError::new(
                "payee_not_found",
                at("payee_id"),
                p.clone(),
                format!("Payee {p} does not exist"),
            )),
            (Some(p), Some(payee)) if payee.status != PayeeStatus::Active => errors.push(ItemError::new(
                "payee_not_active",
                at("payee_id"),
                p.clone(),
                format!("Payee {p} is {}", payee.status.description()),
            )),
            _ => {}
        }
        let mut target = None;
        if let (Some(payee), Some(c)) = (payee, &currency)
            && payee.payout_currency != *c
        {
            match state.fx_rate(c, &payee.payout_currency) {
                Some(rate) => {
                    target = amount.map(|a| {
                        (
                            convert(a, rate, &payee.payout_currency),
                            payee.payout_currency.clone(),
                        )
                    });
                }
                None => errors.push(ItemError::new(
                    "currency_conversion_unavailable",
                    at("currency"),
                    c.clone(),
                    format!("No conversion from {c} to {}", payee.payout_currency),
                )),
            }
        }
        if errors.len() == before
            && let (Some(reference), Some(payee_id), Some(amount), Some(currency), Some(description)) =
                (reference, payee_id, amount, currency, description)
        {
            valid.push(Valid {
                reference,
                payee_id,
                amount,
                currency,
                description,
                group_id: text_field(item, "group_id"),
                payout_date,
                target,
            });
        }
    }
    Checked {
        valid,
        errors,
        known_duplicates,
    }
}
