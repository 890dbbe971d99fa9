//! Precision and recall of an [`Outcome`] against a [`GroundTruth`].

use super::ground_truth::GroundTruth;
use super::outcome::{Match, Outcome};
use super::record::{Record, RecordRef};

/// How well confirmed matches agree with the truth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Score {
    /// Confirmed matches.
    pub confirmed: usize,
    /// Confirmed matches that are exactly a true group.
    pub confirmed_correct: usize,
    /// True groups.
    pub true_matches: usize,
    /// `confirmed_correct / confirmed` (1 when nothing was confirmed).
    pub precision: f64,
    /// `confirmed_correct / true_matches` (1 when there is nothing to find).
    pub recall: f64,
}

/// Scores `outcome`'s confirmed matches: one is correct when its records are exactly the records
/// of one true group — no more, no fewer.
pub fn score(outcome: &Outcome, truth: &GroundTruth) -> Score {
    let provider = labels(&truth.provider, &truth.provider_group);
    let salesforce = labels(&truth.salesforce, &truth.salesforce_group);
    let mut sizes = vec![(0usize, 0usize); usize::try_from(truth.groups).unwrap_or(0)];
    for g in truth.provider_group.iter().flatten() {
        if let Some(size) = usize::try_from(*g).ok().and_then(|g| sizes.get_mut(g)) {
            size.0 += 1;
        }
    }
    for g in truth.salesforce_group.iter().flatten() {
        if let Some(size) = usize::try_from(*g).ok().and_then(|g| sizes.get_mut(g)) {
            size.1 += 1;
        }
    }
    let correct = outcome
        .matches
        .iter()
        .filter(|m| is_true_group(m, &provider, &salesforce, &sizes))
        .count();
    let confirmed = outcome.matches.len();
    Score {
        confirmed,
        confirmed_correct: correct,
        true_matches: sizes.len(),
        precision: ratio(correct, confirmed),
        recall: ratio(correct, sizes.len()),
    }
}

/// Ids and their labels, sorted by id for lookups: half the memory of a hash map, which
/// matters when scoring a million records per side.
struct Labels<'t>(Vec<(&'t str, Option<u32>)>);

impl<'t> Labels<'t> {
    fn get(&self, id: &str) -> Option<u32> {
        self.0
            .binary_search_by(|(k, _)| (*k).cmp(id))
            .ok()
            .and_then(|i| self.0[i].1)
    }
}

fn labels<'t>(records: &'t [Record], groups: &[Option<u32>]) -> Labels<'t> {
    let mut labels: Vec<_> = records
        .iter()
        .map(|r| r.id.as_str())
        .zip(groups.iter().copied())
        .collect();
    labels.sort_unstable();
    Labels(labels)
}

fn is_true_group(
    m: &Match,
    provider: &Labels<'_>,
    salesforce: &Labels<'_>,
    sizes: &[(usize, usize)],
) -> bool {
    let label = |labels: &Labels<'_>, r: &RecordRef| labels.get(r.id.as_str());
    let Some(g) = m.provider.first().and_then(|r| label(provider, r)) else {
        return false;
    };
    let size = usize::try_from(g).ok().and_then(|g| sizes.get(g)).copied();
    m.provider.iter().all(|r| label(provider, r) == Some(g))
        && m.salesforce.iter().all(|r| label(salesforce, r) == Some(g))
        && size == Some((m.provider.len(), m.salesforce.len()))
}

/// `part / whole`, 1 for an empty whole. Precision and recall are ratios, so this is the one
/// place floats are needed; counts are capped at `u32::MAX`, far beyond any run.
#[allow(clippy::float_arithmetic)]
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 1.0;
    }
    let as_f64 = |n: usize| f64::from(u32::try_from(n).unwrap_or(u32::MAX));
    as_f64(part) / as_f64(whole)
}
