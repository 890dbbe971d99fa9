//! Typed engine events: one vocabulary that logs, counters and (later) the console consume.
//! Each event is emitted once through [`EventBus::emit`], which logs it, counts it and broadcasts
//! it to subscribers. Events carry ids and codes, never payloads or secrets.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;
use tokio::sync::broadcast;

/// Something the engine did that someone may want to see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    /// A job finished successfully.
    JobSucceeded {
        /// The job.
        job_id: i64,
        /// Its kind.
        kind: String,
    },
    /// A job failed and will be tried again.
    JobRetryScheduled {
        /// The job.
        job_id: i64,
        /// Its kind.
        kind: String,
        /// The failed attempt's number.
        attempt: u32,
        /// The failure's code.
        error_code: String,
        /// Milliseconds until the next attempt.
        delay_ms: u64,
    },
    /// A job was parked in the dead-letter queue.
    JobDeadLettered {
        /// The job.
        job_id: i64,
        /// The dead-letter entry.
        dead_letter_id: i64,
        /// Its kind.
        kind: String,
        /// The failure's code.
        error_code: String,
    },
    /// A job's outcome is unknown and waits for a status check.
    JobInDoubt {
        /// The job.
        job_id: i64,
        /// Its kind.
        kind: String,
        /// The failure's code.
        error_code: String,
    },
    /// Expired leases were taken back from crashed or stalled workers.
    LeasesReclaimed {
        /// Jobs put back in the queue.
        requeued: u64,
        /// Unsafe jobs moved to in doubt.
        in_doubt: u64,
        /// Jobs that had no attempts left.
        dead_lettered: u64,
    },
    /// A dead-letter entry was replayed.
    DeadLetterReplayed {
        /// The entry.
        dead_letter_id: i64,
        /// The job put back in the queue.
        job_id: i64,
    },
    /// A dead-letter entry was discarded with a reason.
    DeadLetterDiscarded {
        /// The entry.
        dead_letter_id: i64,
    },
    /// New payout batches wait for approval.
    PayoutApprovalsNeeded {
        /// How many batches were drafted.
        batches: u64,
        /// How many items they hold.
        items: u64,
    },
    /// A payout batch is held (insufficient funds); it is sent again when the balance allows.
    PayoutBatchHeld {
        /// The batch.
        batch_id: String,
        /// Payoneer's reason.
        reason: String,
    },
    /// A flow run started.
    RunStarted {
        /// The run.
        run_id: i64,
        /// The flow.
        flow: String,
        /// `schedule`, `manual` or `startup`.
        trigger: String,
    },
    /// A flow run made progress.
    RunProgress {
        /// The run.
        run_id: i64,
        /// The flow.
        flow: String,
        /// Records done so far.
        done: u64,
        /// Records in all, when known.
        total: Option<u64>,
    },
    /// A flow run finished.
    RunFinished {
        /// The run.
        run_id: i64,
        /// The flow.
        flow: String,
        /// `succeeded`, `failed` or `partial`.
        outcome: String,
        /// Records written.
        written: u64,
        /// Records that failed.
        failed: u64,
        /// Wall time of the run in milliseconds.
        duration_ms: u64,
    },
    /// A flow was due but a run of it was already live.
    RunSkipped {
        /// The flow.
        flow: String,
    },
    /// The audit chain verified.
    AuditVerified {
        /// Entries checked.
        entries: u64,
    },
    /// The audit chain failed verification.
    AuditTampered {
        /// What was found.
        reason: String,
    },
    /// A provider endpoint's circuit breaker opened, let a probe through, or closed again.
    BreakerChanged {
        /// The provider (`stripe`, …).
        provider: String,
        /// The endpoint label (`stripe:GET /v1/charges`).
        endpoint: String,
        /// The new state.
        circuit: paysync_connectors::http::Circuit,
    },
}

impl EngineEvent {
    /// The event's stable name, as used in logs and counters.
    pub const fn name(&self) -> &'static str {
        match self {
            Self::JobSucceeded { .. } => "job_succeeded",
            Self::JobRetryScheduled { .. } => "job_retry_scheduled",
            Self::JobDeadLettered { .. } => "job_dead_lettered",
            Self::JobInDoubt { .. } => "job_in_doubt",
            Self::LeasesReclaimed { .. } => "leases_reclaimed",
            Self::DeadLetterReplayed { .. } => "dead_letter_replayed",
            Self::DeadLetterDiscarded { .. } => "dead_letter_discarded",
            Self::RunStarted { .. } => "run_started",
            Self::RunProgress { .. } => "run_progress",
            Self::RunFinished { .. } => "run_finished",
            Self::RunSkipped { .. } => "run_skipped",
            Self::AuditVerified { .. } => "audit_verified",
            Self::AuditTampered { .. } => "audit_tampered",
            Self::BreakerChanged { .. } => "breaker_changed",
            Self::PayoutApprovalsNeeded { .. } => "payout_approvals_needed",
            Self::PayoutBatchHeld { .. } => "payout_batch_held",
        }
    }
}

/// Running totals of what the engine did since it started.
#[derive(Debug, Default)]
pub struct Counters {
    /// Jobs that succeeded.
    pub jobs_succeeded: AtomicU64,
    /// Retries scheduled.
    pub jobs_retried: AtomicU64,
    /// Jobs dead-lettered.
    pub jobs_dead_lettered: AtomicU64,
    /// Jobs moved to in doubt.
    pub jobs_in_doubt: AtomicU64,
    /// Flow runs finished.
    pub runs_finished: AtomicU64,
}

/// A point-in-time copy of [`Counters`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CounterSnapshot {
    /// Jobs that succeeded.
    pub jobs_succeeded: u64,
    /// Retries scheduled.
    pub jobs_retried: u64,
    /// Jobs dead-lettered.
    pub jobs_dead_lettered: u64,
    /// Jobs moved to in doubt.
    pub jobs_in_doubt: u64,
    /// Flow runs finished.
    pub runs_finished: u64,
}

/// Fan-out of engine events to logs, counters and subscribers.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<EngineEvent>,
    counters: Arc<Counters>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBus {
    /// A bus whose slow subscribers lose the oldest events rather than stall the engine.
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(1024);
        Self {
            sender,
            counters: Arc::new(Counters::default()),
        }
    }

    /// Subscribes to events emitted from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.sender.subscribe()
    }

    /// The totals so far.
    pub fn counters(&self) -> CounterSnapshot {
        let c = &self.counters;
        CounterSnapshot {
            jobs_succeeded: c.jobs_succeeded.load(Ordering::Relaxed),
            jobs_retried: c.jobs_retried.load(Ordering::Relaxed),
            jobs_dead_lettered: c.jobs_dead_lettered.load(Ordering::Relaxed),
            jobs_in_doubt: c.jobs_in_doubt.load(Ordering::Relaxed),
            runs_finished: c.runs_finished.load(Ordering::Relaxed),
        }
    }

    /// Logs, counts and broadcasts one event.
    pub fn emit(&self, event: EngineEvent) {
        let c = &self.counters;
        let counter = match &event {
            EngineEvent::JobSucceeded { .. } => Some(&c.jobs_succeeded),
            EngineEvent::JobRetryScheduled { .. } => Some(&c.jobs_retried),
            EngineEvent::JobDeadLettered { .. } => Some(&c.jobs_dead_lettered),
            EngineEvent::JobInDoubt { .. } => Some(&c.jobs_in_doubt),
            EngineEvent::RunFinished { .. } => Some(&c.runs_finished),
            _ => None,
        };
        if let Some(counter) = counter {
            counter.fetch_add(1, Ordering::Relaxed);
        }
        match &event {
            EngineEvent::JobDeadLettered { .. }
            | EngineEvent::JobInDoubt { .. }
            | EngineEvent::RunSkipped { .. }
            | EngineEvent::PayoutBatchHeld { .. }
            | EngineEvent::BreakerChanged { .. } => {
                tracing::warn!(event = event.name(), details = ?event, "Engine event.");
            }
            EngineEvent::AuditTampered { .. } => {
                tracing::error!(event = event.name(), details = ?event, "Audit log failed verification.");
            }
            EngineEvent::JobSucceeded { .. } | EngineEvent::RunProgress { .. } => {
                tracing::debug!(event = event.name(), details = ?event, "Engine event.")
            }
            _ => tracing::info!(event = event.name(), details = ?event, "Engine event."),
        }
        // No subscriber is fine: the event was still logged and counted.
        let _ = self.sender.send(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emit_counts_and_broadcasts() {
        let bus = EventBus::new();
        let mut rx = bus.subscribe();
        bus.emit(EngineEvent::JobSucceeded {
            job_id: 1,
            kind: "k".into(),
        });
        bus.emit(EngineEvent::RunSkipped { flow: "f".into() });
        assert_eq!(bus.counters().jobs_succeeded, 1);
        assert_eq!(rx.try_recv().ok().map(|e| e.name()), Some("job_succeeded"));
        assert_eq!(rx.try_recv().ok().map(|e| e.name()), Some("run_skipped"));
    }

    #[test]
    fn serializes_with_a_type_tag() {
        let json = serde_json::to_value(EngineEvent::RunSkipped {
            flow: "audit.verify".into(),
        })
        .unwrap_or_default();
        assert_eq!(json["type"], "run_skipped");
    }
}
