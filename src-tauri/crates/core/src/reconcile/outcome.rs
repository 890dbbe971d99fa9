//! [`Outcome`]: what one reconciliation run found — matches, suggestions for a person, and
//! exceptions by kind — with a human-readable reason for each.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::record::RecordRef;
use super::record_id::RecordId;
use super::totals::CurrencyTotals;
use crate::currency::Currency;
use crate::money::Money;

/// The result of [`reconcile`](super::reconcile). Every input record appears exactly once across
/// `matches`, `suggestions` and `exceptions`; the same input in any order gives an equal outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    /// Confirmed matches: nothing for a person to decide.
    pub matches: Vec<Match>,
    /// Likely matches a person must accept or reject.
    pub suggestions: Vec<Match>,
    /// What does not reconcile, by kind.
    pub exceptions: Vec<Exception>,
    /// Per currency: input, matched and unmatched amounts on each side.
    pub totals: BTreeMap<Currency, CurrencyTotals>,
}

impl Outcome {
    /// Whether matched + unmatched = input on both sides in every currency.
    pub fn balances(&self) -> bool {
        self.totals.values().all(CurrencyTotals::balances)
    }
}

/// Records on both sides that are the same money, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    /// The provider records, in canonical (id) order.
    pub provider: Vec<RecordRef>,
    /// The Salesforce records, in canonical (id) order.
    pub salesforce: Vec<RecordRef>,
    /// Why they match.
    pub reason: Reason,
    /// The money in the match: gross, fee, FX difference, net.
    pub breakdown: Breakdown,
    /// Confidence from 0 to 100: 100 for confirmed matches; for suggestions, how strongly the
    /// evidence points at this pairing (only for ordering a review queue).
    pub score: u8,
}

impl Match {
    /// How many records are on each side.
    pub fn strategy(&self) -> Strategy {
        match (self.provider.len() > 1, self.salesforce.len() > 1) {
            (false, false) => Strategy::OneToOne,
            (false, true) => Strategy::OneToMany,
            (true, false) => Strategy::ManyToOne,
            (true, true) => Strategy::ManyToMany,
        }
    }
}

/// The shape of a match, provider side first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// One provider record, one Salesforce record.
    OneToOne,
    /// One provider record (a payout), several Salesforce records (its payments).
    OneToMany,
    /// Several provider records (charges), one Salesforce record (the invoice they pay).
    ManyToOne,
    /// Several on both sides (a payout batch).
    ManyToMany,
}

/// Why records were matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum Reason {
    /// Both sides carry the same id.
    SharedId {
        /// The id they share.
        key: RecordId,
        /// How the amounts agree.
        basis: Basis,
    },
    /// No id links them; the configured rules found them.
    Rule {
        /// How the amounts agree.
        basis: Basis,
        /// Days between the two sides' dates (0 when their date ranges overlap).
        days_apart: u32,
        /// What the references said.
        reference: Evidence,
        /// What the counterparties said.
        counterparty: Evidence,
        /// Whether both sides report the same status.
        statuses_agree: bool,
        /// How many other pairings the same records could have formed.
        alternatives: u32,
    },
}

/// How the amounts of a match agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Basis {
    /// Same currency, same amount.
    Equal,
    /// Salesforce holds the provider's gross minus the provider's fee.
    ProviderFee,
    /// The provider holds Salesforce's gross minus the fee Salesforce records (a payout against
    /// the payments it settles).
    SalesforceFee,
    /// Salesforce books the amount the provider converted into.
    Converted,
    /// Both sides converted into the same amount of another currency; their own amounts differ
    /// by the FX difference.
    FxDifference,
    /// The amounts differ by `difference` minor units of the booked currency, within tolerance.
    /// Never confirmed.
    Tolerance {
        /// Salesforce minus provider, in minor units of the booked currency.
        difference: i64,
    },
}

/// What an attribute said about a pairing the rules found. Attributes that differ rule a pairing
/// out, so they never appear here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// Present on both sides and equal.
    Equal,
    /// Missing on at least one side.
    Absent,
    /// The rules do not compare it.
    NotCompared,
}

/// The money in a match, so a difference that a fee or a conversion explains is visible and is
/// not an exception.
///
/// `gross`, `fee`, `fx_difference` and `net` are minor units of `currency`, the provider's (or,
/// for a payout against the payments it settles, the payments'): `net = gross - fee`, and
/// `fx_difference` is what Salesforce books beyond `gross` when both converted into the same
/// amount. `booked` is what Salesforce holds, in its own currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Breakdown {
    /// The currency of `gross`, `fee`, `fx_difference` and `net`.
    pub currency: Currency,
    /// The gross amount.
    pub gross: i64,
    /// The fee taken from it.
    pub fee: i64,
    /// The difference a currency conversion explains (0 without one).
    pub fx_difference: i64,
    /// `gross - fee`.
    pub net: i64,
    /// The total Salesforce holds.
    pub booked: Money,
}

/// Something that does not reconcile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exception {
    /// What is wrong.
    pub kind: ExceptionKind,
    /// The provider records involved, in canonical order.
    pub provider: Vec<RecordRef>,
    /// The Salesforce records involved, in canonical order.
    pub salesforce: Vec<RecordRef>,
    /// A sentence for the person who fixes it.
    pub explanation: String,
}

/// The kinds of exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// At the provider, not in Salesforce.
    MissingInSalesforce,
    /// In Salesforce, not at the provider.
    MissingAtProvider,
    /// Linked by id, but the amounts disagree beyond what a fee, a conversion or the tolerance
    /// explains.
    AmountMismatch,
    /// Linked by id, but in different currencies with no conversion to explain it.
    CurrencyMismatch,
    /// Linked by id, but one side says it moved and the other does not.
    StatusMismatch,
    /// Repeats another record on the same side (same identity and amount).
    Duplicate,
}

impl fmt::Display for ExceptionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingInSalesforce => "missing in Salesforce",
            Self::MissingAtProvider => "missing at the provider",
            Self::AmountMismatch => "amount mismatch",
            Self::CurrencyMismatch => "currency mismatch",
            Self::StatusMismatch => "status mismatch",
            Self::Duplicate => "duplicate",
        })
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.explanation)
    }
}

impl fmt::Display for Reason {
    /// The evidence besides the amounts (which [`Match`]'s `Display` states with the figures):
    /// `both sides carry ch_123`, or `no shared id; same reference, 1 day apart`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SharedId { key, .. } => write!(f, "both sides carry {key}"),
            Self::Rule {
                days_apart,
                reference,
                counterparty,
                statuses_agree,
                alternatives,
                ..
            } => {
                f.write_str("no shared id; ")?;
                if *reference == Evidence::Equal {
                    f.write_str("same reference, ")?;
                }
                if *counterparty == Evidence::Equal {
                    f.write_str("same counterparty, ")?;
                }
                match days_apart {
                    0 => f.write_str("same day")?,
                    1 => f.write_str("1 day apart")?,
                    n => write!(f, "{n} days apart")?,
                }
                if !statuses_agree {
                    f.write_str(", statuses differ")?;
                }
                match alternatives {
                    0 => Ok(()),
                    1 => f.write_str(" (1 other candidate)"),
                    n => write!(f, " ({n} other candidates)"),
                }
            }
        }
    }
}

impl Reason {
    /// How the amounts agree.
    pub const fn basis(&self) -> Basis {
        match self {
            Self::SharedId { basis, .. } | Self::Rule { basis, .. } => *basis,
        }
    }
}

impl fmt::Display for Match {
    /// `Stripe charge ch_123 ↔ Payment__c a02…: both sides carry ch_123; the 3.20 EUR difference
    /// is the provider fee`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_refs(f, &self.provider)?;
        f.write_str(" ↔ ")?;
        write_refs(f, &self.salesforce)?;
        write!(f, ": {}; ", self.reason)?;
        let b = &self.breakdown;
        let amount = |minor: i64| show(i128::from(minor).abs(), b.currency);
        match self.reason.basis() {
            Basis::Equal => write!(f, "amounts agree ({})", amount(b.gross)),
            Basis::ProviderFee => write!(f, "the {} difference is the provider fee", amount(b.fee)),
            Basis::SalesforceFee => write!(
                f,
                "the {} difference is the fee recorded in Salesforce",
                amount(b.fee)
            ),
            Basis::Converted => write!(
                f,
                "Salesforce books the converted amount {} for {}",
                b.booked,
                amount(b.gross)
            ),
            Basis::FxDifference => write!(
                f,
                "the {} difference is foreign exchange (both convert to the same amount)",
                amount(b.fx_difference)
            ),
            Basis::Tolerance { difference } => write!(
                f,
                "amounts differ by {}, within tolerance",
                show(i128::from(difference).abs(), b.booked.currency())
            ),
        }
    }
}

/// Writes up to three references, then how many more.
pub(crate) fn write_refs(f: &mut impl fmt::Write, refs: &[RecordRef]) -> fmt::Result {
    const SHOWN: usize = 3;
    for (i, r) in refs.iter().take(SHOWN).enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{r}")?;
    }
    if refs.len() > SHOWN {
        write!(f, " and {} more", refs.len() - SHOWN)?;
    }
    Ok(())
}

/// `minor` units of `currency` as `1234.50 EUR`; sums beyond what a decimal holds fall back to
/// minor units rather than failing a message.
pub(crate) fn show(minor: i128, currency: Currency) -> String {
    let scale = currency.exponent().unwrap_or(0);
    Decimal::try_from_i128_with_scale(minor, scale).map_or_else(
        |_| format!("{minor} minor units of {currency}"),
        |d| format!("{d} {currency}"),
    )
}
