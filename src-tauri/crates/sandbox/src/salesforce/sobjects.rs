//! Single-record sObject resources: create (`POST /sobjects/{Object}`), read / update / delete
//! (`/sobjects/{Object}/{Id}`), and read / upsert / delete by External ID
//! (`/sobjects/{Object}/{Field}/{value}`: 201 created, 200 updated, 300 several matches, 404 for a
//! field that is not an External ID).

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::SalesforceSim;
use super::gate::Session;
use super::ids;
use super::rest::{flag, json_object, object_or_404};
use super::schema::{FieldDef, ObjectDef};
use super::soql::render_record;
use super::value::{Decoded, FieldValue, decode};
use super::wire::{SfError, save_ok};
use super::write::{self, decode_body};

type Params = Query<HashMap<String, String>>;

/// The record id in a URL segment, for `obj`.
fn record_id(obj: &ObjectDef, seg: &str) -> Result<String, SfError> {
    match ids::normalize(seg) {
        Some(id) if ids::prefix(&id) == obj.key_prefix => Ok(id),
        Some(_) => Err(SfError::not_found()),
        None => Err(SfError::no_such_external_id_field(seg)),
    }
}

/// The fields of `?fields=A,B` (all fields when absent).
fn field_list(obj: &'static ObjectDef, fields: Option<&String>) -> Result<Vec<&'static FieldDef>, SfError> {
    let Some(list) = fields.filter(|s| !s.trim().is_empty()) else {
        return Ok(obj.all_fields().collect());
    };
    list.split(',')
        .map(str::trim)
        .map(|name| {
            obj.field(name).ok_or_else(|| {
                SfError::bad(
                    "INVALID_FIELD",
                    format!("No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.", obj.name),
                )
            })
        })
        .collect()
}

/// `POST /sobjects/{Object}`.
pub(crate) async fn create(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Path((_, name)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let result = object_or_404(&name).and_then(|obj| {
        let body = decode_body(obj, &json_object(&body)?)?;
        sim.api_write(&s.user_id, |st, ctx, undo| {
            write::create(st, obj, &body, ctx, undo)
        })
    });
    match result {
        Ok(id) => (StatusCode::CREATED, Json(save_ok(&id, None))).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /sobjects/{Object}/{Id}[?fields=…]`.
pub(crate) async fn get_record(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Path((_, name, seg)): Path<(String, String, String)>,
    Query(q): Params,
) -> Response {
    let result = object_or_404(&name).and_then(|obj| {
        let id = record_id(obj, &seg)?;
        let fields = field_list(obj, q.get("fields"))?;
        let st = sim.lock();
        let rec = write::existing(&st, obj, &id)?;
        Ok(render_record(&st.org, obj, &rec, &fields, &s.version))
    });
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `PATCH /sobjects/{Object}/{Id}` → 204.
pub(crate) async fn update(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Path((_, name, seg)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let result = object_or_404(&name).and_then(|obj| {
        let id = record_id(obj, &seg)?;
        let mut body = decode_body(obj, &json_object(&body)?)?;
        if let Some(given) = body.take("Id") {
            let same = matches!(&given, Decoded::Value(FieldValue::Text(t)) if ids::normalize(t).as_deref() == Some(id.as_str()));
            if !same {
                return Err(SfError::on_fields(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    "Id in the request body does not match the record in the URL",
                    vec!["Id".to_owned()],
                ));
            }
        }
        sim.api_write(&s.user_id, |st, ctx, undo| write::update(st, obj, &id, &body, ctx, undo))
    });
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `DELETE /sobjects/{Object}/{Id}` → 204.
pub(crate) async fn delete(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Path((_, name, seg)): Path<(String, String, String)>,
) -> Response {
    let result = object_or_404(&name).and_then(|obj| {
        if !obj.deletable {
            return Err(SfError::bad(
                "METHOD_NOT_ALLOWED",
                "HTTP Method 'DELETE' not allowed. Allowed are HEAD,GET,PATCH",
            )
            .with_status(StatusCode::METHOD_NOT_ALLOWED));
        }
        let id = record_id(obj, &seg)?;
        sim.api_write(&s.user_id, |st, ctx, undo| write::delete(st, obj, &id, ctx, undo))
    });
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

/// The External ID field named in an upsert URL (or `Id`), else 404.
pub(crate) fn key_field(obj: &ObjectDef, name: &str) -> Result<&'static FieldDef, SfError> {
    obj.field(name)
        .filter(|f| f.external_id || f.name == "Id")
        .ok_or_else(|| SfError::no_such_external_id_field(name))
}

/// The typed value of an External ID given as text (URL segment).
pub(crate) fn key_value(f: &FieldDef, raw: &str) -> Result<FieldValue, SfError> {
    match decode(f.kind, &Value::String(raw.to_owned())) {
        Ok(Decoded::Value(v)) => Ok(v),
        _ => Err(SfError::not_found()),
    }
}

/// Live records of `obj` whose `field` is `value`, as (id, url) pairs.
fn matches(
    sim: &SalesforceSim,
    obj: &ObjectDef,
    f: &FieldDef,
    v: &FieldValue,
    version: &str,
) -> Vec<(String, String)> {
    let st = sim.lock();
    st.org
        .matching(obj, f, v)
        .into_iter()
        .map(|r| (r.id().to_owned(), super::soql::record_url(version, obj, r.id())))
        .collect()
}

fn multiple(found: &[(String, String)]) -> Response {
    let urls: Vec<&str> = found.iter().map(|(_, u)| u.as_str()).collect();
    (StatusCode::MULTIPLE_CHOICES, Json(json!(urls))).into_response()
}

/// `GET /sobjects/{Object}/{Field}/{value}`.
pub(crate) async fn get_by_key(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Path((_, name, field, raw)): Path<(String, String, String, String)>,
    Query(q): Params,
) -> Response {
    let result = object_or_404(&name).and_then(|obj| {
        let f = key_field(obj, &field)?;
        let v = key_value(f, &raw)?;
        let fields = field_list(obj, q.get("fields"))?;
        let found = matches(&sim, obj, f, &v, &s.version);
        match found.as_slice() {
            [] => Err(SfError::not_found()),
            [(id, _)] => {
                let st = sim.lock();
                let rec = write::existing(&st, obj, id)?;
                Ok(Json(render_record(&st.org, obj, &rec, &fields, &s.version)).into_response())
            }
            _ => Ok(multiple(&found)),
        }
    });
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `DELETE /sobjects/{Object}/{Field}/{value}`.
pub(crate) async fn delete_by_key(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Path((_, name, field, raw)): Path<(String, String, String, String)>,
) -> Response {
    let result = object_or_404(&name).and_then(|obj| {
        let f = key_field(obj, &field)?;
        let v = key_value(f, &raw)?;
        let found = matches(&sim, obj, f, &v, &s.version);
        match found.as_slice() {
            [] => Err(SfError::not_found()),
            [(id, _)] => {
                sim.api_write(&s.user_id, |st, ctx, undo| write::delete(st, obj, id, ctx, undo))?;
                Ok(StatusCode::NO_CONTENT.into_response())
            }
            _ => Ok(multiple(&found)),
        }
    });
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `PATCH /sobjects/{Object}/{Field}/{value}[?updateOnly=true]`: upsert.
pub(crate) async fn upsert(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Path((_, name, field, raw)): Path<(String, String, String, String)>,
    Query(q): Params,
    body: Bytes,
) -> Response {
    let result = object_or_404(&name).and_then(|obj| {
        let f = key_field(obj, &field)?;
        let map = json_object(&body)?;
        for forbidden in ["Id", f.name] {
            if map.keys().any(|k| k.eq_ignore_ascii_case(forbidden)) {
                return Err(SfError::on_fields(
                    "INVALID_FIELD",
                    format!("{forbidden} is not allowed in the request body of an upsert by {}: the URL gives the key", f.name),
                    vec![forbidden.to_owned()],
                ));
            }
        }
        let mut body = decode_body(obj, &map)?;
        let v = key_value(f, &raw)?;
        let found = matches(&sim, obj, f, &v, &s.version);
        match found.as_slice() {
            [] if f.name == "Id" || flag(q.get("updateOnly")) => Err(SfError::not_found()),
            [] => {
                body.values.push((f, Decoded::Value(v)));
                let id = sim.api_write(&s.user_id, |st, ctx, undo| write::create(st, obj, &body, ctx, undo))?;
                Ok((StatusCode::CREATED, Json(save_ok(&id, Some(true)))).into_response())
            }
            [(id, _)] => {
                sim.api_write(&s.user_id, |st, ctx, undo| write::update(st, obj, id, &body, ctx, undo))?;
                Ok(Json(save_ok(id, Some(false))).into_response())
            }
            _ => Ok(multiple(&found)),
        }
    });
    result.unwrap_or_else(IntoResponse::into_response)
}
