//! Reconciliation (issue: "scheduled, local, explained matching"): each run reads a period's
//! money movements from the providers and from Salesforce, keeps them locally (so a re-run is
//! fast and works offline), matches them with the pure engine in `paysync_core::reconcile`, and
//! stores every result with its reason: matched, suggested (a person decides), or an exception
//! by kind. Payouts are tied out against the balance transactions they settled.
//!
//! ```text
//! Stripe charges, refunds, disputes  ◄─ match ─►  Payment__c, Refund__c, Dispute__c
//! Stripe invoices                    ◄─ match ─►  Invoice__c
//! Payoneer payouts (local items)     ◄─ match ─►  Payment_Transaction__c
//! Payoneer payouts of requests       ◄─ match ─►  Payment_Request__c (sent for payout)
//! Stripe payout                      ◄─ tie out ─► Σ its balance transactions' net
//! ```
//!
//! - [`Reconciler`] reads and matches; [`ReconcileFlow`] (`reconcile.daily`) runs it on a
//!   schedule over the last days; [`ReconDesk`] is what people call (run now, runs, results,
//!   accept/reject a suggestion, explain an exception, fix one by writing the provider's record
//!   to Salesforce through the normal write path (module `fix`), export).

mod desk;
mod export;
mod fix;
mod pull_payoneer;
mod pull_salesforce;
mod pull_stripe;
mod run;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use async_trait::async_trait;
use paysync_connectors::http::Executor;
use paysync_core::reconcile::Rules;
use paysync_store::RunCounts;

pub use desk::{ReconDesk, RunReport, RunView};
pub use export::ExportFormat;
pub use fix::{FIXABLE_KINDS, FixReport};

use crate::scheduler::{Flow, FlowContext, FlowError};

/// The flow's name.
pub const NAME: &str = "reconcile.daily";
/// Who starts scheduled runs.
pub const SYSTEM_ACTOR: &str = "system:reconcile";

/// How reconciliation matches and what a scheduled run covers.
#[derive(Debug, Clone)]
pub struct ReconcileOptions {
    /// Matching rules (tolerance, date window, reference and counterparty use).
    pub rules: Rules,
    /// Days a scheduled run covers, ending today (a late write in Salesforce is seen by the
    /// next days' runs).
    pub days: u32,
}

impl Default for ReconcileOptions {
    fn default() -> Self {
        Self {
            rules: Rules::default(),
            days: 7,
        }
    }
}

/// Reads both sides and matches them.
#[derive(Debug, Clone)]
pub struct Reconciler {
    stripe: Option<Executor>,
    salesforce: Executor,
    options: ReconcileOptions,
}

impl Reconciler {
    /// A reconciler of Salesforce against Stripe (when connected) and Payoneer (from the payouts
    /// Paysync sent).
    pub fn new(stripe: Option<Executor>, salesforce: Executor, options: ReconcileOptions) -> Self {
        Self {
            stripe,
            salesforce,
            options,
        }
    }

    /// The options.
    pub fn options(&self) -> &ReconcileOptions {
        &self.options
    }

    /// The scheduled flow.
    pub fn flow(&self) -> ReconcileFlow {
        ReconcileFlow {
            reconciler: Arc::new(self.clone()),
        }
    }
}

/// `reconcile.daily`: reconciles the last [`ReconcileOptions::days`] days.
#[derive(Debug, Clone)]
pub struct ReconcileFlow {
    reconciler: Arc<Reconciler>,
}

#[async_trait]
impl Flow for ReconcileFlow {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "Reads the last days' Stripe charges, refunds, disputes, invoices and payouts, Payoneer payouts and their Salesforce records and requests, matches them and explains every difference."
    }

    async fn run(&self, ctx: &FlowContext) -> Result<RunCounts, FlowError> {
        let to = ctx.clock.now().date_naive();
        let days = i64::from(self.reconciler.options.days.max(1));
        let from = to - chrono::Duration::days(days - 1);
        let report = run::run(
            &self.reconciler,
            &ctx.store,
            &ctx.clock,
            from,
            to,
            SYSTEM_ACTOR,
            false,
        )
        .await
        .map_err(|e| FlowError::new(e.to_string(), RunCounts::default()))?;
        Ok(RunCounts {
            read: report.inputs,
            written: report.results,
            failed: report.exceptions,
            skipped: 0,
        })
    }
}
