//! The job of one Account change: the Stripe customer created or brought up to date, and its id
//! written back to the Account.

use async_trait::async_trait;
use paysync_connectors::salesforce::records::{is_record_id, parse_datetime, update};
use paysync_connectors::stripe::customers::{CustomerFields, create_customer, get_customer, update_customer};
use paysync_core::IdempotencyKey;
use paysync_store::{AppliedVersion, Job, NewLink};
use serde_json::{Map, Value, json};

use super::{CUSTOMER_JOB, SOURCE, Writer, call_failed, store_failed, text};
use crate::classify::RetrySafety;
use crate::handler::{JobContext, JobError, JobHandler};

/// Runs [`CUSTOMER_JOB`] jobs.
#[derive(Debug)]
pub struct CustomerJobHandler {
    writer: Writer,
}

impl CustomerJobHandler {
    pub(super) fn new(writer: Writer) -> Self {
        Self { writer }
    }
}

/// The fingerprint of the fields sent to Stripe: an unchanged fingerprint is not sent again.
fn fingerprint(fields: &CustomerFields) -> String {
    let part = |v: &Option<String>| v.clone().unwrap_or_default();
    IdempotencyKey::derive(
        "fields",
        &[
            &part(&fields.name),
            &part(&fields.phone),
            &part(&fields.city),
            &part(&fields.country),
            &part(&fields.email),
        ],
    )
    .as_str()
    .to_owned()
}

/// An Account's synced fields.
pub(super) fn account_fields(account: &Value) -> CustomerFields {
    CustomerFields {
        name: text(account, "Name"),
        phone: text(account, "Phone"),
        city: text(account, "BillingCity"),
        country: text(account, "BillingCountry"),
        email: text(account, "Email"),
    }
}

/// The Stripe customer already linked to an Account: on the record, or remembered locally from a
/// create whose write-back did not happen.
pub(super) async fn linked_customer(
    ctx: &JobContext,
    account_id: &str,
    on_record: Option<String>,
) -> Result<Option<String>, JobError> {
    if on_record.is_some() {
        return Ok(on_record);
    }
    let links = ctx
        .store
        .links()
        .by_salesforce("Account", account_id)
        .await
        .map_err(|e| store_failed(&e))?;
    Ok(links
        .into_iter()
        .find(|l| l.provider == "stripe" && l.provider_object == "customer")
        .map(|l| l.provider_id))
}

/// Remembers which Salesforce record a Stripe object was made for, before anything else can fail.
pub(super) async fn remember(
    ctx: &JobContext,
    object: &str,
    provider_id: &str,
    salesforce_object: &str,
    salesforce_id: &str,
) -> Result<(), JobError> {
    ctx.store
        .links()
        .upsert(
            &NewLink {
                correlation_id: format!("stripe:{object}:{provider_id}"),
                provider: "stripe".to_owned(),
                provider_object: object.to_owned(),
                provider_id: provider_id.to_owned(),
                salesforce_object: salesforce_object.to_owned(),
                salesforce_id: Some(salesforce_id.to_owned()),
            },
            ctx.clock.now(),
        )
        .await
        .map(|_| ())
        .map_err(|e| store_failed(&e))
}

#[async_trait]
impl JobHandler for CustomerJobHandler {
    fn kind(&self) -> &str {
        CUSTOMER_JOB
    }

    /// Every Stripe write carries a key derived from the job, and the write-back sets a value.
    fn retry_safety(&self) -> RetrySafety {
        RetrySafety::ReplaySafe
    }

    async fn run(&self, ctx: &JobContext, job: &Job) -> Result<Option<Value>, JobError> {
        let account = &job.payload["account"];
        let id = text(account, "Id").filter(|id| is_record_id(id)).ok_or_else(|| {
            JobError::terminal("salesforce.record_invalid", "Account: Id is missing or malformed")
        })?;
        let version = text(account, "SystemModstamp")
            .as_deref()
            .and_then(parse_datetime)
            .map(|t| t.timestamp_millis())
            .ok_or_else(|| {
                JobError::terminal(
                    "salesforce.record_invalid",
                    format!("Account {id}: SystemModstamp is missing or not a datetime"),
                )
            })?;
        let fields = account_fields(account);
        if fields.name.is_none() {
            return Err(JobError::terminal(
                "salesforce.record_invalid",
                format!("Account {id}: Name is empty; a Stripe customer needs one"),
            ));
        }
        let print = fingerprint(&fields);
        let on_record = text(account, "Stripe_Customer_Id__c");
        let known = ctx
            .store
            .object_versions()
            .get(SOURCE, "Account", &id)
            .await
            .map_err(|e| store_failed(&e))?;
        if let Some(known) = &known {
            if known.version > version {
                return Ok(Some(json!({"result": "superseded"})));
            }
            if known.event_id == print && known.target_id.is_some() && known.target_id == on_record {
                // Paysync's own write-back, or a change to fields Stripe does not hold.
                return Ok(Some(json!({"result": "unchanged", "customer": on_record})));
            }
        }
        let (customer, result) = match linked_customer(ctx, &id, on_record.clone()).await? {
            Some(customer) => {
                let current: Value = self
                    .writer
                    .send_stripe(get_customer(&customer))
                    .await
                    .map_err(|e| {
                        call_failed(&e, &format!("Account {id}: reading Stripe customer {customer}"))
                    })?
                    .json()
                    .map_err(|e| call_failed(&e, "Stripe customer"))?;
                if current["deleted"] == true {
                    return Err(JobError::terminal(
                        "stripe.customer_deleted",
                        format!(
                            "Account {id}: Stripe_Customer_Id__c names {customer}, which was deleted in Stripe"
                        ),
                    ));
                }
                if fields.held_by(&current) {
                    (customer, "unchanged_at_stripe")
                } else {
                    let key = IdempotencyKey::derive("sf-account-customer-update", &[&job.idempotency_key]);
                    self.writer
                        .send_stripe(update_customer(&customer, &fields, key))
                        .await
                        .map_err(|e| {
                            call_failed(&e, &format!("Account {id}: updating Stripe customer {customer}"))
                        })?;
                    (customer, "updated")
                }
            }
            None => {
                let key = IdempotencyKey::derive("sf-account-customer", &[&job.idempotency_key]);
                let created: Value = self
                    .writer
                    .send_stripe(create_customer(&fields, &id, key))
                    .await
                    .map_err(|e| call_failed(&e, &format!("Account {id}: creating its Stripe customer")))?
                    .json()
                    .map_err(|e| call_failed(&e, "Stripe customer"))?;
                let customer = created["id"]
                    .as_str()
                    .ok_or_else(|| {
                        JobError::retriable("stripe.bad_answer", "a created customer without id", None)
                    })?
                    .to_owned();
                remember(ctx, "customer", &customer, "Account", &id).await?;
                (customer, "created")
            }
        };
        if on_record.as_deref() != Some(customer.as_str()) {
            let mut set = Map::new();
            set.insert("Stripe_Customer_Id__c".to_owned(), json!(customer));
            self.writer
                .send_sf(update("Account", &id, set))
                .await
                .map_err(|e| {
                    call_failed(
                        &e,
                        &format!("Account {id}: writing Stripe_Customer_Id__c = {customer}"),
                    )
                })?;
        }
        ctx.store
            .object_versions()
            .commit(
                SOURCE,
                &[AppliedVersion {
                    object_type: "Account".to_owned(),
                    object_id: id,
                    version,
                    event_id: print,
                    deleted: false,
                    target_id: Some(customer.clone()),
                }],
                &[],
                ctx.clock.now(),
            )
            .await
            .map_err(|e| store_failed(&e))?;
        Ok(Some(json!({"result": result, "customer": customer})))
    }
}
