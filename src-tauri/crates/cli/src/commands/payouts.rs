//! `paysync payouts list|show|dry-run|approve|reject|corrections|correct`.

use anyhow::Context as _;
use paysync_engine::payouts::{PayoutDesk, RecipientCorrection, major_text};
use paysync_store::{PayoutBatch, PayoutItem};

use super::Context;
use crate::cli::PayoutsCommand;
use crate::output::{self, when};

fn batch_line(b: &PayoutBatch) -> String {
    format!(
        "{:<20} {:<10} {:>5} items {:>14} {}  approvals {}/{}  paid {} failed {} cancelled {} in flight {}  {}",
        b.id,
        b.status.as_str(),
        b.item_count,
        major_text(b.total_minor, &b.currency),
        b.currency,
        b.approvals,
        b.approvals_needed,
        b.paid,
        b.failed,
        b.cancelled,
        b.in_flight,
        when(&b.created_at)
    )
}

fn item_line(i: &PayoutItem) -> String {
    format!(
        "  #{:<6} {:<12} {:<24} {:<16} {:>12} {}  {:<16} {}",
        i.id,
        i.request_name.as_deref().unwrap_or(&i.request_id),
        i.payee_name.as_deref().unwrap_or("-"),
        i.payee_id.as_deref().unwrap_or("-"),
        major_text(i.amount_minor, &i.currency),
        i.currency,
        i.state.as_str(),
        i.reason.as_deref().unwrap_or("")
    )
}

/// The Salesforce user connected in the profile: who approves, rejects and corrects.
async fn approver(ctx: &Context, engine: &paysync_engine::Engine) -> anyhow::Result<String> {
    paysync_app::connections::signed_in_user_id(engine.store(), &ctx.profile)
        .await?
        .context("connect Salesforce first (`paysync connect salesforce`): the approver is the Salesforce user signed in")
}

/// Runs `paysync payouts …`.
pub async fn run(ctx: &Context, command: PayoutsCommand) -> anyhow::Result<()> {
    let engine = ctx.engine().await?;
    let desk = engine.payouts()?;
    match command {
        PayoutsCommand::List { status } => {
            let batches = desk.batches(Some(&status)).await?;
            if ctx.json {
                return output::json(&batches);
            }
            output::line(format!("{} batches", batches.len()))?;
            for b in &batches {
                output::line(batch_line(b))?;
            }
            Ok(())
        }
        PayoutsCommand::Show { id } => {
            let view = desk.batch(&id).await?;
            if ctx.json {
                return output::json(&view);
            }
            let b = &view.batch;
            output::line(batch_line(b))?;
            output::line(format!("Program:      {}", b.program_id))?;
            output::line(format!("Drafted by:   {}", b.created_by))?;
            output::line(format!("Makers:       {}", b.makers.join(", ")))?;
            output::line(format!("Content hash: {}", b.content_hash))?;
            if let Some(reason) = b.held_reason.as_ref().or(b.rejected_reason.as_ref()) {
                output::line(format!("Reason:       {reason}"))?;
            }
            if let Ok(you) = approver(ctx, &engine).await {
                let why = PayoutDesk::why_not(&view, &you);
                output::line(format!(
                    "You ({you}):  {}",
                    why.unwrap_or_else(|| format!(
                        "may approve: paysync payouts approve {} --hash {}",
                        b.id, b.content_hash
                    ))
                ))?;
            }
            output::line("Decisions:")?;
            for a in &view.approvals {
                output::line(format!(
                    "  {}  {:<8} {}{}{}",
                    when(&a.at),
                    a.decision,
                    a.actor,
                    if a.current {
                        ""
                    } else {
                        " (void: the content changed)"
                    },
                    a.reason.as_deref().map(|r| format!(" — {r}")).unwrap_or_default()
                ))?;
            }
            output::line("Items:")?;
            for i in &view.items {
                output::line(item_line(i))?;
            }
            Ok(())
        }
        PayoutsCommand::DryRun { id } => {
            let dry = desk.dry_run(&id).await?;
            if ctx.json {
                return output::json(&dry);
            }
            output::line(format!(
                "Would send {} payments, {} {}; balance {}: {}",
                dry.would_send,
                dry.total,
                dry.currency,
                dry.balance
                    .map_or_else(|| "unknown".to_owned(), |b| format!("{b} {}", dry.currency)),
                if dry.enough_funds {
                    "enough"
                } else {
                    "NOT ENOUGH FUNDS"
                }
            ))?;
            for p in &dry.problems {
                output::line(format!(
                    "  item #{} ({}) {}: {}",
                    p.item_id, p.request_id, p.field, p.message
                ))?;
            }
            output::line("Request body:")?;
            output::line(serde_json::to_string_pretty(&dry.payload)?)
        }
        PayoutsCommand::Approve { id, hash } => {
            let you = approver(ctx, &engine).await?;
            let b = desk.approve(&id, &you, &hash).await?;
            if ctx.json {
                return output::json(&b);
            }
            output::line(format!(
                "Approved by {you}: {} ({}/{} approvals; {})",
                b.id,
                b.approvals,
                b.approvals_needed,
                b.status.as_str()
            ))
        }
        PayoutsCommand::Reject { id, reason } => {
            let you = approver(ctx, &engine).await?;
            let b = desk.reject(&id, &you, &reason).await?;
            if ctx.json {
                return output::json(&b);
            }
            output::line(format!("Rejected by {you}: {} — {reason}", b.id))
        }
        PayoutsCommand::Corrections => {
            let items = desk.corrections(5_000).await?;
            if ctx.json {
                return output::json(&items);
            }
            output::line(format!("{} items wait for a correction", items.len()))?;
            for i in &items {
                output::line(item_line(i))?;
            }
            Ok(())
        }
        PayoutsCommand::Correct {
            item,
            email,
            country,
            payee_id,
        } => {
            let you = approver(ctx, &engine).await?;
            let fixed = desk
                .correct(
                    &RecipientCorrection {
                        item_id: item,
                        email,
                        country,
                        payee_id,
                    },
                    &you,
                )
                .await?;
            if ctx.json {
                return output::json(&fixed);
            }
            output::line(item_line(&fixed))
        }
    }
}
