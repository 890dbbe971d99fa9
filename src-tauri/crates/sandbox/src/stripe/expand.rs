//! `expand[]` (apis.md §2.5): replaces an id with the object it names, for the fields the spec
//! marks `x-expandableFields`, through nested paths (`latest_charge.balance_transaction`) and, on
//! lists, under `data.`. Some fields exist only when expanded (`charge.refunds`,
//! `customer.subscriptions`), as in API versions since 2022-11-15.

use serde_json::Value;

use super::errors::ApiError;
use super::state::State;
use super::wire;

/// Stripe's limit on expansion depth.
const MAX_DEPTH: usize = 4;

/// The spec's `x-expandableFields` for each object kind.
fn expandable(kind: &str) -> &'static [&'static str] {
    match kind {
        "customer" => &[
            "address",
            "cash_balance",
            "default_source",
            "discount",
            "invoice_settings",
            "shipping",
            "sources",
            "subscriptions",
            "tax",
            "tax_ids",
            "test_clock",
        ],
        "payment_intent" => &[
            "amount_details",
            "application",
            "automatic_payment_methods",
            "customer",
            "invoice",
            "last_payment_error",
            "latest_charge",
            "next_action",
            "on_behalf_of",
            "payment_method",
            "payment_method_options",
            "processing",
            "review",
            "shipping",
            "transfer_data",
        ],
        "charge" => &[
            "application",
            "application_fee",
            "balance_transaction",
            "billing_details",
            "customer",
            "failure_balance_transaction",
            "fraud_details",
            "invoice",
            "on_behalf_of",
            "outcome",
            "payment_intent",
            "payment_method_details",
            "radar_options",
            "refunds",
            "review",
            "shipping",
            "source_transfer",
            "transfer",
            "transfer_data",
        ],
        "refund" => &[
            "balance_transaction",
            "charge",
            "failure_balance_transaction",
            "next_action",
            "payment_intent",
            "source_transfer_reversal",
            "transfer_reversal",
        ],
        "dispute" => &[
            "balance_transactions",
            "charge",
            "evidence",
            "evidence_details",
            "payment_intent",
            "payment_method_details",
        ],
        "product" => &["default_price", "features", "package_dimensions", "tax_code"],
        "price" => &[
            "currency_options",
            "custom_unit_amount",
            "product",
            "recurring",
            "tiers",
            "transform_quantity",
        ],
        "subscription" => &[
            "application",
            "automatic_tax",
            "billing_thresholds",
            "cancellation_details",
            "customer",
            "default_payment_method",
            "default_source",
            "default_tax_rates",
            "discount",
            "items",
            "latest_invoice",
            "on_behalf_of",
            "pause_collection",
            "payment_settings",
            "pending_invoice_item_interval",
            "pending_setup_intent",
            "pending_update",
            "schedule",
            "test_clock",
            "transfer_data",
            "trial_settings",
        ],
        "subscription_item" => &["billing_thresholds", "price", "tax_rates"],
        "invoice" => &[
            "account_tax_ids",
            "application",
            "automatic_tax",
            "charge",
            "custom_fields",
            "customer",
            "customer_address",
            "customer_shipping",
            "customer_tax_ids",
            "default_payment_method",
            "default_source",
            "default_tax_rates",
            "discount",
            "discounts",
            "from_invoice",
            "last_finalization_error",
            "latest_revision",
            "lines",
            "on_behalf_of",
            "payment_intent",
            "payment_settings",
            "quote",
            "rendering_options",
            "shipping_cost",
            "shipping_details",
            "status_transitions",
            "subscription",
            "subscription_details",
            "test_clock",
            "threshold_reason",
            "total_discount_amounts",
            "total_tax_amounts",
            "transfer_data",
        ],
        "line_item" => &[
            "discount_amounts",
            "discounts",
            "invoice_item",
            "period",
            "price",
            "proration_details",
            "subscription",
            "subscription_item",
            "tax_amounts",
            "tax_rates",
        ],
        "payout" => &[
            "balance_transaction",
            "destination",
            "failure_balance_transaction",
            "original_payout",
            "reversed_by",
        ],
        "balance_transaction" => &["fee_details", "source"],
        "event" => &["data", "request"],
        _ => &[],
    }
}

/// Applies every `expand[]` path to a response (an object or a list).
pub fn apply(st: &State, value: &mut Value, paths: &[String]) -> Result<(), ApiError> {
    for path in paths {
        let segs: Vec<&str> = path.split('.').collect();
        if value["object"] == "list" {
            match segs.split_first() {
                Some((&"data", rest)) if !rest.is_empty() => {
                    check_depth(path, rest.len())?;
                    if let Some(items) = value["data"].as_array_mut() {
                        for item in items {
                            walk(st, item, rest, path)?;
                        }
                    }
                }
                _ => {
                    return Err(ApiError::param(
                        "expand",
                        format!(
                            "This property cannot be expanded ({path}). You may want to try expanding \
                             'data.{path}' instead."
                        ),
                    ));
                }
            }
        } else {
            check_depth(path, segs.len())?;
            walk(st, value, &segs, path)?;
        }
    }
    Ok(())
}

fn check_depth(path: &str, depth: usize) -> Result<(), ApiError> {
    if depth > MAX_DEPTH {
        return Err(ApiError::param(
            "expand",
            format!("You cannot expand more than {MAX_DEPTH} levels of a property. Property: {path}"),
        ));
    }
    Ok(())
}

fn walk(st: &State, value: &mut Value, segs: &[&str], path: &str) -> Result<(), ApiError> {
    let Some((field, rest)) = segs.split_first() else {
        return Ok(());
    };
    let kind = value["object"].as_str().unwrap_or_default().to_owned();
    if !expandable(&kind).contains(field) {
        return Err(ApiError::param(
            "expand",
            format!("This property cannot be expanded ({field})."),
        ));
    }
    let id = value["id"].as_str().unwrap_or_default().to_owned();
    match (kind.as_str(), *field) {
        ("charge", "refunds") if value.get("refunds").is_none_or(|r| !r.is_object()) => {
            let (data, more) = children(st, "refund", "charge", &id);
            value["refunds"] = wire::list(&format!("/v1/charges/{id}/refunds"), data, more);
        }
        ("customer", "subscriptions") if value.get("subscriptions").is_none_or(|r| !r.is_object()) => {
            let (data, more) = children(st, "subscription", "customer", &id);
            value["subscriptions"] = wire::list(&format!("/v1/customers/{id}/subscriptions"), data, more);
        }
        _ => {
            if let Some(id) = value[*field].as_str().map(str::to_owned) {
                if let Some(target) = st.by_id(&id) {
                    value[*field] = target.clone();
                } else if let Some(tomb) = st.get("deleted", &id) {
                    // A deleted customer or product expands to its `{id, object, deleted}` stub.
                    value[*field] = wire::deleted(&id, tomb["object"].as_str().unwrap_or_default());
                }
            }
        }
    }
    if rest.is_empty() {
        return Ok(());
    }
    let child = &mut value[*field];
    if child["object"] == "list" {
        if rest.first() == Some(&"data") {
            if let Some(items) = child["data"].as_array_mut() {
                for item in items {
                    walk(st, item, &rest[1..], path)?;
                }
            }
            return Ok(());
        }
        return Err(ApiError::param(
            "expand",
            format!("This property cannot be expanded ({path})."),
        ));
    }
    if child.is_object() {
        walk(st, child, rest, path)?;
    }
    Ok(())
}

/// The first page (10, as Stripe embeds) of objects of `kind` whose `field` is `id`, newest
/// first, and whether there are more.
fn children(st: &State, kind: &str, field: &str, id: &str) -> (Vec<Value>, bool) {
    let all: Vec<Value> = st
        .newest_first(kind)
        .into_iter()
        .filter(|s| s.value[field] == id)
        .map(|s| s.value.clone())
        .collect();
    let more = all.len() > 10;
    (all.into_iter().take(10).collect(), more)
}
