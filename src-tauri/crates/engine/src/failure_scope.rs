//! Which providers a failure involves: the Failures screen and `paysync dlq list --provider`
//! narrow the dead-letter queue to one provider's flows by their job kinds.

use std::time::Duration;

use chrono::{DateTime, Utc};
use paysync_store::DeadLetterFilter;

use crate::error::EngineError;
use crate::flows::{salesforce_stripe, stripe_salesforce};
use crate::payouts;

/// Each job kind with the providers whose records it reads or writes.
const KIND_PROVIDERS: &[(&str, &[&str])] = &[
    (stripe_salesforce::RECORD_JOB, &["stripe", "salesforce"]),
    (salesforce_stripe::CUSTOMER_JOB, &["salesforce", "stripe"]),
    (salesforce_stripe::SUBSCRIPTION_JOB, &["salesforce", "stripe"]),
    (payouts::REQUEST_JOB, &["salesforce", "payoneer"]),
    (payouts::OUTCOME_JOB, &["payoneer", "salesforce"]),
];

/// The providers whose records jobs of `kind` read or write (none for local work).
pub fn providers_of_kind(kind: &str) -> &'static [&'static str] {
    KIND_PROVIDERS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[], |(_, providers)| providers)
}

/// The job kinds whose failures involve `provider`, or `None` when no flow involves it.
pub fn kinds_involving(provider: &str) -> Option<Vec<String>> {
    let kinds: Vec<String> = KIND_PROVIDERS
        .iter()
        .filter(|(_, providers)| providers.contains(&provider))
        .map(|(kind, _)| (*kind).to_owned())
        .collect();
    (!kinds.is_empty()).then_some(kinds)
}

/// The providers that have flows whose failures can be filtered by, in display order.
pub fn providers_with_failures() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for provider in KIND_PROVIDERS.iter().flat_map(|(_, p)| p.iter()) {
        if !out.contains(provider) {
            out.push(provider);
        }
    }
    out.sort_unstable();
    out
}

/// Parses an age like `30m`, `2h` or `7d`.
pub fn parse_age(s: &str) -> Result<Duration, EngineError> {
    crate::scheduler::parse_interval(s.trim()).map_err(|_| EngineError::Invalid {
        field: "age",
        message: format!("{s:?} is not an age like 30m, 2h or 7d"),
    })
}

/// A narrowing of the dead-letter queue: one provider's flows, one object, parked more than
/// `older_than` or less than `newer_than` before `now`. Status, kind and error code are left to
/// the caller.
pub fn scope(
    provider: Option<&str>,
    object: Option<&str>,
    older_than: Option<Duration>,
    newer_than: Option<Duration>,
    now: DateTime<Utc>,
) -> Result<DeadLetterFilter, EngineError> {
    let kinds = match provider.map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(p) => Some(
            kinds_involving(&p.to_lowercase()).ok_or_else(|| EngineError::Invalid {
                field: "provider",
                message: format!(
                    "no flow involves {p:?}; failures can be narrowed to {}",
                    providers_with_failures().join(", ")
                ),
            })?,
        ),
    };
    let before = |age: Duration| now - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
    Ok(DeadLetterFilter {
        kinds,
        object: object.map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned),
        parked_before: older_than.map(before),
        parked_from: newer_than.map(before),
        ..DeadLetterFilter::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_provider_names_the_kinds_that_touch_it() {
        assert_eq!(
            kinds_involving("payoneer"),
            Some(vec!["payouts.request".to_owned(), "payouts.outcome".to_owned()])
        );
        assert_eq!(kinds_involving("stripe").map(|k| k.len()), Some(3));
        assert_eq!(kinds_involving("salesforce").map(|k| k.len()), Some(5));
        assert_eq!(kinds_involving("maldopay"), None);
        assert_eq!(providers_of_kind("payouts.outcome"), ["payoneer", "salesforce"]);
        assert!(providers_of_kind("selftest.write").is_empty());
        assert_eq!(providers_with_failures(), ["payoneer", "salesforce", "stripe"]);
    }

    #[test]
    fn a_scope_turns_provider_and_ages_into_kinds_and_times() {
        let now = DateTime::<Utc>::MIN_UTC + chrono::Duration::days(30);
        let s = scope(
            Some("Payoneer"),
            Some(" Payment_Request__c "),
            parse_age("7d").ok(),
            None,
            now,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.kinds.map(|k| k.len()), Some(2));
        assert_eq!(s.object.as_deref(), Some("Payment_Request__c"));
        assert_eq!(s.parked_before, Some(now - chrono::Duration::days(7)));
        assert_eq!(s.parked_from, None);
        let recent = scope(None, Some(""), None, parse_age("1h").ok(), now).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((recent.kinds, recent.object), (None, None));
        assert_eq!(recent.parked_from, Some(now - chrono::Duration::hours(1)));
        assert!(matches!(
            scope(Some("maldopay"), None, None, None, now),
            Err(EngineError::Invalid {
                field: "provider",
                ..
            })
        ));
        assert!(parse_age("soon").is_err());
    }
}
