//! [`Unit`]: what the rules pass matches — a record, or records on one side that ids already tie
//! together (three charges of one invoice), with their totals and normalised attributes.

use super::agreement::{Sums, days_apart};
use super::nodes::{Node, Nodes};
use super::outcome::Evidence;
use super::rules::Rules;
use super::text::normalise;

pub(crate) struct Unit {
    /// Canonical nodes, ascending.
    pub members: Vec<Node>,
    pub sums: Sums,
    /// The normalised reference the members agree on, if any.
    pub reference: Option<String>,
    /// The normalised counterparty the members agree on, if any.
    pub counterparty: Option<String>,
    /// Whether a member claims another id (a key) that is not in this run: such a record says
    /// which movement it is, so rules may suggest a partner for it but never confirm one.
    pub identified: bool,
}

impl Unit {
    pub(crate) fn new(nodes: &Nodes<'_>, members: Vec<Node>) -> Self {
        let records = || members.iter().map(|&n| nodes.record(n));
        Self {
            sums: Sums::of(nodes, &members),
            reference: common(records().map(|r| r.reference.as_deref())),
            counterparty: common(records().map(|r| r.counterparty.as_deref())),
            identified: records().any(|r| r.keys.iter().any(|k| !k.trim().is_empty())),
            members,
        }
    }
}

/// The normalised value every member that has one agrees on; `None` if none has one or they
/// disagree (disagreeing members make the attribute useless as evidence, not a conflict).
fn common<'a>(values: impl Iterator<Item = Option<&'a str>>) -> Option<String> {
    let mut found: Option<String> = None;
    for value in values.flatten().filter_map(normalise) {
        match &found {
            None => found = Some(value),
            Some(f) if *f == value => {}
            Some(_) => return None,
        }
    }
    found
}

/// What the rules say about pairing `p` with `s`, or `None` when they rule it out (outside the
/// date window, or a compared attribute differs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fit {
    pub days_apart: u32,
    pub reference: Evidence,
    pub counterparty: Evidence,
}

pub(crate) fn fit(rules: &Rules, p: &Unit, s: &Unit) -> Option<Fit> {
    let days_apart = days_apart(&p.sums, &s.sums);
    if days_apart > rules.date_window_days {
        return None;
    }
    Some(Fit {
        days_apart,
        reference: evidence(rules.use_reference, &p.reference, &s.reference)?,
        counterparty: evidence(rules.use_counterparty, &p.counterparty, &s.counterparty)?,
    })
}

fn evidence(compared: bool, a: &Option<String>, b: &Option<String>) -> Option<Evidence> {
    match (compared, a, b) {
        (false, _, _) => Some(Evidence::NotCompared),
        (true, Some(a), Some(b)) => (a == b).then_some(Evidence::Equal),
        (true, _, _) => Some(Evidence::Absent),
    }
}
