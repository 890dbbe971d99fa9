//! The asynchronous half of a payout: on the sim clock, accepted payouts settle (→ `Transferred`,
//! or `Cancelled` with a reason for payees configured to fail) and requested cancels take effect
//! (→ `Cancelled`, balance refunded). Runs whenever anything touches the simulator, from a
//! background ticker, or on demand ("settle now").

use chrono::{DateTime, Utc};
use paysync_core::{Currency, RandomSource};
use rust_decimal::{Decimal, RoundingStrategy};

use super::ipcn::{self, Outgoing};
use super::state::{IpcnEvent, PayoutStatus, State};
use super::wire::amount_text;

/// Cancel reason for a cancel requested by the program (simulator's choice; no public list).
pub const CANCELLED_BY_PROGRAM: (u32, &str) = (10301, "Payment cancelled by the program");
/// Cancel reason when the payee is no longer payable at settlement (from Payoneer's published
/// Cancel Payout example: `10009` "Action cannot be performed because payee is inactive").
pub const PAYEE_INACTIVE: (u32, &str) = (10009, "Action cannot be performed because payee is inactive");

/// Which pending payouts to move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Only what is due on the sim clock.
    Due,
    /// Everything pending, now ("settle now").
    All,
    /// One payout, now.
    One {
        /// Its program.
        program_id: String,
        /// Its reference.
        client_reference_id: String,
    },
}

/// ISO exponent of a currency code (2 when unknown, which validation has already excluded).
pub(crate) fn exponent(code: &str) -> u32 {
    Currency::from_code(code)
        .ok()
        .and_then(|c| c.exponent().ok())
        .unwrap_or(2)
}

/// Converts `amount` at `rate` into `target`'s digits (half away from zero).
pub(crate) fn convert(amount: Decimal, rate: Decimal, target: &str) -> Decimal {
    let mut value = amount
        .checked_mul(rate)
        .unwrap_or(Decimal::MAX)
        .round_dp_with_strategy(exponent(target), RoundingStrategy::MidpointAwayFromZero);
    value.rescale(exponent(target));
    value
}

enum Action {
    Cancel,
    Settle,
}

/// Moves pending payouts in `scope`; returns how many moved and the IPCNs to send, in event order.
pub(crate) fn process(
    state: &mut State,
    rng: &dyn RandomSource,
    now: DateTime<Utc>,
    scope: &Scope,
) -> (usize, Vec<Outgoing>) {
    // Collect first, then apply in (time, program, reference) order so IPCNs come out in the
    // order the events happened, whoever runs the tick.
    let mut work: Vec<(DateTime<Utc>, String, String, Action)> = Vec::new();
    for (program_id, program) in &state.programs {
        for (reference, payout) in &program.payouts {
            if payout.status != PayoutStatus::Pending {
                continue;
            }
            let forced = match scope {
                Scope::Due => false,
                Scope::All => true,
                Scope::One {
                    program_id: p,
                    client_reference_id: r,
                } => p == program_id && r == reference,
            };
            let cancel_due = payout
                .cancel_at
                .filter(|at| *at <= now && *at <= payout.settle_at);
            if let Some(at) = cancel_due {
                work.push((at, program_id.clone(), reference.clone(), Action::Cancel));
            } else if payout.settle_at <= now || forced {
                let at = payout.settle_at.min(now);
                work.push((at, program_id.clone(), reference.clone(), Action::Settle));
            }
        }
    }
    work.sort_by(|a, b| (a.0, &a.1, &a.2).cmp(&(b.0, &b.1, &b.2)));
    let moved = work.len();
    let mut out = Vec::new();
    for (at, program_id, reference, action) in work {
        let event = match action {
            Action::Cancel => cancel(state, &program_id, &reference, at, CANCELLED_BY_PROGRAM, false),
            Action::Settle => settle(state, &program_id, &reference, at),
        };
        if let Some((kind, body)) = event {
            out.extend(ipcn::build(state, rng, now, kind, &body));
        }
    }
    (moved, out)
}

/// Settles one payout: Transferred, or Cancelled when the payee fails or is no longer payable.
fn settle(
    state: &mut State,
    program_id: &str,
    reference: &str,
    at: DateTime<Utc>,
) -> Option<(IpcnEvent, serde_json::Value)> {
    let program = state.programs.get(program_id)?;
    let payout = program.payouts.get(reference)?;
    let payee = program.payees.get(&payout.payee_id);
    let failure = match payee {
        None => Some(PAYEE_INACTIVE),
        Some(p) if p.status != super::state::PayeeStatus::Active => Some(PAYEE_INACTIVE),
        Some(p) => p
            .fail_payouts_with
            .as_ref()
            .map(|f| (f.code, f.description.as_str())),
    };
    if let Some((code, description)) = failure {
        let description = description.to_owned();
        return cancel(state, program_id, reference, at, (code, &description), true);
    }
    let payout = state.programs.get_mut(program_id)?.payouts.get_mut(reference)?;
    payout.status = PayoutStatus::Transferred;
    payout.load_date = Some(at);
    let (amount, currency) = match (&payout.target_amount, &payout.target_currency) {
        (Some(a), Some(c)) => (*a, c.clone()),
        _ => (payout.amount, payout.currency.clone()),
    };
    let body = ipcn::account_loaded(
        &payout.payee_id,
        reference,
        &amount_text(amount, exponent(&currency)),
        &currency,
        at,
    );
    Some((IpcnEvent::AccountLoaded, body))
}

/// Cancels one payout and refunds amount + fee to the program balance. `rejected` marks a
/// settlement failure, which also carries `reason_code`/`reason_description` (payoneer-rb treats
/// a present `reason_code` as "rejected"); a cancel the program asked for carries only the
/// `cancel_reason_*` pair (go-payoneer's Cancelled fixture).
fn cancel(
    state: &mut State,
    program_id: &str,
    reference: &str,
    at: DateTime<Utc>,
    (code, description): (u32, &str),
    rejected: bool,
) -> Option<(IpcnEvent, serde_json::Value)> {
    let program = state.programs.get_mut(program_id)?;
    let payout = program.payouts.get_mut(reference)?;
    payout.status = PayoutStatus::Cancelled;
    payout.cancel_reason_code = Some(code);
    payout.cancel_reason_description = Some(description.to_owned());
    if rejected {
        payout.reason_code = Some(code.to_string());
        payout.reason_description = Some(description.to_owned());
    }
    payout.target_amount = None;
    payout.target_currency = None;
    let refund = payout.amount.checked_add(payout.fee).unwrap_or(payout.amount);
    let currency = payout.currency.clone();
    let body = ipcn::cancel_payout(
        &payout.payee_id,
        reference,
        code,
        description,
        &amount_text(payout.amount, exponent(&currency)),
        at,
    );
    let balance = program.balances.entry(currency).or_insert(Decimal::ZERO);
    *balance = balance.checked_add(refund).unwrap_or(*balance);
    Some((IpcnEvent::CancelPayout, body))
}
