//! Salesforce's side of a period: `Payment__c`, `Refund__c` and `Dispute__c` (against Stripe's
//! charges, refunds and disputes), `Invoice__c` (against Stripe's invoices), and
//! `Payment_Transaction__c` and `Payment_Request__c` (against the Payoneer payouts), read with SOQL and turned into matching records.
//! Amounts are major units in Salesforce; they are converted exactly (a value with more decimals
//! than its currency has is reported, never rounded).

use chrono::{NaiveDate, TimeZone, Utc};
use paysync_connectors::http::HttpError;
use paysync_connectors::salesforce::QueryPage;
use paysync_connectors::salesforce::records::{datetime, parse_datetime, query};
use paysync_core::reconcile::{Record, RecordKind, Source, Status};
use paysync_core::{Currency, Money};
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use super::Reconciler;

/// What Salesforce holds for a period.
#[derive(Debug, Default)]
pub(crate) struct SalesforceSide {
    /// Records matched against Stripe.
    pub stripe: Vec<Record>,
    /// Invoices, matched against Stripe's.
    pub invoices: Vec<Record>,
    /// Records matched against Payoneer.
    pub payoneer: Vec<Record>,
    /// Payment requests that were sent for payout, matched against the Payoneer payouts.
    pub requests: Vec<Record>,
    /// Records that could not be read, named with the field.
    pub unreadable: Vec<String>,
}

fn text<'a>(r: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    r.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn relation<'a>(r: &'a Map<String, Value>, rel: &str, key: &str) -> Option<&'a str> {
    r.get(rel)?
        .get(key)?
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn decimal(value: Option<&Value>) -> Option<Decimal> {
    match value? {
        Value::Number(n) => n.to_string().parse().ok(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A money field in minor units of `currency`; `None` when empty.
fn minor(
    r: &Map<String, Value>,
    object: &str,
    id: &str,
    field: &str,
    currency: Currency,
) -> Result<Option<i64>, String> {
    let Some(amount) = decimal(r.get(field)) else {
        return Ok(None);
    };
    Money::from_decimal(amount, currency)
        .map(|m| Some(m.minor()))
        .map_err(|e| format!("{object} {id}: {field}: {amount} {}: {e}", currency.code()))
}

fn currency(r: &Map<String, Value>, object: &str, id: &str, field: &str) -> Result<Currency, String> {
    let code = text(r, field).ok_or(format!("{object} {id}: {field}: no currency"))?;
    Currency::from_code(&code.to_ascii_uppercase()).map_err(|e| format!("{object} {id}: {field}: {e}"))
}

fn day(r: &Map<String, Value>, fields: &[&str]) -> Option<NaiveDate> {
    fields
        .iter()
        .find_map(|f| text(r, f).and_then(parse_datetime))
        .map(|t| t.date_naive())
}

/// A `Payment__c` as a record: keyed by the Stripe charge id it was written from.
pub(crate) fn payment_record(r: &Map<String, Value>) -> Result<Record, String> {
    const OBJECT: &str = "Payment__c";
    let id = text(r, "Id").ok_or("a Payment__c without an Id")?;
    let currency = currency(r, OBJECT, id, "Currency__c")?;
    let gross =
        minor(r, OBJECT, id, "Amount__c", currency)?.ok_or(format!("{OBJECT} {id}: Amount__c: no amount"))?;
    let date = day(r, &["Paid_At__c", "CreatedDate"]).ok_or(format!("{OBJECT} {id}: Paid_At__c: no date"))?;
    let status = match text(r, "Status__c") {
        Some("Completed") => Status::Succeeded,
        Some("Failed") => Status::Failed,
        _ => Status::Pending,
    };
    let mut record =
        Record::new(id, Source::Salesforce, RecordKind::Payment, currency, gross, date).with_status(status);
    if let Some(fee) = minor(r, OBJECT, id, "Fee__c", currency)? {
        record = record.with_fee(fee);
    }
    if let Some(charge) = text(r, "Stripe_Charge_Id__c") {
        record = record.with_key(charge);
    }
    if let Some(customer) = relation(r, "Account__r", "Stripe_Customer_Id__c") {
        record = record.with_counterparty(customer);
    }
    Ok(record)
}

/// A `Refund__c` as a record: money given back, so negative.
pub(crate) fn refund_record(r: &Map<String, Value>) -> Result<Record, String> {
    const OBJECT: &str = "Refund__c";
    let id = text(r, "Id").ok_or("a Refund__c without an Id")?;
    let currency = currency(r, OBJECT, id, "Currency__c")?;
    let amount =
        minor(r, OBJECT, id, "Amount__c", currency)?.ok_or(format!("{OBJECT} {id}: Amount__c: no amount"))?;
    let date = day(r, &["CreatedDate"]).ok_or(format!("{OBJECT} {id}: CreatedDate: no date"))?;
    let status = match text(r, "Status__c") {
        Some("succeeded") => Status::Succeeded,
        Some("failed") => Status::Failed,
        Some("canceled") => Status::Cancelled,
        _ => Status::Pending,
    };
    let mut record = Record::new(
        id,
        Source::Salesforce,
        RecordKind::Refund,
        currency,
        -amount,
        date,
    )
    .with_status(status);
    if let Some(refund) = text(r, "Stripe_Refund_Id__c") {
        record = record.with_key(refund);
    }
    Ok(record)
}

/// A `Dispute__c` as a record: money taken back, so negative; keyed by the Stripe dispute id.
pub(crate) fn dispute_record(r: &Map<String, Value>) -> Result<Record, String> {
    const OBJECT: &str = "Dispute__c";
    let id = text(r, "Id").ok_or("a Dispute__c without an Id")?;
    let currency = currency(r, OBJECT, id, "Currency__c")?;
    let amount =
        minor(r, OBJECT, id, "Amount__c", currency)?.ok_or(format!("{OBJECT} {id}: Amount__c: no amount"))?;
    let date = day(r, &["CreatedDate"]).ok_or(format!("{OBJECT} {id}: CreatedDate: no date"))?;
    let status = super::pull_stripe::dispute_status(text(r, "Status__c"));
    let mut record = Record::new(
        id,
        Source::Salesforce,
        RecordKind::Dispute,
        currency,
        -amount,
        date,
    )
    .with_status(status);
    if let Some(dispute) = text(r, "Stripe_Dispute_Id__c") {
        record = record.with_key(dispute);
    }
    Ok(record)
}

/// A `Payment_Transaction__c` as a record: keyed by the payout's `client_reference_id`.
pub(crate) fn transaction_record(r: &Map<String, Value>) -> Result<Record, String> {
    const OBJECT: &str = "Payment_Transaction__c";
    let id = text(r, "Id").ok_or("a Payment_Transaction__c without an Id")?;
    let currency = currency(r, OBJECT, id, "Currency__c")?;
    let amount =
        minor(r, OBJECT, id, "Amount__c", currency)?.ok_or(format!("{OBJECT} {id}: Amount__c: no amount"))?;
    let date =
        day(r, &["Completed_At__c", "CreatedDate"]).ok_or(format!("{OBJECT} {id}: CreatedDate: no date"))?;
    let status = match text(r, "Status__c") {
        Some("Completed") => Status::Succeeded,
        Some("Failed" | "Returned") => Status::Failed,
        Some("Cancelled") => Status::Cancelled,
        _ => Status::Pending,
    };
    let mut record = Record::new(
        id,
        Source::Salesforce,
        RecordKind::PaymentTransaction,
        currency,
        amount,
        date,
    )
    .with_status(status);
    if let Some(fee) = minor(r, OBJECT, id, "Fee__c", currency)? {
        record = record.with_fee(fee);
    }
    if let Some(target) = text(r, "Target_Currency__c") {
        let target =
            Currency::from_code(target).map_err(|e| format!("{OBJECT} {id}: Target_Currency__c: {e}"))?;
        if let Some(converted) = minor(r, OBJECT, id, "Target_Amount__c", target)? {
            record = record.with_fx(target, converted);
        }
    }
    if let Some(key) = text(r, "Paysync_Key__c") {
        record = record.with_key(key);
    }
    Ok(record)
}

/// An `Invoice__c` as a record: keyed by the Stripe invoice it was written from.
pub(crate) fn invoice_record(r: &Map<String, Value>) -> Result<Record, String> {
    const OBJECT: &str = "Invoice__c";
    let id = text(r, "Id").ok_or("an Invoice__c without an Id")?;
    let currency = currency(r, OBJECT, id, "Currency__c")?;
    let due = minor(r, OBJECT, id, "Amount_Due__c", currency)?
        .ok_or(format!("{OBJECT} {id}: Amount_Due__c: no amount"))?;
    let date = day(r, &["CreatedDate"]).ok_or(format!("{OBJECT} {id}: CreatedDate: no date"))?;
    let status = super::pull_stripe::invoice_status(text(r, "Status__c"));
    let mut record =
        Record::new(id, Source::Salesforce, RecordKind::Invoice, currency, due, date).with_status(status);
    if let Some(invoice) = text(r, "Stripe_Invoice_Id__c") {
        record = record.with_key(invoice);
    }
    if let Some(customer) = relation(r, "Account__r", "Stripe_Customer_Id__c") {
        record = record.with_counterparty(customer);
    }
    Ok(record)
}

/// A `Payment_Request__c` sent for payout as a record: its own id is what the payout names.
pub(crate) fn request_record(r: &Map<String, Value>) -> Result<Record, String> {
    const OBJECT: &str = "Payment_Request__c";
    let id = text(r, "Id").ok_or("a Payment_Request__c without an Id")?;
    let currency = currency(r, OBJECT, id, "Currency__c")?;
    let amount =
        minor(r, OBJECT, id, "Amount__c", currency)?.ok_or(format!("{OBJECT} {id}: Amount__c: no amount"))?;
    let date = day(r, &["LastModifiedDate", "CreatedDate"])
        .ok_or(format!("{OBJECT} {id}: LastModifiedDate: no date"))?;
    let status = match text(r, "Status__c") {
        Some("Paid") => Status::Succeeded,
        Some("Failed") => Status::Failed,
        Some("Cancelled" | "Rejected") => Status::Cancelled,
        _ => Status::Pending,
    };
    let mut record = Record::new(
        id,
        Source::Salesforce,
        RecordKind::PaymentRequest,
        currency,
        amount,
        date,
    )
    .with_status(status);
    if let Some(payout) = text(r, "Payout_Id__c") {
        record = record.with_key(payout);
    }
    if let Some(payee) = relation(r, "Contact__r", "Payoneer_Payee_Id__c") {
        record = record.with_counterparty(payee);
    }
    Ok(record)
}

impl Reconciler {
    async fn soql(&self, soql: &str) -> Result<Vec<Map<String, Value>>, HttpError> {
        let mut all = Vec::new();
        let mut request = Some(query(soql));
        while let Some(req) = request.take() {
            let mut page: QueryPage = self
                .salesforce
                .send(paysync_connectors::salesforce::PROVIDER, req)
                .await?
                .json()?;
            request = page.next_request();
            all.append(&mut page.records);
        }
        Ok(all)
    }

    /// Reads the Salesforce records of the period.
    pub(crate) async fn pull_salesforce(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<SalesforceSide, HttpError> {
        let start = datetime(Utc.from_utc_datetime(&from.and_hms_opt(0, 0, 0).unwrap_or_default()));
        let end = datetime(Utc.from_utc_datetime(&to.and_hms_opt(23, 59, 59).unwrap_or_default()));
        let mut side = SalesforceSide::default();
        let payments = self
            .soql(&format!(
                "SELECT Id, Amount__c, Currency__c, Fee__c, Status__c, Paid_At__c, CreatedDate, Stripe_Charge_Id__c, \
                 Account__r.Stripe_Customer_Id__c FROM Payment__c WHERE Provider__c = 'Stripe' \
                 AND Paid_At__c >= {start} AND Paid_At__c <= {end}"
            ))
            .await?;
        for r in &payments {
            match payment_record(r) {
                Ok(record) => side.stripe.push(record),
                Err(e) => side.unreadable.push(e),
            }
        }
        let refunds = self
            .soql(&format!(
                "SELECT Id, Amount__c, Currency__c, Status__c, CreatedDate, Stripe_Refund_Id__c FROM Refund__c \
                 WHERE CreatedDate >= {start} AND CreatedDate <= {end}"
            ))
            .await?;
        for r in &refunds {
            match refund_record(r) {
                Ok(record) => side.stripe.push(record),
                Err(e) => side.unreadable.push(e),
            }
        }
        let disputes = self
            .soql(&format!(
                "SELECT Id, Amount__c, Currency__c, Status__c, CreatedDate, Stripe_Dispute_Id__c FROM Dispute__c \
                 WHERE CreatedDate >= {start} AND CreatedDate <= {end}"
            ))
            .await?;
        for r in &disputes {
            match dispute_record(r) {
                Ok(record) => side.stripe.push(record),
                Err(e) => side.unreadable.push(e),
            }
        }
        let invoices = self
            .soql(&format!(
                "SELECT Id, Amount_Due__c, Currency__c, Status__c, CreatedDate, Stripe_Invoice_Id__c, \
                 Account__r.Stripe_Customer_Id__c FROM Invoice__c \
                 WHERE CreatedDate >= {start} AND CreatedDate <= {end}"
            ))
            .await?;
        for r in &invoices {
            match invoice_record(r) {
                Ok(record) => side.invoices.push(record),
                Err(e) => side.unreadable.push(e),
            }
        }
        // Requests sent for payout, as Salesforce has it: batched, or naming a payout. One
        // marked paid with no payout id was paid outside Paysync, and there is nothing to check
        // it against.
        let requests = self
            .soql(&format!(
                "SELECT Id, Amount__c, Currency__c, Status__c, Payout_Id__c, LastModifiedDate, CreatedDate, \
                 Contact__r.Payoneer_Payee_Id__c FROM Payment_Request__c \
                 WHERE Status__c IN ('Batched', 'Paid', 'Failed') \
                 AND (Payout_Id__c != null OR Status__c = 'Batched') \
                 AND LastModifiedDate >= {start} AND LastModifiedDate <= {end}"
            ))
            .await?;
        for r in &requests {
            match request_record(r) {
                Ok(record) => side.requests.push(record),
                Err(e) => side.unreadable.push(e),
            }
        }
        let transactions = self
            .soql(&format!(
                "SELECT Id, Amount__c, Currency__c, Fee__c, Target_Amount__c, Target_Currency__c, Status__c, \
                 Completed_At__c, CreatedDate, Paysync_Key__c FROM Payment_Transaction__c \
                 WHERE Provider__c = 'Payoneer' AND CreatedDate >= {start} AND CreatedDate <= {end}"
            ))
            .await?;
        for r in &transactions {
            match transaction_record(r) {
                Ok(record) => side.payoneer.push(record),
                Err(e) => side.unreadable.push(e),
            }
        }
        Ok(side)
    }
}
