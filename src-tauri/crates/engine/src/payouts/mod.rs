//! Payoneer mass payouts from Salesforce payment requests, with four-eyes approval
//! (ARCHITECTURE §3 invariants 2, 3, 6 and §4).
//!
//! ```text
//! Payment_Request__c "Approved for Payout" (or an Opportunity in the payout stage) ─► item ─► readiness check ─► ready | needs correction
//!   ─► draft batch (per currency, ≤ max items) ─► approved by people other than its makers
//!   ─► intent (client_reference_id per item) ─► POST masspayouts ─► submitted | held | refused
//!   ─► status polling (asked at once on an IPCN) ─► paid | failed | cancelled
//!   ─► Payment_Transaction__c + the request's status
//! ```
//!
//! - [`PayoutsFlow`] (`payoneer.payouts`) does the scheduled work in one run: intake, readiness,
//!   drafting, sending approved batches, resolving anything in doubt, tracking, and enqueueing
//!   the write-backs. One run at a time (the scheduler's rule), so a batch is never sent by two
//!   workers at once.
//! - [`PayoutDesk`] is what people call: list, dry run, approve, reject, correct a recipient.
//! - A batch whose call's outcome is unknown (timeout, 5xx, a crash after the intent) is resolved
//!   by asking Payoneer for each item's status by `client_reference_id`, never by sending again
//!   blindly; only references Payoneer does not know are sent again, under the same reference.

mod desk;
mod intake;
mod notices;
mod readiness;
mod submit;
mod tracking;
mod writeback;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use paysync_connectors::http::{Circuit, Executor, HttpError, Request, Response};
use paysync_core::{Currency, Money, SharedClock};
use paysync_store::{NewAuditEntry, RunCounts, Store};
use rust_decimal::Decimal;
use serde_json::Value;

pub use desk::{DryRun, DryRunProblem, PayoutDesk, RecipientCorrection};
pub use intake::{PayoutSource, RequestJobHandler};
pub use writeback::OutcomeJobHandler;
pub(crate) use writeback::outcome_job;

use crate::handler::JobHandler;
use crate::scheduler::{Flow, FlowContext, FlowError};

/// The flow's name.
pub const NAME: &str = "payoneer.payouts";
/// The job of a payment request that could not be taken in (it ends in the DLQ with its record).
pub const REQUEST_JOB: &str = "payouts.request";
/// The job that tells Salesforce an item's outcome.
pub const OUTCOME_JOB: &str = "payouts.outcome";
/// Who drafts batches (never a person, so every person may approve what they did not ask for).
pub const DRAFTER: &str = "paysync";
/// The audit actor of the flow's own decisions.
const SYSTEM_ACTOR: &str = "system:payouts";

/// How payouts are taken in, grouped and approved.
#[derive(Debug, Clone)]
pub struct PayoutOptions {
    /// The Payoneer program paid from.
    pub program_id: String,
    /// Items per batch (Payoneer's limit as the references give it: 500).
    pub max_batch: usize,
    /// A batch whose total is above this many major units of its currency needs two approvers.
    pub two_approvers_above: Decimal,
    /// The request status Paysync picks up.
    pub request_status: String,
    /// The Opportunity stage whose deals are paid out to their `Payee_Contact__c`; `None` (the
    /// default) takes no Opportunities.
    pub opportunity_stage: Option<String>,
    /// How far before the watermark each poll reads again.
    pub overlap: chrono::Duration,
    /// Payout statuses asked per run (oldest first; the rest next run).
    pub status_checks_per_run: u32,
    /// How long one run may spend asking statuses, so approved batches are sent and in-doubt
    /// ones resolved every run however many payouts are settling.
    pub tracking_budget: std::time::Duration,
    /// Readiness checks per run.
    pub checks_per_run: u32,
}

impl Default for PayoutOptions {
    fn default() -> Self {
        Self {
            program_id: String::new(),
            max_batch: 500,
            two_approvers_above: Decimal::new(10_000, 0),
            request_status: "Approved for Payout".to_owned(),
            opportunity_stage: None,
            overlap: chrono::Duration::seconds(60),
            status_checks_per_run: 2_000,
            tracking_budget: std::time::Duration::from_secs(20),
            checks_per_run: 1_000,
        }
    }
}

impl PayoutOptions {
    /// The two-approver threshold in `currency`'s minor units (`None`: an unknown currency, which
    /// then always needs two approvers).
    pub(crate) fn two_approvers_from_minor(&self, currency: &str) -> Option<i64> {
        let minor = Currency::from_code(currency)
            .and_then(|c| Money::from_decimal(self.two_approvers_above, c))
            .map(|m| m.minor());
        Some(minor.unwrap_or(-1))
    }
}

/// What every part shares: the Payoneer and Salesforce executors and the options.
#[derive(Debug, Clone)]
pub(crate) struct Payouts {
    pub payoneer: Executor,
    pub salesforce: Executor,
    pub options: PayoutOptions,
}

impl Payouts {
    pub async fn send_payoneer(&self, req: Request) -> Result<Response, HttpError> {
        self.payoneer
            .send(paysync_connectors::payoneer::PROVIDER, req)
            .await
    }

    pub async fn send_sf(&self, req: Request) -> Result<Response, HttpError> {
        self.salesforce
            .send(paysync_connectors::salesforce::PROVIDER, req)
            .await
    }

    /// Why Payoneer is not to be called now: one of its endpoints' circuit breakers is open
    /// (repeated failures). `None` while every breaker is closed, or open past its time (the next
    /// call is then the probe that closes it).
    pub fn payoneer_unavailable(&self, now: DateTime<Utc>) -> Option<String> {
        self.payoneer
            .breaker_states()
            .into_iter()
            .filter_map(|b| match b.circuit {
                Circuit::Open { until } if until > now => Some((until, b.endpoint)),
                _ => None,
            })
            .max()
            .map(|(until, endpoint)| {
                format!(
                    "Payoneer is not answering ({endpoint} failed repeatedly); calls resume at {} UTC",
                    until.format("%Y-%m-%d %H:%M:%S")
                )
            })
    }
}

/// Whether a failed call shows the provider down (an open breaker, a lost connection, a
/// timeout, a 5xx) rather than refusing what was asked: the work waits for it, it does not fail.
pub(crate) fn provider_down(e: &HttpError) -> bool {
    matches!(e, HttpError::CircuitOpen { .. }) || e.is_provider_failure()
}

/// Appends an audit entry; a failure to audit is logged, and the caller's result stands (the
/// decision itself is already durable in the payout tables).
pub(crate) async fn audit(
    store: &Store,
    clock: &SharedClock,
    actor: &str,
    action: &str,
    subject: &str,
    details: Value,
) {
    let entry = NewAuditEntry {
        actor: actor.to_owned(),
        action: action.to_owned(),
        subject: subject.to_owned(),
        details,
    };
    if let Err(e) = store.audit().append(&entry, clock.now()).await {
        tracing::error!(error = %e, action, subject, "The audit entry could not be written.");
    }
}

/// An amount in minor units as the decimal text people read (`1234.50`).
pub fn major_text(minor: i64, currency: &str) -> String {
    Currency::from_code(currency)
        .map(|c| Money::from_minor(minor, c).to_decimal().to_string())
        .unwrap_or_else(|_| minor.to_string())
}

/// The flow. Register its [`PayoutsFlow::handlers`] too, and give its [`PayoutsFlow::desk`] to the
/// engine.
#[derive(Debug, Clone)]
pub struct PayoutsFlow {
    payouts: Payouts,
}

impl PayoutsFlow {
    /// A flow paying through `payoneer` from requests read through `salesforce`.
    pub fn new(payoneer: Executor, salesforce: Executor, options: PayoutOptions) -> Self {
        Self {
            payouts: Payouts {
                payoneer,
                salesforce,
                options,
            },
        }
    }

    /// The handlers of the flow's jobs.
    pub fn handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![
            Arc::new(RequestJobHandler),
            Arc::new(OutcomeJobHandler::new(self.payouts.clone())),
        ]
    }

    /// What people call, over `store`.
    pub fn desk(&self, store: Store, clock: SharedClock) -> PayoutDesk {
        PayoutDesk::new(self.payouts.clone(), store, clock)
    }
}

/// One run's tally, by step.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub steps: BTreeMap<&'static str, u64>,
    pub errors: Vec<String>,
}

impl Tally {
    pub fn add(&mut self, step: &'static str, n: u64) {
        *self.steps.entry(step).or_default() += n;
    }
}

#[async_trait]
impl Flow for PayoutsFlow {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "Takes in payment requests approved in Salesforce, checks recipients, drafts batches for four-eyes approval, pays approved batches through Payoneer and writes the outcomes back."
    }

    async fn run(&self, ctx: &FlowContext) -> Result<RunCounts, FlowError> {
        let mut tally = Tally::default();
        let p = &self.payouts;
        let started = std::time::Instant::now();
        let lap = |step: &str| {
            tracing::debug!(
                step,
                elapsed_ms = started.elapsed().as_millis(),
                "Payouts step done."
            )
        };
        intake::poll(p, ctx, &mut tally).await?;
        lap("intake");
        readiness::check_pending(p, &ctx.store, &ctx.clock, &mut tally).await?;
        lap("readiness");
        submit::draft(p, ctx, &mut tally).await?;
        lap("draft");
        submit::send_ready_batches(p, ctx, &mut tally).await?;
        lap("send");
        notices::take(p, ctx, &mut tally).await?;
        lap("notices");
        tracking::track(p, ctx, &mut tally).await?;
        lap("track");
        writeback::enqueue(p, ctx, &mut tally).await?;
        lap("write-back");
        let read = tally.steps.get("requests").copied().unwrap_or(0);
        let counts = RunCounts {
            read,
            written: tally.steps.values().sum::<u64>().saturating_sub(read),
            failed: tally.errors.len() as u64,
            skipped: 0,
        };
        if !tally.errors.is_empty() {
            tracing::warn!(errors = ?tally.errors, "Payouts run finished with problems.");
        }
        tracing::info!(steps = ?tally.steps, "Payouts run finished.");
        Ok(counts)
    }
}

/// A store failure as a flow error.
pub(crate) fn store_failed(e: &paysync_store::StoreError) -> FlowError {
    FlowError::new(format!("store: {e}"), RunCounts::default())
}

#[cfg(test)]
mod tests;
