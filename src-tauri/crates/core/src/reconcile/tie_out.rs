//! Stripe payout tie-out: the balance transactions a payout settles must add up, net of fees, to
//! the payout's amount.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::record::Record;
use super::record_id::RecordId;
use crate::currency::Currency;

/// The result of tying a payout out against its balance transactions, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TieOut {
    /// The payout's currency.
    pub currency: Currency,
    /// The payout's amount.
    pub expected: i128,
    /// Σ (amount − fee) of its balance transactions.
    pub actual: i128,
    /// `actual − expected`.
    pub difference: i128,
    /// Whether the difference is zero.
    pub ties: bool,
}

/// A tie-out that cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TieOutError {
    /// A balance transaction is in another currency than the payout: Stripe pays out per
    /// currency, so it belongs to a different payout.
    #[error("balance transaction {id} is in {found}, but payout {payout} is in {expected}")]
    CurrencyMismatch {
        /// The payout's id.
        payout: RecordId,
        /// The balance transaction's id.
        id: RecordId,
        /// The payout's currency.
        expected: Currency,
        /// The balance transaction's currency.
        found: Currency,
    },
}

/// Ties `payout` out: Σ net of `balance_transactions` must equal `payout.amount_minor`.
///
/// Pass the transactions the payout settles (Stripe's
/// `GET /v1/balance_transactions?payout=po_…`) without the payout's own, negative, entry.
pub fn payout_tie_out(payout: &Record, balance_transactions: &[Record]) -> Result<TieOut, TieOutError> {
    let mut actual: i128 = 0;
    for bt in balance_transactions {
        if bt.currency != payout.currency {
            return Err(TieOutError::CurrencyMismatch {
                payout: payout.id.clone(),
                id: bt.id.clone(),
                expected: payout.currency,
                found: bt.currency,
            });
        }
        actual += bt.net_minor();
    }
    let expected = i128::from(payout.amount_minor);
    Ok(TieOut {
        currency: payout.currency,
        expected,
        actual,
        difference: actual - expected,
        ties: actual == expected,
    })
}
