//! Stripe's JSON, as Stripe names it (only the fields Paysync reads).

use serde::Deserialize;

/// A list response (`object: "list"`).
#[derive(Debug, Clone, Deserialize)]
pub struct List<T> {
    /// This page.
    pub data: Vec<T>,
    /// Whether another page follows.
    pub has_more: bool,
}

/// A charge.
#[derive(Debug, Clone, Deserialize)]
pub struct Charge {
    /// `ch_…`.
    pub id: String,
    /// In Stripe's smallest unit for the currency (which is not always ISO's).
    pub amount: i64,
    /// Lower-case ISO code.
    pub currency: String,
    /// `succeeded`, `pending` or `failed`.
    pub status: String,
    /// Unix seconds.
    pub created: i64,
    /// The customer id, if any (not expanded).
    pub customer: Option<String>,
}
