//! Closed Won → one Stripe subscription, with a real `paysync daemon` killed with SIGKILL while it
//! works the deal and started again. The accounts are connected through the CLI (secrets in the
//! OS keychain) to a sandbox this test runs; each round's deal is polled into a job by
//! `paysync run salesforce.stripe`, the daemon is killed the moment Stripe holds the subscription
//! (or a little later, varying by round) and restarted until the deal is linked back. Afterwards
//! every deal has exactly one subscription, linked on the Opportunity and on
//! `Subscription_Contract__c`.
//!
//! Rounds are a parameter: `PAYSYNC_CLOSED_WON_ROUNDS` (default 4).

use std::process::Child;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use paysync_core::Clock;
use paysync_sandbox::faults::{FaultConfig, FaultRule};
use paysync_sandbox::sandbox::{Sandbox, SandboxConfig};
use paysync_sandbox::stripe::{NewCustomer, NewPrice, NewProduct};
use paysync_tests::{env_count, run_json, start_daemon_with, write_fast_config};
use serde_json::{Map, Value, json};

use crate::connected::{
    add_sandbox_profile, connect_salesforce, connect_stripe, keychain_available, with_profile,
};

fn signal(child: &Child, sig: Signal) {
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
    kill(pid, sig).unwrap_or_else(|e| panic!("could not send {sig} to the daemon: {e}"));
}

fn insert(sandbox: &Sandbox, object: &str, fields: Value) -> String {
    sandbox
        .salesforce
        .insert_record(
            object,
            fields.as_object().cloned().unwrap_or_default(),
            paysync_core::SystemClock.now(),
        )
        .unwrap_or_else(|e| panic!("{object}: {e}"))
}

fn subscriptions_of(sandbox: &Sandbox, deal: &str) -> usize {
    sandbox
        .stripe
        .objects("subscription")
        .iter()
        .filter(|s| s["metadata"]["opportunity_id"] == deal)
        .count()
}

/// The subscription written back on the deal, if any.
fn linked(sandbox: &Sandbox, deal: &str) -> Option<Value> {
    sandbox
        .salesforce
        .records("Opportunity")
        .into_iter()
        .find(|r| r.get("Id").is_some_and(|id| id == deal))
        .and_then(|r| r.get("Stripe_Subscription_Id__c").cloned())
}

/// Waits until `done`, for at most `limit`.
async fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    done()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sigkilled_daemon_makes_exactly_one_subscription_per_won_deal() {
    if !keychain_available() {
        return;
    }
    let rounds = env_count("PAYSYNC_CLOSED_WON_ROUNDS", 4);
    // The write-back of the link is slowed, so the kill lands between Stripe's answer and it.
    let mut config = SandboxConfig::default();
    config.faults.insert(
        "salesforce".to_owned(),
        FaultConfig {
            rules: vec![FaultRule {
                method: Some("PATCH".to_owned()),
                path_prefix: Some(format!(
                    "/services/data/{}/sobjects/Subscription_Contract__c",
                    paysync_connectors::salesforce::API_VERSION
                )),
                latency_ms: 300,
                ..FaultRule::default()
            }],
            ..FaultConfig::default()
        },
    );
    let sandbox = Sandbox::start(&config, Arc::new(paysync_core::SystemClock))
        .await
        .unwrap_or_else(|e| panic!("sandbox: {e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().join("data");
    write_fast_config(&dir, 2);
    let profile = add_sandbox_profile(&dir, &sandbox);
    connect_stripe(&dir, &profile);
    connect_salesforce(&dir, &profile).await;
    let run = |flow: &str| {
        let args = with_profile(&profile, &["run", flow]);
        let summary = run_json(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(summary["outcome"], "succeeded", "{flow}: {summary}");
    };
    // The flow's first run only starts watching.
    run("salesforce.stripe");

    let product = sandbox.stripe.insert_product(NewProduct {
        name: "Pro plan".to_owned(),
        created: paysync_core::SystemClock.now(),
        ..NewProduct::default()
    });
    let price = sandbox
        .stripe
        .insert_price(NewPrice {
            product,
            unit_amount: 4_900,
            currency: "eur".to_owned(),
            interval: Some("month".to_owned()),
            interval_count: 1,
            created: paysync_core::SystemClock.now(),
            ..NewPrice::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let sf_product = insert(
        &sandbox,
        "Product2",
        json!({"Name": "Pro plan", "IsActive": true}),
    );
    let book = insert(
        &sandbox,
        "Pricebook2",
        json!({"Name": "Standard", "IsActive": true}),
    );
    let entry = insert(
        &sandbox,
        "PricebookEntry",
        json!({"Product2Id": sf_product, "Pricebook2Id": book, "UnitPrice": 49, "IsActive": true, "Stripe_Price_Id__c": price}),
    );

    let options = with_profile(&profile, &[]);
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let mut deals = Vec::new();
    let mut killed_holding: u64 = 0;
    for round in 0..rounds {
        let customer = sandbox.stripe.insert_customer(NewCustomer {
            name: Some(format!("Customer {round}")),
            created: paysync_core::SystemClock.now(),
            ..NewCustomer::default()
        });
        let account = insert(
            &sandbox,
            "Account",
            json!({"Name": format!("Customer {round}"), "Stripe_Customer_Id__c": customer}),
        );
        let deal = insert(
            &sandbox,
            "Opportunity",
            json!({"Name": format!("Deal {round}"), "StageName": "Negotiation/Review", "CloseDate": "2026-12-31", "AccountId": account}),
        );
        insert(
            &sandbox,
            "OpportunityLineItem",
            json!({"OpportunityId": deal, "PricebookEntryId": entry, "Quantity": 3, "UnitPrice": 49}),
        );
        sandbox
            .salesforce
            .update_record(
                "Opportunity",
                &deal,
                json!({"StageName": "Closed Won"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
                paysync_core::SystemClock.now(),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        run("salesforce.stripe");

        // Killed mid-job: as soon as Stripe holds the subscription, plus a delay that grows by round.
        let daemon = start_daemon_with(&dir, &options);
        let made = wait_until(Duration::from_secs(30), || subscriptions_of(&sandbox, &deal) > 0).await;
        tokio::time::sleep(Duration::from_millis(3 * round)).await;
        let linked_before = linked(&sandbox, &deal).is_some();
        signal(&daemon, Signal::SIGKILL);
        let _ = daemon.wait_with_output();
        assert!(made, "round {round}: no subscription within 30 s");
        killed_holding += u64::from(!linked_before);

        // Restarted: the job's lease runs out, the job runs again and finds its subscription.
        let daemon = start_daemon_with(&dir, &options);
        let done = wait_until(Duration::from_secs(30), || linked(&sandbox, &deal).is_some()).await;
        signal(&daemon, Signal::SIGTERM);
        let _ = daemon.wait_with_output();
        assert!(done, "round {round}: the restarted daemon never linked the deal");
        deals.push(deal);
    }

    for deal in &deals {
        assert_eq!(subscriptions_of(&sandbox, deal), 1, "deal {deal}");
        let sub = linked(&sandbox, deal);
        let contracts: Vec<Map<String, Value>> = sandbox
            .salesforce
            .records("Subscription_Contract__c")
            .into_iter()
            .filter(|c| c.get("Stripe_Subscription_Id__c") == sub.as_ref())
            .collect();
        assert_eq!(contracts.len(), 1, "deal {deal}");
        assert_eq!(contracts[0].get("Opportunity__c"), Some(&json!(deal)));
    }
    eprintln!("{killed_holding} of {rounds} kills landed between Stripe's answer and the write-back");
    assert!(
        killed_holding * 2 >= rounds,
        "only {killed_holding} of {rounds} kills landed between Stripe's answer and the write-back"
    );
    sandbox.stop().await.unwrap_or_else(|e| panic!("{e}"));
}
