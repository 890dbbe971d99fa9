//! The billing and payout objects (products, prices, subscriptions, invoices, payouts), shaped
//! as SPEC:stripe (API 2023-08-16) defines them.

use serde_json::{Value, json};

use super::wire::{list, merge};

/// A product.
pub fn product(id: &str, created: i64, name: &str) -> Value {
    json!({
        "id": id,
        "object": "product",
        "active": true,
        "created": created,
        "default_price": null,
        "description": null,
        "features": [],
        "images": [],
        "livemode": false,
        "metadata": {},
        "name": name,
        "package_dimensions": null,
        "shippable": null,
        "statement_descriptor": null,
        "tax_code": null,
        "unit_label": null,
        "updated": created,
        "url": null,
    })
}

/// A per-unit price; `recurring` is `(interval, interval_count)`.
pub fn price(
    id: &str,
    created: i64,
    product: &str,
    currency: &str,
    unit_amount: i64,
    recurring: Option<(&str, i64)>,
) -> Value {
    let recurring_v = recurring.map(|(interval, count)| {
        json!({
            "aggregate_usage": null,
            "interval": interval,
            "interval_count": count,
            "usage_type": "licensed",
        })
    });
    json!({
        "id": id,
        "object": "price",
        "active": true,
        "billing_scheme": "per_unit",
        "created": created,
        "currency": currency,
        "custom_unit_amount": null,
        "livemode": false,
        "lookup_key": null,
        "metadata": {},
        "nickname": null,
        "product": product,
        "recurring": recurring_v,
        "tax_behavior": "unspecified",
        "tiers_mode": null,
        "transform_quantity": null,
        "type": if recurring.is_some() { "recurring" } else { "one_time" },
        "unit_amount": unit_amount,
        "unit_amount_decimal": unit_amount.to_string(),
    })
}

/// A subscription item (the price is embedded whole).
pub fn subscription_item(id: &str, created: i64, subscription: &str, price: &Value, quantity: i64) -> Value {
    json!({
        "id": id,
        "object": "subscription_item",
        "billing_thresholds": null,
        "created": created,
        "metadata": {},
        "price": price,
        "quantity": quantity,
        "subscription": subscription,
        "tax_rates": [],
    })
}

/// A subscription in `incomplete` for one period `[start, end)`.
pub fn subscription(
    id: &str,
    created: i64,
    customer: &str,
    currency: &str,
    items: Vec<Value>,
    period: (i64, i64),
    collection_method: &str,
) -> Value {
    merge(vec![
        json!({
        "id": id,
        "object": "subscription",
        "application": null,
        "application_fee_percent": null,
        "automatic_tax": {"enabled": false},
        "billing_cycle_anchor": period.0,
        "billing_thresholds": null,
        "cancel_at": null,
        "cancel_at_period_end": false,
        "canceled_at": null,
        "cancellation_details": {"comment": null, "feedback": null, "reason": null},
        "collection_method": collection_method,
        "created": created,
        "currency": currency,
        "current_period_end": period.1,
        "current_period_start": period.0,
        "customer": customer,
        "days_until_due": null,
        "default_payment_method": null,
        "default_source": null,
        "default_tax_rates": [],
        "description": null,
        }),
        json!({
        "discount": null,
        "ended_at": null,
        "items": list(&format!("/v1/subscription_items?subscription={id}"), items, false),
        "latest_invoice": null,
        "livemode": false,
        "metadata": {},
        "next_pending_invoice_item_invoice": null,
        "on_behalf_of": null,
        "pause_collection": null,
        "payment_settings": {
            "payment_method_options": null,
            "payment_method_types": null,
            "save_default_payment_method": "off",
        },
        "pending_invoice_item_interval": null,
        "pending_setup_intent": null,
        "pending_update": null,
        "schedule": null,
        "start_date": created,
        "status": "incomplete",
        "test_clock": null,
        "transfer_data": null,
        "trial_end": null,
        "trial_settings": {"end_behavior": {"missing_payment_method": "create_invoice"}},
        "trial_start": null,
        }),
    ])
}

/// An invoice line for one subscription item over `period`.
#[allow(clippy::too_many_arguments)] // One argument per wire field that varies.
pub fn line_item(
    id: &str,
    subscription: Option<&str>,
    item: Option<&str>,
    price: Option<&Value>,
    quantity: i64,
    amount: i64,
    currency: &str,
    period: (i64, i64),
    description: &str,
) -> Value {
    let mut line = json!({
        "id": id,
        "object": "line_item",
        "amount": amount,
        "amount_excluding_tax": amount,
        "currency": currency,
        "description": description,
        "discount_amounts": [],
        "discountable": true,
        "discounts": [],
        "livemode": false,
        "metadata": {},
        "period": {"end": period.1, "start": period.0},
        "plan": null,
        "price": price,
        "proration": false,
        "proration_details": {"credited_items": null},
        "quantity": quantity,
        "subscription": subscription,
        "tax_amounts": [],
        "tax_rates": [],
        "type": if subscription.is_some() { "subscription" } else { "invoiceitem" },
        "unit_amount_excluding_tax": (if quantity > 0 { amount / quantity } else { amount }).to_string(),
    });
    if let Some(si) = item {
        line["subscription_item"] = json!(si);
    }
    line
}

/// What an invoice is created from.
#[derive(Debug, Clone)]
pub struct InvoiceSpec<'a> {
    /// `in_…`.
    pub id: &'a str,
    /// Creation time.
    pub created: i64,
    /// Customer object (for the `customer_*` copies).
    pub customer: &'a Value,
    /// Subscription id.
    pub subscription: Option<&'a str>,
    /// `subscription_create`, `subscription_cycle`, `manual`.
    pub billing_reason: &'a str,
    /// `charge_automatically` or `send_invoice`.
    pub collection_method: &'a str,
    /// Lower-case currency.
    pub currency: &'a str,
    /// Lines.
    pub lines: Vec<Value>,
    /// Billing period.
    pub period: (i64, i64),
}

/// A draft invoice; totals are the sum of its lines.
pub fn invoice(spec: &InvoiceSpec<'_>) -> Value {
    let total: i64 = spec.lines.iter().filter_map(|l| l["amount"].as_i64()).sum();
    let c = spec.customer;
    merge(vec![
        json!({
        "id": spec.id,
        "object": "invoice",
        "account_country": "US",
        "account_name": "Paysync Sandbox",
        "account_tax_ids": null,
        "amount_due": total,
        "amount_paid": 0,
        "amount_remaining": total,
        "amount_shipping": 0,
        "application": null,
        "application_fee_amount": null,
        "attempt_count": 0,
        "attempted": false,
        "auto_advance": true,
        "automatic_tax": {"enabled": false, "status": null},
        "billing_reason": spec.billing_reason,
        "charge": null,
        "collection_method": spec.collection_method,
        "created": spec.created,
        "currency": spec.currency,
        "custom_fields": null,
        "customer": c["id"],
        }),
        json!({
        "customer_address": null,
        "customer_email": c["email"],
        "customer_name": c["name"],
        "customer_phone": c["phone"],
        "customer_shipping": null,
        "customer_tax_exempt": "none",
        "customer_tax_ids": [],
        "default_payment_method": null,
        "default_source": null,
        "default_tax_rates": [],
        "description": null,
        "discount": null,
        "discounts": [],
        "due_date": null,
        "effective_at": null,
        "ending_balance": null,
        "footer": null,
        "from_invoice": null,
        "hosted_invoice_url": null,
        "invoice_pdf": null,
        "last_finalization_error": null,
        "latest_revision": null,
        }),
        json!({
        "lines": list(&format!("/v1/invoices/{}/lines", spec.id), spec.lines.clone(), false),
        "livemode": false,
        "metadata": {},
        "next_payment_attempt": null,
        "number": null,
        "on_behalf_of": null,
        "paid": false,
        "paid_out_of_band": false,
        "payment_intent": null,
        "payment_settings": {"default_mandate": null, "payment_method_options": null,
                             "payment_method_types": null},
        "period_end": spec.period.1,
        "period_start": spec.period.0,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "quote": null,
        "receipt_number": null,
        "rendering_options": null,
        "shipping_cost": null,
        "shipping_details": null,
        "starting_balance": 0,
        "statement_descriptor": null,
        "status": "draft",
        }),
        json!({
        "status_transitions": {"finalized_at": null, "marked_uncollectible_at": null,
                               "paid_at": null, "voided_at": null},
        "subscription": spec.subscription,
        "subscription_details": {"metadata": {}},
        "subtotal": total,
        "subtotal_excluding_tax": total,
        "tax": null,
        "test_clock": null,
        "total": total,
        "total_discount_amounts": [],
        "total_excluding_tax": total,
        "total_tax_amounts": [],
        "transfer_data": null,
        "webhooks_delivered_at": null,
        }),
    ])
}

/// A payout in `pending`.
pub fn payout(
    id: &str,
    created: i64,
    amount: i64,
    currency: &str,
    arrival_date: i64,
    automatic: bool,
) -> Value {
    json!({
        "id": id,
        "object": "payout",
        "amount": amount,
        "arrival_date": arrival_date,
        "automatic": automatic,
        "balance_transaction": null,
        "created": created,
        "currency": currency,
        "description": if automatic { json!("STRIPE PAYOUT") } else { Value::Null },
        "destination": "ba_1SandboxBankAcct0000001",
        "failure_balance_transaction": null,
        "failure_code": null,
        "failure_message": null,
        "livemode": false,
        "metadata": {},
        "method": "standard",
        "original_payout": null,
        "reconciliation_status": if automatic { "in_progress" } else { "not_applicable" },
        "reversed_by": null,
        "source_type": "card",
        "statement_descriptor": null,
        "status": "pending",
        "type": "bank_account",
    })
}
