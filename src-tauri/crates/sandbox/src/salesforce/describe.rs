//! Describe resources, generated from the schema: `GET /sobjects` (global describe),
//! `GET /sobjects/{Object}` (basic information) and `GET /sobjects/{Object}/describe`.

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::gate::Session;
use super::rest::object_or_404;
use super::schema::{FieldDef, FieldDefault, FieldKind, OBJECTS, ObjectDef};

fn urls(version: &str, o: &ObjectDef) -> Value {
    let base = format!("/services/data/v{version}/sobjects/{}", o.name);
    json!({
        "sobject": base,
        "describe": format!("{base}/describe"),
        "rowTemplate": format!("{base}/{{ID}}"),
    })
}

fn summary(version: &str, o: &ObjectDef) -> Value {
    json!({
        "name": o.name,
        "label": o.label,
        "labelPlural": o.label_plural,
        "keyPrefix": o.key_prefix,
        "custom": o.custom,
        "createable": true,
        "updateable": true,
        "deletable": o.deletable,
        "queryable": true,
        "retrieveable": true,
        "searchable": true,
        "urls": urls(version, o),
    })
}

/// Salesforce's field type name and SOAP type.
fn type_names(kind: FieldKind) -> (&'static str, &'static str) {
    match kind {
        FieldKind::Id => ("id", "tns:ID"),
        FieldKind::Text(_) | FieldKind::AutoNumber(_) => ("string", "xsd:string"),
        FieldKind::TextArea(_) => ("textarea", "xsd:string"),
        FieldKind::Email => ("email", "xsd:string"),
        FieldKind::Url => ("url", "xsd:string"),
        FieldKind::Phone => ("phone", "xsd:string"),
        FieldKind::Boolean => ("boolean", "xsd:boolean"),
        FieldKind::Currency(..) => ("currency", "xsd:double"),
        FieldKind::Number(..) => ("double", "xsd:double"),
        FieldKind::Int => ("int", "xsd:int"),
        FieldKind::Date => ("date", "xsd:date"),
        FieldKind::DateTime => ("datetime", "xsd:dateTime"),
        FieldKind::Picklist { .. } | FieldKind::CurrencyCode => ("picklist", "xsd:string"),
        FieldKind::Reference(_) => ("reference", "tns:ID"),
    }
}

fn field_json(f: &FieldDef) -> Value {
    let (ty, soap) = type_names(f.kind);
    let (length, precision, scale) = match f.kind {
        FieldKind::Text(n) | FieldKind::TextArea(n) => (n, 0, 0),
        FieldKind::Email => (80, 0, 0),
        FieldKind::Url | FieldKind::Picklist { .. } => (255, 0, 0),
        FieldKind::Phone => (40, 0, 0),
        FieldKind::Id | FieldKind::Reference(_) => (18, 0, 0),
        FieldKind::AutoNumber(_) => (30, 0, 0),
        FieldKind::CurrencyCode => (3, 0, 0),
        FieldKind::Currency(p, s) | FieldKind::Number(p, s) => (0, p, s),
        FieldKind::Int => (0, 18, 0),
        _ => (0, 0, 0),
    };
    let default_text = match f.default {
        FieldDefault::Text(t) => Some(t),
        _ => None,
    };
    let picklist: Vec<Value> = match f.kind {
        FieldKind::Picklist { values, .. } => values
            .iter()
            .map(|v| {
                json!({"active": true, "defaultValue": default_text == Some(*v), "label": v, "validFor": null, "value": v})
            })
            .collect(),
        _ => vec![],
    };
    let reference_to: Vec<&str> = match f.kind {
        FieldKind::Reference(to) => vec![to],
        _ => vec![],
    };
    json!({
        "name": f.name,
        "label": f.label,
        "type": ty,
        "soapType": soap,
        "length": length,
        "precision": precision,
        "scale": scale,
        "nillable": f.nillable(),
        "externalId": f.external_id,
        "unique": f.unique,
        "caseSensitive": f.case_sensitive,
        "idLookup": f.external_id || f.name == "Id",
        "createable": f.createable(),
        "updateable": f.updateable(),
        "calculated": false,
        "autoNumber": matches!(f.kind, FieldKind::AutoNumber(_)),
        "custom": f.name.ends_with("__c"),
        "defaultedOnCreate": f.default != FieldDefault::None || matches!(f.kind, FieldKind::AutoNumber(_) | FieldKind::Id),
        "defaultValue": default_text,
        "filterable": !matches!(f.kind, FieldKind::TextArea(_)),
        "sortable": !matches!(f.kind, FieldKind::TextArea(_)),
        "restrictedPicklist": matches!(f.kind, FieldKind::Picklist { restricted: true, .. } | FieldKind::CurrencyCode),
        "picklistValues": picklist,
        "referenceTo": reference_to,
        "relationshipName": f.relationship_name(),
    })
}

/// `GET /services/data/vXX.X/sobjects`.
pub(crate) async fn describe_global(Extension(s): Extension<Session>) -> Response {
    let list: Vec<Value> = OBJECTS.iter().map(|o| summary(&s.version, o)).collect();
    Json(json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list})).into_response()
}

/// `GET /services/data/vXX.X/sobjects/{Object}`.
pub(crate) async fn basic_info(
    Extension(s): Extension<Session>,
    Path((_, name)): Path<(String, String)>,
) -> Response {
    match object_or_404(&name) {
        Ok(o) => Json(json!({"objectDescribe": summary(&s.version, o), "recentItems": []})).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /services/data/vXX.X/sobjects/{Object}/describe`.
pub(crate) async fn describe(
    Extension(s): Extension<Session>,
    Path((_, name)): Path<(String, String)>,
) -> Response {
    let o = match object_or_404(&name) {
        Ok(o) => o,
        Err(e) => return e.into_response(),
    };
    let mut v = summary(&s.version, o);
    if let Some(m) = v.as_object_mut() {
        m.insert("fields".to_owned(), o.all_fields().map(field_json).collect());
        m.insert("childRelationships".to_owned(), json!([]));
        m.insert("recordTypeInfos".to_owned(), json!([]));
    }
    Json(v).into_response()
}
