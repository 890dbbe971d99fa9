//! Drafting batches and sending approved ones.
//!
//! Sending follows invariants 2 and 3: the intent (each item's `client_reference_id`) is committed
//! before the call, and a batch whose earlier call may have reached Payoneer (a crash after the
//! intent, a timeout, a 5xx, a duplicate-reference refusal) is first resolved by asking Payoneer
//! for each reference. Only references Payoneer does not know are sent again, under the same
//! reference, so a payout can never be made twice.

use paysync_connectors::http::HttpError;
use paysync_connectors::payoneer::{
    self, ApiError, Balance, Envelope, PayoutPayment, PayoutStatus, SUB_DUPLICATE_REFERENCE,
    SUB_INSUFFICIENT_FUNDS, SUB_PAYOUT_NOT_FOUND, parse_amount,
};
use paysync_core::{Currency, Money};
use paysync_store::{BatchStatus, ItemState, PayoutBatch, PayoutItem};
use serde_json::json;

use super::tracking::record_status;
use super::{DRAFTER, Payouts, SYSTEM_ACTOR, Tally, audit, major_text, provider_down, store_failed};
use crate::events::EngineEvent;

/// The item error Payoneer gives a reference it already holds: never a refusal to release (the
/// payout exists), always a question to ask.
const DUPLICATE_CODE: &str = "client_reference_id_already_exists";
use crate::scheduler::{FlowContext, FlowError};

/// Groups ready items into draft batches and announces that approvals are needed.
pub(super) async fn draft(p: &Payouts, ctx: &FlowContext, tally: &mut Tally) -> Result<(), FlowError> {
    let store = &ctx.store;
    let now = ctx.clock.now();
    let threshold = |currency: &str| p.options.two_approvers_from_minor(currency);
    let rehashed = store
        .payouts()
        .rehash_stale(&threshold, now)
        .await
        .map_err(|e| store_failed(&e))?;
    tally.add("rehashed", rehashed);
    let rng = ctx.rng.clone();
    let mut new_id = || format!("pb_{:016x}", rng.next_u64());
    let batches = store
        .payouts()
        .draft_batches(
            &p.options.program_id,
            p.options.max_batch,
            &threshold,
            DRAFTER,
            &mut new_id,
            now,
        )
        .await
        .map_err(|e| store_failed(&e))?;
    for batch in &batches {
        audit(
            store,
            &ctx.clock,
            SYSTEM_ACTOR,
            "payout.batch.draft",
            &format!("payout_batch:{}", batch.id),
            json!({
                "items": batch.item_count,
                "total": major_text(batch.total_minor, &batch.currency),
                "currency": batch.currency,
                "approvals_needed": batch.approvals_needed,
                "content_hash": batch.content_hash,
            }),
        )
        .await;
    }
    if !batches.is_empty() {
        tally.add("drafted", batches.len() as u64);
        ctx.events.emit(EngineEvent::PayoutApprovalsNeeded {
            batches: batches.len() as u64,
            items: batches.iter().map(|b| b.item_count).sum(),
        });
    }
    Ok(())
}

/// Why sending a batch stopped short.
enum Stop {
    /// Payoneer is not answering: the batch is held, not failed, and sent once it answers.
    Unavailable(String),
    /// Anything else: reported with the run, and tried again next run.
    Failed(String),
}

impl From<String> for Stop {
    fn from(message: String) -> Self {
        Self::Failed(message)
    }
}

/// How the reason of a batch held for an outage begins.
const NOT_ANSWERING: &str = "Payoneer is not answering";

/// A failed call as a reason to stop: the provider being down holds the batch.
fn call_stopped(what: &str, e: &HttpError) -> Stop {
    if provider_down(e) {
        Stop::Unavailable(format!("{NOT_ANSWERING} ({what}: {e})"))
    } else {
        Stop::Failed(format!("{what}: {e}"))
    }
}

/// Sends every approved batch, resolves every batch whose sending was interrupted, and sends a
/// held batch again once Payoneer answers and the balance covers it. While Payoneer's breaker is
/// open nothing is called: every batch waiting to be sent is held with the reason.
pub(super) async fn send_ready_batches(
    p: &Payouts,
    ctx: &FlowContext,
    tally: &mut Tally,
) -> Result<(), FlowError> {
    let unavailable = p.payoneer_unavailable(ctx.clock.now());
    for status in [BatchStatus::Submitting, BatchStatus::Approved, BatchStatus::Held] {
        let batches = ctx
            .store
            .payouts()
            .batches(Some(status.as_str()), 1_000)
            .await
            .map_err(|e| store_failed(&e))?;
        for batch in batches {
            let sent = match &unavailable {
                Some(why) => Err(Stop::Unavailable(why.clone())),
                None => send_batch(p, ctx, &batch, tally).await,
            };
            match sent {
                Ok(()) => {}
                Err(Stop::Unavailable(why)) => hold_while_unavailable(ctx, &batch, &why, tally).await,
                Err(Stop::Failed(message)) => tally.errors.push(format!("batch {}: {message}", batch.id)),
            }
        }
    }
    Ok(())
}

/// Holds a batch while Payoneer is not answering; announced and audited when it starts waiting
/// (a held batch whose resumption failed again is still the same wait).
async fn hold_while_unavailable(ctx: &FlowContext, batch: &PayoutBatch, why: &str, tally: &mut Tally) {
    let batch_id = batch.id.as_str();
    let reason = format!(
        "{why}. Held, not failed: it is sent by itself once Payoneer answers, asking first about \
         any payment that may have reached it."
    );
    match ctx
        .store
        .payouts()
        .hold_unavailable(batch_id, &reason, ctx.clock.now())
        .await
    {
        Ok(_) => {
            tally.add("held_unavailable", 1);
            if batch.status != BatchStatus::Held {
                audit(
                    &ctx.store,
                    &ctx.clock,
                    SYSTEM_ACTOR,
                    "payout.batch.held",
                    &format!("payout_batch:{batch_id}"),
                    json!({ "reason": reason }),
                )
                .await;
                ctx.events.emit(EngineEvent::PayoutBatchHeld {
                    batch_id: batch_id.to_owned(),
                    reason,
                });
            }
        }
        Err(e) => tally.errors.push(format!("holding batch {batch_id}: {e}")),
    }
}

/// Payoneer's answer for one reference: its status, or `None` when it has no such payout.
pub(crate) async fn ask(p: &Payouts, reference: &str) -> Result<Option<PayoutStatus>, HttpError> {
    match p
        .send_payoneer(payoneer::payout_status(&p.options.program_id, reference))
        .await
    {
        Ok(response) => Ok(Some(response.json::<Envelope<PayoutStatus>>()?.result)),
        Err(e) => match ApiError::from_http(&e) {
            Some(api) if api.sub_code == Some(SUB_PAYOUT_NOT_FOUND) => Ok(None),
            _ => Err(e),
        },
    }
}

/// Whether the program's balance covers `batch` (fees are unknown ahead, so they are left to
/// Payoneer's own check).
async fn funds_cover(p: &Payouts, batch: &PayoutBatch) -> Result<bool, HttpError> {
    let balance: Envelope<Balance> = p
        .send_payoneer(payoneer::balance(&p.options.program_id))
        .await?
        .json()?;
    let Ok(currency) = Currency::from_code(&batch.currency) else {
        return Ok(false);
    };
    if !balance.result.currency.eq_ignore_ascii_case(&batch.currency) {
        // The balance endpoint reports the program's primary currency only; let Payoneer decide.
        return Ok(true);
    }
    let need = Money::from_minor(batch.total_minor, currency).to_decimal();
    Ok(parse_amount(&balance.result.balance).is_some_and(|have| have >= need))
}

fn payments(batch: &PayoutBatch, items: &[&PayoutItem]) -> Result<Vec<PayoutPayment>, String> {
    items
        .iter()
        .map(|item| {
            let currency = Currency::from_code(&item.currency).map_err(|e| e.to_string())?;
            Ok(PayoutPayment {
                client_reference_id: item
                    .client_reference_id
                    .clone()
                    .ok_or_else(|| format!("item {} has no reference", item.id))?,
                payee_id: item
                    .payee_id
                    .clone()
                    .ok_or_else(|| format!("item {} has no payee", item.id))?,
                amount: Money::from_minor(item.amount_minor, currency).to_decimal(),
                currency: item.currency.clone(),
                description: item
                    .description
                    .clone()
                    .or_else(|| item.request_name.clone())
                    .unwrap_or_else(|| format!("Payment request {}", item.request_id)),
                group_id: batch.id.clone(),
            })
        })
        .collect()
}

/// Sends (or resolves) one batch.
async fn send_batch(
    p: &Payouts,
    ctx: &FlowContext,
    batch: &PayoutBatch,
    tally: &mut Tally,
) -> Result<(), Stop> {
    let store = &ctx.store;
    let now = ctx.clock.now();
    // A batch held for an outage may have payments in doubt: it resumes at once (asking first),
    // and a balance too short then holds it again with Payoneer's own reason.
    let held_for_outage = batch
        .held_reason
        .as_deref()
        .is_some_and(|r| r.starts_with(NOT_ANSWERING));
    if batch.status == BatchStatus::Held
        && !held_for_outage
        && !funds_cover(p, batch)
            .await
            .map_err(|e| call_stopped("checking the balance", &e))?
    {
        return Ok(());
    }
    // A batch that may have reached Payoneer before (interrupted, or held after an attempt) is
    // resolved by asking first: only what Payoneer does not know is sent.
    let resuming = matches!(batch.status, BatchStatus::Submitting | BatchStatus::Held);
    // The intent: committed before any call, with the content checked against the approvals.
    let (batch, items) = store
        .payouts()
        .begin_submission(&batch.id, now)
        .await
        .map_err(|e| e.to_string())?;
    let mut unsent: Vec<&PayoutItem> = items
        .iter()
        .filter(|i| matches!(i.state, ItemState::Submitting | ItemState::InDoubt))
        .collect();
    if resuming || unsent.iter().any(|i| i.state == ItemState::InDoubt) {
        unsent = resolve(p, ctx, &unsent, tally).await?;
        if unsent.is_empty() {
            finish_submitted(ctx, &batch, tally, "resolved").await?;
            return Ok(());
        }
    }
    let body = payoneer::mass_payouts_body(&payments(&batch, &unsent)?).map_err(|e| e.to_string())?;
    match p
        .send_payoneer(payoneer::mass_payouts(&batch.program_id, body))
        .await
    {
        Ok(_) => {
            tally.add("sent", unsent.len() as u64);
            finish_submitted(ctx, &batch, tally, "accepted")
                .await
                .map_err(Stop::from)
        }
        // The breaker stopped the call: nothing reached Payoneer.
        Err(e @ HttpError::CircuitOpen { .. }) => Err(call_stopped("sending the batch", &e)),
        Err(e) => {
            let api = ApiError::from_http(&e);
            match api {
                Some(api) if api.sub_code == Some(SUB_INSUFFICIENT_FUNDS) => {
                    store
                        .payouts()
                        .hold(&batch.id, &api.description, now)
                        .await
                        .map_err(|e| e.to_string())?;
                    audit(
                        store,
                        &ctx.clock,
                        SYSTEM_ACTOR,
                        "payout.batch.held",
                        &format!("payout_batch:{}", batch.id),
                        json!({ "reason": api.description }),
                    )
                    .await;
                    ctx.events.emit(EngineEvent::PayoutBatchHeld {
                        batch_id: batch.id.clone(),
                        reason: api.description.clone(),
                    });
                    tally.add("held", 1);
                    Ok(())
                }
                Some(api)
                    if api.status == 400
                        && api.sub_code != Some(SUB_DUPLICATE_REFERENCE)
                        && !api
                            .errors
                            .iter()
                            .any(|e| e.code.as_deref() == Some(DUPLICATE_CODE)) =>
                {
                    // Refused whole: nothing was created. Each item Payoneer names waits for a
                    // correction; the others are checked again; all need a new approval.
                    let problems: Vec<(i64, String)> = api
                        .errors
                        .iter()
                        .filter_map(|err| {
                            let (index, field) = err.payment()?;
                            let item = unsent.get(index)?;
                            Some((
                                item.id,
                                format!(
                                    "Payoneer refused {field}: {}",
                                    err.message.clone().unwrap_or_else(|| api.description.clone())
                                ),
                            ))
                        })
                        .collect();
                    let reason = format!("Payoneer refused the batch: {}", api.description);
                    store
                        .payouts()
                        .refuse_batch(&batch.id, &reason, &problems, now)
                        .await
                        .map_err(|e| e.to_string())?;
                    audit(
                        store,
                        &ctx.clock,
                        SYSTEM_ACTOR,
                        "payout.batch.refused",
                        &format!("payout_batch:{}", batch.id),
                        json!({ "reason": reason, "items": problems.len() }),
                    )
                    .await;
                    tally.add("refused", 1);
                    Ok(())
                }
                _ => {
                    // Timeout, 5xx, a duplicate reference, a lost connection: the outcome is
                    // unknown. Ask now; whatever stays unknown is asked again next run.
                    store
                        .payouts()
                        .mark_in_doubt(&batch.id, now)
                        .await
                        .map_err(|e| e.to_string())?;
                    tally.add("in_doubt", unsent.len() as u64);
                    let still = resolve(p, ctx, &unsent, tally).await?;
                    if still.is_empty() {
                        finish_submitted(ctx, &batch, tally, "resolved").await?;
                        Ok(())
                    } else {
                        // Payoneer has none of them: nothing was created. The next run sends
                        // them again under the same references.
                        Err(Stop::Failed(format!(
                            "{e}; {} payments not created at Payoneer, sent again next run",
                            still.len()
                        )))
                    }
                }
            }
        }
    }
}

/// Asks Payoneer about each item; records what it knows and returns the items it does not know
/// (never created, so safe to send under the same reference). A failed question stops the
/// resolution: the items stay in doubt.
async fn resolve<'a>(
    p: &Payouts,
    ctx: &FlowContext,
    items: &[&'a PayoutItem],
    tally: &mut Tally,
) -> Result<Vec<&'a PayoutItem>, Stop> {
    let mut unknown = Vec::new();
    let mut known = Vec::new();
    for item in items {
        let reference = item.client_reference_id.as_deref().unwrap_or_default();
        match ask(p, reference).await {
            Ok(Some(status)) => known.push((*item, status)),
            Ok(None) => unknown.push(*item),
            Err(e) => return Err(call_stopped(&format!("asking Payoneer about {reference}"), &e)),
        }
    }
    tally.add("asked", items.len() as u64);
    if !known.is_empty() {
        // What Payoneer has was accepted: record it as submitted, then its status.
        if let Some(batch) = known[0].0.batch_id.as_deref()
            && unknown.is_empty()
        {
            ctx.store
                .payouts()
                .mark_submitted(batch, ctx.clock.now())
                .await
                .map_err(|e| e.to_string())?;
        }
        for (item, status) in &known {
            record_status(ctx, item, status, tally)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(unknown)
}

async fn finish_submitted(
    ctx: &FlowContext,
    batch: &PayoutBatch,
    tally: &mut Tally,
    how: &str,
) -> Result<(), String> {
    ctx.store
        .payouts()
        .mark_submitted(&batch.id, ctx.clock.now())
        .await
        .map_err(|e| e.to_string())?;
    audit(
        &ctx.store,
        &ctx.clock,
        SYSTEM_ACTOR,
        "payout.batch.submit",
        &format!("payout_batch:{}", batch.id),
        json!({
            "how": how,
            "items": batch.item_count,
            "total": major_text(batch.total_minor, &batch.currency),
            "currency": batch.currency,
            "content_hash": batch.content_hash,
        }),
    )
    .await;
    tally.add("submitted_batches", 1);
    Ok(())
}
