//! A payment's timeline for the Payments view: what the provider said about it (its events, and
//! its refunds' and disputes'), and what Paysync wrote to Salesforce from them, in time order.

use chrono::{DateTime, Utc};
use paysync_core::Currency;
use paysync_core::provider_amounts::stripe::from_stripe_amount;
use paysync_store::{ObjectEvent, ObjectVersion, Store, StoredPayment};
use serde::Serialize;

use crate::error::EngineError;

/// The most events one timeline shows.
const MAX_EVENTS: u32 = 500;

/// What kind of moment a timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// An event from the provider.
    Event,
    /// A state written to Salesforce.
    SalesforceWrite,
    /// A deletion applied to Salesforce (the record is marked, not removed).
    SalesforceDelete,
}

/// One moment in a payment's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// When it happened (the provider's time for events, Paysync's for writes).
    pub at: DateTime<Utc>,
    /// Its kind.
    pub kind: TimelineKind,
    /// One line: the event type, or what was written.
    pub title: String,
    /// The object it is about and what it said.
    pub detail: String,
}

/// A payment and its timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentTimeline {
    /// The payment.
    pub payment: StoredPayment,
    /// Its moments, oldest first.
    pub entries: Vec<TimelineEntry>,
}

/// An event's snapshot in words: `refund re_1: succeeded, 20.00 EUR`.
fn describe(event: &ObjectEvent) -> String {
    let object = format!(
        "{} {}",
        event.object_type.as_deref().unwrap_or("object"),
        event.object_id.as_deref().unwrap_or("?")
    );
    let amount = match (event.amount, event.currency.as_deref()) {
        (Some(amount), Some(code)) => code
            .to_ascii_uppercase()
            .parse::<Currency>()
            .ok()
            .and_then(|c| from_stripe_amount(amount, c).ok())
            .map(|m| format!("{} {}", m.to_decimal(), m.currency().code())),
        _ => None,
    };
    let facts: Vec<String> = event.status.iter().cloned().chain(amount).collect();
    if facts.is_empty() {
        object
    } else {
        format!("{object}: {}", facts.join(", "))
    }
}

/// What was applied to Salesforce for one object.
fn written(version: &ObjectVersion) -> TimelineEntry {
    let target = version
        .target_id
        .as_deref()
        .map(|id| format!(" → Salesforce record {id}"))
        .unwrap_or_default();
    TimelineEntry {
        at: version.applied_at,
        kind: if version.deleted {
            TimelineKind::SalesforceDelete
        } else {
            TimelineKind::SalesforceWrite
        },
        title: if version.deleted {
            format!("Deletion applied to Salesforce ({})", version.object_type)
        } else {
            format!("Written to Salesforce ({})", version.object_type)
        },
        detail: format!(
            "{} {}{target}, state of event {}",
            version.object_type, version.object_id, version.event_id
        ),
    }
}

/// The timeline of one payment, or `None` when no such payment is stored.
pub(crate) async fn timeline(
    store: &Store,
    provider: &str,
    provider_id: &str,
) -> Result<Option<PaymentTimeline>, EngineError> {
    let Some(payment) = store.payments().get(provider, provider_id).await? else {
        return Ok(None);
    };
    let events = store
        .inbox()
        .about_object(provider, provider_id, MAX_EVENTS)
        .await?;
    let mut objects: Vec<(String, String)> = vec![(payment.payment.kind.clone(), provider_id.to_owned())];
    for e in &events {
        if let (Some(kind), Some(id)) = (&e.object_type, &e.object_id) {
            let key = (kind.clone(), id.clone());
            if !objects.contains(&key) {
                objects.push(key);
            }
        }
    }
    let versions = store.object_versions().get_many(provider, &objects).await?;
    let mut entries: Vec<TimelineEntry> = events
        .iter()
        .map(|e| TimelineEntry {
            at: e.created.unwrap_or(e.received_at),
            kind: TimelineKind::Event,
            title: e.event_type.clone(),
            detail: describe(e),
        })
        .chain(objects.iter().filter_map(|k| versions.get(k)).map(written))
        .collect();
    entries.sort_by_key(|e| e.at);
    Ok(Some(PaymentTimeline { payment, entries }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_events_snapshot_is_told_in_major_units() {
        let event = ObjectEvent {
            event_id: "evt_1".to_owned(),
            event_type: "charge.refunded".to_owned(),
            created: None,
            received_at: DateTime::<Utc>::UNIX_EPOCH,
            processed_at: None,
            object_type: Some("refund".to_owned()),
            object_id: Some("re_1".to_owned()),
            status: Some("succeeded".to_owned()),
            amount: Some(2_000),
            currency: Some("eur".to_owned()),
        };
        assert_eq!(describe(&event), "refund re_1: succeeded, 20.00 EUR");
        let bare = ObjectEvent {
            status: None,
            amount: None,
            ..event
        };
        assert_eq!(describe(&bare), "refund re_1");
    }
}
