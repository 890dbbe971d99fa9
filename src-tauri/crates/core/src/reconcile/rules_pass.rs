//! Pass 2: what no shared id linked, matched by the configured rules.
//!
//! Candidates come from a sorted index on (currency, amount, date), never from comparing every
//! record with every other. A pair is **confirmed** only when its amounts agree exactly (or a
//! fee or conversion explains them), both carry the same reference, neither claims an id that is
//! not in the run, the statuses agree, and each is the *only* exact candidate of the other. Every
//! weaker pairing — two candidates, an amount within tolerance, agreement on amount and date
//! alone — is a **suggestion**, chosen greedily by score so each record is suggested once. Then
//! a bounded subset search suggests one-to-many and many-to-one groups, and whatever is left is
//! missing on the other side.

use std::cmp::Reverse;

use chrono::{Days, NaiveDate};

use super::agreement::{Verdict, breakdown, compare, same_sign};
use super::exact::Leftovers;
use super::nodes::Nodes;
use super::outcome::{Basis, Evidence, ExceptionKind, Reason};
use super::outcome_builder::{OutcomeBuilder, describe};
use super::rules::Rules;
use super::subset;
use super::unit::{Fit, Unit, fit};
use crate::currency::Currency;

/// How many entries around a provider amount the tolerance search looks at, so a dense amount
/// range cannot make the pass quadratic. Only suggestions depend on it.
const MAX_NEAR_SCAN: usize = 256;

pub(crate) fn pass(leftovers: Leftovers, rules: &Rules, out: &mut OutcomeBuilder<'_, '_>) {
    let nodes = out.nodes();
    let pu: Vec<Unit> = leftovers
        .provider
        .into_iter()
        .map(|m| Unit::new(nodes, m))
        .collect();
    let su: Vec<Unit> = leftovers
        .salesforce
        .into_iter()
        .map(|m| Unit::new(nodes, m))
        .collect();
    let pairs = candidate_pairs(&pu, &su, rules);

    let mut used_p = vec![false; pu.len()];
    let mut used_s = vec![false; su.len()];
    let (mut exact_p, mut exact_s) = (vec![0u32; pu.len()], vec![0u32; su.len()]);
    let (mut all_p, mut all_s) = (vec![0u32; pu.len()], vec![0u32; su.len()]);
    for pair in &pairs {
        if pair.exact {
            exact_p[pair.p] += 1;
            exact_s[pair.s] += 1;
        }
        all_p[pair.p] += 1;
        all_s[pair.s] += 1;
    }

    for pair in &pairs {
        let (p, s) = (&pu[pair.p], &su[pair.s]);
        let confirmable = pair.exact
            && exact_p[pair.p] == 1
            && exact_s[pair.s] == 1
            && pair.fit.reference == Evidence::Equal
            && p.sums.status.is_some()
            && p.sums.status == s.sums.status
            && !p.identified
            && !s.identified;
        if !confirmable {
            continue;
        }
        if let Some(b) = breakdown(&p.sums, &s.sums, pair.basis) {
            out.confirm(&p.members, &s.members, reason(pair, p, s, 0), b);
            used_p[pair.p] = true;
            used_s[pair.s] = true;
        }
    }

    let mut ranked: Vec<(Reverse<u8>, usize)> = pairs
        .iter()
        .enumerate()
        .filter(|(_, pair)| !used_p[pair.p] && !used_s[pair.s])
        .map(|(i, pair)| {
            let alternatives = all_p[pair.p] + all_s[pair.s] - 2;
            (Reverse(score(pair, &pu[pair.p], &su[pair.s], alternatives)), i)
        })
        .collect();
    ranked.sort_unstable();
    for (Reverse(score), i) in ranked {
        let pair = &pairs[i];
        if used_p[pair.p] || used_s[pair.s] {
            continue;
        }
        let (p, s) = (&pu[pair.p], &su[pair.s]);
        if let Some(b) = breakdown(&p.sums, &s.sums, pair.basis) {
            let alternatives = all_p[pair.p] + all_s[pair.s] - 2;
            out.suggest(&p.members, &s.members, reason(pair, p, s, alternatives), b, score);
            used_p[pair.p] = true;
            used_s[pair.s] = true;
        }
    }

    subset::pass(&pu, &mut used_p, &su, &mut used_s, rules, out);

    for (unit, used) in pu.iter().zip(&used_p) {
        if !used {
            missing(nodes, unit, ExceptionKind::MissingInSalesforce, out);
        }
    }
    for (unit, used) in su.iter().zip(&used_s) {
        if !used {
            missing(nodes, unit, ExceptionKind::MissingAtProvider, out);
        }
    }
}

fn missing(nodes: &Nodes<'_>, unit: &Unit, kind: ExceptionKind, out: &mut OutcomeBuilder<'_, '_>) {
    let (verb, other) = match (unit.members.len(), kind) {
        (1, ExceptionKind::MissingInSalesforce) => ("has", "in Salesforce"),
        (_, ExceptionKind::MissingInSalesforce) => ("have", "in Salesforce"),
        (1, _) => ("has", "at the provider"),
        _ => ("have", "at the provider"),
    };
    let mut explanation = format!(
        "{} {verb} no counterpart {other}",
        describe(nodes, &unit.members, &unit.sums)
    );
    let named = unit
        .members
        .iter()
        .flat_map(|&n| nodes.record(n).keys.iter())
        .find(|k| !k.trim().is_empty());
    if let Some(key) = named {
        explanation.push_str(&format!(
            "; {} {key}, which nothing {other} carries in this run",
            if unit.members.len() == 1 {
                "it names"
            } else {
                "they name"
            }
        ));
    }
    if kind == ExceptionKind::MissingInSalesforce {
        out.except(kind, &unit.members, &[], explanation);
    } else {
        out.except(kind, &[], &unit.members, explanation);
    }
}

/// A pairing the index found and the rules admit.
pub(crate) struct Pair {
    pub p: usize,
    pub s: usize,
    pub basis: Basis,
    /// Amounts agree exactly (possibly through a fee or a conversion), not just within tolerance.
    pub exact: bool,
    pub fit: Fit,
}

pub(crate) fn reason(pair: &Pair, p: &Unit, s: &Unit, alternatives: u32) -> Reason {
    Reason::Rule {
        basis: pair.basis,
        days_apart: pair.fit.days_apart,
        reference: pair.fit.reference,
        counterparty: pair.fit.counterparty,
        statuses_agree: p.sums.status.is_some() && p.sums.status == s.sums.status,
        alternatives,
    }
}

/// A suggestion's score: how much evidence there is, minus how many other ways the same records
/// could pair up. Only orders the review queue; it never decides a confirmation.
pub(crate) fn score(pair: &Pair, p: &Unit, s: &Unit, alternatives: u32) -> u8 {
    let mut score: u32 = if pair.exact { 40 } else { 20 };
    if pair.fit.reference == Evidence::Equal {
        score += 25;
    }
    if pair.fit.counterparty == Evidence::Equal {
        score += 15;
    }
    score += match pair.fit.days_apart {
        0 => 10,
        1 => 5,
        _ => 0,
    };
    if p.sums.status.is_some() && p.sums.status == s.sums.status {
        score += 5;
    }
    let score = score.saturating_sub(5 * alternatives.min(4)).clamp(1, 99);
    u8::try_from(score).unwrap_or(99)
}

/// Which amount of a unit an index entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Leg {
    Gross,
    Net,
    Converted,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    currency: Currency,
    amount: i128,
    first: NaiveDate,
    unit: usize,
    leg: Leg,
}

impl Entry {
    fn key(&self) -> (Currency, i128, NaiveDate) {
        (self.currency, self.amount, self.first)
    }
}

/// Every amount a unit can be matched on: gross, net (when there is a fee) and converted.
fn entries(units: &[Unit]) -> Vec<Entry> {
    let mut entries = Vec::with_capacity(units.len() * 2);
    for (unit, u) in units.iter().enumerate() {
        let Some(currency) = u.sums.currency else { continue };
        let first = u.sums.first;
        entries.push(Entry {
            currency,
            amount: u.sums.gross,
            first,
            unit,
            leg: Leg::Gross,
        });
        if u.sums.fee != 0 {
            entries.push(Entry {
                currency,
                amount: u.sums.net(),
                first,
                unit,
                leg: Leg::Net,
            });
        }
        if let Some((currency, amount)) = u.sums.fx {
            entries.push(Entry {
                currency,
                amount,
                first,
                unit,
                leg: Leg::Converted,
            });
        }
    }
    entries.sort_unstable_by_key(|e| (e.key(), e.unit, e.leg));
    entries
}

/// Whether a provider amount on leg `p` may equal a Salesforce amount on leg `s`.
fn legs_meet(p: Leg, s: Leg) -> bool {
    matches!(
        (p, s),
        (Leg::Gross, Leg::Gross)
            | (Leg::Net, Leg::Gross)
            | (Leg::Gross, Leg::Net)
            | (Leg::Converted, Leg::Gross)
            | (Leg::Gross, Leg::Converted)
            | (Leg::Converted, Leg::Converted)
    )
}

fn shift(date: NaiveDate, days: i64) -> NaiveDate {
    let magnitude = Days::new(days.unsigned_abs());
    let moved = if days < 0 {
        date.checked_sub_days(magnitude)
    } else {
        date.checked_add_days(magnitude)
    };
    moved.unwrap_or(if days < 0 { NaiveDate::MIN } else { NaiveDate::MAX })
}

/// All admissible pairs, exact and within tolerance, one per (provider unit, Salesforce unit),
/// sorted by provider then Salesforce unit; the basis is what [`compare`] says, not the index.
fn candidate_pairs(pu: &[Unit], su: &[Unit], rules: &Rules) -> Vec<Pair> {
    let pe = entries(pu);
    let se = entries(su);
    let window = i64::from(rules.date_window_days);
    // Index keys use a unit's first date; a unit spanning days can still be in the window when
    // its first date is earlier, so the scan starts that much earlier.
    let span = su
        .iter()
        .map(|u| (u.sums.last - u.sums.first).num_days())
        .max()
        .unwrap_or(0);
    let mut raw: Vec<(usize, usize)> = Vec::new();
    for e in &pe {
        let p = &pu[e.unit];
        let from = (e.currency, e.amount, shift(p.sums.first, -window - span));
        let until = shift(p.sums.last, window);
        let start = se.partition_point(|x| x.key() < from);
        for x in se[start..]
            .iter()
            .take_while(|x| x.currency == e.currency && x.amount == e.amount && x.first <= until)
        {
            if legs_meet(e.leg, x.leg) {
                raw.push((e.unit, x.unit));
            }
        }
        if e.leg == Leg::Converted {
            continue;
        }
        // Near misses against Salesforce gross amounts, within tolerance.
        let allowance = rules.amount_tolerance.allowance(e.amount, e.amount);
        let reach = i128::try_from(allowance.saturating_mul(2)).unwrap_or(i128::MAX);
        let low = (e.currency, e.amount.saturating_sub(reach), NaiveDate::MIN);
        let high = e.amount.saturating_add(reach);
        let start = se.partition_point(|x| x.key() < low);
        for x in se[start..]
            .iter()
            .take_while(|x| x.currency == e.currency && x.amount <= high)
            .take(MAX_NEAR_SCAN)
        {
            if x.leg == Leg::Gross
                && x.amount != e.amount
                && same_sign(e.amount, x.amount)
                && rules.amount_tolerance.allows(e.amount, x.amount)
            {
                raw.push((e.unit, x.unit));
            }
        }
    }
    raw.sort_unstable();
    raw.dedup();
    raw.into_iter()
        .filter_map(|(pi, si)| {
            let (p, s) = (&pu[pi], &su[si]);
            let fit = fit(rules, p, s)?;
            let (basis, exact) = match compare(&p.sums, &s.sums, &rules.amount_tolerance, false) {
                Verdict::Agree(basis) => (basis, true),
                Verdict::Near(difference) => (
                    Basis::Tolerance {
                        difference: i64::try_from(difference).ok()?,
                    },
                    false,
                ),
                Verdict::Mismatch(_) => return None,
            };
            Some(Pair {
                p: pi,
                s: si,
                basis,
                exact,
                fit,
            })
        })
        .collect()
}
