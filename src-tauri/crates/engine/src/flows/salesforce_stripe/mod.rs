//! `salesforce.stripe`: carries Salesforce changes to Stripe. Each run polls the Accounts and the
//! won Opportunities changed since a durable `SystemModstamp` watermark (re-reading an overlap,
//! because a record's stamp can be older than the moment its transaction became visible) and turns
//! each change into a job: the durable intent row whose key every Stripe write derives its
//! `Idempotency-Key` from.
//!
//! - [`CUSTOMER_JOB`]: an Account or one of its Contacts created or changed → its Stripe customer
//!   created or updated (the billing e-mail is the Account's oldest Contact with one), and the
//!   customer's id written back to `Account.Stripe_Customer_Id__c`.
//! - [`SUBSCRIPTION_JOB`]: an Opportunity moved to Closed Won → a Stripe subscription made from its
//!   products (`OpportunityLineItem` → `PricebookEntry.Stripe_Price_Id__c`), linked back on
//!   `Subscription_Contract__c` and `Opportunity.Stripe_Subscription_Id__c`; exactly one per deal,
//!   however often the job is killed and run again.
//!
//! Loops are prevented twice over: a change whose synced fields equal the last state sent is not
//! sent again (its fingerprint is kept in `object_versions` under [`SOURCE`]), and nothing is
//! written to Stripe that Stripe already holds (the customer is read first). A change Paysync
//! wrote to Salesforce from a Stripe event therefore never travels back.

mod accounts;
mod customer_job;
mod polling;
mod subscription_job;

use std::sync::Arc;

use async_trait::async_trait;
use paysync_connectors::http::{Executor, HttpError, Response};
use paysync_connectors::salesforce::QueryPage;
use paysync_connectors::salesforce::records::query;
use paysync_store::RunCounts;

pub use customer_job::CustomerJobHandler;
pub use subscription_job::SubscriptionJobHandler;

use crate::classify::RetrySafety;
use crate::handler::{JobError, JobHandler};
use crate::scheduler::{Flow, FlowContext, FlowError};

/// The flow's name (and its cursors' flow).
pub const NAME: &str = "salesforce.stripe";
/// The job of one Account change.
pub const CUSTOMER_JOB: &str = "salesforce.stripe.customer";
/// The job of one won Opportunity.
pub const SUBSCRIPTION_JOB: &str = "salesforce.stripe.subscription";
/// The `object_versions` source of Salesforce states applied to Stripe: the version is the record's
/// `SystemModstamp` (Unix milliseconds) and the event id is the fingerprint of the fields sent.
pub const SOURCE: &str = "salesforce";
/// Attempts of a job before it is dead-lettered.
const JOB_ATTEMPTS: u32 = 5;

/// How the flow reads and writes.
#[derive(Debug, Clone)]
pub struct ReverseOptions {
    /// How far before the watermark each poll reads again.
    pub overlap: chrono::Duration,
    /// Days a customer has to pay a subscription's invoices.
    pub days_until_due: u32,
}

impl Default for ReverseOptions {
    fn default() -> Self {
        Self {
            overlap: chrono::Duration::seconds(60),
            days_until_due: 30,
        }
    }
}

/// What the flow and its jobs share.
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    pub stripe: Executor,
    pub salesforce: Executor,
    pub options: ReverseOptions,
}

impl Writer {
    /// Every record of a SOQL query, page after page.
    pub async fn query_all(
        &self,
        soql: &str,
    ) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, HttpError> {
        let mut records = Vec::new();
        let mut request = Some(query(soql));
        while let Some(req) = request.take() {
            let mut page: QueryPage = self.send_sf(req).await?.json()?;
            request = page.next_request();
            records.append(&mut page.records);
        }
        Ok(records)
    }

    pub async fn send_sf(&self, req: paysync_connectors::http::Request) -> Result<Response, HttpError> {
        self.salesforce
            .send(paysync_connectors::salesforce::PROVIDER, req)
            .await
    }

    pub async fn send_stripe(&self, req: paysync_connectors::http::Request) -> Result<Response, HttpError> {
        self.stripe.send(paysync_connectors::stripe::PROVIDER, req).await
    }
}

/// A failed call as a job error: the classifier decides whether it is worth retrying.
pub(crate) fn call_failed(e: &HttpError, what: &str) -> JobError {
    JobError::from_failure(&e.failure(), RetrySafety::ReplaySafe, format!("{what}: {e}"))
}

/// A store failure as a job error (the database may be busy; try again).
pub(crate) fn store_failed(e: &paysync_store::StoreError) -> JobError {
    JobError::retriable("store", e.to_string(), None)
}

/// A text field of a Salesforce record, `None` when null or empty.
pub(crate) fn text(record: &serde_json::Value, field: &str) -> Option<String> {
    record[field]
        .as_str()
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The flow. Register its [`SalesforceToStripeFlow::handlers`] too.
#[derive(Debug, Clone)]
pub struct SalesforceToStripeFlow {
    writer: Writer,
}

impl SalesforceToStripeFlow {
    /// A flow reading Salesforce and writing Stripe through the two executors.
    pub fn new(stripe: Executor, salesforce: Executor, options: ReverseOptions) -> Self {
        Self {
            writer: Writer {
                stripe,
                salesforce,
                options,
            },
        }
    }

    /// The handlers of the flow's jobs.
    pub fn handlers(&self) -> Vec<Arc<dyn JobHandler>> {
        vec![
            Arc::new(CustomerJobHandler::new(self.writer.clone())),
            Arc::new(SubscriptionJobHandler::new(self.writer.clone())),
        ]
    }
}

#[async_trait]
impl Flow for SalesforceToStripeFlow {
    fn name(&self) -> &str {
        NAME
    }

    fn description(&self) -> &str {
        "Creates and updates Stripe customers from Salesforce Accounts, and subscriptions from won Opportunities."
    }

    async fn run(&self, ctx: &FlowContext) -> Result<RunCounts, FlowError> {
        let mut counts = RunCounts::default();
        for &watch in polling::WATCHES {
            polling::poll(&self.writer, ctx, watch, &mut counts)
                .await
                .map_err(|message| FlowError::new(message, counts))?;
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests;
