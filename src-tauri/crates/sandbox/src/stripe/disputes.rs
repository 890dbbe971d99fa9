//! Refunds and disputes against charges. A refund may not exceed what remains unrefunded, books
//! a negative `refund` balance transaction and updates `amount_refunded`/`refunded`. A dispute
//! (opened by seeding, the admin API or `pm_card_createDispute`) withdraws the amount plus a
//! dispute fee, and is closed by accepting it or resolved won/lost by the admin API.

use serde_json::{Value, json};

use super::errors::ApiError;
use super::ledger;
use super::payments::display_amount;
use super::state::Exec;
use super::wire;

/// The dispute fee: 15.00 of the currency's major unit, in Stripe's minor units.
fn dispute_fee(code: &str) -> i64 {
    let exponent = ledger::currency(code, "currency")
        .ok()
        .and_then(|c| paysync_core::provider_amounts::stripe::exponent(c).ok())
        .unwrap_or(2);
    15 * 10i64.pow(exponent)
}

/// What a refund is created with.
#[derive(Debug, Clone, Default)]
pub struct RefundArgs {
    /// Minor units; the whole unrefunded amount when absent.
    pub amount: Option<i64>,
    /// `duplicate`, `fraudulent`, `requested_by_customer`.
    pub reason: Option<String>,
    /// Metadata object.
    pub metadata: Value,
    /// `succeeded` (default for cards) or `pending`.
    pub status: Option<String>,
}

/// Refunds `charge_id`.
pub fn refund(x: &mut Exec<'_>, charge_id: &str, args: RefundArgs) -> Result<Value, ApiError> {
    let charge = x.fetch("charge", charge_id, "charge")?;
    if charge["status"] != "succeeded" {
        return Err(ApiError::param(
            "charge",
            format!("Charge {charge_id} has a status of failed and cannot be refunded."),
        )
        .with_code("charge_not_refundable"));
    }
    if charge["disputed"] == true {
        return Err(ApiError::invalid(format!(
            "Charge {charge_id} has been charged back; cannot issue a refund."
        ))
        .with_code("charge_disputed"));
    }
    if charge["captured"] != true {
        return Err(ApiError::invalid(format!(
            "Charge {charge_id} has not been captured; cancel its PaymentIntent to release the authorization."
        ))
        .with_code("charge_not_refundable"));
    }
    let captured = charge["amount_captured"].as_i64().unwrap_or(0);
    let refunded = charge["amount_refunded"].as_i64().unwrap_or(0);
    let remaining = captured - refunded;
    let code = charge["currency"].as_str().unwrap_or("usd").to_owned();
    if remaining <= 0 {
        return Err(
            ApiError::invalid(format!("Charge {charge_id} has already been refunded."))
                .with_code("charge_already_refunded"),
        );
    }
    let amount = args.amount.unwrap_or(remaining);
    if amount < 1 {
        return Err(ApiError::param(
            "amount",
            "This value must be greater than or equal to 1.",
        ));
    }
    if amount > remaining {
        return Err(ApiError::param(
            "amount",
            format!(
                "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                display_amount(amount, &code),
                display_amount(remaining, &code)
            ),
        )
        .with_code("amount_too_large"));
    }
    ledger::check_amount("amount", amount, &code, false)?;
    let id = x.id("re_");
    let mut re = wire::refund(&id, x.now, amount, &code, charge_id, &charge["payment_intent"]);
    if let Some(r) = &args.reason {
        re["reason"] = json!(r);
    }
    if args.metadata.is_object() {
        re["metadata"] = args.metadata.clone();
    }
    let status = args.status.unwrap_or_else(|| "succeeded".into());
    re["status"] = json!(status);
    if status != "failed" && status != "canceled" {
        let txn = ledger::add_txn(
            x,
            -amount,
            0,
            &code,
            "refund",
            "refund",
            &id,
            Some("REFUND FOR CHARGE"),
        );
        re["balance_transaction"] = txn["id"].clone();
    }
    x.insert("refund", re.clone());
    x.emit("refund.created", &re, None);
    let total = refunded + amount;
    x.update_and_emit("charge", charge_id, "charge.refunded", |c| {
        c["amount_refunded"] = json!(total);
        c["refunded"] = json!(total >= captured);
    })?;
    Ok(re)
}

/// Opens a dispute on `charge_id`. `warning_*` statuses are inquiries that move no money.
pub fn open(
    x: &mut Exec<'_>,
    charge_id: &str,
    amount: i64,
    reason: &str,
    status: &str,
) -> Result<Value, ApiError> {
    let charge = x.fetch("charge", charge_id, "charge")?;
    if charge["status"] != "succeeded" || charge["captured"] != true {
        return Err(ApiError::param(
            "charge",
            format!("Charge {charge_id} cannot be disputed."),
        ));
    }
    if charge["disputed"] == true {
        return Err(ApiError::param(
            "charge",
            format!("Charge {charge_id} is already disputed."),
        ));
    }
    let captured = charge["amount_captured"].as_i64().unwrap_or(0);
    if amount < 1 || amount > captured {
        return Err(ApiError::param(
            "amount",
            format!("A dispute amount must be between 1 and {captured}."),
        ));
    }
    let code = charge["currency"].as_str().unwrap_or("usd").to_owned();
    let brand = charge["payment_method_details"]["card"]["brand"]
        .as_str()
        .unwrap_or("visa")
        .to_owned();
    let id = x.id("dp_");
    let open_status = if status.starts_with("warning_") {
        "warning_needs_response"
    } else {
        "needs_response"
    };
    let mut dp = wire::dispute(
        &id,
        x.now,
        amount,
        &code,
        charge_id,
        &charge["payment_intent"],
        reason,
        open_status,
        &brand,
    );
    let withdraws = !status.starts_with("warning_");
    if withdraws {
        let fee = dispute_fee(&code);
        let description = format!("Chargeback withdrawal for {charge_id}");
        let txn = ledger::add_txn(
            x,
            -amount,
            fee,
            &code,
            "adjustment",
            "dispute",
            &id,
            Some(&description),
        );
        dp["balance_transactions"] = json!([txn]);
    }
    x.insert("dispute", dp.clone());
    x.update("charge", charge_id, |c| c["disputed"] = json!(true))?;
    x.emit("charge.dispute.created", &dp, None);
    if withdraws {
        x.emit("charge.dispute.funds_withdrawn", &dp, None);
    }
    match status {
        "needs_response" | "warning_needs_response" => {}
        "under_review" | "warning_under_review" => {
            update(x, &id, &json!({"submit": "true"}))?;
        }
        "won" | "lost" | "warning_closed" => {
            resolve(x, &id, status)?;
        }
        other => {
            return Err(ApiError::param("status", format!("Invalid status: {other}")));
        }
    }
    x.fetch("dispute", &id, "id")
}

/// `POST /v1/disputes/{id}`: evidence, metadata, and submission (the default) moving it under review.
pub fn update(x: &mut Exec<'_>, id: &str, p: &Value) -> Result<Value, ApiError> {
    let dp = x.fetch("dispute", id, "id")?;
    let status = dp["status"].as_str().unwrap_or_default().to_owned();
    if matches!(status.as_str(), "won" | "lost" | "warning_closed") {
        return Err(ApiError::invalid(format!(
            "This dispute is already closed. You can't update the evidence for dispute {id}."
        )));
    }
    let submit = p
        .get("submit")
        .and_then(Value::as_str)
        .is_none_or(|s| s == "true");
    let evidence = p.get("evidence").and_then(Value::as_object).cloned();
    x.update_and_emit("dispute", id, "charge.dispute.updated", |d| {
        super::params::apply_metadata(d, p);
        if let Some(ev) = &evidence {
            for (k, v) in ev {
                d["evidence"][k.as_str()] = v.clone();
            }
            d["evidence_details"]["has_evidence"] = json!(true);
        }
        if submit {
            let next = if status.starts_with("warning_") {
                "warning_under_review"
            } else {
                "under_review"
            };
            d["status"] = json!(next);
            let n = d["evidence_details"]["submission_count"].as_i64().unwrap_or(0);
            d["evidence_details"]["submission_count"] = json!(n + 1);
            d["evidence_details"]["due_by"] = Value::Null;
        }
    })
}

/// `POST /v1/disputes/{id}/close`: accepts the dispute (it is lost).
pub fn close(x: &mut Exec<'_>, id: &str) -> Result<Value, ApiError> {
    let dp = x.fetch("dispute", id, "id")?;
    let outcome = match dp["status"].as_str().unwrap_or_default() {
        "needs_response" => "lost",
        "warning_needs_response" => "warning_closed",
        other => {
            return Err(ApiError::invalid(format!(
                "This dispute has a status of {other} and can no longer be closed."
            )));
        }
    };
    resolve(x, id, outcome)
}

/// Closes a dispute as `won`, `lost` or `warning_closed`; a won dispute reinstates the funds.
pub fn resolve(x: &mut Exec<'_>, id: &str, outcome: &str) -> Result<Value, ApiError> {
    let dp = x.fetch("dispute", id, "id")?;
    if matches!(dp["status"].as_str(), Some("won" | "lost" | "warning_closed")) {
        return Err(ApiError::invalid(format!("Dispute {id} is already closed.")));
    }
    if !matches!(outcome, "won" | "lost" | "warning_closed") {
        return Err(ApiError::param("status", format!("Invalid status: {outcome}")));
    }
    let mut reinstated = None;
    if outcome == "won"
        && let Some(withdrawal) = dp["balance_transactions"].get(0).cloned()
    {
        let amount = -withdrawal["amount"].as_i64().unwrap_or(0);
        let fee = withdrawal["fee"].as_i64().unwrap_or(0);
        let code = dp["currency"].as_str().unwrap_or("usd").to_owned();
        let charge = dp["charge"].as_str().unwrap_or_default().to_owned();
        let description = format!("Chargeback reversal for {charge}");
        reinstated = Some(ledger::add_txn(
            x,
            amount,
            -fee,
            &code,
            "adjustment",
            "dispute_reversal",
            id,
            Some(&description),
        ));
    }
    let value = x.update_and_emit("dispute", id, "charge.dispute.closed", |d| {
        d["status"] = json!(outcome);
        d["is_charge_refundable"] = json!(false);
        if let (Some(t), Some(list)) = (&reinstated, d["balance_transactions"].as_array_mut()) {
            list.push(t.clone());
        }
    })?;
    if reinstated.is_some() {
        x.emit("charge.dispute.funds_reinstated", &value, None);
    }
    Ok(value)
}
