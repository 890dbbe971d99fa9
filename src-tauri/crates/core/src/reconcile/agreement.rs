//! Whether two groups of records hold the same money: exactly, once a fee or a conversion is
//! accounted for, within tolerance, or not at all. Shared by the id pass and the rules pass so
//! both judge amounts the same way.

use chrono::NaiveDate;

use super::nodes::{Node, Nodes};
use super::outcome::{Basis, Breakdown, ExceptionKind};
use super::record::Status;
use super::rules::Tolerance;
use crate::currency::Currency;
use crate::money::Money;

/// The totals of one side of a group, in `i128` so no sum overflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sums {
    /// The common currency; `None` when the members disagree.
    pub currency: Option<Currency>,
    /// Σ gross.
    pub gross: i128,
    /// Σ fee.
    pub fee: i128,
    /// Σ converted amount, when every member was converted into the same currency.
    pub fx: Option<(Currency, i128)>,
    /// The common status; `None` when the members disagree.
    pub status: Option<Status>,
    /// The earliest date.
    pub first: NaiveDate,
    /// The latest date.
    pub last: NaiveDate,
}

impl Sums {
    /// The totals of `members`, which must not be empty.
    pub(crate) fn of(nodes: &Nodes<'_>, members: &[Node]) -> Self {
        let head = nodes.record(members[0]);
        let mut sums = Self {
            currency: Some(head.currency),
            gross: 0,
            fee: 0,
            fx: head.fx.map(|fx| (fx.currency, 0)),
            status: Some(head.status),
            first: head.date,
            last: head.date,
        };
        for &m in members {
            let r = nodes.record(m);
            if sums.currency != Some(r.currency) {
                sums.currency = None;
            }
            if sums.status != Some(r.status) {
                sums.status = None;
            }
            sums.gross += i128::from(r.amount_minor);
            sums.fee += i128::from(r.fee_minor);
            sums.fx = match (sums.fx, r.fx) {
                (Some((c, total)), Some(fx)) if c == fx.currency => {
                    Some((c, total + i128::from(fx.amount_minor)))
                }
                _ => None,
            };
            sums.first = sums.first.min(r.date);
            sums.last = sums.last.max(r.date);
        }
        sums
    }

    /// Σ gross − Σ fee.
    pub(crate) fn net(&self) -> i128 {
        self.gross - self.fee
    }
}

/// How two groups compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The same money.
    Agree(Basis),
    /// Within tolerance: Salesforce minus provider, in minor units of the booked currency.
    Near(i128),
    /// Not the same money.
    Mismatch(ExceptionKind),
}

/// Compares provider totals `p` with Salesforce totals `s`. Currency comes first (nothing else
/// is comparable across currencies), then status when `check_status`, then amounts.
pub(crate) fn compare(p: &Sums, s: &Sums, tolerance: &Tolerance, check_status: bool) -> Verdict {
    let (Some(pc), Some(sc)) = (p.currency, s.currency) else {
        return Verdict::Mismatch(ExceptionKind::CurrencyMismatch);
    };
    let exact = exact_basis(p, pc, s, sc);
    let near = if exact.is_none() {
        near_difference(p, pc, s, sc, tolerance)
    } else {
        None
    };
    if pc != sc && exact.is_none() && near.is_none() {
        return Verdict::Mismatch(ExceptionKind::CurrencyMismatch);
    }
    if check_status && (p.status.is_none() || p.status != s.status) {
        return Verdict::Mismatch(ExceptionKind::StatusMismatch);
    }
    match (exact, near) {
        (Some(basis), _) => Verdict::Agree(basis),
        (None, Some(difference)) => Verdict::Near(difference),
        (None, None) => Verdict::Mismatch(ExceptionKind::AmountMismatch),
    }
}

fn exact_basis(p: &Sums, pc: Currency, s: &Sums, sc: Currency) -> Option<Basis> {
    if pc == sc {
        if p.gross == s.gross {
            Some(Basis::Equal)
        } else if p.fee != 0 && p.net() == s.gross {
            Some(Basis::ProviderFee)
        } else if s.fee != 0 && p.gross == s.net() {
            Some(Basis::SalesforceFee)
        } else if p.fx.is_some() && p.fx == s.fx {
            Some(Basis::FxDifference)
        } else {
            None
        }
    } else if p.fx == Some((sc, s.gross)) || s.fx == Some((pc, p.gross)) {
        Some(Basis::Converted)
    } else {
        None
    }
}

/// The smallest Salesforce-minus-provider difference the tolerance allows, if any.
fn near_difference(p: &Sums, pc: Currency, s: &Sums, sc: Currency, tolerance: &Tolerance) -> Option<i128> {
    let pairs: [Option<(i128, i128)>; 3] = if pc == sc {
        [
            Some((p.gross, s.gross)),
            (p.fee != 0).then(|| (p.net(), s.gross)),
            (s.fee != 0).then(|| (p.gross, s.net())),
        ]
    } else {
        [
            p.fx.filter(|&(c, _)| c == sc).map(|(_, fx)| (fx, s.gross)),
            None,
            None,
        ]
    };
    pairs
        .into_iter()
        .flatten()
        .filter(|&(a, b)| same_sign(a, b) && tolerance.allows(a, b))
        .map(|(a, b)| b - a)
        .min_by_key(|d| d.unsigned_abs())
}

/// Whether two amounts point the same way (a refund is never a near miss for a charge).
pub(crate) fn same_sign(a: i128, b: i128) -> bool {
    a.signum() == b.signum()
}

/// The breakdown of a group whose amounts compare with `basis`; `None` if a total does not fit
/// in `i64` minor units (the group is then reported rather than matched).
pub(crate) fn breakdown(p: &Sums, s: &Sums, basis: Basis) -> Option<Breakdown> {
    let (pc, sc) = (p.currency?, s.currency?);
    let (currency, gross, fee, fx_difference) = match basis {
        Basis::SalesforceFee => (sc, s.gross, s.fee, 0),
        Basis::Equal if p.fee == 0 => (pc, p.gross, s.fee, 0),
        Basis::FxDifference => (pc, p.gross, p.fee, s.gross - p.gross),
        _ => (pc, p.gross, p.fee, 0),
    };
    Some(Breakdown {
        currency,
        gross: i64::try_from(gross).ok()?,
        fee: i64::try_from(fee).ok()?,
        fx_difference: i64::try_from(fx_difference).ok()?,
        net: i64::try_from(gross - fee).ok()?,
        booked: Money::from_minor(i64::try_from(s.gross).ok()?, sc),
    })
}

/// Days between two date ranges; 0 when they overlap.
pub(crate) fn days_apart(a: &Sums, b: &Sums) -> u32 {
    let gap = if a.last < b.first {
        (b.first - a.last).num_days()
    } else if b.last < a.first {
        (a.first - b.last).num_days()
    } else {
        0
    };
    u32::try_from(gap).unwrap_or(u32::MAX)
}
