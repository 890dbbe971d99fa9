//! Stripe's side of a period: charges (with the fee from their balance transaction), refunds,
//! disputes, invoices, and payouts with the balance transactions each one settled (for the tie-out), read through
//! the one executor and turned into matching records in ISO minor units.

use chrono::{NaiveDate, TimeZone, Utc};
use paysync_connectors::http::{HttpError, Request};
use paysync_connectors::stripe::wire::List;
use paysync_connectors::stripe::{MAX_PAGE, list_created_between, list_payout_transactions};
use paysync_core::Currency;
use paysync_core::provider_amounts::stripe::from_stripe_amount;
use paysync_core::reconcile::{Record, RecordKind, Source, Status};
use serde_json::Value;

use super::Reconciler;

/// A payout with the balance transactions it settled, as records.
#[derive(Debug, Clone)]
pub(crate) struct StripePayout {
    /// The payout, as a record (its amount is what reached the bank).
    pub payout: Record,
    /// Its balance transactions (net amounts, excluding the payout's own).
    pub transactions: Vec<Record>,
}

/// What Stripe holds for a period.
#[derive(Debug, Default)]
pub(crate) struct StripeSide {
    /// Charges, refunds and disputes.
    pub records: Vec<Record>,
    /// Invoices (reconciled apart: their charges name them, and a charge is not its invoice).
    pub invoices: Vec<Record>,
    /// Payouts with their transactions.
    pub payouts: Vec<StripePayout>,
    /// Objects that could not be read, with why (named by id).
    pub unreadable: Vec<String>,
}

fn bounds(from: NaiveDate, to: NaiveDate) -> (i64, i64) {
    let start = Utc.from_utc_datetime(&from.and_hms_opt(0, 0, 0).unwrap_or_default());
    let end = Utc.from_utc_datetime(&to.and_hms_opt(23, 59, 59).unwrap_or_default());
    (start.timestamp(), end.timestamp())
}

fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

fn day_of(v: &Value) -> Option<NaiveDate> {
    let t = v.get("created").and_then(Value::as_i64)?;
    Some(chrono::DateTime::from_timestamp(t, 0)?.date_naive())
}

/// Stripe's integer amount in the currency's ISO minor units, with the currency.
fn amount(v: &Value, key: &str) -> Result<(Currency, i64), String> {
    let id = text(v, "id").unwrap_or("?");
    let code = text(v, "currency").ok_or(format!("{id}: no currency"))?;
    let currency =
        Currency::from_code(&code.to_ascii_uppercase()).map_err(|e| format!("{id}: currency: {e}"))?;
    let raw = v
        .get(key)
        .and_then(Value::as_i64)
        .ok_or(format!("{id}: no {key}"))?;
    let money = from_stripe_amount(raw, currency).map_err(|e| format!("{id}: {key}: {e}"))?;
    Ok((currency, money.minor()))
}

/// A charge as a record: gross amount, the fee when its balance transaction is expanded.
pub(crate) fn charge_record(v: &Value) -> Result<Record, String> {
    let id = text(v, "id").ok_or("a charge without an id")?;
    let (currency, gross) = amount(v, "amount")?;
    let date = day_of(v).ok_or(format!("{id}: no created time"))?;
    let status = match text(v, "status") {
        Some("succeeded") => Status::Succeeded,
        Some("failed") => Status::Failed,
        _ => Status::Pending,
    };
    let mut record =
        Record::new(id, Source::Stripe, RecordKind::Charge, currency, gross, date).with_status(status);
    if let Some(bt) = v.get("balance_transaction").filter(|b| b.is_object()) {
        let (_, fee) = amount(bt, "fee")?;
        record = record.with_fee(fee);
    }
    if let Some(order) = v.get("metadata").and_then(|m| text(m, "order_id")) {
        record = record.with_reference(order);
    }
    if let Some(customer) = text(v, "customer") {
        record = record.with_counterparty(customer);
    }
    if let Some(invoice) = text(v, "invoice") {
        record = record.with_part_of(invoice);
    }
    Ok(record)
}

/// A refund as a record: money given back, so negative.
pub(crate) fn refund_record(v: &Value) -> Result<Record, String> {
    let id = text(v, "id").ok_or("a refund without an id")?;
    let (currency, amount) = amount(v, "amount")?;
    let date = day_of(v).ok_or(format!("{id}: no created time"))?;
    let status = match text(v, "status") {
        Some("succeeded") => Status::Succeeded,
        Some("failed") => Status::Failed,
        Some("canceled") => Status::Cancelled,
        _ => Status::Pending,
    };
    Ok(Record::new(id, Source::Stripe, RecordKind::Refund, currency, -amount, date).with_status(status))
}

/// A dispute as a record: money taken back, so negative. It has moved unless the merchant won
/// (or the inquiry closed), whatever stage the dispute is in; the same mapping reads
/// `Dispute__c`, so the statuses compare.
pub(crate) fn dispute_record(v: &Value) -> Result<Record, String> {
    let id = text(v, "id").ok_or("a dispute without an id")?;
    let (currency, amount) = amount(v, "amount")?;
    let date = day_of(v).ok_or(format!("{id}: no created time"))?;
    let mut record = Record::new(id, Source::Stripe, RecordKind::Dispute, currency, -amount, date)
        .with_status(dispute_status(text(v, "status")));
    if let Some(charge) = text(v, "charge") {
        record = record.with_reference(charge);
    }
    Ok(record)
}

/// An invoice as a record: what it bills (`amount_due`) and where it stands; the money it
/// collected is reconciled through its charges. The same mapping reads `Invoice__c`.
pub(crate) fn invoice_record(v: &Value) -> Result<Record, String> {
    let id = text(v, "id").ok_or("an invoice without an id")?;
    let (currency, due) = amount(v, "amount_due")?;
    let date = day_of(v).ok_or(format!("{id}: no created time"))?;
    let mut record = Record::new(id, Source::Stripe, RecordKind::Invoice, currency, due, date)
        .with_status(invoice_status(text(v, "status")));
    if let Some(number) = text(v, "number") {
        record = record.with_reference(number);
    }
    if let Some(customer) = text(v, "customer") {
        record = record.with_counterparty(customer);
    }
    Ok(record)
}

/// Stripe's invoice statuses as movements (shared with `Invoice__c.Status__c`, which holds them).
pub(crate) fn invoice_status(status: Option<&str>) -> Status {
    match status {
        Some("paid") => Status::Succeeded,
        Some("void") => Status::Cancelled,
        Some("uncollectible") => Status::Failed,
        _ => Status::Pending,
    }
}

/// Stripe's dispute statuses as movements (shared with `Dispute__c.Status__c`, which holds them).
pub(crate) fn dispute_status(status: Option<&str>) -> Status {
    match status {
        Some("lost") => Status::Succeeded,
        Some("won" | "warning_closed") => Status::Cancelled,
        _ => Status::Pending,
    }
}

impl Reconciler {
    /// Every page of a Stripe list (`page` builds the request after a given id).
    async fn stripe_list(&self, page: impl Fn(Option<&str>) -> Request) -> Result<Vec<Value>, HttpError> {
        let Some(stripe) = &self.stripe else {
            return Ok(Vec::new());
        };
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut list: List<Value> = stripe
                .send(paysync_connectors::stripe::PROVIDER, page(after.as_deref()))
                .await?
                .json()?;
            after = list.data.last().and_then(|o| text(o, "id")).map(str::to_owned);
            all.append(&mut list.data);
            if !list.has_more || after.is_none() {
                return Ok(all);
            }
        }
    }

    /// Reads Stripe's charges, refunds, disputes, invoices and payouts created in the period.
    pub(crate) async fn pull_stripe(&self, from: NaiveDate, to: NaiveDate) -> Result<StripeSide, HttpError> {
        let mut side = StripeSide::default();
        if self.stripe.is_none() {
            return Ok(side);
        }
        let (gte, lte) = bounds(from, to);
        let listed = |path: &'static str| {
            move |after: Option<&str>| list_created_between(path, gte, lte, after, MAX_PAGE)
        };
        for charge in self
            .stripe_list(|after: Option<&str>| {
                listed("/v1/charges")(after).query("expand[]", "data.balance_transaction")
            })
            .await?
        {
            match charge_record(&charge) {
                Ok(r) => side.records.push(r),
                Err(e) => side.unreadable.push(format!("Stripe charge {e}")),
            }
        }
        for refund in self.stripe_list(listed("/v1/refunds")).await? {
            match refund_record(&refund) {
                Ok(r) => side.records.push(r),
                Err(e) => side.unreadable.push(format!("Stripe refund {e}")),
            }
        }
        for dispute in self.stripe_list(listed("/v1/disputes")).await? {
            match dispute_record(&dispute) {
                Ok(r) => side.records.push(r),
                Err(e) => side.unreadable.push(format!("Stripe dispute {e}")),
            }
        }
        for invoice in self.stripe_list(listed("/v1/invoices")).await? {
            match invoice_record(&invoice) {
                Ok(r) => side.invoices.push(r),
                Err(e) => side.unreadable.push(format!("Stripe invoice {e}")),
            }
        }
        for payout in self.stripe_list(listed("/v1/payouts")).await? {
            let Some(id) = text(&payout, "id").map(str::to_owned) else {
                continue;
            };
            let record = amount(&payout, "amount").and_then(|(currency, minor)| {
                let date = day_of(&payout).ok_or(format!("{id}: no created time"))?;
                Ok(Record::new(
                    id.as_str(),
                    Source::Stripe,
                    RecordKind::Payout,
                    currency,
                    minor,
                    date,
                ))
            });
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    side.unreadable.push(format!("Stripe payout {e}"));
                    continue;
                }
            };
            let transactions = self
                .stripe_list(|after: Option<&str>| list_payout_transactions(&id, after, MAX_PAGE))
                .await?;
            let mut lines = Vec::new();
            for bt in transactions {
                // The payout's own line is the money leaving; the tie-out sums what it settled.
                if text(&bt, "type").is_some_and(|t| t.starts_with("payout")) {
                    continue;
                }
                let line = amount(&bt, "net").and_then(|(currency, net)| {
                    let bt_id = text(&bt, "id").unwrap_or("?");
                    let date = day_of(&bt).ok_or(format!("{bt_id}: no created time"))?;
                    Ok(Record::new(
                        bt_id,
                        Source::Stripe,
                        RecordKind::BalanceTransaction,
                        currency,
                        net,
                        date,
                    ))
                });
                match line {
                    Ok(r) => lines.push(r),
                    Err(e) => side.unreadable.push(format!("Stripe balance transaction {e}")),
                }
            }
            side.payouts.push(StripePayout {
                payout: record,
                transactions: lines,
            });
        }
        Ok(side)
    }
}
