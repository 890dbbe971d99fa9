//! Stripe customers written from Salesforce: `POST /v1/customers` (create) and
//! `POST /v1/customers/{id}` (update), each with an `Idempotency-Key`, and `GET /v1/customers/{id}`
//! to compare before writing.

use paysync_core::IdempotencyKey;
use paysync_core::retry::RetrySafety;
use reqwest::Method;
use serde_json::Value;

use crate::http::{Body, Request};

/// The customer fields Paysync keeps in step with a Salesforce Account. `None` means empty: an
/// update then clears the field in Stripe.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CustomerFields {
    /// `name`.
    pub name: Option<String>,
    /// `phone`.
    pub phone: Option<String>,
    /// `address[city]`.
    pub city: Option<String>,
    /// `address[country]`.
    pub country: Option<String>,
}

impl CustomerFields {
    /// The fields as a Stripe customer object holds them.
    pub fn of_customer(customer: &Value) -> Self {
        let text = |v: &Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_owned);
        Self {
            name: text(&customer["name"]),
            phone: text(&customer["phone"]),
            city: text(&customer["address"]["city"]),
            country: text(&customer["address"]["country"]),
        }
    }

    /// The form fields of a create or an update (an empty value clears the field).
    fn form(&self) -> Vec<(String, String)> {
        let value = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            ("name".to_owned(), value(&self.name)),
            ("phone".to_owned(), value(&self.phone)),
            ("address[city]".to_owned(), value(&self.city)),
            ("address[country]".to_owned(), value(&self.country)),
        ]
    }
}

/// `POST /v1/customers`, tagged with the Salesforce record it comes from
/// (`metadata[salesforce_account_id]`).
pub fn create_customer(fields: &CustomerFields, salesforce_account_id: &str, key: IdempotencyKey) -> Request {
    let mut form = fields.form();
    form.retain(|(_, v)| !v.is_empty());
    form.push((
        "metadata[salesforce_account_id]".to_owned(),
        salesforce_account_id.to_owned(),
    ));
    Request::new(
        Method::POST,
        "/v1/customers",
        RetrySafety::ReplaySafe,
        "stripe:POST /v1/customers",
    )
    .body(Body::Form(form))
    .idempotency_key(key)
}

/// `POST /v1/customers/{id}`: sets every kept field (clearing the empty ones).
pub fn update_customer(id: &str, fields: &CustomerFields, key: IdempotencyKey) -> Request {
    Request::new(
        Method::POST,
        format!("/v1/customers/{id}"),
        RetrySafety::ReplaySafe,
        "stripe:POST /v1/customers/:id",
    )
    .body(Body::Form(fields.form()))
    .idempotency_key(key)
}

/// `GET /v1/customers/{id}`.
pub fn get_customer(id: &str) -> Request {
    Request::get(format!("/v1/customers/{id}"), "stripe:GET /v1/customers/:id")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields() -> CustomerFields {
        CustomerFields {
            name: Some("Acme".to_owned()),
            phone: None,
            city: Some("Berlin".to_owned()),
            country: Some("DE".to_owned()),
        }
    }

    #[test]
    fn a_create_sends_only_set_fields_and_the_salesforce_id() {
        let key = IdempotencyKey::derive("sf-account-customer", &["001000000000001AAA"]);
        let req = create_customer(&fields(), "001000000000001AAA", key.clone());
        assert_eq!(
            req.body,
            Body::Form(vec![
                ("name".to_owned(), "Acme".to_owned()),
                ("address[city]".to_owned(), "Berlin".to_owned()),
                ("address[country]".to_owned(), "DE".to_owned()),
                (
                    "metadata[salesforce_account_id]".to_owned(),
                    "001000000000001AAA".to_owned()
                ),
            ])
        );
        assert_eq!(req.idempotency_key, Some(key));
    }

    #[test]
    fn an_update_clears_empty_fields() {
        let key = IdempotencyKey::derive("sf-account-customer-update", &["x"]);
        let req = update_customer("cus_1", &fields(), key);
        assert_eq!(req.path, "/v1/customers/cus_1");
        let Body::Form(form) = req.body else {
            panic!("a form body")
        };
        assert!(form.contains(&("phone".to_owned(), String::new())));
    }

    #[test]
    fn fields_are_read_back_from_a_customer() {
        let c = json!({"id": "cus_1", "name": "Acme", "phone": "", "address": {"city": "Berlin", "country": "DE"}});
        assert_eq!(CustomerFields::of_customer(&c), fields());
        assert_eq!(
            CustomerFields::of_customer(&json!({"id": "cus_2"})),
            CustomerFields::default()
        );
    }
}
