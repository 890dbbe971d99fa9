//! The route table: method + path pattern → parameter table, extra validation and handler.
//! Matching is done here rather than by axum so unknown URLs get Stripe's 404 body and every
//! request goes through one pipeline (auth, rate limit, validation, idempotency, expand).

use axum::http::Method;
use serde_json::Value;

use super::errors::ApiError;
use super::params::Spec;
use super::state::Exec;
use super::{routes_billing, routes_core, routes_invoices, routes_money};

/// A parsed request as handlers see it.
#[derive(Debug)]
pub struct Call {
    /// Parameters (query for GET/DELETE, form body for POST).
    pub params: Value,
    /// Values of the `:name` path segments, in order.
    pub ids: Vec<String>,
}

impl Call {
    /// The first path id.
    pub fn id(&self) -> &str {
        self.ids.first().map_or("", String::as_str)
    }
}

/// A handler: runs under the state lock.
pub type Handler = fn(&mut Exec<'_>, &Call) -> Result<Value, ApiError>;
/// Extra parameter checks that need more than types (amount rules), run before execution.
pub type Check = fn(&Value) -> Result<(), ApiError>;

/// One endpoint.
pub struct Route {
    /// HTTP method.
    pub method: Method,
    /// Path with `:name` segments, e.g. `/v1/customers/:id`.
    pub path: &'static str,
    /// Its parameters.
    pub spec: &'static Spec,
    /// Whether it is a list endpoint (takes `limit`, cursors, `created`).
    pub list: bool,
    /// Extra validation.
    pub check: Option<Check>,
    /// The work.
    pub handler: Handler,
}

/// Shorthand for building the table.
pub const fn route(
    method: Method,
    path: &'static str,
    spec: &'static Spec,
    list: bool,
    check: Option<Check>,
    handler: Handler,
) -> Route {
    Route {
        method,
        path,
        spec,
        list,
        check,
        handler,
    }
}

/// No parameters but `expand`.
pub const NONE: Spec = Spec {
    params: &[],
    required: &[],
};

/// Every endpoint the simulator serves.
pub fn table() -> Vec<Route> {
    let mut t = routes_core::routes();
    t.extend(routes_billing::routes());
    t.extend(routes_invoices::routes());
    t.extend(routes_money::routes());
    t
}

/// The route for `method` `path` and its path ids.
pub fn find<'a>(table: &'a [Route], method: &Method, path: &str) -> Option<(&'a Route, Vec<String>)> {
    let segs: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    table.iter().find_map(|r| {
        if r.method != *method {
            return None;
        }
        let pattern: Vec<&str> = r.path.split('/').collect();
        if pattern.len() != segs.len() {
            return None;
        }
        let mut ids = Vec::new();
        for (p, s) in pattern.iter().zip(&segs) {
            if p.starts_with(':') {
                if s.is_empty() {
                    return None;
                }
                ids.push(percent_decode(s));
            } else if p != s {
                return None;
            }
        }
        Some((r, ids))
    })
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map_or_else(|| s.to_owned(), |(_, v)| v.into_owned())
}
