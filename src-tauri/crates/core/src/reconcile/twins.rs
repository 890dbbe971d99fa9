//! A record left without a counterpart that repeats one already matched on its own side (same
//! currency, amount and counterparty, dated within the window) is a duplicate, not a missing
//! movement: e.g. a payment keyed in by hand in Salesforce next to the one Paysync wrote. It
//! stays unmatched (the totals do not change); only its exception's kind and explanation do.
//!
//! Lonely records are few, so everything here is indexed by them: one pass over each side with
//! small sets, no map over every record.

use std::collections::{HashMap, HashSet};

use super::outcome::{Exception, ExceptionKind, Outcome};
use super::record::Record;
use super::rules::Rules;

fn lonely(e: &Exception, kind: ExceptionKind) -> bool {
    e.kind == kind && e.provider.len() + e.salesforce.len() == 1
}

fn only_ref(e: &Exception) -> Option<&str> {
    e.provider.first().or(e.salesforce.first()).map(|r| r.id.as_str())
}

/// Relabels the missing records of `outcome` that repeat a matched one.
pub(crate) fn relabel(outcome: &mut Outcome, provider: &[Record], salesforce: &[Record], rules: &Rules) {
    let sides: [(ExceptionKind, &[Record], bool); 2] = [
        (ExceptionKind::MissingAtProvider, salesforce, false),
        (ExceptionKind::MissingInSalesforce, provider, true),
    ];
    for (kind, records, is_provider) in sides {
        let wanted: HashSet<&str> = outcome
            .exceptions
            .iter()
            .filter(|e| lonely(e, kind))
            .filter_map(only_ref)
            .collect();
        if wanted.is_empty() {
            continue;
        }
        // Records of this side that are not matched: in a suggestion or an exception.
        let unmatched: HashSet<&str> = outcome
            .exceptions
            .iter()
            .flat_map(|e| if is_provider { &e.provider } else { &e.salesforce })
            .chain(
                outcome
                    .suggestions
                    .iter()
                    .flat_map(|m| if is_provider { &m.provider } else { &m.salesforce }),
            )
            .map(|r| r.id.as_str())
            .collect();
        let lonely_records: HashMap<&str, &Record> = records
            .iter()
            .filter(|r| wanted.contains(r.id.as_str()))
            .map(|r| (r.id.as_str(), r))
            .collect();
        let keys: HashSet<(&str, i64)> = lonely_records
            .values()
            .map(|r| (r.currency.code(), r.amount_minor))
            .collect();
        let mut twins: HashMap<(&str, i64), Vec<&Record>> = HashMap::new();
        for r in records {
            let key = (r.currency.code(), r.amount_minor);
            if keys.contains(&key) && !unmatched.contains(r.id.as_str()) {
                twins.entry(key).or_default().push(r);
            }
        }
        for list in twins.values_mut() {
            list.sort_by(|a, b| a.id.cmp(&b.id));
        }
        for e in outcome.exceptions.iter_mut().filter(|e| lonely(e, kind)) {
            let Some(record) = only_ref(e).and_then(|id| lonely_records.get(id)) else {
                continue;
            };
            let Some(counterparty) = record
                .counterparty
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            else {
                continue;
            };
            let twin = twins
                .get(&(record.currency.code(), record.amount_minor))
                .and_then(|list| {
                    list.iter().find(|t| {
                        t.id != record.id
                            && t.counterparty.as_deref().map(str::trim) == Some(counterparty)
                            && (t.date - record.date).num_days().unsigned_abs()
                                <= u64::from(rules.date_window_days)
                    })
                });
            if let Some(twin) = twin {
                let apart = match (twin.date - record.date).num_days().unsigned_abs() {
                    0 => "the same day".to_owned(),
                    1 => "1 day apart".to_owned(),
                    n => format!("{n} days apart"),
                };
                e.explanation = format!(
                    "{} repeats {} (same amount, currency and counterparty, {apart}), which is already matched: a second booking of one movement",
                    record.to_ref(),
                    twin.to_ref(),
                );
                e.kind = ExceptionKind::Duplicate;
            }
        }
    }
}
