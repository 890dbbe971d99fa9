//! The poll: records changed since the watermark become jobs, in `SystemModstamp` order. The
//! watermark moves only past records whose job is stored, so a crash re-reads (and the jobs'
//! idempotency keys absorb the repeats) rather than skipping.

use chrono::{DateTime, Utc};
use paysync_connectors::salesforce::records::{datetime, parse_datetime};
use paysync_store::{NewJob, RunCounts, StoreError};
use serde_json::{Map, Value, json};

use super::{CUSTOMER_JOB, JOB_ATTEMPTS, NAME, SUBSCRIPTION_JOB, Writer};
use crate::scheduler::FlowContext;

/// One kind of change the flow watches.
#[derive(Debug)]
pub(super) struct Watch {
    /// The cursor's source name.
    pub source: &'static str,
    /// The query, given the lower bound of `SystemModstamp` (a SOQL datetime literal).
    pub soql: fn(&str) -> String,
    /// The job of one changed record.
    pub job: fn(&Map<String, Value>, DateTime<Utc>) -> Option<NewJob>,
}

/// Accounts, then won deals (a deal's customer is then usually on its way already).
pub(super) const WATCHES: &[Watch] = &[
    Watch {
        source: "Account",
        soql: |since| {
            format!(
                "SELECT Id, Name, Phone, BillingCity, BillingCountry, Stripe_Customer_Id__c, SystemModstamp \
                 FROM Account WHERE SystemModstamp >= {since} AND Stripe_Deleted__c = false \
                 ORDER BY SystemModstamp ASC, Id ASC"
            )
        },
        job: customer_job,
    },
    Watch {
        source: "Opportunity",
        soql: |since| {
            format!(
                "SELECT Id, Name, AccountId, SystemModstamp FROM Opportunity \
                 WHERE StageName = 'Closed Won' AND Stripe_Subscription_Id__c = null \
                 AND SystemModstamp >= {since} ORDER BY SystemModstamp ASC, Id ASC"
            )
        },
        job: subscription_job,
    },
];

/// The job of one Account change: its key names the record and the change, so a re-read change is
/// one job, and its payload is the record as read (the state the Stripe write is made from).
pub(super) fn customer_job(account: &Map<String, Value>, now: DateTime<Utc>) -> Option<NewJob> {
    let id = account.get("Id")?.as_str()?;
    let stamp = account.get("SystemModstamp")?.as_str()?;
    let mut snapshot = account.clone();
    snapshot.remove("attributes");
    Some(NewJob {
        kind: CUSTOMER_JOB.to_owned(),
        payload: json!({"account": snapshot}),
        idempotency_key: format!("{CUSTOMER_JOB}:{id}:{stamp}"),
        // One Account's changes are sent one at a time, in order.
        concurrency_key: Some(id.to_owned()),
        max_attempts: JOB_ATTEMPTS,
        run_at: now,
        replay_safe: true,
    })
}

/// The job of one won deal: one per Opportunity, ever.
pub(super) fn subscription_job(opportunity: &Map<String, Value>, now: DateTime<Utc>) -> Option<NewJob> {
    let id = opportunity.get("Id")?.as_str()?;
    let mut snapshot = opportunity.clone();
    snapshot.remove("attributes");
    Some(NewJob {
        kind: SUBSCRIPTION_JOB.to_owned(),
        payload: json!({"opportunity": snapshot}),
        idempotency_key: format!("{SUBSCRIPTION_JOB}:{id}"),
        concurrency_key: Some(id.to_owned()),
        max_attempts: JOB_ATTEMPTS,
        run_at: now,
        replay_safe: true,
    })
}

/// Reads one watch's changes and stores their jobs, then moves its watermark.
pub(super) async fn poll(
    writer: &Writer,
    ctx: &FlowContext,
    watch: &Watch,
    counts: &mut RunCounts,
) -> Result<(), String> {
    let store = &ctx.store;
    let now = ctx.clock.now();
    let saved = store
        .cursors()
        .get(NAME, watch.source)
        .await
        .map_err(|e| e.to_string())?;
    let Some(watermark) = saved.as_deref().and_then(parse_datetime) else {
        // The first run starts watching now: switching the flow on must not turn every existing
        // Account into a Stripe customer.
        store
            .cursors()
            .set(NAME, watch.source, &datetime(now), now)
            .await
            .map_err(|e| e.to_string())?;
        return Ok(());
    };
    let since = datetime(watermark - writer.options.overlap);
    let records = writer
        .query_all(&(watch.soql)(&since))
        .await
        .map_err(|e| format!("reading {} changes: {e}", watch.source))?;
    counts.read += records.len() as u64;
    let mut reached = watermark;
    let mut pinned: Option<DateTime<Utc>> = None;
    for record in &records {
        let stamp = record
            .get("SystemModstamp")
            .and_then(Value::as_str)
            .and_then(parse_datetime);
        let (Some(stamp), Some(job)) = (stamp, (watch.job)(record, now)) else {
            counts.failed += 1;
            tracing::warn!(
                source = watch.source,
                "A changed record without Id or SystemModstamp was ignored."
            );
            continue;
        };
        match store.jobs().enqueue(&job, now).await {
            Ok(paysync_store::Enqueued::Created(_)) => counts.written += 1,
            Ok(paysync_store::Enqueued::Existing(_)) => counts.skipped += 1,
            // The record's previous change is still being sent: this change waits for a later
            // run, so the watermark stays before it (the other records go ahead).
            Err(StoreError::Conflict { .. }) => {
                counts.skipped += 1;
                pinned.get_or_insert(stamp);
            }
            Err(e) => return Err(e.to_string()),
        }
        reached = reached.max(stamp);
    }
    if let Some(pin) = pinned {
        reached = reached
            .min(pin - chrono::Duration::milliseconds(1))
            .max(watermark);
    }
    save(ctx, watch, reached, now).await
}

async fn save(
    ctx: &FlowContext,
    watch: &Watch,
    reached: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    ctx.store
        .cursors()
        .set(NAME, watch.source, &datetime(reached), now)
        .await
        .map_err(|e| e.to_string())
}
