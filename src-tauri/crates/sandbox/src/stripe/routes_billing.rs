//! Products, prices, subscriptions and invoices.

use axum::http::Method;
use serde_json::{Value, json};

use super::billing::{self, SubArgs};
use super::errors::ApiError;
use super::ledger;
use super::list;
use super::params as p;
use super::payments;
use super::routes::{Call, NONE, Route, route};
use super::spec_billing::*;
use super::state::Exec;
use super::{wire, wire_billing};

/// The routes of this module.
pub fn routes() -> Vec<Route> {
    vec![
        route(
            Method::POST,
            "/v1/products",
            &PRODUCT_CREATE,
            false,
            None,
            create_product,
        ),
        route(
            Method::GET,
            "/v1/products",
            &PRODUCT_LIST,
            true,
            None,
            list_products,
        ),
        route(Method::GET, "/v1/products/:id", &NONE, false, None, get_product),
        route(
            Method::POST,
            "/v1/products/:id",
            &PRODUCT_UPDATE,
            false,
            None,
            update_product,
        ),
        route(
            Method::DELETE,
            "/v1/products/:id",
            &NONE,
            false,
            None,
            delete_product,
        ),
        route(
            Method::POST,
            "/v1/prices",
            &PRICE_CREATE,
            false,
            Some(check_price),
            create_price,
        ),
        route(Method::GET, "/v1/prices", &PRICE_LIST, true, None, list_prices),
        route(Method::GET, "/v1/prices/:id", &NONE, false, None, get_price),
        route(
            Method::POST,
            "/v1/prices/:id",
            &PRICE_UPDATE,
            false,
            None,
            update_price,
        ),
        route(
            Method::POST,
            "/v1/subscriptions",
            &SUB_CREATE,
            false,
            None,
            create_sub,
        ),
        route(Method::GET, "/v1/subscriptions", &SUB_LIST, true, None, list_subs),
        route(Method::GET, "/v1/subscriptions/:id", &NONE, false, None, get_sub),
        route(
            Method::POST,
            "/v1/subscriptions/:id",
            &SUB_UPDATE,
            false,
            None,
            update_sub,
        ),
        route(
            Method::DELETE,
            "/v1/subscriptions/:id",
            &SUB_CANCEL,
            false,
            None,
            cancel_sub,
        ),
    ]
}

/// A new product (shared with seeding).
pub fn new_product(x: &mut Exec<'_>, params: &Value) -> Result<Value, ApiError> {
    let id = match p::s_nonempty(params, "id") {
        Some(id) if x.st.get("product", id).is_some() => {
            return Err(ApiError::param("id", format!("Product already exists: '{id}'"))
                .with_code("resource_already_exists"));
        }
        Some(id) => id.to_owned(),
        None => x.id("prod_"),
    };
    let mut v = wire_billing::product(&id, x.now, p::s(params, "name").unwrap_or_default());
    p::apply_strings(
        &mut v,
        params,
        &["description", "statement_descriptor", "unit_label", "url"],
    );
    p::apply_metadata(&mut v, params);
    if let Some(a) = p::b(params, "active") {
        v["active"] = json!(a);
    }
    x.insert("product", v.clone());
    x.emit("product.created", &v, None);
    Ok(v)
}

fn create_product(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    new_product(x, &c.params)
}

fn list_products(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let active = p::b(&c.params, "active");
    list::page(x.st, "product", "/v1/products", &c.params, |v| {
        active.is_none_or(|a| v["active"] == a)
    })
}

fn get_product(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    if x.st.get("deleted", c.id()).is_some() {
        return Ok(wire::deleted(c.id(), "product"));
    }
    x.fetch("product", c.id(), "id")
}

fn update_product(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("product", c.id(), "id")?;
    if let Some(pr) = p::s_nonempty(&c.params, "default_price") {
        x.fetch("price", pr, "default_price")?;
    }
    let now = x.now;
    x.update_and_emit("product", c.id(), "product.updated", |v| {
        p::apply_strings(
            v,
            &c.params,
            &[
                "name",
                "description",
                "statement_descriptor",
                "unit_label",
                "url",
                "default_price",
            ],
        );
        p::apply_metadata(v, &c.params);
        if let Some(a) = p::b(&c.params, "active") {
            v["active"] = json!(a);
        }
        v["updated"] = json!(now);
    })
}

fn delete_product(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let product = x.fetch("product", c.id(), "id")?;
    if x.st.all("price").any(|s| s.value["product"] == c.id()) {
        return Err(ApiError::invalid(
            "This product cannot be deleted because it has one or more user-created prices.",
        )
        .with_code("product_has_prices"));
    }
    x.remove("product", c.id());
    let mut tomb = wire::deleted(c.id(), "product");
    tomb["created"] = product["created"].clone();
    x.insert("deleted", tomb);
    x.emit("product.deleted", &product, None);
    Ok(wire::deleted(c.id(), "product"))
}

fn check_price(params: &Value) -> Result<(), ApiError> {
    let currency = p::s(params, "currency").unwrap_or_default();
    ledger::currency(currency, "currency")?;
    let Some(amount) = p::i(params, "unit_amount") else {
        return Err(ApiError::missing("unit_amount"));
    };
    if amount < 0 {
        return Err(ApiError::param(
            "unit_amount",
            "This value must be greater than or equal to 0.",
        ));
    }
    if amount > 0 {
        ledger::check_amount("unit_amount", amount, currency, false)?;
    }
    if p::s_nonempty(params, "product").is_none() && params.get("product_data").is_none() {
        return Err(ApiError::param(
            "product",
            "You must specify either `product` or `product_data` when creating a price.",
        ));
    }
    if let Some(r) = params.get("recurring") {
        let interval = r.get("interval").and_then(Value::as_str);
        if !matches!(interval, Some("day" | "week" | "month" | "year")) {
            return Err(ApiError::param(
                "recurring[interval]",
                "Invalid recurring[interval]: must be one of day, month, week, or year",
            ));
        }
        if let Some(n) = r.get("interval_count") {
            p::int_text("recurring[interval_count]", n)?;
        }
    }
    Ok(())
}

/// A new price (shared with seeding).
pub fn new_price(x: &mut Exec<'_>, params: &Value) -> Result<Value, ApiError> {
    let product = match p::s_nonempty(params, "product") {
        Some(pr) => x.fetch("product", pr, "product")?["id"]
            .as_str()
            .unwrap_or(pr)
            .to_owned(),
        None => {
            let data = params.get("product_data").cloned().unwrap_or(json!({}));
            new_product(x, &data)?["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        }
    };
    let recurring = params.get("recurring").map(|r| {
        (
            r["interval"].as_str().unwrap_or("month").to_owned(),
            r["interval_count"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .unwrap_or(1),
        )
    });
    let id = x.id("price_");
    let mut v = wire_billing::price(
        &id,
        x.now,
        &product,
        p::s(params, "currency").unwrap_or("usd"),
        p::i(params, "unit_amount").unwrap_or(0),
        recurring.as_ref().map(|(i, n)| (i.as_str(), *n)),
    );
    p::apply_strings(&mut v, params, &["nickname", "lookup_key", "tax_behavior"]);
    p::apply_metadata(&mut v, params);
    x.insert("price", v.clone());
    x.emit("price.created", &v, None);
    Ok(v)
}

fn create_price(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    new_price(x, &c.params)
}

fn list_prices(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let params = &c.params;
    let (active, product) = (p::b(params, "active"), p::s(params, "product").map(str::to_owned));
    let (currency, kind) = (
        p::s(params, "currency").map(str::to_owned),
        p::s(params, "type").map(str::to_owned),
    );
    list::page(x.st, "price", "/v1/prices", params, |v| {
        active.is_none_or(|a| v["active"] == a)
            && product.as_deref().is_none_or(|pr| v["product"] == pr)
            && currency.as_deref().is_none_or(|cur| v["currency"] == cur)
            && kind.as_deref().is_none_or(|k| v["type"] == k)
    })
}

fn get_price(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("price", c.id(), "id")
}

fn update_price(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("price", c.id(), "id")?;
    x.update_and_emit("price", c.id(), "price.updated", |v| {
        p::apply_strings(v, &c.params, &["nickname", "lookup_key", "tax_behavior"]);
        p::apply_metadata(v, &c.params);
        if let Some(a) = p::b(&c.params, "active") {
            v["active"] = json!(a);
        }
    })
}

fn items_param(params: &Value) -> Result<Vec<(String, i64)>, ApiError> {
    let Some(items) = params.get("items") else {
        return Ok(Vec::new());
    };
    let Some(items) = items.as_array() else {
        return Err(ApiError::param("items", "Invalid array"));
    };
    let mut out = Vec::new();
    for (n, item) in items.iter().enumerate() {
        let price = item
            .get("price")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::missing(&format!("items[{n}][price]")))?;
        let qty = match item.get("quantity") {
            Some(q) => p::int_text(&format!("items[{n}][quantity]"), q)?,
            None => 1,
        };
        out.push((price.to_owned(), qty));
    }
    Ok(out)
}

fn create_sub(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let params = &c.params;
    let items = items_param(params).map_err(ApiError::validation)?;
    billing::create_subscription(
        x,
        SubArgs {
            customer: p::s(params, "customer").unwrap_or_default().to_owned(),
            items,
            collection_method: p::s(params, "collection_method").map(str::to_owned),
            days_until_due: p::i(params, "days_until_due"),
            default_payment_method: p::s_nonempty(params, "default_payment_method").map(str::to_owned),
            metadata: params
                .get("metadata")
                .cloned()
                .filter(Value::is_object)
                .unwrap_or(json!({})),
            trial_period_days: p::i(params, "trial_period_days"),
            payment_behavior: p::s(params, "payment_behavior").map(str::to_owned),
        },
    )
}

fn list_subs(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let params = &c.params;
    let customer = p::s(params, "customer").map(str::to_owned);
    let status = p::s(params, "status").map(str::to_owned);
    let price = p::s(params, "price").map(str::to_owned);
    list::page(x.st, "subscription", "/v1/subscriptions", params, |v| {
        let st = v["status"].as_str().unwrap_or_default();
        let status_ok = match status.as_deref() {
            None => st != "canceled" && st != "incomplete_expired",
            Some("all") => true,
            Some("ended") => st == "canceled" || st == "incomplete_expired",
            Some(s) => st == s,
        };
        status_ok
            && customer.as_deref().is_none_or(|cus| v["customer"] == cus)
            && price.as_deref().is_none_or(|pr| {
                v["items"]["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|i| i["price"]["id"] == pr)
            })
            && list::in_range(
                params,
                "current_period_end",
                v["current_period_end"].as_i64().unwrap_or(0),
            )
            && list::in_range(
                params,
                "current_period_start",
                v["current_period_start"].as_i64().unwrap_or(0),
            )
    })
}

fn get_sub(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    x.fetch("subscription", c.id(), "id")
}

fn update_sub(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    let sub = x.fetch("subscription", c.id(), "id")?;
    let params = &c.params;
    if let Some(pm) = p::s_nonempty(params, "default_payment_method") {
        payments::card(pm).map_err(|e| e.with_param("default_payment_method"))?;
    }
    let new_items = items_param(params)?;
    let mut items = Vec::new();
    for (n, (price_id, qty)) in new_items.iter().enumerate() {
        let price = x.fetch("price", price_id, &format!("items[{n}][price]"))?;
        items.push(wire_billing::subscription_item(
            &x.id("si_"),
            x.now,
            c.id(),
            &price,
            *qty,
        ));
    }
    if sub["status"] == "canceled"
        && params.as_object().is_some_and(|m| {
            m.keys()
                .any(|k| k != "metadata" && k != "cancellation_details" && k != "expand")
        })
    {
        return Err(ApiError::invalid(
            "A canceled subscription can only update its cancellation_details and metadata.",
        ));
    }
    x.update_and_emit("subscription", c.id(), "customer.subscription.updated", |v| {
        p::apply_strings(
            v,
            params,
            &["description", "default_payment_method", "collection_method"],
        );
        p::apply_metadata(v, params);
        if let Some(b) = p::b(params, "cancel_at_period_end") {
            v["cancel_at_period_end"] = json!(b);
            v["cancel_at"] = if b {
                v["current_period_end"].clone()
            } else {
                Value::Null
            };
        }
        if let Some(d) = p::i(params, "days_until_due") {
            v["days_until_due"] = json!(d);
        }
        if !items.is_empty() {
            v["items"]["data"] = json!(items);
        }
    })
}

fn cancel_sub(x: &mut Exec<'_>, c: &Call) -> Result<Value, ApiError> {
    billing::cancel_subscription(x, c.id(), "cancellation_requested")
}
