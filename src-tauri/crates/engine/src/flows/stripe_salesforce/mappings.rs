//! The mappings the flow writes with, in write order, and the parents their references need.

use paysync_core::mapping::{Mapping, MappingDocumentError, Transform};
use serde_json::Value;

use super::plan::{Change, ObjectKey};

/// One mapping per Stripe object type, in write order (a customer before its charges, a charge
/// before its refunds and disputes).
#[derive(Debug, Clone)]
pub struct StripeMappings {
    ordered: Vec<(String, Mapping)>,
}

impl StripeMappings {
    /// The mappings Paysync ships ([`crate::mappings::stripe_defaults`]).
    pub fn defaults() -> Result<Self, MappingDocumentError> {
        Ok(Self::new(
            crate::mappings::stripe_defaults()?
                .into_iter()
                .map(|(kind, m)| (kind.to_owned(), m))
                .collect(),
        ))
    }

    /// Mappings by Stripe object type, in write order.
    pub fn new(ordered: Vec<(String, Mapping)>) -> Self {
        Self { ordered }
    }

    /// The mapping of a Stripe object type; `None` for types Paysync does not write.
    pub fn get(&self, object_type: &str) -> Option<&Mapping> {
        self.ordered
            .iter()
            .find(|(kind, _)| kind == object_type)
            .map(|(_, m)| m)
    }

    /// The object types in write order.
    pub(crate) fn types(&self) -> impl Iterator<Item = &str> {
        self.ordered.iter().map(|(kind, _)| kind.as_str())
    }

    /// The Stripe objects a change's record links to (its `reference` rules), which must exist
    /// in Salesforce before it is written.
    pub(crate) fn parents(&self, change: &Change) -> Vec<ObjectKey> {
        let Some(mapping) = self.get(&change.object_type) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for rule in &mapping.fields {
            let Transform::Reference { field } = &rule.transform else {
                continue;
            };
            let Some((parent_type, _)) = self.ordered.iter().find(|(_, m)| &m.external_id == field) else {
                continue;
            };
            let id = rule
                .source
                .iter()
                .map(|path| at(&change.snapshot, path))
                .find_map(|v| match v {
                    Value::String(s) if !s.is_empty() => Some(s.clone()),
                    Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_owned),
                    _ => None,
                });
            if let Some(id) = id {
                out.push((parent_type.clone(), id));
            }
        }
        out
    }
}

fn at<'a>(record: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(record, |v, key| &v[key])
}
