//! Payouts, the balance, balance transactions and events.

use axum::http::Method;
use serde_json::{Value, json};

use super::errors::ApiError;
use super::ledger;
use super::list;
use super::params::{self as p, P, Spec};
use super::routes::{Call, NONE, Route, route};
use super::state::Exec;

/// How far back the events API reaches (apis.md §2.4).
pub const EVENT_WINDOW_SECS: i64 = 30 * 86_400;

const PAYOUT_CREATE: Spec = Spec {
    params: &[
        ("amount", P::Int),
        ("currency", P::Str),
        ("description", P::Str),
        ("destination", P::Str),
        ("metadata", P::Meta),
        ("method", P::Enum(&["instant", "standard"])),
        ("source_type", P::Enum(&["bank_account", "card", "fpx"])),
        ("statement_descriptor", P::Str),
    ],
    required: &["amount", "currency"],
};
const PAYOUT_LIST: Spec = Spec {
    params: &[
        ("arrival_date", P::Range),
        ("destination", P::Str),
        ("status", P::Str),
    ],
    required: &[],
};
const META_ONLY: Spec = Spec {
    params: &[("metadata", P::Meta)],
    required: &[],
};
const TXN_LIST: Spec = Spec {
    params: &[
        ("currency", P::Str),
        ("payout", P::Str),
        ("source", P::Str),
        ("type", P::Str),
    ],
    required: &[],
};
const EVENT_LIST: Spec = Spec {
    params: &[
        ("delivery_success", P::Bool),
        ("type", P::Str),
        ("types", P::StrList),
    ],
    required: &[],
};

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::POST,
            "/v1/payouts",
            &PAYOUT_CREATE,
            false,
            Some(check_payout),
            create_payout,
        ),
        route(Method::GET, "/v1/payouts", &PAYOUT_LIST, true, None, list_payouts),
        route(Method::GET, "/v1/payouts/:id", &NONE, false, None, get_payout),
        route(
            Method::POST,
            "/v1/payouts/:id",
            &META_ONLY,
            false,
            None,
            update_payout,
        ),
        route(
            Method::POST,
            "/v1/payouts/:id/cancel",
            &NONE,
            false,
            None,
            cancel_payout,
        ),
        route(Method::GET, "/v1/balance", &NONE, false, None, get_balance),
        route(
            Method::GET,
            "/v1/balance_transactions",
            &TXN_LIST,
            true,
            None,
            list_txns,
        ),
        route(
            Method::GET,
            "/v1/balance_transactions/:id",
            &NONE,
            false,
            None,
            get_txn,
        ),
        route(
            Method::GET,
            "/v1/events",
            &EVENT_LIST,
            true,
            Some(check_events),
            list_events,
        ),
        route(Method::GET, "/v1/events/:id", &NONE, false, None, get_event),
    ]
}

fn check_payout(params: &Value) -> Result<(), ApiError> {
    let currency = p::s(params, "currency").unwrap_or_default();
    ledger::check_payout_amount(p::i(params, "amount").unwrap_or(0), currency)
}

fn create_payout(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let params = &c.params;
    let currency = p::s(params, "currency").unwrap_or("usd").to_owned();
    let payout = ledger::create_payout(x, p::i(params, "amount"), &currency, false)?;
    let id = payout["id"].as_str().unwrap_or_default().to_owned();
    Ok(x.update("payout", &id, |v| {
        p::apply_strings(v, params, &["description", "statement_descriptor", "method"]);
        p::apply_metadata(v, params);
    })?
    .0)
}

fn list_payouts(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let params = &c.params;
    let status = p::s(params, "status").map(str::to_owned);
    list::page(x.st, "payout", "/v1/payouts", params, |v| {
        status.as_deref().is_none_or(|s| v["status"] == s)
            && list::in_range(params, "arrival_date", v["arrival_date"].as_i64().unwrap_or(0))
    })
}

fn get_payout(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("payout", c.id(), "id")
}

fn update_payout(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("payout", c.id(), "id")?;
    x.update_and_emit("payout", c.id(), "payout.updated", |v| {
        p::apply_metadata(v, &c.params)
    })
}

fn cancel_payout(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let payout = x.fetch("payout", c.id(), "id")?;
    if payout["automatic"] == true {
        return Err(ApiError::invalid("Automatic payouts cannot be canceled."));
    }
    if payout["status"] != "pending" {
        return Err(ApiError::invalid(format!(
            "Payouts can only be canceled while they are pending; this payout is {}.",
            payout["status"].as_str().unwrap_or_default()
        )));
    }
    ledger::set_payout_status(x, c.id(), "canceled", None)
}

fn get_balance(x: &mut Exec<'_>, _: &Call) -> Result<Value, ApiError> {
    Ok(ledger::balance(x))
}

fn list_txns(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let params = &c.params;
    let members = match p::s_nonempty(params, "payout") {
        Some(po) => {
            let payout = x.fetch("payout", po, "payout")?;
            if payout["automatic"] != true {
                return Err(ApiError::param(
                    "payout",
                    "Balance transaction history can only be filtered on automatic transfers, not manual.",
                ));
            }
            Some(ledger::payout_txns(x, po))
        }
        None => None,
    };
    let currency = p::s(params, "currency").map(str::to_owned);
    let source = p::s(params, "source").map(str::to_owned);
    let kind = p::s(params, "type").map(str::to_owned);
    list::page(
        x.st,
        "balance_transaction",
        "/v1/balance_transactions",
        params,
        |v| {
            let id = v["id"].as_str().unwrap_or_default();
            members.as_ref().is_none_or(|m| m.iter().any(|t| t == id))
                && currency.as_deref().is_none_or(|cur| v["currency"] == cur)
                && source.as_deref().is_none_or(|s| v["source"] == s)
                && kind.as_deref().is_none_or(|k| v["type"] == k)
        },
    )
}

fn get_txn(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("balance_transaction", c.id(), "id")
}

fn check_events(params: &Value) -> Result<(), ApiError> {
    if params.get("type").is_some() && params.get("types").is_some() {
        return Err(ApiError::param(
            "types",
            "You may pass either `type` or `types`, but not both.",
        ));
    }
    if params
        .get("types")
        .and_then(Value::as_array)
        .is_some_and(|t| t.len() > 20)
    {
        return Err(ApiError::param("types", "You may pass at most 20 event types."));
    }
    Ok(())
}

/// `*` matches any run of characters (`charge.*`, `*.created`).
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (n, part) in parts.iter().enumerate() {
        if n == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if n == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(i) => rest = &rest[i + part.len()..],
                None => return false,
            }
        }
    }
    true
}

fn list_events(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let params = &c.params;
    let oldest = x.clock_now - EVENT_WINDOW_SECS;
    let kind = p::s(params, "type").map(str::to_owned);
    let types: Option<Vec<String>> = params
        .get("types")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect());
    let delivered = p::b(params, "delivery_success");
    list::page(x.st, "event", "/v1/events", params, |v| {
        let t = v["type"].as_str().unwrap_or_default();
        v["created"].as_i64().is_some_and(|c| c >= oldest)
            && kind.as_deref().is_none_or(|k| glob(k, t))
            && types.as_ref().is_none_or(|ts| ts.iter().any(|k| k == t))
            && delivered.is_none_or(|d| (v["pending_webhooks"] == json!(0)) == d)
    })
}

fn get_event(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let event = x.fetch("event", c.id(), "id")?;
    if event["created"]
        .as_i64()
        .is_some_and(|t| t < x.clock_now - EVENT_WINDOW_SECS)
    {
        return Err(ApiError::missing_resource("event", c.id(), "id"));
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn event_type_wildcards() {
        assert!(glob("charge.*", "charge.succeeded"));
        assert!(glob("charge.*", "charge.dispute.created"));
        assert!(!glob("charge.*", "customer.created"));
        assert!(glob("*.created", "customer.created"));
        assert!(glob("customer.*.deleted", "customer.subscription.deleted"));
        assert!(glob("*", "anything"));
        assert!(glob("payout.paid", "payout.paid"));
        assert!(!glob("payout.paid", "payout.failed"));
    }
}
