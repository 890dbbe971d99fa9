//! Seeded demo data for the first-run sandbox and the tests: realistic volumes over the last 90
//! days in many currencies (JPY and KWD included), with deliberate data problems that later screens
//! must surface — invalid payout recipients and reconciliation discrepancies — all listed in a
//! [`DemoManifest`] that tests read.
//!
//! Generation is in two steps: [`plan::plan`] decides everything from the seed (pure, tested on its
//! own), then [`apply`] loads the plan into the running simulators through their seeding APIs.

pub mod apply;
pub mod plan;

use serde::{Deserialize, Serialize};

pub use apply::{already_seeded, seed};

/// The Salesforce user who approves the demo's payment requests for payout (the maker). The
/// sandbox's own user, who approves payout batches in the console, is someone else, so the demo's
/// batches can be approved under four eyes.
pub const DEMO_MAKER_USER_ID: &str = "005SBXMAKER0001";

/// How much demo data to make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemoConfig {
    /// Seed; the same seed gives the same data.
    pub seed: u64,
    /// Stripe customers (each with a Salesforce Account and Contact).
    pub customers: u32,
    /// Stripe payments over the period.
    pub payments: u32,
    /// Days of history.
    pub days: u32,
    /// Payoneer payees (vendors in Salesforce).
    pub payees: u32,
    /// Salesforce payment requests.
    pub payment_requests: u32,
    /// Checkout.com payments.
    pub checkout_payments: u32,
    /// MaldoPay transactions.
    pub maldopay_transactions: u32,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            seed: 20_261_121,
            customers: 300,
            payments: 3_000,
            days: 90,
            payees: 60,
            payment_requests: 150,
            checkout_payments: 300,
            maldopay_transactions: 200,
        }
    }
}

/// A deliberate difference between a provider and Salesforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscrepancyKind {
    /// The provider has it; Salesforce does not.
    MissingInSalesforce,
    /// Salesforce has it; the provider does not.
    MissingAtProvider,
    /// Both have it, with different amounts.
    AmountMismatch,
    /// Both have it, with different statuses.
    StatusMismatch,
    /// Salesforce has it twice.
    Duplicate,
}

/// One seeded discrepancy, as a reconciliation run should report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discrepancy {
    /// What is wrong.
    pub kind: DiscrepancyKind,
    /// The provider (`stripe`).
    pub provider: String,
    /// The provider's object id, if it has one.
    pub provider_id: Option<String>,
    /// The Salesforce record ids involved (`Payment__c`).
    pub salesforce_ids: Vec<String>,
    /// The plan key of the payment involved.
    pub payment_key: String,
    /// A human explanation.
    pub detail: String,
}

/// Why a seeded payout recipient cannot be paid as it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecipientProblem {
    /// The Contact has no usable email address (Salesforce itself refuses malformed ones).
    InvalidEmail,
    /// The Contact has no mailing country.
    MissingCountry,
    /// The Contact's payee id does not exist at Payoneer.
    UnknownPayee,
    /// The payee exists but is still pending KYC.
    PayeePending,
    /// The payee was declined (inactive).
    PayeeInactive,
    /// The Contact is blocked from payouts.
    Blocked,
}

/// One seeded recipient problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidRecipient {
    /// What is wrong.
    pub problem: RecipientProblem,
    /// The Salesforce Contact id.
    pub contact_id: String,
    /// The payee id on the Contact.
    pub payee_id: Option<String>,
    /// The approved payment requests that point at this recipient.
    pub payment_request_ids: Vec<String>,
}

/// What was seeded, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoCounts {
    /// Stripe customers.
    pub customers: u64,
    /// Stripe payments (charges).
    pub payments: u64,
    /// Stripe refunds.
    pub refunds: u64,
    /// Stripe disputes.
    pub disputes: u64,
    /// Stripe subscriptions.
    pub subscriptions: u64,
    /// Stripe payouts.
    pub payouts: u64,
    /// Salesforce `Payment__c` records.
    pub salesforce_payments: u64,
    /// Payoneer payees.
    pub payees: u64,
    /// Salesforce payment requests.
    pub payment_requests: u64,
    /// Checkout.com payments.
    pub checkout_payments: u64,
    /// MaldoPay transactions.
    pub maldopay_transactions: u64,
}

/// Everything a test needs to know about the seeded data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoManifest {
    /// The seed used.
    pub seed: u64,
    /// The currencies used.
    pub currencies: Vec<String>,
    /// Volumes.
    pub counts: DemoCounts,
    /// Seeded reconciliation discrepancies (Stripe ↔ Salesforce `Payment__c`).
    pub discrepancies: Vec<Discrepancy>,
    /// Seeded payout recipient problems.
    pub invalid_recipients: Vec<InvalidRecipient>,
    /// Payee ids by status (`active`, `pending`, `inactive`).
    pub payees_by_status: std::collections::BTreeMap<String, Vec<String>>,
    /// Currencies whose Payoneer balance is deliberately too low for the approved requests.
    pub underfunded_currencies: Vec<String>,
}
