//! Collects a run's matches, suggestions and exceptions, and keeps the per-currency totals as it
//! goes: each record is added to the bucket it lands in, so the totals only balance if every
//! record landed exactly once.

use std::fmt::Write;

use super::agreement::Sums;
use super::nodes::{Node, Nodes};
use super::outcome::{Breakdown, Exception, ExceptionKind, Match, Outcome, Reason, show, write_refs};
use super::record::RecordRef;
use super::totals::CurrencyTotals;
use crate::currency::Currency;

/// Where a record landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bucket {
    Matched,
    Unmatched,
}

pub(crate) struct OutcomeBuilder<'n, 'a> {
    nodes: &'n Nodes<'a>,
    matches: Vec<Match>,
    suggestions: Vec<Match>,
    exceptions: Vec<Exception>,
    /// A short list rather than a map: a run holds a handful of currencies, and this is touched
    /// twice per record, where a map keyed by currency code would compare strings each time.
    totals: Vec<(Currency, CurrencyTotals)>,
}

impl<'n, 'a> OutcomeBuilder<'n, 'a> {
    /// Starts a run over `nodes`, with their input totals.
    pub(crate) fn new(nodes: &'n Nodes<'a>) -> Self {
        let mut totals = Vec::new();
        for node in 0..nodes.len() {
            let r = nodes.record(node);
            let t = totals_for(&mut totals, r.currency);
            if nodes.is_provider(node) {
                t.provider_input += i128::from(r.amount_minor);
            } else {
                t.salesforce_input += i128::from(r.amount_minor);
            }
        }
        Self {
            nodes,
            matches: Vec::with_capacity(nodes.providers().len()),
            suggestions: Vec::new(),
            exceptions: Vec::new(),
            totals,
        }
    }

    /// The records being reconciled.
    pub(crate) fn nodes(&self) -> &'n Nodes<'a> {
        self.nodes
    }

    /// Records a confirmed match.
    pub(crate) fn confirm(&mut self, p: &[Node], s: &[Node], reason: Reason, breakdown: Breakdown) {
        let m = self.new_match(p, s, reason, breakdown, 100, Bucket::Matched);
        self.matches.push(m);
    }

    /// Records a suggestion for a person.
    pub(crate) fn suggest(
        &mut self,
        p: &[Node],
        s: &[Node],
        reason: Reason,
        breakdown: Breakdown,
        score: u8,
    ) {
        let m = self.new_match(p, s, reason, breakdown, score.min(99), Bucket::Unmatched);
        self.suggestions.push(m);
    }

    /// Records an exception.
    pub(crate) fn except(&mut self, kind: ExceptionKind, p: &[Node], s: &[Node], explanation: String) {
        let exception = Exception {
            kind,
            provider: self.refs(p, Bucket::Unmatched),
            salesforce: self.refs(s, Bucket::Unmatched),
            explanation,
        };
        self.exceptions.push(exception);
    }

    pub(crate) fn finish(self) -> Outcome {
        Outcome {
            matches: self.matches,
            suggestions: self.suggestions,
            exceptions: self.exceptions,
            totals: self.totals.into_iter().collect(),
        }
    }

    fn new_match(
        &mut self,
        p: &[Node],
        s: &[Node],
        reason: Reason,
        breakdown: Breakdown,
        score: u8,
        bucket: Bucket,
    ) -> Match {
        Match {
            provider: self.refs(p, bucket),
            salesforce: self.refs(s, bucket),
            reason,
            breakdown,
            score,
        }
    }

    fn refs(&mut self, members: &[Node], bucket: Bucket) -> Vec<RecordRef> {
        members
            .iter()
            .map(|&node| {
                let r = self.nodes.record(node);
                let t = totals_for(&mut self.totals, r.currency);
                let amount = i128::from(r.amount_minor);
                match (self.nodes.is_provider(node), bucket) {
                    (true, Bucket::Matched) => t.provider_matched += amount,
                    (true, Bucket::Unmatched) => t.provider_unmatched += amount,
                    (false, Bucket::Matched) => t.salesforce_matched += amount,
                    (false, Bucket::Unmatched) => t.salesforce_unmatched += amount,
                }
                r.to_ref()
            })
            .collect()
    }
}

fn totals_for(totals: &mut Vec<(Currency, CurrencyTotals)>, currency: Currency) -> &mut CurrencyTotals {
    let at = match totals.iter().position(|(c, _)| *c == currency) {
        Some(at) => at,
        None => {
            totals.push((currency, CurrencyTotals::default()));
            totals.len() - 1
        }
    };
    &mut totals[at].1
}

/// `Stripe charge ch_1 (10.00 EUR, succeeded, 2024-03-01)`, or for several records
/// `Stripe charge ch_1, Stripe charge ch_2 (together 30.00 EUR)`.
pub(crate) fn describe(nodes: &Nodes<'_>, members: &[Node], sums: &Sums) -> String {
    let refs: Vec<RecordRef> = members.iter().map(|&n| nodes.record(n).to_ref()).collect();
    let mut text = String::new();
    // Writing to a String cannot fail.
    let _ = write_refs(&mut text, &refs);
    let amount = sums
        .currency
        .map_or_else(|| "mixed currencies".to_owned(), |c| show(sums.gross, c));
    let _ = match (members, sums.status) {
        ([single], _) => {
            let r = nodes.record(*single);
            write!(text, " ({amount}, {}, {})", r.status.word(), r.date)
        }
        (_, Some(status)) => write!(text, " (together {amount}, {})", status.word()),
        (_, None) => write!(text, " (together {amount}, mixed statuses)"),
    };
    text
}
