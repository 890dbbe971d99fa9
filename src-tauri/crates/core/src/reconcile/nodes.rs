//! The canonical working set: both sides' records, each sorted, in one indexed list (provider
//! records first). Everything downstream works on these indices, so the input order of either
//! slice cannot influence the outcome.

use std::ops::Range;

use super::record::Record;

/// A record's index in [`Nodes`].
pub(crate) type Node = usize;

/// Both sides' records in canonical order.
pub(crate) struct Nodes<'a> {
    records: Vec<&'a Record>,
    providers: usize,
}

impl<'a> Nodes<'a> {
    /// Sorts each side by the records' full order (id first). Records that compare equal are
    /// identical in every field, so an unstable sort cannot tell them apart either.
    pub(crate) fn canonical(provider: &'a [Record], salesforce: &'a [Record]) -> Self {
        let mut records: Vec<&Record> = provider.iter().collect();
        records.sort_unstable();
        let mut sf: Vec<&Record> = salesforce.iter().collect();
        sf.sort_unstable();
        let providers = records.len();
        records.extend(sf);
        Self { records, providers }
    }

    /// How many records there are on both sides.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// The record at `node`.
    pub(crate) fn record(&self, node: Node) -> &'a Record {
        self.records[node]
    }

    /// Whether `node` is a provider record.
    pub(crate) fn is_provider(&self, node: Node) -> bool {
        node < self.providers
    }

    /// The provider nodes.
    pub(crate) fn providers(&self) -> Range<Node> {
        0..self.providers
    }
}
