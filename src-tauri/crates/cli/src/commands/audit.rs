//! `paysync audit verify|list`.

use super::Context;
use crate::cli::AuditCommand;
use crate::output::{self, when};

/// Runs `paysync audit …`.
pub async fn run(ctx: &Context, command: AuditCommand) -> anyhow::Result<()> {
    let engine = ctx.engine().await?;
    match command {
        AuditCommand::Verify => {
            let v = engine.verify_audit().await?;
            if ctx.json {
                return output::json(&v);
            }
            output::line(format!(
                "Audit log verified: {} entries, head #{} {}",
                v.entries, v.head_seq, v.head_hash
            ))
        }
        AuditCommand::List { limit, offset } => {
            let entries = engine.audit_entries(limit, offset).await?;
            if ctx.json {
                return output::json(&entries);
            }
            for e in &entries {
                output::line(format!(
                    "#{:<6} {}  {:<16} {:<20} {}  {}",
                    e.seq,
                    when(&e.at),
                    e.actor,
                    e.action,
                    e.subject,
                    e.details
                ))?;
            }
            Ok(())
        }
    }
}
