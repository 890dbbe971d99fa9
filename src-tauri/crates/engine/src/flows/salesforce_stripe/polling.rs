//! The poll: records changed since the watermark become jobs, in `SystemModstamp` order. The
//! watermark moves only past records whose job is stored, so a crash re-reads (and the jobs'
//! idempotency keys absorb the repeats) rather than skipping.

use chrono::{DateTime, Utc};
use paysync_connectors::salesforce::records::{datetime, parse_datetime};
use paysync_store::{NewJob, RunCounts, StoreError};
use serde_json::{Map, Value, json};

use super::accounts::{ACCOUNT_FIELDS, accounts_by_id, with_emails};
use super::{CUSTOMER_JOB, JOB_ATTEMPTS, NAME, SUBSCRIPTION_JOB, Writer};
use crate::scheduler::FlowContext;

/// The kinds of change the flow watches, each with its own watermark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Watch {
    /// Accounts created or changed.
    Accounts,
    /// Contacts created or changed: their Account's billing e-mail may have changed.
    Contacts,
    /// Deals moved to Closed Won.
    WonDeals,
}

/// Accounts and their contacts, then won deals (a deal's customer is then usually on its way).
pub(super) const WATCHES: &[Watch] = &[Watch::Accounts, Watch::Contacts, Watch::WonDeals];

impl Watch {
    /// The cursor's source name.
    const fn source(self) -> &'static str {
        match self {
            Self::Accounts => "Account",
            Self::Contacts => "Contact",
            Self::WonDeals => "Opportunity",
        }
    }
}

/// A changed record's stamp and its job (`None`: nothing to send).
type Change = (DateTime<Utc>, Option<NewJob>);

/// The job of one Account change: its key names the record and the change (`stamp`), so a re-read
/// change is one job, and its payload is the record as read, with its billing e-mail (the state
/// the Stripe write is made from).
pub(super) fn customer_job(account: &Map<String, Value>, stamp: &str, now: DateTime<Utc>) -> Option<NewJob> {
    let id = account.get("Id")?.as_str()?;
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

fn stamp_of(record: &Map<String, Value>) -> Option<(DateTime<Utc>, &str)> {
    let text = record.get("SystemModstamp")?.as_str()?;
    Some((parse_datetime(text)?, text))
}

/// The changes of one watch since `since`, with their jobs.
async fn changes(
    writer: &Writer,
    watch: Watch,
    since: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Option<Change>>, String> {
    let failed = |e: paysync_connectors::http::HttpError| format!("reading {} changes: {e}", watch.source());
    match watch {
        Watch::Accounts => {
            let accounts = writer
                .query_all(&format!(
                    "SELECT {ACCOUNT_FIELDS} FROM Account WHERE SystemModstamp >= {since} \
                     AND Stripe_Deleted__c = false ORDER BY SystemModstamp ASC, Id ASC"
                ))
                .await
                .map_err(failed)?;
            let accounts = with_emails(writer, accounts).await.map_err(failed)?;
            Ok(accounts
                .iter()
                .map(|a| {
                    let (at, text) = stamp_of(a)?;
                    Some((at, customer_job(a, text, now)))
                })
                .collect())
        }
        Watch::Contacts => {
            let contacts = writer
                .query_all(&format!(
                    "SELECT Id, AccountId, SystemModstamp FROM Contact WHERE SystemModstamp >= {since} \
                     AND AccountId != null ORDER BY SystemModstamp ASC, Id ASC"
                ))
                .await
                .map_err(failed)?;
            let ids: Vec<&str> = contacts
                .iter()
                .filter_map(|c| c.get("AccountId").and_then(Value::as_str))
                .collect();
            let accounts = accounts_by_id(writer, &ids).await.map_err(failed)?;
            Ok(contacts
                .iter()
                .map(|c| {
                    let (at, text) = stamp_of(c)?;
                    let account = c
                        .get("AccountId")
                        .and_then(Value::as_str)
                        .and_then(|id| accounts.get(id))
                        .filter(|a| a.get("Stripe_Deleted__c") != Some(&Value::Bool(true)));
                    let job = account.and_then(|account| {
                        // The customer's state is as new as the newer of the two records.
                        let mut snapshot = account.clone();
                        let account_at = stamp_of(account).map(|(t, _)| t);
                        if account_at.is_none_or(|t| t < at) {
                            snapshot.insert("SystemModstamp".to_owned(), json!(text));
                        }
                        let key = format!(
                            "contact-{}-{text}",
                            c.get("Id").and_then(Value::as_str).unwrap_or_default()
                        );
                        customer_job(&snapshot, &key, now)
                    });
                    Some((at, job))
                })
                .collect())
        }
        Watch::WonDeals => {
            let deals = writer
                .query_all(&format!(
                    "SELECT Id, Name, AccountId, SystemModstamp FROM Opportunity \
                     WHERE StageName = 'Closed Won' AND Stripe_Subscription_Id__c = null \
                     AND SystemModstamp >= {since} ORDER BY SystemModstamp ASC, Id ASC"
                ))
                .await
                .map_err(failed)?;
            Ok(deals
                .iter()
                .map(|d| {
                    let (at, _) = stamp_of(d)?;
                    Some((at, subscription_job(d, now)))
                })
                .collect())
        }
    }
}

/// Reads one watch's changes and stores their jobs, then moves its watermark.
pub(super) async fn poll(
    writer: &Writer,
    ctx: &FlowContext,
    watch: Watch,
    counts: &mut RunCounts,
) -> Result<(), String> {
    let store = &ctx.store;
    let now = ctx.clock.now();
    let source = watch.source();
    let saved = store
        .cursors()
        .get(NAME, source)
        .await
        .map_err(|e| e.to_string())?;
    let Some(watermark) = saved.as_deref().and_then(parse_datetime) else {
        // The first run starts watching now: switching the flow on must not turn every existing
        // Account into a Stripe customer.
        return save(ctx, source, now, now).await;
    };
    let since = datetime(watermark - writer.options.overlap);
    let changes = changes(writer, watch, &since, now).await?;
    counts.read += changes.len() as u64;
    let mut reached = watermark;
    let mut pinned: Option<DateTime<Utc>> = None;
    for change in changes {
        let Some((stamp, job)) = change else {
            counts.failed += 1;
            tracing::warn!(
                source,
                "A changed record without Id or SystemModstamp was ignored."
            );
            continue;
        };
        reached = reached.max(stamp);
        let Some(job) = job else {
            counts.skipped += 1;
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
    }
    if let Some(pin) = pinned {
        reached = reached
            .min(pin - chrono::Duration::milliseconds(1))
            .max(watermark);
    }
    save(ctx, source, reached, now).await
}

async fn save(
    ctx: &FlowContext,
    source: &str,
    reached: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), String> {
    ctx.store
        .cursors()
        .set(NAME, source, &datetime(reached), now)
        .await
        .map_err(|e| e.to_string())
}
