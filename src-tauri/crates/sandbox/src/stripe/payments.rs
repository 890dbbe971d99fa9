//! Payment intents and their charges (apis.md §2.6): `requires_payment_method` →
//! `requires_confirmation` → (`requires_action`) → `requires_capture` | `succeeded`, declines back
//! to `requires_payment_method` with a failed charge and a 402 `card_error`, capture and cancel.
//! A successful capture books a `charge` balance transaction with Stripe's fee.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::cards::{self, Behaviour, TestCard};
use super::disputes;
use super::errors::{ApiError, CARD_ERROR, doc_url};
use super::ledger;
use super::state::Exec;
use super::wire::{self, ChargeSpec};

/// What a payment intent is created with.
#[derive(Debug, Clone, Default)]
pub struct IntentArgs {
    /// Minor units.
    pub amount: i64,
    /// Lower-case currency.
    pub currency: String,
    /// Customer id.
    pub customer: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Metadata object.
    pub metadata: Value,
    /// `automatic` (default), `automatic_async` or `manual`.
    pub capture_method: Option<String>,
    /// Payment method id.
    pub payment_method: Option<String>,
    /// Explicit `payment_method_types`.
    pub payment_method_types: Option<Vec<String>>,
    /// The invoice being paid.
    pub invoice: Option<String>,
}

/// The test card `pm`, or Stripe's 404 for an unknown payment method.
pub fn card(pm: &str) -> Result<&'static TestCard, ApiError> {
    cards::find(pm).ok_or_else(|| ApiError::missing_resource("PaymentMethod", pm, "payment_method"))
}

/// Creates a payment intent (`payment_intent.created`).
pub fn create_intent(x: &mut Exec<'_>, args: IntentArgs) -> Value {
    let id = x.id("pi_");
    let secret = format!("{id}_secret_{}", super::state::base62(x.rng, 25));
    let mut pi = wire::payment_intent(&id, x.now, args.amount, &args.currency, &secret);
    pi["customer"] = json!(args.customer);
    pi["description"] = json!(args.description);
    if args.metadata.is_object() {
        pi["metadata"] = args.metadata;
    }
    if let Some(m) = args.capture_method {
        pi["capture_method"] = json!(m);
    }
    if let Some(types) = args.payment_method_types {
        pi["payment_method_types"] = json!(types);
        pi["automatic_payment_methods"] = Value::Null;
    }
    if let Some(pm) = args.payment_method {
        pi["payment_method"] = json!(pm);
        pi["status"] = json!("requires_confirmation");
    }
    pi["invoice"] = json!(args.invoice);
    x.insert("payment_intent", pi.clone());
    x.emit("payment_intent.created", &pi, None);
    pi
}

fn unexpected_state(pi: &Value, verb: &str, allowed: &str) -> ApiError {
    let status = pi["status"].as_str().unwrap_or_default();
    ApiError::invalid(format!(
        "You cannot {verb} this PaymentIntent because it has a status of {status}. Only a PaymentIntent \
         with one of the following statuses may be {verb}ed: {allowed}."
    ))
    .with_code("payment_intent_unexpected_state")
    .with_extra("payment_intent", pi.clone())
}

/// Confirms a payment intent with its (or the given) payment method and charges the card.
/// A decline commits the failed charge and returns the 402 `card_error`.
pub fn confirm(x: &mut Exec<'_>, id: &str, pm: Option<&str>) -> Result<Value, ApiError> {
    let pi = x.fetch("payment_intent", id, "id")?;
    let status = pi["status"].as_str().unwrap_or_default().to_owned();
    if !matches!(
        status.as_str(),
        "requires_payment_method" | "requires_confirmation" | "requires_action"
    ) {
        return Err(unexpected_state(
            &pi,
            "confirm",
            "requires_confirmation, requires_action, requires_payment_method",
        )
        .with_code("payment_intent_unexpected_state"));
    }
    let pm = pm
        .map(str::to_owned)
        .or_else(|| pi["payment_method"].as_str().map(str::to_owned))
        .ok_or_else(|| {
            ApiError::invalid(
                "You cannot confirm this PaymentIntent because it's missing a payment method. You can either \
                 update the PaymentIntent with a payment method and then confirm it again, or confirm it \
                 again directly with a payment method.",
            )
            .with_code("payment_intent_unexpected_state")
        })?;
    let card = card(&pm)?;
    let authenticated = status == "requires_action" && pi["payment_method"] == pm.as_str();
    match card.behaviour {
        Behaviour::RequiresAction if !authenticated => {
            let v = x.update_and_emit("payment_intent", id, "payment_intent.requires_action", |p| {
                p["status"] = json!("requires_action");
                p["payment_method"] = json!(pm);
                p["next_action"] = json!({"type": "use_stripe_sdk", "use_stripe_sdk": {
                    "type": "three_d_secure_redirect",
                    "stripe_js": format!("https://hooks.stripe.com/redirect/authenticate/{id}")}});
            })?;
            Ok(v)
        }
        Behaviour::Decline {
            code,
            decline_code,
            message,
        } => Err(decline(x, &pi, card, code, decline_code, message)),
        _ => {
            let pi = succeed(x, &pi, card)?;
            if card.behaviour == Behaviour::Dispute
                && let Some(ch) = pi["latest_charge"].as_str()
            {
                let amount = pi["amount"].as_i64().unwrap_or(0);
                disputes::open(x, ch, amount, "fraudulent", "needs_response")?;
            }
            Ok(x.fetch("payment_intent", id, "id")?)
        }
    }
}

fn new_charge(
    x: &mut Exec<'_>,
    pi: &Value,
    card: &TestCard,
    failure: Option<(&str, &str, Option<&str>)>,
) -> Value {
    let id = x.id("ch_");
    let captured = pi["capture_method"] != "manual";
    let spec = ChargeSpec {
        id: &id,
        created: x.now,
        amount: pi["amount"].as_i64().unwrap_or(0),
        currency: pi["currency"].as_str().unwrap_or("usd"),
        customer: pi["customer"].as_str(),
        payment_intent: pi["id"].as_str(),
        invoice: pi["invoice"].as_str(),
        payment_method: card.id,
        payment_method_details: card.payment_method_details(true),
        description: pi["description"].clone(),
        metadata: pi["metadata"].clone(),
    };
    let charge = wire::charge(&spec, failure, captured);
    x.insert("charge", charge.clone());
    charge
}

/// Books the `charge` balance transaction for `amount` captured on `charge_id`.
fn book(x: &mut Exec<'_>, charge_id: &str, amount: i64, currency: &str, description: &Value) -> Value {
    let fee = ledger::fee(amount, currency);
    ledger::add_txn(
        x,
        amount,
        fee,
        currency,
        "charge",
        "charge",
        charge_id,
        description.as_str(),
    )
}

fn succeed(x: &mut Exec<'_>, pi: &Value, card: &TestCard) -> Result<Value, ApiError> {
    let id = pi["id"].as_str().unwrap_or_default().to_owned();
    let amount = pi["amount"].as_i64().unwrap_or(0);
    let currency = pi["currency"].as_str().unwrap_or("usd").to_owned();
    let mut charge = new_charge(x, pi, card, None);
    let ch = charge["id"].as_str().unwrap_or_default().to_owned();
    let manual = pi["capture_method"] == "manual";
    if !manual {
        let txn = book(x, &ch, amount, &currency, &pi["description"]);
        charge = x
            .update("charge", &ch, |c| c["balance_transaction"] = txn["id"].clone())?
            .0;
    }
    x.emit("charge.succeeded", &charge, None);
    let (value, _) = x.update("payment_intent", &id, |p| {
        p["payment_method"] = json!(card.id);
        p["latest_charge"] = json!(ch);
        p["last_payment_error"] = Value::Null;
        p["next_action"] = Value::Null;
        if manual {
            p["status"] = json!("requires_capture");
            p["amount_capturable"] = json!(amount);
        } else {
            p["status"] = json!("succeeded");
            p["amount_received"] = json!(amount);
        }
    })?;
    let event = if manual {
        "payment_intent.amount_capturable_updated"
    } else {
        "payment_intent.succeeded"
    };
    x.emit(event, &value, None);
    Ok(value)
}

fn decline(
    x: &mut Exec<'_>,
    pi: &Value,
    card: &TestCard,
    code: &str,
    decline_code: Option<&str>,
    message: &str,
) -> ApiError {
    let charge = new_charge(x, pi, card, Some((code, message, decline_code)));
    x.emit("charge.failed", &charge, None);
    let ch = charge["id"].as_str().unwrap_or_default().to_owned();
    let mut last = json!({
        "charge": ch,
        "code": code,
        "doc_url": doc_url(code),
        "message": message,
        "type": CARD_ERROR,
    });
    if let Some(d) = decline_code {
        last["decline_code"] = json!(d);
    }
    let id = pi["id"].as_str().unwrap_or_default().to_owned();
    let value = match x.update("payment_intent", &id, |p| {
        p["status"] = json!("requires_payment_method");
        p["payment_method"] = Value::Null;
        p["latest_charge"] = json!(ch);
        p["last_payment_error"] = last;
        p["next_action"] = Value::Null;
    }) {
        Ok((v, _)) => v,
        Err(e) => return e,
    };
    x.emit("payment_intent.payment_failed", &value, None);
    ApiError::new(StatusCode::PAYMENT_REQUIRED, CARD_ERROR, message)
        .with_code(code)
        .with_decline_code(decline_code)
        .with_extra("charge", json!(ch))
        .with_extra("payment_intent", value)
}

/// Captures an authorised payment intent (all of it, or `amount_to_capture`; the rest is
/// released and shows as refunded on the charge).
pub fn capture(x: &mut Exec<'_>, id: &str, amount_to_capture: Option<i64>) -> Result<Value, ApiError> {
    let pi = x.fetch("payment_intent", id, "id")?;
    if pi["status"] != "requires_capture" {
        return Err(ApiError::invalid(format!(
            "This PaymentIntent could not be captured because it has a status of {}. Only a PaymentIntent \
             with one of the following statuses may be captured: requires_capture.",
            pi["status"].as_str().unwrap_or_default()
        ))
        .with_code("payment_intent_unexpected_state")
        .with_extra("payment_intent", pi));
    }
    let capturable = pi["amount_capturable"].as_i64().unwrap_or(0);
    let amount = amount_to_capture.unwrap_or(capturable);
    let currency = pi["currency"].as_str().unwrap_or("usd").to_owned();
    if amount > capturable || amount < 1 {
        return Err(ApiError::param(
            "amount_to_capture",
            format!("The amount to capture must be a positive integer no greater than the amount capturable ({capturable})."),
        )
        .with_code("amount_too_large"));
    }
    ledger::check_amount("amount_to_capture", amount, &currency, false)?;
    let ch = pi["latest_charge"].as_str().unwrap_or_default().to_owned();
    let txn = book(x, &ch, amount, &currency, &pi["description"]);
    let charge = x.update_and_emit("charge", &ch, "charge.captured", |c| {
        c["captured"] = json!(true);
        c["amount_captured"] = json!(amount);
        c["amount_refunded"] = json!(capturable - amount);
        c["balance_transaction"] = txn["id"].clone();
    })?;
    let _ = charge;
    let value = x.update_and_emit("payment_intent", id, "payment_intent.succeeded", |p| {
        p["status"] = json!("succeeded");
        p["amount_capturable"] = json!(0);
        p["amount_received"] = json!(amount);
    })?;
    Ok(value)
}

/// Cancels a payment intent that has not succeeded (an uncaptured charge is released).
pub fn cancel(x: &mut Exec<'_>, id: &str, reason: Option<&str>) -> Result<Value, ApiError> {
    let pi = x.fetch("payment_intent", id, "id")?;
    let status = pi["status"].as_str().unwrap_or_default().to_owned();
    if !matches!(
        status.as_str(),
        "requires_payment_method"
            | "requires_capture"
            | "requires_confirmation"
            | "requires_action"
            | "processing"
    ) {
        return Err(unexpected_state(
            &pi,
            "cancel",
            "requires_payment_method, requires_capture, requires_confirmation, requires_action, processing",
        ));
    }
    if status == "requires_capture"
        && let Some(ch) = pi["latest_charge"].as_str()
    {
        let amount = pi["amount"].as_i64().unwrap_or(0);
        x.update_and_emit("charge", ch, "charge.refunded", |c| {
            c["amount_refunded"] = json!(amount);
            c["refunded"] = json!(true);
        })?;
    }
    let now = x.now;
    let value = x.update_and_emit("payment_intent", id, "payment_intent.canceled", |p| {
        p["status"] = json!("canceled");
        p["canceled_at"] = json!(now);
        p["cancellation_reason"] = json!(reason.unwrap_or("requested_by_customer"));
        p["amount_capturable"] = json!(0);
        p["next_action"] = Value::Null;
    })?;
    Ok(value)
}

/// An amount as Stripe's messages show it (`$15.00`, `¥500`, `5.120 KWD`).
pub fn display_amount(amount: i64, code: &str) -> String {
    let exponent = ledger::currency(code, "currency")
        .ok()
        .and_then(|c| paysync_core::provider_amounts::stripe::exponent(c).ok())
        .unwrap_or(2);
    let factor = 10i64.pow(exponent);
    let major = amount / factor;
    let minor = (amount % factor).abs();
    let number = if exponent == 0 {
        major.to_string()
    } else {
        format!("{major}.{minor:0width$}", width = exponent as usize)
    };
    match code {
        "usd" => format!("${number}"),
        "eur" => format!("€{number}"),
        "gbp" => format!("£{number}"),
        "jpy" => format!("¥{number}"),
        other => format!("{number} {}", other.to_uppercase()),
    }
}

/// Leaves a payment intent `processing` with a `pending` charge (seeding: a payment whose
/// outcome is not known yet).
pub fn mark_processing(x: &mut Exec<'_>, id: &str, card: &TestCard) -> Result<Value, ApiError> {
    let pi = x.fetch("payment_intent", id, "id")?;
    let mut charge = new_charge(x, &pi, card, None);
    let ch = charge["id"].as_str().unwrap_or_default().to_owned();
    charge = x
        .update("charge", &ch, |c| {
            c["status"] = json!("pending");
            c["paid"] = json!(false);
            c["amount_captured"] = json!(0);
            c["captured"] = json!(false);
            c["outcome"] = Value::Null;
        })?
        .0;
    x.emit("charge.pending", &charge, None);
    let value = x.update_and_emit("payment_intent", id, "payment_intent.processing", |p| {
        p["status"] = json!("processing");
        p["payment_method"] = json!(card.id);
        p["latest_charge"] = json!(ch);
    })?;
    Ok(value)
}
