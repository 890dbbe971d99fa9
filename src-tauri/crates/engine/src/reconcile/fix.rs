//! Fix actions: an exception whose Salesforce side is missing or wrong is fixed by writing the
//! provider's record to Salesforce through the normal write path, as a job (retried, and parked
//! in the dead-letter queue with its reason if Salesforce refuses it):
//!
//! - a Stripe charge, refund or dispute is fetched from Stripe now and queued as a
//!   `stripe.salesforce.record` job, which maps it and upserts it on its External ID, exactly as
//!   the sync would have;
//! - a Stripe invoice likewise, as an `Invoice__c`;
//! - a Payoneer payout is queued as the `payouts.outcome` write-back of its item, which upserts
//!   its `Payment_Transaction__c` and sets its request's status (so a request whose status
//!   disagrees is fixed, one whose amount disagrees is not: that is corrected by hand).
//!
//! Each job's idempotency key is derived from the result (a durable record written before), so
//! asking twice queues one write. The result is then marked fixed under the person who asked,
//! with the jobs in its note; the decision is audited. Money never moves to match Salesforce:
//! what is missing at the provider, duplicates and payout tie-outs are explained instead.

use paysync_connectors::stripe::{self, events::ScannedObject};
use paysync_core::SharedClock;
use paysync_core::reconcile::{Record, RecordKind};
use paysync_store::{NewJob, ReconResult, ReconSide, Resolution, ResultCategory, Store};
use serde::Serialize;
use serde_json::{Value, json};

use super::Reconciler;
use crate::EngineError;

/// The exception kinds a write to Salesforce fixes.
pub const FIXABLE_KINDS: [&str; 4] = [
    "missing_in_salesforce",
    "amount_mismatch",
    "currency_mismatch",
    "status_mismatch",
];

/// What a fix did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixReport {
    /// The result, now marked fixed.
    pub result: ReconResult,
    /// The jobs that write the records (already queued ones are named again, not queued twice).
    pub jobs: Vec<i64>,
}

/// Why an exception of `kind` is not fixed by writing to Salesforce.
fn not_fixable(id: i64, kind: &str) -> EngineError {
    let why = match kind {
        "missing_at_provider" => {
            "the record is in Salesforce but not at the provider, and Paysync never moves money to match Salesforce: check the record, then explain it (or delete it in Salesforce)"
        }
        "duplicate" => {
            "it is a second booking of a movement already matched: delete it in Salesforce, then explain it with a note"
        }
        "payout_tie_out" => {
            "a payout that does not tie out is a difference at the provider: explain it with what the bank statement shows"
        }
        _ => "there is no Salesforce record to write for it: explain it with a note",
    };
    EngineError::Refused(format!("result {id} ({kind}) cannot be fixed: {why}"))
}

/// A record as it was last read, with the scopes it was read for (a Payoneer payout is read for
/// two), `preferred` first when it is one of them.
async fn stored(
    store: &Store,
    side: ReconSide,
    id: &str,
    preferred: Option<&str>,
) -> Result<(String, Record), EngineError> {
    let mut found = store.reconciliation().inputs_by_id(side, id).await?;
    found.sort_by_key(|(scope, _)| Some(scope.as_str()) != preferred);
    let (scope, record) = found.into_iter().next().ok_or_else(|| EngineError::NotFound {
        what: "reconciled record",
        id: id.to_owned(),
    })?;
    let record = serde_json::from_value(record)
        .map_err(|e| EngineError::Refused(format!("the stored record {id}: {e}")))?;
    Ok((scope, record))
}

/// Whether two records name a common id (their own or a key): an upsert of one finds the other.
fn linked(a: &Record, b: &Record) -> bool {
    let names = |r: &Record| {
        std::iter::once(r.id.as_str())
            .chain(r.keys.iter().map(|k| k.as_str()))
            .map(str::to_owned)
            .collect::<std::collections::BTreeSet<_>>()
    };
    !names(a).is_disjoint(&names(b))
}

/// The Stripe object a provider record is.
fn stripe_object(record: &Record) -> Result<ScannedObject, EngineError> {
    match record.kind {
        RecordKind::Charge => Ok(ScannedObject::Charge),
        RecordKind::Refund => Ok(ScannedObject::Refund),
        RecordKind::Dispute => Ok(ScannedObject::Dispute),
        RecordKind::Invoice => Ok(ScannedObject::Invoice),
        other => Err(EngineError::Refused(format!(
            "{}: a Stripe {other:?} is not written to Salesforce",
            record.id
        ))),
    }
}

/// The job that writes provider record `id` (read for `scope`) to Salesforce.
async fn job_for(
    r: &Reconciler,
    store: &Store,
    clock: &SharedClock,
    result_id: i64,
    scope: &str,
    record: &Record,
    actor: &str,
) -> Result<NewJob, EngineError> {
    let id = record.id.as_str();
    let now = clock.now();
    match scope {
        "stripe" | "stripe_invoices" => {
            let object = stripe_object(record)?;
            let executor = r.stripe.as_ref().ok_or_else(|| {
                EngineError::Unavailable(format!("{id} is a Stripe record and Stripe is not connected"))
            })?;
            // Taken before the read: the state read holds every change made until then.
            let fetched_at = clock.now();
            let snapshot: Value = executor
                .send(stripe::PROVIDER, object.retrieve(id))
                .await
                .and_then(|r| r.json())
                .map_err(|e| EngineError::Provider(format!("reading {id} from Stripe: {e}")))?;
            crate::flows::stripe_salesforce::refresh_job(
                &snapshot,
                fetched_at,
                &format!("reconcile_fix:{result_id}:{id}"),
                json!({"reconcile_result": result_id, "asked_by": actor}),
                now,
            )
            .map_err(|e| EngineError::Refused(format!("{id} as read from Stripe: {e}")))
        }
        "payoneer" | "payment_requests" => {
            let item = store
                .payouts()
                .item_by_reference(id)
                .await?
                .ok_or_else(|| EngineError::NotFound {
                    what: "payout item",
                    id: id.to_owned(),
                })?;
            let mut job = crate::payouts::outcome_job(&item, now);
            job.idempotency_key = format!("{}:reconcile_fix:{result_id}", job.idempotency_key);
            Ok(job)
        }
        other => Err(EngineError::Refused(format!(
            "{id}: records read for {other} are not written to Salesforce"
        ))),
    }
}

/// Fixes exception `result_id` by writing its provider records to Salesforce, as `actor`.
pub(crate) async fn fix(
    r: &Reconciler,
    store: &Store,
    clock: &SharedClock,
    result_id: i64,
    actor: &str,
    note: Option<&str>,
) -> Result<FixReport, EngineError> {
    let recon = store.reconciliation();
    let result = recon.result(result_id).await?;
    if result.category != ResultCategory::Exception {
        return Err(EngineError::Refused(format!(
            "result {result_id} is {}, not an exception: only an exception is fixed",
            result.category
        )));
    }
    if let Some(done) = result.resolution {
        return Err(EngineError::Refused(format!(
            "result {result_id} was already {done} by {}",
            result.resolved_by.unwrap_or_default()
        )));
    }
    if !FIXABLE_KINDS.contains(&result.kind.as_str()) || result.provider_ids.is_empty() {
        return Err(not_fixable(result_id, &result.kind));
    }
    let mut booked = Vec::new();
    for sf in &result.salesforce_ids {
        booked.push(stored(store, ReconSide::Salesforce, sf, None).await?);
    }
    // The scope the result came from: its Salesforce records were read for one only.
    let scope = booked.first().map(|(scope, _)| scope.clone());
    if scope.as_deref() == Some("payment_requests") && result.kind != "status_mismatch" {
        return Err(EngineError::Refused(format!(
            "result {result_id} cannot be fixed: a write-back sets a request's status, not what it asked for; correct the Payment_Request__c in Salesforce by hand, or explain the difference"
        )));
    }
    let mut jobs = Vec::new();
    let mut provider = String::new();
    for id in &result.provider_ids {
        let (scope, record) = stored(store, ReconSide::Provider, id, scope.as_deref()).await?;
        // An upsert finds the Salesforce record by the provider's id: one that does not carry
        // it would be left as it is and a second one written.
        for (_, sf) in &booked {
            if !linked(&record, sf) {
                return Err(EngineError::Refused(format!(
                    "result {result_id} cannot be fixed: Salesforce record {} does not carry {id} as its external id, so a write would add a second record; link it in Salesforce and reconcile again, or explain the difference",
                    sf.id
                )));
            }
        }
        provider = record.source.label().to_owned();
        jobs.push(job_for(r, store, clock, result_id, &scope, &record, actor).await?);
    }
    let now = clock.now();
    // The writes are queued before the decision is recorded: a crash in between leaves the
    // result open, and asking again finds the same jobs by their keys.
    let ids: Vec<i64> = store
        .jobs()
        .enqueue_many(&jobs, now)
        .await?
        .into_iter()
        .map(|e| e.id())
        .collect();
    let queued = ids
        .iter()
        .map(|id| format!("#{id}"))
        .collect::<Vec<_>>()
        .join(", ");
    let note = match note.map(str::trim).filter(|n| !n.is_empty()) {
        Some(n) => format!("{n} (written to Salesforce from {provider}: job {queued})"),
        None => format!("Written to Salesforce from {provider}: job {queued}"),
    };
    let result = recon
        .resolve(result_id, Resolution::Fixed, actor, Some(&note), now)
        .await?;
    tracing::info!(result = result_id, jobs = %queued, %actor, "Reconciliation exception fixed by a write to Salesforce.");
    Ok(FixReport { result, jobs: ids })
}
