//! `paysync bench …`: benchmarks that print figures (targets are checked here, not in timed tests).

use std::sync::Arc;
use std::time::Instant;

use paysync_core::{Clock, SystemClock, SystemRandom};
use paysync_engine::{Engine, EngineOptions};
use paysync_store::NewAuditEntry;
use serde::Serialize;

use super::Context;
use crate::cli::BenchCommand;
use crate::output;

#[derive(Debug, Serialize)]
struct AuditBench {
    entries: u64,
    seed_s: f64,
    verify_s: f64,
    verify_entries_per_sec: f64,
    peak_rss_mb: f64,
    target_verify_s: f64,
    target_met: bool,
}

/// Runs `paysync bench …`.
pub async fn run(ctx: &Context, command: BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Audit { entries } => {
            let report = bench_audit(entries).await?;
            if ctx.json {
                return output::json(&report);
            }
            output::line(format!(
                "audit verify: {} entries in {:.3} s ({:.0} entries/s; seeding took {:.1} s); peak RSS {:.0} MB; target < {} s: {}",
                report.entries,
                report.verify_s,
                report.verify_entries_per_sec,
                report.seed_s,
                report.peak_rss_mb,
                report.target_verify_s,
                if report.target_met { "met" } else { "MISSED" }
            ))
        }
        BenchCommand::Reconcile { records, seed } => {
            let report = bench_reconcile(records, seed)?;
            if ctx.json {
                return output::json(&report);
            }
            output::line(format!(
                "reconcile: {} records per side in {:.2} s (generating took {:.2} s); peak RSS {:.0} MB; confirmed {} of {} true matches, precision {:.4}, recall {:.4}; {} suggested, {} exceptions; totals balance: {}",
                report.records,
                report.wall_s,
                report.generate_s,
                report.peak_rss_mb,
                report.confirmed,
                report.true_matches,
                report.precision,
                report.recall,
                report.suggested,
                report.exceptions,
                report.balances
            ))
        }
        BenchCommand::Dlq { items, rounds } => {
            let report = super::bench_dlq::bench_dlq(items, rounds.max(1)).await?;
            if ctx.json {
                return output::json(&report);
            }
            output::line(report.summary())
        }
        BenchCommand::Sync { events, latency_ms } => {
            let report = super::bench_sync::bench_sync(events, latency_ms).await?;
            if ctx.json {
                return output::json(&report);
            }
            output::line(report.summary())
        }
    }
}

#[allow(clippy::float_arithmetic, clippy::cast_precision_loss)] // Timing figures, not money.
async fn bench_audit(entries: u64) -> anyhow::Result<AuditBench> {
    let (dir, engine) = scratch_engine("audit").await?;
    let store = engine.store();
    let seed_timer = Instant::now();
    let mut written = 0u64;
    while written < entries {
        let n = (entries - written).min(20_000);
        let batch: Vec<NewAuditEntry> = (written..written + n)
            .map(|i| NewAuditEntry {
                actor: "bench".into(),
                action: "payout.approve".into(),
                subject: format!("batch-{}", i / 100),
                details: serde_json::json!({ "item": i, "amount_minor": 12_345 + i }),
            })
            .collect();
        store.audit().append_many(&batch, SystemClock.now()).await?;
        written += n;
    }
    let seed_s = seed_timer.elapsed().as_secs_f64();
    let timer = Instant::now();
    let v = engine.verify_audit().await?;
    let verify_s = timer.elapsed().as_secs_f64();
    drop(engine);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(AuditBench {
        entries: v.entries,
        seed_s,
        verify_s,
        verify_entries_per_sec: v.entries as f64 / verify_s.max(1e-9),
        peak_rss_mb: peak_rss_mb(),
        target_verify_s: 5.0,
        target_met: verify_s < 5.0,
    })
}

/// An engine over a fresh data directory `<temp>/paysync-bench-<pid>/<name>` (the caller removes
/// it when done), on the system clock.
pub(super) async fn scratch_engine(name: &str) -> anyhow::Result<(std::path::PathBuf, Engine)> {
    let dir = tempfile_dir()?.join(name);
    std::fs::create_dir_all(&dir)?;
    let engine = Engine::open(
        EngineOptions::new(dir.clone()),
        Arc::new(SystemClock),
        Arc::new(SystemRandom),
    )
    .await?;
    Ok((dir, engine))
}

pub(super) fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("paysync-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Peak resident memory of this process in MB (Linux `VmHWM`; 0 elsewhere).
#[allow(clippy::float_arithmetic, clippy::cast_precision_loss)]
pub(super) fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(0.0, |kb| kb as f64 / 1024.0)
}

#[derive(Debug, Serialize)]
struct ReconcileBench {
    records: u64,
    wall_s: f64,
    generate_s: f64,
    peak_rss_mb: f64,
    precision: f64,
    recall: f64,
    confirmed: usize,
    true_matches: usize,
    suggested: usize,
    exceptions: usize,
    balances: bool,
}

/// Generates N records per side with known answers, reconciles them (timed) and scores the
/// confirmed matches against the truth.
#[allow(clippy::float_arithmetic, clippy::cast_precision_loss)] // Timing figures, not money.
fn bench_reconcile(records: u64, seed: u64) -> anyhow::Result<ReconcileBench> {
    use paysync_core::reconcile::{Rules, ground_truth, reconcile, score};
    let started = Instant::now();
    let truth = ground_truth::generate(usize::try_from(records)?, seed);
    let generate_s = started.elapsed().as_secs_f64();
    let timer = Instant::now();
    let outcome = reconcile(&truth.provider, &truth.salesforce, &Rules::default())?;
    let wall_s = timer.elapsed().as_secs_f64();
    let scored = score::score(&outcome, &truth);
    Ok(ReconcileBench {
        records,
        wall_s,
        generate_s,
        peak_rss_mb: peak_rss_mb(),
        precision: scored.precision,
        recall: scored.recall,
        confirmed: scored.confirmed,
        true_matches: scored.true_matches,
        suggested: outcome.suggestions.len(),
        exceptions: outcome.exceptions.len(),
        balances: outcome.balances(),
    })
}
