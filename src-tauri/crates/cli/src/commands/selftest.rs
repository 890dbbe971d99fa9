//! `paysync selftest enqueue|report`: proves the queue works end to end on this machine.

use paysync_engine::selftest::SelftestPlan;

use super::Context;
use crate::cli::SelftestCommand;
use crate::output;

/// Runs `paysync selftest …`.
pub async fn run(ctx: &Context, command: SelftestCommand) -> anyhow::Result<()> {
    let engine = ctx.engine().await?;
    match command {
        SelftestCommand::Enqueue {
            batch,
            jobs,
            fail_terminal,
            fail_retriable,
            work_ms,
        } => {
            let plan = SelftestPlan {
                batch,
                jobs,
                fail_terminal,
                fail_retriable,
                work_ms,
                max_attempts: engine.options().max_attempts,
            };
            let created = engine.enqueue_selftest(&plan).await?;
            if ctx.json {
                return output::json(
                    &serde_json::json!({ "batch": plan.batch, "jobs": jobs, "created": created }),
                );
            }
            output::line(format!(
                "Enqueued {created} self-test jobs (batch {}).",
                plan.batch
            ))
        }
        SelftestCommand::Report => {
            let report = engine.selftest_ledger()?;
            if ctx.json {
                return output::json(&report);
            }
            output::line(format!(
                "Self-test ledger: {} executions, {} distinct jobs, {} re-executions absorbed by the idempotent counter.",
                report.executions, report.distinct, report.duplicates_absorbed
            ))
        }
    }
}
