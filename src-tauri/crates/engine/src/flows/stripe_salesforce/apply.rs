//! Writing decided changes to Salesforce: fetch what is in doubt, bring missing parents along,
//! map, and upsert in write order through sObject Collections, 200 records a call.
//!
//! Every record ends [`Settled`]: written, skipped, refused (for the dead-letter queue, with
//! Salesforce's or the mapping's message) or deferred (to the next run: lock contention that
//! outlasted its retries, the API share used up, a call that failed as a whole).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use paysync_connectors::http::{Executor, HttpError};
use paysync_connectors::salesforce::{self, ApiUsage, RecordOutcome, UpsertBatch};
use paysync_connectors::stripe::{self, events::ScannedObject};
use paysync_store::{AppliedVersion, Store};
use serde_json::{Map, Value};
use tokio::task::JoinSet;

use super::mappings::StripeMappings;
use super::plan::{Change, Decision, ObjectKey};

/// The event id recorded for a parent fetched only because a child needed it.
pub(crate) const FETCHED_PARENT: &str = "fetched-as-parent";

/// How the flow writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Inbox events read per batch.
    pub batch_events: u32,
    /// The share (percent) of the org's daily API allocation this flow may use; it stops
    /// before going over and leaves the rest for the next run.
    pub api_share_percent: u8,
    /// How many times a record refused for row-lock contention is sent again within a run.
    pub lock_retries: u32,
    /// Collections calls in flight at once.
    pub write_concurrency: usize,
    /// Stripe fetches in flight at once.
    pub fetch_concurrency: usize,
    /// Objects gathered from successive inbox pages before they are written: one remainder per
    /// type per this many objects, rather than per page.
    pub flush_objects: usize,
    /// How long records that would make a collection of fewer than 200 may wait for more of
    /// their kind (their events stay unprocessed until a later run sends them): for runs in quick
    /// succession over a continuous stream, it keeps each run's remainder from costing a call of
    /// its own. Zero (the default, right for runs minutes apart) sends every partial collection.
    pub hold_partial_for: Duration,
    /// Before creating an Account for a Stripe customer Paysync has never written, look for one
    /// the org already keeps (by a Contact's e-mail, then the website's domain).
    pub match_existing_accounts: bool,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        Self {
            batch_events: 5_000,
            api_share_percent: 50,
            lock_retries: 3,
            write_concurrency: 4,
            fetch_concurrency: 8,
            hold_partial_for: Duration::ZERO,
            flush_objects: 20_000,
            match_existing_accounts: true,
        }
    }
}

/// A record ready to send: its change and its mapped fields.
type Mapped = (Change, Map<String, Value>);
/// A record to send again, with the contention Salesforce reported.
type ToRetry = (Change, Map<String, Value>, (String, String));

/// How one object ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Settled {
    /// Written (or, for a deletion the mapping writes nothing for, remembered).
    Written {
        /// The Salesforce record, when one was written.
        target_id: Option<String>,
    },
    /// Nothing to write: gone at Stripe, or a Paysync type with no mapping.
    Skipped,
    /// Waiting for more records of its kind to fill a collection (a later run sends it).
    Held,
    /// Refused: the record must be corrected (it goes to the dead-letter queue).
    Refused {
        /// Salesforce's or the mapping's code.
        code: String,
        /// The message, naming the record and field.
        message: String,
    },
    /// Not done this time; the next run tries again.
    Deferred {
        /// Why.
        code: String,
        /// The message.
        message: String,
    },
}

/// What [`Applier::apply`] did.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// Each object's final change (with any fetched state) and how it ended.
    pub outcomes: BTreeMap<ObjectKey, (Change, Settled)>,
    /// Parents fetched and written because a child linked to them.
    pub parents: Vec<AppliedVersion>,
    /// Salesforce calls made.
    pub sf_calls: u64,
    /// Stripe calls made.
    pub stripe_calls: u64,
    /// Salesforce reads and links made to match new customers (not writes of records).
    pub sf_reads: u64,
    /// Why writing stopped early, if it did.
    pub stopped: Option<String>,
}

/// Applies changes; shared by the flow and the dead-letter record job.
#[derive(Debug, Clone)]
pub(crate) struct Applier {
    pub stripe: Executor,
    pub salesforce: Executor,
    pub mappings: Arc<StripeMappings>,
    pub options: ApplyOptions,
    /// The last `Sforce-Limit-Info` seen.
    pub usage: Arc<Mutex<Option<ApiUsage>>>,
    /// Calls made so far (Stripe, Salesforce), for benchmarks and logs.
    pub calls: Arc<(AtomicU64, AtomicU64)>,
    /// Set while draining: nothing is held back.
    pub draining: Arc<AtomicBool>,
}

impl Applier {
    /// Applies the decisions (fetching what they ask for) and answers how each object ended.
    /// With `hold`, partial collections of records received less than
    /// [`ApplyOptions::hold_partial_for`] before `now` wait for a later run.
    pub(crate) async fn apply(
        &self,
        store: &Store,
        decisions: Vec<(ObjectKey, Decision)>,
        hold: Option<DateTime<Utc>>,
    ) -> Applied {
        let mut applied = Applied::default();
        let mut ready: BTreeMap<ObjectKey, Change> = BTreeMap::new();
        let mut to_fetch: Vec<Change> = Vec::new();
        let mut without_fee: Vec<Change> = Vec::new();
        for (key, decision) in decisions {
            match decision {
                Decision::Skip => {}
                Decision::Fetch(change) => to_fetch.push(change),
                Decision::Apply(change) if needs_fee(&change) => without_fee.push(change),
                Decision::Apply(change) => {
                    ready.insert(key, change);
                }
            }
        }
        to_fetch.extend(self.attach_fees(without_fee, &mut ready, &mut applied).await);
        self.fetch_into(to_fetch, &mut ready, &mut applied).await;

        // Parents first: a charge's customer, a refund's charge (and its customer).
        let mut parents: BTreeSet<ObjectKey> = BTreeSet::new();
        for _depth in 0..3 {
            let wanted: BTreeSet<ObjectKey> = ready
                .values()
                .filter(|c| !c.deleted)
                .flat_map(|c| self.mappings.parents(c))
                .filter(|k| !ready.contains_key(k) && !applied.outcomes.contains_key(k))
                .collect();
            if wanted.is_empty() {
                break;
            }
            let keys: Vec<ObjectKey> = wanted.iter().cloned().collect();
            let known = match store
                .object_versions()
                .get_many(stripe_events_source(), &keys)
                .await
            {
                Ok(known) => known,
                Err(e) => {
                    applied.stopped = Some(format!("the applied versions could not be read: {e}"));
                    break;
                }
            };
            let missing: Vec<Change> = keys
                .into_iter()
                .filter(|k| !known.contains_key(k))
                .map(|(object_type, object_id)| Change {
                    object_type,
                    object_id,
                    version: 0,
                    event_id: FETCHED_PARENT.to_owned(),
                    deleted: false,
                    snapshot: Value::Null,
                    received_at: None,
                })
                .collect();
            if missing.is_empty() {
                break;
            }
            parents.extend(missing.iter().map(Change::key));
            self.fetch_into(missing, &mut ready, &mut applied).await;
        }

        self.match_new_customers(store, &mut ready, &mut applied).await;
        let hold = hold.filter(|_| !self.draining.load(Ordering::Relaxed));
        self.write(ready, hold, &mut applied).await;
        self.calls.0.fetch_add(applied.stripe_calls, Ordering::Relaxed);
        self.calls.1.fetch_add(applied.sf_calls, Ordering::Relaxed);
        // A parent brought along is not one of the batch's objects: it is reported apart.
        for key in parents {
            if let Some((change, settled)) = applied.outcomes.remove(&key)
                && let Settled::Written { target_id } = settled
            {
                // Fetched as a parent: version 0, and a stub seen while fetching is not the
                // deletion event (the object's own events, older or not, still apply).
                applied.parents.push(
                    Change {
                        deleted: false,
                        ..change
                    }
                    .applied(target_id),
                );
            }
        }
        applied
    }

    /// Gives settled charges their fee and net: their balance transactions are listed by the
    /// page (100 a call, in the charges' time window) rather than fetched one by one, and spliced
    /// in as Stripe expands them. Answers the charges whose transaction was not found that way.
    ///
    /// The window is cut into consecutive slices holding about the same number of charges, listed
    /// side by side (up to `fetch_concurrency` at once): a batch's fees take the round trips of
    /// its largest slice, not of the whole window.
    async fn attach_fees(
        &self,
        charges: Vec<Change>,
        ready: &mut BTreeMap<ObjectKey, Change>,
        applied: &mut Applied,
    ) -> Vec<Change> {
        let mut created: Vec<i64> = charges
            .iter()
            .filter_map(|c| c.snapshot["created"].as_i64())
            .collect();
        created.sort_unstable();
        let (Some(&from), Some(&to)) = (created.first(), created.last()) else {
            return charges;
        };
        let mut wanted: HashMap<String, Vec<Change>> = HashMap::new();
        for change in charges {
            let txn = change.snapshot["balance_transaction"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            wanted.entry(txn).or_default().push(change);
        }
        let slices = fee_slices(&created, from - 5, to + 60, self.options.fetch_concurrency.max(1));
        let mut tasks = JoinSet::new();
        for (gte, lte, charges_in) in slices {
            let executor = self.stripe.clone();
            // A shuffled backlog can spread over a long window: past this, fetch the rest singly.
            let max_pages = charges_in.div_ceil(100) * 2 + 2;
            tasks.spawn(async move { list_fees(&executor, gte, lte, max_pages).await });
        }
        while let Some(joined) = tasks.join_next().await {
            let Ok((txns, calls)) = joined else { continue };
            applied.stripe_calls += calls;
            for txn in txns {
                let Some(changes) = txn["id"].as_str().and_then(|id| wanted.remove(id)) else {
                    continue;
                };
                for mut change in changes {
                    change.snapshot["balance_transaction"] = txn.clone();
                    ready.insert(change.key(), change);
                }
            }
        }
        wanted.into_values().flatten().collect()
    }

    /// Fetches each change's current state from Stripe; ready ones go to `ready`, the rest are
    /// settled.
    async fn fetch_into(
        &self,
        changes: Vec<Change>,
        ready: &mut BTreeMap<ObjectKey, Change>,
        applied: &mut Applied,
    ) {
        let mut pending = changes.into_iter();
        let mut tasks = JoinSet::new();
        loop {
            while tasks.len() < self.options.fetch_concurrency.max(1) {
                let Some(change) = pending.next() else { break };
                let Some(object) = ScannedObject::from_name(&change.object_type) else {
                    applied.outcomes.insert(change.key(), (change, Settled::Skipped));
                    continue;
                };
                let executor = self.stripe.clone();
                tasks.spawn(async move {
                    let result = executor
                        .send(stripe::PROVIDER, object.retrieve(&change.object_id))
                        .await
                        .and_then(|r| r.json::<Value>());
                    (change, result)
                });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            applied.stripe_calls += 1;
            let Ok((change, result)) = joined else { continue };
            match result {
                Ok(snapshot) => {
                    let deleted = change.deleted || snapshot["deleted"] == Value::Bool(true);
                    ready.insert(
                        change.key(),
                        Change {
                            snapshot,
                            deleted,
                            ..change
                        },
                    );
                }
                Err(HttpError::Status { status: 404, .. }) => {
                    applied.outcomes.insert(change.key(), (change, Settled::Skipped));
                }
                Err(e) => {
                    let settled = Settled::Deferred {
                        code: "stripe.fetch".to_owned(),
                        message: format!(
                            "{} {} could not be read from Stripe: {e}",
                            change.object_type, change.object_id
                        ),
                    };
                    applied.outcomes.insert(change.key(), (change, settled));
                }
            }
        }
    }

    /// Maps and upserts, type by type in write order.
    async fn write(
        &self,
        mut ready: BTreeMap<ObjectKey, Change>,
        hold: Option<DateTime<Utc>>,
        applied: &mut Applied,
    ) {
        let mut mapped: Vec<(String, Vec<Mapped>)> = Vec::new();
        let types: Vec<String> = self.mappings.types().map(str::to_owned).collect();
        for object_type in types {
            let Some(mapping) = self.mappings.get(&object_type) else {
                continue;
            };
            let keys: Vec<ObjectKey> = ready.keys().filter(|k| k.0 == object_type).cloned().collect();
            let mut records: Vec<Mapped> = Vec::new();
            for key in keys {
                let Some(change) = ready.remove(&key) else {
                    continue;
                };
                let fields = if change.deleted {
                    match mapping.deletion(&change.object_id) {
                        // The last known state goes with the deletion mark, so the record ends
                        // the same whether or not its earlier events were applied first; a
                        // bare stub (`{id, deleted}`) maps to nothing more than the mark.
                        Some(mark) => {
                            let mut fields = mapping.apply(&change.snapshot).unwrap_or_default();
                            fields.extend(mark);
                            fields
                        }
                        None => {
                            applied
                                .outcomes
                                .insert(key, (change, Settled::Written { target_id: None }));
                            continue;
                        }
                    }
                } else {
                    match mapping.apply(&change.snapshot) {
                        Ok(fields) => fields,
                        Err(e) => {
                            let settled = Settled::Refused {
                                code: "mapping.invalid".to_owned(),
                                message: e.to_string(),
                            };
                            applied.outcomes.insert(key, (change, settled));
                            continue;
                        }
                    }
                };
                records.push((change, fields));
            }
            mapped.push((object_type, records));
        }
        if let Some(now) = hold {
            self.hold_partials(&mut mapped, now, applied);
        }
        for (object_type, mut records) in mapped {
            let Some(mapping) = self.mappings.get(&object_type) else {
                continue;
            };
            let mut attempt = 0;
            while !records.is_empty() {
                if let Some(reason) = &applied.stopped {
                    for (change, _) in records.drain(..) {
                        let settled = Settled::Deferred {
                            code: "stopped".to_owned(),
                            message: reason.clone(),
                        };
                        applied.outcomes.insert(change.key(), (change, settled));
                    }
                    break;
                }
                let retry = self
                    .upsert(&mapping.object, &mapping.external_id, records, applied)
                    .await;
                attempt += 1;
                if retry.is_empty() {
                    break;
                }
                if attempt > self.options.lock_retries {
                    for (change, _, (code, message)) in retry {
                        applied
                            .outcomes
                            .insert(change.key(), (change, Settled::Deferred { code, message }));
                    }
                    break;
                }
                // Row locks clear in moments; back off a little more each round.
                tokio::time::sleep(Duration::from_millis(50 << attempt.min(5))).await;
                records = retry.into_iter().map(|(c, f, _)| (c, f)).collect();
            }
        }
        for (key, change) in ready {
            // A type without a mapping (never asked for, but never dropped either).
            applied.outcomes.insert(key, (change, Settled::Skipped));
        }
    }

    /// Holds back each type's remainder past whole collections while it is young enough to
    /// wait, so collections go full. Parents are decided first: a record whose parent waits
    /// waits with it (it cannot be written before), and a record that cannot wait (too old)
    /// makes its parents go now too. When too few of a type's records can wait to make up its
    /// remainder, the remainder goes as a partial collection.
    fn hold_partials(&self, mapped: &mut [(String, Vec<Mapped>)], now: DateTime<Utc>, applied: &mut Applied) {
        let wait = chrono::Duration::from_std(self.options.hold_partial_for).unwrap_or_default();
        let young = |change: &Change| change.received_at.is_some_and(|t| t + wait > now);
        // Children come after their parents, so one pass from the last type back reaches every
        // parent of a record that must go.
        let mut must: BTreeSet<ObjectKey> = BTreeSet::new();
        for (_, records) in mapped.iter().rev() {
            for (change, _) in records {
                if !young(change) || must.contains(&change.key()) {
                    must.insert(change.key());
                    must.extend(self.mappings.parents(change));
                }
            }
        }
        let mut waiting: BTreeSet<ObjectKey> = BTreeSet::new();
        for (_, records) in mapped.iter_mut() {
            let (mut held, mut free): (Vec<usize>, Vec<usize>) = (0..records.len()).partition(|&i| {
                self.mappings
                    .parents(&records[i].0)
                    .iter()
                    .any(|p| waiting.contains(p))
            });
            let remainder = free.len() % salesforce::COLLECTION_MAX;
            // The newest records wait; the oldest fill the collections.
            free.retain(|&i| !must.contains(&records[i].0.key()));
            free.sort_by_key(|&i| std::cmp::Reverse(records[i].0.received_at));
            if remainder > 0 && free.len() >= remainder {
                held.extend(&free[..remainder]);
            }
            held.sort_unstable_by(|a, b| b.cmp(a));
            // Descending indices: each removal leaves the ones still to remove in place.
            for i in held {
                let (change, _) = records.remove(i);
                waiting.insert(change.key());
                applied.outcomes.insert(change.key(), (change, Settled::Held));
            }
        }
    }

    /// One round of upserts of one object; answers the records to send again.
    async fn upsert(
        &self,
        object: &str,
        external_id: &str,
        records: Vec<Mapped>,
        applied: &mut Applied,
    ) -> Vec<ToRetry> {
        let mut retry = Vec::new();
        let mut batches: Vec<(UpsertBatch, Vec<Mapped>)> = Vec::new();
        for (change, fields) in records {
            let fits = batches.last().is_some_and(|(b, _)| !b.is_full());
            if !fits {
                match UpsertBatch::new(object, external_id) {
                    Ok(batch) => batches.push((batch, Vec::new())),
                    Err(e) => {
                        let settled = Settled::Refused {
                            code: "mapping.invalid".to_owned(),
                            message: e.to_string(),
                        };
                        applied.outcomes.insert(change.key(), (change, settled));
                        continue;
                    }
                }
            }
            let Some((batch, members)) = batches.last_mut() else {
                continue;
            };
            match batch.push(fields.clone()) {
                Ok(()) => members.push((change, fields)),
                Err(e) => {
                    let settled = Settled::Refused {
                        code: "mapping.invalid".to_owned(),
                        message: format!("{} {}: {e}", change.object_type, change.object_id),
                    };
                    applied.outcomes.insert(change.key(), (change, settled));
                }
            }
        }
        let mut batches = batches.into_iter();
        let mut tasks = JoinSet::new();
        loop {
            while applied.stopped.is_none() && tasks.len() < self.options.write_concurrency.max(1) {
                let Some((batch, members)) = batches.next() else {
                    break;
                };
                if let Some(reason) = self.over_share(tasks.len() as u64 + 1) {
                    applied.stopped = Some(reason);
                    defer_all(applied, members, "salesforce.api_share", "paused");
                    break;
                }
                let executor = self.salesforce.clone();
                tasks.spawn(async move {
                    let result = executor.send(salesforce::PROVIDER, batch.request()).await;
                    (batch, members, result)
                });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            applied.sf_calls += 1;
            let Ok((batch, members, result)) = joined else {
                continue;
            };
            let response = match result {
                Ok(r) => r,
                Err(e) => {
                    let reason = format!("Salesforce refused the {object} upsert: {e}");
                    applied.stopped.get_or_insert(reason.clone());
                    defer_all(applied, members, "salesforce.call", &reason);
                    continue;
                }
            };
            if let Some(usage) = ApiUsage::of(&response)
                && let Ok(mut last) = self.usage.lock()
            {
                *last = Some(usage);
            }
            let outcomes = match batch.outcomes(&response) {
                Ok(o) => o,
                Err(e) => {
                    let reason = e.to_string();
                    applied.stopped.get_or_insert(reason.clone());
                    defer_all(applied, members, "salesforce.answer", &reason);
                    continue;
                }
            };
            let call = batch.summary();
            for ((change, fields), (_, outcome)) in members.into_iter().zip(outcomes) {
                let settled = match outcome {
                    RecordOutcome::Saved { id, .. } => Settled::Written { target_id: Some(id) },
                    RecordOutcome::Retry { code, message } => {
                        retry.push((change, fields, (code, message)));
                        continue;
                    }
                    RecordOutcome::Rejected {
                        code,
                        message,
                        fields,
                    } => Settled::Refused {
                        message: format!(
                            "{object} {} (Stripe {} {}){}: {message} [{call}]",
                            change.object_id,
                            change.object_type,
                            change.object_id,
                            if fields.is_empty() {
                                String::new()
                            } else {
                                format!(", field {}", fields.join(", "))
                            }
                        ),
                        code,
                    },
                };
                applied.outcomes.insert(change.key(), (change, settled));
            }
        }
        for (_, members) in batches {
            let reason = applied.stopped.clone().unwrap_or_default();
            defer_all(applied, members, "stopped", &reason);
        }
        retry
    }

    /// Why `calls` more calls would go over the flow's share of the daily allocation, if so.
    pub(super) fn over_share(&self, calls: u64) -> Option<String> {
        let usage = (*self.usage.lock().ok()?)?;
        (!usage.allows(calls, self.options.api_share_percent)).then(|| {
            format!(
                "paused: Salesforce reports {} of {} daily API calls used, and this flow may use {}%",
                usage.used, usage.max, self.options.api_share_percent
            )
        })
    }
}

fn defer_all(applied: &mut Applied, members: Vec<Mapped>, code: &str, message: &str) {
    for (change, _) in members {
        let settled = Settled::Deferred {
            code: code.to_owned(),
            message: message.to_owned(),
        };
        applied.outcomes.insert(change.key(), (change, settled));
    }
}

/// A settled charge whose fee and net are not in the event (its balance transaction is only an
/// id there): its current state is fetched with the balance transaction expanded.
fn needs_fee(change: &Change) -> bool {
    change.object_type == "charge"
        && !change.deleted
        && change.snapshot["status"] == "succeeded"
        && change.snapshot["balance_transaction"].is_string()
}

/// The inbox source and version namespace of Stripe.
pub(crate) const fn stripe_events_source() -> &'static str {
    crate::flows::stripe_events::SOURCE
}

/// Cuts `[gte, lte]` into at most `max` consecutive slices with about the same number of the
/// (sorted) `created` times in each, at least 100 a slice: `(gte, lte, how many)`. Together they
/// cover the window once.
fn fee_slices(created: &[i64], gte: i64, lte: i64, max: usize) -> Vec<(i64, i64, usize)> {
    let count = max.min(created.len().div_ceil(100)).max(1);
    let chunks: Vec<&[i64]> = created.chunks(created.len().div_ceil(count).max(1)).collect();
    let mut slices = Vec::with_capacity(chunks.len());
    let (mut start, mut held) = (gte, 0);
    for (i, chunk) in chunks.iter().enumerate() {
        held += chunk.len();
        match chunks.get(i + 1).and_then(|next| next.first()) {
            // A slice ends where the next one's first charge's margin begins.
            Some(&first) if first - 6 >= start => {
                slices.push((start, first - 6, held));
                (start, held) = (first - 5, 0);
            }
            // Charges crowded into the same seconds cannot be cut apart: they stay together.
            Some(_) => {}
            None => slices.push((start, lte, held)),
        }
    }
    slices
}

/// Lists the charges' balance transactions created in `[gte, lte]`, at most `max_pages` pages:
/// what was found, and the calls made.
async fn list_fees(executor: &Executor, gte: i64, lte: i64, max_pages: usize) -> (Vec<Value>, u64) {
    let (mut found, mut calls) = (Vec::new(), 0);
    let mut after: Option<String> = None;
    for _ in 0..max_pages {
        let request = stripe::list_balance_transactions("charge", gte, lte, after.as_deref(), 100);
        let page = executor
            .send(stripe::PROVIDER, request)
            .await
            .and_then(|r| r.json::<stripe::wire::List<Value>>());
        calls += 1;
        let Ok(mut page) = page else { break };
        after = page.data.last().and_then(|t| t["id"].as_str()).map(str::to_owned);
        found.append(&mut page.data);
        if !page.has_more || after.is_none() {
            break;
        }
    }
    (found, calls)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::fee_slices;

    #[test]
    fn a_small_batch_is_one_slice_and_a_large_one_is_cut_evenly() {
        let few: Vec<i64> = (0..80).collect();
        assert_eq!(fee_slices(&few, -5, 139, 8), vec![(-5, 139, 80)]);
        let crowded = vec![7; 400];
        assert_eq!(fee_slices(&crowded, 2, 67, 8), vec![(2, 67, 400)]);
        let many: Vec<i64> = (0..400).collect();
        assert_eq!(
            fee_slices(&many, -5, 459, 8),
            vec![(-5, 94, 100), (95, 194, 100), (195, 294, 100), (295, 459, 100)]
        );
    }

    proptest! {
        #[test]
        fn slices_cover_the_window_once_in_order(
            mut created in proptest::collection::vec(0i64..10_000, 1..2_000),
            max in 1usize..16,
        ) {
            created.sort_unstable();
            let (gte, lte) = (created[0] - 5, created[created.len() - 1] + 60);
            let slices = fee_slices(&created, gte, lte, max);
            prop_assert!(slices.len() <= max);
            prop_assert_eq!(slices.first().map(|s| s.0), Some(gte));
            prop_assert_eq!(slices.last().map(|s| s.1), Some(lte));
            for pair in slices.windows(2) {
                prop_assert_eq!(pair[0].1 + 1, pair[1].0, "consecutive, no gap, no overlap");
            }
            prop_assert!(slices.iter().all(|s| s.0 <= s.1));
            prop_assert_eq!(slices.iter().map(|s| s.2).sum::<usize>(), created.len());
            // Each slice starts at least the margin before its first charge, so a transaction
            // created with its charge or up to a minute later is never in an earlier slice.
            let mut first = 0;
            for (start, _, n) in &slices {
                prop_assert!(created[first] - 5 >= *start);
                first += n;
            }
        }
    }
}
