//! Customers, payment intents, charges, refunds and disputes.

use axum::http::Method;
use serde_json::{Value, json};

use super::disputes::{self, RefundArgs};
use super::errors::ApiError;
use super::ledger;
use super::list;
use super::params as p;
use super::payments::{self, IntentArgs};
use super::routes::{Call, NONE, Route, route};
use super::spec_core::*;
use super::state::Exec;
use super::wire;

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::POST,
            "/v1/customers",
            &CUSTOMER_CREATE,
            false,
            Some(check_email),
            create_customer,
        ),
        route(
            Method::GET,
            "/v1/customers",
            &CUSTOMER_LIST,
            true,
            None,
            list_customers,
        ),
        route(Method::GET, "/v1/customers/:id", &NONE, false, None, get_customer),
        route(
            Method::POST,
            "/v1/customers/:id",
            &CUSTOMER_UPDATE,
            false,
            Some(check_email),
            update_customer,
        ),
        route(
            Method::DELETE,
            "/v1/customers/:id",
            &NONE,
            false,
            None,
            delete_customer,
        ),
        route(
            Method::POST,
            "/v1/payment_intents",
            &PI_CREATE,
            false,
            Some(check_pi_amount),
            create_pi,
        ),
        route(Method::GET, "/v1/payment_intents", &PI_LIST, true, None, list_pis),
        route(
            Method::GET,
            "/v1/payment_intents/:id",
            &PI_RETRIEVE,
            false,
            None,
            get_pi,
        ),
        route(
            Method::POST,
            "/v1/payment_intents/:id",
            &PI_UPDATE,
            false,
            None,
            update_pi,
        ),
        route(
            Method::POST,
            "/v1/payment_intents/:id/confirm",
            &PI_CONFIRM,
            false,
            None,
            confirm_pi,
        ),
        route(
            Method::POST,
            "/v1/payment_intents/:id/capture",
            &PI_CAPTURE,
            false,
            None,
            capture_pi,
        ),
        route(
            Method::POST,
            "/v1/payment_intents/:id/cancel",
            &PI_CANCEL,
            false,
            None,
            cancel_pi,
        ),
        route(Method::GET, "/v1/charges", &CHARGE_LIST, true, None, list_charges),
        route(Method::GET, "/v1/charges/:id", &NONE, false, None, get_charge),
        route(
            Method::POST,
            "/v1/charges/:id",
            &CHARGE_UPDATE,
            false,
            None,
            update_charge,
        ),
        route(
            Method::GET,
            "/v1/charges/:id/refunds",
            &NONE,
            true,
            None,
            list_charge_refunds,
        ),
        route(
            Method::POST,
            "/v1/charges/:id/refunds",
            &CHARGE_REFUND_CREATE,
            false,
            None,
            create_charge_refund,
        ),
        route(
            Method::POST,
            "/v1/refunds",
            &REFUND_CREATE,
            false,
            None,
            create_refund,
        ),
        route(Method::GET, "/v1/refunds", &REFUND_LIST, true, None, list_refunds),
        route(Method::GET, "/v1/refunds/:id", &NONE, false, None, get_refund),
        route(
            Method::POST,
            "/v1/refunds/:id",
            &META_ONLY,
            false,
            None,
            update_refund,
        ),
        route(
            Method::GET,
            "/v1/disputes",
            &REFUND_LIST,
            true,
            None,
            list_disputes,
        ),
        route(Method::GET, "/v1/disputes/:id", &NONE, false, None, get_dispute),
        route(
            Method::POST,
            "/v1/disputes/:id",
            &DISPUTE_UPDATE,
            false,
            None,
            update_dispute,
        ),
        route(
            Method::POST,
            "/v1/disputes/:id/close",
            &NONE,
            false,
            None,
            close_dispute,
        ),
    ]
}

fn check_email(params: &Value) -> Result<(), ApiError> {
    match p::s_nonempty(params, "email") {
        Some(e) if !e.contains('@') || e.starts_with('@') || e.ends_with('@') => {
            Err(ApiError::param("email", format!("Invalid email address: {e}")).with_code("email_invalid"))
        }
        _ => Ok(()),
    }
}

fn check_pi_amount(params: &Value) -> Result<(), ApiError> {
    let currency = p::s(params, "currency").unwrap_or_default();
    ledger::currency(currency, "currency")?;
    ledger::check_amount("amount", p::i(params, "amount").unwrap_or(0), currency, true)
}

/// The default payment method named in `invoice_settings[default_payment_method]`, checked.
fn default_pm_param(params: &Value) -> Result<Option<Value>, ApiError> {
    match params["invoice_settings"]["default_payment_method"].as_str() {
        None => Ok(None),
        Some("") => Ok(Some(Value::Null)),
        Some(pm) => payments::card(pm)
            .map(|c| Some(json!(c.id)))
            .map_err(|e| e.with_param("invoice_settings[default_payment_method]")),
    }
}

fn apply_customer(c: &mut Value, params: &Value, pm: Option<Value>) {
    p::apply_strings(
        c,
        params,
        &["email", "name", "description", "phone", "invoice_prefix"],
    );
    p::apply_metadata(c, params);
    apply_address(c, params);
    if let Some(b) = p::i(params, "balance") {
        c["balance"] = json!(b);
    }
    if let Some(t) = p::s(params, "tax_exempt") {
        c["tax_exempt"] = json!(t);
    }
    if let Some(pm) = pm {
        c["invoice_settings"]["default_payment_method"] = pm;
    }
}

/// `address`: `""` unsets it; a hash sets the sub-fields it names (`""` unsets one), keeping the
/// rest, as Stripe does.
fn apply_address(c: &mut Value, params: &Value) {
    const PARTS: [&str; 6] = ["city", "country", "line1", "line2", "postal_code", "state"];
    match params.get("address") {
        Some(Value::String(s)) if s.is_empty() => c["address"] = Value::Null,
        Some(Value::Object(given)) => {
            if !c["address"].is_object() {
                c["address"] = json!({"city": null, "country": null, "line1": null, "line2": null, "postal_code": null, "state": null});
            }
            for part in PARTS {
                if let Some(v) = given.get(part).and_then(Value::as_str) {
                    c["address"][part] = if v.is_empty() { Value::Null } else { json!(v) };
                }
            }
        }
        _ => {}
    }
}

/// A new customer (shared with seeding).
pub fn new_customer(x: &mut Exec<'_>, params: &Value) -> Result<Value, ApiError> {
    let pm = default_pm_param(params)?;
    let id = x.id("cus_");
    let prefix: String = super::state::base62(x.rng, 8).to_uppercase();
    let mut c = wire::customer(&id, x.now, &prefix);
    apply_customer(&mut c, params, pm);
    x.insert("customer", c.clone());
    x.emit("customer.created", &c, None);
    Ok(c)
}

fn create_customer(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    new_customer(x, &c.params)
}

fn list_customers(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let email = p::s(&c.params, "email").map(str::to_owned);
    list::page(x.st, "customer", "/v1/customers", &c.params, |v| {
        email.as_deref().is_none_or(|e| v["email"] == e)
    })
}

fn get_customer(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    if x.st.get("deleted", c.id()).is_some() {
        return Ok(wire::deleted(c.id(), "customer"));
    }
    x.fetch("customer", c.id(), "id")
}

fn update_customer(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("customer", c.id(), "id")?;
    let pm = default_pm_param(&c.params)?;
    x.update_and_emit("customer", c.id(), "customer.updated", |v| {
        apply_customer(v, &c.params, pm)
    })
    .and_then(|_| x.fetch("customer", c.id(), "id"))
}

fn delete_customer(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let customer = x.fetch("customer", c.id(), "id")?;
    let subs: Vec<String> =
        x.st.all("subscription")
            .filter(|s| {
                s.value["customer"] == c.id()
                    && !matches!(
                        s.value["status"].as_str(),
                        Some("canceled" | "incomplete_expired")
                    )
            })
            .filter_map(|s| s.value["id"].as_str().map(str::to_owned))
            .collect();
    for s in subs {
        super::billing::cancel_subscription(x, &s, "cancellation_requested")?;
    }
    x.remove("customer", c.id());
    let deleted = wire::deleted(c.id(), "customer");
    let mut tomb = deleted.clone();
    tomb["created"] = customer["created"].clone();
    x.insert("deleted", tomb);
    x.emit("customer.deleted", &customer, None);
    Ok(deleted)
}

fn create_pi(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let params = &c.params;
    if let Some(cus) = p::s_nonempty(params, "customer") {
        x.fetch("customer", cus, "customer")?;
    }
    if let Some(pm) = p::s_nonempty(params, "payment_method") {
        payments::card(pm)?;
    }
    let types = params
        .get("payment_method_types")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect());
    let pi = payments::create_intent(
        x,
        IntentArgs {
            amount: p::i(params, "amount").unwrap_or(0),
            currency: p::s(params, "currency").unwrap_or("usd").to_owned(),
            customer: p::s_nonempty(params, "customer").map(str::to_owned),
            description: p::s_nonempty(params, "description").map(str::to_owned),
            metadata: params
                .get("metadata")
                .cloned()
                .filter(Value::is_object)
                .unwrap_or(json!({})),
            capture_method: p::s(params, "capture_method").map(str::to_owned),
            payment_method: p::s_nonempty(params, "payment_method").map(str::to_owned),
            payment_method_types: types,
            invoice: None,
        },
    );
    if p::b(params, "confirm") == Some(true) {
        let id = pi["id"].as_str().unwrap_or_default().to_owned();
        return payments::confirm(x, &id, None);
    }
    Ok(pi)
}

fn list_pis(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let customer = p::s(&c.params, "customer").map(str::to_owned);
    list::page(x.st, "payment_intent", "/v1/payment_intents", &c.params, |v| {
        customer.as_deref().is_none_or(|cus| v["customer"] == cus)
    })
}

fn get_pi(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("payment_intent", c.id(), "id")
}

fn update_pi(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let pi = x.fetch("payment_intent", c.id(), "id")?;
    let params = &c.params;
    let changes_money = ["amount", "currency", "payment_method", "capture_method"]
        .iter()
        .any(|k| params.get(*k).is_some());
    if changes_money
        && !matches!(
            pi["status"].as_str(),
            Some("requires_payment_method" | "requires_confirmation" | "requires_action")
        )
    {
        return Err(ApiError::invalid(format!(
            "You cannot update this PaymentIntent because it has a status of {}.",
            pi["status"].as_str().unwrap_or_default()
        ))
        .with_code("payment_intent_unexpected_state"));
    }
    let currency = p::s(params, "currency")
        .unwrap_or(pi["currency"].as_str().unwrap_or("usd"))
        .to_owned();
    if let Some(a) = p::i(params, "amount") {
        ledger::check_amount("amount", a, &currency, true)?;
    }
    if let Some(cus) = p::s_nonempty(params, "customer") {
        x.fetch("customer", cus, "customer")?;
    }
    if let Some(pm) = p::s_nonempty(params, "payment_method") {
        payments::card(pm)?;
    }
    let (v, _) = x.update("payment_intent", c.id(), |v| {
        p::apply_strings(
            v,
            params,
            &[
                "description",
                "customer",
                "receipt_email",
                "capture_method",
                "statement_descriptor",
            ],
        );
        p::apply_metadata(v, params);
        if let Some(a) = p::i(params, "amount") {
            v["amount"] = json!(a);
        }
        v["currency"] = json!(currency);
        if let Some(pm) = p::s(params, "payment_method") {
            v["payment_method"] = if pm.is_empty() { Value::Null } else { json!(pm) };
            v["status"] = json!(if pm.is_empty() {
                "requires_payment_method"
            } else {
                "requires_confirmation"
            });
        }
    })?;
    Ok(v)
}

fn confirm_pi(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    if let Some(m) = p::s(&c.params, "capture_method") {
        x.update("payment_intent", c.id(), |v| v["capture_method"] = json!(m))
            .map_err(|_| ApiError::missing_resource("payment_intent", c.id(), "id"))?;
    }
    payments::confirm(x, c.id(), p::s_nonempty(&c.params, "payment_method"))
}

fn capture_pi(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let v = payments::capture(x, c.id(), p::i(&c.params, "amount_to_capture"))?;
    if c.params.get("metadata").is_some() {
        return Ok(x
            .update("payment_intent", c.id(), |v| p::apply_metadata(v, &c.params))?
            .0);
    }
    Ok(v)
}

fn cancel_pi(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    payments::cancel(x, c.id(), p::s(&c.params, "cancellation_reason"))
}

fn list_charges(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let customer = p::s(&c.params, "customer").map(str::to_owned);
    let pi = p::s(&c.params, "payment_intent").map(str::to_owned);
    list::page(x.st, "charge", "/v1/charges", &c.params, |v| {
        customer.as_deref().is_none_or(|cus| v["customer"] == cus)
            && pi.as_deref().is_none_or(|i| v["payment_intent"] == i)
    })
}

fn get_charge(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("charge", c.id(), "id")
}

fn update_charge(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("charge", c.id(), "id")?;
    x.update_and_emit("charge", c.id(), "charge.updated", |v| {
        p::apply_strings(v, &c.params, &["description", "receipt_email", "transfer_group"]);
        p::apply_metadata(v, &c.params);
    })
    .and_then(|_| x.fetch("charge", c.id(), "id"))
}

fn refund_args(params: &Value) -> RefundArgs {
    RefundArgs {
        amount: p::i(params, "amount"),
        reason: p::s_nonempty(params, "reason").map(str::to_owned),
        metadata: params
            .get("metadata")
            .cloned()
            .filter(Value::is_object)
            .unwrap_or(json!({})),
        status: None,
    }
}

fn create_refund(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let params = &c.params;
    let charge = match (
        p::s_nonempty(params, "charge"),
        p::s_nonempty(params, "payment_intent"),
    ) {
        (Some(ch), _) => ch.to_owned(),
        (None, Some(pi)) => {
            let intent = x.fetch("payment_intent", pi, "payment_intent")?;
            if intent["status"] != "succeeded" {
                return Err(ApiError::param(
                    "payment_intent",
                    format!("This PaymentIntent ({pi}) does not have a successful charge to refund."),
                ));
            }
            intent["latest_charge"].as_str().unwrap_or_default().to_owned()
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "One of the following params should be provided for this request: payment_intent or charge.",
            ));
        }
    };
    disputes::refund(x, &charge, refund_args(params))
}

fn create_charge_refund(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    disputes::refund(x, c.id(), refund_args(&c.params))
}

fn list_refunds(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let charge = p::s(&c.params, "charge").map(str::to_owned);
    let pi = p::s(&c.params, "payment_intent").map(str::to_owned);
    list::page(x.st, "refund", "/v1/refunds", &c.params, |v| {
        charge.as_deref().is_none_or(|ch| v["charge"] == ch)
            && pi.as_deref().is_none_or(|i| v["payment_intent"] == i)
    })
}

fn list_charge_refunds(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("charge", c.id(), "id")?;
    let url = format!("/v1/charges/{}/refunds", c.id());
    list::page(x.st, "refund", &url, &c.params, |v| v["charge"] == c.id())
}

fn get_refund(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("refund", c.id(), "id")
}

fn update_refund(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("refund", c.id(), "id")?;
    x.update_and_emit("refund", c.id(), "refund.updated", |v| {
        p::apply_metadata(v, &c.params)
    })
    .and_then(|_| x.fetch("refund", c.id(), "id"))
}

fn list_disputes(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let charge = p::s(&c.params, "charge").map(str::to_owned);
    let pi = p::s(&c.params, "payment_intent").map(str::to_owned);
    list::page(x.st, "dispute", "/v1/disputes", &c.params, |v| {
        charge.as_deref().is_none_or(|ch| v["charge"] == ch)
            && pi.as_deref().is_none_or(|i| v["payment_intent"] == i)
    })
}

fn get_dispute(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("dispute", c.id(), "id")
}

fn update_dispute(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    disputes::update(x, c.id(), &c.params)?;
    x.fetch("dispute", c.id(), "id")
}

fn close_dispute(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    disputes::close(x, c.id())
}
