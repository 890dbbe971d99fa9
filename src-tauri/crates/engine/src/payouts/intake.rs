//! Intake: payment requests in the payout status, changed since a durable `SystemModstamp`
//! watermark (re-reading an overlap), become payout items. The first run reads every such request:
//! unlike customers, an approved request is an obligation whatever its age.
//!
//! A request that cannot become an item (no amount, an unknown currency, more decimals than the
//! currency has) becomes a [`REQUEST_JOB`] carrying the whole record: it fails with a message
//! naming the request and the field and waits in the DLQ, where it can be corrected and replayed
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

/// The cursor's source.
const SOURCE: &str = "Payment_Request__c";
/// Attempts of a request job (it fails on its content, so retrying does not help).
const REQUEST_ATTEMPTS: u32 = 1;

const FIELDS: &str = "Id, Name, Amount__c, Currency__c, Description__c, LastModifiedById, SystemModstamp, \
     Contact__c, Contact__r.Name, Contact__r.Email, Contact__r.MailingCountry, \
     Contact__r.Payoneer_Payee_Id__c, Contact__r.Payout_Blocked__c, Account__r.Name, \
     Account__r.Payoneer_Payee_Id__c";

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

/// The item a request record describes.
pub(crate) fn item_of(record: &Map<String, Value>) -> Result<NewPayoutItem, Refusal> {
    let id = text(record, &["Id"]).unwrap_or_default();
    let name = text(record, &["Name"]);
    let label = name.clone().unwrap_or_else(|| id.clone());
    let refuse = |field: &'static str, message: String| Refusal {
        field,
        message: format!("Payment_Request__c {label} ({id}): {field}: {message}"),
    };
    if id.is_empty() {
        return Err(refuse("Id", "the record has no id".to_owned()));
    }
    let code = text(record, &["Currency__c"])
        .ok_or_else(|| refuse("Currency__c", "no currency is set".to_owned()))?
        .to_ascii_uppercase();
    let currency = Currency::from_code(&code)
        .map_err(|_| refuse("Currency__c", format!("{code:?} is not an ISO 4217 currency")))?;
    let amount = match record.get("Amount__c") {
        Some(Value::Number(n)) => n.to_string().parse::<Decimal>().ok(),
        Some(Value::String(s)) => s.trim().parse::<Decimal>().ok(),
        _ => None,
    }
    .ok_or_else(|| refuse("Amount__c", "no amount is set".to_owned()))?;
    let money = Money::from_decimal(amount, currency)
        .map_err(|e| refuse("Amount__c", format!("{amount} {code}: {e}")))?;
    if money.minor() <= 0 {
        return Err(refuse("Amount__c", format!("{amount} {code} is not above zero")));
    }
    let maker = text(record, &["LastModifiedById"])
        .ok_or_else(|| refuse("LastModifiedById", "who approved it is unknown".to_owned()))?;
    let stamp = text(record, &["SystemModstamp"])
        .and_then(|s| parse_datetime(&s))
        .map_or(0, to_unix_millis);
    let payee_name = text(record, &["Contact__r", "Name"]).or_else(|| text(record, &["Account__r", "Name"]));
    let payee_id = text(record, &["Contact__r", "Payoneer_Payee_Id__c"])
        .or_else(|| text(record, &["Account__r", "Payoneer_Payee_Id__c"]));
    Ok(NewPayoutItem {
        request_id: id,
        request_name: name,
        maker,
        contact_id: text(record, &["Contact__c"]),
        payee_name,
        payee_id,
        email: text(record, &["Contact__r", "Email"]),
        country: text(record, &["Contact__r", "MailingCountry"]),
        blocked: record
            .get("Contact__r")
            .and_then(|c| c.get("Payout_Blocked__c"))
            .and_then(Value::as_bool)
            .unwrap_or(false),
        amount_minor: money.minor(),
        currency: code,
        description: text(record, &["Description__c"]),
        source_modstamp: stamp,
    })
}

/// The job of a request that could not be taken in.
fn request_job(record: &Map<String, Value>, now: DateTime<Utc>) -> NewJob {
    let id = text(record, &["Id"]).unwrap_or_else(|| "unknown".to_owned());
    let stamp = text(record, &["SystemModstamp"]).unwrap_or_default();
    let mut snapshot = record.clone();
    snapshot.remove("attributes");
    NewJob {
        kind: REQUEST_JOB.to_owned(),
        payload: json!({ "request": snapshot }),
        idempotency_key: format!("{REQUEST_JOB}:{id}:{stamp}"),
        concurrency_key: Some(id),
        max_attempts: REQUEST_ATTEMPTS,
        run_at: now,
        replay_safe: true,
    }
}

/// Reads the requests changed since the watermark and takes them in.
pub(super) async fn poll(p: &Payouts, ctx: &FlowContext, tally: &mut Tally) -> Result<(), FlowError> {
    let store = &ctx.store;
    let now = ctx.clock.now();
    let watermark = store
        .cursors()
        .get(NAME, SOURCE)
        .await
        .map_err(|e| store_failed(&e))?
        .and_then(|s| s.parse::<i64>().ok())
        .map(paysync_core::clock::from_unix_millis);
    let mut soql = format!(
        "SELECT {FIELDS} FROM Payment_Request__c WHERE Status__c = {}",
        quote(&p.options.request_status)
    );
    if let Some(mark) = watermark {
        soql.push_str(&format!(
            " AND SystemModstamp >= {}",
            datetime(mark - p.options.overlap)
        ));
    }
    soql.push_str(" ORDER BY SystemModstamp, Id");
    let mut request = Some(query(&soql));
    let mut newest = watermark;
    while let Some(req) = request.take() {
        let mut page: QueryPage = p
            .send_sf(req)
            .await
            .and_then(|r| r.json())
            .map_err(|e| FlowError::new(format!("reading payment requests: {e}"), Default::default()))?;
        request = page.next_request();
        for record in page.records.drain(..) {
            tally.add("requests", 1);
            match item_of(&record) {
                Ok(item) => match store
                    .payouts()
                    .intake(&item, now)
                    .await
                    .map_err(|e| store_failed(&e))?
                {
                    IntakeOutcome::Added(_) => tally.add("taken_in", 1),
                    IntakeOutcome::Updated(_) => tally.add("updated", 1),
                    IntakeOutcome::Unchanged(_) => {}
                    IntakeOutcome::Frozen(held) => {
                        tally.errors.push(format!(
                            "Payment_Request__c {} changed in Salesforce after its batch was approved; the approved values stand (item {} is {})",
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
                        .enqueue(&request_job(&record, now), now)
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
                .set(NAME, SOURCE, &to_unix_millis(mark).to_string(), now)
                .await
                .map_err(|e| store_failed(&e))?;
        }
    }
    Ok(())
}

/// Runs a request that could not be taken in: the same reading as the poll, so a corrected
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
        let item =
            item_of(record).map_err(|r| JobError::terminal(format!("invalid.{}", r.field), r.message))?;
        let outcome = ctx
            .store
            .payouts()
            .intake(&item, ctx.clock.now())
            .await
            .map_err(|e| JobError::retriable("store", e.to_string(), None))?;
        Ok(Some(json!({ "intake": format!("{outcome:?}") })))
    }
}
