//! Payoneer's IPCNs, taken from the inbox: a notice about a payout makes Paysync ask that payout's
//! status by `client_reference_id` at once, ahead of the rest of tracking; the status, not the
//! notice, moves the item. A payee notice needs no action of its own: recipients waiting on
//! Payoneer are checked again on every run, and the notice's arrival woke this run.
//!
//! A notice is marked processed only once acted on, so one left while Payoneer was not answering
//! is taken again by the next run.

use paysync_store::ItemState;

use super::submit::ask;
use super::tracking::record_status;
use super::{Payouts, Tally, provider_down, store_failed};
use crate::scheduler::{FlowContext, FlowError};
use crate::webhooks::PAYONEER_IPCN_SOURCE;

/// Notices taken per run; more wait for the next run (tracking asks for everything anyway).
const PER_RUN: u32 = 200;

/// Acts on the notices waiting in the inbox.
pub(super) async fn take(p: &Payouts, ctx: &FlowContext, tally: &mut Tally) -> Result<(), FlowError> {
    let store = &ctx.store;
    let notices = store
        .inbox()
        .unprocessed_from(PAYONEER_IPCN_SOURCE, 0, PER_RUN)
        .await
        .map_err(|e| store_failed(&e))?;
    for notice in notices {
        // A notice that is not the JSON object it should be names no payout: it is marked
        // processed like any other notice naming none.
        let reference = serde_json::from_str::<serde_json::Value>(notice.payload.get())
            .ok()
            .and_then(|v| v.get("client_reference_id")?.as_str().map(str::to_owned));
        if let Some(reference) = reference {
            let item = store
                .payouts()
                .item_by_reference(&reference)
                .await
                .map_err(|e| store_failed(&e))?;
            match item {
                Some(item) if item.state == ItemState::Submitted => match ask(p, &reference).await {
                    Ok(Some(status)) => record_status(ctx, &item, &status, tally)
                        .await
                        .map_err(|e| store_failed(&e))?,
                    Ok(None) => tally.errors.push(format!(
                        "Payoneer notified {} about payout {reference}, but does not know it; it stays submitted for review",
                        notice.event_type
                    )),
                    Err(e) => {
                        // Payoneer is not answering: keep this notice and the rest for the next run.
                        if provider_down(&e) {
                            tally.add("notices_deferred", 1);
                        } else {
                            tally.errors.push(format!("status of {reference} after a notice: {e}"));
                        }
                        break;
                    }
                },
                // Still being sent (the send step resolves it) or already final: nothing to ask.
                Some(_) => {}
                None => tracing::info!(
                    reference = %reference,
                    kind = %notice.event_type,
                    "A Payoneer notice names a payout Paysync did not send; ignored."
                ),
            }
        }
        store
            .inbox()
            .mark_processed(PAYONEER_IPCN_SOURCE, &notice.event_id, ctx.clock.now())
            .await
            .map_err(|e| store_failed(&e))?;
        tally.add("notices", 1);
    }
    Ok(())
}
