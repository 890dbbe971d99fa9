//! Upserts through sObject Collections (apis.md §1.3–§1.4):
//! `PATCH /services/data/vXX.X/composite/sobjects/{Object}/{ExternalIdField}` with
//! `{"allOrNone": false, "records": [...]}`, at most 200 records of one object type. The answer is
//! one save result per record, in order: `{id, success, created, errors: [{statusCode, message,
//! fields}]}`. Each record's outcome is classified on its own: saved, worth another try (row lock
//! contention), or refused (a validation rule, a bad value), which belongs in the DLQ with
//! Salesforce's message and fields.
//!
//! An upsert keyed by an External ID is idempotent by construction: sending the same batch again
//! leaves the same records, so a timed-out call may be re-sent.

use paysync_core::retry::{RetrySafety, is_salesforce_transient};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{API_VERSION, COLLECTION_MAX};
use crate::http::{Body, Request, Response};

/// Why a batch could not be built or its answer read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpsertError {
    /// An object or field name that is not a Salesforce API name.
    #[error("{what} {name:?} is not a Salesforce API name")]
    BadName {
        /// `object` or `field`.
        what: &'static str,
        /// The name given.
        name: String,
    },
    /// The batch already holds 200 records.
    #[error("a collection holds at most {COLLECTION_MAX} records")]
    Full,
    /// A record without a usable External ID value.
    #[error("{object} record {index}: field {field}: the External ID is missing or empty")]
    MissingKey {
        /// The object.
        object: String,
        /// The record's position in the batch.
        index: usize,
        /// The External ID field.
        field: String,
    },
    /// The same External ID twice in one batch: Salesforce would refuse both.
    #[error("{object} {field} {key:?} is already in this batch")]
    DuplicateKey {
        /// The object.
        object: String,
        /// The External ID field.
        field: String,
        /// The value.
        key: String,
    },
    /// The answer is not one save result per record.
    #[error("Salesforce's answer to the {object} upsert could not be read: {reason}")]
    BadAnswer {
        /// The object.
        object: String,
        /// What was wrong.
        reason: String,
    },
}

/// Records of one object type to upsert on one External ID field, in one call.
#[derive(Debug, Clone, PartialEq)]
pub struct UpsertBatch {
    object: String,
    external_id_field: String,
    records: Vec<Map<String, Value>>,
    keys: Vec<String>,
}

fn api_name(what: &'static str, name: &str) -> Result<String, UpsertError> {
    let ok = name.len() <= 80
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.contains("___")
        && !name.ends_with('_');
    if ok {
        Ok(name.to_owned())
    } else {
        Err(UpsertError::BadName {
            what,
            name: name.to_owned(),
        })
    }
}

impl UpsertBatch {
    /// An empty batch of `object` records keyed by `external_id_field`.
    pub fn new(object: &str, external_id_field: &str) -> Result<Self, UpsertError> {
        Ok(Self {
            object: api_name("object", object)?,
            external_id_field: api_name("field", external_id_field)?,
            records: Vec::new(),
            keys: Vec::new(),
        })
    }

    /// The object.
    pub fn object(&self) -> &str {
        &self.object
    }

    /// The External ID field.
    pub fn external_id_field(&self) -> &str {
        &self.external_id_field
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Whether it holds the most one call takes.
    pub fn is_full(&self) -> bool {
        self.records.len() >= COLLECTION_MAX
    }

    /// The External ID values, in order: the answer's results line up with them.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// Adds a record (its fields by API name, the External ID among them).
    pub fn push(&mut self, record: Map<String, Value>) -> Result<(), UpsertError> {
        if self.is_full() {
            return Err(UpsertError::Full);
        }
        let key = match record.get(&self.external_id_field) {
            Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(UpsertError::MissingKey {
                    object: self.object.clone(),
                    index: self.records.len(),
                    field: self.external_id_field.clone(),
                });
            }
        };
        if self.keys.contains(&key) {
            return Err(UpsertError::DuplicateKey {
                object: self.object.clone(),
                field: self.external_id_field.clone(),
                key,
            });
        }
        self.keys.push(key);
        self.records.push(record);
        Ok(())
    }

    /// The call in one line, for a failure's attempt log:
    /// `PATCH /services/data/v66.0/composite/sobjects/Account/Stripe_Customer_Id__c (3 records)`.
    pub fn summary(&self) -> String {
        format!(
            "PATCH /services/data/{API_VERSION}/composite/sobjects/{}/{} ({} record{})",
            self.object,
            self.external_id_field,
            self.records.len(),
            if self.records.len() == 1 { "" } else { "s" }
        )
    }

    /// The call.
    pub fn request(&self) -> Request {
        let records: Vec<Value> = self
            .records
            .iter()
            .map(|fields| {
                let mut record = Map::with_capacity(fields.len() + 1);
                record.insert("attributes".to_owned(), json!({"type": self.object}));
                record.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
                Value::Object(record)
            })
            .collect();
        let path = format!(
            "/services/data/{API_VERSION}/composite/sobjects/{}/{}",
            self.object, self.external_id_field
        );
        Request::new(
            Method::PATCH,
            path,
            RetrySafety::ReplaySafe,
            format!("salesforce:PATCH composite/sobjects/{}", self.object),
        )
        .body(Body::Json(json!({"allOrNone": false, "records": records})))
    }

    /// Reads the answer: one outcome per record, paired with its External ID, in order.
    pub fn outcomes(&self, response: &Response) -> Result<Vec<(String, RecordOutcome)>, UpsertError> {
        let bad = |reason: String| UpsertError::BadAnswer {
            object: self.object.clone(),
            reason,
        };
        let results: Vec<SaveResult> = response.json().map_err(|e| bad(e.to_string()))?;
        if results.len() != self.records.len() {
            return Err(bad(format!(
                "{} results for {} records",
                results.len(),
                self.records.len()
            )));
        }
        Ok(self
            .keys
            .iter()
            .cloned()
            .zip(results.into_iter().map(RecordOutcome::from))
            .collect())
    }
}

/// One record's save result, as Salesforce names it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SaveResult {
    /// The record's id (absent when it failed).
    #[serde(default)]
    pub id: Option<String>,
    /// Whether it was saved.
    pub success: bool,
    /// Whether the upsert created it (rather than updated it).
    #[serde(default)]
    pub created: Option<bool>,
    /// Why it was not saved.
    #[serde(default)]
    pub errors: Vec<SaveError>,
}

/// One error of a save result.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveError {
    /// `FIELD_CUSTOM_VALIDATION_EXCEPTION`, `UNABLE_TO_LOCK_ROW`, …
    pub status_code: String,
    /// Salesforce's message (a validation rule's own text).
    pub message: String,
    /// The fields it concerns.
    #[serde(default)]
    pub fields: Vec<String>,
}

/// What became of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordOutcome {
    /// Saved.
    Saved {
        /// The Salesforce id.
        id: String,
        /// Created (rather than updated).
        created: bool,
    },
    /// Not saved, but another attempt may succeed (row lock contention, a busy server).
    Retry {
        /// Salesforce's code.
        code: String,
        /// Salesforce's message.
        message: String,
    },
    /// Refused: the record must be corrected (it goes to the DLQ with this).
    Rejected {
        /// Salesforce's code.
        code: String,
        /// Salesforce's message.
        message: String,
        /// The fields named.
        fields: Vec<String>,
    },
}

impl From<SaveResult> for RecordOutcome {
    fn from(result: SaveResult) -> Self {
        if result.success {
            return Self::Saved {
                id: result.id.unwrap_or_default(),
                created: result.created.unwrap_or(false),
            };
        }
        let Some(first) = result.errors.first() else {
            return Self::Rejected {
                code: "UNKNOWN".to_owned(),
                message: "Salesforce did not save the record and gave no reason".to_owned(),
                fields: Vec::new(),
            };
        };
        // Any contention makes the whole record worth another try; otherwise it is refused,
        // with every error's fields and messages kept.
        if result
            .errors
            .iter()
            .any(|e| is_salesforce_transient(&e.status_code))
        {
            let transient = result
                .errors
                .iter()
                .find(|e| is_salesforce_transient(&e.status_code))
                .unwrap_or(first);
            return Self::Retry {
                code: transient.status_code.clone(),
                message: transient.message.clone(),
            };
        }
        Self::Rejected {
            code: first.status_code.clone(),
            message: result
                .errors
                .iter()
                .map(|e| e.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            fields: result
                .errors
                .iter()
                .flat_map(|e| e.fields.iter().cloned())
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use reqwest::header::HeaderMap;

    use super::*;

    fn record(key: &str, name: &str) -> Map<String, Value> {
        let Value::Object(m) = json!({"Stripe_Customer_Id__c": key, "Name": name}) else {
            return Map::new();
        };
        m
    }

    fn answer(body: Value) -> Response {
        Response {
            status: 200,
            headers: HeaderMap::new(),
            body: serde_json::to_vec(&body).unwrap_or_default(),
            endpoint: "salesforce:PATCH composite/sobjects/Account".to_owned(),
            attempts: 1,
        }
    }

    #[test]
    fn a_batch_is_one_patch_with_typed_records_and_partial_success() {
        let mut batch =
            UpsertBatch::new("Account", "Stripe_Customer_Id__c").unwrap_or_else(|e| panic!("{e}"));
        batch
            .push(record("cus_1", "Acme"))
            .unwrap_or_else(|e| panic!("{e}"));
        batch
            .push(record("cus_2", "Globex"))
            .unwrap_or_else(|e| panic!("{e}"));
        let req = batch.request();
        assert_eq!(req.method, Method::PATCH);
        assert_eq!(
            req.path,
            "/services/data/v66.0/composite/sobjects/Account/Stripe_Customer_Id__c"
        );
        let Body::Json(body) = &req.body else {
            panic!("not JSON: {:?}", req.body)
        };
        assert_eq!(body["allOrNone"], false);
        assert_eq!(body["records"][1]["attributes"]["type"], "Account");
        assert_eq!(body["records"][1]["Stripe_Customer_Id__c"], "cus_2");
        assert!(
            req.idempotency_key.is_none(),
            "the External ID is the idempotency"
        );
    }

    #[test]
    fn a_batch_refuses_what_salesforce_would_refuse_for_the_whole_call() {
        assert!(matches!(
            UpsertBatch::new("Account; DROP", "Id"),
            Err(UpsertError::BadName { what: "object", .. })
        ));
        assert!(matches!(
            UpsertBatch::new("Payment__c", "Bad__Name___c"),
            Err(UpsertError::BadName { what: "field", .. })
        ));
        let mut batch =
            UpsertBatch::new("Account", "Stripe_Customer_Id__c").unwrap_or_else(|e| panic!("{e}"));
        let missing = batch.push(record("", "No key"));
        assert_eq!(
            missing.err().map(|e| e.to_string()).as_deref(),
            Some("Account record 0: field Stripe_Customer_Id__c: the External ID is missing or empty")
        );
        batch.push(record("cus_1", "A")).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(
            batch.push(record("cus_1", "B")),
            Err(UpsertError::DuplicateKey { .. })
        ));
        for i in 1..COLLECTION_MAX {
            batch
                .push(record(&format!("cus_x{i}"), "n"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert!(batch.is_full());
        assert_eq!(batch.push(record("cus_over", "n")), Err(UpsertError::Full));
    }

    #[test]
    fn each_record_is_judged_on_its_own() {
        let mut batch =
            UpsertBatch::new("Account", "Stripe_Customer_Id__c").unwrap_or_else(|e| panic!("{e}"));
        for k in ["cus_1", "cus_2", "cus_3", "cus_4"] {
            batch.push(record(k, "n")).unwrap_or_else(|e| panic!("{e}"));
        }
        let outcomes = batch
            .outcomes(&answer(json!([
                {"id": "001A", "success": true, "created": true, "errors": []},
                {"id": "001B", "success": true, "created": false, "errors": []},
                {"success": false, "errors": [{"statusCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain exclusive access to this record", "fields": []}]},
                {"success": false, "errors": [{"statusCode": "FIELD_CUSTOM_VALIDATION_EXCEPTION", "message": "Amount must be positive", "fields": ["Amount__c"]}]}
            ])))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            outcomes,
            vec![
                (
                    "cus_1".to_owned(),
                    RecordOutcome::Saved {
                        id: "001A".into(),
                        created: true
                    }
                ),
                (
                    "cus_2".to_owned(),
                    RecordOutcome::Saved {
                        id: "001B".into(),
                        created: false
                    }
                ),
                (
                    "cus_3".to_owned(),
                    RecordOutcome::Retry {
                        code: "UNABLE_TO_LOCK_ROW".into(),
                        message: "unable to obtain exclusive access to this record".into()
                    }
                ),
                (
                    "cus_4".to_owned(),
                    RecordOutcome::Rejected {
                        code: "FIELD_CUSTOM_VALIDATION_EXCEPTION".into(),
                        message: "Amount must be positive".into(),
                        fields: vec!["Amount__c".into()]
                    }
                ),
            ]
        );
        let short = batch.outcomes(&answer(json!([{"id": "001A", "success": true}])));
        assert!(matches!(short, Err(UpsertError::BadAnswer { .. })), "{short:?}");
    }

    proptest! {
        #[test]
        fn any_save_result_has_exactly_one_outcome(
            success in any::<bool>(),
            codes in proptest::collection::vec("[A-Z_]{1,30}", 0..4),
        ) {
            let result = SaveResult {
                id: success.then(|| "001X".to_owned()),
                success,
                created: Some(false),
                errors: codes.iter().map(|c| SaveError { status_code: c.clone(), message: "m".into(), fields: vec![] }).collect(),
            };
            let outcome = RecordOutcome::from(result);
            let transient = codes.iter().any(|c| is_salesforce_transient(c));
            match outcome {
                RecordOutcome::Saved { .. } => prop_assert!(success),
                RecordOutcome::Retry { .. } => prop_assert!(!success && transient),
                RecordOutcome::Rejected { .. } => prop_assert!(!success && !transient),
            }
        }
    }
}
