//! Stripe subscriptions created from won Salesforce deals: `POST /v1/subscriptions` (invoiced, with
//! an `Idempotency-Key`) and `GET /v1/subscriptions?customer=…&status=all` to find one already made.

use paysync_core::IdempotencyKey;
use paysync_core::retry::RetrySafety;
use reqwest::Method;

use crate::http::{Body, Request};

/// A subscription line: a Stripe price and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionItem {
    /// `price_…`.
    pub price: String,
    /// At least 1.
    pub quantity: u64,
}

/// What a new subscription is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    /// `cus_…`.
    pub customer: String,
    /// The lines, in order.
    pub items: Vec<SubscriptionItem>,
    /// Days the customer has to pay each invoice (`collection_method=send_invoice`).
    pub days_until_due: u32,
    /// The Salesforce deal it comes from (`metadata[opportunity_id]`).
    pub opportunity_id: String,
    /// The Salesforce account (`metadata[salesforce_account_id]`).
    pub salesforce_account_id: String,
}

/// `POST /v1/subscriptions`. Deals are invoiced (`send_invoice`): a won deal has no card on file.
pub fn create_subscription(sub: &NewSubscription, key: IdempotencyKey) -> Request {
    let mut form = vec![
        ("customer".to_owned(), sub.customer.clone()),
        ("collection_method".to_owned(), "send_invoice".to_owned()),
        ("days_until_due".to_owned(), sub.days_until_due.to_string()),
    ];
    for (n, item) in sub.items.iter().enumerate() {
        form.push((format!("items[{n}][price]"), item.price.clone()));
        form.push((format!("items[{n}][quantity]"), item.quantity.to_string()));
    }
    form.push(("metadata[opportunity_id]".to_owned(), sub.opportunity_id.clone()));
    form.push((
        "metadata[salesforce_account_id]".to_owned(),
        sub.salesforce_account_id.clone(),
    ));
    Request::new(
        Method::POST,
        "/v1/subscriptions",
        RetrySafety::ReplaySafe,
        "stripe:POST /v1/subscriptions",
    )
    .body(Body::Form(form))
    .idempotency_key(key)
}

/// `GET /v1/subscriptions` of one customer, in every status, newest first.
pub fn list_customer_subscriptions(customer: &str, starting_after: Option<&str>) -> Request {
    super::list("/v1/subscriptions", None, starting_after, super::MAX_PAGE)
        .query("customer", customer)
        .query("status", "all")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subscription_is_invoiced_and_tagged_with_its_deal() {
        let sub = NewSubscription {
            customer: "cus_1".to_owned(),
            items: vec![
                SubscriptionItem {
                    price: "price_a".to_owned(),
                    quantity: 2,
                },
                SubscriptionItem {
                    price: "price_b".to_owned(),
                    quantity: 1,
                },
            ],
            days_until_due: 30,
            opportunity_id: "006000000000001AAA".to_owned(),
            salesforce_account_id: "001000000000001AAA".to_owned(),
        };
        let key = IdempotencyKey::derive("sf-opportunity-subscription", &["006000000000001AAA"]);
        let req = create_subscription(&sub, key);
        let Body::Form(form) = req.body else {
            panic!("a form body")
        };
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("collection_method"), Some("send_invoice"));
        assert_eq!(get("items[1][price]"), Some("price_b"));
        assert_eq!(get("items[0][quantity]"), Some("2"));
        assert_eq!(get("metadata[opportunity_id]"), Some("006000000000001AAA"));
        assert!(req.idempotency_key.is_some());
    }

    #[test]
    fn a_customers_subscriptions_are_listed_in_every_status() {
        let req = list_customer_subscriptions("cus_1", None);
        assert!(req.query.contains(&("status".to_owned(), "all".to_owned())));
        assert!(req.query.contains(&("customer".to_owned(), "cus_1".to_owned())));
    }
}
