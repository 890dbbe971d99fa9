//! `stripe.payments`: reads Stripe charges into the local payment ledger. Each run pages newest
//! first from a little before the last run's newest charge (a charge can still settle after it is
//! created), upserts by charge id so re-reading is harmless, and moves the cursor only after the
//! whole window was stored.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use paysync_connectors::http::Executor;
use paysync_connectors::stripe::transform::ChargeRecord;
use paysync_connectors::stripe::wire::{Charge, List};
use paysync_connectors::stripe::{self, PROVIDER};
use paysync_store::{ProviderPayment, RunCounts};

use crate::scheduler::{Flow, FlowContext, FlowError};

/// The flow's name.
pub const NAME: &str = "stripe.payments";
/// How far before the cursor each run starts reading again, to pick up charges that settled late.
pub const LOOKBACK: Duration = Duration::days(3);

/// The flow, sending through the shared executor (which knows Stripe's URL and key).
#[derive(Debug, Clone)]
pub struct StripePaymentsFlow {
    executor: Executor,
    page_size: u32,
}

impl StripePaymentsFlow {
    /// A flow that reads `page_size` charges per request.
    pub fn new(executor: Executor, page_size: u32) -> Self {
        Self { executor, page_size }
    }
}

#[async_trait]
impl Flow for StripePaymentsFlow {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "Reads new and settled Stripe charges into Paysync's payment ledger."
    }

    async fn run(&self, ctx: &FlowContext) -> Result<RunCounts, FlowError> {
        let mut counts = RunCounts::default();
        let cursor = ctx
            .store
            .cursors()
            .get(NAME, PROVIDER)
            .await
            .map_err(|e| FlowError::new(e.to_string(), counts))?;
        let since = cursor
            .and_then(|c| c.parse::<i64>().ok())
            .and_then(|secs| DateTime::<Utc>::from_timestamp(secs, 0))
            .map(|t| t - LOOKBACK);
        let mut newest: Option<DateTime<Utc>> = None;
        let mut starting_after: Option<String> = None;
        let mut problems = Vec::new();
        loop {
            let request = stripe::list_charges(since, starting_after.as_deref(), self.page_size);
            let page: List<Charge> = self
                .executor
                .send(PROVIDER, request)
                .await
                .and_then(|r| r.json())
                .map_err(|e| FlowError::new(format!("Stripe charges could not be read: {e}"), counts))?;
            let mut records = Vec::with_capacity(page.data.len());
            for charge in &page.data {
                match ChargeRecord::try_from(charge) {
                    Ok(c) => {
                        newest = newest.max(Some(c.created));
                        records.push(ProviderPayment {
                            provider: PROVIDER.to_owned(),
                            provider_id: c.id,
                            kind: "charge".to_owned(),
                            status: c.status,
                            amount: c.amount,
                            occurred_at: c.created,
                            customer_ref: c.customer,
                        });
                    }
                    Err(e) => {
                        // The charge stays in Stripe; the run is partial and names it.
                        tracing::warn!(charge = %charge.id, field = e.field, "Stripe charge not readable.");
                        counts.failed += 1;
                        problems.push(e.to_string());
                    }
                }
            }
            ctx.store
                .payments()
                .upsert_many(&records, ctx.clock.now())
                .await
                .map_err(|e| FlowError::new(e.to_string(), counts))?;
            counts.read += page.data.len() as u64;
            counts.written += records.len() as u64;
            ctx.progress(counts.read, None);
            starting_after = page.data.last().map(|c| c.id.clone());
            if !page.has_more || starting_after.is_none() {
                break;
            }
        }
        if let Some(t) = newest {
            ctx.store
                .cursors()
                .set(NAME, PROVIDER, &t.timestamp().to_string(), ctx.clock.now())
                .await
                .map_err(|e| FlowError::new(e.to_string(), counts))?;
        }
        ctx.progress(counts.read, Some(counts.read));
        if let Some(first) = problems.first() {
            tracing::warn!(failed = counts.failed, first = %first, "Some Stripe charges were not stored.");
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration as StdDuration;

    use chrono::TimeZone;
    use paysync_connectors::http::BreakerPolicy;
    use paysync_core::{ManualClock, SharedClock};
    use paysync_sandbox::stripe::{NewPayment, PaymentStatus};

    use super::*;
    use crate::Extensions;
    use crate::flows::testing::{
        engine_with, engine_with_extensions, start_stripe, stripe_executor, stripe_executor_with,
    };

    #[tokio::test]
    async fn charges_land_in_the_ledger_once_and_feed_the_daily_volume() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .single()
            .unwrap_or_default();
        let clock: SharedClock = Arc::new(ManualClock::new(now));
        let (handle, sim) = start_stripe(clock.clone()).await;
        let pay = |amount, currency: &str, status, hours_ago| NewPayment {
            amount,
            currency: currency.to_owned(),
            status,
            created: now - Duration::hours(hours_ago),
            ..NewPayment::default()
        };
        // Three pages of two, across two days and two currencies, one declined.
        for p in [
            pay(1050, "eur", PaymentStatus::Succeeded, 30),
            pay(2000, "eur", PaymentStatus::Succeeded, 29),
            pay(500, "jpy", PaymentStatus::Succeeded, 28),
            pay(999, "eur", PaymentStatus::Failed, 5),
            pay(300, "eur", PaymentStatus::Succeeded, 2),
        ] {
            sim.insert_payment(p).unwrap_or_else(|e| panic!("seed: {e}"));
        }

        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let flow = StripePaymentsFlow::new(stripe_executor(&handle.base_url, clock.clone()), 2);
        let engine = engine_with(dir.path(), clock.clone(), Arc::new(flow)).await;
        let mut events = engine.subscribe();

        let first = engine
            .run_flow_now(NAME)
            .await
            .unwrap_or_else(|e| panic!("run: {e}"));
        assert_eq!(first.outcome, "succeeded", "{first:?}");
        assert_eq!((first.counts.read, first.counts.written), (5, 5));
        assert_eq!(
            engine
                .store()
                .payments()
                .count(PROVIDER)
                .await
                .unwrap_or_default(),
            5
        );
        let mut progress = 0;
        while let Ok(e) = events.try_recv() {
            if matches!(e, crate::EngineEvent::RunProgress { .. }) {
                progress += 1;
            }
        }
        assert!(
            progress >= 3,
            "one progress event per page and a final one, saw {progress}"
        );

        // A second run re-reads the look-back window and stores nothing twice.
        let second = engine
            .run_flow_now(NAME)
            .await
            .unwrap_or_else(|e| panic!("run: {e}"));
        assert_eq!(second.outcome, "succeeded");
        assert_eq!(
            engine
                .store()
                .payments()
                .count(PROVIDER)
                .await
                .unwrap_or_default(),
            5
        );

        let volume = engine
            .daily_volume(7)
            .await
            .unwrap_or_else(|e| panic!("volume: {e}"));
        let rows: Vec<(String, String, u64)> = volume
            .iter()
            .map(|v| (v.day.clone(), v.total.to_string(), v.count))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("2026-11-19".to_owned(), "30.50 EUR".to_owned(), 2),
                ("2026-11-19".to_owned(), "500 JPY".to_owned(), 1),
                ("2026-11-20".to_owned(), "3.00 EUR".to_owned(), 1),
            ]
        );
        handle.stop().await.unwrap_or_else(|e| panic!("stop: {e}"));
    }

    #[tokio::test]
    async fn an_unreachable_provider_opens_its_breaker_and_the_engine_says_so() {
        // A port nothing listens on: every call is a connection failure, a provider failure.
        let closed = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap_or_else(|e| panic!("{e}"));
        let clock: SharedClock = Arc::new(ManualClock::at_fixed_origin());
        let breaker = BreakerPolicy {
            failure_threshold: 1,
            open_for: StdDuration::from_secs(30),
        };
        let exec = stripe_executor_with(&format!("http://{closed}"), clock.clone(), breaker, 1);
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let extensions = Extensions {
            flows: vec![(
                Arc::new(StripePaymentsFlow::new(exec.clone(), 2)),
                "off".to_owned(),
            )],
            executors: vec![exec],
            ..Extensions::default()
        };
        let engine = engine_with_extensions(dir.path(), clock, extensions).await;
        let mut events = engine.subscribe();
        let run = engine
            .run_flow_now(NAME)
            .await
            .unwrap_or_else(|e| panic!("run: {e}"));
        assert_eq!(run.outcome, "failed", "{run:?}");
        let opened = tokio::time::timeout(StdDuration::from_secs(5), async {
            loop {
                match events.recv().await {
                    Ok(crate::EngineEvent::BreakerChanged {
                        provider,
                        endpoint,
                        circuit,
                    }) => return (provider, endpoint, circuit),
                    Ok(_) => {}
                    Err(e) => panic!("events: {e}"),
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("no breaker event"));
        assert_eq!(opened.0, PROVIDER);
        assert_eq!(opened.1, "stripe:GET /v1/charges");
        assert!(
            matches!(opened.2, paysync_connectors::http::Circuit::Open { .. }),
            "{:?}",
            opened.2
        );
    }
}
