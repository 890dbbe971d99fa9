//! Salesforce's wire shapes for errors and save results. Top-level REST errors are a JSON array of
//! `{message, errorCode, fields?}`; inside sObject Collections results the same error is
//! `{statusCode, message, fields}` (note the different key).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One Salesforce error, with the HTTP status it gets when it is the whole answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SfError {
    /// HTTP status for a top-level answer.
    pub status: StatusCode,
    /// `errorCode` / `statusCode`, e.g. `REQUIRED_FIELD_MISSING`.
    pub code: &'static str,
    /// Human-readable message, as Salesforce words it.
    pub message: String,
    /// Fields the error is about (`None` omits the key in top-level answers).
    pub fields: Option<Vec<String>>,
}

impl SfError {
    /// A 400 error without fields.
    pub(crate) fn bad(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
            fields: None,
        }
    }

    /// A 400 error naming fields.
    pub(crate) fn on_fields(code: &'static str, message: impl Into<String>, fields: Vec<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code,
            message: message.into(),
            fields: Some(fields),
        }
    }

    /// The same error with another status.
    pub(crate) fn with_status(mut self, status: StatusCode) -> Self {
        self.status = status;
        self
    }

    /// 404 `NOT_FOUND` "The requested resource does not exist".
    pub(crate) fn not_found() -> Self {
        Self::bad("NOT_FOUND", "The requested resource does not exist").with_status(StatusCode::NOT_FOUND)
    }

    /// 404 for a URL segment that is neither a record id nor an External ID field.
    pub(crate) fn no_such_external_id_field(name: &str) -> Self {
        Self::bad(
            "NOT_FOUND",
            format!("Provided external ID field does not exist or is not accessible: {name}"),
        )
        .with_status(StatusCode::NOT_FOUND)
    }

    /// `ENTITY_IS_DELETED` (404 when it is the whole answer).
    pub(crate) fn deleted() -> Self {
        Self::on_fields("ENTITY_IS_DELETED", "entity is deleted", vec![]).with_status(StatusCode::NOT_FOUND)
    }

    /// `JSON_PARSER_ERROR` for an unreadable body.
    pub(crate) fn json(message: impl Into<String>) -> Self {
        Self::bad("JSON_PARSER_ERROR", message)
    }

    /// The top-level array element.
    pub(crate) fn top_level(&self) -> Value {
        let mut v = json!({"message": self.message, "errorCode": self.code});
        if let (Some(fields), Some(obj)) = (&self.fields, v.as_object_mut()) {
            obj.insert("fields".to_owned(), json!(fields));
        }
        v
    }

    /// The element inside a collection result's `errors`.
    pub(crate) fn in_result(&self) -> Value {
        json!({
            "statusCode": self.code,
            "message": self.message,
            "fields": self.fields.clone().unwrap_or_default(),
        })
    }
}

impl IntoResponse for SfError {
    fn into_response(self) -> Response {
        (self.status, Json(json!([self.top_level()]))).into_response()
    }
}

/// The rollback error given to every other record of a failed `allOrNone` request.
pub(crate) fn rolled_back() -> SfError {
    SfError::on_fields(
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "Record rolled back because not all records were valid and the request was using AllOrNone header",
        vec![],
    )
}

/// A successful save result `{id, success: true, errors: []}` (plus `created` for upserts).
pub(crate) fn save_ok(id: &str, created: Option<bool>) -> Value {
    let mut v = json!({"id": id, "success": true, "errors": []});
    if let (Some(c), Some(obj)) = (created, v.as_object_mut()) {
        obj.insert("created".to_owned(), Value::Bool(c));
    }
    v
}

/// A failed save result; `id` only when the record already existed.
pub(crate) fn save_failed(id: Option<&str>, error: &SfError) -> Value {
    let mut v = json!({"success": false, "errors": [error.in_result()]});
    if let (Some(id), Some(obj)) = (id, v.as_object_mut()) {
        obj.insert("id".to_owned(), Value::String(id.to_owned()));
    }
    v
}

/// An OAuth endpoint error: HTTP 400 `{"error", "error_description"}`.
pub(crate) fn oauth_error(error: &str, description: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}
