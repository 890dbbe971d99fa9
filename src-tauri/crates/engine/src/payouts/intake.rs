//! Intake: payment requests in the payout status (and, when `[sync.payouts] opportunity_stage` is
//! set, Opportunities in that stage), changed since a durable `SystemModstamp` watermark per
//! object (re-reading an overlap), become payout items. The first run reads every such record:
//! unlike customers, an approved payout is an obligation whatever its age.
//!
//! A record that cannot become an item (no amount, an unknown currency, more decimals than the
//! currency has) becomes a [`REQUEST_JOB`] carrying the whole record: it fails with a message
//! naming the record and the field and waits in the DLQ, where it can be corrected and replayed
//! through the same code.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use paysync_connectors::salesforce::QueryPage;
use paysync_connectors::salesforce::records::{datetime, parse_datetime, query, quote};
use paysync_core::clock::to_unix_millis;
use paysync_core::retry::RetrySafety;
use paysync_core::{Currency, Money};
use paysync_store::{IntakeOutcome, Job, NewJob, NewPayoutItem};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::{NAME, Payouts, REQUEST_JOB, Tally, store_failed};
use crate::handler::{JobContext, JobError, JobHandler};
use crate::scheduler::{FlowContext, FlowError};

/// Attempts of a request job (it fails on its content, so retrying does not help).
const REQUEST_ATTEMPTS: u32 = 1;

/// The Salesforce object a payout item comes from, and where each of its facts is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayoutSource {
    /// `Payment_Request__c` in the payout status.
    PaymentRequest,
    /// `Opportunity` in the payout stage, paid to its `Payee_Contact__c` (or its Account's payee).
    Opportunity,
}

/// Where a source keeps each fact, and where an outcome is written back.
pub(crate) struct Paths {
    /// The object's API name.
    pub object: &'static str,
    fields: &'static str,
    amount: &'static str,
    /// The currency field.
    pub currency: &'static str,
    description: &'static str,
    /// The payee Contact's lookup field.
    pub contact_id: &'static str,
    contact: &'static str,
    account: &'static str,
    /// Where the outcome's status goes.
    pub status: &'static str,
    /// Where a rejection's or failure's reason goes.
    pub reason: &'static str,
    /// `Payment_Transaction__c`'s lookup to the record.
    pub transaction_link: &'static str,
}

const REQUEST_PATHS: Paths = Paths {
    object: "Payment_Request__c",
    fields: "Id, Name, Amount__c, Currency__c, Description__c, LastModifiedById, SystemModstamp, \
         Contact__c, Contact__r.Name, Contact__r.Email, Contact__r.MailingCountry, \
         Contact__r.Payoneer_Payee_Id__c, Contact__r.Payout_Blocked__c, Account__r.Name, \
         Account__r.Payoneer_Payee_Id__c",
    amount: "Amount__c",
    currency: "Currency__c",
    description: "Description__c",
    contact_id: "Contact__c",
    contact: "Contact__r",
    account: "Account__r",
    status: "Status__c",
    reason: "Rejection_Reason__c",
    transaction_link: "Payment_Request__c",
};

const OPPORTUNITY_PATHS: Paths = Paths {
    object: "Opportunity",
    fields: "Id, Name, Amount, CurrencyIsoCode, LastModifiedById, SystemModstamp, \
         Payee_Contact__c, Payee_Contact__r.Name, Payee_Contact__r.Email, \
         Payee_Contact__r.MailingCountry, Payee_Contact__r.Payoneer_Payee_Id__c, \
         Payee_Contact__r.Payout_Blocked__c, Account.Name, Account.Payoneer_Payee_Id__c",
    amount: "Amount",
    currency: "CurrencyIsoCode",
    // An Opportunity's payout is described by the deal's name.
    description: "Name",
    contact_id: "Payee_Contact__c",
    contact: "Payee_Contact__r",
    account: "Account",
    status: "Payout_Status__c",
    reason: "Payout_Rejection_Reason__c",
    transaction_link: "Opportunity__c",
};

impl PayoutSource {
    /// The object's API name.
    pub fn object(self) -> &'static str {
        self.paths().object
    }

    /// The source of a record id: Opportunity ids start with `006` in every org (a standard
    /// object's key prefix is fixed), so an item's id says where it came from and where its
    /// outcome goes.
    pub fn of_record(id: &str) -> Self {
        if id.starts_with("006") {
            Self::Opportunity
        } else {
            Self::PaymentRequest
        }
    }

    /// Where this source keeps each fact.
    pub(crate) fn paths(self) -> &'static Paths {
        match self {
            Self::PaymentRequest => &REQUEST_PATHS,
            Self::Opportunity => &OPPORTUNITY_PATHS,
        }
    }

    /// The query of records waiting to be paid, changed since `since`.
    fn soql(self, p: &Payouts, since: Option<DateTime<Utc>>) -> Option<String> {
        let paths = self.paths();
        let filter = match self {
            Self::PaymentRequest => format!("Status__c = {}", quote(&p.options.request_status)),
            Self::Opportunity => format!("StageName = {}", quote(p.options.opportunity_stage.as_deref()?)),
        };
        let mut soql = format!("SELECT {} FROM {} WHERE {filter}", paths.fields, paths.object);
        if let Some(mark) = since {
            soql.push_str(&format!(
                " AND SystemModstamp >= {}",
                datetime(mark - p.options.overlap)
            ));
        }
        soql.push_str(" ORDER BY SystemModstamp, Id");
        Some(soql)
    }
}

fn text(record: &Map<String, Value>, path: &[&str]) -> Option<String> {
    let mut value = record.get(path[0])?;
    for key in &path[1..] {
        value = value.get(key)?;
    }
    value
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Why a request cannot become an item: the request and the field are named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub field: &'static str,
    pub message: String,
}

/// The item a record of `source` describes.
pub(crate) fn item_of(source: PayoutSource, record: &Map<String, Value>) -> Result<NewPayoutItem, Refusal> {
    let paths = source.paths();
    let object = paths.object;
    let id = text(record, &["Id"]).unwrap_or_default();
    let name = text(record, &["Name"]);
    let label = name.clone().unwrap_or_else(|| id.clone());
    let refuse = |field: &'static str, message: String| Refusal {
        field,
        message: format!("{object} {label} ({id}): {field}: {message}"),
    };
    if id.is_empty() {
        return Err(refuse("Id", "the record has no id".to_owned()));
    }
    let code = text(record, &[paths.currency])
        .ok_or_else(|| refuse(paths.currency, "no currency is set".to_owned()))?
        .to_ascii_uppercase();
    let currency = Currency::from_code(&code)
        .map_err(|_| refuse(paths.currency, format!("{code:?} is not an ISO 4217 currency")))?;
    let amount = match record.get(paths.amount) {
        Some(Value::Number(n)) => n.to_string().parse::<Decimal>().ok(),
        Some(Value::String(s)) => s.trim().parse::<Decimal>().ok(),
        _ => None,
    }
    .ok_or_else(|| refuse(paths.amount, "no amount is set".to_owned()))?;
    let money = Money::from_decimal(amount, currency)
        .map_err(|e| refuse(paths.amount, format!("{amount} {code}: {e}")))?;
    if money.minor() <= 0 {
        return Err(refuse(paths.amount, format!("{amount} {code} is not above zero")));
    }
    let maker = text(record, &["LastModifiedById"])
        .ok_or_else(|| refuse("LastModifiedById", "who approved it is unknown".to_owned()))?;
    let stamp = text(record, &["SystemModstamp"])
        .and_then(|s| parse_datetime(&s))
        .map_or(0, to_unix_millis);
    let payee_name =
        text(record, &[paths.contact, "Name"]).or_else(|| text(record, &[paths.account, "Name"]));
    let payee_id = text(record, &[paths.contact, "Payoneer_Payee_Id__c"])
        .or_else(|| text(record, &[paths.account, "Payoneer_Payee_Id__c"]));
    Ok(NewPayoutItem {
        request_id: id,
        request_name: name,
        maker,
        contact_id: text(record, &[paths.contact_id]),
        payee_name,
        payee_id,
        email: text(record, &[paths.contact, "Email"]),
        country: text(record, &[paths.contact, "MailingCountry"]),
        blocked: record
            .get(paths.contact)
            .and_then(|c| c.get("Payout_Blocked__c"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        amount_minor: money.minor(),
        currency: code,
        description: text(record, &[paths.description]),
        source_modstamp: stamp,
    })
}

/// The job of a record that could not be taken in.
fn request_job(source: PayoutSource, record: &Map<String, Value>, now: DateTime<Utc>) -> NewJob {
    let id = text(record, &["Id"]).unwrap_or_else(|| "unknown".to_owned());
    let stamp = text(record, &["SystemModstamp"]).unwrap_or_default();
    let mut snapshot = record.clone();
    snapshot.remove("attributes");
    NewJob {
        kind: REQUEST_JOB.to_owned(),
        payload: json!({ "object": source.object(), "request": snapshot }),
        idempotency_key: format!("{REQUEST_JOB}:{id}:{stamp}"),
        concurrency_key: Some(id),
        max_attempts: REQUEST_ATTEMPTS,
        run_at: now,
        replay_safe: true,
    }
}

/// Reads the records of every configured source changed since their watermarks and takes them in.
pub(super) async fn poll(p: &Payouts, ctx: &FlowContext, tally: &mut Tally) -> Result<(), FlowError> {
    for source in [PayoutSource::PaymentRequest, PayoutSource::Opportunity] {
        poll_source(p, ctx, source, tally).await?;
    }
    Ok(())
}

async fn poll_source(
    p: &Payouts,
    ctx: &FlowContext,
    source: PayoutSource,
    tally: &mut Tally,
) -> Result<(), FlowError> {
    let store = &ctx.store;
    let now = ctx.clock.now();
    let cursor = source.object();
    let watermark = store
        .cursors()
        .get(NAME, cursor)
        .await
        .map_err(|e| store_failed(&e))?
        .and_then(|s| s.parse::<i64>().ok())
        .map(paysync_core::clock::from_unix_millis);
    let Some(soql) = source.soql(p, watermark) else {
        return Ok(());
    };
    let mut request = Some(query(&soql));
    let mut newest = watermark;
    while let Some(req) = request.take() {
        let mut page: QueryPage = p
            .send_sf(req)
            .await
            .and_then(|r| r.json())
            .map_err(|e| FlowError::new(format!("reading {cursor} records: {e}"), Default::default()))?;
        request = page.next_request();
        for record in page.records.drain(..) {
            tally.add("requests", 1);
            match item_of(source, &record) {
                Ok(item) => match store
                    .payouts()
                    .intake(&item, now)
                    .await
                    .map_err(|e| store_failed(&e))?
                {
                    IntakeOutcome::Added(_) => tally.add("taken_in", 1),
                    IntakeOutcome::Updated(_) => tally.add("updated", 1),
                    IntakeOutcome::Unchanged(_) => {}
                    // A finished payout's record may change later (Paysync's own write-back
                    // does, and an Opportunity stays in its stage): nothing left to protect.
                    IntakeOutcome::Frozen(held) if held.state.is_final() => {
                        tracing::debug!(record = %held.request_id, state = %held.state, "A paid-out record changed; its payout is final.");
                    }
                    IntakeOutcome::Frozen(held) => {
                        tally.errors.push(format!(
                            "{cursor} {} changed in Salesforce after its batch was approved; the approved values stand (item {} is {})",
                            held.request_name.as_deref().unwrap_or(&held.request_id),
                            held.id,
                            held.state
                        ));
                    }
                },
                Err(refusal) => {
                    tracing::warn!(field = refusal.field, "{}", refusal.message);
                    store
                        .jobs()
                        .enqueue(&request_job(source, &record, now), now)
                        .await
                        .map_err(|e| store_failed(&e))?;
                    tally.add("refused", 1);
                }
            }
            if let Some(stamp) = text(&record, &["SystemModstamp"]).and_then(|s| parse_datetime(&s)) {
                newest = Some(newest.map_or(stamp, |n| n.max(stamp)));
            }
        }
        // The watermark moves page by page, only past requests already stored.
        if let Some(mark) = newest {
            store
                .cursors()
                .set(NAME, cursor, &to_unix_millis(mark).to_string(), now)
                .await
                .map_err(|e| store_failed(&e))?;
        }
    }
    Ok(())
}

/// Runs a record that could not be taken in: the same reading as the poll, so a corrected
/// payload replayed from the DLQ becomes an item, and an uncorrected one fails again with the
/// request and field named.
#[derive(Debug, Clone, Copy)]
pub struct RequestJobHandler;

#[async_trait]
impl JobHandler for RequestJobHandler {
    fn kind(&self) -> &str {
        REQUEST_JOB
    }

    fn retry_safety(&self) -> RetrySafety {
        RetrySafety::ReadOnly
    }

    async fn run(&self, ctx: &JobContext, job: &Job) -> Result<Option<Value>, JobError> {
        let record = job
            .payload
            .get("request")
            .and_then(Value::as_object)
            .ok_or_else(|| JobError::terminal("payload", "the job carries no `request` record"))?;
        let source = match job.payload.get("object").and_then(Value::as_str) {
            Some("Opportunity") => PayoutSource::Opportunity,
            _ => PayoutSource::PaymentRequest,
        };
        let item = item_of(source, record)
            .map_err(|r| JobError::terminal(format!("invalid.{}", r.field), r.message))?;
        let outcome = ctx
            .store
            .payouts()
            .intake(&item, ctx.clock.now())
            .await
            .map_err(|e| JobError::retriable("store", e.to_string(), None))?;
        Ok(Some(json!({ "intake": format!("{outcome:?}") })))
    }
}
