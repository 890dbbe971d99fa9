//! The workflow events API: `GET /workflows/events/{eventId}` and
//! `GET /workflows/events/subject/{subjectId}` (the links every webhook carries), for
//! reconciling missed webhooks.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde_json::{Value, json};

use super::CheckoutSim;
use super::reply::Reply;
use super::state::EventRecord;
use super::wire::ts;

fn source_of(e: &EventRecord) -> &'static str {
    if e.subject_id.starts_with("dsp_") {
        "disputes"
    } else {
        "gateway"
    }
}

/// `GET /workflows/events/{id}` (spec `get-event-response`).
pub(crate) async fn event(
    State(sim): State<Arc<CheckoutSim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Reply {
    if let Err(reply) = sim.authorize(&headers, "flow:events") {
        return reply;
    }
    let state = sim.lock();
    let Some(e) = state.events.iter().find(|e| e.id == id) else {
        return Reply::not_found();
    };
    let envelope: Value = serde_json::from_str(&e.body).unwrap_or(Value::Null);
    let invocations: Vec<Value> = state
        .receivers
        .values()
        .filter(|r| r.event_types.is_empty() || r.event_types.contains(&e.event_type))
        .map(|r| {
            let tries = state
                .deliveries
                .iter()
                .filter(|d| d.event_id == e.id && d.receiver_id == r.id);
            let succeeded = tries.clone().any(|d| d.status.is_some_and(|s| (200..300).contains(&s)));
            let status = if succeeded {
                "successful"
            } else if tries.count() > 0 {
                "failed"
            } else {
                "pending"
            };
            json!({
                "workflow_id": r.id,
                "workflow_action_id": format!("wfa_{}", &r.id[3..]),
                "status": status,
                "_links": { "self": { "href": format!("{}/workflows/events/{}/actions/wfa_{}", sim.ctx.base_url, e.id, &r.id[3..]) } },
            })
        })
        .collect();
    Reply::json(
        StatusCode::OK,
        json!({
            "id": e.id,
            "source": source_of(e),
            "type": e.event_type,
            "timestamp": ts(e.created_on),
            "version": envelope["version"],
            "data": envelope["data"],
            "action_invocations": invocations,
            "_links": { "self": { "href": format!("{}/workflows/events/{}", sim.ctx.base_url, e.id) } },
        }),
    )
}

/// `GET /workflows/events/subject/{id}` (spec `subject-events-response`), oldest first.
pub(crate) async fn subject(
    State(sim): State<Arc<CheckoutSim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Reply {
    if let Err(reply) = sim.authorize(&headers, "flow:events") {
        return reply;
    }
    let state = sim.lock();
    let data: Vec<Value> = state
        .events
        .iter()
        .filter(|e| e.subject_id == id)
        .map(|e| {
            json!({
                "id": e.id,
                "type": e.event_type,
                "timestamp": ts(e.created_on),
                "_links": { "self": { "href": format!("{}/workflows/events/{}", sim.ctx.base_url, e.id) } },
            })
        })
        .collect();
    if data.is_empty() && !state.payments.contains_key(&id) && !state.disputes.contains_key(&id) {
        return Reply::not_found();
    }
    Reply::json(StatusCode::OK, json!({ "data": data }))
}
