//! The reconciliation matching engine: pure, deterministic matching of provider records (Stripe,
//! Checkout.com, Payoneer, MaldoPay) against Salesforce records.
//!
//! [`reconcile`] works in three passes over a canonical order (each side sorted by id), so the
//! order records arrive in never changes the [`Outcome`]:
//!
//! 1. **Shared ids**: records that share an id — their own, a key, or a parent such as an invoice
//!    or payout id — form a group (one-to-one, one-to-many, many-to-one or many-to-many).
//!    Same-side repeats are [`ExceptionKind::Duplicate`]s. A group whose amounts agree, exactly or
//!    once the fee or an FX conversion is counted, is a confirmed [`Match`]; within tolerance it
//!    is a suggestion; otherwise an amount, currency or status mismatch.
//! 2. **Rules**: the rest, matched by amount, currency, date window, reference and counterparty
//!    ([`Rules`]). Only an exact, unique-both-ways pair with the same reference is confirmed;
//!    anything weaker is suggested, with a score; a bounded subset search suggests splits.
//! 3. What is left is missing on the other side, unless it repeats a record already matched on
//!    its own side (same amount, currency and counterparty, within the date window): then it is
//!    a [`ExceptionKind::Duplicate`].
//!
//! Every match carries a [`Reason`] (readable through `Display`) and a [`Breakdown`] of gross,
//! fee, FX difference and net; [`Outcome::totals`] proves per currency that matched + unmatched
//! = input. [`payout_tie_out`] checks a Stripe payout against its balance transactions.
//! [`ground_truth`] generates realistic data with known answers and [`score`](score::score)
//! measures precision and recall against it.

mod agreement;
mod exact;
pub mod ground_truth;
mod link;
mod nodes;
mod outcome;
mod outcome_builder;
mod record;
mod record_id;
mod rules;
mod rules_pass;
pub mod score;
mod subset;
mod text;
mod tie_out;
mod totals;
mod twins;
mod unit;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;

pub use outcome::{Basis, Breakdown, Evidence, Exception, ExceptionKind, Match, Outcome, Reason, Strategy};
pub use record::{Fx, Record, RecordKind, RecordRef, Source, Status};
pub use record_id::RecordId;
pub use rules::{MAX_DATE_WINDOW_DAYS, MAX_GROUP_LIMIT, Rules, RulesError, Tolerance};
pub use tie_out::{TieOut, TieOutError, payout_tie_out};
pub use totals::CurrencyTotals;

use nodes::Nodes;
use outcome_builder::OutcomeBuilder;

/// Reconciles `provider` records against `salesforce` records under `rules`.
///
/// Deterministic: the same records in any order give an equal [`Outcome`]. Every record lands in
/// exactly one of [`Outcome::matches`], [`Outcome::suggestions`] and [`Outcome::exceptions`].
/// Runs in O(n log n) time; fails only when `rules` do not [validate](Rules::validate).
pub fn reconcile(provider: &[Record], salesforce: &[Record], rules: &Rules) -> Result<Outcome, RulesError> {
    rules.validate()?;
    let nodes = Nodes::canonical(provider, salesforce);
    let mut out = OutcomeBuilder::new(&nodes);
    let components = link::components(&nodes);
    let leftovers = exact::pass(&components, rules, &mut out);
    drop(components);
    rules_pass::pass(leftovers, rules, &mut out);
    let mut outcome = out.finish();
    twins::relabel(&mut outcome, provider, salesforce, rules);
    Ok(outcome)
}
