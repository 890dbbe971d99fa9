//! The job of one won deal: exactly one Stripe subscription per Opportunity. Before creating, the
//! job looks for one already made for the deal (a local link, then the customer's subscriptions
//! tagged with `metadata[opportunity_id]`), so a job killed after Stripe answered and run again
//! finds its subscription instead of making a second.

use async_trait::async_trait;
use paysync_connectors::salesforce::records::{is_record_id, quote, update, upsert};
use paysync_connectors::stripe::subscriptions::{
    NewSubscription, SubscriptionItem, create_subscription, list_customer_subscriptions,
};
use paysync_connectors::stripe::wire::List;
use paysync_core::IdempotencyKey;
use paysync_store::Job;
use serde_json::{Map, Value, json};

use super::accounts::accounts_by_id;
use super::customer_job::{linked_customer, remember};
use super::polling::customer_job;
use super::{SUBSCRIPTION_JOB, Writer, call_failed, store_failed, text};
use crate::classify::RetrySafety;
use crate::handler::{JobContext, JobError, JobHandler};

/// How long a deal waits for its Account's Stripe customer before asking again.
const CUSTOMER_WAIT: std::time::Duration = std::time::Duration::from_secs(15);

/// Runs [`SUBSCRIPTION_JOB`] jobs.
#[derive(Debug)]
pub struct SubscriptionJobHandler {
    writer: Writer,
}

impl SubscriptionJobHandler {
    pub(super) fn new(writer: Writer) -> Self {
        Self { writer }
    }

    /// The deal's products as subscription lines, or the record and field that stops them.
    async fn items(&self, opportunity: &str) -> Result<Vec<SubscriptionItem>, JobError> {
        let lines = self
            .writer
            .query_all(&format!(
                "SELECT Id, Quantity, PricebookEntryId, PricebookEntry.Stripe_Price_Id__c \
                 FROM OpportunityLineItem WHERE OpportunityId = {} ORDER BY Id ASC",
                quote(opportunity)
            ))
            .await
            .map_err(|e| call_failed(&e, &format!("Opportunity {opportunity}: reading its products")))?;
        if lines.is_empty() {
            return Err(JobError::terminal(
                "salesforce.record_invalid",
                format!(
                    "Opportunity {opportunity}: it has no products (OpportunityLineItem) to subscribe to"
                ),
            ));
        }
        lines
            .iter()
            .map(|line| {
                let line = Value::Object(line.clone());
                let id = text(&line, "Id").unwrap_or_default();
                let entry = text(&line, "PricebookEntryId").unwrap_or_default();
                let price = text(&line["PricebookEntry"], "Stripe_Price_Id__c").ok_or_else(|| {
                    JobError::terminal(
                        "salesforce.record_invalid",
                        format!(
                            "Opportunity {opportunity}: PricebookEntry {entry} (line {id}): Stripe_Price_Id__c is empty"
                        ),
                    )
                })?;
                let quantity = whole_quantity(&line["Quantity"]).ok_or_else(|| {
                    JobError::terminal(
                        "salesforce.record_invalid",
                        format!(
                            "Opportunity {opportunity}: OpportunityLineItem {id}: Quantity {} is not a whole number of at least 1",
                            line["Quantity"]
                        ),
                    )
                })?;
                Ok(SubscriptionItem { price, quantity })
            })
            .collect()
    }

    /// A subscription of `customer` already made for the deal.
    async fn made_before(&self, customer: &str, opportunity: &str) -> Result<Option<Value>, JobError> {
        let mut after: Option<String> = None;
        loop {
            let page: List<Value> = self
                .writer
                .send_stripe(list_customer_subscriptions(customer, after.as_deref()))
                .await
                .map_err(|e| {
                    call_failed(
                        &e,
                        &format!("Opportunity {opportunity}: listing {customer}'s subscriptions"),
                    )
                })?
                .json()
                .map_err(|e| call_failed(&e, "Stripe subscriptions"))?;
            if let Some(found) = page
                .data
                .iter()
                .find(|s| s["metadata"]["opportunity_id"] == opportunity)
            {
                return Ok(Some(found.clone()));
            }
            match page.data.last().and_then(|s| s["id"].as_str()) {
                Some(last) if page.has_more => after = Some(last.to_owned()),
                _ => return Ok(None),
            }
        }
    }

    /// The Account's Stripe customer; when it has none yet, its customer job is queued and this
    /// job waits.
    async fn customer(&self, ctx: &JobContext, opportunity: &str, account: &str) -> Result<String, JobError> {
        let mut found = accounts_by_id(&self.writer, &[account]).await.map_err(|e| {
            call_failed(
                &e,
                &format!("Opportunity {opportunity}: reading Account {account}"),
            )
        })?;
        let record = found.remove(account).ok_or_else(|| {
            JobError::terminal(
                "salesforce.record_invalid",
                format!("Opportunity {opportunity}: AccountId {account} names no Account"),
            )
        })?;
        let on_record = text(&Value::Object(record.clone()), "Stripe_Customer_Id__c");
        if let Some(customer) = linked_customer(ctx, account, on_record).await? {
            return Ok(customer);
        }
        let now = ctx.clock.now();
        let stamp = text(&Value::Object(record.clone()), "SystemModstamp").unwrap_or_default();
        if let Some(job) = customer_job(&record, &stamp, now) {
            match ctx.store.jobs().enqueue(&job, now).await {
                Ok(_) | Err(paysync_store::StoreError::Conflict { .. }) => {}
                Err(e) => return Err(store_failed(&e)),
            }
        }
        Err(JobError::retriable(
            "salesforce.stripe.customer_pending",
            format!(
                "Opportunity {opportunity}: Account {account} has no Stripe customer yet (Stripe_Customer_Id__c); its customer job is queued"
            ),
            Some(CUSTOMER_WAIT),
        ))
    }
}

/// A line's quantity as a whole number of at least 1 (`Quantity` is a decimal field in Salesforce).
fn whole_quantity(value: &Value) -> Option<u64> {
    let text = value.as_number()?.to_string();
    let whole = match text.split_once('.') {
        Some((whole, fraction)) if fraction.bytes().all(|b| b == b'0') => whole,
        Some(_) => return None,
        None => text.as_str(),
    };
    whole.parse::<u64>().ok().filter(|q| *q >= 1)
}

#[async_trait]
impl JobHandler for SubscriptionJobHandler {
    fn kind(&self) -> &str {
        SUBSCRIPTION_JOB
    }

    /// The create carries a key derived from the deal and is looked for before it is sent again.
    fn retry_safety(&self) -> RetrySafety {
        RetrySafety::ReplaySafe
    }

    async fn run(&self, ctx: &JobContext, job: &Job) -> Result<Option<Value>, JobError> {
        let deal = &job.payload["opportunity"];
        let opportunity = text(deal, "Id").filter(|id| is_record_id(id)).ok_or_else(|| {
            JobError::terminal(
                "salesforce.record_invalid",
                "Opportunity: Id is missing or malformed",
            )
        })?;
        let account = text(deal, "AccountId")
            .filter(|id| is_record_id(id))
            .ok_or_else(|| {
                JobError::terminal(
                    "salesforce.record_invalid",
                    format!("Opportunity {opportunity}: AccountId is empty; a subscription needs a customer"),
                )
            })?;
        let customer = self.customer(ctx, &opportunity, &account).await?;
        let linked = ctx
            .store
            .links()
            .by_salesforce("Opportunity", &opportunity)
            .await
            .map_err(|e| store_failed(&e))?
            .into_iter()
            .find(|l| l.provider == "stripe" && l.provider_object == "subscription");
        let (subscription, status, result) = match linked {
            Some(link) => (link.provider_id, None, "found_locally"),
            None => match self.made_before(&customer, &opportunity).await? {
                Some(sub) => {
                    let id = sub["id"].as_str().unwrap_or_default().to_owned();
                    remember(ctx, "subscription", &id, "Opportunity", &opportunity).await?;
                    (id, text(&sub, "status"), "found_at_stripe")
                }
                None => {
                    let items = self.items(&opportunity).await?;
                    let key = IdempotencyKey::derive("sf-opportunity-subscription", &[&job.idempotency_key]);
                    let new = NewSubscription {
                        customer: customer.clone(),
                        items,
                        days_until_due: self.writer.options.days_until_due,
                        opportunity_id: opportunity.clone(),
                        salesforce_account_id: account.clone(),
                    };
                    let created: Value = self
                        .writer
                        .send_stripe(create_subscription(&new, key))
                        .await
                        .map_err(|e| {
                            call_failed(
                                &e,
                                &format!("Opportunity {opportunity}: creating its subscription"),
                            )
                        })?
                        .json()
                        .map_err(|e| call_failed(&e, "Stripe subscription"))?;
                    let id = created["id"]
                        .as_str()
                        .ok_or_else(|| {
                            JobError::retriable(
                                "stripe.bad_answer",
                                "a created subscription without id",
                                None,
                            )
                        })?
                        .to_owned();
                    remember(ctx, "subscription", &id, "Opportunity", &opportunity).await?;
                    (id, text(&created, "status"), "created")
                }
            },
        };
        let mut contract = Map::new();
        contract.insert("Opportunity__c".to_owned(), json!(opportunity));
        contract.insert("Account__c".to_owned(), json!(account));
        if let Some(status) = status {
            contract.insert("Status__c".to_owned(), json!(status));
        }
        self.writer
            .send_sf(upsert(
                "Subscription_Contract__c",
                "Stripe_Subscription_Id__c",
                &subscription,
                contract,
            ))
            .await
            .map_err(|e| {
                call_failed(
                    &e,
                    &format!("Opportunity {opportunity}: linking Subscription_Contract__c {subscription}"),
                )
            })?;
        let mut set = Map::new();
        set.insert("Stripe_Subscription_Id__c".to_owned(), json!(subscription));
        self.writer
            .send_sf(update("Opportunity", &opportunity, set))
            .await
            .map_err(|e| {
                call_failed(
                    &e,
                    &format!("Opportunity {opportunity}: writing Stripe_Subscription_Id__c = {subscription}"),
                )
            })?;
        Ok(Some(
            json!({"result": result, "subscription": subscription, "customer": customer}),
        ))
    }
}

#[cfg(test)]
mod quantity_tests {
    use serde_json::json;

    use super::whole_quantity;

    #[test]
    fn only_whole_positive_quantities_make_lines() {
        assert_eq!(whole_quantity(&json!(2)), Some(2));
        assert_eq!(whole_quantity(&json!(3.0)), Some(3));
        assert_eq!(whole_quantity(&json!(1.5)), None);
        assert_eq!(whole_quantity(&json!(0)), None);
        assert_eq!(whole_quantity(&json!(-1)), None);
        assert_eq!(whole_quantity(&json!("2")), None);
    }
}
