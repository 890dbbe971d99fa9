//! Stripe list semantics (apis.md §2.5): newest first; `limit` 1–100 (default 10);
//! `starting_after` / `ending_before` cursors naming objects; `has_more` telling whether another
//! page lies in the direction of travel; `created` exact or `[gt|gte|lt|lte]`.

use serde_json::Value;

use super::errors::ApiError;
use super::params;
use super::state::{State, kind_of_id, noun, order_key};
use super::wire;

/// The `limit` parameter, checked.
pub fn limit(p: &Value) -> Result<usize, ApiError> {
    let Some(v) = p.get("limit") else {
        return Ok(10);
    };
    let n = params::int_text("limit", v)?;
    if n < 1 {
        return Err(ApiError::param(
            "limit",
            "This value must be greater than or equal to 1.",
        ));
    }
    if n > 100 {
        return Err(ApiError::param(
            "limit",
            "This value must be less than or equal to 100.",
        ));
    }
    Ok(usize::try_from(n).unwrap_or(100))
}

/// Whether `value` satisfies the range (or exact) filter in `p[name]`.
pub fn in_range(p: &Value, name: &str, value: i64) -> bool {
    match p.get(name) {
        None => true,
        Some(Value::Object(m)) => m.iter().all(|(op, bound)| {
            let Some(b) = bound.as_str().and_then(|s| s.parse::<i64>().ok()) else {
                return true;
            };
            match op.as_str() {
                "gt" => value > b,
                "gte" => value >= b,
                "lt" => value < b,
                "lte" => value <= b,
                _ => true,
            }
        }),
        Some(exact) => exact
            .as_str()
            .and_then(|s| s.parse::<i64>().ok())
            .is_none_or(|b| value == b),
    }
}

/// The number given as `created[op]`, if any.
fn created_bound(p: &Value, op: &str) -> Option<i64> {
    p["created"][op].as_str().and_then(|s| s.parse::<i64>().ok())
}

/// The smallest `created` a `created[gte]` / `created[gt]` filter admits, if one is given.
fn lower_bound(p: &Value) -> Option<i64> {
    match (created_bound(p, "gte"), created_bound(p, "gt")) {
        (Some(a), Some(b)) => Some(a.max(b.saturating_add(1))),
        (a, b) => a.or(b.map(|b| b.saturating_add(1))),
    }
}

/// The largest `created` a `created[lte]` / `created[lt]` filter admits, if one is given.
fn upper_bound(p: &Value) -> Option<i64> {
    match (created_bound(p, "lte"), created_bound(p, "lt")) {
        (Some(a), Some(b)) => Some(a.min(b.saturating_sub(1))),
        (a, b) => a.or(b.map(|b| b.saturating_sub(1))),
    }
}

/// One page of `kind` objects matching `keep`, as a list object at `url`.
pub fn page(
    st: &State,
    kind: &str,
    url: &str,
    p: &Value,
    keep: impl Fn(&Value) -> bool,
) -> Result<Value, ApiError> {
    let limit = limit(p)?;
    let after = params::s_nonempty(p, "starting_after");
    let before = params::s_nonempty(p, "ending_before");
    if after.is_some() && before.is_some() {
        return Err(ApiError::param(
            "ending_before",
            "You may only specify one of these parameters: ending_before, starting_after.",
        ));
    }
    let cursor = |id: &str, param: &str| {
        st.objects
            .get(kind)
            .and_then(|m| m.get(id))
            .map(order_key)
            .ok_or_else(|| {
                let n = kind_of_id(id).map_or(kind, |k| k);
                ApiError::missing_resource(noun(n), id, param)
            })
    };
    // Walk the list order from the cursor, reading only as far as the page needs.
    let objects = st.objects.get(kind);
    let order = st.order.get(kind);
    let lowest = lower_bound(p);
    let matches = |(created, _, id): &(i64, u64, String)| -> Option<&Value> {
        let value = &objects?.get(id)?.value;
        (in_range(p, "created", *created) && keep(value)).then_some(value)
    };
    let (data, has_more): (Vec<&Value>, bool) = if let Some(id) = before {
        let (c, s) = cursor(id, "ending_before")?;
        let mut newer: Vec<&Value> = order
            .into_iter()
            .flat_map(|o| o.range((c, s + 1, String::new())..))
            .filter_map(matches)
            .take(limit + 1)
            .collect();
        let more = newer.len() > limit;
        newer.truncate(limit);
        newer.reverse();
        (newer, more)
    } else {
        let below = match after {
            Some(id) => Some(cursor(id, "starting_after")?),
            None => None,
        };
        // Start below both the cursor and a `created` upper bound: a window deep in a long
        // history then costs its own length, not a walk down from the newest object.
        let start = match (below, upper_bound(p)) {
            (Some((c, s)), Some(h)) if c <= h => Some((c, s)),
            (_, Some(h)) => Some((h.saturating_add(1), 0)),
            (below, None) => below,
        };
        let mut older: Vec<&Value> = order
            .into_iter()
            .flat_map(|o| match start {
                Some((c, s)) => o.range(..(c, s, String::new())),
                None => o.range(..),
            })
            .rev()
            .take_while(|(created, _, _)| lowest.is_none_or(|l| *created >= l))
            .filter_map(matches)
            .take(limit + 1)
            .collect();
        let more = older.len() > limit;
        older.truncate(limit);
        (older, more)
    };
    Ok(wire::list(url, data.into_iter().cloned().collect(), has_more))
}
