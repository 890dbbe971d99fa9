//! Transaction lifecycle: `PENDING → CONFIRMED | DECLINED | CANCELED` on the sim clock (or at
//! once through the payment page / admin), refunds and chargebacks as child transactions, and the
//! server-to-server callback each change produces.
//!
//! Callback fields are omnipay's (`result, codeId, reason, serviceId, referenceOrderId,
//! maldoTransactionId, amount, currency, dateUpdated`); refunds and chargebacks add `type` and
//! `parentTransactionId` (sandbox extension). `amount` in callbacks is in major units (`10.50`):
//! omnipay reads it as a float, unlike the request's integer minor units.

use chrono::{DateTime, Utc};
use paysync_core::Currency;

use super::signing::signature_headers;
use super::state::{State, Transaction, TxStatus, TxType};
use super::wire::{CODE_CANCELED, CODE_CHARGEBACK, CODE_CONFIRMED, CODE_DECLINED, CODE_REFUND, date, major};

/// A callback ready to send.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub transaction_id: String,
    pub url: String,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

/// The `codeId` and reason a transaction carries in `status`.
pub(crate) fn code_for(kind: TxType, status: TxStatus, creation_code: u32) -> (u32, &'static str) {
    match (status, kind) {
        (TxStatus::Pending, _) => (creation_code, "Transaction pending"),
        (TxStatus::Confirmed, TxType::Refund) => (CODE_REFUND, "Refund confirmed"),
        (TxStatus::Confirmed, TxType::Chargeback) => (CODE_CHARGEBACK, "Chargeback"),
        (TxStatus::Confirmed, _) => (CODE_CONFIRMED, "Transaction confirmed"),
        (TxStatus::Declined, _) => (CODE_DECLINED, "Declined by the payment method"),
        (TxStatus::Canceled, _) => (CODE_CANCELED, "Transaction canceled"),
    }
}

/// ISO exponent of a currency (2 when unknown; requests with unknown currencies are refused).
pub(crate) fn exponent(code: &str) -> u32 {
    Currency::from_code(code)
        .ok()
        .and_then(|c| c.exponent().ok())
        .unwrap_or(2)
}

/// The form body of a callback for `tx`.
pub(crate) fn callback_body(tx: &Transaction) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("result", tx.status.as_str())
        .append_pair("codeId", &tx.code_id.to_string())
        .append_pair("reason", &tx.reason)
        .append_pair("serviceId", &tx.service_id.to_string())
        .append_pair("referenceOrderId", &tx.reference_order_id)
        .append_pair("maldoTransactionId", &tx.transaction_id)
        .append_pair("amount", &major(tx.amount, exponent(&tx.currency)))
        .append_pair("currency", &tx.currency)
        .append_pair("dateUpdated", &date(tx.updated_at));
    if let Some(parent) = &tx.parent_transaction_id {
        form.append_pair("type", tx.kind.as_str())
            .append_pair("parentTransactionId", parent);
    }
    form.finish()
}

/// The callback for transaction `id`, signed at `now`, if a receiver is configured.
pub(crate) fn callback(state: &State, id: &str, now: DateTime<Utc>) -> Option<Outgoing> {
    let url = state.callbacks.url.clone()?;
    let tx = state.transactions.get(id)?;
    let body = callback_body(tx);
    let headers = signature_headers(&state.callbacks.signing, &body, now.timestamp());
    Some(Outgoing {
        transaction_id: id.to_owned(),
        url,
        body,
        headers,
    })
}

/// Moves a PENDING transaction to `status` at `at`; returns its callback. Final transactions do
/// not move (statuses never go backwards).
pub(crate) fn resolve(
    state: &mut State,
    id: &str,
    status: TxStatus,
    reason: Option<&str>,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<Outgoing> {
    let tx = state.transactions.get_mut(id)?;
    if tx.status != TxStatus::Pending || status == TxStatus::Pending {
        return None;
    }
    let (code, default_reason) = code_for(tx.kind, status, tx.code_id);
    tx.status = status;
    tx.code_id = code;
    tx.reason = reason.unwrap_or(default_reason).to_owned();
    tx.updated_at = at;
    tx.settle_at = None;
    callback(state, id, now)
}

/// Resolves every PENDING transaction whose time has come, oldest first.
pub(crate) fn process_due(state: &mut State, now: DateTime<Utc>) -> Vec<Outgoing> {
    let mut due: Vec<(DateTime<Utc>, String, TxStatus)> = state
        .transactions
        .values()
        .filter(|t| t.status == TxStatus::Pending)
        .filter_map(|t| {
            t.settle_at
                .filter(|at| *at <= now)
                .map(|at| (at, t.transaction_id.clone(), t.planned))
        })
        .collect();
    due.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    due.into_iter()
        .filter_map(|(at, id, planned)| resolve(state, &id, planned, None, at, now))
        .collect()
}

/// Books a refund or chargeback of `amount` (minor units; the whole remainder when `None`) on a
/// CONFIRMED deposit, as a CONFIRMED child transaction with id `new_id`. Returns the child's
/// callback.
pub(crate) fn reverse(
    state: &mut State,
    parent_id: &str,
    kind: TxType,
    amount: Option<i64>,
    reason: Option<&str>,
    new_id: String,
    now: DateTime<Utc>,
) -> Result<Option<Outgoing>, String> {
    let parent = state
        .transactions
        .get(parent_id)
        .ok_or_else(|| format!("unknown transaction {parent_id}"))?;
    if parent.kind != TxType::Deposit || parent.status != TxStatus::Confirmed {
        return Err(format!("{parent_id} is not a CONFIRMED deposit"));
    }
    let reversed: i64 = state
        .transactions
        .values()
        .filter(|t| t.parent_transaction_id.as_deref() == Some(parent_id))
        .map(|t| t.amount)
        .sum();
    let remaining = parent.amount.saturating_sub(reversed);
    let amount = amount.unwrap_or(remaining);
    if amount <= 0 || amount > remaining {
        return Err(format!("amount must be between 1 and {remaining}"));
    }
    let (code, default_reason) = code_for(kind, TxStatus::Confirmed, 0);
    let child = Transaction {
        transaction_id: new_id.clone(),
        kind,
        amount,
        status: TxStatus::Confirmed,
        code_id: code,
        reason: reason.unwrap_or(default_reason).to_owned(),
        landing_pages: Default::default(),
        parent_transaction_id: Some(parent_id.to_owned()),
        created_at: now,
        updated_at: now,
        settle_at: None,
        planned: TxStatus::Confirmed,
        ..parent.clone()
    };
    state.transactions.insert(new_id.clone(), child);
    Ok(callback(state, &new_id, now))
}
