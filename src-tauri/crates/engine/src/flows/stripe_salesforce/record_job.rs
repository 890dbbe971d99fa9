//! The job of one Stripe record the flow could not write. It lands in the dead-letter queue with
//! its whole event and the reason; replaying it (after the record was corrected in Salesforce, or
//! with a corrected event) applies it through the same path as the flow, unless a newer state of
//! the object was applied meanwhile.

use async_trait::async_trait;
use paysync_store::Job;
use serde_json::{Value, json};

use super::apply::{Applier, Settled};
use super::plan::{Candidate, Change, Decision, decide};
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
        let decision = decide(&candidate, known.as_ref());
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
