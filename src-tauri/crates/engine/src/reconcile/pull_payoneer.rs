//! Payoneer's side: the payouts Paysync sent, as it last learned them from Payoneer (status,
//! fee, FX target amount), from the local payout items; no call is needed. Each payout is
//! reconciled twice: against its `Payment_Transaction__c` (the payout as Salesforce records it)
//! and, when it came from a `Payment_Request__c`, against that request (what was asked for, and
//! whether Salesforce believes it paid).

use chrono::NaiveDate;
use paysync_core::reconcile::{Record, RecordKind, Source, Status};
use paysync_core::{Currency, Money};
use paysync_store::{ItemState, PayoutItem, Store, StoreError};

use crate::payouts::PayoutSource;
use rust_decimal::Decimal;

/// Items read per state (a period's payouts are far fewer).
const PER_STATE: u32 = 1_000_000;

fn record(item: &PayoutItem) -> Result<Option<Record>, String> {
    let Some(reference) = item.client_reference_id.as_deref() else {
        return Ok(None);
    };
    let status = match item.state {
        ItemState::Paid => Status::Succeeded,
        ItemState::Failed => Status::Failed,
        ItemState::Cancelled => Status::Cancelled,
        _ => Status::Pending,
    };
    let currency =
        Currency::from_code(&item.currency).map_err(|e| format!("payout {reference}: currency: {e}"))?;
    let mut record = Record::new(
        reference,
        Source::Payoneer,
        RecordKind::Payout,
        currency,
        item.amount_minor,
        item.updated_at.date_naive(),
    )
    .with_status(status);
    if let Some(fee) = item.fee_minor {
        record = record.with_fee(fee);
    }
    if let (Some(amount), Some(code)) = (item.target_amount.as_deref(), item.target_currency.as_deref()) {
        let target =
            Currency::from_code(code).map_err(|e| format!("payout {reference}: target currency: {e}"))?;
        let amount: Decimal = amount
            .parse()
            .map_err(|_| format!("payout {reference}: target amount {amount:?} is not a number"))?;
        let converted = Money::from_decimal(amount, target)
            .map_err(|e| format!("payout {reference}: target amount: {e}"))?;
        record = record.with_fx(target, converted.minor());
    }
    if let Some(payout_id) = item.payout_id.as_deref() {
        record = record.with_key(payout_id);
    }
    if let Some(payee) = item.payee_id.as_deref() {
        record = record.with_counterparty(payee);
    }
    Ok(Some(record))
}

/// The payouts of a period, as records of each scope.
#[derive(Debug, Default)]
pub(crate) struct PayoneerSide {
    /// Every payout sent (against `Payment_Transaction__c`).
    pub payouts: Vec<Record>,
    /// The payouts of payment requests, linked to their request's id (against
    /// `Payment_Request__c`); payouts of Opportunities are not among them.
    pub requests: Vec<Record>,
    /// What could not be read, with why.
    pub unreadable: Vec<String>,
}

/// The payouts sent whose last news falls in the period, and what could not be read.
pub(crate) async fn payouts(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<PayoneerSide, StoreError> {
    let mut side = PayoneerSide::default();
    for state in [
        ItemState::Submitted,
        ItemState::Paid,
        ItemState::Failed,
        ItemState::Cancelled,
    ] {
        for item in store.payouts().items_in_state(state, PER_STATE).await? {
            let day = item.updated_at.date_naive();
            if day < from || day > to {
                continue;
            }
            match record(&item) {
                Ok(Some(r)) => {
                    if matches!(
                        PayoutSource::of_record(&item.request_id),
                        PayoutSource::PaymentRequest
                    ) {
                        side.requests.push(r.clone().with_key(item.request_id.as_str()));
                    }
                    side.payouts.push(r);
                }
                Ok(None) => {}
                Err(e) => side.unreadable.push(e),
            }
        }
    }
    Ok(side)
}
