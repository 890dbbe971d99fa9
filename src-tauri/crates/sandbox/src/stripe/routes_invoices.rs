//! Invoices: create, update, delete (drafts), finalize, pay, void, mark uncollectible.

use axum::http::Method;
use serde_json::{Value, json};

use super::billing;
use super::errors::ApiError;
use super::list;
use super::params as p;
use super::payments;
use super::routes::{Call, NONE, Route, route};
use super::spec_billing::*;
use super::state::Exec;
use super::wire;

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::GET,
            "/v1/invoices/:id/lines",
            &NONE,
            true,
            None,
            list_lines,
        ),
        route(
            Method::POST,
            "/v1/invoices",
            &INVOICE_CREATE,
            false,
            None,
            create_invoice,
        ),
        route(
            Method::GET,
            "/v1/invoices",
            &INVOICE_LIST,
            true,
            None,
            list_invoices,
        ),
        route(Method::GET, "/v1/invoices/:id", &NONE, false, None, get_invoice),
        route(
            Method::POST,
            "/v1/invoices/:id",
            &INVOICE_UPDATE,
            false,
            None,
            update_invoice,
        ),
        route(
            Method::DELETE,
            "/v1/invoices/:id",
            &NONE,
            false,
            None,
            delete_invoice,
        ),
        route(
            Method::POST,
            "/v1/invoices/:id/finalize",
            &INVOICE_FINALIZE,
            false,
            None,
            finalize_invoice,
        ),
        route(
            Method::POST,
            "/v1/invoices/:id/pay",
            &INVOICE_PAY,
            false,
            None,
            pay_invoice,
        ),
        route(
            Method::POST,
            "/v1/invoices/:id/void",
            &NONE,
            false,
            None,
            void_invoice,
        ),
        route(
            Method::POST,
            "/v1/invoices/:id/mark_uncollectible",
            &NONE,
            false,
            None,
            uncollectible_invoice,
        ),
    ]
}

fn create_invoice(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let params = &c.params;
    let sub = match p::s_nonempty(params, "subscription") {
        Some(s) => Some(x.fetch("subscription", s, "subscription")?),
        None => None,
    };
    let customer_id = p::s_nonempty(params, "customer")
        .map(str::to_owned)
        .or_else(|| {
            sub.as_ref()
                .and_then(|s| s["customer"].as_str().map(str::to_owned))
        })
        .ok_or_else(|| ApiError::missing("customer"))?;
    let customer = x.fetch("customer", &customer_id, "customer")?;
    let collection = p::s(params, "collection_method")
        .unwrap_or("charge_automatically")
        .to_owned();
    if collection == "send_invoice"
        && p::i(params, "days_until_due").is_none()
        && p::i(params, "due_date").is_none()
    {
        return Err(ApiError::param(
            "days_until_due",
            "Missing required param: days_until_due. Invoices with collection_method=send_invoice need days_until_due or due_date.",
        ));
    }
    let currency = p::s_nonempty(params, "currency")
        .or_else(|| customer["currency"].as_str())
        .unwrap_or("usd")
        .to_owned();
    let now = x.now;
    let inv = billing::new_invoice(
        x,
        &customer,
        sub.as_ref().and_then(|s| s["id"].as_str()),
        "manual",
        &collection,
        &currency,
        Vec::new(),
        (now, now),
    );
    let id = inv["id"].as_str().unwrap_or_default().to_owned();
    let due = p::i(params, "due_date").or_else(|| p::i(params, "days_until_due").map(|d| now + d * 86_400));
    Ok(x.update("invoice", &id, |v| {
        p::apply_strings(
            v,
            params,
            &[
                "description",
                "footer",
                "statement_descriptor",
                "default_payment_method",
            ],
        );
        p::apply_metadata(v, params);
        if let Some(a) = p::b(params, "auto_advance") {
            v["auto_advance"] = json!(a);
        }
        if collection == "send_invoice" {
            v["due_date"] = json!(due);
        }
    })?
    .0)
}

fn list_invoices(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let params = &c.params;
    let customer = p::s(params, "customer").map(str::to_owned);
    let status = p::s(params, "status").map(str::to_owned);
    let sub = p::s(params, "subscription").map(str::to_owned);
    list::page(x.st, "invoice", "/v1/invoices", params, |v| {
        customer.as_deref().is_none_or(|cus| v["customer"] == cus)
            && status.as_deref().is_none_or(|s| v["status"] == s)
            && sub.as_deref().is_none_or(|s| v["subscription"] == s)
    })
}

fn get_invoice(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("invoice", c.id(), "id")
}

fn update_invoice(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let inv = x.fetch("invoice", c.id(), "id")?;
    let only_meta = c
        .params
        .as_object()
        .is_some_and(|m| m.keys().all(|k| k == "metadata" || k == "expand"));
    if inv["status"] != "draft" && !only_meta {
        return Err(ApiError::invalid(format!(
            "You can only update the metadata of a finalized invoice; this invoice is {}.",
            inv["status"].as_str().unwrap_or_default()
        ))
        .with_code("invoice_not_editable"));
    }
    x.update_and_emit("invoice", c.id(), "invoice.updated", |v| {
        p::apply_strings(
            v,
            &c.params,
            &[
                "description",
                "footer",
                "statement_descriptor",
                "default_payment_method",
            ],
        );
        p::apply_metadata(v, &c.params);
    })
}

fn delete_invoice(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let inv = x.fetch("invoice", c.id(), "id")?;
    if inv["status"] != "draft" {
        return Err(
            ApiError::invalid("You can only delete draft invoices.").with_code("invoice_not_editable")
        );
    }
    x.remove("invoice", c.id());
    x.emit("invoice.deleted", &inv, None);
    Ok(wire::deleted(c.id(), "id"))
}

fn finalize_invoice(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    billing::finalize(x, c.id())
}

fn pay_invoice(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    if let Some(pm) = p::s_nonempty(&c.params, "payment_method") {
        payments::card(pm)?;
    }
    billing::pay(
        x,
        c.id(),
        p::s_nonempty(&c.params, "payment_method"),
        p::b(&c.params, "paid_out_of_band") == Some(true),
    )
}

fn void_invoice(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    billing::close_invoice(x, c.id(), "void")
}

fn uncollectible_invoice(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    billing::close_invoice(x, c.id(), "uncollectible")
}

/// `GET /v1/invoices/{id}/lines`: the invoice's lines in their invoice order, paginated by line id.
fn list_lines(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let inv = x.fetch("invoice", c.id(), "id")?;
    let lines: Vec<Value> = inv["lines"]["data"].as_array().cloned().unwrap_or_default();
    let limit = list::limit(&c.params)?;
    let position = |param: &str| -> Result<Option<usize>, ApiError> {
        match p::s_nonempty(&c.params, param) {
            None => Ok(None),
            Some(id) => lines
                .iter()
                .position(|l| l["id"] == id)
                .map(Some)
                .ok_or_else(|| ApiError::missing_resource("line_item", id, param)),
        }
    };
    let (start, end) = match (position("starting_after")?, position("ending_before")?) {
        (Some(a), _) => (a + 1, lines.len()),
        (None, Some(b)) => (b.saturating_sub(limit), b),
        (None, None) => (0, lines.len()),
    };
    let window = &lines[start.min(end)..end];
    let before_mode = p::s_nonempty(&c.params, "ending_before").is_some()
        && p::s_nonempty(&c.params, "starting_after").is_none();
    let (page, more) = if before_mode {
        (window.to_vec(), start > 0)
    } else {
        (window.iter().take(limit).cloned().collect(), window.len() > limit)
    };
    Ok(wire::list(&format!("/v1/invoices/{}/lines", c.id()), page, more))
}
