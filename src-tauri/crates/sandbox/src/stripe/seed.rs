//! The in-process seeding API the demo-data generator uses to load realistic history with
//! explicit past timestamps. It bypasses auth, rate limits and faults but goes through the same
//! state machines as the HTTP API, so every object gets its balance transactions and every
//! change records its event (`customer.created`, `charge.succeeded`, …) at the given time.
//! Time-driven follow-ups (funds settling, subscription renewals, payout arrival) happen at the
//! next API request or [`StripeSim::tick`].

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::StripeSim;
use super::billing::{self, SubArgs};
use super::disputes::{self, RefundArgs};
use super::errors::ApiError;
use super::ledger;
use super::payments::{self, IntentArgs};
use super::routes_billing::{new_price, new_product};
use super::routes_core::new_customer;
use super::state::Exec;
use crate::error::SandboxError;

/// A customer to insert.
#[derive(Debug, Clone, Default)]
pub struct NewCustomer {
    /// `email`.
    pub email: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// `metadata`.
    pub metadata: BTreeMap<String, String>,
    /// `created`.
    pub created: DateTime<Utc>,
}

/// A product to insert.
#[derive(Debug, Clone, Default)]
pub struct NewProduct {
    /// `name`.
    pub name: String,
    /// `description`.
    pub description: Option<String>,
    /// `metadata`.
    pub metadata: BTreeMap<String, String>,
    /// `created`.
    pub created: DateTime<Utc>,
}

/// A price to insert.
#[derive(Debug, Clone, Default)]
pub struct NewPrice {
    /// Product id.
    pub product: String,
    /// `unit_amount` in Stripe's minor units.
    pub unit_amount: i64,
    /// Lower-case currency.
    pub currency: String,
    /// `recurring[interval]` (`day`, `week`, `month`, `year`); `None` for a one-time price.
    pub interval: Option<String>,
    /// `recurring[interval_count]` (1 when 0).
    pub interval_count: i64,
    /// `metadata`.
    pub metadata: BTreeMap<String, String>,
    /// `created`.
    pub created: DateTime<Utc>,
}

/// The outcome of a seeded payment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Captured, with a `charge` balance transaction and its fee.
    #[default]
    Succeeded,
    /// Declined (`card_declined` / `generic_decline`): a failed charge, no money moved.
    Failed,
    /// Still processing: a `pending` charge, no balance transaction yet.
    Pending,
}

/// A payment (payment intent + charge) to insert.
#[derive(Debug, Clone, Default)]
pub struct NewPayment {
    /// Customer id.
    pub customer: Option<String>,
    /// Amount in Stripe's minor units.
    pub amount: i64,
    /// Lower-case currency.
    pub currency: String,
    /// Outcome.
    pub status: PaymentStatus,
    /// Description.
    pub description: Option<String>,
    /// `metadata` (copied to the charge).
    pub metadata: BTreeMap<String, String>,
    /// `created`.
    pub created: DateTime<Utc>,
}

/// A stand-alone invoice with one line to insert.
#[derive(Debug, Clone, Default)]
pub struct NewInvoice {
    /// Customer id.
    pub customer: String,
    /// Subscription id, if it belongs to one.
    pub subscription: Option<String>,
    /// Line amount in Stripe's minor units.
    pub amount: i64,
    /// Lower-case currency.
    pub currency: String,
    /// `draft`, `open`, `paid`, `void` or `uncollectible` (a paid invoice is charged to `pm_card_visa`).
    pub status: String,
    /// Line description.
    pub description: Option<String>,
    /// `created`.
    pub created: DateTime<Utc>,
}

fn fail(e: &ApiError) -> SandboxError {
    SandboxError::Invalid(format!("stripe seed: {}", e.message))
}

fn meta(m: &BTreeMap<String, String>) -> Value {
    json!(m)
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

impl StripeSim {
    fn seed<R>(
        &self,
        created: DateTime<Utc>,
        f: impl FnOnce(&mut Exec<'_>) -> Result<R, ApiError>,
    ) -> Result<R, SandboxError> {
        self.exec(Some(created.timestamp()), None, f)
            .map_err(|e| fail(&e))
    }

    /// Inserts a customer created at `c.created`; returns its id.
    pub fn insert_customer(&self, c: NewCustomer) -> String {
        let params = json!({"email": c.email, "name": c.name, "metadata": meta(&c.metadata)});
        self.seed(c.created, |x| new_customer(x, &params))
            .map(|v| id_of(&v))
            .unwrap_or_default()
    }

    /// Inserts a product; returns its id.
    pub fn insert_product(&self, p: NewProduct) -> String {
        let params = json!({"name": p.name, "description": p.description, "metadata": meta(&p.metadata)});
        self.seed(p.created, |x| new_product(x, &params))
            .map(|v| id_of(&v))
            .unwrap_or_default()
    }

    /// Inserts a price for an existing product; returns its id.
    pub fn insert_price(&self, p: NewPrice) -> Result<String, SandboxError> {
        ledger::check_amount("unit_amount", p.unit_amount.max(1), &p.currency, false)
            .map_err(|e| fail(&e))?;
        let mut params = json!({
            "product": p.product,
            "currency": p.currency,
            "unit_amount": p.unit_amount.to_string(),
            "metadata": meta(&p.metadata),
        });
        if let Some(interval) = &p.interval {
            params["recurring"] =
                json!({"interval": interval, "interval_count": p.interval_count.max(1).to_string()});
        }
        self.seed(p.created, |x| new_price(x, &params)).map(|v| id_of(&v))
    }

    /// Inserts a card payment; returns `(payment_intent_id, charge_id)`.
    pub fn insert_payment(&self, p: NewPayment) -> Result<(String, String), SandboxError> {
        ledger::check_amount("amount", p.amount, &p.currency, true).map_err(|e| fail(&e))?;
        self.seed(p.created, |x| {
            if let Some(c) = &p.customer {
                x.fetch("customer", c, "customer")?;
            }
            let pm = match p.status {
                PaymentStatus::Failed => "pm_card_chargeDeclined",
                _ => "pm_card_visa",
            };
            let pi = payments::create_intent(
                x,
                IntentArgs {
                    amount: p.amount,
                    currency: p.currency.clone(),
                    customer: p.customer.clone(),
                    description: p.description.clone(),
                    metadata: meta(&p.metadata),
                    payment_method: Some(pm.to_owned()),
                    ..IntentArgs::default()
                },
            );
            let id = id_of(&pi);
            match p.status {
                PaymentStatus::Pending => {
                    payments::mark_processing(x, &id, payments::card(pm)?)?;
                }
                _ => {
                    let result = payments::confirm(x, &id, None);
                    if p.status == PaymentStatus::Succeeded {
                        result?;
                    }
                }
            }
            let pi = x.fetch("payment_intent", &id, "intent")?;
            Ok((id, pi["latest_charge"].as_str().unwrap_or_default().to_owned()))
        })
    }

    /// Refunds `amount` of a charge at `created`; returns the refund id.
    pub fn insert_refund(
        &self,
        charge_id: &str,
        amount: i64,
        created: DateTime<Utc>,
    ) -> Result<String, SandboxError> {
        self.seed(created, |x| {
            disputes::refund(
                x,
                charge_id,
                RefundArgs {
                    amount: Some(amount),
                    reason: Some("requested_by_customer".into()),
                    ..RefundArgs::default()
                },
            )
        })
        .map(|v| id_of(&v))
    }

    /// Opens a dispute (`reason` e.g. `fraudulent`; `status` any dispute status, closed ones are
    /// opened then resolved); returns its id.
    pub fn insert_dispute(
        &self,
        charge_id: &str,
        amount: i64,
        reason: &str,
        status: &str,
        created: DateTime<Utc>,
    ) -> Result<String, SandboxError> {
        self.seed(created, |x| disputes::open(x, charge_id, amount, reason, status))
            .map(|v| id_of(&v))
    }

    /// Subscribes a customer to a recurring price, paid by `pm_card_visa`; the first invoice is
    /// paid at `created` and later periods renew as the clock passes them. Returns its id.
    pub fn insert_subscription(
        &self,
        customer: &str,
        price_id: &str,
        created: DateTime<Utc>,
    ) -> Result<String, SandboxError> {
        self.seed(created, |x| {
            billing::create_subscription(
                x,
                SubArgs {
                    customer: customer.to_owned(),
                    items: vec![(price_id.to_owned(), 1)],
                    default_payment_method: Some("pm_card_visa".into()),
                    metadata: json!({}),
                    ..SubArgs::default()
                },
            )
        })
        .map(|v| id_of(&v))
    }

    /// Inserts an invoice with one line, moved to `status`; returns its id.
    pub fn insert_invoice(&self, inv: NewInvoice) -> Result<String, SandboxError> {
        ledger::check_amount("amount", inv.amount.max(1), &inv.currency, false).map_err(|e| fail(&e))?;
        self.seed(inv.created, |x| {
            let customer = x.fetch("customer", &inv.customer, "customer")?;
            if let Some(s) = &inv.subscription {
                x.fetch("subscription", s, "subscription")?;
            }
            let now = x.now;
            let line = super::wire_billing::line_item(
                &x.id("il_"),
                None,
                None,
                None,
                1,
                inv.amount,
                &inv.currency,
                (now, now),
                inv.description.as_deref().unwrap_or("Services"),
            );
            let v = billing::new_invoice(
                x,
                &customer,
                inv.subscription.as_deref(),
                "manual",
                "charge_automatically",
                &inv.currency,
                vec![line],
                (now, now),
            );
            let id = id_of(&v);
            match inv.status.as_str() {
                "draft" => {}
                "open" => {
                    billing::finalize(x, &id)?;
                }
                "paid" => {
                    billing::pay(x, &id, Some("pm_card_visa"), false)?;
                }
                "void" | "uncollectible" => {
                    billing::finalize(x, &id)?;
                    billing::close_invoice(x, &id, &inv.status)?;
                }
                other => return Err(ApiError::invalid(format!("unknown invoice status {other}"))),
            }
            Ok(id)
        })
    }

    /// Creates an automatic payout at `created` sweeping every balance transaction available by
    /// then (`amount`, when given, must equal the swept net), moved to `status` (`pending`,
    /// `in_transit`, `paid`, `failed`, `canceled`). Returns its id.
    pub fn insert_payout(
        &self,
        amount: Option<i64>,
        currency: &str,
        created: DateTime<Utc>,
        status: &str,
    ) -> Result<String, SandboxError> {
        self.seed(created, |x| {
            // Bill subscription periods that ended before the payout first, so their charges can
            // be swept by it as they would have been.
            let (at, real) = (x.now, x.clock_now);
            x.clock_now = at;
            billing::renew_due(x);
            x.now = at;
            x.clock_now = real;
            ledger::settle(x);
            let payout = ledger::create_payout(x, amount, currency, true)?;
            let id = id_of(&payout);
            let start = x.now;
            let in_transit_at =
                (start + x.st.config.payout_in_transit_after_secs).min(x.clock_now.max(start));
            let arrival = payout["arrival_date"].as_i64().unwrap_or(start);
            match status {
                "pending" => {}
                "canceled" => {
                    ledger::set_payout_status(x, &id, "canceled", None)?;
                }
                "in_transit" | "paid" | "failed" => {
                    x.now = in_transit_at;
                    ledger::set_payout_status(x, &id, "in_transit", None)?;
                    if status != "in_transit" {
                        x.now = arrival.min(x.clock_now.max(in_transit_at));
                        ledger::set_payout_status(x, &id, status, None)?;
                    }
                }
                other => return Err(ApiError::invalid(format!("unknown payout status {other}"))),
            }
            Ok(id)
        })
    }

    /// Every object of `kind` (`customer`, `payment_intent`, `charge`, `refund`, `dispute`,
    /// `product`, `price`, `subscription`, `invoice`, `payout`, `balance_transaction`, `event`),
    /// newest first.
    pub fn objects(&self, kind: &str) -> Vec<Value> {
        self.with_state(|st| {
            st.newest_first(kind)
                .into_iter()
                .map(|s| s.value.clone())
                .collect()
        })
    }

    /// Every event ever recorded (the 30-day window of the events API does not apply), newest first.
    pub fn events(&self) -> Vec<Value> {
        self.objects("event")
    }
}
