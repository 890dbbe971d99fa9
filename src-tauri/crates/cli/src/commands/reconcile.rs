//! `paysync reconcile run|runs|show|results|resolve|export`.

use anyhow::Context as _;
use paysync_engine::reconcile::{ExportFormat, RunView};
use paysync_store::{ReconResult, Resolution, ResultCategory};
use serde_json::Value;

use super::Context;
use crate::cli::{ExportArg, ReconcileCommand, ResolutionArg};
use crate::output::{self, when};

fn result_line(r: &ReconResult) -> String {
    let decided = r
        .resolution
        .map(|x| format!("  [{x} by {}]", r.resolved_by.as_deref().unwrap_or_default()))
        .unwrap_or_default();
    format!(
        "#{:<7} {:<10} {:<22} {:<4} {}{decided}",
        r.id,
        r.category.as_str(),
        r.kind,
        r.currency,
        r.reason
    )
}

fn print_view(view: &RunView) -> anyhow::Result<()> {
    let run = &view.run;
    output::line(format!(
        "Run {}: {} to {}, started by {} {}{}",
        run.id,
        run.period_from,
        run.period_to,
        run.started_by,
        when(&run.started_at),
        if run.finished_at.is_none() {
            " (not finished)"
        } else {
            ""
        }
    ))?;
    let summary = run.summary.clone().unwrap_or(Value::Null);
    if let Some(error) = summary.get("error").and_then(Value::as_str) {
        output::line(format!("Failed: {error}"))?;
    }
    if let Some(totals) = summary.get("totals").and_then(Value::as_object) {
        output::line(format!(
            "Totals balance (matched + unmatched = input, per currency): {}",
            if summary["balances"] == true { "yes" } else { "NO" }
        ))?;
        for (currency, t) in totals {
            let text = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or("0").to_owned();
            let major = |k: &str| {
                text(k)
                    .parse::<i64>()
                    .map(|m| paysync_engine::payouts::major_text(m, currency))
                    .unwrap_or_else(|_| text(k))
            };
            output::line(format!(
                "  {currency}: provider {} = matched {} + unmatched {};  Salesforce {} = matched {} + unmatched {}",
                major("provider_input"),
                major("provider_matched"),
                major("provider_unmatched"),
                major("salesforce_input"),
                major("salesforce_matched"),
                major("salesforce_unmatched"),
            ))?;
        }
    }
    if let Some(payouts) = summary.get("payouts").and_then(Value::as_array) {
        let tied = payouts.iter().filter(|p| p["ties"] == true).count();
        output::line(format!("Stripe payouts tied out: {tied} of {}", payouts.len()))?;
    }
    for c in &view.counts {
        output::line(format!(
            "  {:<10} {:<24} {:>7}  ({} undecided)",
            c.category.as_str(),
            c.kind,
            c.count,
            if c.category == ResultCategory::Matched {
                0
            } else {
                c.open
            }
        ))?;
    }
    Ok(())
}

/// Runs `paysync reconcile …`.
pub async fn run(ctx: &Context, command: ReconcileCommand) -> anyhow::Result<()> {
    let engine = ctx.engine().await?;
    let desk = engine.reconciliation()?;
    match command {
        ReconcileCommand::Run {
            from,
            to,
            days,
            offline,
        } => {
            let to = to.unwrap_or_else(|| engine.clock().now().date_naive());
            let from = from.unwrap_or_else(|| to - chrono::Duration::days(i64::from(days.max(1)) - 1));
            let actor = paysync_app::connections::signed_in_user_id(engine.store(), &ctx.profile)
                .await?
                .unwrap_or_else(|| "cli".to_owned());
            let report = desk.run(from, to, &actor, offline).await?;
            if ctx.json {
                return output::json(&report);
            }
            print_view(&desk.show(Some(report.run_id)).await?)
        }
        ReconcileCommand::Runs { limit } => {
            let runs = desk.runs(limit).await?;
            if ctx.json {
                return output::json(&runs);
            }
            for run in &runs {
                let s = run.summary.clone().unwrap_or(Value::Null);
                output::line(format!(
                    "{:<6} {} to {}  {:<20} matched {:>7} suggested {:>5} exceptions {:>5}  {}",
                    run.id,
                    run.period_from,
                    run.period_to,
                    run.started_by,
                    s["matched"],
                    s["suggested"],
                    s["exceptions"],
                    when(&run.started_at)
                ))?;
            }
            Ok(())
        }
        ReconcileCommand::Show { run } => {
            let view = desk.show(run).await?;
            if ctx.json {
                return output::json(&view);
            }
            print_view(&view)
        }
        ReconcileCommand::Results {
            run,
            category,
            kind,
            limit,
            offset,
        } => {
            let category = category
                .map(|c| c.parse::<ResultCategory>())
                .transpose()
                .map_err(|e| anyhow::anyhow!("--category: {e} (matched, suggested or exception)"))?;
            let results = desk
                .results(run, category, kind.as_deref(), limit, offset)
                .await?;
            if ctx.json {
                return output::json(&results);
            }
            for r in &results {
                output::line(result_line(r))?;
            }
            Ok(())
        }
        ReconcileCommand::Resolve {
            result,
            decision,
            note,
        } => {
            let actor = paysync_app::connections::signed_in_user_id(engine.store(), &ctx.profile)
                .await?
                .context("connect Salesforce first (`paysync connect salesforce`): decisions are made as the Salesforce user signed in")?;
            let resolution = match decision {
                ResolutionArg::Accept => Resolution::Accepted,
                ResolutionArg::Reject => Resolution::Rejected,
                ResolutionArg::Explain => Resolution::Explained,
                ResolutionArg::Fixed => Resolution::Fixed,
            };
            let done = desk.resolve(result, resolution, &actor, note.as_deref()).await?;
            if ctx.json {
                return output::json(&done);
            }
            output::line(result_line(&done))
        }
        ReconcileCommand::Fix {
            result,
            note,
            queue_only,
        } => {
            let actor = paysync_app::connections::signed_in_user_id(engine.store(), &ctx.profile)
                .await?
                .context("connect Salesforce first (`paysync connect salesforce`): fixes are made as the Salesforce user signed in")?;
            let report = desk.fix(result, &actor, note.as_deref()).await?;
            if !queue_only {
                engine.run_jobs_until_idle().await?;
            }
            let mut jobs = Vec::new();
            for id in &report.jobs {
                if let Some(job) = engine.store().jobs().get(*id).await? {
                    jobs.push(serde_json::json!({
                        "id": job.id, "kind": job.kind, "status": job.status,
                        "last_error": job.last_error,
                    }));
                }
            }
            if ctx.json {
                return output::json(&serde_json::json!({"result": report.result, "jobs": jobs}));
            }
            output::line(result_line(&report.result))?;
            for job in &jobs {
                output::line(format!(
                    "  job #{} {} {}{}",
                    job["id"],
                    job["kind"].as_str().unwrap_or_default(),
                    job["status"].as_str().unwrap_or_default(),
                    job["last_error"]
                        .as_str()
                        .map(|e| format!(": {e}"))
                        .unwrap_or_default()
                ))?;
            }
            Ok(())
        }
        ReconcileCommand::Export { run, format, out } => {
            let format = match format {
                ExportArg::Csv => ExportFormat::Csv,
                ExportArg::Xlsx => ExportFormat::Xlsx,
            };
            let bytes = desk.export(run, format).await?;
            std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
            output::line(format!(
                "Wrote run {run} to {} ({} bytes)",
                out.display(),
                bytes.len()
            ))
        }
    }
}
