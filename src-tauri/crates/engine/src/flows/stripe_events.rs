//! `stripe.events`: the polling half of Stripe intake (the webhook receiver is the other half;
//! both write the same inbox, deduplicated by event id).
//!
//! Each run lists `GET /v1/events` newest first from a little before its durable cursor (the
//! moment up to which it is complete: when its last full window was listed), records every page
//! in the inbox, and moves the cursor only after the whole window is stored. That is what keeps a laptop that was closed for a weekend complete:
//! Stripe stops retrying webhooks after three days, but lists events for thirty.
//!
//! When the cursor is older than the Events API reaches (or there is none yet), events were
//! missed for good, so the run re-scans the objects themselves: every customer, charge, refund,
//! dispute, subscription and invoice goes into the inbox as a `<object>.rescanned` event carrying
//! its current state. A re-scan saves its place after every page, so a crash resumes it.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use paysync_connectors::http::Executor;
use paysync_connectors::stripe::PROVIDER;
use paysync_connectors::stripe::events::{self, EVENTS_WINDOW_DAYS, ScannedObject};
use paysync_connectors::stripe::wire::List;
use paysync_store::{NewInboxEvent, RunCounts};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Value, json};

use crate::scheduler::{Flow, FlowContext, FlowError};

/// The flow's name.
pub const NAME: &str = "stripe.events";
/// The inbox source both intake paths write.
pub const SOURCE: &str = "stripe";
/// How far before the cursor each run reads again: events are created in order, but one created
/// in the same second as the cursor, or committed a moment late on Stripe's side, is not missed.
pub const OVERLAP: Duration = Duration::minutes(10);
/// A re-scan starts when the cursor is older than this: the Events API's window less a margin
/// for the overlap and for clocks that disagree.
pub const RESCAN_AFTER: Duration = Duration::days(EVENTS_WINDOW_DAYS - 1);

/// The cursor keys (flow, source) of the events cursor and of a re-scan in progress.
const EVENTS_CURSOR: &str = "events";
const RESCAN_CURSOR: &str = "rescan";

/// Where a re-scan is; saved after every page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct RescanState {
    /// When it started: the events cursor it leaves behind, and its synthetic events' time.
    started_at: i64,
    /// The object being listed.
    object: ScannedObject,
    /// The last id of the last stored page of that object.
    starting_after: Option<String>,
}

/// The flow, sending through the shared executor (which knows Stripe's URL and key).
#[derive(Debug, Clone)]
pub struct StripeEventsFlow {
    executor: Executor,
    page_size: u32,
}

impl StripeEventsFlow {
    /// A flow that reads `page_size` events (or objects) per request.
    pub fn new(executor: Executor, page_size: u32) -> Self {
        Self { executor, page_size }
    }
}

#[async_trait]
impl Flow for StripeEventsFlow {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "Reads Stripe events into Paysync's inbox; re-scans Stripe's objects after a gap of more than 30 days."
    }

    async fn run(&self, ctx: &FlowContext) -> Result<RunCounts, FlowError> {
        let mut counts = RunCounts::default();
        let cursors = ctx.store.cursors();
        // An empty re-scan cursor is a finished one.
        let rescan: Option<RescanState> = cursors
            .get(NAME, RESCAN_CURSOR)
            .await
            .map_err(|e| FlowError::new(e.to_string(), counts))?
            .and_then(|s| serde_json::from_str(&s).ok());
        let cursor = cursors
            .get(NAME, EVENTS_CURSOR)
            .await
            .map_err(|e| FlowError::new(e.to_string(), counts))?
            .and_then(|c| c.parse::<i64>().ok())
            .and_then(|secs| DateTime::<Utc>::from_timestamp(secs, 0));
        let now = ctx.clock.now();
        let rescan = match (rescan, cursor) {
            (Some(state), _) => Some(state),
            (None, Some(c)) if now - c <= RESCAN_AFTER => None,
            (None, last) => {
                tracing::warn!(
                    last_event = ?last,
                    "Stripe events since the last one Paysync read are past the Events API's 30 days; re-scanning Stripe's objects."
                );
                Some(RescanState {
                    started_at: now.timestamp(),
                    object: ScannedObject::Customer,
                    starting_after: None,
                })
            }
        };
        if let Some(state) = rescan {
            self.rescan(ctx, state, &mut counts).await?;
            // Events from the re-scan's start on are listed by the next run.
            return Ok(counts);
        }
        let since = cursor.map(|c| c - OVERLAP);
        self.poll(ctx, since, &mut counts).await?;
        Ok(counts)
    }
}

/// Event pages fetched ahead of the one being stored.
const PAGES_AHEAD: usize = 16;

impl StripeEventsFlow {
    async fn poll(
        &self,
        ctx: &FlowContext,
        since: Option<DateTime<Utc>>,
        counts: &mut RunCounts,
    ) -> Result<(), FlowError> {
        // Pages run newest first, so the first one sees everything created before it was asked
        // for: once the window is stored, Paysync is complete up to this moment even when Stripe
        // had nothing new (a quiet account must not look like a 30-day gap later).
        let listed_at = ctx.clock.now().timestamp();
        // Pages are fetched while the ones before them are stored: storing waits on the disk,
        // fetching on Stripe, and neither should wait on the other. Whatever has arrived is stored
        // in one transaction; the cursor moves only once every page is stored.
        let (pages, mut arrived) = tokio::sync::mpsc::channel::<(Vec<NewInboxEvent>, usize)>(PAGES_AHEAD);
        let fetched = async move {
            let mut newest: Option<i64> = None;
            let mut unreadable = 0u64;
            let mut starting_after: Option<String> = None;
            loop {
                let request = events::list_events(since, starting_after.as_deref(), self.page_size);
                // Each event is kept as the JSON text Stripe sent, and only its head is read: the
                // inbox stores it as it came, and the apply flow decodes it once, later.
                let page: List<Box<RawValue>> = self
                    .executor
                    .send(PROVIDER, request)
                    .await
                    .and_then(|r| r.json())
                    .map_err(|e| format!("Stripe events could not be read: {e}"))?;
                let listed = page.data.len();
                let mut batch = Vec::with_capacity(listed);
                let mut last_id = None;
                for raw in page.data {
                    match events::decode_event_head(raw.get()) {
                        Ok(head) => {
                            newest = newest.max(Some(head.created));
                            last_id = Some(head.id.clone());
                            batch.push(NewInboxEvent {
                                event_id: head.id,
                                event_type: head.kind,
                                payload: raw,
                                object_id: head.object_id,
                                payment_id: head.charge,
                            });
                        }
                        Err(problem) => {
                            // Stripe listed it, so it is Stripe's; it stays there and the run is
                            // partial, naming it.
                            unreadable += 1;
                            // Paging goes on from it even when its id is not one Paysync accepts.
                            last_id = serde_json::from_str::<Value>(raw.get())
                                .ok()
                                .and_then(|v| v["id"].as_str().map(str::to_owned));
                            tracing::warn!(event = ?problem.id, %problem, "A Stripe event could not be read.");
                        }
                    }
                }
                if pages.send((batch, listed)).await.is_err() {
                    // Storing stopped (its error is the run's); nothing more is worth fetching.
                    break;
                }
                starting_after = last_id;
                if !page.has_more || starting_after.is_none() {
                    break;
                }
            }
            Ok::<_, String>((newest, unreadable))
        };
        // The receiver moves in, so a failed store drops it and the fetching stops rather than
        // waiting on a full channel.
        let storing = &mut *counts;
        let stored = async move {
            while let Some(first) = arrived.recv().await {
                let (mut batch, mut listed) = first;
                while let Ok((more, n)) = arrived.try_recv() {
                    batch.extend(more);
                    listed += n;
                }
                store_page(ctx, &batch, listed, storing).await?;
            }
            Ok::<(), FlowError>(())
        };
        let (fetched, stored) = tokio::join!(fetched, stored);
        stored?;
        let (newest, unreadable) = fetched.map_err(|message| FlowError::new(message, *counts))?;
        counts.failed += unreadable;
        let complete_to = newest.map_or(listed_at, |t| t.max(listed_at));
        self.save_cursor(ctx, EVENTS_CURSOR, &complete_to.to_string(), *counts)
            .await?;
        ctx.progress(counts.read, Some(counts.read));
        Ok(())
    }

    async fn rescan(
        &self,
        ctx: &FlowContext,
        mut state: RescanState,
        counts: &mut RunCounts,
    ) -> Result<(), FlowError> {
        let start = ScannedObject::ALL
            .iter()
            .position(|o| *o == state.object)
            .unwrap_or(0);
        for &object in &ScannedObject::ALL[start..] {
            if object != state.object {
                state.object = object;
                state.starting_after = None;
            }
            loop {
                let request = object.list(state.starting_after.as_deref(), self.page_size);
                let page: List<Value> = self
                    .executor
                    .send(PROVIDER, request)
                    .await
                    .and_then(|r| r.json())
                    .map_err(|e| {
                        FlowError::new(
                            format!("Stripe {}s could not be listed: {e}", object.name()),
                            *counts,
                        )
                    })?;
                let batch: Vec<NewInboxEvent> = page
                    .data
                    .iter()
                    .filter_map(|snapshot| rescanned(object, snapshot, state.started_at))
                    .collect();
                counts.failed += (page.data.len() - batch.len()) as u64;
                store_page(ctx, &batch, page.data.len(), counts).await?;
                state.starting_after = page.data.last().and_then(|o| o["id"].as_str().map(str::to_owned));
                if !page.has_more || state.starting_after.is_none() {
                    break;
                }
                let saved =
                    serde_json::to_string(&state).map_err(|e| FlowError::new(e.to_string(), *counts))?;
                self.save_cursor(ctx, RESCAN_CURSOR, &saved, *counts).await?;
            }
        }
        // Finished: the events poll takes over from the re-scan's start (with its overlap), and
        // the re-scan state is cleared by writing an empty one.
        self.save_cursor(ctx, EVENTS_CURSOR, &state.started_at.to_string(), *counts)
            .await?;
        self.save_cursor(ctx, RESCAN_CURSOR, "", *counts).await?;
        ctx.progress(counts.read, Some(counts.read));
        Ok(())
    }

    async fn save_cursor(
        &self,
        ctx: &FlowContext,
        key: &str,
        value: &str,
        counts: RunCounts,
    ) -> Result<(), FlowError> {
        ctx.store
            .cursors()
            .set(NAME, key, value, ctx.clock.now())
            .await
            .map_err(|e| FlowError::new(e.to_string(), counts))
    }
}

/// Records one listed page (`listed` items, of which `batch` were readable) and counts it: new
/// events are written, ones the inbox already had are skipped.
async fn store_page(
    ctx: &FlowContext,
    batch: &[NewInboxEvent],
    listed: usize,
    counts: &mut RunCounts,
) -> Result<(), FlowError> {
    let new = ctx
        .store
        .inbox()
        .record_many(SOURCE, batch, ctx.clock.now())
        .await
        .map_err(|e| FlowError::new(e.to_string(), *counts))?;
    counts.read += listed as u64;
    counts.written += new;
    counts.skipped += batch.len() as u64 - new;
    ctx.progress(counts.read, None);
    Ok(())
}

/// A re-scanned object as an inbox event: `evt_rescan_<started>_<object id>` (one per object per
/// re-scan, so a resumed re-scan records nothing twice), shaped like a Stripe event so the same
/// processing applies; `created` is the re-scan's start, since the snapshot is at least that new.
fn rescanned(object: ScannedObject, snapshot: &Value, started_at: i64) -> Option<NewInboxEvent> {
    let id = snapshot["id"].as_str().filter(|id| !id.is_empty())?;
    let kind = format!("{}.rescanned", object.name());
    let event_id = format!("evt_rescan_{started_at}_{id}");
    let payload = json!({
        "id": event_id,
        "object": "event",
        "type": kind,
        "created": started_at,
        "data": {"object": snapshot},
        "livemode": snapshot["livemode"].as_bool().unwrap_or(false),
    });
    NewInboxEvent::from_value(event_id, kind, &payload).ok()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use chrono::TimeZone;
    use paysync_core::{Clock, ManualClock, SharedClock};
    use paysync_sandbox::stripe::{NewCustomer, NewPayment, PaymentStatus, StripeSim};

    use super::*;
    use crate::Engine;
    use crate::flows::testing::{engine_with, start_stripe, stripe_executor};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn customer(sim: &StripeSim, email: &str, created: DateTime<Utc>) -> String {
        sim.insert_customer(NewCustomer {
            email: Some(email.to_owned()),
            created,
            ..NewCustomer::default()
        })
    }

    fn charge(sim: &StripeSim, cents: i64, created: DateTime<Utc>) {
        sim.insert_payment(NewPayment {
            amount: cents,
            currency: "eur".to_owned(),
            status: PaymentStatus::Succeeded,
            created,
            ..NewPayment::default()
        })
        .unwrap_or_else(|e| panic!("seed: {e}"));
    }

    /// Event ids the simulator would list now (its 30-day window), and every object of a kind.
    fn listable_events(sim: &StripeSim) -> BTreeSet<String> {
        let oldest = now().timestamp() - EVENTS_WINDOW_DAYS * 86_400;
        sim.events()
            .iter()
            .filter(|e| e["created"].as_i64().is_some_and(|c| c >= oldest))
            .filter_map(|e| e["id"].as_str().map(str::to_owned))
            .collect()
    }

    async fn inbox_ids(engine: &Engine) -> BTreeSet<String> {
        engine
            .store()
            .inbox()
            .unprocessed(100_000)
            .await
            .unwrap_or_else(|e| panic!("inbox: {e}"))
            .into_iter()
            .map(|e| e.event_id)
            .collect()
    }

    async fn set_cursor(engine: &Engine, at: DateTime<Utc>) {
        engine
            .store()
            .cursors()
            .set(NAME, EVENTS_CURSOR, &at.timestamp().to_string(), at)
            .await
            .unwrap_or_else(|e| panic!("cursor: {e}"));
    }

    async fn run(engine: &Engine) -> crate::scheduler::RunSummary {
        let run = engine
            .run_flow_now(NAME)
            .await
            .unwrap_or_else(|e| panic!("run: {e}"));
        assert_eq!(run.outcome, "succeeded", "{run:?}");
        run
    }

    struct Setup {
        _dir: tempfile::TempDir,
        clock: Arc<ManualClock>,
        handle: paysync_sandbox::SimHandle,
        sim: Arc<StripeSim>,
        engine: Engine,
    }

    async fn setup(page_size: u32) -> Setup {
        let clock = Arc::new(ManualClock::new(now()));
        let shared: SharedClock = clock.clone();
        let (handle, sim) = start_stripe(shared.clone()).await;
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let flow = StripeEventsFlow::new(stripe_executor(&handle.base_url, shared.clone()), page_size);
        let engine = engine_with(dir.path(), shared, Arc::new(flow)).await;
        Setup {
            _dir: dir,
            clock,
            handle,
            sim,
            engine,
        }
    }

    #[tokio::test]
    async fn a_four_day_gap_is_caught_up_from_the_events_api_and_nothing_is_recorded_twice() {
        let s = setup(7).await;
        // The last event read four days ago: past Stripe's three days of webhook retries, within
        // the Events API's thirty.
        set_cursor(&s.engine, now() - Duration::days(4)).await;
        for h in 0..20 {
            customer(
                &s.sim,
                &format!("c{h}@example.com"),
                now() - Duration::hours(90 - h * 4),
            );
        }
        charge(&s.sim, 1250, now() - Duration::hours(3));
        let expected: BTreeSet<String> = listable_events(&s.sim)
            .into_iter()
            .filter(|id| {
                s.sim.events().iter().any(|e| {
                    e["id"] == id.as_str()
                        && e["created"].as_i64() >= Some((now() - Duration::days(4) - OVERLAP).timestamp())
                })
            })
            .collect();
        assert!(
            expected.len() > 20,
            "customers and the charge's events: {}",
            expected.len()
        );

        let first = run(&s.engine).await;
        assert_eq!(inbox_ids(&s.engine).await, expected);
        assert_eq!(first.counts.written, expected.len() as u64);
        assert_eq!(first.counts.failed, 0);

        // A second run re-reads only the overlap before the newest event, and stores nothing twice.
        s.clock.advance(Duration::minutes(1));
        let second = run(&s.engine).await;
        assert_eq!(second.counts.written, 0);
        assert_eq!(second.counts.read, second.counts.skipped);
        assert!(second.counts.read < first.counts.read, "{second:?}");

        // Something new after that is all the next run adds.
        s.clock.advance(Duration::hours(1));
        customer(&s.sim, "late@example.com", s.clock.now());
        let third = run(&s.engine).await;
        assert_eq!(third.counts.written, 1);
        assert_eq!(inbox_ids(&s.engine).await.len(), expected.len() + 1);
        s.handle.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
    }

    #[tokio::test]
    async fn a_gap_beyond_thirty_days_rescans_every_object_then_polls_again() {
        let s = setup(5).await;
        set_cursor(&s.engine, now() - Duration::days(31)).await;
        // Objects from before and inside the Events API's window.
        let old = customer(&s.sim, "old@example.com", now() - Duration::days(40));
        let recent = customer(&s.sim, "new@example.com", now() - Duration::days(2));
        for d in [35, 20, 1] {
            charge(&s.sim, 100 * d, now() - Duration::days(d));
        }
        let customers = s.sim.objects("customer");
        let charges = s.sim.objects("charge");

        let rescan = run(&s.engine).await;
        let ids = inbox_ids(&s.engine).await;
        let started = now().timestamp();
        for object in customers.iter().chain(charges.iter()) {
            let id = object["id"].as_str().unwrap_or_default();
            assert!(
                ids.contains(&format!("evt_rescan_{started}_{id}")),
                "{id} not re-scanned"
            );
        }
        for id in [&old, &recent] {
            assert!(ids.contains(&format!("evt_rescan_{started}_{id}")));
        }
        // Each snapshot is shaped like an event, so one processing path serves both.
        let snapshot = s
            .engine
            .store()
            .inbox()
            .get(SOURCE, &format!("evt_rescan_{started}_{old}"))
            .await
            .unwrap_or_else(|e| panic!("get: {e}"))
            .unwrap_or_else(|| panic!("missing"));
        assert_eq!(snapshot.event_type, "customer.rescanned");
        let event = events::decode_event(&serde_json::to_vec(&snapshot.payload).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((event.object_id(), event.created), (old.as_str(), started));
        assert_eq!(rescan.counts.failed, 0);

        // The next run is an ordinary poll from the re-scan's start: only what happened since.
        s.clock.advance(Duration::hours(1));
        customer(&s.sim, "after@example.com", s.clock.now());
        let after = run(&s.engine).await;
        assert_eq!(after.counts.written, 1, "{after:?}");
        s.handle.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
    }

    #[tokio::test]
    async fn an_interrupted_rescan_resumes_where_it_stopped() {
        let s = setup(2).await;
        for i in 0..3 {
            customer(&s.sim, &format!("c{i}@example.com"), now() - Duration::days(50));
            charge(&s.sim, 500 + i, now() - Duration::days(45));
        }
        // A re-scan that stored the customers and one page of charges before the app was closed.
        let charges = s.sim.objects("charge");
        let state = RescanState {
            started_at: now().timestamp() - 60,
            object: ScannedObject::Charge,
            starting_after: charges[1]["id"].as_str().map(str::to_owned),
        };
        s.engine
            .store()
            .cursors()
            .set(
                NAME,
                RESCAN_CURSOR,
                &serde_json::to_string(&state).unwrap_or_default(),
                now(),
            )
            .await
            .unwrap_or_else(|e| panic!("cursor: {e}"));

        run(&s.engine).await;
        let ids = inbox_ids(&s.engine).await;
        let kinds: BTreeSet<&str> = ids
            .iter()
            .filter_map(|id| {
                s.sim
                    .objects("charge")
                    .iter()
                    .chain(s.sim.objects("customer").iter())
                    .find(|o| id.ends_with(o["id"].as_str().unwrap_or("?")))
                    .and_then(|o| o["object"].as_str())
                    .map(|k| if k == "charge" { "charge" } else { "customer" })
            })
            .collect();
        assert!(
            !kinds.contains("customer"),
            "customers were stored before the interruption"
        );
        let charge_ids: BTreeSet<String> = ids.iter().filter(|i| i.contains("_ch_")).cloned().collect();
        assert_eq!(
            charge_ids.len(),
            1,
            "only the charge after the saved page: {charge_ids:?}"
        );
        // Finished: the state is cleared and the next run polls from the re-scan's start.
        let cleared = s
            .engine
            .store()
            .cursors()
            .get(NAME, RESCAN_CURSOR)
            .await
            .ok()
            .flatten();
        assert_eq!(cleared.as_deref(), Some(""));
        s.handle.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
    }

    #[tokio::test]
    async fn a_webhook_and_the_poller_record_an_event_once() {
        let s = setup(10).await;
        set_cursor(&s.engine, now() - Duration::hours(1)).await;
        let id = customer(&s.sim, "hook@example.com", now() - Duration::minutes(5));
        let event = s
            .sim
            .events()
            .into_iter()
            .find(|e| e["data"]["object"]["id"] == id.as_str())
            .unwrap_or_else(|| panic!("no event"));
        let body = serde_json::to_vec(&event).unwrap_or_default();
        let header =
            paysync_sandbox::stripe::signature_header(&["whsec_agree_1234"], now().timestamp(), &body);
        let secrets = [paysync_core::Secret::new("whsec_agree_1234".to_owned())];
        let receipt = s
            .engine
            .receive_stripe_webhook(Some(&header), &body, &secrets)
            .await;
        assert!(
            matches!(receipt, Ok(crate::webhooks::WebhookReceipt::Recorded { .. })),
            "{receipt:?}"
        );
        let polled = run(&s.engine).await;
        assert_eq!(
            (polled.counts.read, polled.counts.written, polled.counts.skipped),
            (1, 0, 1)
        );
        assert_eq!(inbox_ids(&s.engine).await.len(), 1);
        s.handle.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
    }

    #[tokio::test]
    async fn a_quiet_account_is_not_mistaken_for_a_gap() {
        let s = setup(10).await;
        // A customer Paysync already has (from before its cursor): a re-scan would record it again.
        customer(&s.sim, "known@example.com", now() - Duration::days(2));
        set_cursor(&s.engine, now() - Duration::days(1)).await;
        // Nothing happens in Stripe for weeks, while Paysync keeps polling.
        for _ in 0..5 {
            s.clock.advance(Duration::days(7));
            let quiet = run(&s.engine).await;
            assert_eq!(quiet.counts.read, 0, "{quiet:?}");
        }
        // 36 days after the last event: still a poll, not a re-scan of every object.
        customer(&s.sim, "back@example.com", s.clock.now());
        let back = run(&s.engine).await;
        assert_eq!((back.counts.read, back.counts.written), (1, 1), "{back:?}");
        let ids = inbox_ids(&s.engine).await;
        assert!(ids.iter().all(|id| !id.starts_with("evt_rescan_")), "{ids:?}");
        s.handle.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
    }
}
