//! Flows that ship with the engine itself, independent of any provider.

use async_trait::async_trait;
use paysync_store::RunCounts;

use crate::events::EngineEvent;
use crate::scheduler::{Flow, FlowContext, FlowError};

/// Name of the audit verification flow.
pub const AUDIT_VERIFY: &str = "audit.verify";

/// Re-verifies the whole audit chain (daily by default), so tampering is noticed even on a
/// machine that never restarts.
#[derive(Debug, Default)]
pub struct AuditVerifyFlow;

#[async_trait]
impl Flow for AuditVerifyFlow {
    fn name(&self) -> &str {
        AUDIT_VERIFY
    }

    fn description(&self) -> &str {
        "Re-checks every entry of the tamper-evident audit log against its signed chain."
    }

    async fn run(&self, ctx: &FlowContext) -> Result<RunCounts, FlowError> {
        match ctx.store.audit().verify().await {
            Ok(v) => {
                ctx.progress(v.entries, Some(v.entries));
                ctx.events.emit(EngineEvent::AuditVerified { entries: v.entries });
                Ok(RunCounts {
                    read: v.entries,
                    ..RunCounts::default()
                })
            }
            Err(e) => {
                let message = e.to_string();
                ctx.events.emit(EngineEvent::AuditTampered {
                    reason: message.clone(),
                });
                Err(FlowError {
                    message,
                    counts: RunCounts {
                        failed: 1,
                        ..RunCounts::default()
                    },
                })
            }
        }
    }
}
