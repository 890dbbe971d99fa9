//! Write-back: Salesforce learns each item's end. A sent item's outcome becomes a
//! `Payment_Transaction__c` (upserted on `Paysync_Key__c` = the `client_reference_id`, so a
//! repeat changes nothing) and its request's status, payout id and reason are set; a rejected
//! item's request gets `Rejected` with the approver's reason.
//!
//! Each write is a job (replay-safe, retried, and parked in the DLQ with the item if Salesforce
//! refuses it), keyed by the item and its state, so one outcome is written once.

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use paysync_connectors::salesforce::records::{update, upsert};
use paysync_core::retry::RetrySafety;
use paysync_store::{ItemState, Job, NewJob, PayoutItem};
use serde_json::{Map, Value, json};

use super::{OUTCOME_JOB, PayoutSource, Payouts, Tally, major_text, store_failed};
use crate::handler::{JobContext, JobError, JobHandler};
use crate::scheduler::{FlowContext, FlowError};

/// Attempts before an outcome write is parked.
const OUTCOME_ATTEMPTS: u32 = 8;

/// The job that writes `item`'s current state.
pub(crate) fn outcome_job(item: &PayoutItem, now: DateTime<Utc>) -> NewJob {
    NewJob {
        kind: OUTCOME_JOB.to_owned(),
        payload: json!({ "item_id": item.id, "request_id": item.request_id, "state": item.state }),
        idempotency_key: format!("{OUTCOME_JOB}:{}:{}", item.id, item.state),
        concurrency_key: Some(item.request_id.clone()),
        max_attempts: OUTCOME_ATTEMPTS,
        run_at: now,
        replay_safe: true,
    }
}

/// Enqueues the write of every outcome Salesforce has not been told.
pub(super) async fn enqueue(_p: &Payouts, ctx: &FlowContext, tally: &mut Tally) -> Result<(), FlowError> {
    let now = ctx.clock.now();
    let items = ctx
        .store
        .payouts()
        .unreported(5_000)
        .await
        .map_err(|e| store_failed(&e))?;
    let mut created = 0;
    for item in &items {
        let enqueued = ctx
            .store
            .jobs()
            .enqueue(&outcome_job(item, now), now)
            .await
            .map_err(|e| store_failed(&e))?;
        if matches!(enqueued, paysync_store::Enqueued::Created(_)) {
            created += 1;
        }
    }
    tally.add("write_backs", created);
    Ok(())
}

fn sf_datetime(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The `Payment_Transaction__c` fields of a sent item.
pub(crate) fn transaction_fields(item: &PayoutItem) -> Map<String, Value> {
    let status = match item.state {
        ItemState::Paid => "Completed",
        ItemState::Failed => "Failed",
        ItemState::Cancelled => "Cancelled",
        _ => "Processing",
    };
    let mut f = Map::new();
    let link = PayoutSource::of_record(&item.request_id).paths().transaction_link;
    f.insert(link.into(), json!(item.request_id));
    f.insert("Provider__c".into(), json!("Payoneer"));
    f.insert("Status__c".into(), json!(status));
    f.insert("Amount__c".into(), money(item.amount_minor, &item.currency));
    f.insert("Currency__c".into(), json!(item.currency));
    f.insert("Payout_Id__c".into(), json!(item.payout_id));
    f.insert(
        "Fee__c".into(),
        item.fee_minor
            .map_or(Value::Null, |fee| money(fee, &item.currency)),
    );
    f.insert(
        "Target_Amount__c".into(),
        item.target_amount.as_deref().map_or(Value::Null, exact_number),
    );
    f.insert("Target_Currency__c".into(), json!(item.target_currency));
    f.insert(
        "Failure_Reason__c".into(),
        json!(item.reason.as_deref().map(|r| truncate(r, 255))),
    );
    if item.state == ItemState::Paid {
        f.insert("Completed_At__c".into(), json!(sf_datetime(item.updated_at)));
    }
    f
}

/// A money field: Salesforce takes a JSON number, written from the exact decimal.
fn money(minor: i64, currency: &str) -> Value {
    exact_number(&major_text(minor, currency))
}

/// A decimal text as a JSON number when it is carried exactly, else null (never rounded).
fn exact_number(text: &str) -> Value {
    text.parse()
        .ok()
        .and_then(|d| paysync_connectors::payoneer::amount_number(d).ok())
        .unwrap_or(Value::Null)
}

fn truncate(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The source record's fields for an item's end: a payment request's status, or an
/// Opportunity's payout status (its stage is the sales team's and stays as it is).
pub(crate) fn request_fields(item: &PayoutItem) -> Map<String, Value> {
    let source = PayoutSource::of_record(&item.request_id);
    let status = match (item.state, source) {
        (ItemState::Paid, _) => "Paid",
        (ItemState::Failed, _) => "Failed",
        (ItemState::Cancelled, _) => "Cancelled",
        (ItemState::Rejected, _) => "Rejected",
        (_, PayoutSource::PaymentRequest) => "Batched",
        // An Opportunity's payout status has no "in progress" value: it is empty until the end.
        (_, PayoutSource::Opportunity) => "",
    };
    let paths = source.paths();
    let mut f = Map::new();
    f.insert(
        paths.status.into(),
        if status.is_empty() {
            Value::Null
        } else {
            json!(status)
        },
    );
    if let Some(id) = &item.payout_id {
        f.insert("Payout_Id__c".into(), json!(id));
    }
    if item.state != ItemState::Paid {
        f.insert(
            paths.reason.into(),
            json!(item.reason.as_deref().map(|r| truncate(r, 255))),
        );
    }
    f
}

/// Writes one item's outcome to Salesforce.
#[derive(Debug, Clone)]
pub struct OutcomeJobHandler {
    payouts: Payouts,
}

impl OutcomeJobHandler {
    pub(crate) fn new(payouts: Payouts) -> Self {
        Self { payouts }
    }
}

#[async_trait]
impl JobHandler for OutcomeJobHandler {
    fn kind(&self) -> &str {
        OUTCOME_JOB
    }

    fn retry_safety(&self) -> RetrySafety {
        RetrySafety::ReplaySafe
    }

    async fn run(&self, ctx: &JobContext, job: &Job) -> Result<Option<Value>, JobError> {
        let id = job
            .payload
            .get("item_id")
            .and_then(Value::as_i64)
            .ok_or_else(|| JobError::terminal("payload", "the job carries no item_id"))?;
        let item = ctx
            .store
            .payouts()
            .item(id)
            .await
            .map_err(|e| JobError::retriable("store", e.to_string(), None))?;
        let label = item
            .request_name
            .clone()
            .unwrap_or_else(|| item.request_id.clone());
        let object = PayoutSource::of_record(&item.request_id).object();
        let failed = |what: &str, e: &paysync_connectors::http::HttpError| {
            JobError::from_failure(
                &e.failure(),
                RetrySafety::ReplaySafe,
                format!("{what} for {object} {label} ({}): {e}", item.request_id),
            )
        };
        if let Some(reference) = item.client_reference_id.as_deref()
            && item.state != ItemState::Rejected
        {
            self.payouts
                .send_sf(upsert(
                    "Payment_Transaction__c",
                    "Paysync_Key__c",
                    reference,
                    transaction_fields(&item),
                ))
                .await
                .map_err(|e| failed("writing Payment_Transaction__c", &e))?;
        }
        self.payouts
            .send_sf(update(object, &item.request_id, request_fields(&item)))
            .await
            .map_err(|e| failed("updating the request", &e))?;
        ctx.store
            .payouts()
            .mark_reported(item.id, item.state)
            .await
            .map_err(|e| JobError::retriable("store", e.to_string(), None))?;
        Ok(Some(json!({ "state": item.state })))
    }
}
