//! Tracking: the status of every submitted payout, asked by `client_reference_id`, drives its item
//! to paid, failed or cancelled, with Payoneer's payout id, fee and FX target amount.

use paysync_connectors::payoneer::{PayoutOutcome, PayoutStatus, parse_amount};
use paysync_core::{Currency, Money};
use paysync_store::{ItemOutcome, ItemState, PayoutItem, StoreError};

use super::submit::ask;
use super::{Payouts, Tally, provider_down, store_failed};
use crate::scheduler::{FlowContext, FlowError};

/// What a status means for the item.
pub(crate) fn outcome_of(item: &PayoutItem, status: &PayoutStatus) -> ItemOutcome {
    let state = match status.outcome() {
        PayoutOutcome::Pending => None,
        PayoutOutcome::Paid => Some(ItemState::Paid),
        PayoutOutcome::Failed => Some(ItemState::Failed),
        PayoutOutcome::Cancelled => Some(ItemState::Cancelled),
    };
    let fee_minor = status
        .fee
        .as_ref()
        .and_then(parse_amount)
        .zip(Currency::from_code(&item.currency).ok())
        .and_then(|(fee, currency)| Money::from_decimal(fee, currency).ok())
        .map(|m| m.minor());
    ItemOutcome {
        state,
        reason: state
            .filter(|s| *s != ItemState::Paid)
            .and(status.reason())
            .map(|r| format!("Payoneer: {r}")),
        payout_id: status.payout_id.clone(),
        fee_minor,
        target_amount: status
            .target_amount
            .as_ref()
            .and_then(parse_amount)
            .map(|a| a.to_string()),
        target_currency: status.target_currency.clone(),
    }
}

/// Records a status for an item.
pub(crate) async fn record_status(
    ctx: &FlowContext,
    item: &PayoutItem,
    status: &PayoutStatus,
    tally: &mut Tally,
) -> Result<(), StoreError> {
    let outcome = outcome_of(item, status);
    let changed = ctx
        .store
        .payouts()
        .record_outcome(item, &outcome, ctx.clock.now())
        .await?;
    if changed && let Some(state) = outcome.state {
        tally.add(
            match state {
                ItemState::Paid => "paid",
                ItemState::Failed => "failed",
                _ => "cancelled",
            },
            1,
        );
    }
    Ok(())
}

/// Asks the status of the submitted items (least recently asked first).
pub(super) async fn track(p: &Payouts, ctx: &FlowContext, tally: &mut Tally) -> Result<(), FlowError> {
    if p.payoneer_unavailable(ctx.clock.now()).is_some() {
        tally.add("tracking_deferred", 1);
        return Ok(());
    }
    let items = ctx
        .store
        .payouts()
        .items_in_state(ItemState::Submitted, p.options.status_checks_per_run)
        .await
        .map_err(|e| store_failed(&e))?;
    // Wall time, not the injected clock: the budget bounds how long the run holds the flow.
    let started = std::time::Instant::now();
    let mut asked = 0u64;
    for item in &items {
        if started.elapsed() >= p.options.tracking_budget {
            break;
        }
        asked += 1;
        let reference = item.client_reference_id.as_deref().unwrap_or_default();
        match ask(p, reference).await {
            Ok(Some(status)) => record_status(ctx, item, &status, tally)
                .await
                .map_err(|e| store_failed(&e))?,
            Ok(None) => tally.errors.push(format!(
                "payout {reference} was accepted but Payoneer no longer knows it; it stays submitted for review"
            )),
            Err(e) => {
                // Payoneer is not answering: the rest wait for the next run. An outage is not a
                // failure of the payouts; anything else is reported.
                if provider_down(&e) {
                    tally.add("tracking_deferred", 1);
                } else {
                    tally.errors.push(format!("status of {reference}: {e}"));
                }
                break;
            }
        }
    }
    tally.add("tracked", asked);
    Ok(())
}
