//! sObject Collections: create, update, upsert, retrieve and delete up to 200 records in one call
//! (one API call against the allocation). A body the server cannot read fails the whole request
//! (top-level 400); otherwise the answer is 200 with one result per record, in order, each with
//! `errors: [{statusCode, message, fields}]`. With `allOrNone`, any failure rolls everything back
//! and the other records report `ALL_OR_NONE_OPERATION_ROLLED_BACK`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value};

use super::SalesforceSim;
use super::gate::Session;
use super::ids;
use super::org::Undo;
use super::rest::{flag, json_object, object_or_404};
use super::schema::{self, ObjectDef};
use super::sobjects::key_field;
use super::soql::render_record;
use super::state::State as SimState;
use super::value::Decoded;
use super::wire::{SfError, rolled_back, save_failed, save_ok};
use super::write::{self, Body, WriteCtx, decode_body};

/// Records per request.
const MAX_RECORDS: usize = 200;
/// Ids per retrieve request.
const MAX_RETRIEVE_IDS: usize = 2000;

type Params = Query<HashMap<String, String>>;

fn too_many(max: usize) -> SfError {
    SfError::bad(
        "EXCEEDED_ID_LIMIT",
        format!("record limit reached. cannot submit more than {max} records in this operation"),
    )
}

/// A saved record: its id, `created` for upserts, and whether it existed before.
struct Saved {
    id: String,
    created: Option<bool>,
    existed: bool,
}

type Outcome = Result<Saved, (Option<String>, SfError)>;

/// `{allOrNone, records}` with each record's type and decoded body.
/// Records of a collection request with their types.
type Records = Vec<(&'static ObjectDef, Map<String, Value>)>;

fn read_records(body: &[u8]) -> Result<(bool, Records), SfError> {
    let m = json_object(body)?;
    let all_or_none = match m.get("allOrNone") {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    };
    let Some(records) = m.get("records").and_then(Value::as_array) else {
        return Err(SfError::json("records: a list of sObjects is required"));
    };
    if records.len() > MAX_RECORDS {
        return Err(too_many(MAX_RECORDS));
    }
    let mut out = vec![];
    for r in records {
        let Some(rec) = r.as_object() else {
            return Err(SfError::json(
                "Cannot deserialize instance of SObject from a non-object value",
            ));
        };
        let ty = rec
            .get("attributes")
            .and_then(|a| a.get("type"))
            .and_then(Value::as_str);
        let Some(ty) = ty else {
            return Err(SfError::bad("INVALID_TYPE", "Must send a concrete entity type."));
        };
        let obj = schema::object(ty)
            .ok_or_else(|| SfError::bad("INVALID_TYPE", format!("sObject type '{ty}' is not supported.")))?;
        out.push((obj, rec.clone()));
    }
    Ok((all_or_none, out))
}

/// Runs one outcome per record under one lock; rolls back everything on failure with allOrNone.
fn run(
    sim: &SalesforceSim,
    user_id: &str,
    all_or_none: bool,
    n: usize,
    mut each: impl FnMut(&mut SimState, &WriteCtx<'_>, &mut Undo, usize) -> Outcome,
) -> Vec<Value> {
    let now = sim.now();
    let mut st = sim.lock();
    let ctx = WriteCtx {
        now,
        user_id,
        mode: write::Mode::Api,
        rng: sim.rng(),
    };
    let mut undo = Undo::new();
    let outcomes: Vec<Outcome> = (0..n).map(|i| each(&mut st, &ctx, &mut undo, i)).collect();
    let failed = outcomes.iter().any(Result::is_err);
    if all_or_none && failed {
        st.org.rollback(undo);
    }
    outcomes
        .iter()
        .map(|o| match o {
            Err((id, e)) => save_failed(id.as_deref(), e),
            Ok(s) if all_or_none && failed => save_failed(s.existed.then_some(s.id.as_str()), &rolled_back()),
            Ok(s) => save_ok(&s.id, s.created),
        })
        .collect()
}

fn decode_all(records: &[(&'static ObjectDef, Map<String, Value>)]) -> Result<Vec<Body>, SfError> {
    records.iter().map(|(obj, m)| decode_body(obj, m)).collect()
}

/// `POST /composite/sobjects`: create (mixed types allowed).
pub(crate) async fn create(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    body: Bytes,
) -> Response {
    let (all_or_none, records) = match read_records(&body) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let bodies = match decode_all(&records) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let results = run(
        &sim,
        &s.user_id,
        all_or_none,
        records.len(),
        |st, ctx, undo, i| {
            write::create(st, records[i].0, &bodies[i], ctx, undo)
                .map(|id| Saved {
                    id,
                    created: None,
                    existed: false,
                })
                .map_err(|e| (None, e))
        },
    );
    Json(results).into_response()
}

/// `PATCH /composite/sobjects`: update (each record carries its `Id`).
pub(crate) async fn update(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    body: Bytes,
) -> Response {
    let (all_or_none, records) = match read_records(&body) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let mut bodies = match decode_all(&records) {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let given_ids: Vec<Option<String>> = bodies
        .iter_mut()
        .map(|b| match b.take("Id") {
            Some(Decoded::Value(v)) => Some(v.display()),
            _ => None,
        })
        .collect();
    let results = run(
        &sim,
        &s.user_id,
        all_or_none,
        records.len(),
        |st, ctx, undo, i| {
            let obj = records[i].0;
            let Some(raw) = &given_ids[i] else {
                let e = SfError::on_fields("MISSING_ARGUMENT", "Id not specified in an update call", vec![]);
                return Err((None, e));
            };
            let id = match ids::normalize(raw) {
                Some(id) if ids::prefix(&id) == obj.key_prefix => id,
                _ => {
                    let e = SfError::on_fields(
                        "MALFORMED_ID",
                        format!("Id: malformed id {raw}"),
                        vec!["Id".to_owned()],
                    );
                    return Err((Some(raw.clone()), e));
                }
            };
            let result = write::update(st, obj, &id, &bodies[i], ctx, undo).map_err(|e| {
                // Within a collection a missing record is a bad cross reference, not a 404.
                let e = if e.code == "NOT_FOUND" {
                    SfError::on_fields(
                        "INVALID_CROSS_REFERENCE_KEY",
                        "invalid cross reference id",
                        vec![],
                    )
                } else {
                    e
                };
                (Some(id.clone()), e)
            });
            result.map(|()| Saved {
                id,
                created: None,
                existed: true,
            })
        },
    );
    Json(results).into_response()
}

/// `PATCH /composite/sobjects/{Object}/{ExtIdField}`: upsert (one type; key in each record).
pub(crate) async fn upsert(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Path((_, name, field)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let prepared = object_or_404(&name).and_then(|obj| {
        let f = key_field(obj, &field)?;
        let (all_or_none, records) = read_records(&body)?;
        if let Some((other, _)) = records.iter().find(|(o, _)| o.name != obj.name) {
            return Err(SfError::bad(
                "INVALID_TYPE",
                format!(
                    "Upsert by {} on {} cannot include {} records",
                    f.name, obj.name, other.name
                ),
            ));
        }
        Ok((obj, f, all_or_none, decode_all(&records)?))
    });
    let (obj, f, all_or_none, bodies) = match prepared {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let keys: Vec<Option<String>> = bodies
        .iter()
        .map(|b| match b.get(f.name) {
            Some(Decoded::Value(v)) => Some(v.index_key(f.case_sensitive)),
            _ => None,
        })
        .collect();
    let results = run(&sim, &s.user_id, all_or_none, bodies.len(), |st, ctx, undo, i| {
        let body = &bodies[i];
        let value = match body.get(f.name) {
            Some(Decoded::Value(v)) => v.clone(),
            _ if f.name == "Id" => {
                let id = write::create(st, obj, body, ctx, undo).map_err(|e| (None, e))?;
                return Ok(Saved {
                    id,
                    created: Some(true),
                    existed: false,
                });
            }
            _ => {
                let e = SfError::on_fields("MISSING_ARGUMENT", format!("{} not specified", f.name), vec![]);
                return Err((None, e));
            }
        };
        if keys.iter().filter(|k| k.is_some() && **k == keys[i]).count() > 1 {
            let msg = format!("Duplicate external id specified: {}", value.display());
            return Err((None, SfError::on_fields("DUPLICATE_VALUE", msg, vec![])));
        }
        let found: Vec<String> = st
            .org
            .matching(obj, f, &value)
            .iter()
            .map(|r| r.id().to_owned())
            .collect();
        match found.as_slice() {
            [] if f.name == "Id" => Err((
                None,
                SfError::on_fields("NOT_FOUND", "invalid cross reference id", vec![]),
            )),
            [] => write::create(st, obj, body, ctx, undo)
                .map(|id| Saved {
                    id,
                    created: Some(true),
                    existed: false,
                })
                .map_err(|e| (None, e)),
            [id] => write::update(st, obj, id, body, ctx, undo)
                .map(|()| Saved {
                    id: id.clone(),
                    created: Some(false),
                    existed: true,
                })
                .map_err(|e| (Some(id.clone()), e)),
            many => {
                let msg = format!(
                    "{}: more than one record found for external id field: [{}]",
                    f.name,
                    many.join(", ")
                );
                Err((None, SfError::on_fields("DUPLICATE_EXTERNAL_ID", msg, vec![])))
            }
        }
    });
    Json(results).into_response()
}

fn split_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => s
            .split(',')
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect(),
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => vec![],
    }
}

fn retrieve_records(
    sim: &SalesforceSim,
    s: &Session,
    name: &str,
    ids_in: &[String],
    fields_in: &[String],
) -> Response {
    let result = object_or_404(name).and_then(|obj| {
        if ids_in.is_empty() || fields_in.is_empty() {
            return Err(SfError::bad("MISSING_ARGUMENT", "ids and fields are required"));
        }
        if ids_in.len() > MAX_RETRIEVE_IDS {
            return Err(too_many(MAX_RETRIEVE_IDS));
        }
        let fields = fields_in
            .iter()
            .map(|n| {
                obj.field(n).ok_or_else(|| {
                    SfError::bad(
                        "INVALID_FIELD",
                        format!("No such column '{n}' on entity '{}'", obj.name),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let st = sim.lock();
        Ok(ids_in
            .iter()
            .map(|raw| {
                let rec = ids::normalize(raw)
                    .and_then(|id| st.org.get_in(obj, &id))
                    .filter(|r| !r.deleted());
                rec.map_or(Value::Null, |r| {
                    render_record(&st.org, obj, r, &fields, &s.version)
                })
            })
            .collect::<Vec<_>>())
    });
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /composite/sobjects/{Object}?ids=…&fields=…` (`null` for ids not found).
pub(crate) async fn retrieve(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Path((_, name)): Path<(String, String)>,
    Query(q): Params,
) -> Response {
    let ids_in = split_list(q.get("ids").map(|v| Value::String(v.clone())).as_ref());
    let fields_in = split_list(q.get("fields").map(|v| Value::String(v.clone())).as_ref());
    retrieve_records(&sim, &s, &name, &ids_in, &fields_in)
}

/// `POST /composite/sobjects/{Object}` with `{ids, fields}` (for long id lists).
pub(crate) async fn retrieve_post(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Path((_, name)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    match json_object(&body) {
        Ok(m) => retrieve_records(
            &sim,
            &s,
            &name,
            &split_list(m.get("ids")),
            &split_list(m.get("fields")),
        ),
        Err(e) => e.into_response(),
    }
}

/// `DELETE /composite/sobjects?ids=…&allOrNone=…`.
pub(crate) async fn delete(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Query(q): Params,
) -> Response {
    let ids_in = split_list(q.get("ids").map(|v| Value::String(v.clone())).as_ref());
    if ids_in.is_empty() {
        return SfError::bad("MISSING_ARGUMENT", "ids is required").into_response();
    }
    if ids_in.len() > MAX_RECORDS {
        return too_many(MAX_RECORDS).into_response();
    }
    let all_or_none = flag(q.get("allOrNone"));
    let results = run(&sim, &s.user_id, all_or_none, ids_in.len(), |st, ctx, undo, i| {
        let raw = &ids_in[i];
        let target =
            ids::normalize(raw).and_then(|id| schema::object_by_prefix(ids::prefix(&id)).map(|o| (o, id)));
        let Some((obj, id)) = target else {
            let e = SfError::on_fields("MALFORMED_ID", format!("malformed id {raw}"), vec![]);
            return Err((Some(raw.clone()), e));
        };
        write::delete(st, obj, &id, ctx, undo)
            .map(|()| Saved {
                id: id.clone(),
                created: None,
                existed: true,
            })
            .map_err(|e| {
                let e = if e.code == "NOT_FOUND" {
                    SfError::on_fields(
                        "INVALID_CROSS_REFERENCE_KEY",
                        "invalid cross reference id",
                        vec![],
                    )
                } else {
                    e
                };
                (Some(id.clone()), e)
            })
    });
    Json(results).into_response()
}
