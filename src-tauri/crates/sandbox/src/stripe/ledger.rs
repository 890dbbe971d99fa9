//! Money: amount rules (from `paysync_core::provider_amounts::stripe`), processing fees, balance
//! transactions, the balance, and payouts with the balance transactions they sweep.
//!
//! Fees are 2.9 % (rounded half up) plus a fixed 0.30 of the currency's major unit written in
//! Stripe's minor units (30 for two-decimal, 300 for three-decimal, 0 for zero-decimal
//! currencies), an approximation of Stripe's US card pricing. Charge funds become available
//! `funds_available_after_days` after the start of the charge's UTC day.

use axum::http::StatusCode;
use paysync_core::Currency;
use paysync_core::provider_amounts::stripe as rules;
use serde_json::{Value, json};

use super::errors::{ApiError, INVALID_REQUEST};
use super::state::Exec;
use super::{wire, wire_billing};

const DAY: i64 = 86_400;

/// The currency, checked to be one Stripe documents an encoding for.
pub fn currency(code: &str, param: &str) -> Result<Currency, ApiError> {
    let invalid = || {
        ApiError::param(
            param,
            format!("Invalid currency: {code}. Stripe currently supports these currencies: usd, eur, gbp, …"),
        )
    };
    if code != code.to_lowercase() {
        return Err(invalid());
    }
    let c = Currency::from_code(&code.to_uppercase()).map_err(|_| invalid())?;
    rules::exponent(c).map_err(|_| invalid())?;
    Ok(c)
}

/// Minimum charge amounts Stripe documents for common currencies, with how its message shows them.
const MINIMUMS: &[(&str, i64, &str)] = &[
    ("usd", 50, "$0.50 usd"),
    ("eur", 50, "€0.50 eur"),
    ("gbp", 30, "£0.30 gbp"),
    ("cad", 50, "$0.50 cad"),
    ("aud", 50, "$0.50 aud"),
    ("jpy", 50, "¥50 jpy"),
];

/// Checks a charge, refund or price amount against Stripe's rules for `code`.
pub fn check_amount(param: &str, amount: i64, code: &str, minimum: bool) -> Result<(), ApiError> {
    let c = currency(code, "currency")?;
    if amount < 1 && minimum {
        return Err(ApiError::param(
            param,
            "This value must be greater than or equal to 1.",
        ));
    }
    if amount > 99_999_999 {
        return Err(ApiError::param(
            param,
            "Amount must be no more than 99999999 (in the currency's smallest unit).",
        )
        .with_code("amount_too_large"));
    }
    let rule = rules::charge_rule(c).map_err(|e| ApiError::param("currency", e.to_string()))?;
    if amount % rule.step != 0 {
        let upper = code.to_uppercase();
        let err = if rule.step == 100 {
            // Verbatim from support.stripe.com (ISK, since 2023-04-14).
            ApiError::param(
                param,
                format!(
                    "Invalid amount. Currency {upper} has become effectively zero-decimal and charged amounts \
                     must be evenly divisible by 100. See https://stripe.com/docs/currencies#special-cases \
                     for more information."
                ),
            )
            .with_code("invalid_charge_amount_no_decimal_compatible")
        } else {
            ApiError::param(
                param,
                format!(
                    "Invalid amount. Amounts in three-decimal currency {upper} must be divisible by {} (the \
                     last digit must be 0). See https://stripe.com/docs/currencies#three-decimal for more \
                     information.",
                    rule.step
                ),
            )
            .with_code("invalid_charge_amount")
        };
        return Err(err);
    }
    if minimum
        && let Some((_, min, shown)) = MINIMUMS.iter().find(|(c, _, _)| *c == code)
        && amount < *min
    {
        return Err(
            ApiError::param(param, format!("Amount must be at least {shown}")).with_code("amount_too_small")
        );
    }
    Ok(())
}

/// Checks a payout amount (HUF and TWD payouts must be whole units).
pub fn check_payout_amount(amount: i64, code: &str) -> Result<(), ApiError> {
    check_amount("amount", amount, code, true)?;
    let c = currency(code, "currency")?;
    let rule = rules::payout_rule(c).map_err(|e| ApiError::param("currency", e.to_string()))?;
    if amount % rule.step != 0 {
        return Err(ApiError::param(
            "amount",
            format!(
                "Invalid amount. Payouts in {} must be evenly divisible by {} (whole units only).",
                code.to_uppercase(),
                rule.step
            ),
        )
        .with_code("invalid_payout_amount"));
    }
    Ok(())
}

/// Stripe's processing fee for a card charge of `amount` in `code`.
pub fn fee(amount: i64, code: &str) -> i64 {
    let exponent = currency(code, "currency")
        .ok()
        .and_then(|c| rules::exponent(c).ok())
        .unwrap_or(2);
    let percent = (amount * 29 + 500) / 1000;
    let fixed = 30 * 10i64.pow(exponent) / 100;
    percent + fixed
}

/// Start of the UTC day of `t`.
fn day_start(t: i64) -> i64 {
    t - t.rem_euclid(DAY)
}

/// Records a balance transaction; charges become available after the settlement delay, the rest
/// at once. Returns it.
#[allow(clippy::too_many_arguments)] // One argument per field that varies; a struct would only rename them.
pub fn add_txn(
    x: &mut Exec<'_>,
    amount: i64,
    fee: i64,
    code: &str,
    kind: &str,
    category: &str,
    source: &str,
    description: Option<&str>,
) -> Value {
    let delay = if kind == "charge" {
        x.st.config.funds_available_after_days
    } else {
        0
    };
    let available_on = if delay > 0 {
        day_start(x.now) + delay * DAY
    } else {
        x.now
    };
    let status = if available_on <= x.clock_now {
        "available"
    } else {
        "pending"
    };
    let id = x.id("txn_");
    let txn = wire::balance_transaction(
        &id,
        x.now,
        available_on,
        amount,
        fee,
        code,
        kind,
        category,
        source,
        description,
        status,
    );
    x.insert("balance_transaction", txn.clone());
    txn
}

/// Marks pending balance transactions whose `available_on` has passed as available. Walks the
/// pending index in `available_on` order, so a tick with nothing due costs one comparison.
pub fn settle(x: &mut Exec<'_>) {
    let now = x.clock_now;
    while let Some((available_on, id)) = x.st.pending_funds.first().cloned() {
        if available_on > now {
            break;
        }
        x.st.pending_funds.pop_first();
        if let Some(s) =
            x.st.objects
                .get_mut("balance_transaction")
                .and_then(|m| m.get_mut(&id))
            && s.value["status"] == "pending"
        {
            s.value["status"] = json!("available");
        }
    }
}

/// `GET /v1/balance`: available and pending sums of balance transactions, per currency.
pub fn balance(x: &Exec<'_>) -> Value {
    let mut sums: std::collections::BTreeMap<String, (i64, i64)> = std::collections::BTreeMap::new();
    for s in x.st.all("balance_transaction") {
        let t = &s.value;
        let entry = sums
            .entry(t["currency"].as_str().unwrap_or("usd").to_owned())
            .or_default();
        let net = t["net"].as_i64().unwrap_or(0);
        if t["status"] == "available" {
            entry.0 += net;
        } else {
            entry.1 += net;
        }
    }
    if sums.is_empty() {
        sums.insert("usd".into(), (0, 0));
    }
    let row = |c: &String, a: i64| json!({"amount": a, "currency": c, "source_types": {"card": a}});
    json!({
        "object": "balance",
        "available": sums.iter().map(|(c, (a, _))| row(c, *a)).collect::<Vec<_>>(),
        "connect_reserved": [],
        "livemode": false,
        "pending": sums.iter().map(|(c, (_, p))| row(c, *p)).collect::<Vec<_>>(),
    })
}

/// The available balance in `code`.
pub fn available(x: &Exec<'_>, code: &str) -> i64 {
    x.st.all("balance_transaction")
        .filter(|s| s.value["currency"] == code && s.value["status"] == "available")
        .filter_map(|s| s.value["net"].as_i64())
        .sum()
}

/// Balance transactions an automatic payout at `x.now` would sweep: available, not yet paid out,
/// not payouts themselves.
fn sweepable(x: &Exec<'_>, code: &str) -> Vec<(String, i64)> {
    let at = x.now;
    x.st.all("balance_transaction")
        .filter(|s| {
            let t = &s.value;
            t["currency"] == code
                && t["available_on"].as_i64().is_some_and(|a| a <= at)
                && t["created"].as_i64().is_some_and(|c| c <= at)
                && !t["type"].as_str().unwrap_or("").starts_with("payout")
                && !x.st.txn_payout.contains_key(t["id"].as_str().unwrap_or(""))
        })
        .map(|s| {
            (
                s.value["id"].as_str().unwrap_or_default().to_owned(),
                s.value["net"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

/// Creates a payout of `amount` (manual) or of everything sweepable (automatic, `amount` must
/// then equal the swept sum when given) and its `payout` balance transaction.
pub fn create_payout(
    x: &mut Exec<'_>,
    amount: Option<i64>,
    code: &str,
    automatic: bool,
) -> Result<Value, ApiError> {
    let (swept, amount) = if automatic {
        let swept = sweepable(x, code);
        let total: i64 = swept.iter().map(|(_, n)| n).sum();
        if total <= 0 {
            return Err(insufficient(code));
        }
        if amount.is_some_and(|a| a != total) {
            return Err(ApiError::invalid(format!(
                "An automatic payout at this time sweeps {total} {code}, not {}.",
                amount.unwrap_or_default()
            )));
        }
        (swept, total)
    } else {
        let amount = amount.unwrap_or_default();
        if available(x, code) < amount {
            return Err(insufficient(code));
        }
        (Vec::new(), amount)
    };
    let id = x.id("po_");
    let arrival = day_start(x.now) + x.st.config.payout_arrival_days * DAY;
    let mut payout = wire_billing::payout(&id, x.now, amount, code, arrival, automatic);
    let txn = add_txn(
        x,
        -amount,
        0,
        code,
        "payout",
        "payout",
        &id,
        Some("STRIPE PAYOUT"),
    );
    payout["balance_transaction"] = txn["id"].clone();
    for (t, _) in swept {
        x.st.txn_payout.insert(t, id.clone());
    }
    if let Some(t) = txn["id"].as_str() {
        x.st.txn_payout.insert(t.to_owned(), id.clone());
    }
    x.insert("payout", payout.clone());
    x.emit("payout.created", &payout, None);
    Ok(payout)
}

fn insufficient(code: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        INVALID_REQUEST,
        format!(
            "You have insufficient funds in your Stripe account for this transfer. Your card balance is too \
             low. You can use the /v1/balance endpoint to view your Stripe balance (for more details, see \
             stripe.com/docs/api#balance). ({code})"
        ),
    )
    .with_code("balance_insufficient")
}

/// Moves a payout to `status` (`in_transit`, `paid`, `failed`, `canceled`), with the balance
/// transaction that returns the funds on failure or cancellation, and the matching event.
pub fn set_payout_status(
    x: &mut Exec<'_>,
    id: &str,
    status: &str,
    failure_code: Option<&str>,
) -> Result<Value, ApiError> {
    let payout = x.fetch("payout", id, "id")?;
    let from = payout["status"].as_str().unwrap_or_default().to_owned();
    let allowed = matches!(
        (from.as_str(), status),
        ("pending", "in_transit" | "paid" | "failed" | "canceled")
            | ("in_transit", "paid" | "failed")
            | ("paid", "failed")
    );
    if !allowed {
        return Err(ApiError::invalid(format!(
            "Payouts can only be moved to {status} from an earlier state; this payout is {from}."
        ))
        .with_code("payout_not_allowed_transition"));
    }
    let amount = payout["amount"].as_i64().unwrap_or(0);
    let code = payout["currency"].as_str().unwrap_or("usd").to_owned();
    let return_txn = match status {
        "failed" => Some(add_txn(
            x,
            amount,
            0,
            &code,
            "payout_failure",
            "payout_reversal",
            id,
            Some("STRIPE PAYOUT FAILURE"),
        )),
        "canceled" => Some(add_txn(
            x,
            amount,
            0,
            &code,
            "payout_cancel",
            "payout_reversal",
            id,
            Some("STRIPE PAYOUT CANCEL"),
        )),
        _ => None,
    };
    let code_owned = failure_code.map(str::to_owned);
    let (value, prev) = x.update("payout", id, |p| {
        p["status"] = json!(status);
        if let Some(t) = &return_txn {
            p["failure_balance_transaction"] = t["id"].clone();
        }
        if status == "failed" {
            let code = code_owned.as_deref().unwrap_or("could_not_process");
            p["failure_code"] = json!(code);
            p["failure_message"] = json!(failure_message(code));
        }
    })?;
    let event = match status {
        "paid" => Some("payout.paid"),
        "failed" => Some("payout.failed"),
        "canceled" => Some("payout.canceled"),
        _ => None,
    };
    x.emit("payout.updated", &value, Some(prev));
    if let Some(e) = event {
        x.emit(e, &value, None);
    }
    Ok(value)
}

fn failure_message(code: &str) -> &'static str {
    match code {
        "account_closed" => "The bank account has been closed.",
        "insufficient_funds" => "Your Stripe account has insufficient funds to cover the payout.",
        "no_account" => {
            "The bank account details on file are probably incorrect. No bank account could be located with those details."
        }
        "invalid_account_number" => "The routing number seems correct, but the account number is invalid.",
        _ => "Bank rejected the payout for an unknown reason.",
    }
}

/// Balance transaction ids a payout swept (its own `payout` transaction included).
pub fn payout_txns(x: &Exec<'_>, payout: &str) -> Vec<String> {
    x.st.txn_payout
        .iter()
        .filter(|(_, p)| p.as_str() == payout)
        .map(|(t, _)| t.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_follow_exponents() {
        assert_eq!(fee(1000, "usd"), 29 + 30);
        assert_eq!(fee(2000, "usd"), 58 + 30);
        assert_eq!(fee(10_000, "jpy"), 290);
        assert_eq!(fee(5_000, "kwd"), 145 + 300);
    }

    #[test]
    fn three_decimal_and_isk_rules() {
        assert!(check_amount("amount", 5120, "kwd", true).is_ok());
        let e = check_amount("amount", 5124, "kwd", true).unwrap_err();
        assert_eq!(e.code.as_deref(), Some("invalid_charge_amount"));
        assert_eq!(e.param.as_deref(), Some("amount"));
        let e = check_amount("amount", 4010, "isk", true).unwrap_err();
        assert_eq!(
            e.code.as_deref(),
            Some("invalid_charge_amount_no_decimal_compatible")
        );
        assert!(check_amount("amount", 40, "usd", true).is_err());
        assert!(check_amount("amount", 100, "USD", true).is_err());
        assert!(check_amount("amount", 100, "xyz", true).is_err());
        assert!(check_payout_amount(1050, "huf").is_err());
        assert!(check_payout_amount(1000, "huf").is_ok());
    }
}
