//! `paysync status`: connections, flows, last runs, queue and DLQ depth.

use super::Context;
use crate::output::{self, when};

/// Runs `paysync status`.
pub async fn run(ctx: &Context) -> anyhow::Result<()> {
    let engine = ctx.engine().await?;
    let s = engine.status().await?;
    if ctx.json {
        return output::json(&s);
    }
    output::line(format!("Paysync — data directory {}", s.data_dir.display()))?;
    output::line("")?;
    if s.connections.is_empty() {
        output::line("Connections: none yet.")?;
    } else {
        output::line("Connections:")?;
        for c in &s.connections {
            output::line(format!(
                "  {:<12} {:<10} {:<24} {}",
                c.provider, c.profile, c.display_name, c.status
            ))?;
        }
    }
    output::line("")?;
    output::line("Flows:")?;
    for f in &s.flows {
        let last = f.last_run.as_ref().map_or_else(
            || "never run".to_owned(),
            |r| {
                let outcome = r.outcome.map_or("running", |o| o.as_str());
                format!("last {outcome} at {}", when(&r.started_at))
            },
        );
        let next = f
            .next_due
            .as_ref()
            .map_or_else(String::new, |t| format!(", next {}", when(t)));
        let schedule = f.schedule.as_deref().unwrap_or("on demand");
        output::line(format!("  {:<16} {:<14} {last}{next}", f.name, schedule))?;
    }
    output::line("")?;
    let q = &s.queue;
    output::line(format!(
        "Queue: {} pending · {} running · {} in doubt · {} succeeded · {} dead · {} cancelled",
        q.pending, q.running, q.in_doubt, q.succeeded, q.dead, q.cancelled
    ))?;
    let oldest = s
        .dead_letters
        .oldest_open_at
        .as_ref()
        .map_or_else(String::new, |t| format!(", oldest {}", when(t)));
    output::line(format!("Dead letters: {} open{oldest}", s.dead_letters.open))?;
    output::line(format!("Audit log: {} entries", s.audit_head_seq.unwrap_or(0)))
}
