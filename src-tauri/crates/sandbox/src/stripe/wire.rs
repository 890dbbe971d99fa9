//! The JSON objects, shaped as SPEC:stripe (API 2023-08-16) defines them and as fixtures3.json
//! shows them. Each builder returns a complete object with every field Stripe sends; state
//! machines then change fields in place. The spec validation test checks these shapes.

use serde_json::{Value, json};

/// Joins object parts built separately (one `json!` per part keeps macro recursion shallow).
pub fn merge(parts: Vec<Value>) -> Value {
    let mut out = serde_json::Map::new();
    for part in parts {
        if let Value::Object(m) = part {
            out.extend(m);
        }
    }
    Value::Object(out)
}

/// A list object: `{object:"list", data, has_more, url}`.
pub fn list(url: &str, data: Vec<Value>, has_more: bool) -> Value {
    // `data` moves in: `json!` would copy every object of the page once more.
    let mut list = serde_json::Map::new();
    list.insert("object".to_owned(), json!("list"));
    list.insert("data".to_owned(), Value::Array(data));
    list.insert("has_more".to_owned(), json!(has_more));
    list.insert("url".to_owned(), json!(url));
    Value::Object(list)
}

/// `{id, object, deleted: true}` for a deleted customer, product or invoice.
pub fn deleted(id: &str, object: &str) -> Value {
    json!({"id": id, "object": object, "deleted": true})
}

/// A customer.
pub fn customer(id: &str, created: i64, invoice_prefix: &str) -> Value {
    json!({
        "id": id,
        "object": "customer",
        "address": null,
        "balance": 0,
        "created": created,
        "currency": null,
        "default_source": null,
        "delinquent": false,
        "description": null,
        "discount": null,
        "email": null,
        "invoice_prefix": invoice_prefix,
        "invoice_settings": {
            "custom_fields": null,
            "default_payment_method": null,
            "footer": null,
            "rendering_options": null,
        },
        "livemode": false,
        "metadata": {},
        "name": null,
        "next_invoice_sequence": 1,
        "phone": null,
        "preferred_locales": [],
        "shipping": null,
        "tax_exempt": "none",
        "test_clock": null,
    })
}

/// A payment intent in `requires_payment_method`.
pub fn payment_intent(id: &str, created: i64, amount: i64, currency: &str, client_secret: &str) -> Value {
    merge(vec![
        json!({
        "id": id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": null,
        "application_fee_amount": null,
        "automatic_payment_methods": {"allow_redirects": "always", "enabled": true},
        "canceled_at": null,
        "cancellation_reason": null,
        "capture_method": "automatic",
        "client_secret": client_secret,
        "confirmation_method": "automatic",
        "created": created,
        "currency": currency,
        "customer": null,
        "description": null,
        "invoice": null,
        "last_payment_error": null,
        "latest_charge": null,
        "livemode": false,
        }),
        json!({
        "metadata": {},
        "next_action": null,
        "on_behalf_of": null,
        "payment_method": null,
        "payment_method_configuration_details": null,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "processing": null,
        "receipt_email": null,
        "review": null,
        "setup_future_usage": null,
        "shipping": null,
        "source": null,
        "statement_descriptor": null,
        "statement_descriptor_suffix": null,
        "status": "requires_payment_method",
        "transfer_data": null,
        "transfer_group": null,
        }),
    ])
}

/// What a charge is created from.
#[derive(Debug, Clone)]
pub struct ChargeSpec<'a> {
    /// `ch_…`.
    pub id: &'a str,
    /// Creation time.
    pub created: i64,
    /// Amount in minor units.
    pub amount: i64,
    /// Lower-case currency.
    pub currency: &'a str,
    /// Customer id, if any.
    pub customer: Option<&'a str>,
    /// Payment intent id.
    pub payment_intent: Option<&'a str>,
    /// Invoice id.
    pub invoice: Option<&'a str>,
    /// Payment method id.
    pub payment_method: &'a str,
    /// `payment_method_details`.
    pub payment_method_details: Value,
    /// Description.
    pub description: Value,
    /// Metadata (copied from the payment intent).
    pub metadata: Value,
}

/// A charge; `outcome` decides status and the failure fields.
pub fn charge(spec: &ChargeSpec<'_>, failure: Option<(&str, &str, Option<&str>)>, captured: bool) -> Value {
    let ok = failure.is_none();
    let outcome = match failure {
        None => json!({
            "network_status": "approved_by_network",
            "reason": null,
            "risk_level": "normal",
            "risk_score": 32,
            "seller_message": "Payment complete.",
            "type": "authorized",
        }),
        Some((code, _, decline)) => json!({
            "network_status": "declined_by_network",
            "reason": decline.unwrap_or(code),
            "risk_level": "normal",
            "risk_score": 41,
            "seller_message": "The bank did not return any further details with this decline.",
            "type": "issuer_declined",
        }),
    };
    let head = json!({
        "id": spec.id,
        "object": "charge",
        "amount": spec.amount,
        "amount_captured": if ok && captured { spec.amount } else { 0 },
        "amount_refunded": 0,
        "application": null,
        "application_fee": null,
        "application_fee_amount": null,
        "balance_transaction": null,
        "billing_details": {
            "address": {"city": null, "country": null, "line1": null, "line2": null,
                        "postal_code": null, "state": null},
            "email": null,
            "name": null,
            "phone": null,
        },
        "calculated_statement_descriptor": "PAYSYNC SANDBOX",
        "captured": ok && captured,
        "created": spec.created,
        "currency": spec.currency,
        "customer": spec.customer,
        "description": spec.description,
        "disputed": false,
        "failure_balance_transaction": null,
        "failure_code": failure.map(|f| f.0),
        "failure_message": failure.map(|f| f.1),
        "fraud_details": {},
    });
    let tail = json!({
        "invoice": spec.invoice,
        "livemode": false,
        "metadata": spec.metadata,
        "on_behalf_of": null,
        "outcome": outcome,
        "paid": ok,
        "payment_intent": spec.payment_intent,
        "payment_method": spec.payment_method,
        "payment_method_details": spec.payment_method_details,
        "radar_options": {},
        "receipt_email": null,
        "receipt_number": null,
        "receipt_url": format!("https://pay.stripe.com/receipts/payment/{}", spec.id),
        "refunded": false,
        "review": null,
        "shipping": null,
        "source": null,
        "source_transfer": null,
        "statement_descriptor": null,
        "statement_descriptor_suffix": null,
        "status": if ok { "succeeded" } else { "failed" },
        "transfer_data": null,
        "transfer_group": null,
    });
    merge(vec![head, tail])
}

/// A balance transaction. `fee` is one `stripe_fee` entry when non-zero.
#[allow(clippy::too_many_arguments)] // One argument per field that varies; a struct would only rename them.
pub fn balance_transaction(
    id: &str,
    created: i64,
    available_on: i64,
    amount: i64,
    fee: i64,
    currency: &str,
    kind: &str,
    reporting_category: &str,
    source: &str,
    description: Option<&str>,
    status: &str,
) -> Value {
    let fee_details = if fee == 0 {
        json!([])
    } else {
        json!([{
            "amount": fee,
            "application": null,
            "currency": currency,
            "description": "Stripe processing fees",
            "type": "stripe_fee",
        }])
    };
    json!({
        "id": id,
        "object": "balance_transaction",
        "amount": amount,
        "available_on": available_on,
        "created": created,
        "currency": currency,
        "description": description,
        "exchange_rate": null,
        "fee": fee,
        "fee_details": fee_details,
        "net": amount - fee,
        "reporting_category": reporting_category,
        "source": source,
        "status": status,
        "type": kind,
    })
}

/// A refund.
pub fn refund(
    id: &str,
    created: i64,
    amount: i64,
    currency: &str,
    charge: &str,
    payment_intent: &Value,
) -> Value {
    json!({
        "id": id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": null,
        "charge": charge,
        "created": created,
        "currency": currency,
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": null,
        "receipt_number": null,
        "source_transfer_reversal": null,
        "status": "succeeded",
        "transfer_reversal": null,
    })
}

/// Every dispute evidence field, empty.
fn empty_evidence() -> Value {
    let mut m = serde_json::Map::new();
    for k in [
        "access_activity_log",
        "billing_address",
        "cancellation_policy",
        "cancellation_policy_disclosure",
        "cancellation_rebuttal",
        "customer_communication",
        "customer_email_address",
        "customer_name",
        "customer_purchase_ip",
        "customer_signature",
        "duplicate_charge_documentation",
        "duplicate_charge_explanation",
        "duplicate_charge_id",
        "product_description",
        "receipt",
        "refund_policy",
        "refund_policy_disclosure",
        "refund_refusal_explanation",
        "service_date",
        "service_documentation",
        "shipping_address",
        "shipping_carrier",
        "shipping_date",
        "shipping_documentation",
        "shipping_tracking_number",
        "uncategorized_file",
        "uncategorized_text",
    ] {
        m.insert(k.into(), Value::Null);
    }
    Value::Object(m)
}

/// A dispute (its balance transactions are embedded whole, as Stripe does).
#[allow(clippy::too_many_arguments)] // One argument per field that varies; a struct would only rename them.
pub fn dispute(
    id: &str,
    created: i64,
    amount: i64,
    currency: &str,
    charge: &str,
    payment_intent: &Value,
    reason: &str,
    status: &str,
    brand: &str,
) -> Value {
    json!({
        "id": id,
        "object": "dispute",
        "amount": amount,
        "balance_transactions": [],
        "charge": charge,
        "created": created,
        "currency": currency,
        "evidence": empty_evidence(),
        "evidence_details": {
            "due_by": created + 21 * 86_400,
            "has_evidence": false,
            "past_due": false,
            "submission_count": 0,
        },
        "is_charge_refundable": false,
        "livemode": false,
        "metadata": {},
        "payment_intent": payment_intent,
        "payment_method_details": {"card": {"brand": brand, "network_reason_code": "10.4"}, "type": "card"},
        "reason": reason,
        "status": status,
    })
}
