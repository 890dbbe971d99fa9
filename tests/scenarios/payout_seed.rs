//! Seeding the simulators for payout scenarios: a funded EUR program, Active payees with their
//! Contacts, and payment requests approved in Salesforce by a maker (not the user who connects).

use chrono::{DateTime, Utc};
use paysync_sandbox::payoneer::{NewPayee, PayeeStatus, PayoutFailure};
use paysync_sandbox::salesforce::OrgUser;
use paysync_sandbox::sandbox::Sandbox;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

/// Funds the program in EUR, with a 1.50 fee per payout, settling `settle_delay_secs` after sending.
pub fn fund_eur_program(sandbox: &Sandbox, balance: Decimal, settle_delay_secs: i64) {
    let po = &sandbox.payoneer;
    po.set_balance("EUR", balance);
    po.set_fee("EUR", Decimal::new(150, 2));
    let mut config = po.config();
    config.settle_delay_secs = settle_delay_secs;
    po.set_config(config);
}

/// An Active EUR payee in Germany and its Contact (named `name`, same e-mail); returns the Contact.
pub fn payee_with_contact(
    sandbox: &Sandbox,
    payee_id: &str,
    name: &str,
    email: &str,
    fail_payouts_with: Option<PayoutFailure>,
    now: DateTime<Utc>,
) -> String {
    sandbox.payoneer.insert_payee(
        NewPayee {
            payee_id: payee_id.to_owned(),
            status: PayeeStatus::Active,
            reasons: vec![],
            email: email.to_owned(),
            country: "DE".into(),
            payout_currency: "EUR".into(),
            fail_payouts_with,
        },
        now,
    );
    sandbox
        .salesforce
        .insert_record(
            "Contact",
            fields(json!({"LastName": name, "Email": email, "MailingCountry": "DE",
                          "Payoneer_Payee_Id__c": payee_id})),
            now,
        )
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `insert` as the Salesforce user `maker` (so its requests carry that `LastModifiedById`),
/// then restores the org's user.
pub fn as_maker<T>(sandbox: &Sandbox, maker: &str, insert: impl FnOnce() -> T) -> T {
    let sf = &sandbox.salesforce;
    let admin = sf.user();
    sf.set_user(OrgUser {
        user_id: maker.to_owned(),
        ..admin.clone()
    });
    let out = insert();
    sf.set_user(admin);
    out
}

/// A EUR payment request approved for payout to `contact`.
pub fn approved_request(
    sandbox: &Sandbox,
    contact: &str,
    amount: Decimal,
    description: &str,
    now: DateTime<Utc>,
) {
    let amount: f64 = amount.to_string().parse().unwrap_or(0.0);
    sandbox
        .salesforce
        .insert_record(
            "Payment_Request__c",
            fields(
                json!({"Status__c": "Approved for Payout", "Amount__c": amount, "Currency__c": "EUR",
                          "Contact__c": contact, "Description__c": description}),
            ),
            now,
        )
        .unwrap_or_else(|e| panic!("{e}"));
}
