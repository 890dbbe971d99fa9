//! The job of one Stripe record the flow could not write. It lands in the dead-letter queue with
//! its whole event and the reason; replaying it (after the record was corrected in Salesforce, or
//! with a corrected event) applies it through the same path as the flow, unless a newer state of
//! the object was applied meanwhile.

use async_trait::async_trait;
use paysync_store::Job;
use serde_json::{Value, json};

use super::apply::{Applier, Settled};
use super::plan::{Candidate, Change, Decision, decide};
use paysync_connectors::salesforce;

use super::{RECORD_JOB, event_of};
use crate::classify::RetrySafety;
use crate::flows::stripe_events::SOURCE;
use crate::handler::{JobContext, JobError, JobHandler};

/// Runs [`RECORD_JOB`] jobs.
#[derive(Debug)]
pub struct RecordJobHandler {
    applier: Applier,
}

impl RecordJobHandler {
    pub(super) fn new(applier: Applier) -> Self {
        Self { applier }
    }
}

#[async_trait]
impl JobHandler for RecordJobHandler {
    fn kind(&self) -> &str {
        RECORD_JOB
    }

    /// Upserts on an External ID: sending one again writes the same record.
    fn retry_safety(&self) -> RetrySafety {
        RetrySafety::ReplaySafe
    }

    /// The record the event maps to, field by field against the Salesforce record its External
    /// ID finds now: created, updated (which fields change) or unchanged. A mapping refusal is
    /// the preview's answer, named by field, as the replay would meet it.
    async fn preview(&self, _ctx: &JobContext, payload: &Value) -> Result<Option<Value>, JobError> {
        let event = event_of(&payload["event"]).map_err(|m| JobError::terminal("stripe.event_invalid", m))?;
        let Some(mapping) = self.applier.mappings.get(event.object_kind()) else {
            return Ok(Some(
                json!({"action": "none", "why": "this object is not written to Salesforce"}),
            ));
        };
        let fields = match mapping.apply(&event.data.object) {
            Ok(fields) => fields,
            Err(e) => {
                return Ok(Some(json!({
                    "action": "refused", "object": mapping.object, "why": e.to_string(), "fields": [],
                })));
            }
        };
        let key = fields
            .get(&mapping.external_id)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        // Plain fields are read as they are; a reference (`Account__r`) by the key it names.
        let mut select = vec!["Id".to_owned()];
        for (name, value) in &fields {
            match value.as_object().and_then(|o| o.keys().next()) {
                Some(inner) => select.push(format!("{name}.{inner}")),
                None => select.push(name.clone()),
            }
        }
        let soql = format!(
            "SELECT {} FROM {} WHERE {} = {} LIMIT 1",
            select.join(", "),
            mapping.object,
            mapping.external_id,
            salesforce::records::quote(&key)
        );
        let current: Option<serde_json::Map<String, Value>> = self
            .applier
            .salesforce
            .send(salesforce::PROVIDER, salesforce::records::query(&soql))
            .await
            .and_then(|r| r.json::<salesforce::QueryPage>())
            .map_err(|e| {
                JobError::retriable(
                    "salesforce.read",
                    format!("reading the {} to compare: {e}", mapping.object),
                    None,
                )
            })?
            .records
            .into_iter()
            .next();
        let mut changes = Vec::new();
        let mut changed_any = false;
        for (name, proposed) in &fields {
            let now = current
                .as_ref()
                .and_then(|c| c.get(name))
                .cloned()
                .unwrap_or(Value::Null);
            let now = match (proposed.as_object(), now.as_object()) {
                // A reference compares by the key it names.
                (Some(p), Some(c)) => {
                    let inner = p.keys().next().cloned().unwrap_or_default();
                    json!({ inner.clone(): c.get(&inner).cloned().unwrap_or(Value::Null) })
                }
                _ => now,
            };
            let changed = !same(&now, proposed);
            changed_any |= changed;
            changes.push(json!({"field": name, "current": now, "proposed": proposed, "changed": changed}));
        }
        let target = current
            .as_ref()
            .and_then(|c| c.get("Id"))
            .cloned()
            .unwrap_or(Value::Null);
        let action = match (&current, changed_any) {
            (None, _) => "create",
            (Some(_), true) => "update",
            (Some(_), false) => "unchanged",
        };
        Ok(Some(json!({
            "action": action, "object": mapping.object,
            "external_id": {"field": mapping.external_id, "value": key},
            "target_id": target, "fields": changes,
        })))
    }

    async fn run(&self, ctx: &JobContext, job: &Job) -> Result<Option<Value>, JobError> {
        let event =
            event_of(&job.payload["event"]).map_err(|m| JobError::terminal("stripe.event_invalid", m))?;
        if self.applier.mappings.get(event.object_kind()).is_none() {
            return Ok(Some(json!({"result": "not_mapped"})));
        }
        let change = Change::of(event);
        let key = change.key();
        let known = ctx
            .store
            .object_versions()
            .get(SOURCE, &key.0, &key.1)
            .await
            .map_err(|e| JobError::retriable("store", e.to_string(), None))?;
        let candidate = Candidate {
            events: vec![change.event_id.clone()],
            change,
            ambiguous: false,
        };
        let decision = decide(candidate, known.as_ref());
        if decision == Decision::Skip {
            return Ok(Some(json!({
                "result": "superseded",
                "applied_event": known.map(|k| k.event_id),
            })));
        }
        let applied = self
            .applier
            .apply(&ctx.store, vec![(key.clone(), decision)], None)
            .await;
        let mut versions = applied.parents.clone();
        let (change, settled) = applied.outcomes.get(&key).cloned().ok_or_else(|| {
            JobError::retriable("stopped", applied.stopped.clone().unwrap_or_default(), None)
        })?;
        let result = match settled {
            Settled::Written { target_id } => {
                versions.push(change.applied(target_id.clone()));
                json!({"result": "written", "salesforce_id": target_id})
            }
            Settled::Skipped => json!({"result": "gone_at_stripe"}),
            Settled::Held => {
                return Err(JobError::retriable(
                    "held",
                    "waiting for a fuller collection",
                    None,
                ));
            }
            Settled::Refused { code, message } => return Err(JobError::terminal(code, message)),
            Settled::Deferred { code, message } => return Err(JobError::retriable(code, message, None)),
        };
        ctx.store
            .object_versions()
            .commit(SOURCE, &versions, &[], ctx.clock.now())
            .await
            .map_err(|e| JobError::retriable("store", e.to_string(), None))?;
        Ok(Some(result))
    }
}

/// Whether Salesforce's value and the one to write are the same (numbers by exact decimal
/// value: Salesforce answers `12.5` where the mapping writes `12.50`).
fn same(current: &Value, proposed: &Value) -> bool {
    let decimal = |v: &Value| match v {
        Value::Number(n) => n.to_string().parse::<rust_decimal::Decimal>().ok(),
        Value::String(s) => s.parse::<rust_decimal::Decimal>().ok(),
        _ => None,
    };
    match (current, proposed) {
        (Value::Number(_), _) | (_, Value::Number(_)) => match (decimal(current), decimal(proposed)) {
            (Some(a), Some(b)) => a == b,
            _ => current == proposed,
        },
        _ => current == proposed,
    }
}
