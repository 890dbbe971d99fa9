//! Stripe customers written from Salesforce: `POST /v1/customers` (create) and
//! `POST /v1/customers/{id}` (update), each with an `Idempotency-Key`, and `GET /v1/customers/{id}`
//! to compare before writing.

use paysync_core::IdempotencyKey;
use paysync_core::retry::RetrySafety;
use reqwest::Method;
use serde_json::Value;

use crate::http::{Body, Request};

/// The customer fields Paysync keeps in step with a Salesforce Account. `None` means empty: an
/// update then clears the field in Stripe, except the e-mail, which is set but never cleared (an
/// Account whose contacts have no e-mail leaves the customer's as it is).
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
    /// `email`.
    pub email: Option<String>,
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
            email: text(&customer["email"]),
        }
    }

    /// Whether `customer` already holds these fields (the e-mail only when there is one to set).
    pub fn held_by(&self, customer: &Value) -> bool {
        let held = Self::of_customer(customer);
        held.name == self.name
            && held.phone == self.phone
            && held.city == self.city
            && held.country == self.country
            && (self.email.is_none() || held.email == self.email)
    }

    /// The form fields of a create or an update (an empty value clears the field).
    fn form(&self) -> Vec<(String, String)> {
        let value = |v: &Option<String>| v.clone().unwrap_or_default();
        let mut form = vec![
            ("name".to_owned(), value(&self.name)),
            ("phone".to_owned(), value(&self.phone)),
            ("address[city]".to_owned(), value(&self.city)),
            ("address[country]".to_owned(), value(&self.country)),
        ];
        if let Some(email) = &self.email {
            form.push(("email".to_owned(), email.clone()));
        }
        form
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
            email: None,
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
        assert!(fields().held_by(&c));
        let with_email = CustomerFields {
            email: Some("ap@acme.example".to_owned()),
            ..fields()
        };
        assert!(!with_email.held_by(&c), "an e-mail to set is not held yet");
        let Body::Form(form) = update_customer("cus_1", &fields(), IdempotencyKey::derive("t", &[])).body
        else {
            panic!("a form body")
        };
        assert!(
            !form.iter().any(|(k, _)| k == "email"),
            "no e-mail is never a clear"
        );
        assert_eq!(
            CustomerFields::of_customer(&json!({"id": "cus_2"})),
            CustomerFields::default()
        );
    }
}
