//! `paysync dlq list|show|replay|discard`.

use paysync_store::{DeadLetterFilter, DeadLetterStatus};

use paysync_engine::failure_scope::{parse_age, scope};

use super::Context;
use crate::cli::{DlqCommand, DlqScopeArgs, DlqStatusArg};
use crate::output::{self, when};

/// Runs `paysync dlq …`.
pub async fn run(ctx: &Context, command: DlqCommand) -> anyhow::Result<()> {
    let engine = ctx.engine().await?;
    match command {
        DlqCommand::List(args) => {
            let status = match args.status {
                DlqStatusArg::Open => Some(DeadLetterStatus::Open),
                DlqStatusArg::Replayed => Some(DeadLetterStatus::Replayed),
                DlqStatusArg::Discarded => Some(DeadLetterStatus::Discarded),
                DlqStatusArg::All => None,
            };
            let scope = DeadLetterFilter {
                status,
                ..scope_of(&engine, &args.scope)?
            };
            if args.group {
                let groups = engine.dead_letter_groups_in(&scope, args.limit).await?;
                if ctx.json {
                    return output::json(&groups);
                }
                output::line(format!("{} groups", groups.len()))?;
                for g in &groups {
                    output::line(format!(
                        "  {:>6} × {:<24} {:<28} oldest {}  e.g. {}",
                        g.count,
                        g.kind,
                        g.error_code,
                        when(&g.oldest),
                        g.sample_message
                    ))?;
                }
                return Ok(());
            }
            let filter = DeadLetterFilter {
                kind: args.kind,
                error_code: args.code,
                ..scope
            };
            let page = engine.dead_letters(&filter, args.limit, args.offset).await?;
            if ctx.json {
                return output::json(&page);
            }
            output::line(format!(
                "{} entries (showing {} from {})",
                page.total,
                page.items.len(),
                args.offset
            ))?;
            for d in &page.items {
                output::line(format!(
                    "  #{:<6} job {:<8} {:<20} {:<28} {:<9} {}  {}",
                    d.id,
                    d.job_id,
                    d.kind,
                    d.error_code,
                    d.status.as_str(),
                    when(&d.created_at),
                    d.error_message
                ))?;
            }
            Ok(())
        }
        DlqCommand::Show { id } => {
            let d = engine.dead_letter(id).await?;
            if ctx.json {
                return output::json(&d);
            }
            output::line(format!("Dead letter #{} — job {} ({})", d.id, d.job_id, d.kind))?;
            output::line(format!("Status:  {}", d.status.as_str()))?;
            output::line(format!(
                "Error:   [{}] {}: {}",
                d.error_class, d.error_code, d.error_message
            ))?;
            output::line(format!(
                "Parked:  {} (job created {})",
                when(&d.created_at),
                when(&d.job_created_at)
            ))?;
            if let Some(reason) = &d.resolution_reason {
                output::line(format!("Reason:  {reason}"))?;
            }
            output::line("Attempts:")?;
            for a in &d.attempts {
                output::line(format!(
                    "  {:>2}. {}  {:<13} {}",
                    a.attempt_no,
                    when(&a.started_at),
                    a.outcome.as_str(),
                    a.error_message.as_deref().unwrap_or("")
                ))?;
            }
            output::line("Payload:")?;
            output::line(serde_json::to_string_pretty(&d.payload)?)
        }
        DlqCommand::Preview { id, payload_file } => {
            let corrected = match payload_file {
                Some(path) => Some(serde_json::from_str::<serde_json::Value>(
                    &std::fs::read_to_string(&path)?,
                )?),
                None => None,
            };
            let preview = engine
                .preview_dead_letter(id, corrected.as_ref())
                .await?
                .unwrap_or_else(
                    || serde_json::json!({"action": "none", "why": "this kind of job has no preview"}),
                );
            if ctx.json {
                return output::json(&preview);
            }
            output::line(format!(
                "Replaying #{id} would {} {} {}",
                preview["action"].as_str().unwrap_or("?"),
                preview["object"].as_str().unwrap_or_default(),
                preview["target_id"].as_str().unwrap_or_default()
            ))?;
            if let Some(why) = preview["why"].as_str() {
                output::line(format!("  {why}"))?;
            }
            for f in preview["fields"].as_array().into_iter().flatten() {
                let mark = if f["changed"] == true { "*" } else { " " };
                output::line(format!(
                    "  {mark} {:<28} {} → {}",
                    f["field"].as_str().unwrap_or_default(),
                    f["current"],
                    f["proposed"]
                ))?;
            }
            Ok(())
        }
        DlqCommand::Replay {
            id: None,
            kind: Some(kind),
            code: Some(code),
            scope,
            ..
        } => {
            let (ids, jobs): (Vec<i64>, Vec<i64>) = engine
                .replay_dead_letter_group(&kind, &code, &scope_of(&engine, &scope)?)
                .await?
                .into_iter()
                .unzip();
            if ctx.json {
                return output::json(&serde_json::json!({ "dead_letter_ids": ids, "job_ids": jobs }));
            }
            output::line(format!(
                "{} dead letters of {kind} / {code} replayed, each with its original idempotency key.",
                ids.len()
            ))
        }
        DlqCommand::Discard {
            id: None,
            kind: Some(kind),
            code: Some(code),
            reason,
            scope,
        } => {
            let ids = engine
                .discard_dead_letter_group(&kind, &code, &reason, &scope_of(&engine, &scope)?)
                .await?;
            if ctx.json {
                return output::json(&serde_json::json!({ "dead_letter_ids": ids, "discarded": true }));
            }
            output::line(format!(
                "{} dead letters of {kind} / {code} discarded.",
                ids.len()
            ))
        }
        DlqCommand::Replay { id, payload_file, .. } => {
            let id = id.ok_or_else(|| anyhow::anyhow!("give an entry's id, or --kind and --code"))?;
            let corrected = match payload_file {
                Some(path) => {
                    let text = std::fs::read_to_string(&path)?;
                    Some(serde_json::from_str::<serde_json::Value>(&text).map_err(|e| {
                        paysync_engine::EngineError::Invalid {
                            field: "payload_file",
                            message: format!("{} is not valid JSON: {e}", path.display()),
                        }
                    })?)
                }
                None => None,
            };
            let job_id = engine.replay_dead_letter(id, corrected.as_ref()).await?;
            if ctx.json {
                return output::json(&serde_json::json!({ "dead_letter_id": id, "job_id": job_id }));
            }
            output::line(format!(
                "Dead letter #{id} replayed: job {job_id} is back in the queue."
            ))
        }
        DlqCommand::Discard { id, reason, .. } => {
            let id = id.ok_or_else(|| anyhow::anyhow!("give an entry's id, or --kind and --code"))?;
            engine.discard_dead_letter(id, &reason).await?;
            if ctx.json {
                return output::json(&serde_json::json!({ "dead_letter_id": id, "discarded": true }));
            }
            output::line(format!("Dead letter #{id} discarded."))
        }
    }
}

/// The narrowing the scope options ask for, relative to now.
fn scope_of(engine: &paysync_engine::Engine, args: &DlqScopeArgs) -> anyhow::Result<DeadLetterFilter> {
    let age = |a: &Option<String>| a.as_deref().map(parse_age).transpose();
    Ok(scope(
        args.provider.as_deref(),
        args.object.as_deref(),
        age(&args.older_than)?,
        age(&args.newer_than)?,
        engine.clock().now(),
    )?)
}
