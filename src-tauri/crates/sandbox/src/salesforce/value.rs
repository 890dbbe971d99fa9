//! Field values: how they are stored (exactly: decimals as `rust_decimal`), how JSON request values
//! are read into them for a field's type, how they are written back as JSON, and how SOQL compares
//! them (text case-insensitively, as Salesforce does).

use std::cmp::Ordering;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::schema::FieldKind;

/// One stored value (null is the absence of a value).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "t", content = "v")]
pub(crate) enum FieldValue {
    /// Text, picklist, id, e-mail, URL, phone, auto-number.
    Text(String),
    /// A checkbox.
    Bool(bool),
    /// Currency and decimal numbers, exact.
    Num(Decimal),
    /// Whole numbers.
    Int(i64),
    /// A calendar date.
    Date(NaiveDate),
    /// An instant.
    DateTime(DateTime<Utc>),
}

/// Salesforce's datetime format in responses: `2026-01-01T00:00:00.000+0000`.
pub(crate) fn format_datetime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// Reads the datetime forms Salesforce accepts: RFC 3339 (`Z` or `±hh:mm`), `±hhmm`, no zone
/// (UTC), or a bare date (midnight UTC).
pub(crate) fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%z"] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(n.and_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
}

/// Reads a date (`2026-01-31`), or the date part of a datetime.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    if s.len() == 10 {
        return NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    }
    parse_datetime(s).map(|d| d.date_naive())
}

/// Reads a decimal from JSON number text or a string (plain or scientific notation).
pub(crate) fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    Decimal::from_str(s)
        .ok()
        .or_else(|| Decimal::from_scientific(s).ok())
        .map(|d| d.normalize())
}

/// A decimal as a JSON number. Salesforce serialises numbers as doubles, so this does too: the
/// decimal's shortest round-trip double prints as the same digits for up to 15 significant digits.
pub(crate) fn decimal_json(d: Decimal) -> Value {
    d.to_f64()
        .and_then(serde_json::Number::from_f64)
        .map_or_else(|| Value::String(d.to_string()), Value::Number)
}

impl FieldValue {
    /// The value as the REST API writes it.
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Self::Text(s) => Value::String(s.clone()),
            Self::Bool(b) => Value::Bool(*b),
            Self::Num(d) => decimal_json(*d),
            Self::Int(i) => Value::from(*i),
            Self::Date(d) => Value::String(d.format("%Y-%m-%d").to_string()),
            Self::DateTime(t) => Value::String(format_datetime(*t)),
        }
    }

    /// Text form for messages and index keys.
    pub(crate) fn display(&self) -> String {
        match self.to_json() {
            Value::String(s) => s,
            other => other.to_string(),
        }
    }

    /// The text, if it is text.
    pub(crate) fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The key under which uniqueness and External ID matching compare it.
    pub(crate) fn index_key(&self, case_sensitive: bool) -> String {
        match self {
            Self::Text(s) if !case_sensitive => s.to_lowercase(),
            Self::Num(d) => d.normalize().to_string(),
            other => other.display(),
        }
    }
}

/// The JSON value as a `null` optional.
pub(crate) fn json_opt(v: Option<&FieldValue>) -> Value {
    v.map_or(Value::Null, FieldValue::to_json)
}

/// Orders two values of the same field; text case-insensitively. `None` if not comparable.
pub(crate) fn compare(a: &FieldValue, b: &FieldValue) -> Option<Ordering> {
    use FieldValue as V;
    match (a, b) {
        (V::Text(x), V::Text(y)) => Some(x.to_lowercase().cmp(&y.to_lowercase())),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        (V::Num(x), V::Num(y)) => Some(x.cmp(y)),
        (V::Int(x), V::Int(y)) => Some(x.cmp(y)),
        (V::Num(x), V::Int(y)) => Some(x.cmp(&Decimal::from(*y))),
        (V::Int(x), V::Num(y)) => Some(Decimal::from(*x).cmp(y)),
        (V::Date(x), V::Date(y)) => Some(x.cmp(y)),
        (V::DateTime(x), V::DateTime(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// What a JSON request value turned into for a field.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Decoded {
    /// `null` or an empty string: clear the field.
    Null,
    /// A usable value (not yet checked against lengths, picklists, references).
    Value(FieldValue),
    /// Valid JSON of a type the field cannot hold: a per-record error with this code.
    Bad {
        /// The error code (`INVALID_TYPE_ON_FIELD_IN_RECORD`, `NUMBER_OUTSIDE_VALID_RANGE`).
        code: &'static str,
        /// The offending value as shown in the message.
        shown: String,
    },
}

fn token_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "VALUE_NULL",
        Value::Bool(true) => "VALUE_TRUE",
        Value::Bool(false) => "VALUE_FALSE",
        Value::Number(n) if n.is_f64() => "VALUE_NUMBER_FLOAT",
        Value::Number(_) => "VALUE_NUMBER_INT",
        Value::String(_) => "VALUE_STRING",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(_) => "[".to_owned(),
        Value::Object(_) => "{".to_owned(),
        other => other.to_string(),
    }
}

/// The Jackson-style message of Salesforce's `JSON_PARSER_ERROR` for a value of the wrong type.
fn parser_error(java_type: &str, v: &Value) -> String {
    format!(
        "Cannot deserialize instance of {java_type} from {} value {} or request may be missing a required field",
        token_name(v),
        shown(v)
    )
}

fn bad(code: &'static str, v: &Value) -> Decoded {
    Decoded::Bad {
        code,
        shown: shown(v),
    }
}

/// Reads a JSON request value for a field of `kind`. `Err` is a `JSON_PARSER_ERROR` message (the
/// whole request fails); [`Decoded::Bad`] fails only the record.
pub(crate) fn decode(kind: FieldKind, v: &Value) -> Result<Decoded, String> {
    use FieldKind as K;
    if v.is_null() {
        return Ok(Decoded::Null);
    }
    if let Value::String(s) = v
        && s.is_empty()
    {
        // Salesforce stores an empty string as null, for every type.
        return Ok(Decoded::Null);
    }
    match kind {
        K::Boolean => match v {
            Value::Bool(b) => Ok(Decoded::Value(FieldValue::Bool(*b))),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Decoded::Value(FieldValue::Bool(true))),
            Value::String(s) if s.eq_ignore_ascii_case("false") => {
                Ok(Decoded::Value(FieldValue::Bool(false)))
            }
            Value::Number(_) => Ok(bad("INVALID_TYPE_ON_FIELD_IN_RECORD", v)),
            _ => Err(parser_error("boolean", v)),
        },
        K::Currency(..) | K::Number(..) | K::Int => {
            let java = if kind == K::Int { "int" } else { "double" };
            let text = match v {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s.clone(),
                Value::Bool(_) => return Ok(bad("INVALID_TYPE_ON_FIELD_IN_RECORD", v)),
                _ => return Err(parser_error(java, v)),
            };
            let Some(d) = parse_decimal(&text) else {
                return if v.is_string() {
                    Err(parser_error(java, v))
                } else {
                    Ok(bad("NUMBER_OUTSIDE_VALID_RANGE", v))
                };
            };
            if kind == K::Int {
                if !d.fract().is_zero() {
                    return Ok(bad("INVALID_TYPE_ON_FIELD_IN_RECORD", v));
                }
                return match d.to_i64() {
                    Some(i) => Ok(Decoded::Value(FieldValue::Int(i))),
                    None => Ok(bad("NUMBER_OUTSIDE_VALID_RANGE", v)),
                };
            }
            Ok(Decoded::Value(FieldValue::Num(d)))
        }
        K::Date => match v {
            Value::String(s) => parse_date(s)
                .map(|d| Decoded::Value(FieldValue::Date(d)))
                .ok_or_else(|| parser_error("date", v)),
            Value::Number(_) | Value::Bool(_) => Ok(bad("INVALID_TYPE_ON_FIELD_IN_RECORD", v)),
            _ => Err(parser_error("date", v)),
        },
        K::DateTime => match v {
            Value::String(s) => parse_datetime(s)
                .map(|d| Decoded::Value(FieldValue::DateTime(d)))
                .ok_or_else(|| parser_error("datetime", v)),
            Value::Number(_) | Value::Bool(_) => Ok(bad("INVALID_TYPE_ON_FIELD_IN_RECORD", v)),
            _ => Err(parser_error("datetime", v)),
        },
        // Text-like fields take strings; Jackson coerces numbers and booleans to their text.
        _ => match v {
            Value::String(s) => Ok(Decoded::Value(FieldValue::Text(s.clone()))),
            Value::Number(n) => Ok(Decoded::Value(FieldValue::Text(n.to_string()))),
            Value::Bool(b) => Ok(Decoded::Value(FieldValue::Text(b.to_string()))),
            _ => Err(parser_error("string", v)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes_round_trip_in_salesforce_format() {
        let t = parse_datetime("2026-01-01T10:20:30Z").unwrap_or_default();
        assert_eq!(format_datetime(t), "2026-01-01T10:20:30.000+0000");
        assert_eq!(parse_datetime("2026-01-01T10:20:30.000+0000"), Some(t));
        assert_eq!(parse_datetime("2026-01-01T11:20:30+01:00"), Some(t));
    }

    #[test]
    fn decimals_stay_exact_and_print_as_numbers() {
        let Ok(Decoded::Value(FieldValue::Num(d))) =
            decode(FieldKind::Currency(16, 2), &serde_json::json!(12.34))
        else {
            panic!("decode");
        };
        assert_eq!(d.to_string(), "12.34");
        assert_eq!(decimal_json(d).to_string(), "12.34");
        assert!(decode(FieldKind::Currency(16, 2), &serde_json::json!("abc")).is_err());
        assert_eq!(
            decode(FieldKind::Boolean, &serde_json::json!(1)),
            Ok(Decoded::Bad {
                code: "INVALID_TYPE_ON_FIELD_IN_RECORD",
                shown: "1".to_owned()
            })
        );
    }
}
