//! Stripe: requests built as values for the shared executor, the wire shapes exactly as Stripe
//! names them, and pure conversions to domain types. So far: listing charges (`GET /v1/charges`,
//! cursor pagination with `starting_after`, `created[gte]` filter), events (webhook signatures,
//! the event decoder, `GET /v1/events`), the lists a full re-scan reads, and the writes that carry
//! Salesforce changes back (customers, subscriptions).

pub mod customers;
pub mod events;
pub mod signature;
pub mod subscriptions;
pub mod transform;
pub mod wire;

use chrono::{DateTime, Utc};

use crate::http::Request;

/// The provider name the executor knows Stripe by.
pub const PROVIDER: &str = "stripe";

/// Stripe's largest page.
pub const MAX_PAGE: u32 = 100;

/// `GET /v1/charges`: charges created at or after `created_gte`, oldest-first pages are not
/// offered by Stripe, so callers page newest-first with `starting_after` and stop when
/// `has_more` is false.
pub fn list_charges(created_gte: Option<DateTime<Utc>>, starting_after: Option<&str>, limit: u32) -> Request {
    list("/v1/charges", created_gte, starting_after, limit)
}

/// `GET /v1/balance_transactions` of one `type` (`charge`, …) created in `[gte, lte]` (Unix
/// seconds), newest first: a charge's fee and net, many charges a call.
pub fn list_balance_transactions(
    kind: &str,
    gte: i64,
    lte: i64,
    starting_after: Option<&str>,
    limit: u32,
) -> Request {
    created_between(
        list("/v1/balance_transactions", None, starting_after, limit).query("type", kind),
        gte,
        lte,
    )
}

/// One page of the Stripe list at `path` (`/v1/charges`, `/v1/refunds`, …) of objects created in
/// `[gte, lte]` (Unix seconds), newest first.
pub fn list_created_between(
    path: &str,
    gte: i64,
    lte: i64,
    starting_after: Option<&str>,
    limit: u32,
) -> Request {
    created_between(list(path, None, starting_after, limit), gte, lte)
}

/// `GET /v1/balance_transactions?payout=…`: the transactions one payout settled, newest first.
pub fn list_payout_transactions(payout_id: &str, starting_after: Option<&str>, limit: u32) -> Request {
    list("/v1/balance_transactions", None, starting_after, limit).query("payout", payout_id)
}

fn created_between(req: Request, gte: i64, lte: i64) -> Request {
    req.query("created[gte]", gte.to_string())
        .query("created[lte]", lte.to_string())
}

/// One page of a Stripe list, newest first: `limit` (clamped to 1–100), then `created[gte]` and
/// `starting_after` when given. The endpoint label is the method and path.
pub(crate) fn list(
    path: &str,
    created_gte: Option<DateTime<Utc>>,
    starting_after: Option<&str>,
    limit: u32,
) -> Request {
    let mut req =
        Request::get(path, format!("stripe:GET {path}")).query("limit", limit.clamp(1, MAX_PAGE).to_string());
    if let Some(t) = created_gte {
        req = req.query("created[gte]", t.timestamp().to_string());
    }
    if let Some(id) = starting_after {
        req = req.query("starting_after", id);
    }
    req
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_by_window_and_a_payouts_transactions() {
        let req = list_created_between("/v1/refunds", 10, 20, None, 100);
        assert_eq!(req.path, "/v1/refunds");
        assert_eq!(
            req.query,
            vec![
                ("limit".to_owned(), "100".to_owned()),
                ("created[gte]".to_owned(), "10".to_owned()),
                ("created[lte]".to_owned(), "20".to_owned()),
            ]
        );
        let req = list_payout_transactions("po_1", Some("txn_9"), 100);
        assert_eq!(req.path, "/v1/balance_transactions");
        assert_eq!(
            req.query,
            vec![
                ("limit".to_owned(), "100".to_owned()),
                ("starting_after".to_owned(), "txn_9".to_owned()),
                ("payout".to_owned(), "po_1".to_owned()),
            ]
        );
    }

    #[test]
    fn balance_transactions_are_listed_by_type_and_window() {
        let req = list_balance_transactions("charge", 10, 20, Some("txn_1"), 100);
        assert_eq!(req.path, "/v1/balance_transactions");
        assert_eq!(
            req.query,
            vec![
                ("limit".to_owned(), "100".to_owned()),
                ("starting_after".to_owned(), "txn_1".to_owned()),
                ("type".to_owned(), "charge".to_owned()),
                ("created[gte]".to_owned(), "10".to_owned()),
                ("created[lte]".to_owned(), "20".to_owned()),
            ]
        );
    }

    #[test]
    fn list_charges_builds_stripes_query() {
        let t = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        let req = list_charges(Some(t), Some("ch_9"), 500);
        assert_eq!(req.path, "/v1/charges");
        assert_eq!(
            req.query,
            vec![
                ("limit".to_owned(), "100".to_owned()),
                ("created[gte]".to_owned(), "1700000000".to_owned()),
                ("starting_after".to_owned(), "ch_9".to_owned()),
            ]
        );
        assert!(req.idempotency_key.is_none(), "a read carries no idempotency key");
    }
}
