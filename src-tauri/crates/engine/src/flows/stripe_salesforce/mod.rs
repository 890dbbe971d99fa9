//! `stripe.salesforce`: applies the Stripe inbox (webhooks and the `stripe.events` poll) to
//! Salesforce. Each run reads the unprocessed events in batches; per object only the newest state
//! is written ([`plan`]), never one older than what is already applied; the records are mapped by
//! the versioned mapping documents and upserted on their External ID through sObject Collections,
//! parents before children ([`apply`]).
//!
//! Nothing is lost: a record Salesforce refuses (a validation rule) or the mapping refuses goes to
//! the dead-letter queue as a [`RECORD_JOB`] job carrying its whole event, which an operator can
//! correct and replay; lock contention is retried, and what still fails, or what the API share or
//! an outage leaves undone, stays unprocessed for the next run. The applied versions and the
//! processed marks are committed together, after the writes: a crash in between re-sends the same
//! idempotent upserts, never an older state.

mod apply;
mod mappings;
mod matching;
mod plan;
mod record_job;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use paysync_connectors::http::Executor;
use paysync_connectors::stripe::events::{Event, check_event};
use paysync_store::{AppliedVersion, NewJob, RunCounts};
use serde_json::{Value, json};

pub use apply::ApplyOptions;
use apply::{Applier, Settled};
pub use mappings::StripeMappings;
use plan::{Candidate, Change, Decision, ObjectKey, coalesce_into, decide};
pub use record_job::RecordJobHandler;

use crate::flows::stripe_events::SOURCE;
use crate::scheduler::{Flow, FlowContext, FlowError};

/// The flow's name.
pub const NAME: &str = "stripe.salesforce";
/// The job kind of one record that could not be written: its dead letter and its replay.
pub const RECORD_JOB: &str = "stripe.salesforce.record";
/// Attempts of a record job before it is dead-lettered for a failure that may clear up.
const RECORD_JOB_ATTEMPTS: u32 = 5;

/// The flow. Build it with the Stripe and Salesforce executors; register its
/// [`StripeToSalesforceFlow::record_handler`] too, so dead letters can be replayed.
#[derive(Debug, Clone)]
pub struct StripeToSalesforceFlow {
    applier: Applier,
}

impl StripeToSalesforceFlow {
    /// A flow writing with `mappings` through the two executors.
    pub fn new(
        stripe: Executor,
        salesforce: Executor,
        mappings: StripeMappings,
        options: ApplyOptions,
    ) -> Self {
        Self {
            applier: Applier {
                stripe,
                salesforce,
                mappings: Arc::new(mappings),
                options,
                usage: Arc::new(Mutex::new(None)),
                calls: Arc::default(),
                draining: Arc::default(),
            },
        }
    }

    /// Calls made so far by this flow and its record jobs: (Stripe, Salesforce).
    pub fn calls(&self) -> (u64, u64) {
        let calls = &self.applier.calls;
        (
            calls.0.load(std::sync::atomic::Ordering::Relaxed),
            calls.1.load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    /// While on, runs hold nothing back for fuller collections (a benchmark's or a shutdown's
    /// final run).
    pub fn drain(&self, on: bool) {
        self.applier
            .draining
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// The handler of [`RECORD_JOB`] jobs, sharing this flow's executors and mappings.
    pub fn record_handler(&self) -> Arc<dyn crate::JobHandler> {
        Arc::new(RecordJobHandler::new(self.applier.clone()))
    }
}

/// The job that carries a record to the dead-letter queue and replays it.
fn record_job(
    event_id: &str,
    event: &Value,
    code: &str,
    message: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> NewJob {
    NewJob {
        kind: RECORD_JOB.to_owned(),
        payload: json!({"event": event, "first_error": {"code": code, "message": message}}),
        idempotency_key: format!("{NAME}:{event_id}"),
        concurrency_key: None,
        max_attempts: RECORD_JOB_ATTEMPTS,
        run_at: now,
        replay_safe: true,
    }
}

/// The job that writes `object` (a state fetched from Stripe at `fetched_at`) to Salesforce
/// through the same path as the flow: a reconciliation fix. The state is given the fetch time as
/// its version: it holds every change made before, and an event made after it is still newer.
/// `key` names the durable record the write was asked for, so asking twice queues one job.
pub(crate) fn refresh_job(
    object: &Value,
    fetched_at: chrono::DateTime<chrono::Utc>,
    key: &str,
    origin: Value,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<NewJob, String> {
    let kind = object["object"].as_str().unwrap_or_default();
    let event_key: String = key
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let event = json!({
        "id": format!("evt_paysync_{event_key}"),
        "object": "event",
        "type": format!("{kind}.updated"),
        "created": fetched_at.timestamp(),
        "data": {"object": object},
        "livemode": false,
    });
    event_of(&event)?;
    Ok(NewJob {
        kind: RECORD_JOB.to_owned(),
        payload: json!({"event": event, "origin": origin}),
        idempotency_key: format!("{NAME}:{key}"),
        concurrency_key: None,
        max_attempts: RECORD_JOB_ATTEMPTS,
        run_at: now,
        replay_safe: true,
    })
}

/// Decodes an inbox payload as a Stripe event, naming the field that is wrong.
pub(crate) fn event_of(payload: &Value) -> Result<Event, String> {
    use serde::Deserialize;
    // Read from the borrowed value: no copy of the whole payload first.
    checked(Event::deserialize(payload))
}

/// Decodes an inbox payload's JSON text as a Stripe event, in one pass: no JSON tree of the whole
/// event is built on the way.
fn event_of_json(payload: &str) -> Result<Event, String> {
    checked(serde_json::from_str(payload))
}

fn checked(event: Result<Event, serde_json::Error>) -> Result<Event, String> {
    let event = event.map_err(|e| format!("Stripe event: {e}"))?;
    check_event(&event).map_err(|e| e.to_string())?;
    Ok(event)
}

#[async_trait]
impl Flow for StripeToSalesforceFlow {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "Writes Stripe customers, payments, refunds, disputes, subscriptions and invoices to Salesforce."
    }

    async fn run(&self, ctx: &FlowContext) -> Result<RunCounts, FlowError> {
        let mut counts = RunCounts::default();
        let store = &ctx.store;
        // Usage is learned from each answer's Sforce-Limit-Info; what a run minutes ago saw is
        // stale (the allocation rolls over 24 hours), so each run starts by sending and reading.
        if let Ok(mut usage) = self.applier.usage.lock() {
            *usage = None;
        }
        let total = store
            .inbox()
            .count_unprocessed(SOURCE)
            .await
            .map_err(|e| FlowError::new(e.to_string(), counts))?;
        ctx.progress(0, Some(total));
        let mut after = 0;
        // Records held back for a fuller collection join the next batch of this run, decided
        // again with whatever newer events it brings. Paging moves on past their events, so
        // without this they would wait for the next run, and a long run would end with a
        // backlog of them spread over its whole time span.
        let mut carried: std::collections::BTreeMap<ObjectKey, Candidate> = std::collections::BTreeMap::new();
        loop {
            // Gather the newest change per object over successive pages, so each type's partial
            // collection comes once per `flush_objects` objects rather than once per page.
            let mut processed: Vec<String> = Vec::new();
            let mut jobs: Vec<NewJob> = Vec::new();
            let mut candidates = std::mem::take(&mut carried);
            let held_over = candidates.len();
            let mut read_any = false;
            let now = ctx.clock.now();
            while candidates.len() - held_over < self.applier.options.flush_objects.max(1) {
                let events = store
                    .inbox()
                    .unprocessed_from(SOURCE, after, self.applier.options.batch_events)
                    .await
                    .map_err(|e| FlowError::new(e.to_string(), counts))?;
                let Some(last) = events.last() else { break };
                after = last.id;
                read_any = true;
                counts.read += events.len() as u64;
                let drained = events.len() < self.applier.options.batch_events as usize;
                let mut changes = Vec::with_capacity(events.len());
                for inbox_event in events {
                    match event_of_json(inbox_event.payload.get()) {
                        Ok(event) if self.applier.mappings.get(event.object_kind()).is_some() => {
                            let mut change = Change::of(event);
                            change.received_at = Some(inbox_event.received_at);
                            changes.push(change);
                        }
                        Ok(_) => {
                            // Products, prices, payouts…: not written by this flow.
                            counts.skipped += 1;
                            processed.push(inbox_event.event_id);
                        }
                        Err(message) => {
                            tracing::warn!(event = %inbox_event.event_id, %message, "Stripe event not readable.");
                            counts.failed += 1;
                            // Kept whole: as JSON, or as its text when even that does not parse
                            // (a number too large for a float).
                            let text = inbox_event.payload.get();
                            let payload =
                                serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()));
                            jobs.push(record_job(
                                &inbox_event.event_id,
                                &payload,
                                "stripe.event_invalid",
                                &message,
                                now,
                            ));
                            processed.push(inbox_event.event_id);
                        }
                    }
                }
                coalesce_into(&mut candidates, changes);
                if drained {
                    break;
                }
            }
            if !read_any {
                // What is still carried stays unprocessed in the inbox for the next run.
                break;
            }
            let keys: Vec<_> = candidates.keys().cloned().collect();
            let known = store
                .object_versions()
                .get_many(SOURCE, &keys)
                .await
                .map_err(|e| FlowError::new(e.to_string(), counts))?;
            let mut decisions = Vec::with_capacity(candidates.len());
            // Each object's events, settled with whatever its decision comes to.
            let mut events_of = std::collections::BTreeMap::new();
            for (key, mut candidate) in candidates {
                let events = std::mem::take(&mut candidate.events);
                match decide(candidate, known.get(&key)) {
                    Decision::Skip => {
                        counts.skipped += events.len() as u64;
                        processed.extend(events);
                    }
                    decision => {
                        decisions.push((key.clone(), decision));
                        events_of.insert(key, events);
                    }
                }
            }

            let hold = (!self.applier.options.hold_partial_for.is_zero()).then_some(now);
            let applied = self.applier.apply(store, decisions, hold).await;
            let mut versions: Vec<AppliedVersion> = applied.parents.clone();
            counts.written += applied.parents.len() as u64;
            for (key, (change, settled)) in applied.outcomes {
                let Some(events) = events_of.remove(&key) else {
                    continue;
                };
                match settled {
                    Settled::Written { target_id } => {
                        counts.written += u64::from(target_id.is_some());
                        counts.skipped += events.len() as u64 - 1;
                        versions.push(change.applied(target_id));
                        processed.extend(events);
                    }
                    Settled::Skipped => {
                        counts.skipped += events.len() as u64;
                        processed.extend(events);
                    }
                    Settled::Refused { code, message } => {
                        tracing::warn!(object = %change.object_id, %code, %message, "Record refused; dead-lettered.");
                        counts.failed += 1;
                        counts.skipped += events.len() as u64 - 1;
                        // Refusals are few: their events are read back whole for the dead letter.
                        let event = store
                            .inbox()
                            .get(SOURCE, &change.event_id)
                            .await
                            .map_err(|e| FlowError::new(e.to_string(), counts))?
                            .map_or(Value::Null, |e| e.payload);
                        jobs.push(record_job(&change.event_id, &event, &code, &message, now));
                        processed.extend(events);
                    }
                    // Its events stay unprocessed; it goes again with the next batch of its kind.
                    Settled::Held => {
                        carried.insert(
                            key,
                            Candidate {
                                change,
                                ambiguous: false,
                                events,
                            },
                        );
                    }
                    Settled::Deferred { code, message } => {
                        tracing::info!(object = %change.object_id, %code, %message, "Record left for the next run.");
                        counts.failed += 1;
                    }
                }
            }
            // The dead letters' jobs first: an event is marked processed only once its job exists.
            store
                .jobs()
                .enqueue_many(&jobs, now)
                .await
                .map_err(|e| FlowError::new(e.to_string(), counts))?;
            store
                .object_versions()
                .commit(SOURCE, &versions, &processed, ctx.clock.now())
                .await
                .map_err(|e| FlowError::new(e.to_string(), counts))?;
            ctx.progress(counts.read, Some(total.max(counts.read)));
            if let Some(reason) = applied.stopped {
                if reason.starts_with("paused") {
                    tracing::warn!(%reason, "Stripe → Salesforce paused for the API share.");
                    break;
                }
                return Err(FlowError::new(reason, counts));
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests;
