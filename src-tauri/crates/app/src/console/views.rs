//! Engine results turned into the console's shapes.

use chrono::{DateTime, Utc};
use paysync_connectors::http::Circuit;
use paysync_engine::{EngineEvent, FlowStatus, StatusReport};
use paysync_store::{AuditEntry, AuditSortColumn as StoreSort, Run};

use super::api::{
    ApiUsage, AttemptRow, AuditRow, AuditSortColumn, AuditStatus, BreakerPosition, ConnectionHealth,
    ConsoleEvent, DailyVolume, DeadLetterDepth, FailureDetail, FailureGroup, FailureRow, FlowRow, Overview,
    PaymentRow, PaymentSortColumn, Profile, QueueDepth, RecordLink, RunRow, TimelineRow,
};

pub(crate) fn run_row(r: &Run) -> RunRow {
    RunRow {
        id: r.id,
        flow: r.flow.clone(),
        trigger: r.trigger.as_str().to_owned(),
        started_at: r.started_at,
        finished_at: r.finished_at,
        outcome: r.outcome.map(|o| o.as_str().to_owned()),
        read: r.counts.read,
        written: r.counts.written,
        failed: r.counts.failed,
        error: r.error.clone(),
    }
}

pub(crate) fn flow_row(f: &FlowStatus) -> FlowRow {
    FlowRow {
        name: f.name.clone(),
        description: f.description.clone(),
        schedule: f.schedule.clone(),
        last_run: f.last_run.as_ref().map(run_row),
        next_due: f.next_due,
        paused: f.paused,
    }
}

pub(crate) fn payment_row(p: &paysync_store::StoredPayment) -> PaymentRow {
    PaymentRow {
        provider: p.payment.provider.clone(),
        provider_id: p.payment.provider_id.clone(),
        kind: p.payment.kind.clone(),
        status: p.payment.status.clone(),
        amount: p.payment.amount.to_decimal().to_string(),
        currency: p.payment.amount.currency().code().to_owned(),
        occurred_at: p.payment.occurred_at,
        customer: p.payment.customer_ref.clone(),
        synced_at: p.synced_at,
    }
}

pub(crate) fn timeline_row(e: &paysync_engine::payment_timeline::TimelineEntry) -> TimelineRow {
    use paysync_engine::payment_timeline::TimelineKind;
    TimelineRow {
        at: e.at,
        kind: match e.kind {
            TimelineKind::Event => "event",
            TimelineKind::SalesforceWrite => "salesforce_write",
            TimelineKind::SalesforceDelete => "salesforce_delete",
        }
        .to_owned(),
        title: e.title.clone(),
        detail: e.detail.clone(),
    }
}

pub(crate) fn payment_sort(c: PaymentSortColumn) -> paysync_store::PaymentSortColumn {
    use paysync_store::PaymentSortColumn as Store;
    match c {
        PaymentSortColumn::OccurredAt => Store::OccurredAt,
        PaymentSortColumn::Amount => Store::Amount,
        PaymentSortColumn::Status => Store::Status,
        PaymentSortColumn::Customer => Store::Customer,
        PaymentSortColumn::ProviderId => Store::ProviderId,
    }
}

pub(crate) fn failure_group(g: &paysync_store::DeadLetterGroup) -> FailureGroup {
    FailureGroup {
        kind: g.kind.clone(),
        error_code: g.error_code.clone(),
        count: g.count,
        oldest_at: g.oldest,
        sample: g.sample_message.clone(),
    }
}

pub(crate) fn failure_row(d: &paysync_store::DeadLetter) -> FailureRow {
    FailureRow {
        id: d.id,
        kind: d.kind.clone(),
        error_class: d.error_class.to_string(),
        error_code: d.error_code.clone(),
        error_message: d.error_message.clone(),
        status: d.status.as_str().to_owned(),
        attempts: u32::try_from(d.attempts.len()).unwrap_or(u32::MAX),
        first_failed_at: d.first_failed_at,
        created_at: d.created_at,
        object: d.object.as_deref().map(object_label),
    }
}

/// What a failure's object is called on screen: Stripe's objects by their type, Salesforce's by
/// their label.
pub(crate) fn object_label(object: &str) -> String {
    match object {
        "Payment_Request__c" => "Salesforce payment request".to_owned(),
        "Payment_Transaction__c" => "Salesforce payment transaction".to_owned(),
        "payment_intent" => "Stripe payment intent".to_owned(),
        o if o.starts_with(|c: char| c.is_ascii_uppercase()) => format!("Salesforce {o}"),
        o => format!("Stripe {o}"),
    }
}

pub(crate) fn failure_detail(d: &paysync_store::DeadLetter, records: Vec<RecordLink>) -> FailureDetail {
    FailureDetail {
        records,
        failure: failure_row(d),
        payload: serde_json::to_string_pretty(&d.payload).unwrap_or_default(),
        attempt_log: d
            .attempts
            .iter()
            .map(|a| AttemptRow {
                number: a.attempt_no,
                started_at: a.started_at,
                finished_at: a.finished_at,
                outcome: a.outcome.as_str().to_owned(),
                error_code: a.error_code.clone(),
                error_message: a.error_message.clone(),
            })
            .collect(),
        resolution: d.resolved_at.map(|at| {
            format!(
                "{} by {} at {}{}",
                d.status.as_str(),
                d.resolved_by.as_deref().unwrap_or("?"),
                at.format("%Y-%m-%d %H:%M UTC"),
                d.resolution_reason
                    .as_deref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            )
        }),
    }
}

pub(crate) fn audit_row(e: &AuditEntry) -> AuditRow {
    AuditRow {
        seq: e.seq,
        at: e.at,
        actor: e.actor.clone(),
        action: e.action.clone(),
        subject: e.subject.clone(),
        details: serde_json::to_string_pretty(&e.details).unwrap_or_default(),
    }
}

pub(crate) fn sort_column(c: AuditSortColumn) -> StoreSort {
    match c {
        AuditSortColumn::Seq => StoreSort::Seq,
        AuditSortColumn::Actor => StoreSort::Actor,
        AuditSortColumn::Action => StoreSort::Action,
        AuditSortColumn::Subject => StoreSort::Subject,
    }
}

/// What the Overview shows besides the engine's status.
pub(crate) struct Extras {
    pub connections: Vec<ConnectionHealth>,
    pub salesforce_api: Option<ApiUsage>,
    pub volume: Vec<DailyVolume>,
    pub audit: AuditStatus,
    pub payouts_awaiting_approval: Option<u64>,
}

pub(crate) fn daily_volume(v: &paysync_store::DailyVolume) -> DailyVolume {
    DailyVolume {
        day: v.day.clone(),
        currency: v.total.currency().code().to_owned(),
        amount: v.total.to_decimal().to_string(),
        count: v.count,
    }
}

pub(crate) fn overview(
    profile: Profile,
    status: &StatusReport,
    recent: &[Run],
    extras: Extras,
    now: DateTime<Utc>,
) -> Overview {
    let Extras {
        connections,
        salesforce_api,
        volume,
        audit,
        payouts_awaiting_approval,
    } = extras;
    let q = &status.queue;
    Overview {
        profile,
        connections,
        flows: status.flows.iter().map(flow_row).collect(),
        recent_runs: recent.iter().map(run_row).collect(),
        queue: QueueDepth {
            pending: q.pending,
            running: q.running,
            in_doubt: q.in_doubt,
            succeeded: q.succeeded,
            dead: q.dead,
        },
        dead_letters: DeadLetterDepth {
            open: status.dead_letters.open,
            oldest_open_at: status.dead_letters.oldest_open_at,
        },
        payouts_awaiting_approval,
        salesforce_api,
        volume,
        audit,
        generated_at: now,
    }
}

/// The events the console shows; the rest stay in logs and counters.
/// A breaker's circuit as the console names it, with the end of an open spell.
pub(crate) fn breaker_position(circuit: Circuit) -> (BreakerPosition, Option<DateTime<Utc>>) {
    match circuit {
        Circuit::Closed { .. } => (BreakerPosition::Closed, None),
        Circuit::Open { until } => (BreakerPosition::Open, Some(until)),
        Circuit::HalfOpen => (BreakerPosition::HalfOpen, None),
    }
}

pub(crate) fn console_event(e: &EngineEvent) -> Option<ConsoleEvent> {
    Some(match e {
        EngineEvent::RunStarted { run_id, flow, .. } => ConsoleEvent::RunStarted {
            run_id: *run_id,
            flow: flow.clone(),
        },
        EngineEvent::RunProgress {
            run_id,
            flow,
            done,
            total,
        } => ConsoleEvent::RunProgress {
            run_id: *run_id,
            flow: flow.clone(),
            done: *done,
            total: *total,
        },
        EngineEvent::RunFinished {
            run_id,
            flow,
            outcome,
            ..
        } => ConsoleEvent::RunFinished {
            run_id: *run_id,
            flow: flow.clone(),
            outcome: outcome.clone(),
        },
        EngineEvent::JobDeadLettered { kind, .. } => ConsoleEvent::DeadLettersChanged {
            job_kind: Some(kind.clone()),
        },
        EngineEvent::DeadLetterReplayed { .. } | EngineEvent::DeadLetterDiscarded { .. } => {
            ConsoleEvent::DeadLettersChanged { job_kind: None }
        }
        EngineEvent::AuditTampered { reason } => ConsoleEvent::AuditTampered {
            reason: reason.clone(),
        },
        EngineEvent::BreakerChanged {
            provider,
            endpoint,
            circuit,
        } => {
            let (state, until) = breaker_position(*circuit);
            ConsoleEvent::BreakerChanged {
                provider: provider.clone(),
                endpoint: endpoint.clone(),
                state,
                until,
            }
        }
        EngineEvent::PayoutApprovalsNeeded { batches, items } => ConsoleEvent::PayoutApprovalsNeeded {
            batches: *batches,
            items: *items,
        },
        EngineEvent::PayoutBatchHeld { batch_id, reason } => ConsoleEvent::PayoutBatchHeld {
            batch_id: batch_id.clone(),
            reason: reason.clone(),
        },
        EngineEvent::JobSucceeded { .. }
        | EngineEvent::JobRetryScheduled { .. }
        | EngineEvent::JobInDoubt { .. }
        | EngineEvent::LeasesReclaimed { .. }
        | EngineEvent::RunSkipped { .. }
        | EngineEvent::AuditVerified { .. } => return None,
    })
}
