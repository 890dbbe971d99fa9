//! REST resources that are not about records: the version list (`GET /services/data`, open and
//! not counted), a version's resource directory, `/limits`, and the shared request helpers.

use std::sync::Arc;

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value, json};

use super::gate::Session;
use super::schema::{self, ObjectDef};
use super::wire::SfError;
use super::{NEWEST_API_VERSION, OLDEST_API_VERSION, SalesforceSim};

/// Release names of the served API versions.
fn release(v: u32) -> String {
    // v55 = Summer '22; three releases a year (Spring, Summer, Winter of the next year's name).
    let i = v.saturating_sub(55);
    let season = ["Summer", "Winter", "Spring"][usize::try_from(i % 3).unwrap_or(0)];
    let year = 22 + i.div_ceil(3);
    format!("{season} '{year}")
}

/// `GET /services/data`: the versions list.
pub(crate) async fn versions() -> Response {
    let list: Vec<Value> = (OLDEST_API_VERSION..=NEWEST_API_VERSION)
        .map(|v| json!({"label": release(v), "url": format!("/services/data/v{v}.0"), "version": format!("{v}.0")}))
        .collect();
    Json(list).into_response()
}

/// `GET /services/data/vXX.X`: the resource directory.
pub(crate) async fn resources(Extension(s): Extension<Session>) -> Response {
    let base = format!("/services/data/v{}", s.version);
    let names = ["sobjects", "query", "queryAll", "limits", "composite"];
    let map: Map<String, Value> = names
        .iter()
        .map(|n| ((*n).to_owned(), Value::String(format!("{base}/{n}"))))
        .collect();
    Json(Value::Object(map)).into_response()
}

fn limit(max: u64, remaining: u64) -> Value {
    json!({"Max": max, "Remaining": remaining})
}

/// `GET /services/data/vXX.X/limits`.
pub(crate) async fn limits(State(sim): State<Arc<SalesforceSim>>) -> Response {
    let now = sim.now();
    let (used, max) = {
        let mut st = sim.lock();
        (st.usage.used(now), st.usage.daily_limit)
    };
    let fixed = |n: u64| limit(n, n);
    Json(json!({
        "ConcurrentAsyncGetReportInstances": fixed(200),
        "ConcurrentSyncReportRuns": fixed(20),
        "DailyApiRequests": limit(max, max.saturating_sub(used)),
        "DailyAsyncApexExecutions": fixed(250_000),
        "DailyBulkApiBatches": fixed(15_000),
        "DailyBulkV2QueryFileStorageMB": fixed(976_562),
        "DailyBulkV2QueryJobs": fixed(10_000),
        "DataStorageMB": fixed(1024),
        "FileStorageMB": fixed(2048),
        "HourlyODataCallout": fixed(10_000),
        "HourlyPublishedPlatformEvents": fixed(50_000),
        "SingleEmail": fixed(5_000),
    }))
    .into_response()
}

/// The object named in a URL, or 404 `NOT_FOUND`.
pub(crate) fn object_or_404(name: &str) -> Result<&'static ObjectDef, SfError> {
    schema::object(name).ok_or_else(SfError::not_found)
}

/// A JSON request body that must be an object, or `JSON_PARSER_ERROR`.
pub(crate) fn json_object(body: &[u8]) -> Result<Map<String, Value>, SfError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(other) => Err(SfError::json(format!(
            "Cannot deserialize instance of SObject from {} value",
            if other.is_array() {
                "START_ARRAY"
            } else {
                "VALUE_STRING"
            }
        ))),
        Err(e) => Err(SfError::json(format!(
            "Unexpected character or end of input: {e}"
        ))),
    }
}

/// `true` for `true` (any case), as Salesforce reads boolean query parameters.
pub(crate) fn flag(v: Option<&String>) -> bool {
    v.is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn release_names() {
        assert_eq!(super::release(55), "Summer '22");
        assert_eq!(super::release(62), "Winter '25");
        assert_eq!(super::release(66), "Spring '26");
    }
}
