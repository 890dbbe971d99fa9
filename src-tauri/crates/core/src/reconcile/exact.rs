//! Pass 1: records linked by a shared id. Same-side repeats become duplicates; a group whose
//! amounts agree (exactly, or once the fee or the conversion is counted) is a confirmed match;
//! any other disagreement (even within the rules' tolerance, which is for pairing records no id
//! links) is an exception naming both sides. Groups with records on one side only are left for the rules pass.

use super::agreement::{Sums, Verdict, breakdown, compare};
use super::link::Components;
use super::nodes::{Node, Nodes};
use super::outcome::{ExceptionKind, Reason, show};
use super::outcome_builder::{OutcomeBuilder, describe};
use super::record_id::RecordId;
use super::rules::Rules;

/// Groups of linked records found on one side only, for the rules pass.
#[derive(Debug, Default)]
pub(crate) struct Leftovers {
    pub provider: Vec<Vec<Node>>,
    pub salesforce: Vec<Vec<Node>>,
}

pub(crate) fn pass(components: &Components, rules: &Rules, out: &mut OutcomeBuilder<'_, '_>) -> Leftovers {
    let nodes = out.nodes();
    let mut leftovers = Leftovers::default();
    for component in components.iter() {
        let split = component.partition_point(|&n| nodes.is_provider(n));
        let (p_all, s_all) = component.split_at(split);
        let p_kept = drop_duplicates(p_all, out);
        let s_kept = drop_duplicates(s_all, out);
        let p = p_kept.as_deref().unwrap_or(p_all);
        let s = s_kept.as_deref().unwrap_or(s_all);
        match (p.is_empty(), s.is_empty()) {
            (false, true) => leftovers.provider.push(p.to_vec()),
            (true, false) => leftovers.salesforce.push(s.to_vec()),
            (false, false) => judge(p, s, shared_key(nodes, p_all, s_all), rules, out),
            (true, true) => {}
        }
    }
    leftovers
}

/// Files the linked group `p` ↔ `s`.
fn judge(p: &[Node], s: &[Node], key: RecordId, rules: &Rules, out: &mut OutcomeBuilder<'_, '_>) {
    let nodes = out.nodes();
    let (ps, ss) = (Sums::of(nodes, p), Sums::of(nodes, s));
    let verdict = compare(&ps, &ss, &rules.amount_tolerance, true);
    let basis = match verdict {
        Verdict::Agree(basis) => basis,
        // Records known to be the same movement that carry different amounts are a difference
        // to fix or explain, however small: accepting them as a match would hide money.
        Verdict::Near(_) => return mismatch(ExceptionKind::AmountMismatch, p, s, &ps, &ss, out),
        Verdict::Mismatch(kind) => return mismatch(kind, p, s, &ps, &ss, out),
    };
    let Some(b) = breakdown(&ps, &ss, basis) else {
        return mismatch(ExceptionKind::AmountMismatch, p, s, &ps, &ss, out);
    };
    out.confirm(p, s, Reason::SharedId { key, basis }, b);
}

fn mismatch(
    kind: ExceptionKind,
    p: &[Node],
    s: &[Node],
    ps: &Sums,
    ss: &Sums,
    out: &mut OutcomeBuilder<'_, '_>,
) {
    let nodes = out.nodes();
    let (left, right) = (describe(nodes, p, ps), describe(nodes, s, ss));
    let explanation = match kind {
        ExceptionKind::CurrencyMismatch => {
            format!(
                "{left} and {right} share an id but are in different currencies, and no conversion explains it"
            )
        }
        ExceptionKind::StatusMismatch => {
            format!("{left} and {right} share an id but report different statuses")
        }
        _ => match (ps.currency, ss.currency) {
            (Some(c), Some(sc)) if c == sc => format!(
                "{left} and {right} share an id but differ by {}, which the fees do not explain",
                show((ss.gross - ps.gross).abs(), c)
            ),
            _ => format!("{left} and {right} share an id but their amounts disagree"),
        },
    };
    out.except(kind, p, s, explanation);
}

/// Removes same-side repeats: records sharing an identity (id or key) *and* an amount. The
/// first in canonical order stays; each other one becomes a [`ExceptionKind::Duplicate`].
/// Returns the records kept, or `None` when nothing was removed.
fn drop_duplicates(side: &[Node], out: &mut OutcomeBuilder<'_, '_>) -> Option<Vec<Node>> {
    if side.len() < 2 {
        return None;
    }
    let nodes = out.nodes();
    let mut identities: Vec<(&str, usize)> = side
        .iter()
        .enumerate()
        .flat_map(|(i, &n)| nodes.record(n).identities().map(move |s| (s.as_str(), i)))
        .collect();
    identities.sort_unstable();
    // A tiny union-find over the side's positions; the smallest position is each class's root.
    let mut root: Vec<usize> = (0..side.len()).collect();
    let mut linked = false;
    for pair in identities.windows(2) {
        if pair[0].0 == pair[1].0 {
            let (a, b) = (find(&mut root, pair[0].1), find(&mut root, pair[1].1));
            root[a.max(b)] = a.min(b);
            linked |= a != b;
        }
    }
    if !linked {
        return None;
    }
    let mut kept = Vec::with_capacity(side.len());
    for (i, &node) in side.iter().enumerate() {
        let r = nodes.record(node);
        let class = find(&mut root, i);
        let original = side[..i].iter().enumerate().find(|&(j, &other)| {
            let o = nodes.record(other);
            find(&mut root, j) == class && o.currency == r.currency && o.amount_minor == r.amount_minor
        });
        match original {
            None => kept.push(node),
            Some((_, &other)) => {
                let o = nodes.record(other);
                let shared = r
                    .identities()
                    .find(|id| o.identities().any(|x| x == *id))
                    .unwrap_or(&r.id);
                let explanation = format!(
                    "{} repeats {} (both are {shared}, both {})",
                    r.to_ref(),
                    o.to_ref(),
                    show(i128::from(r.amount_minor), r.currency)
                );
                let (p, s): (&[Node], &[Node]) = if nodes.is_provider(node) {
                    (&[node], &[])
                } else {
                    (&[], &[node])
                };
                out.except(ExceptionKind::Duplicate, p, s, explanation);
            }
        }
    }
    Some(kept)
}

fn find(root: &mut [usize], mut i: usize) -> usize {
    while root[i] != i {
        root[i] = root[root[i]];
        i = root[i];
    }
    i
}

/// The id that links the two sides: the first string of the first provider record (in canonical
/// order) that a Salesforce record also carries. Components with records on both sides always
/// have one; the fallback only keeps the function total.
fn shared_key(nodes: &Nodes<'_>, p: &[Node], s: &[Node]) -> RecordId {
    let mut theirs: Vec<&str> = s
        .iter()
        .flat_map(|&n| nodes.record(n).link_strings().map(RecordId::as_str))
        .collect();
    theirs.sort_unstable();
    p.iter()
        .flat_map(|&n| nodes.record(n).link_strings())
        .find(|k| theirs.binary_search(&k.as_str()).is_ok())
        .unwrap_or(&nodes.record(p[0]).id)
        .clone()
}
