//! `GET /query?q=` and `/queryAll?q=` with server-side cursors: results come in batches of 2,000
//! (or `Sforce-Query-Options: batchSize=N`, 200–2,000); while more remain the response has
//! `done: false` and `nextRecordsUrl: /services/data/vXX.X/query/01g…-2000`. A user keeps at most
//! 10 cursors (the oldest is dropped) and a cursor idle for 15 minutes expires
//! (`INVALID_QUERY_LOCATOR`).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::Duration;
use serde_json::{Value, json};

use super::SalesforceSim;
use super::gate::Session;
use super::ids;
use super::oauth::form;
use super::soql::{Select, bind, execute, parse};
use super::state::Cursor;
use super::wire::SfError;

/// Default and maximum batch size.
const MAX_BATCH: usize = 2000;
/// Smallest batch size a client may ask for.
const MIN_BATCH: usize = 200;
/// Open cursors per user.
const MAX_CURSORS: usize = 10;
/// Idle lifetime of a cursor.
const CURSOR_IDLE_MINUTES: i64 = 15;

/// The batch size from `Sforce-Query-Options: batchSize=N` (clamped to 200–2,000).
fn batch_size(headers: &HeaderMap) -> usize {
    headers
        .get("Sforce-Query-Options")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("batchSize"))
                .and_then(|(_, n)| n.trim().parse::<usize>().ok())
        })
        .map_or(MAX_BATCH, |n| n.clamp(MIN_BATCH, MAX_BATCH))
}

fn next_url(version: &str, locator: &str, offset: usize) -> String {
    format!("/services/data/v{version}/query/{locator}-{offset}")
}

fn page(total: usize, records: &[Value], start: usize, batch: usize, next: Option<String>) -> Value {
    let end = (start + batch).min(records.len());
    let mut body = json!({
        "totalSize": total,
        "done": next.is_none(),
        "records": records.get(start..end).unwrap_or_default(),
    });
    if let (Some(n), Some(obj)) = (next, body.as_object_mut()) {
        obj.insert("nextRecordsUrl".to_owned(), Value::String(n));
    }
    body
}

fn run_query(
    sim: &SalesforceSim,
    s: &Session,
    q: Option<String>,
    headers: &HeaderMap,
    all_rows: bool,
) -> Response {
    let p = form(q.unwrap_or_default().as_bytes());
    let Some(soql) = p.get("q").filter(|s| !s.trim().is_empty()) else {
        return SfError::bad("MALFORMED_QUERY", "A query string has to be specified").into_response();
    };
    let now = sim.now();
    let plan = match parse(soql).and_then(|query| bind(&query, now)) {
        Ok(plan) => plan,
        Err(e) => return e.into_sf(soql).into_response(),
    };
    let batch = batch_size(headers);
    let mut st = sim.lock();
    let out = execute(&plan, &st.org, all_rows, &s.version);
    if matches!(plan.select, Select::CountAll | Select::Count { .. }) || out.records.len() <= batch {
        return Json(page(out.total, &out.records, 0, batch, None)).into_response();
    }
    // Expire idle cursors, then keep at most MAX_CURSORS - 1 so the new one fits.
    st.cursors
        .retain(|_, c| c.last_used + Duration::minutes(CURSOR_IDLE_MINUTES) > now);
    while st.cursors.len() >= MAX_CURSORS {
        let oldest = st
            .cursors
            .iter()
            .min_by_key(|(_, c)| c.opened_seq)
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => st.cursors.remove(&k),
            None => break,
        };
    }
    let locator = ids::new_id(sim.rng(), "01g");
    st.cursor_seq += 1;
    let opened_seq = st.cursor_seq;
    let body = page(
        out.total,
        &out.records,
        0,
        batch,
        Some(next_url(&s.version, &locator, batch)),
    );
    st.cursors.insert(
        locator,
        Cursor {
            records: out.records,
            batch,
            last_used: now,
            opened_seq,
        },
    );
    Json(body).into_response()
}

/// `GET /query?q=…`.
pub(crate) async fn query(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    run_query(&sim, &s, q, &headers, false)
}

/// `GET /queryAll?q=…` (deleted records included).
pub(crate) async fn query_all(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    run_query(&sim, &s, q, &headers, true)
}

/// `GET /query/{locator}-{offset}`: the next batch of a cursor.
pub(crate) async fn query_more(
    State(sim): State<Arc<SalesforceSim>>,
    Extension(s): Extension<Session>,
    Path((_, seg)): Path<(String, String)>,
) -> Response {
    let invalid = || SfError::bad("INVALID_QUERY_LOCATOR", "invalid query locator").into_response();
    let Some((locator, offset)) = seg.rsplit_once('-') else {
        return invalid();
    };
    let Ok(offset) = offset.parse::<usize>() else {
        return invalid();
    };
    let now = sim.now();
    let mut st = sim.lock();
    let Some(cursor) = st.cursors.get_mut(locator) else {
        return invalid();
    };
    if cursor.last_used + Duration::minutes(CURSOR_IDLE_MINUTES) <= now || offset >= cursor.records.len() {
        return invalid();
    }
    cursor.last_used = now;
    let end = offset + cursor.batch;
    let next = (end < cursor.records.len()).then(|| next_url(&s.version, locator, end));
    Json(page(
        cursor.records.len(),
        &cursor.records,
        offset,
        cursor.batch,
        next,
    ))
    .into_response()
}
