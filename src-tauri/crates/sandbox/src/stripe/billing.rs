//! Subscriptions and invoices (apis.md §2.6). A subscription bills each period with an invoice
//! (`draft` → `open` at finalization → `paid` | `void` | `uncollectible`); charge-automatically
//! invoices are paid with the subscription's or customer's default payment method through a
//! payment intent. When the sandbox clock passes a period end, the next period is invoiced
//! (see [`renew_due`]); a failed renewal leaves the subscription `past_due`.

use chrono::{DateTime, Months};
use serde_json::{Value, json};

use super::errors::ApiError;
use super::payments::{self, IntentArgs};
use super::state::Exec;
use super::wire_billing::{self, InvoiceSpec};

const DAY: i64 = 86_400;

/// The end of a billing period starting at `start`.
pub fn period_end(start: i64, interval: &str, count: i64) -> i64 {
    let count = count.max(1);
    let months = |n: i64| {
        DateTime::from_timestamp(start, 0)
            .and_then(|d| d.checked_add_months(Months::new(u32::try_from(n).unwrap_or(1))))
            .map_or(start + n * 30 * DAY, |d| d.timestamp())
    };
    match interval {
        "day" => start + count * DAY,
        "week" => start + count * 7 * DAY,
        "year" => months(12 * count),
        _ => months(count),
    }
}

/// `(interval, interval_count)` of a recurring price.
fn interval_of(price: &Value) -> (String, i64) {
    (
        price["recurring"]["interval"]
            .as_str()
            .unwrap_or("month")
            .to_owned(),
        price["recurring"]["interval_count"].as_i64().unwrap_or(1),
    )
}

/// The payment method an invoice would be charged with.
fn default_pm(x: &Exec<'_>, invoice: &Value) -> Option<String> {
    let from_sub = invoice["subscription"]
        .as_str()
        .and_then(|s| x.st.get("subscription", s))
        .and_then(|s| s["default_payment_method"].as_str());
    let from_customer = invoice["customer"]
        .as_str()
        .and_then(|c| x.st.get("customer", c))
        .and_then(|c| c["invoice_settings"]["default_payment_method"].as_str());
    invoice["default_payment_method"]
        .as_str()
        .or(from_sub)
        .or(from_customer)
        .map(str::to_owned)
}

fn no_payment_method() -> ApiError {
    ApiError::invalid(
        "This customer has no attached payment source or default payment method. Please consider adding a \
         default payment method. For more information, visit \
         https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority.",
    )
}

/// Invoice lines for a subscription's items over `period`.
fn lines_for(x: &Exec<'_>, sub: &Value, period: (i64, i64)) -> Vec<Value> {
    let sub_id = sub["id"].as_str().unwrap_or_default();
    let mut lines = Vec::new();
    for item in sub["items"]["data"].as_array().into_iter().flatten() {
        let price = &item["price"];
        let qty = item["quantity"].as_i64().unwrap_or(1);
        let amount = price["unit_amount"].as_i64().unwrap_or(0) * qty;
        let product = price["product"]
            .as_str()
            .and_then(|p| x.st.get("product", p))
            .and_then(|p| p["name"].as_str())
            .unwrap_or("Product");
        let currency = price["currency"].as_str().unwrap_or("usd");
        let description = format!(
            "{qty} × {product} (at {} / {})",
            payments::display_amount(price["unit_amount"].as_i64().unwrap_or(0), currency),
            price["recurring"]["interval"].as_str().unwrap_or("month")
        );
        lines.push(wire_billing::line_item(
            &x.id("il_"),
            Some(sub_id),
            item["id"].as_str(),
            Some(price),
            qty,
            amount,
            currency,
            period,
            &description,
        ));
    }
    lines
}

/// Creates a draft invoice (`invoice.created`).
#[allow(clippy::too_many_arguments)] // One argument per field that varies; a struct would only rename them.
pub fn new_invoice(
    x: &mut Exec<'_>,
    customer: &Value,
    subscription: Option<&str>,
    billing_reason: &str,
    collection_method: &str,
    currency: &str,
    lines: Vec<Value>,
    period: (i64, i64),
) -> Value {
    let id = x.id("in_");
    let inv = wire_billing::invoice(&InvoiceSpec {
        id: &id,
        created: x.now,
        customer,
        subscription,
        billing_reason,
        collection_method,
        currency,
        lines,
        period,
    });
    x.insert("invoice", inv.clone());
    x.emit("invoice.created", &inv, None);
    inv
}

/// Finalizes a draft invoice: numbered, `open`, with its payment intent (`invoice.finalized`).
pub fn finalize(x: &mut Exec<'_>, id: &str) -> Result<Value, ApiError> {
    let inv = x.fetch("invoice", id, "id")?;
    if inv["status"] != "draft" {
        return Err(ApiError::invalid(
            "This invoice is already finalized, you can't re-finalize a non-draft invoice.",
        )
        .with_code("invoice_not_editable"));
    }
    let customer_id = inv["customer"].as_str().unwrap_or_default().to_owned();
    let customer = x.fetch("customer", &customer_id, "customer")?;
    let seq = customer["next_invoice_sequence"].as_i64().unwrap_or(1);
    let number = format!(
        "{}-{seq:04}",
        customer["invoice_prefix"].as_str().unwrap_or("SANDBOX")
    );
    x.update("customer", &customer_id, |c| {
        c["next_invoice_sequence"] = json!(seq + 1)
    })?;
    let amount = inv["amount_due"].as_i64().unwrap_or(0);
    let pi = if amount > 0 {
        let pi = payments::create_intent(
            x,
            IntentArgs {
                amount,
                currency: inv["currency"].as_str().unwrap_or("usd").to_owned(),
                customer: Some(customer_id.clone()),
                description: Some(match inv["billing_reason"].as_str() {
                    Some("subscription_create") => "Subscription creation".to_owned(),
                    Some("subscription_cycle") => "Subscription update".to_owned(),
                    _ => format!("Invoice {number}"),
                }),
                metadata: json!({}),
                capture_method: None,
                payment_method: None,
                payment_method_types: Some(vec!["card".into()]),
                invoice: Some(id.to_owned()),
            },
        );
        pi["id"].clone()
    } else {
        Value::Null
    };
    let now = x.now;
    let due = inv["collection_method"] == "send_invoice";
    let days =
        x.st.get("subscription", inv["subscription"].as_str().unwrap_or(""))
            .and_then(|s| s["days_until_due"].as_i64())
            .unwrap_or(30);
    x.update_and_emit("invoice", id, "invoice.finalized", |i| {
        i["status"] = json!("open");
        i["number"] = json!(number);
        i["payment_intent"] = pi;
        i["status_transitions"]["finalized_at"] = json!(now);
        i["effective_at"] = json!(now);
        i["ending_balance"] = json!(0);
        i["hosted_invoice_url"] = json!(format!("https://invoice.stripe.com/i/acct_sandbox/test_{id}"));
        i["invoice_pdf"] = json!(format!(
            "https://pay.stripe.com/invoice/acct_sandbox/test_{id}/pdf"
        ));
        if due {
            i["due_date"] = json!(now + days * DAY);
        }
    })
}

/// Pays an open invoice (finalizing a draft first): out of band, free, or by charging a payment
/// method. A decline records `invoice.payment_failed` and returns the card error.
pub fn pay(x: &mut Exec<'_>, id: &str, pm: Option<&str>, out_of_band: bool) -> Result<Value, ApiError> {
    let mut inv = x.fetch("invoice", id, "id")?;
    match inv["status"].as_str() {
        Some("draft") => inv = finalize(x, id)?,
        Some("open") => {}
        Some("paid") => {
            return Err(ApiError::invalid("Invoice is already paid").with_code("invoice_already_paid"));
        }
        other => {
            return Err(ApiError::invalid(format!(
                "You cannot pay an invoice with status {}.",
                other.unwrap_or("unknown")
            ))
            .with_code("invoice_not_editable"));
        }
    }
    let now = x.now;
    let amount = inv["amount_due"].as_i64().unwrap_or(0);
    if out_of_band || amount == 0 {
        if let Some(pi) = inv["payment_intent"].as_str() {
            payments::cancel(x, pi, Some("void_invoice")).ok();
        }
        return mark_paid(x, id, now, amount, out_of_band, Value::Null);
    }
    let pm = pm
        .map(str::to_owned)
        .or_else(|| default_pm(x, &inv))
        .ok_or_else(no_payment_method)?;
    let pi_id = inv["payment_intent"].as_str().unwrap_or_default().to_owned();
    let result = payments::confirm(x, &pi_id, Some(&pm));
    let pi = x.fetch("payment_intent", &pi_id, "payment_intent")?;
    match result {
        Ok(_) if pi["status"] == "succeeded" => {
            mark_paid(x, id, now, amount, false, pi["latest_charge"].clone())
        }
        Ok(_) => Ok(x.fetch("invoice", id, "id")?),
        Err(e) => {
            let attempts = inv["attempt_count"].as_i64().unwrap_or(0) + 1;
            let auto = inv["collection_method"] == "charge_automatically";
            x.update_and_emit("invoice", id, "invoice.payment_failed", |i| {
                i["attempted"] = json!(true);
                i["attempt_count"] = json!(attempts);
                i["charge"] = pi["latest_charge"].clone();
                i["next_payment_attempt"] = if auto && attempts < 4 {
                    json!(now + 3 * DAY)
                } else {
                    Value::Null
                };
            })?;
            if let Some(sub) = inv["subscription"].as_str() {
                let sub_status = x.fetch("subscription", sub, "subscription")?["status"].clone();
                if sub_status == "active" {
                    x.update_and_emit("subscription", sub, "customer.subscription.updated", |s| {
                        s["status"] = json!("past_due");
                    })?;
                }
            }
            Err(e)
        }
    }
}

fn mark_paid(
    x: &mut Exec<'_>,
    id: &str,
    now: i64,
    amount: i64,
    out_of_band: bool,
    charge: Value,
) -> Result<Value, ApiError> {
    let attempted = !out_of_band && amount > 0;
    let inv = x.update_and_emit("invoice", id, "invoice.paid", |i| {
        i["status"] = json!("paid");
        i["paid"] = json!(true);
        i["paid_out_of_band"] = json!(out_of_band);
        i["amount_paid"] = json!(amount);
        i["amount_remaining"] = json!(0);
        i["status_transitions"]["paid_at"] = json!(now);
        i["charge"] = charge;
        i["next_payment_attempt"] = Value::Null;
        if attempted {
            i["attempted"] = json!(true);
            let n = i["attempt_count"].as_i64().unwrap_or(0);
            i["attempt_count"] = json!(n + 1);
        }
    })?;
    x.emit("invoice.payment_succeeded", &inv, None);
    if let Some(sub) = inv["subscription"].as_str() {
        let status = x.fetch("subscription", sub, "subscription")?["status"].clone();
        if status == "incomplete" || status == "past_due" {
            x.update_and_emit("subscription", sub, "customer.subscription.updated", |s| {
                s["status"] = json!("active");
            })?;
        }
    }
    x.fetch("invoice", id, "id")
}

/// Voids or marks uncollectible an open invoice.
pub fn close_invoice(x: &mut Exec<'_>, id: &str, to: &str) -> Result<Value, ApiError> {
    let inv = x.fetch("invoice", id, "id")?;
    if inv["status"] != "open" && !(to == "uncollectible" && inv["status"] == "uncollectible") {
        return Err(ApiError::invalid(format!(
            "You can only {} open invoices; this invoice is {}.",
            if to == "void" {
                "void"
            } else {
                "mark uncollectible"
            },
            inv["status"].as_str().unwrap_or_default()
        ))
        .with_code("invoice_not_editable"));
    }
    if to == "void"
        && let Some(pi) = inv["payment_intent"].as_str()
    {
        payments::cancel(x, pi, Some("void_invoice")).ok();
    }
    let now = x.now;
    let (event, stamp) = if to == "void" {
        ("invoice.voided", "voided_at")
    } else {
        ("invoice.marked_uncollectible", "marked_uncollectible_at")
    };
    x.update_and_emit("invoice", id, event, |i| {
        i["status"] = json!(to);
        i["status_transitions"][stamp] = json!(now);
        i["next_payment_attempt"] = Value::Null;
    })
}

/// What a subscription is created with.
#[derive(Debug, Clone, Default)]
pub struct SubArgs {
    /// Customer id.
    pub customer: String,
    /// `(price id, quantity)` per item.
    pub items: Vec<(String, i64)>,
    /// `charge_automatically` (default) or `send_invoice`.
    pub collection_method: Option<String>,
    /// For `send_invoice`.
    pub days_until_due: Option<i64>,
    /// Payment method for its invoices.
    pub default_payment_method: Option<String>,
    /// Metadata object.
    pub metadata: Value,
    /// Trial length.
    pub trial_period_days: Option<i64>,
    /// `allow_incomplete` (default), `default_incomplete`, `error_if_incomplete`.
    pub payment_behavior: Option<String>,
}

/// Creates a subscription, invoices its first period and tries to collect it.
pub fn create_subscription(x: &mut Exec<'_>, args: SubArgs) -> Result<Value, ApiError> {
    let mut customer = x.fetch("customer", &args.customer, "customer")?;
    if args.items.is_empty() {
        return Err(ApiError::param("items", "Missing required param: items.").with_code("parameter_missing"));
    }
    let mut prices = Vec::new();
    for (n, (price_id, _)) in args.items.iter().enumerate() {
        let param = format!("items[{n}][price]");
        let price =
            x.st.get("price", price_id)
                .cloned()
                .ok_or_else(|| ApiError::missing_resource("price", price_id, &param))?;
        if price["type"] != "recurring" {
            return Err(ApiError::param(
                &param,
                "The price specified is set to `type=one_time` but this field only accepts prices with \
                 `type=recurring`.",
            ));
        }
        if let Some(first) = prices.first().map(|p: &Value| p["currency"].clone())
            && first != price["currency"]
        {
            return Err(ApiError::param(
                &param,
                "All prices on a subscription must have the same currency.",
            ));
        }
        prices.push(price);
    }
    let collection = args
        .collection_method
        .clone()
        .unwrap_or_else(|| "charge_automatically".into());
    let behaviour = args
        .payment_behavior
        .clone()
        .unwrap_or_else(|| "allow_incomplete".into());
    let pm = args.default_payment_method.clone().or_else(|| {
        customer["invoice_settings"]["default_payment_method"]
            .as_str()
            .map(str::to_owned)
    });
    if let Some(pm) = &args.default_payment_method {
        payments::card(pm).map_err(|e| e.with_param("default_payment_method"))?;
    }
    let trial = args.trial_period_days.filter(|d| *d > 0);
    if collection == "charge_automatically"
        && pm.is_none()
        && behaviour != "default_incomplete"
        && trial.is_none()
    {
        return Err(no_payment_method());
    }
    let currency = prices[0]["currency"].as_str().unwrap_or("usd").to_owned();
    if customer["currency"].is_null() {
        customer = x.update_and_emit("customer", &args.customer, "customer.updated", |c| {
            c["currency"] = json!(currency)
        })?;
    }
    let (interval, count) = interval_of(&prices[0]);
    let start = x.now;
    let period = match trial {
        Some(days) => (start, start + days * DAY),
        None => (start, period_end(start, &interval, count)),
    };
    let id = x.id("sub_");
    let items: Vec<Value> = args
        .items
        .iter()
        .zip(&prices)
        .map(|((_, qty), price)| wire_billing::subscription_item(&x.id("si_"), start, &id, price, *qty))
        .collect();
    let mut sub =
        wire_billing::subscription(&id, start, &args.customer, &currency, items, period, &collection);
    sub["default_payment_method"] = json!(args.default_payment_method);
    sub["days_until_due"] = json!(args.days_until_due.or(if collection == "send_invoice" {
        Some(30)
    } else {
        None
    }));
    if args.metadata.is_object() {
        sub["metadata"] = args.metadata.clone();
    }
    if let Some(days) = trial {
        sub["trial_start"] = json!(start);
        sub["trial_end"] = json!(start + days * DAY);
    }
    x.insert("subscription", sub.clone());
    x.emit("customer.subscription.created", &sub, None);
    let lines = if trial.is_some() {
        lines_for(x, &sub, period)
            .into_iter()
            .map(|mut l| {
                l["amount"] = json!(0);
                l["amount_excluding_tax"] = json!(0);
                l["description"] = json!(format!(
                    "Trial period for {}",
                    l["description"].as_str().unwrap_or("")
                ));
                l
            })
            .collect()
    } else {
        lines_for(x, &sub, period)
    };
    let inv = new_invoice(
        x,
        &customer,
        Some(&id),
        "subscription_create",
        &collection,
        &currency,
        lines,
        period,
    );
    let inv_id = inv["id"].as_str().unwrap_or_default().to_owned();
    x.update("subscription", &id, |s| s["latest_invoice"] = json!(inv_id))?;
    finalize(x, &inv_id)?;
    if trial.is_some() {
        pay(x, &inv_id, None, false)?;
        x.update_and_emit("subscription", &id, "customer.subscription.updated", |s| {
            s["status"] = json!("trialing")
        })?;
    } else if collection == "send_invoice" {
        x.update_and_emit("subscription", &id, "customer.subscription.updated", |s| {
            s["status"] = json!("active")
        })?;
    } else if behaviour != "default_incomplete" {
        // allow_incomplete: a decline leaves the subscription incomplete and still answers 200.
        let _ = pay(x, &inv_id, pm.as_deref(), false);
    }
    x.fetch("subscription", &id, "id")
}

/// Cancels a subscription now (`customer.subscription.deleted`).
pub fn cancel_subscription(x: &mut Exec<'_>, id: &str, reason: &str) -> Result<Value, ApiError> {
    let sub = x.fetch("subscription", id, "id")?;
    if sub["status"] == "canceled" || sub["status"] == "incomplete_expired" {
        return Err(ApiError::invalid(format!(
            "A canceled subscription can only update its cancellation_details and metadata. ({id})"
        )));
    }
    let now = x.now;
    let (value, _) = x.update("subscription", id, |s| {
        s["status"] = json!("canceled");
        s["canceled_at"] = json!(now);
        s["ended_at"] = json!(now);
        s["cancellation_details"]["reason"] = json!(reason);
    })?;
    x.emit("customer.subscription.deleted", &value, None);
    Ok(value)
}

/// Bills every subscription period that ended by the sandbox clock (catching up period by
/// period at the period boundaries), and ends subscriptions set to cancel at period end.
pub fn renew_due(x: &mut Exec<'_>) {
    let clock = x.clock_now;
    for _ in 0..10_000 {
        let due =
            x.st.all("subscription")
                .filter(|s| {
                    matches!(
                        s.value["status"].as_str(),
                        Some("active" | "past_due" | "trialing")
                    )
                })
                .filter(|s| s.value["current_period_end"].as_i64().is_some_and(|e| e <= clock))
                .min_by_key(|s| s.value["current_period_end"].as_i64().unwrap_or(0))
                .map(|s| s.value.clone());
        let Some(sub) = due else {
            return;
        };
        let end = sub["current_period_end"].as_i64().unwrap_or(clock);
        x.now = end;
        let id = sub["id"].as_str().unwrap_or_default().to_owned();
        if sub["cancel_at_period_end"] == true {
            let _ = cancel_subscription(x, &id, "cancellation_requested");
            continue;
        }
        let price = sub["items"]["data"][0]["price"].clone();
        let (interval, count) = interval_of(&price);
        let period = (end, period_end(end, &interval, count));
        let was_trial = sub["status"] == "trialing";
        let Ok(sub) = x.update_and_emit("subscription", &id, "customer.subscription.updated", |s| {
            s["current_period_start"] = json!(period.0);
            s["current_period_end"] = json!(period.1);
            if was_trial {
                s["status"] = json!("active");
            }
        }) else {
            return;
        };
        let Ok(customer) = x.fetch("customer", sub["customer"].as_str().unwrap_or(""), "customer") else {
            return;
        };
        let currency = sub["currency"].as_str().unwrap_or("usd").to_owned();
        let collection = sub["collection_method"]
            .as_str()
            .unwrap_or("charge_automatically")
            .to_owned();
        let lines = lines_for(x, &sub, period);
        let inv = new_invoice(
            x,
            &customer,
            Some(&id),
            "subscription_cycle",
            &collection,
            &currency,
            lines,
            period,
        );
        let inv_id = inv["id"].as_str().unwrap_or_default().to_owned();
        let _ = x.update("subscription", &id, |s| s["latest_invoice"] = json!(inv_id));
        if finalize(x, &inv_id).is_ok() && collection == "charge_automatically" {
            match default_pm(x, &inv) {
                Some(pm) => {
                    let _ = pay(x, &inv_id, Some(&pm), false);
                }
                None => {
                    let _ = x.update_and_emit("invoice", &inv_id, "invoice.payment_failed", |i| {
                        i["attempted"] = json!(true);
                        i["attempt_count"] = json!(1);
                    });
                    let _ = x.update_and_emit("subscription", &id, "customer.subscription.updated", |s| {
                        s["status"] = json!("past_due");
                    });
                }
            }
        }
    }
}
