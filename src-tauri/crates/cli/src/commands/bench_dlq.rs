//! `paysync bench dlq`: how fast the Failures screen's queries answer over a large dead-letter
//! queue. N jobs are parked through the store's own path (enqueue, lease, dead-letter), spread
//! over a few flows and many root causes as a real backlog is, then the screen's queries are
//! timed: the groups, a page of all open failures (first and deep pages), a group's page, and the
//! open count with the oldest age that feeds the navigation badge.

use std::time::Instant;

use paysync_core::{Clock, ErrorClass, SystemClock};
use paysync_store::{DeadLetterFilter, DeadLetterStatus, JobFailure, NewJob};
use serde::Serialize;
use serde_json::json;

use super::bench::{peak_rss_mb, scratch_engine};

/// The flows a backlog comes from.
const KINDS: [&str; 4] = [
    "stripe.salesforce.record",
    "payouts.request",
    "payouts.outcome",
    "salesforce.stripe.customer",
];
/// Root causes: a few large groups and a long tail, as Salesforce validation errors are.
const CODES: [&str; 12] = [
    "REQUIRED_FIELD_MISSING",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    "INVALID_EMAIL_ADDRESS",
    "DUPLICATE_VALUE",
    "STRING_TOO_LONG",
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    "payee_invalid",
    "mapping.required",
    "stripe.event_invalid",
    "ENTITY_IS_DELETED",
    "INVALID_CROSS_REFERENCE_KEY",
    "NUMBER_OUTSIDE_VALID_RANGE",
];
/// A page of the Failures table.
const PAGE: u32 = 50;

/// The figures.
#[derive(Debug, Serialize)]
pub struct DlqBench {
    /// Dead letters in the queue.
    pub items: u64,
    /// Median query time.
    pub p50_ms: f64,
    /// 95th percentile query time (target < 50 ms).
    pub p95_ms: f64,
    /// Slowest query.
    pub max_ms: f64,
    /// Queries timed.
    pub queries: u64,
    /// The slowest kind of query, with its own p95.
    pub slowest_query: String,
    /// Its p95.
    pub slowest_query_p95_ms: f64,
    /// Each kind of query's p95, by name.
    pub p95_ms_by_query: std::collections::BTreeMap<String, f64>,
    /// Seeding time (not part of the target).
    pub seed_s: f64,
    /// Peak resident memory.
    pub peak_rss_mb: f64,
    /// Whether p95 < 50 ms.
    pub target_met: bool,
}

impl DlqBench {
    /// One line for people.
    pub fn summary(&self) -> String {
        format!(
            "dlq: {} dead letters; {} queries p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms (slowest: {} at p95 {:.2} ms); seeding took {:.1} s; peak RSS {:.0} MB; target p95 < 50 ms: {}",
            self.items,
            self.queries,
            self.p50_ms,
            self.p95_ms,
            self.max_ms,
            self.slowest_query,
            self.slowest_query_p95_ms,
            self.seed_s,
            self.peak_rss_mb,
            if self.target_met { "met" } else { "MISSED" }
        )
    }
}

/// The root cause of the `i`-th item: skewed, so the first codes make the large groups.
fn cause(i: u64) -> (&'static str, &'static str) {
    let kind = KINDS[usize::try_from(i % 7 % 4).unwrap_or(0)];
    // i·i mod a prime spreads items unevenly over the codes.
    let spread = (i.wrapping_mul(i) % 97) as usize;
    let code = CODES[(spread * spread / 800).min(CODES.len() - 1)];
    (kind, code)
}

/// The `i`-th item's payload, shaped as its kind's real jobs are (so the object filter reads
/// what it reads in use): Stripe events of customers, charges, refunds and a few disputes, payout
/// requests and write-backs, Salesforce Accounts.
fn payload(kind: &str, i: u64) -> serde_json::Value {
    match kind {
        "stripe.salesforce.record" => {
            let object = match i % 101 {
                0 => "dispute",
                n if n % 3 == 0 => "refund",
                n if n % 2 == 0 => "charge",
                _ => "customer",
            };
            json!({"event": {"id": format!("evt_bench_{i}"), "livemode": false, "data": {"object": {
                "id": format!("obj_bench_{i}"), "object": object,
                "email": format!("payer{i}@example.com"), "address": {"country": null}}}}})
        }
        "payouts.request" => json!({"object": "Payment_Request__c", "request": {
            "Id": format!("a03{i:015}"), "Amount__c": 10, "Currency__c": "EUR"}}),
        "payouts.outcome" => json!({"item_id": i, "request_id": format!("a03{i:015}"), "state": "paid"}),
        _ => json!({"account": {"Id": format!("001{i:015}"), "Name": format!("Account {i}")}}),
    }
}

/// The `p`-th percentile (nearest rank) of sorted figures.
fn percentile(sorted: &[f64], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() - 1) * p + 50) / 100;
    sorted[rank.min(sorted.len() - 1)]
}

/// Seeds `items` dead letters and times the screen's queries `rounds` times each.
#[allow(clippy::float_arithmetic, clippy::cast_precision_loss)] // Timing figures, not money.
pub async fn bench_dlq(items: u64, rounds: u32) -> anyhow::Result<DlqBench> {
    let (dir, engine) = scratch_engine("dlq").await?;
    let store = engine.store();
    let seed_timer = Instant::now();
    let owner = "bench";
    let mut seeded = 0u64;
    while seeded < items {
        let n = (items - seeded).min(5_000);
        let now = SystemClock.now();
        let jobs: Vec<NewJob> = (seeded..seeded + n)
            .map(|i| {
                let (kind, _) = cause(i);
                NewJob {
                    kind: kind.to_owned(),
                    payload: payload(kind, i),
                    idempotency_key: format!("bench:{i}"),
                    concurrency_key: None,
                    max_attempts: 1,
                    run_at: now,
                    replay_safe: true,
                }
            })
            .collect();
        store.jobs().enqueue_many(&jobs, now).await?;
        let kinds: Vec<String> = KINDS.iter().map(|k| (*k).to_owned()).collect();
        loop {
            let leased = store
                .jobs()
                .lease(
                    owner,
                    &kinds,
                    500,
                    chrono::Duration::minutes(10),
                    SystemClock.now(),
                )
                .await?;
            if leased.is_empty() {
                break;
            }
            for l in leased {
                let i = l
                    .job
                    .idempotency_key
                    .trim_start_matches("bench:")
                    .parse::<u64>()
                    .unwrap_or(0);
                let (_, code) = cause(i);
                let failure = JobFailure::new(
                    ErrorClass::Terminal,
                    code,
                    format!("{code}: Billing Country is required on Account for cus_bench_{i}"),
                );
                store
                    .jobs()
                    .dead_letter(l.job.id, owner, l.attempt_no, &failure, SystemClock.now())
                    .await?;
            }
        }
        seeded += n;
    }
    let seed_s = seed_timer.elapsed().as_secs_f64();

    let open = Some(DeadLetterStatus::Open);
    let groups = store.dead_letters().groups(open, 100).await?;
    let deepest = u32::try_from(items.saturating_sub(u64::from(PAGE))).unwrap_or(u32::MAX);
    let mut by_query: Vec<(&str, Vec<f64>)> = Vec::new();
    let mut all = Vec::new();
    let mut time = |name: &'static str, ms: f64| {
        all.push(ms);
        match by_query.iter_mut().find(|(n, _)| *n == name) {
            Some((_, v)) => v.push(ms),
            None => by_query.push((name, vec![ms])),
        }
    };
    for round in 0..rounds {
        let t = Instant::now();
        store.dead_letters().groups(open, 100).await?;
        time("groups", t.elapsed().as_secs_f64() * 1e3);

        let t = Instant::now();
        store.dead_letters().open_summary().await?;
        time("open count and oldest (badge)", t.elapsed().as_secs_f64() * 1e3);

        let all_open = DeadLetterFilter {
            status: open,
            ..DeadLetterFilter::default()
        };
        let t = Instant::now();
        store.dead_letters().list(&all_open, PAGE, 0).await?;
        time("first page of all", t.elapsed().as_secs_f64() * 1e3);

        // Pages spread from the first to the last: people jump to the end, too.
        let offset = if rounds > 1 {
            u32::try_from(u64::from(deepest) * u64::from(round) / u64::from(rounds - 1)).unwrap_or(deepest)
        } else {
            deepest
        };
        let t = Instant::now();
        store.dead_letters().list(&all_open, PAGE, offset).await?;
        time("page at any depth", t.elapsed().as_secs_f64() * 1e3);

        if !groups.is_empty() {
            let g = &groups[usize::try_from(round).unwrap_or(0) % groups.len()];
            let filter = DeadLetterFilter {
                status: open,
                kind: Some(g.kind.clone()),
                error_code: Some(g.error_code.clone()),
                ..DeadLetterFilter::default()
            };
            let t = Instant::now();
            store.dead_letters().list(&filter, PAGE, 0).await?;
            time("a group's first page", t.elapsed().as_secs_f64() * 1e3);
        }

        // The filters: a rare object, a provider's groups and page in the last day, and an age
        // that nothing matches (the whole range is looked at and found empty).
        let now = SystemClock.now();
        let disputes = DeadLetterFilter {
            status: open,
            object: Some("dispute".to_owned()),
            ..DeadLetterFilter::default()
        };
        let t = Instant::now();
        store.dead_letters().list(&disputes, PAGE, 0).await?;
        time("a rare object's first page", t.elapsed().as_secs_f64() * 1e3);
        let payoneer_today = DeadLetterFilter {
            status: open,
            parked_from: Some(now - chrono::Duration::days(1)),
            ..paysync_engine::failure_scope::scope(Some("payoneer"), None, None, None, now)?
        };
        let t = Instant::now();
        store.dead_letters().groups_in(&payoneer_today, 100).await?;
        time(
            "a provider's groups of the last day",
            t.elapsed().as_secs_f64() * 1e3,
        );
        let t = Instant::now();
        store.dead_letters().list(&payoneer_today, PAGE, 0).await?;
        time(
            "a provider's first page of the last day",
            t.elapsed().as_secs_f64() * 1e3,
        );
        let stale = DeadLetterFilter {
            status: open,
            parked_before: Some(now - chrono::Duration::days(7)),
            ..DeadLetterFilter::default()
        };
        let t = Instant::now();
        store.dead_letters().list(&stale, PAGE, 0).await?;
        time("older than a week (none)", t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        store.dead_letters().objects(DeadLetterStatus::Open).await?;
        time("the object filter's choices", t.elapsed().as_secs_f64() * 1e3);
    }
    let counted = store.dead_letters().open_summary().await?.0;
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);

    all.sort_by(f64::total_cmp);
    let p95_ms_by_query: std::collections::BTreeMap<String, f64> = by_query
        .iter_mut()
        .map(|(name, v)| {
            v.sort_by(f64::total_cmp);
            ((*name).to_owned(), percentile(v, 95))
        })
        .collect();
    let (slowest_query, slowest_query_p95_ms) = p95_ms_by_query
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(name, p95)| (name.clone(), *p95))
        .unwrap_or_default();
    let p95 = percentile(&all, 95);
    Ok(DlqBench {
        items: counted,
        p50_ms: percentile(&all, 50),
        p95_ms: p95,
        max_ms: all.last().copied().unwrap_or(0.0),
        queries: all.len() as u64,
        slowest_query,
        slowest_query_p95_ms,
        p95_ms_by_query,
        seed_s,
        peak_rss_mb: peak_rss_mb(),
        target_met: p95 < 50.0,
    })
}
