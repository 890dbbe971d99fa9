//! A record left without a counterpart that repeats one already matched on its own side (same
//! currency, amount and counterparty, dated within the window) is a duplicate, not a missing
//! movement: e.g. a payment keyed in by hand in Salesforce next to the one Paysync wrote. It
//! stays unmatched (the totals do not change); only its exception's kind and explanation do.

use std::collections::HashMap;

use super::outcome::{ExceptionKind, Outcome};
use super::record::{Record, RecordRef};
use super::rules::Rules;

/// The matched records of one side by (currency, amount), in canonical (id) order.
fn matched_index<'a>(
    records: &'a [Record],
    matched: impl Iterator<Item = &'a RecordRef>,
) -> HashMap<(&'a str, i64), Vec<&'a Record>> {
    let by_id: HashMap<&str, &Record> = records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut index: HashMap<(&str, i64), Vec<&Record>> = HashMap::new();
    for r in matched.filter_map(|m| by_id.get(m.id.as_str())) {
        index
            .entry((r.currency.code(), r.amount_minor))
            .or_default()
            .push(r);
    }
    for twins in index.values_mut() {
        twins.sort_by(|a, b| a.id.cmp(&b.id));
        twins.dedup_by(|a, b| a.id == b.id);
    }
    index
}

/// The matched record `r` repeats, if any.
fn twin_of<'a>(r: &Record, index: &HashMap<(&str, i64), Vec<&'a Record>>, window: u32) -> Option<&'a Record> {
    let counterparty = r
        .counterparty
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())?;
    index
        .get(&(r.currency.code(), r.amount_minor))?
        .iter()
        .copied()
        .find(|t| {
            t.id != r.id
                && t.counterparty.as_deref().map(str::trim) == Some(counterparty)
                && (t.date - r.date).num_days().unsigned_abs() <= u64::from(window)
        })
}

/// Relabels the missing records of `outcome` that repeat a matched one.
pub(crate) fn relabel(outcome: &mut Outcome, provider: &[Record], salesforce: &[Record], rules: &Rules) {
    let lonely = |kind| {
        move |e: &&mut super::outcome::Exception| e.kind == kind && e.provider.len() + e.salesforce.len() == 1
    };
    if !outcome.exceptions.iter().any(|e| {
        matches!(
            e.kind,
            ExceptionKind::MissingAtProvider | ExceptionKind::MissingInSalesforce
        )
    }) {
        return;
    }
    let window = rules.date_window_days;
    let sides: [(ExceptionKind, &[Record], bool); 2] = [
        (ExceptionKind::MissingAtProvider, salesforce, false),
        (ExceptionKind::MissingInSalesforce, provider, true),
    ];
    for (kind, records, is_provider) in sides {
        let matched = outcome.matches.iter().flat_map(|m| {
            if is_provider {
                m.provider.iter()
            } else {
                m.salesforce.iter()
            }
        });
        let index = matched_index(records, matched);
        if index.is_empty() {
            continue;
        }
        let by_id: HashMap<&str, &Record> = records.iter().map(|r| (r.id.as_str(), r)).collect();
        for e in outcome.exceptions.iter_mut().filter(lonely(kind)) {
            let Some(me) = e.provider.first().or(e.salesforce.first()) else {
                continue;
            };
            let Some(record) = by_id.get(me.id.as_str()) else {
                continue;
            };
            if let Some(twin) = twin_of(record, &index, window) {
                e.kind = ExceptionKind::Duplicate;
                e.explanation = format!(
                    "{me} repeats {} (same amount, currency and counterparty, {} apart), which is already matched: a second booking of one movement",
                    twin.to_ref(),
                    match (twin.date - record.date).num_days().unsigned_abs() {
                        0 => "the same day".to_owned(),
                        1 => "1 day".to_owned(),
                        n => format!("{n} days"),
                    }
                );
            }
        }
    }
}
