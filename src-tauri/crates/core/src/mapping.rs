//! Field mappings as data (ARCHITECTURE §2 "Map and validate"): a versioned document says how one
//! kind of provider record (a Stripe customer, charge, …) becomes the fields of one Salesforce
//! object, rule by rule: where the value comes from, how it is transformed, and what it must
//! satisfy. The engine interprets documents; changing a mapping needs no rebuild.
//!
//! Interpreting is pure: a record (JSON, as the provider sent it) in, the target fields out, or
//! an error naming the record and the field. Money never passes through a float: minor units are
//! turned into an exact decimal string with the provider's exponent for the currency.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Currency;
use crate::provider_amounts::stripe::from_stripe_amount;

/// One mapping document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// What it maps, e.g. `stripe.customer`: the provider and its object type.
    pub source: String,
    /// The document's version; a change to any rule is a new version.
    pub version: u32,
    /// The Salesforce object written (`Account`, `Payment__c`, …).
    pub object: String,
    /// The target field that holds the provider's id: the upsert key.
    pub external_id: String,
    /// The rules, one per target field.
    pub fields: Vec<FieldRule>,
    /// What is written when the provider deletes the object: these fields with these values,
    /// beside the upsert key (the Salesforce record and its history stay). Empty: nothing is
    /// written, the deletion is only remembered.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub on_delete: Map<String, Value>,
}

/// How one target field is filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRule {
    /// The target field's API name. For a lookup, the relationship name (`Account__r`).
    pub target: String,
    /// Where the value comes from: a dotted path into the record (`metadata.order_id`), tried in
    /// order until one is present (`["name", "email"]`).
    #[serde(
        default,
        deserialize_with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub source: Vec<String>,
    /// What is done to it.
    #[serde(default)]
    pub transform: Transform,
    /// Whether a record without a value is refused.
    #[serde(default)]
    pub required: bool,
    /// The longest text the target field holds; longer is refused (never cut silently).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
}

/// A transform. Tagged by `kind` in the document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Transform {
    /// The value as it is (text, number or boolean).
    #[default]
    Copy,
    /// A fixed value; no source.
    Constant {
        /// The value.
        value: Value,
    },
    /// Stripe minor units to an exact decimal in major units, with Stripe's exponent for the
    /// currency found at `currency` (a path into the record).
    StripeMinorUnits {
        /// The path of the currency code.
        currency: String,
    },
    /// An upper-case ISO currency code from the provider's (`eur` → `EUR`), checked.
    CurrencyCode,
    /// Unix seconds to a Salesforce DateTime (`2026-11-20T12:00:00.000Z`).
    UnixDateTime,
    /// Unix seconds to a Salesforce Date (`2026-11-20`, UTC).
    UnixDate,
    /// A value looked up in a table (`succeeded` → `Completed`); a value not in it is refused
    /// unless `default` is given.
    Lookup {
        /// From provider value to target value.
        values: BTreeMap<String, String>,
        /// What any other value becomes.
        #[serde(default)]
        default: Option<String>,
    },
    /// A reference to a parent record by its External ID: the target is the relationship name
    /// and the value becomes `{"<field>": value}`, so Salesforce links the records by key.
    Reference {
        /// The parent's External ID field.
        field: String,
    },
    /// A lookup by Salesforce record id, from free text (provider metadata): written only when
    /// the value is a 15- or 18-character id of the object with this key prefix (`801` for
    /// Order); anything else, such as a merchant's own order number, is left out rather than
    /// sent for Salesforce to refuse the whole record with `MALFORMED_ID`.
    RecordId {
        /// The object's three-character key prefix.
        prefix: String,
    },
}

/// Whether `text` is a Salesforce record id of the object with key prefix `prefix`.
fn is_record_id_of(text: &str, prefix: &str) -> bool {
    matches!(text.len(), 15 | 18)
        && text.starts_with(prefix)
        && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// Why a record could not be mapped: names the mapping, the record and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_kind} {record}: field {field}: {message}")]
pub struct MappingError {
    /// The mapping's source, e.g. `stripe.customer`.
    pub source_kind: String,
    /// The record's id.
    pub record: String,
    /// The target field.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

/// Why a document is not a usable mapping.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mapping {source_kind} v{version}: {message}")]
pub struct MappingDocumentError {
    /// The document's source.
    pub source_kind: String,
    /// Its version.
    pub version: u32,
    /// What is wrong.
    pub message: String,
}

impl Mapping {
    /// Reads and checks a JSON document.
    pub fn from_json(text: &str) -> Result<Self, MappingDocumentError> {
        let mapping: Self = serde_json::from_str(text).map_err(|e| MappingDocumentError {
            source_kind: "?".to_owned(),
            version: 0,
            message: e.to_string(),
        })?;
        mapping.check()?;
        Ok(mapping)
    }

    /// Checks the document's own consistency: one rule per target, the upsert key mapped and
    /// required, a source wherever the transform reads one.
    pub fn check(&self) -> Result<(), MappingDocumentError> {
        let fail = |message: String| MappingDocumentError {
            source_kind: self.source.clone(),
            version: self.version,
            message,
        };
        let mut seen = std::collections::BTreeSet::new();
        for rule in &self.fields {
            if !seen.insert(rule.target.as_str()) {
                return Err(fail(format!("{} is mapped twice", rule.target)));
            }
            let needs_source = !matches!(rule.transform, Transform::Constant { .. });
            if needs_source == rule.source.is_empty() {
                return Err(fail(format!(
                    "{}: a {} rule {} a source",
                    rule.target,
                    if needs_source { "non-constant" } else { "constant" },
                    if needs_source { "needs" } else { "takes no" }
                )));
            }
        }
        if self.on_delete.contains_key(&self.external_id) {
            return Err(fail(format!(
                "on_delete sets the upsert key {}",
                self.external_id
            )));
        }
        match self.fields.iter().find(|r| r.target == self.external_id) {
            Some(rule) if rule.required => Ok(()),
            Some(_) => Err(fail(format!(
                "the upsert key {} must be required",
                self.external_id
            ))),
            None => Err(fail(format!("the upsert key {} is not mapped", self.external_id))),
        }
    }

    /// The fields to write when the provider deleted the record with `id`: the upsert key and
    /// [`Mapping::on_delete`]; `None` when the mapping writes nothing for a deletion.
    pub fn deletion(&self, id: &str) -> Option<Map<String, Value>> {
        if self.on_delete.is_empty() {
            return None;
        }
        let mut out = self.on_delete.clone();
        out.insert(self.external_id.clone(), Value::String(id.to_owned()));
        Some(out)
    }

    /// Maps one provider record to the target fields. Absent optional values are left out (so an
    /// update never blanks a field Paysync does not know); anything refused names its field.
    pub fn apply(&self, record: &Value) -> Result<Map<String, Value>, MappingError> {
        let id = record["id"].as_str().unwrap_or("(no id)");
        let mut out = Map::with_capacity(self.fields.len());
        for rule in &self.fields {
            let fail = |message: String| MappingError {
                source_kind: self.source.clone(),
                record: id.to_owned(),
                field: rule.target.clone(),
                message,
            };
            let raw = rule
                .source
                .iter()
                .map(|p| at(record, p))
                .find(|v| present(v))
                .cloned();
            let value = match (&rule.transform, raw) {
                (Transform::Constant { value }, _) => Some(value.clone()),
                (_, None) => None,
                (Transform::RecordId { prefix }, Some(raw)) => raw
                    .as_str()
                    .map(str::trim)
                    .filter(|t| is_record_id_of(t, prefix))
                    .map(|t| Value::String(t.to_owned())),
                (transform, Some(raw)) => Some(transform_value(transform, &raw, record).map_err(fail)?),
            };
            match value {
                Some(v) => {
                    if let (Some(max), Some(text)) = (rule.max_length, v.as_str())
                        && text.chars().count() > max
                    {
                        return Err(fail(format!(
                            "is {} characters; the field holds {max}",
                            text.chars().count()
                        )));
                    }
                    out.insert(rule.target.clone(), v);
                }
                None if rule.required => {
                    return Err(fail(format!(
                        "is required, but {} is empty",
                        rule.source.join(" / ")
                    )));
                }
                None => {}
            }
        }
        Ok(out)
    }
}

/// The value at a dotted path (`metadata.order_id`, `items.data.0.price`: a number indexes a
/// list); `Null` when absent.
fn at<'a>(record: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(record, |v, key| match (v, key.parse::<usize>()) {
            (Value::Array(items), Ok(i)) => items.get(i).unwrap_or(&Value::Null),
            _ => &v[key],
        })
}

fn present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        _ => true,
    }
}

fn transform_value(transform: &Transform, raw: &Value, record: &Value) -> Result<Value, String> {
    match transform {
        Transform::Copy => match raw {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => Ok(raw.clone()),
            _ => Err("is not a single value".to_owned()),
        },
        Transform::Constant { value } => Ok(value.clone()),
        Transform::StripeMinorUnits { currency } => {
            let minor = raw.as_i64().ok_or("is not a whole number of minor units")?;
            let code = at(record, currency)
                .as_str()
                .ok_or(format!("has no currency at {currency}"))?;
            let currency = Currency::from_code(code).map_err(|e| e.to_string())?;
            let money = from_stripe_amount(minor, currency).map_err(|e| e.to_string())?;
            // A decimal string: Salesforce reads it exactly, a JSON number may pass through a float.
            Ok(Value::String(money.to_decimal().to_string()))
        }
        Transform::CurrencyCode => {
            let code = raw.as_str().ok_or("is not a currency code")?;
            let currency = Currency::from_code(code).map_err(|e| e.to_string())?;
            Ok(Value::String(currency.code().to_owned()))
        }
        Transform::UnixDateTime | Transform::UnixDate => {
            let secs = raw.as_i64().ok_or("is not a Unix time")?;
            let t = DateTime::<Utc>::from_timestamp(secs, 0).ok_or("is not a representable time")?;
            Ok(Value::String(if matches!(transform, Transform::UnixDate) {
                t.format("%Y-%m-%d").to_string()
            } else {
                t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
            }))
        }
        Transform::Lookup { values, default } => {
            let key = match raw {
                Value::String(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                _ => return Err("is not a single value".to_owned()),
            };
            values
                .get(&key)
                .or(default.as_ref())
                .map(|v| Value::String(v.clone()))
                .ok_or_else(|| {
                    format!(
                        "{key:?} has no mapping (expected one of {:?})",
                        values.keys().collect::<Vec<_>>()
                    )
                })
        }
        Transform::Reference { field } => {
            let key = raw.as_str().ok_or("is not an id")?;
            let mut parent = Map::new();
            parent.insert(field.clone(), Value::String(key.to_owned()));
            Ok(Value::Object(parent))
        }
        // Handled in `apply`: a value that is not an id is left out, not refused.
        Transform::RecordId { .. } => Ok(raw.clone()),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn a_lookup_from_metadata_is_written_only_when_it_is_an_id_of_its_object() {
        let mapping = Mapping::from_json(
            r#"{"source": "stripe.charge", "version": 1, "object": "Payment__c",
                "external_id": "Stripe_Charge_Id__c",
                "fields": [
                  {"target": "Stripe_Charge_Id__c", "source": "id", "required": true},
                  {"target": "Order__c", "source": "metadata.order_id",
                   "transform": {"kind": "record_id", "prefix": "801"}}
                ]}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let order = |v: &str| {
            mapping
                .apply(&json!({"id": "ch_1", "metadata": {"order_id": v}}))
                .unwrap_or_else(|e| panic!("{e}"))
                .get("Order__c")
                .cloned()
        };
        assert_eq!(order("801Ab00000XyZ12AAA"), Some(json!("801Ab00000XyZ12AAA")));
        assert_eq!(order("801Ab00000XyZ12"), Some(json!("801Ab00000XyZ12")));
        // A merchant's own order number, another object's id, or junk: left out, not refused.
        for other in [
            "SO-10023",
            "006Ab00000XyZ12AAA",
            "801Ab00000XyZ12AA",
            "801Ab00000XyZ-2AAA",
        ] {
            assert_eq!(order(other), None, "{other}");
        }
    }

    fn payment_mapping() -> Mapping {
        Mapping::from_json(
            r#"{
              "source": "stripe.charge", "version": 1, "object": "Payment__c",
              "external_id": "Stripe_Charge_Id__c",
              "fields": [
                {"target": "Stripe_Charge_Id__c", "source": "id", "required": true},
                {"target": "Provider__c", "transform": {"kind": "constant", "value": "Stripe"}},
                {"target": "Amount__c", "source": "amount", "required": true,
                 "transform": {"kind": "stripe_minor_units", "currency": "currency"}},
                {"target": "Currency__c", "source": "currency", "transform": {"kind": "currency_code"}},
                {"target": "Status__c", "source": "status", "required": true,
                 "transform": {"kind": "lookup", "values": {"succeeded": "Completed", "failed": "Failed", "pending": "Pending"}}},
                {"target": "Paid_At__c", "source": "created", "transform": {"kind": "unix_date_time"}},
                {"target": "Account__r", "source": "customer", "transform": {"kind": "reference", "field": "Stripe_Customer_Id__c"}},
                {"target": "Description__c", "source": ["description", "metadata.order_id"], "max_length": 20}
              ]
            }"#,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_charge_becomes_a_payment() {
        let fields = payment_mapping()
            .apply(&json!({
                "id": "ch_1", "amount": 123_456, "currency": "eur", "status": "succeeded",
                "created": 1_763_640_000, "customer": "cus_9", "description": null,
                "metadata": {"order_id": "ORD-7"}
            }))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            Value::Object(fields),
            json!({
                "Stripe_Charge_Id__c": "ch_1",
                "Provider__c": "Stripe",
                "Amount__c": "1234.56",
                "Currency__c": "EUR",
                "Status__c": "Completed",
                "Paid_At__c": "2025-11-20T12:00:00.000Z",
                "Account__r": {"Stripe_Customer_Id__c": "cus_9"},
                "Description__c": "ORD-7"
            })
        );
    }

    #[test]
    fn amounts_follow_stripes_exponent_for_the_currency() {
        let m = payment_mapping();
        let amount = |minor: i64, currency: &str| {
            m.apply(&json!({"id": "ch_1", "amount": minor, "currency": currency, "status": "pending"}))
                .map(|f| f["Amount__c"].clone())
        };
        assert_eq!(amount(500, "jpy"), Ok(json!("500")));
        assert_eq!(amount(5120, "kwd"), Ok(json!("5.120")));
        assert_eq!(amount(10000, "isk"), Ok(json!("100")));
    }

    #[test]
    fn refusals_name_the_record_and_the_field() {
        let m = payment_mapping();
        let err = |record: Value| m.apply(&record).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            err(json!({"id": "ch_2", "amount": 100, "currency": "eur", "status": "disputed"})),
            r#"stripe.charge ch_2: field Status__c: "disputed" has no mapping (expected one of ["failed", "pending", "succeeded"])"#
        );
        assert_eq!(
            err(json!({"id": "ch_3", "currency": "eur", "status": "pending"})),
            "stripe.charge ch_3: field Amount__c: is required, but amount is empty"
        );
        assert_eq!(
            err(json!({"id": "ch_4", "amount": 1, "currency": "xyz", "status": "pending"})),
            "stripe.charge ch_4: field Amount__c: unknown currency code \"xyz\" (expected an ISO 4217 code such as USD)"
        );
        assert!(
            err(json!({"id": "ch_5", "amount": 1, "currency": "eur", "status": "pending", "description": "far too long for the field"}))
                .starts_with("stripe.charge ch_5: field Description__c: is 26 characters; the field holds 20")
        );
    }

    #[test]
    fn a_deletion_writes_the_key_and_the_on_delete_fields_only() {
        let mut m = payment_mapping();
        assert_eq!(m.deletion("ch_1"), None, "nothing to write without on_delete");
        m.on_delete.insert("Status__c".to_owned(), json!("Failed"));
        let fields = m.deletion("ch_1").unwrap_or_default();
        assert_eq!(
            Value::Object(fields),
            json!({"Stripe_Charge_Id__c": "ch_1", "Status__c": "Failed"})
        );
        m.on_delete.insert("Stripe_Charge_Id__c".to_owned(), json!("x"));
        assert!(m.check().is_err(), "on_delete may not set the upsert key");
    }

    #[test]
    fn absent_optional_values_are_left_out_rather_than_blanked() {
        let fields = payment_mapping()
            .apply(
                &json!({"id": "ch_6", "amount": 1, "currency": "eur", "status": "failed", "customer": null}),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(!fields.contains_key("Account__r"));
        assert!(!fields.contains_key("Description__c"));
    }

    #[test]
    fn inconsistent_documents_are_refused() {
        let doc = |fields: &str| {
            Mapping::from_json(&format!(
                r#"{{"source": "stripe.customer", "version": 2, "object": "Account", "external_id": "Stripe_Customer_Id__c", "fields": {fields}}}"#
            ))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
        };
        assert_eq!(
            doc(r#"[{"target": "Name", "source": "name"}]"#),
            "mapping stripe.customer v2: the upsert key Stripe_Customer_Id__c is not mapped"
        );
        assert_eq!(
            doc(r#"[{"target": "Stripe_Customer_Id__c", "source": "id"}]"#),
            "mapping stripe.customer v2: the upsert key Stripe_Customer_Id__c must be required"
        );
        assert!(doc(r#"[{"target": "Stripe_Customer_Id__c", "source": "id", "required": true}, {"target": "Name"}]"#).contains("Name: a non-constant rule needs a source"));
        assert!(doc(r#"[{"target": "Stripe_Customer_Id__c", "source": "id", "required": true}, {"target": "Name", "source": "a"}, {"target": "Name", "source": "b"}]"#).contains("Name is mapped twice"));
        assert!(doc(r#"[{"target": "X", "sourse": "id"}]"#).contains("unknown field `sourse`"));
    }

    proptest! {
        #[test]
        fn any_amount_maps_exactly_and_back(minor in -1_000_000_000_000i64..1_000_000_000_000, pick in 0usize..4) {
            let currency = ["eur", "jpy", "kwd", "usd"][pick];
            let fields = payment_mapping()
                .apply(&json!({"id": "ch_p", "amount": minor, "currency": currency, "status": "succeeded"}));
            let amount = fields.map(|f| f["Amount__c"].as_str().unwrap_or_default().to_owned());
            let amount = amount.unwrap_or_else(|e| panic!("{e}"));
            let decimal: rust_decimal::Decimal = amount.parse().unwrap_or_default();
            let exponent = crate::provider_amounts::stripe::exponent(Currency::from_code(currency).unwrap_or(Currency::EUR)).unwrap_or(2);
            prop_assert_eq!(decimal * rust_decimal::Decimal::from(10i64.pow(exponent)), rust_decimal::Decimal::from(minor));
        }

        #[test]
        fn no_record_makes_the_interpreter_panic(record in any_json()) {
            let _ = payment_mapping().apply(&record);
        }
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "[a-z_]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("id".to_owned()),
                        Just("amount".to_owned()),
                        Just("currency".to_owned()),
                        Just("status".to_owned()),
                        Just("metadata".to_owned()),
                        "[a-z]{1,6}"
                    ],
                    inner,
                    0..6
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
