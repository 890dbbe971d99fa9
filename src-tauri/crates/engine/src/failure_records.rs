//! The records a failure is about, read from its payload: the Stripe object of an event, the
//! Salesforce Account, Opportunity or payment request a job came from. The console links each
//! to its page at the provider.

use serde_json::Value;

use crate::flows::{salesforce_stripe, stripe_salesforce};
use crate::payouts::{self, PayoutSource};

/// One record at a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    /// `stripe` or `salesforce`.
    pub provider: &'static str,
    /// The object type as the provider names it (`customer`, `charge`, `Account`, …).
    pub object: String,
    /// The record's id.
    pub id: String,
    /// A Stripe object of a test-mode account (its dashboard page is under `/test`).
    pub test_mode: bool,
}

/// Whether `id` looks like a Salesforce record id (15 or 18 letters and digits).
fn salesforce_id(id: &str) -> bool {
    matches!(id.len(), 15 | 18) && id.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn text<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// The records the failure of a job of `kind` with `payload` is about, most specific first.
pub fn records_of(kind: &str, payload: &Value) -> Vec<RecordRef> {
    let mut out = Vec::new();
    let mut salesforce = |object: &str, id: Option<&str>| {
        if let Some(id) = id.filter(|id| salesforce_id(id)) {
            out.push(RecordRef {
                provider: "salesforce",
                object: object.to_owned(),
                id: id.to_owned(),
                test_mode: false,
            });
        }
    };
    let mut stripe = Vec::new();
    match kind {
        stripe_salesforce::RECORD_JOB => {
            let test_mode = payload.pointer("/event/livemode") == Some(&Value::Bool(false));
            let object = payload.pointer("/event/data/object").unwrap_or(&Value::Null);
            if let (Some(kind), Some(id)) = (text(object, "/object"), text(object, "/id")) {
                stripe.push((kind.to_owned(), id.to_owned(), test_mode));
            }
            if let Some(customer) = text(object, "/customer").filter(|c| c.starts_with("cus_")) {
                stripe.push(("customer".to_owned(), customer.to_owned(), test_mode));
            }
            salesforce("Account", text(object, "/metadata/salesforce_account_id"));
        }
        salesforce_stripe::CUSTOMER_JOB => {
            let object = text(payload, "/account/attributes/type").unwrap_or("Account");
            salesforce(object, text(payload, "/account/Id"));
            if let Some(customer) = text(payload, "/account/Stripe_Customer_Id__c") {
                stripe.push(("customer".to_owned(), customer.to_owned(), false));
            }
        }
        salesforce_stripe::SUBSCRIPTION_JOB => {
            salesforce("Opportunity", text(payload, "/opportunity/Id"));
            salesforce("Account", text(payload, "/opportunity/AccountId"));
        }
        payouts::REQUEST_JOB => {
            let object = text(payload, "/object").unwrap_or("Payment_Request__c");
            salesforce(object, text(payload, "/request/Id"));
            salesforce("Contact", text(payload, "/request/Contact__c"));
        }
        payouts::OUTCOME_JOB => {
            if let Some(id) = text(payload, "/request_id") {
                salesforce(PayoutSource::of_record(id).object(), Some(id));
            }
        }
        _ => {}
    }
    out.extend(stripe.into_iter().map(|(object, id, test_mode)| RecordRef {
        provider: "stripe",
        object,
        id,
        test_mode,
    }));
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refs(kind: &str, payload: &Value) -> Vec<(String, String, String)> {
        records_of(kind, payload)
            .into_iter()
            .map(|r| (r.provider.to_owned(), r.object, r.id))
            .collect()
    }

    fn r(provider: &str, object: &str, id: &str) -> (String, String, String) {
        (provider.to_owned(), object.to_owned(), id.to_owned())
    }

    #[test]
    fn each_kind_names_its_records() {
        let charge = json!({"event": {"livemode": false, "data": {"object": {
            "object": "charge", "id": "ch_1", "customer": "cus_9",
            "metadata": {"salesforce_account_id": "001000000000001AAA"}}}}});
        assert_eq!(
            refs(stripe_salesforce::RECORD_JOB, &charge),
            [
                r("salesforce", "Account", "001000000000001AAA"),
                r("stripe", "charge", "ch_1"),
                r("stripe", "customer", "cus_9")
            ]
        );
        assert!(
            records_of(stripe_salesforce::RECORD_JOB, &charge)
                .iter()
                .all(|r| r.provider != "stripe" || r.test_mode)
        );
        let account = json!({"account": {"Id": "001000000000002", "Stripe_Customer_Id__c": "cus_2"}});
        assert_eq!(
            refs(salesforce_stripe::CUSTOMER_JOB, &account),
            [
                r("salesforce", "Account", "001000000000002"),
                r("stripe", "customer", "cus_2")
            ]
        );
        let request =
            json!({"object": "Opportunity", "request": {"Id": "006000000000003", "Contact__c": "bad id"}});
        assert_eq!(
            refs(payouts::REQUEST_JOB, &request),
            [r("salesforce", "Opportunity", "006000000000003")],
            "an id that is not a Salesforce id is left out"
        );
        let outcome = json!({"item_id": 1, "request_id": "a03000000000004"});
        assert_eq!(
            refs(payouts::OUTCOME_JOB, &outcome),
            [r("salesforce", "Payment_Request__c", "a03000000000004")]
        );
        assert!(records_of("selftest.write", &json!({})).is_empty());
    }
}
