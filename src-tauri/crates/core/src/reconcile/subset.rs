//! Bounded subset search: one record on one side whose amount is the sum of two to `max_group`
//! records on the other (an invoice paid in instalments, a payout of several payments), when no
//! id says so. Only records sharing a counterparty or a reference with the single record are
//! tried, at most [`MAX_CANDIDATES`] of them, so the search stays small; what it finds is only
//! ever suggested.

use std::collections::HashMap;

use super::agreement::{Verdict, breakdown, compare, same_sign};
use super::nodes::Node;
use super::outcome::{Breakdown, Reason};
use super::outcome_builder::OutcomeBuilder;
use super::rules::Rules;
use super::rules_pass::{Pair, score};
use super::unit::{Unit, fit};

/// The most records considered for the "many" side of one group.
const MAX_CANDIDATES: usize = 16;

/// Which side holds the single record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Single {
    Provider,
    Salesforce,
}

pub(crate) fn pass(
    pu: &[Unit],
    used_p: &mut [bool],
    su: &[Unit],
    used_s: &mut [bool],
    rules: &Rules,
    out: &mut OutcomeBuilder<'_, '_>,
) {
    if rules.max_group < 2 {
        return;
    }
    search(Single::Salesforce, su, used_s, pu, used_p, rules, out);
    search(Single::Provider, pu, used_p, su, used_s, rules, out);
}

fn search(
    single: Single,
    ones: &[Unit],
    used_one: &mut [bool],
    many: &[Unit],
    used_many: &mut [bool],
    rules: &Rules,
    out: &mut OutcomeBuilder<'_, '_>,
) {
    let index = attribute_index(many, used_many, rules);
    for (oi, one) in ones.iter().enumerate() {
        if used_one[oi] {
            continue;
        }
        let Some(currency) = one.sums.currency else {
            continue;
        };
        let mut candidates: Vec<usize> = [
            one.counterparty.as_deref().map(|c| (false, c)),
            one.reference.as_deref().map(|r| (true, r)),
        ]
        .into_iter()
        .flatten()
        .filter_map(|key| index.get(&key))
        .flatten()
        .copied()
        .collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates.retain(|&c| {
            let m = &many[c];
            !used_many[c]
                && m.sums.currency == Some(currency)
                && same_sign(m.sums.gross, one.sums.gross)
                && oriented(single, one, m, |p, s| fit(rules, p, s)).is_some()
        });
        candidates.truncate(MAX_CANDIDATES);
        if candidates.len() < 2 {
            continue;
        }
        let Some(chosen) = find_subset(one, many, &candidates, rules.max_group) else {
            continue;
        };
        let mut members: Vec<Node> = chosen
            .iter()
            .flat_map(|&c| many[c].members.iter().copied())
            .collect();
        members.sort_unstable();
        let group = Unit::new(out.nodes(), members);
        if let Some(outcome) = oriented(single, one, &group, |p, s| judge(rules, p, s)) {
            let (reason, b, score) = outcome;
            let (p, s) = oriented(single, one, &group, |p, s| (p.members.clone(), s.members.clone()));
            out.suggest(&p, &s, reason, b, score);
            used_one[oi] = true;
            for c in chosen {
                used_many[c] = true;
            }
        }
    }
}

/// Calls `f(provider, salesforce)` with the two units in the right order.
fn oriented<'u, T>(
    single: Single,
    one: &'u Unit,
    other: &'u Unit,
    f: impl FnOnce(&'u Unit, &'u Unit) -> T,
) -> T {
    match single {
        Single::Provider => f(one, other),
        Single::Salesforce => f(other, one),
    }
}

/// The reason, breakdown and score of suggesting `p` ↔ `s`, if the rules admit it.
fn judge(rules: &Rules, p: &Unit, s: &Unit) -> Option<(Reason, Breakdown, u8)> {
    let fit = fit(rules, p, s)?;
    let Verdict::Agree(basis) = compare(&p.sums, &s.sums, &rules.amount_tolerance, false) else {
        return None;
    };
    let b = breakdown(&p.sums, &s.sums, basis)?;
    let pair = Pair {
        p: 0,
        s: 0,
        basis,
        exact: true,
        fit,
    };
    // A sum of several records is weaker evidence than one equal amount.
    let score = score(&pair, p, s, 0).saturating_sub(10).max(1);
    let reason = Reason::Rule {
        basis,
        days_apart: fit.days_apart,
        reference: fit.reference,
        counterparty: fit.counterparty,
        statuses_agree: p.sums.status.is_some() && p.sums.status == s.sums.status,
        alternatives: 0,
    };
    Some((reason, b, score))
}

/// Unused units by normalised counterparty (`false`) and reference (`true`), for the attributes
/// the rules compare.
fn attribute_index<'u>(
    units: &'u [Unit],
    used: &[bool],
    rules: &Rules,
) -> HashMap<(bool, &'u str), Vec<usize>> {
    let mut index: HashMap<(bool, &str), Vec<usize>> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        if used[i] {
            continue;
        }
        if rules.use_counterparty
            && let Some(c) = &u.counterparty
        {
            index.entry((false, c.as_str())).or_default().push(i);
        }
        if rules.use_reference
            && let Some(r) = &u.reference
        {
            index.entry((true, r.as_str())).or_default().push(i);
        }
    }
    index
}

/// The first subset (smallest first, then in candidate order) of 2..=`max_group` candidates
/// whose gross or net adds up to the single unit's gross or net.
fn find_subset(one: &Unit, many: &[Unit], candidates: &[usize], max_group: usize) -> Option<Vec<usize>> {
    let targets = (one.sums.gross, one.sums.net());
    let mut chosen = Vec::with_capacity(max_group);
    (2..=max_group).find_map(|size| {
        chosen.clear();
        walk(many, candidates, size, 0, (0, 0), targets, &mut chosen).then(|| chosen.clone())
    })
}

/// Depth-first over increasing candidate positions; `sums` is (Σ gross, Σ net) so far.
fn walk(
    many: &[Unit],
    candidates: &[usize],
    size: usize,
    from: usize,
    sums: (i128, i128),
    targets: (i128, i128),
    chosen: &mut Vec<usize>,
) -> bool {
    if chosen.len() == size {
        let (gross, net) = sums;
        return gross == targets.0 || net == targets.0 || gross == targets.1;
    }
    for (pos, &c) in candidates.iter().enumerate().skip(from) {
        let s = &many[c].sums;
        chosen.push(c);
        if walk(
            many,
            candidates,
            size,
            pos + 1,
            (sums.0 + s.gross, sums.1 + s.net()),
            targets,
            chosen,
        ) {
            return true;
        }
        chosen.pop();
    }
    false
}
