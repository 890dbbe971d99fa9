//! The mappings Paysync ships: one versioned JSON document per Stripe object, in `mappings/`
//! beside this crate, read as data by [`paysync_core::mapping`]. The targets they name are the
//! Salesforce objects and fields listed in `docs/mappings.md`, which the sandbox's org has.

use paysync_core::mapping::{Mapping, MappingDocumentError};

/// The shipped Stripe documents by Stripe object type (its `object` field), in the order records
/// are written: a customer before its charges, a charge before its refunds and disputes.
const STRIPE: [(&str, &str); 6] = [
    ("customer", include_str!("../mappings/stripe/customer.json")),
    ("charge", include_str!("../mappings/stripe/charge.json")),
    ("refund", include_str!("../mappings/stripe/refund.json")),
    ("dispute", include_str!("../mappings/stripe/dispute.json")),
    (
        "subscription",
        include_str!("../mappings/stripe/subscription.json"),
    ),
    ("invoice", include_str!("../mappings/stripe/invoice.json")),
];

/// The default mapping for a Stripe object type (`customer`, `charge`, …).
pub fn stripe_default(object: &str) -> Option<Result<Mapping, MappingDocumentError>> {
    STRIPE
        .iter()
        .find(|(kind, _)| *kind == object)
        .map(|(_, text)| Mapping::from_json(text))
}

/// Every default Stripe mapping, in write order.
pub fn stripe_defaults() -> Result<Vec<(&'static str, Mapping)>, MappingDocumentError> {
    STRIPE
        .iter()
        .map(|(kind, text)| Mapping::from_json(text).map(|m| (*kind, m)))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{Duration, TimeZone, Utc};
    use paysync_connectors::salesforce::{PROVIDER, RecordOutcome, UpsertBatch};
    use paysync_core::mapping::Transform;
    use paysync_core::{ManualClock, SharedClock};
    use paysync_sandbox::salesforce::schema::{self, FieldKind};
    use serde_json::Value;

    use super::*;
    use crate::flows::testing::{seed_one_of_each, start_salesforce, start_stripe};

    /// The schema field a rule writes: a relationship `X__r` writes the lookup `X__c`.
    fn written_field(target: &str) -> String {
        target
            .strip_suffix("__r")
            .map_or_else(|| target.to_owned(), |base| format!("{base}__c"))
    }

    #[test]
    fn every_default_mapping_fits_the_salesforce_schema() {
        let defaults = stripe_defaults().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(defaults.len(), 6);
        for (kind, mapping) in &defaults {
            let object = schema::object(&mapping.object)
                .unwrap_or_else(|| panic!("{kind}: no object {}", mapping.object));
            let key = object
                .field(&mapping.external_id)
                .unwrap_or_else(|| panic!("{kind}: no field {}", mapping.external_id));
            assert!(
                key.external_id,
                "{}.{} is not an External ID",
                object.name, key.name
            );
            for rule in &mapping.fields {
                let name = written_field(&rule.target);
                let field = object
                    .field(&name)
                    .unwrap_or_else(|| panic!("{kind}: {}.{name} does not exist", object.name));
                assert_eq!(
                    field.access,
                    schema::Access::ReadWrite,
                    "{kind}: {}.{name} is not writable",
                    object.name
                );
                match (&rule.transform, field.kind) {
                    (Transform::Reference { field: parent_key }, FieldKind::Reference(parent)) => {
                        let parent = schema::object(parent).unwrap_or_else(|| panic!("no {parent}"));
                        let key = parent
                            .field(parent_key)
                            .unwrap_or_else(|| panic!("no {parent_key}"));
                        assert!(
                            key.external_id,
                            "{kind}: {}.{parent_key} is not an External ID",
                            parent.name
                        );
                    }
                    (Transform::Reference { .. }, other) => {
                        panic!("{kind}: {name} is {other:?}, not a lookup")
                    }
                    (Transform::StripeMinorUnits { .. }, kind_) => {
                        assert!(
                            matches!(kind_, FieldKind::Currency(..)),
                            "{kind}: {name} holds no money"
                        );
                    }
                    (Transform::Lookup { values, .. }, FieldKind::Picklist { values: allowed, .. }) => {
                        for v in values.values() {
                            assert!(allowed.contains(&v.as_str()), "{kind}: {name} has no value {v}");
                        }
                    }
                    (Transform::Constant { value }, FieldKind::Picklist { values: allowed, .. }) => {
                        assert!(
                            allowed.contains(&value.as_str().unwrap_or_default()),
                            "{kind}: {name}"
                        );
                    }
                    _ => {}
                }
                if let (Some(max), FieldKind::Text(len)) = (rule.max_length, field.kind) {
                    assert!(
                        max <= len as usize,
                        "{kind}: {name} allows {max}, the field holds {len}"
                    );
                }
            }
            for name in mapping.on_delete.keys() {
                let field = object
                    .field(name)
                    .unwrap_or_else(|| panic!("{kind}: on_delete {}.{name} does not exist", object.name));
                assert_eq!(field.access, schema::Access::ReadWrite, "{kind}: {name}");
            }
        }
    }

    #[test]
    fn every_default_mapping_is_listed_in_the_docs() {
        let docs = include_str!("../../../../docs/mappings.md");
        for (_, mapping) in stripe_defaults().unwrap_or_else(|e| panic!("{e}")) {
            for rule in &mapping.fields {
                let row = format!("| `{}` | `{}` |", mapping.source, rule.target);
                assert!(docs.contains(&row), "docs/mappings.md has no row {row}");
            }
        }
    }

    /// The simulator's own Stripe objects, mapped by the defaults, are accepted by the Salesforce
    /// simulator: every object type, every record, no refusal.
    #[tokio::test]
    async fn stripe_objects_mapped_by_the_defaults_are_accepted_by_salesforce() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
            .single()
            .unwrap_or_default();
        let clock: SharedClock = Arc::new(ManualClock::new(now));
        let (stripe_handle, stripe) = start_stripe(clock.clone()).await;
        let (_, charge) = seed_one_of_each(&stripe, now - Duration::days(3));
        let (sf_handle, salesforce, sf) = start_salesforce(clock.clone()).await;

        for (kind, mapping) in stripe_defaults().unwrap_or_else(|e| panic!("{e}")) {
            let records: Vec<Value> = stripe.objects(kind);
            assert!(!records.is_empty(), "no {kind} seeded");
            let mut batch =
                UpsertBatch::new(&mapping.object, &mapping.external_id).unwrap_or_else(|e| panic!("{e}"));
            for record in &records {
                let fields = mapping.apply(record).unwrap_or_else(|e| panic!("{e}"));
                batch.push(fields).unwrap_or_else(|e| panic!("{e}"));
            }
            let response = sf
                .send(PROVIDER, batch.request())
                .await
                .unwrap_or_else(|e| panic!("{kind}: {e}"));
            for (key, outcome) in batch.outcomes(&response).unwrap_or_else(|e| panic!("{e}")) {
                assert!(
                    matches!(outcome, RecordOutcome::Saved { .. }),
                    "{kind} {key}: {outcome:?}"
                );
            }
            assert_eq!(salesforce.records(&mapping.object).len(), records.len(), "{kind}");
        }
        // The links hold: the refund and the dispute point at the charge's payment.
        let payments = salesforce.records("Payment__c");
        let payment = payments
            .iter()
            .find(|p| p.get("Stripe_Charge_Id__c").and_then(Value::as_str) == Some(charge.as_str()))
            .unwrap_or_else(|| panic!("no payment for {charge}"));
        for child in ["Refund__c", "Dispute__c"] {
            let records = salesforce.records(child);
            assert_eq!(records.len(), 1);
            assert_eq!(records[0].get("Payment__c"), payment.get("Id"), "{child}");
        }
        stripe_handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
        sf_handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
    }
}
