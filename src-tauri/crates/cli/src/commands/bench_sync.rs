//! `paysync bench sync`: Stripe → Salesforce end to end against fresh simulators. The Stripe
//! simulator is seeded with a history of N events; `stripe.events` pages them into the inbox while
//! `stripe.salesforce` writes to the simulated org, the two overlapping as they do in the daemon.
//! The sequential event pagination alone is timed first: it is the floor the whole run is held to.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use paysync_connectors::http::{
    BreakerPolicy, Executor, ExecutorConfig, ProviderConfig, ProviderPolicy, RateLimit, StaticBearer,
};
use paysync_connectors::stripe::events::list_events;
use paysync_connectors::stripe::wire::List;
use paysync_core::retry::RetryPolicy;
use paysync_core::{Secret, SharedClock, SystemClock, SystemRandom};
use paysync_engine::flows::stripe_events::{self, StripeEventsFlow};
use paysync_engine::flows::stripe_salesforce::{self, ApplyOptions, StripeMappings, StripeToSalesforceFlow};
use paysync_engine::{Engine, EngineOptions, Extensions};
use paysync_sandbox::salesforce::{SANDBOX_CLIENT_ID, SalesforceSim};
use paysync_sandbox::stripe::{
    DEFAULT_TEST_KEY, NewCustomer, NewPayment, PaymentStatus, SimConfig, StripeSim,
};
use paysync_sandbox::{FaultConfig, FaultRule, ServeOptions, serve};
use serde::Serialize;
use serde_json::Value;

use super::bench::{peak_rss_mb, tempfile_dir};

/// The figures, as `--json` prints them.
#[derive(Debug, Serialize)]
pub struct SyncBench {
    /// Stripe events in the stream.
    pub events: u64,
    /// Added latency per simulator response.
    pub latency_ms: u64,
    /// Events through the whole pipeline per second of wall time.
    pub events_per_sec: f64,
    /// Salesforce records written.
    pub records_written: u64,
    /// Salesforce write calls (sObject Collections).
    pub sf_write_calls: u64,
    /// Other Salesforce calls: the queries that match new customers to existing Accounts.
    pub sf_read_calls: u64,
    /// Salesforce write calls per written record.
    pub sf_calls_per_record: f64,
    /// The target: 1.02 × ⌈records / 200⌉.
    pub sf_write_calls_target: f64,
    /// Stripe calls (event pages, fetches).
    pub stripe_calls: u64,
    /// Wall time of the whole run.
    pub wall_s: f64,
    /// Wall time of paging the events alone, sequentially.
    pub pagination_bound_s: f64,
    /// `wall_s / pagination_bound_s` (target ≤ 1.25 with latency).
    pub wall_over_pagination: f64,
    /// When the intake (`stripe.events`) had every event in the inbox; the rest of the wall
    /// time is the writing that was left.
    pub intake_s: f64,
    /// Seeding the simulator (not part of the run).
    pub seed_s: f64,
    /// Peak resident memory of the process.
    pub peak_rss_mb: f64,
    /// Dead letters left (0 expected).
    pub dead_letters: u64,
}

impl SyncBench {
    /// One line for people.
    #[allow(clippy::float_arithmetic)] // Timing figures, not money.
    pub fn summary(&self) -> String {
        format!(
            "sync: {} events, latency {} ms: {:.0} events/s, wall {:.2} s (event pagination alone {:.2} s, ratio {:.2}; intake done at {:.2} s); \
             {} records in {} Salesforce write calls (target ≤ {:.0}; {:.4} per record) and {} reads; {} Stripe calls; \
             peak RSS {:.0} MB; seeding took {:.1} s; dead letters {}",
            self.events,
            self.latency_ms,
            self.events_per_sec,
            self.wall_s,
            self.pagination_bound_s,
            self.wall_over_pagination,
            self.intake_s,
            self.records_written,
            self.sf_write_calls,
            self.sf_write_calls_target,
            self.sf_calls_per_record,
            self.sf_read_calls,
            self.stripe_calls,
            self.peak_rss_mb,
            self.seed_s,
            self.dead_letters,
        )
    }
}

fn latency(ms: u64) -> ServeOptions {
    let mut options = ServeOptions::loopback();
    if ms > 0 {
        options.faults = FaultConfig {
            rules: vec![FaultRule {
                latency_ms: ms,
                ..FaultRule::default()
            }],
            ..FaultConfig::default()
        };
    }
    options
}

fn executor(name: &str, base_url: &str, token: &str, clock: SharedClock) -> anyhow::Result<Executor> {
    let provider = ProviderConfig {
        name: name.to_owned(),
        base_url: base_url.to_owned(),
        idempotency_header: Some("Idempotency-Key".to_owned()),
        policy: ProviderPolicy {
            rate: RateLimit::per_second(1_000_000),
            max_attempts: 3,
            backoff: RetryPolicy {
                base: StdDuration::from_millis(20),
                cap: StdDuration::from_millis(500),
            },
            breaker: BreakerPolicy::default(),
            timeout: StdDuration::from_secs(60),
        },
        auth: Arc::new(StaticBearer::new(Secret::new(token.to_owned()))),
    };
    Ok(Executor::new(
        &ExecutorConfig::default(),
        vec![provider],
        clock,
        Arc::new(SystemRandom),
    )?)
}

/// Seeds about `events` Stripe events: customers each paying once, every tenth charge refunded
/// in part, one second apart, ending a minute ago. Returns when the history starts.
fn seed(stripe: &StripeSim, events: u64, now: DateTime<Utc>) -> anyhow::Result<DateTime<Utc>> {
    // A customer and its payment make about four events (customer, payment intent ×2, charge).
    let units = i64::try_from(events / 4).unwrap_or(i64::MAX).max(1);
    let start = now - Duration::seconds(units + 60);
    let mut made = 0u64;
    let mut i = 0i64;
    while made < events {
        let at = start + Duration::seconds(i.min(units));
        let customer = stripe.insert_customer(NewCustomer {
            email: Some(format!("bench{i}@example.com")),
            name: Some(format!("Bench customer {i}")),
            created: at,
            ..NewCustomer::default()
        });
        made += 1;
        if made < events {
            let before = made;
            let (_, charge) = stripe.insert_payment(NewPayment {
                customer: Some(customer),
                amount: 1_000 + i,
                currency: "eur".to_owned(),
                status: if i % 20 == 0 {
                    PaymentStatus::Failed
                } else {
                    PaymentStatus::Succeeded
                },
                created: at,
                ..NewPayment::default()
            })?;
            made = before + 3;
            if i % 10 == 5 && made < events {
                stripe.insert_refund(&charge, 100, at)?;
                made += 2;
            }
        }
        i += 1;
    }
    Ok(start)
}

/// Pages every event from `since` newest first, as the poller does, without storing them.
async fn paginate(executor: &Executor, since: DateTime<Utc>) -> anyhow::Result<(u64, u64)> {
    let (mut calls, mut events) = (0u64, 0u64);
    let mut after: Option<String> = None;
    loop {
        let page: List<Value> = executor
            .send("stripe", list_events(Some(since), after.as_deref(), 100))
            .await?
            .json()?;
        calls += 1;
        events += page.data.len() as u64;
        after = page.data.last().and_then(|e| e["id"].as_str()).map(str::to_owned);
        if !page.has_more || after.is_none() {
            return Ok((calls, events));
        }
    }
}

/// Runs the benchmark.
#[allow(clippy::float_arithmetic, clippy::cast_precision_loss)] // Timing figures, not money.
pub async fn bench_sync(events: u64, latency_ms: u64) -> anyhow::Result<SyncBench> {
    let clock: SharedClock = Arc::new(SystemClock);
    let (stripe_handle, stripe) = serve(
        latency(latency_ms),
        clock.clone(),
        Arc::new(SystemRandom),
        StripeSim::new,
    )
    .await?;
    stripe.set_config(SimConfig {
        rate_limit_per_sec: 0,
        ..stripe.config()
    });
    let (sf_handle, salesforce) = serve(
        latency(latency_ms),
        clock.clone(),
        Arc::new(SystemRandom),
        SalesforceSim::new,
    )
    .await?;
    salesforce.set_daily_limit(u64::MAX / 4);
    let token = salesforce.mint_token(SANDBOX_CLIENT_ID, "api");

    let seed_timer = Instant::now();
    let start = seed(&stripe, events, clock.now())?;
    let seed_s = seed_timer.elapsed().as_secs_f64();

    let stripe_exec = executor("stripe", &stripe_handle.base_url, DEFAULT_TEST_KEY, clock.clone())?;
    let sf_exec = executor(
        "salesforce",
        token["instance_url"].as_str().unwrap_or_default(),
        token["access_token"].as_str().unwrap_or_default(),
        clock.clone(),
    )?;
    // The floor: the event pages one after another, nothing else.
    let since = start - stripe_events::OVERLAP;
    let timer = Instant::now();
    let (pages, _listed) = paginate(&stripe_exec, since).await?;
    let pagination_bound_s = timer.elapsed().as_secs_f64();

    let dir = tempfile_dir()?;
    let apply = StripeToSalesforceFlow::new(
        stripe_exec.clone(),
        sf_exec,
        StripeMappings::defaults()?,
        ApplyOptions {
            api_share_percent: 100,
            // Over a continuous stream, a partial collection waits up to 15 s to fill: the
            // slowest kind (refunds, a tenth of the payments) fills one in about 5 s at 50 ms.
            hold_partial_for: StdDuration::from_secs(15),
            ..ApplyOptions::default()
        },
    );
    let calls = apply.clone();
    let extensions = Extensions {
        handlers: vec![apply.record_handler()],
        flows: vec![
            (
                Arc::new(StripeEventsFlow::new(stripe_exec, 100)),
                "off".to_owned(),
            ),
            (Arc::new(apply), "off".to_owned()),
        ],
        ..Extensions::default()
    };
    let engine = Engine::open_extended(
        EngineOptions::new(dir.clone()),
        clock.clone(),
        Arc::new(SystemRandom),
        extensions,
    )
    .await?;
    // The poller continues from just before the history, rather than re-scanning objects.
    engine
        .store()
        .cursors()
        .set(
            stripe_events::NAME,
            "events",
            &(start + stripe_events::OVERLAP - Duration::seconds(60))
                .timestamp()
                .to_string(),
            clock.now(),
        )
        .await?;
    let sf_before = salesforce.api_usage().0;

    let timer = Instant::now();
    let polled = AtomicBool::new(false);
    let poll = async {
        let run = engine.run_flow_now(stripe_events::NAME).await;
        polled.store(true, Ordering::SeqCst);
        (run, timer.elapsed().as_secs_f64())
    };
    let write = async {
        let mut written = 0u64;
        loop {
            let done = polled.load(Ordering::SeqCst);
            // Once the stream has ended, the remainders go too.
            calls.drain(done);
            let run = engine.run_flow_now(stripe_salesforce::NAME).await?;
            if run.outcome == "failed" {
                anyhow::bail!("stripe.salesforce failed: {}", run.error.unwrap_or_default());
            }
            written += run.counts.written;
            if done && run.counts.read == 0 {
                return Ok::<u64, anyhow::Error>(written);
            }
            if run.counts.read == 0 {
                tokio::time::sleep(StdDuration::from_millis(20)).await;
            }
        }
    };
    let ((polled_run, intake_s), written) = tokio::join!(poll, write);
    let wall_s = timer.elapsed().as_secs_f64();
    let polled_run = polled_run?;
    if polled_run.outcome == "failed" {
        anyhow::bail!("stripe.events failed: {}", polled_run.error.unwrap_or_default());
    }
    let records_written = written?;
    let sf_all_calls = salesforce.api_usage().0 - sf_before;
    let dead_letters = engine.store().dead_letters().open_summary().await?.0;
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
    stripe_handle.stop().await?;
    sf_handle.stop().await?;
    // The flow counts its collection calls; the org counts every call, reads included.
    let (fetches, sf_write_calls) = calls.calls();
    let sf_read_calls = sf_all_calls.saturating_sub(sf_write_calls);
    Ok(SyncBench {
        events,
        latency_ms,
        events_per_sec: events as f64 / wall_s.max(1e-9),
        records_written,
        sf_write_calls,
        sf_read_calls,
        sf_calls_per_record: sf_write_calls as f64 / (records_written.max(1) as f64),
        sf_write_calls_target: 1.02 * records_written.div_ceil(200) as f64,
        stripe_calls: pages + fetches,
        wall_s,
        pagination_bound_s,
        wall_over_pagination: wall_s / pagination_bound_s.max(1e-9),
        intake_s,
        seed_s,
        peak_rss_mb: peak_rss_mb(),
        dead_letters,
    })
}
