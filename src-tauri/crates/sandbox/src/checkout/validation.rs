//! Validation of `POST /payments` bodies: every error code is collected, as Checkout.com
//! returns them all at once in `error_codes`.

use chrono::{DateTime, Datelike, Utc};
use paysync_core::Currency;
use paysync_core::provider_amounts::checkout as cko_amounts;
use serde_json::{Map, Value};

use super::cards;

/// Whether `amount` is a valid Checkout.com amount for `currency` (apis.md §3.6): an integer in
/// `0..=999_999_999`, and a multiple of 10 for the "divide by 1000" currencies.
pub(crate) fn amount_valid(amount: i64, currency: Currency) -> bool {
    (0..=cko_amounts::MAX_AMOUNT).contains(&amount) && amount % cko_amounts::rule(currency).step == 0
}

/// An ISO 4217 code Checkout.com can process.
pub(crate) fn parse_currency(code: &str) -> Option<Currency> {
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))
        .then(|| Currency::from_code(code).ok())
        .flatten()
        .filter(|c| c.exponent().is_ok())
}

/// The card part of a validated request.
pub(crate) enum SourceSpec {
    Card {
        number: String,
        expiry_month: u32,
        expiry_year: i32,
        name: Option<String>,
    },
    Token,
    Id(String),
}

/// A validated `PaymentRequest`.
pub(crate) struct Request {
    pub source: SourceSpec,
    pub amount: i64,
    pub currency: String,
    pub reference: Option<String>,
    pub description: Option<String>,
    pub payment_type: String,
    pub capture: bool,
    pub customer: Option<(Option<String>, Option<String>, Option<String>)>,
    pub metadata: Map<String, Value>,
    pub three_ds: bool,
    pub success_url: Option<String>,
    pub failure_url: Option<String>,
}

fn opt_str(
    body: &Map<String, Value>,
    key: &str,
    max: usize,
    code: &'static str,
    errors: &mut Vec<&'static str>,
) -> Option<String> {
    match body.get(key) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= max => Some(s.clone()),
        Some(_) => {
            errors.push(code);
            None
        }
    }
}

/// Validates the request body, collecting every error code as Checkout.com does.
pub(crate) fn validate(body: &Map<String, Value>, now: DateTime<Utc>) -> Result<Request, Vec<&'static str>> {
    let mut errors = Vec::new();
    let source = match body.get("source") {
        None | Some(Value::Null) => {
            errors.push("payment_source_required");
            None
        }
        Some(Value::Object(src)) => validate_source(src, now, &mut errors),
        Some(_) => {
            errors.push("payment_source_invalid");
            None
        }
    };
    let currency = match body.get("currency") {
        None | Some(Value::Null) => {
            errors.push("currency_required");
            None
        }
        Some(Value::String(code)) => {
            let parsed = parse_currency(code);
            if parsed.is_none() {
                errors.push("currency_invalid");
            }
            parsed
        }
        Some(_) => {
            errors.push("currency_invalid");
            None
        }
    };
    // Omitting the amount (or sending 0) asks for a card verification.
    let amount = match body.get("amount") {
        None | Some(Value::Null) => Some(0),
        Some(v) => match (v.as_i64(), currency) {
            (Some(a), Some(c)) if amount_valid(a, c) => Some(a),
            (Some(a), None) if (0..=cko_amounts::MAX_AMOUNT).contains(&a) => Some(a),
            _ => {
                errors.push("amount_invalid");
                None
            }
        },
    };
    let reference = opt_str(body, "reference", 50, "reference_invalid", &mut errors);
    let description = opt_str(body, "description", 100, "description_invalid", &mut errors);
    let payment_type = match opt_str(body, "payment_type", 20, "payment_type_invalid", &mut errors) {
        None => "Regular".to_owned(),
        Some(t) if ["Regular", "Recurring", "MOTO", "Installment"].contains(&t.as_str()) => t,
        Some(_) => {
            errors.push("payment_type_invalid");
            String::new()
        }
    };
    let capture = match body.get("capture") {
        None | Some(Value::Null) => true,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            errors.push("capture_invalid");
            true
        }
    };
    let customer = match body.get("customer") {
        None | Some(Value::Null) => None,
        Some(Value::Object(c)) => {
            let email = opt_str(c, "email", 255, "customer_email_invalid", &mut errors);
            if email.as_deref().is_some_and(|e| !e.contains('@')) {
                errors.push("customer_email_invalid");
            }
            let name = opt_str(c, "name", 255, "customer_name_invalid", &mut errors);
            let id = opt_str(c, "id", 30, "customer_id_invalid", &mut errors);
            if id
                .as_deref()
                .is_some_and(|i| !i.starts_with("cus_") || i.len() != 30)
            {
                errors.push("customer_id_invalid");
            }
            Some((id, email, name))
        }
        Some(_) => {
            errors.push("customer_invalid");
            None
        }
    };
    let metadata = match body.get("metadata") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => {
            errors.push("metadata_invalid");
            Map::new()
        }
    };
    let three_ds = match body.get("3ds") {
        None | Some(Value::Null) => false,
        Some(Value::Object(t)) => match t.get("enabled") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                errors.push("three_ds_enabled_invalid");
                false
            }
        },
        Some(_) => {
            errors.push("three_ds_invalid");
            false
        }
    };
    let success_url = opt_str(body, "success_url", 1024, "success_url_invalid", &mut errors);
    let failure_url = opt_str(body, "failure_url", 1024, "failure_url_invalid", &mut errors);
    match (source, amount, currency) {
        (Some(source), Some(amount), Some(currency)) if errors.is_empty() => Ok(Request {
            source,
            amount,
            currency: currency.code().to_owned(),
            reference,
            description,
            payment_type,
            capture,
            customer,
            metadata,
            three_ds,
            success_url,
            failure_url,
        }),
        _ => Err(errors),
    }
}

fn validate_source(
    src: &Map<String, Value>,
    now: DateTime<Utc>,
    errors: &mut Vec<&'static str>,
) -> Option<SourceSpec> {
    match src.get("type").and_then(Value::as_str) {
        None => {
            errors.push("payment_source_type_required");
            None
        }
        Some("card") => {
            let number = match src.get("number").and_then(Value::as_str) {
                None => {
                    errors.push("card_number_required");
                    None
                }
                Some(n) if cards::luhn_valid(n) => Some(n.to_owned()),
                Some(_) => {
                    errors.push("card_number_invalid");
                    None
                }
            };
            let month = match src.get("expiry_month") {
                None | Some(Value::Null) => {
                    errors.push("card_expiry_month_required");
                    None
                }
                Some(v) => match v.as_u64().and_then(|m| u32::try_from(m).ok()) {
                    Some(m) if (1..=12).contains(&m) => Some(m),
                    _ => {
                        errors.push("card_expiry_month_invalid");
                        None
                    }
                },
            };
            let year = match src.get("expiry_year") {
                None | Some(Value::Null) => {
                    errors.push("card_expiry_year_required");
                    None
                }
                Some(v) => match v.as_i64().and_then(|y| i32::try_from(y).ok()) {
                    Some(y) if (1000..=9999).contains(&y) => Some(y),
                    _ => {
                        errors.push("card_expiry_year_invalid");
                        None
                    }
                },
            };
            if let Some(cvv) = src.get("cvv").and_then(Value::as_str)
                && !((3..=4).contains(&cvv.len()) && cvv.bytes().all(|b| b.is_ascii_digit()))
            {
                errors.push("cvv_invalid");
            }
            if let (Some(m), Some(y)) = (month, year)
                && (y, m) < (now.year(), now.month())
            {
                errors.push("card_expired");
            }
            let name = src.get("name").and_then(Value::as_str).map(str::to_owned);
            match (number, month, year) {
                (Some(number), Some(expiry_month), Some(expiry_year)) => Some(SourceSpec::Card {
                    number,
                    expiry_month,
                    expiry_year,
                    name,
                }),
                _ => None,
            }
        }
        Some("token") => match src.get("token").and_then(Value::as_str) {
            Some(t) if t.len() == 30 && t.starts_with("tok_") => Some(SourceSpec::Token),
            Some(_) => {
                errors.push("token_invalid");
                None
            }
            None => {
                errors.push("token_required");
                None
            }
        },
        Some("id") => match src.get("id").and_then(Value::as_str) {
            Some(id) if id.len() == 30 && id.starts_with("src_") => Some(SourceSpec::Id(id.to_owned())),
            Some(_) => {
                errors.push("source_id_invalid");
                None
            }
            None => {
                errors.push("source_id_required");
                None
            }
        },
        Some(_) => {
            errors.push("payment_source_type_invalid");
            None
        }
    }
}
