//! The flow and its jobs against the Salesforce and Stripe simulators.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use paysync_core::{Clock, ManualClock, SharedClock};
use paysync_sandbox::SimHandle;
use paysync_sandbox::salesforce::SalesforceSim;
use paysync_sandbox::stripe::{NewCustomer, NewPrice, NewProduct, StripeSim};
use paysync_store::{DeadLetterFilter, JobStatus};
use serde_json::{Map, Value, json};

use super::*;
use crate::flows::testing::{engine_with_extensions, start_salesforce, start_stripe, stripe_executor};
use crate::{Engine, Extensions};

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

struct Setup {
    dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    stripe_handle: SimHandle,
    sf_handle: SimHandle,
    stripe: Arc<StripeSim>,
    salesforce: Arc<SalesforceSim>,
    flow: SalesforceToStripeFlow,
    engine: Option<Engine>,
}

impl Setup {
    /// The simulators and an engine whose flow has had its first run (it now watches).
    async fn new() -> Self {
        Self::with_session(None).await
    }

    /// The same, with Salesforce sessions lasting `session` (for tests that skip days).
    async fn with_session(session: Option<Duration>) -> Self {
        let clock = Arc::new(ManualClock::new(start()));
        let shared: SharedClock = clock.clone();
        let (stripe_handle, stripe) = start_stripe(shared.clone()).await;
        let (sf_handle, salesforce, mut sf) = start_salesforce(shared.clone()).await;
        if let Some(session) = session {
            salesforce.set_session_timeout(session);
            let token = salesforce.mint_token(paysync_sandbox::salesforce::SANDBOX_CLIENT_ID, "api");
            sf = crate::flows::testing::salesforce_executor(
                token["instance_url"].as_str().unwrap_or_default(),
                token["access_token"].as_str().unwrap_or_default(),
                shared.clone(),
            );
        }
        let flow = SalesforceToStripeFlow::new(
            stripe_executor(&stripe_handle.base_url, shared.clone()),
            sf,
            ReverseOptions::default(),
        );
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut setup = Self {
            dir,
            clock,
            stripe_handle,
            sf_handle,
            stripe,
            salesforce,
            flow,
            engine: None,
        };
        setup.open().await;
        setup.run().await;
        setup
    }

    /// Opens the engine (again) on the same data directory.
    async fn open(&mut self) {
        let extensions = Extensions {
            handlers: self.flow.handlers(),
            flows: vec![(Arc::new(self.flow.clone()), "off".to_owned())],
            ..Extensions::default()
        };
        let shared: SharedClock = self.clock.clone();
        self.engine = Some(engine_with_extensions(self.dir.path(), shared, extensions).await);
    }

    fn engine(&self) -> &Engine {
        self.engine.as_ref().unwrap_or_else(|| panic!("engine closed"))
    }

    /// A minute later: one poll, then every job that is due.
    async fn run(&self) {
        self.clock.advance(Duration::minutes(1));
        let run = self
            .engine()
            .run_flow_now(NAME)
            .await
            .unwrap_or_else(|e| panic!("run: {e}"));
        assert_eq!(run.outcome, "succeeded", "{run:?}");
        self.engine()
            .run_jobs_until_idle()
            .await
            .unwrap_or_else(|e| panic!("jobs: {e}"));
    }

    fn insert(&self, object: &str, value: Value) -> String {
        self.salesforce
            .insert_record(object, fields(value), self.clock.now())
            .unwrap_or_else(|e| panic!("{object}: {e}"))
    }

    /// A Stripe customer named `name` and an Account already linked to it (with `fields` besides);
    /// returns (customer, account).
    fn linked_account(&self, name: &str, mut fields: Value) -> (String, String) {
        let cus = self.stripe.insert_customer(NewCustomer {
            name: Some(name.to_owned()),
            created: start(),
            ..NewCustomer::default()
        });
        fields["Name"] = json!(name);
        fields["Stripe_Customer_Id__c"] = json!(cus);
        let account = self.insert("Account", fields);
        (cus, account)
    }

    fn change(&self, object: &str, id: &str, value: Value) {
        self.salesforce
            .update_record(object, id, fields(value), self.clock.now())
            .unwrap_or_else(|e| panic!("{object}: {e}"));
    }

    fn record(&self, object: &str, id: &str) -> Map<String, Value> {
        self.salesforce
            .records(object)
            .into_iter()
            .find(|r| r.get("Id").and_then(Value::as_str) == Some(id))
            .unwrap_or_else(|| panic!("{object} {id} not found"))
    }

    fn stripe_events(&self, kind: &str) -> usize {
        self.stripe
            .objects("event")
            .iter()
            .filter(|e| e["type"] == kind)
            .count()
    }

    /// A won deal of `account` for two seats of a monthly plan priced in Stripe; returns it.
    fn won_deal(&self, account: &str, price: Option<&str>) -> String {
        let existing = price.and_then(|price| {
            self.salesforce
                .records("PricebookEntry")
                .into_iter()
                .find(|e| e["Stripe_Price_Id__c"] == price)
                .and_then(|e| e["Id"].as_str().map(str::to_owned))
        });
        let entry = existing.unwrap_or_else(|| {
            let product = self.insert("Product2", json!({"Name": "Pro plan", "IsActive": true}));
            let book = self.insert("Pricebook2", json!({"Name": "Standard", "IsActive": true}));
            let mut entry =
                json!({"Product2Id": product, "Pricebook2Id": book, "UnitPrice": 49, "IsActive": true});
            if let Some(price) = price {
                entry["Stripe_Price_Id__c"] = json!(price);
            }
            self.insert("PricebookEntry", entry)
        });
        let deal = self.insert(
            "Opportunity",
            json!({"Name": "Acme Pro", "StageName": "Negotiation/Review", "CloseDate": "2026-11-30", "AccountId": account}),
        );
        self.insert(
            "OpportunityLineItem",
            json!({"OpportunityId": deal, "PricebookEntryId": entry, "Quantity": 2, "UnitPrice": 49}),
        );
        self.clock.advance(Duration::seconds(1));
        self.change("Opportunity", &deal, json!({"StageName": "Closed Won"}));
        deal
    }

    fn stripe_price(&self) -> String {
        let product = self.stripe.insert_product(NewProduct {
            name: "Pro plan".to_owned(),
            created: start(),
            ..NewProduct::default()
        });
        self.stripe
            .insert_price(NewPrice {
                product,
                unit_amount: 4_900,
                currency: "eur".to_owned(),
                interval: Some("month".to_owned()),
                interval_count: 1,
                created: start(),
                ..NewPrice::default()
            })
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn subscriptions_of(&self, deal: &str) -> Vec<Value> {
        self.stripe
            .objects("subscription")
            .into_iter()
            .filter(|s| s["metadata"]["opportunity_id"] == deal)
            .collect()
    }

    async fn stop(self) {
        self.stripe_handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
        self.sf_handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
    }
}

#[tokio::test]
async fn accounts_from_before_the_first_run_are_left_alone() {
    let clock = Arc::new(ManualClock::new(start()));
    let shared: SharedClock = clock.clone();
    let (stripe_handle, stripe) = start_stripe(shared.clone()).await;
    let (sf_handle, salesforce, sf) = start_salesforce(shared.clone()).await;
    salesforce
        .insert_record("Account", fields(json!({"Name": "Old customer"})), start())
        .unwrap_or_else(|e| panic!("{e}"));
    let flow = SalesforceToStripeFlow::new(
        stripe_executor(&stripe_handle.base_url, shared.clone()),
        sf,
        ReverseOptions::default(),
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let extensions = Extensions {
        handlers: flow.handlers(),
        flows: vec![(Arc::new(flow), "off".to_owned())],
        ..Extensions::default()
    };
    clock.advance(Duration::minutes(5));
    let engine = engine_with_extensions(dir.path(), shared, extensions).await;
    for _ in 0..2 {
        clock.advance(Duration::minutes(1));
        engine.run_flow_now(NAME).await.unwrap_or_else(|e| panic!("{e}"));
        engine
            .run_jobs_until_idle()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    assert!(
        stripe.objects("customer").is_empty(),
        "switching the flow on made customers"
    );
    stripe_handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
    sf_handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn a_new_account_becomes_one_customer_and_its_change_follows_without_echo() {
    let s = Setup::new().await;
    let account = s.insert(
        "Account",
        json!({"Name": "Acme GmbH", "Phone": "+49 30 1234", "BillingCity": "Berlin", "BillingCountry": "DE"}),
    );
    s.run().await;
    let customers = s.stripe.objects("customer");
    assert_eq!(customers.len(), 1, "{customers:?}");
    let customer = &customers[0];
    assert_eq!(customer["name"], "Acme GmbH");
    assert_eq!(customer["address"]["city"], "Berlin");
    assert_eq!(customer["metadata"]["salesforce_account_id"], account.as_str());
    let cus = customer["id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        s.record("Account", &account)["Stripe_Customer_Id__c"],
        cus.as_str()
    );

    // The write-back changed the Account; that change is Paysync's own and goes nowhere.
    let updates = s.stripe_events("customer.updated");
    s.run().await;
    s.run().await;
    assert_eq!(s.stripe.objects("customer").len(), 1);
    assert_eq!(
        s.stripe_events("customer.updated"),
        updates,
        "Paysync's own write-back travelled back"
    );

    // A person changes the phone: the customer follows.
    s.change("Account", &account, json!({"Phone": "+49 30 9999"}));
    s.run().await;
    assert_eq!(s.stripe.objects("customer")[0]["phone"], "+49 30 9999");
    let updates = s.stripe_events("customer.updated");

    // The Stripe → Salesforce flow writes the same values back (its echo): nothing is sent.
    s.change(
        "Account",
        &account,
        json!({"Phone": "+49 30 9999", "Name": "Acme GmbH"}),
    );
    s.run().await;
    assert_eq!(
        s.stripe_events("customer.updated"),
        updates,
        "an echo was sent back to Stripe"
    );

    // A change made in Stripe and applied to Salesforce is already what Stripe holds: not sent.
    let renamed = s
        .flow
        .writer
        .send_stripe(paysync_connectors::stripe::customers::update_customer(
            &cus,
            &paysync_connectors::stripe::customers::CustomerFields {
                name: Some("Acme Berlin GmbH".to_owned()),
                phone: Some("+49 30 9999".to_owned()),
                city: Some("Berlin".to_owned()),
                country: Some("DE".to_owned()),
                email: None,
            },
            paysync_core::IdempotencyKey::derive("test", &["rename"]),
        ))
        .await;
    assert!(renamed.is_ok(), "{renamed:?}");
    s.change("Account", &account, json!({"Name": "Acme Berlin GmbH"}));
    let updates = s.stripe_events("customer.updated");
    s.run().await;
    assert_eq!(
        s.stripe_events("customer.updated"),
        updates,
        "a Stripe change was sent back to Stripe"
    );
    s.stop().await;
}

#[tokio::test]
async fn the_billing_contacts_email_reaches_the_customer() {
    let s = Setup::new().await;
    let account = s.insert("Account", json!({"Name": "Acme GmbH"}));
    s.run().await;
    assert_eq!(s.stripe.objects("customer")[0]["email"], Value::Null);
    // A contact with an e-mail is added: the customer gets it.
    let first = s.insert(
        "Contact",
        json!({"LastName": "Payable", "Email": "ap@acme.example", "AccountId": account}),
    );
    s.run().await;
    assert_eq!(s.stripe.objects("customer")[0]["email"], "ap@acme.example");
    // A later contact does not take over the billing e-mail; the first one's change does.
    s.clock.advance(Duration::seconds(5));
    s.insert(
        "Contact",
        json!({"LastName": "Sales", "Email": "sales@acme.example", "AccountId": account}),
    );
    s.run().await;
    assert_eq!(s.stripe.objects("customer")[0]["email"], "ap@acme.example");
    s.change("Contact", &first, json!({"Email": "billing@acme.example"}));
    s.run().await;
    let customers = s.stripe.objects("customer");
    assert_eq!(customers.len(), 1);
    assert_eq!(customers[0]["email"], "billing@acme.example");
    s.stop().await;
}

#[tokio::test]
async fn a_change_behind_a_live_job_waits_for_a_later_poll_and_is_not_lost() {
    let s = Setup::new().await;
    let (cus, account) = s.linked_account("Acme GmbH", json!({"Phone": "+49 1"}));
    s.clock.advance(Duration::minutes(1));
    s.engine()
        .run_flow_now(NAME)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    // The first change's job has not run when the second change is polled, and a later change of
    // another Account moves past the overlap.
    s.change("Account", &account, json!({"Phone": "+49 2"}));
    s.clock.advance(Duration::minutes(3));
    s.insert("Account", json!({"Name": "Globex"}));
    s.clock.advance(Duration::minutes(1));
    s.engine()
        .run_flow_now(NAME)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pending = s
        .engine()
        .store()
        .jobs()
        .list(Some(JobStatus::Pending), 10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pending.len(), 2, "{pending:?}");
    s.engine()
        .run_jobs_until_idle()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.stripe.objects("customer").len(), 2);
    // The next poll reads the waiting change again and sends it.
    s.run().await;
    let acme = s
        .stripe
        .objects("customer")
        .into_iter()
        .find(|c| c["id"] == cus.as_str())
        .unwrap_or_default();
    assert_eq!(acme["phone"], "+49 2");
    s.stop().await;
}

#[tokio::test]
async fn closed_won_makes_one_subscription_from_its_products_and_links_it_back() {
    let s = Setup::new().await;
    let price = s.stripe_price();
    let account = s.insert("Account", json!({"Name": "Acme GmbH"}));
    let deal = s.won_deal(&account, Some(&price));
    // The deal's customer does not exist yet: the deal waits for its Account's job.
    s.run().await;
    s.clock.advance(Duration::seconds(30));
    s.run().await;
    let subs = s.subscriptions_of(&deal);
    assert_eq!(subs.len(), 1, "{subs:?}");
    let sub = &subs[0];
    assert_eq!(sub["items"]["data"][0]["price"]["id"], price.as_str());
    assert_eq!(sub["items"]["data"][0]["quantity"], 2);
    assert_eq!(sub["collection_method"], "send_invoice");
    let sub_id = sub["id"].as_str().unwrap_or_default();
    assert_eq!(
        s.record("Opportunity", &deal)["Stripe_Subscription_Id__c"],
        sub_id
    );
    let contract = s
        .salesforce
        .records("Subscription_Contract__c")
        .into_iter()
        .find(|c| c["Stripe_Subscription_Id__c"] == sub_id)
        .unwrap_or_else(|| panic!("no Subscription_Contract__c for {sub_id}"));
    assert_eq!(contract["Opportunity__c"], deal.as_str());
    assert_eq!(contract["Account__c"], account.as_str());
    // Later edits of the won deal make nothing more.
    s.change("Opportunity", &deal, json!({"Name": "Acme Pro (renewed)"}));
    s.run().await;
    assert_eq!(s.subscriptions_of(&deal).len(), 1);
    s.stop().await;
}

#[tokio::test]
async fn a_subscription_an_earlier_attempt_made_is_found_not_made_again() {
    let s = Setup::new().await;
    let price = s.stripe_price();
    let (cus, account) = s.linked_account("Acme GmbH", json!({}));
    let deal = s.won_deal(&account, Some(&price));
    // An attempt that died after Stripe answered and before anything was recorded.
    let made = s
        .flow
        .writer
        .send_stripe(paysync_connectors::stripe::subscriptions::create_subscription(
            &paysync_connectors::stripe::subscriptions::NewSubscription {
                customer: cus.clone(),
                items: vec![paysync_connectors::stripe::subscriptions::SubscriptionItem {
                    price: price.clone(),
                    quantity: 2,
                }],
                days_until_due: 30,
                opportunity_id: deal.clone(),
                salesforce_account_id: account.clone(),
            },
            paysync_core::IdempotencyKey::derive("an-attempt-long-ago", &[&deal]),
        ))
        .await;
    assert!(made.is_ok(), "{made:?}");
    s.run().await;
    assert_eq!(s.subscriptions_of(&deal).len(), 1);
    assert!(s.record("Opportunity", &deal)["Stripe_Subscription_Id__c"].is_string());
    s.stop().await;
}

#[tokio::test]
async fn a_product_without_a_stripe_price_is_dead_lettered_naming_the_price_book_entry() {
    let s = Setup::new().await;
    let (_, account) = s.linked_account("Acme GmbH", json!({}));
    let deal = s.won_deal(&account, None);
    s.run().await;
    assert!(s.subscriptions_of(&deal).is_empty());
    let letters = s
        .engine()
        .store()
        .dead_letters()
        .list(&DeadLetterFilter::default(), 10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let letter = letters
        .items
        .iter()
        .find(|l| l.kind == SUBSCRIPTION_JOB)
        .unwrap_or_else(|| panic!("no dead letter: {letters:?}"));
    assert!(
        letter.error_message.contains("PricebookEntry")
            && letter.error_message.contains("Stripe_Price_Id__c"),
        "{}",
        letter.error_message
    );
    assert_eq!(letter.payload["opportunity"]["Id"], deal.as_str());
    s.stop().await;
}

#[tokio::test]
async fn closed_won_makes_exactly_one_subscription_when_the_worker_is_killed_and_restarted() {
    // The test's session must outlive the days the test skips.
    let mut s = Setup::with_session(Some(Duration::days(30))).await;
    let price = s.stripe_price();
    let rounds = 6;
    let mut deals = Vec::new();
    let mut killed_mid_job = 0;
    for round in 0..rounds {
        let (_, account) = s.linked_account(&format!("Customer {round}"), json!({}));
        let deal = s.won_deal(&account, Some(&price));
        deals.push(deal.clone());
        s.clock.advance(Duration::minutes(1));
        s.engine()
            .run_flow_now(NAME)
            .await
            .unwrap_or_else(|e| panic!("run: {e}"));
        // Work the jobs, and kill the worker at a different moment each round: the moment Stripe
        // holds the subscription (before anything is written back), or a little later.
        let engine = s.engine.take().unwrap_or_else(|| panic!("engine"));
        let worker = tokio::spawn(async move {
            let _ = engine.run_jobs_until_idle().await;
            engine
        });
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while s.subscriptions_of(&deal).is_empty()
            && std::time::Instant::now() < deadline
            && !worker.is_finished()
        {
            tokio::task::yield_now().await;
        }
        for _ in 0..round {
            tokio::task::yield_now().await;
        }
        worker.abort();
        let _ = worker.await;
        s.open().await;
        let running = s
            .engine()
            .store()
            .jobs()
            .list(Some(JobStatus::Running), 10, 0)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        killed_mid_job += usize::from(running.iter().any(|j| j.kind == SUBSCRIPTION_JOB));
        // The engine died with its job leased. The machine stays off past Stripe's 24-hour
        // idempotency window, so only Paysync's own records can stop a second subscription.
        s.clock.advance(Duration::hours(25));
        s.engine()
            .reclaim_expired_leases()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        s.engine()
            .run_jobs_until_idle()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    for deal in &deals {
        assert_eq!(s.subscriptions_of(deal).len(), 1, "deal {deal}");
        assert!(
            s.record("Opportunity", deal)["Stripe_Subscription_Id__c"].is_string(),
            "deal {deal}"
        );
    }
    let jobs = s
        .engine()
        .store()
        .jobs()
        .list(Some(JobStatus::Succeeded), 100, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(jobs.iter().filter(|j| j.kind == SUBSCRIPTION_JOB).count(), rounds);
    assert!(
        killed_mid_job >= rounds / 2,
        "only {killed_mid_job} of {rounds} rounds killed a running job"
    );
    s.stop().await;
}
