//! Disputes (apis.md §3.5): list with paging and filters, detail, accept, and evidence.
//!
//! Disputes are created through seeding or the admin route (`POST /__sandbox/disputes`); the
//! issuer's later decisions are driven with `POST /__sandbox/disputes/{id}/status`.

use std::sync::Arc;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::reply::{Reply, RequestId, error_body};
use super::state::{Dispute, State as SimState};
use super::wire::ts;
use super::{CheckoutSim, ids};

/// Every `Dispute.status` in the spec.
pub(crate) const STATUSES: &[&str] = &[
    "evidence_required",
    "evidence_under_review",
    "resolved",
    "won",
    "lost",
    "canceled",
    "expired",
    "accepted",
    "arbitration_under_review",
    "arbitration_won",
    "arbitration_lost",
];

/// Every `Dispute.category` in the spec.
pub(crate) const CATEGORIES: &[&str] = &[
    "fraudulent",
    "unrecognized",
    "canceled_recurring",
    "product_service_not_received",
    "not_as_described",
    "credit_not_issued",
    "duplicate",
    "incorrect_amount",
    "general",
];

/// The evidence fields `PUT /disputes/{id}/evidence` accepts (spec `ProvideEvidenceRequest`).
const EVIDENCE_KINDS: &[&str] = &[
    "proof_of_delivery_or_service",
    "invoice_or_receipt",
    "invoice_showing_distinct_transactions",
    "customer_communication",
    "refund_or_cancellation_policy",
    "recurring_transaction_agreement",
    "additional_evidence",
    "proof_of_delivery_or_service_date",
];

/// The webhook for a dispute entering `status`. The 2023 spec lists canceled, evidence_required,
/// expired, lost, resolved and won; the others are named as current docs name them [unverified].
pub(crate) fn event_for(status: &str) -> &'static str {
    match status {
        "evidence_required" => "dispute_evidence_required",
        "evidence_under_review" => "dispute_evidence_submitted",
        "resolved" => "dispute_resolved",
        "won" => "dispute_won",
        "lost" => "dispute_lost",
        "canceled" => "dispute_canceled",
        "expired" => "dispute_expired",
        "accepted" => "dispute_accepted",
        "arbitration_under_review" => "dispute_arbitration_sent_to_scheme",
        "arbitration_won" => "dispute_arbitration_won",
        _ => "dispute_arbitration_lost",
    }
}

/// The event `data` for a dispute.
pub(crate) fn event_data(d: &Dispute) -> Value {
    json!({
        "id": d.id,
        "category": d.category,
        "status": d.status,
        "amount": d.amount,
        "currency": d.currency,
        "reason_code": d.reason_code,
        "payment_id": d.payment_id,
        "payment_action_id": d.payment_action_id,
        "payment_reference": d.payment_reference,
        "evidence_required_by": ts(d.evidence_required_by),
        "received_on": ts(d.received_on),
        "last_update": ts(d.last_update),
    })
}

fn summary(base: &str, d: &Dispute) -> Value {
    let mut v = json!({
        "id": d.id,
        "entity_id": d.entity_id,
        "category": d.category,
        "status": d.status,
        "amount": d.amount,
        "currency": d.currency,
        "reason_code": d.reason_code,
        "payment_id": d.payment_id,
        "payment_arn": d.payment_arn,
        "payment_method": d.payment_method,
        "evidence_required_by": ts(d.evidence_required_by),
        "received_on": ts(d.received_on),
        "last_update": ts(d.last_update),
        "_links": { "self": { "href": format!("{base}/disputes/{}", d.id) } },
    });
    if let Some(obj) = v.as_object_mut() {
        if let Some(a) = &d.payment_action_id {
            obj.insert("payment_action_id".into(), json!(a));
        }
        if let Some(r) = &d.payment_reference {
            obj.insert("payment_reference".into(), json!(r));
        }
    }
    v
}

fn detail_body(base: &str, d: &Dispute) -> Value {
    let mut payment = json!({
        "id": d.payment_id,
        "amount": d.payment_amount,
        "currency": d.currency,
        "method": d.payment_method,
        "arn": d.payment_arn,
        "has_refund": false,
    });
    if let Some(obj) = payment.as_object_mut() {
        if let Some(a) = &d.payment_action_id {
            obj.insert("action_id".into(), json!(a));
        }
        if let Some(at) = d.payment_processed_on {
            obj.insert("processed_on".into(), json!(ts(at)));
        }
    }
    json!({
        "id": d.id,
        "entity_id": d.entity_id,
        "category": d.category,
        "amount": d.amount,
        "currency": d.currency,
        "reason_code": d.reason_code,
        "status": d.status,
        "relevant_evidence": ["proof_of_delivery_or_service", "invoice_or_receipt", "customer_communication"],
        "evidence_required_by": ts(d.evidence_required_by),
        "received_on": ts(d.received_on),
        "last_update": ts(d.last_update),
        "payment": payment,
        "_links": {
            "self": { "href": format!("{base}/disputes/{}", d.id) },
            "evidence": { "href": format!("{base}/disputes/{}/evidence", d.id) },
        },
    })
}

fn paging_error(request_id: &str, code: &str) -> Reply {
    Reply::json(
        StatusCode::UNPROCESSABLE_ENTITY,
        error_body(request_id, "request_invalid", &[code]),
    )
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// `GET /disputes`: newest `last_update` first, `limit` 1–250 (default 50), `skip` ≥ 0.
pub(crate) async fn list(
    State(sim): State<Arc<CheckoutSim>>,
    Extension(rid): Extension<RequestId>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
) -> Reply {
    if let Err(reply) = sim.authorize(&headers, "disputes:view") {
        return reply;
    }
    let get = |k: &str| query.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let limit = match get("limit").map(str::parse::<i64>) {
        None => 50,
        Some(Ok(l)) if (1..=250).contains(&l) => l,
        Some(_) => return paging_error(&rid.0, "paging_limit_invalid"),
    };
    let skip = match get("skip").map(str::parse::<i64>) {
        None => 0,
        Some(Ok(s)) if s >= 0 => s,
        Some(_) => return paging_error(&rid.0, "paging_skip_invalid"),
    };
    let from = match get("from").map(parse_time) {
        None => None,
        Some(Some(t)) => Some(t),
        Some(None) => return paging_error(&rid.0, "paging_from_invalid"),
    };
    let to = match get("to").map(parse_time) {
        None => None,
        Some(Some(t)) => Some(t),
        Some(None) => return paging_error(&rid.0, "paging_to_invalid"),
    };
    let statuses: Option<Vec<&str>> = get("statuses").map(|s| s.split(',').map(str::trim).collect());
    let state = sim.lock();
    let mut matching: Vec<&Dispute> = state
        .disputes
        .values()
        .filter(|d| from.is_none_or(|f| d.last_update >= f))
        .filter(|d| to.is_none_or(|t| d.last_update <= t))
        .filter(|d| statuses.as_ref().is_none_or(|s| s.contains(&d.status.as_str())))
        .filter(|d| get("payment_id").is_none_or(|p| d.payment_id == p))
        .filter(|d| get("id").is_none_or(|i| d.id == i))
        .filter(|d| get("payment_reference").is_none_or(|r| d.payment_reference.as_deref() == Some(r)))
        .collect();
    matching.sort_by(|a, b| b.last_update.cmp(&a.last_update).then_with(|| a.id.cmp(&b.id)));
    let total = matching.len();
    let data: Vec<Value> = matching
        .iter()
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .map(|d| summary(&sim.ctx.base_url, d))
        .collect();
    let mut body = json!({ "limit": limit, "skip": skip, "total_count": total, "data": data });
    if let Some(obj) = body.as_object_mut() {
        for key in ["from", "to", "statuses", "payment_id", "payment_reference", "id"] {
            if let Some(v) = get(key) {
                obj.insert(key.to_owned(), json!(v));
            }
        }
    }
    Reply::json(StatusCode::OK, body)
}

/// `GET /disputes/{id}`.
pub(crate) async fn detail(
    State(sim): State<Arc<CheckoutSim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Reply {
    if let Err(reply) = sim.authorize(&headers, "disputes:view") {
        return reply;
    }
    match sim.lock().disputes.get(&id) {
        Some(d) => Reply::json(StatusCode::OK, detail_body(&sim.ctx.base_url, d)),
        None => Reply::not_found(),
    }
}

impl CheckoutSim {
    /// Moves a dispute to `status`, stamps `last_update` and fires the matching event.
    pub(crate) fn set_dispute_status(&self, state: &mut SimState, id: &str, status: &str, deliver: bool) {
        let now = self.now();
        let Some(d) = state.disputes.get_mut(id) else {
            return;
        };
        d.status = status.to_owned();
        d.last_update = now;
        let data = event_data(d);
        self.emit(state, event_for(status), id, data, now, deliver);
    }
}

/// `POST /disputes/{id}/accept`: concede; only while evidence is still required.
pub(crate) async fn accept(
    State(sim): State<Arc<CheckoutSim>>,
    Extension(rid): Extension<RequestId>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Reply {
    if let Err(reply) = sim.authorize(&headers, "disputes:accept") {
        return reply;
    }
    let mut state = sim.lock();
    match state.disputes.get(&id).map(|d| d.status.clone()) {
        None => Reply::not_found(),
        Some(s) if s == "evidence_required" => {
            sim.set_dispute_status(&mut state, &id, "accepted", true);
            Reply::empty(StatusCode::NO_CONTENT)
        }
        Some(_) => Reply::not_allowed(&rid.0, "dispute_not_accepting"),
    }
}

/// `PUT /disputes/{id}/evidence`: store evidence fields (texts up to 500 characters).
pub(crate) async fn provide_evidence(
    State(sim): State<Arc<CheckoutSim>>,
    Extension(rid): Extension<RequestId>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Reply {
    if let Err(reply) = sim.authorize(&headers, "disputes:provide-evidence") {
        return reply;
    }
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&body) else {
        return Reply::invalid(&rid.0, &["request_body_malformed"]);
    };
    let mut errors = Vec::new();
    let mut accepted = Map::new();
    for (key, value) in fields {
        let kind = key
            .strip_suffix("_file")
            .or_else(|| key.strip_suffix("_text"))
            .filter(|k| EVIDENCE_KINDS.contains(k));
        match (kind, value) {
            (Some(_), Value::String(s)) if !key.ends_with("_text") || s.chars().count() <= 500 => {
                accepted.insert(key, Value::String(s));
            }
            (Some(_), _) => errors.push("evidence_invalid"),
            // Unknown fields are ignored, as serialisers on the real API do.
            (None, _) => {}
        }
    }
    if !errors.is_empty() {
        return Reply::invalid(&rid.0, &errors);
    }
    let now = sim.now();
    let mut state = sim.lock();
    let Some(d) = state.disputes.get_mut(&id) else {
        return Reply::not_found();
    };
    if d.status != "evidence_required" {
        return Reply::not_allowed(&rid.0, "dispute_evidence_not_required");
    }
    d.evidence.extend(accepted);
    d.last_update = now;
    Reply::empty(StatusCode::NO_CONTENT)
}

/// `GET /disputes/{id}/evidence`.
pub(crate) async fn get_evidence(
    State(sim): State<Arc<CheckoutSim>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Reply {
    if let Err(reply) = sim.authorize(&headers, "disputes:view") {
        return reply;
    }
    match sim.lock().disputes.get(&id) {
        Some(d) => Reply::json(StatusCode::OK, Value::Object(d.evidence.clone())),
        None => Reply::not_found(),
    }
}

/// `POST /disputes/{id}/evidence`: submit the provided evidence to the scheme.
pub(crate) async fn submit_evidence(
    State(sim): State<Arc<CheckoutSim>>,
    Extension(rid): Extension<RequestId>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Reply {
    if let Err(reply) = sim.authorize(&headers, "disputes:provide-evidence") {
        return reply;
    }
    let mut state = sim.lock();
    let Some(d) = state.disputes.get(&id) else {
        return Reply::not_found();
    };
    if d.status != "evidence_required" {
        return Reply::not_allowed(&rid.0, "dispute_evidence_not_required");
    }
    if d.evidence.is_empty() {
        return Reply::invalid(&rid.0, &["evidence_required"]);
    }
    sim.set_dispute_status(&mut state, &id, "evidence_under_review", true);
    Reply::empty(StatusCode::NO_CONTENT)
}

/// Creates a dispute on a payment (seeding and admin). Unknown categories and statuses fall back
/// to `general` / `evidence_required`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn create(
    sim: &CheckoutSim,
    state: &mut SimState,
    payment_id: &str,
    amount: i64,
    category: &str,
    status: &str,
    received_on: DateTime<Utc>,
    deliver: bool,
) -> String {
    let rng = &*sim.ctx.rng;
    let category = if CATEGORIES.contains(&category) {
        category
    } else {
        "general"
    };
    let status = if STATUSES.contains(&status) {
        status
    } else {
        "evidence_required"
    };
    let payment = state.payments.get(payment_id);
    let dispute = Dispute {
        id: ids::dispute(rng),
        entity_id: "ent_sandboxentitysandboxentity".to_owned(),
        category: category.to_owned(),
        status: status.to_owned(),
        amount,
        currency: payment.map_or_else(|| "USD".to_owned(), |p| p.currency.clone()),
        reason_code: match category {
            "fraudulent" | "unrecognized" => "10.4",
            "product_service_not_received" => "13.1",
            "not_as_described" => "13.3",
            "credit_not_issued" => "13.6",
            "duplicate" => "12.6.1",
            "incorrect_amount" => "12.5",
            "canceled_recurring" => "13.2",
            _ => "13.7",
        }
        .to_owned(),
        payment_id: payment_id.to_owned(),
        payment_action_id: payment.and_then(|p| p.actions.first()).map(|a| a.id.clone()),
        payment_reference: payment.and_then(|p| p.reference.clone()),
        payment_method: payment
            .and_then(|p| p.source.as_ref())
            .map_or_else(|| "Visa".to_owned(), |c| c.scheme.clone()),
        payment_arn: ids::digits(rng, 23),
        payment_amount: payment.map_or(amount, |p| p.amount),
        payment_processed_on: payment.and_then(|p| p.processed_on),
        evidence_required_by: received_on + chrono::Duration::days(7),
        received_on,
        last_update: received_on,
        evidence: Map::new(),
    };
    let id = dispute.id.clone();
    let data = event_data(&dispute);
    state.disputes.insert(id.clone(), dispute);
    let event = if status == "evidence_required" {
        "dispute_evidence_required"
    } else {
        event_for(status)
    };
    sim.emit(state, event, &id, data, received_on, deliver);
    id
}
