//! sObject Collections upserts against the Salesforce simulator, through the shared executor:
//! created then updated by External ID (no duplicates on a re-send), a validation rule failure
//! named per record while the rest of the batch is saved, row-lock contention reported as
//! retriable, and the org's API usage read from `Sforce-Limit-Info`.

#[allow(dead_code, reason = "each test binary uses a part of the shared support")]
mod support;

use std::sync::Arc;

use paysync_connectors::http::{Executor, StaticBearer};
use paysync_connectors::salesforce::{ApiUsage, PROVIDER, RecordOutcome, UpsertBatch};
use paysync_core::{ManualClock, Secret, SeededRandom};
use paysync_sandbox::salesforce::{
    LockInjection, LockTarget, RuleKind, SANDBOX_CLIENT_ID, SalesforceSim, ValidationRule,
};
use paysync_sandbox::{ServeOptions, SimHandle, serve};
use serde_json::{Map, Value, json};

struct Org {
    handle: SimHandle,
    sim: Arc<SalesforceSim>,
    executor: Executor,
}

async fn org() -> Org {
    let clock = ManualClock::at_fixed_origin();
    let options = ServeOptions::loopback();
    let (handle, sim) = serve(
        options,
        Arc::new(clock.clone()),
        Arc::new(SeededRandom::new(5)),
        SalesforceSim::new,
    )
    .await
    .unwrap_or_else(|e| panic!("simulator: {e}"));
    let token = sim.mint_token(SANDBOX_CLIENT_ID, "api");
    let access = token["access_token"].as_str().unwrap_or_default().to_owned();
    let instance = token["instance_url"].as_str().unwrap_or_default().to_owned();
    let executor = support::executor(
        PROVIDER,
        &instance,
        support::fast_policy(3),
        Arc::new(StaticBearer::new(Secret::new(access))),
        Arc::new(clock),
    );
    Org {
        handle,
        sim,
        executor,
    }
}

fn account(key: &str, name: &str) -> Map<String, Value> {
    let Value::Object(m) = json!({"Stripe_Customer_Id__c": key, "Name": name}) else {
        return Map::new();
    };
    m
}

async fn upsert(org: &Org, batch: &UpsertBatch) -> (Vec<(String, RecordOutcome)>, Option<ApiUsage>) {
    let response = org
        .executor
        .send(PROVIDER, batch.request())
        .await
        .unwrap_or_else(|e| panic!("upsert: {e}"));
    let outcomes = batch.outcomes(&response).unwrap_or_else(|e| panic!("{e}"));
    (outcomes, ApiUsage::of(&response))
}

fn accounts(org: &Org) -> Vec<Map<String, Value>> {
    org.sim
        .records("Account")
        .into_iter()
        .filter(|a| a.get("Stripe_Customer_Id__c").is_some_and(Value::is_string))
        .collect()
}

#[tokio::test]
async fn an_upsert_creates_then_updates_by_external_id_and_a_resend_changes_nothing() {
    let org = org().await;
    let mut batch = UpsertBatch::new("Account", "Stripe_Customer_Id__c").unwrap_or_else(|e| panic!("{e}"));
    for i in 0..200 {
        batch
            .push(account(&format!("cus_{i:03}"), &format!("Customer {i}")))
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let (first, usage) = upsert(&org, &batch).await;
    assert!(
        first
            .iter()
            .all(|(_, o)| matches!(o, RecordOutcome::Saved { created: true, .. }))
    );
    let usage = usage.unwrap_or_else(|| panic!("no Sforce-Limit-Info"));
    assert!(usage.used >= 1 && usage.max > usage.used, "{usage:?}");

    // The same batch again (a re-send after a lost answer): updates, never duplicates.
    let (second, later) = upsert(&org, &batch).await;
    assert!(
        second
            .iter()
            .all(|(_, o)| matches!(o, RecordOutcome::Saved { created: false, .. }))
    );
    assert_eq!(accounts(&org).len(), 200);
    assert_eq!(
        later.map(|u| u.used),
        Some(usage.used + 1),
        "one call counted per batch"
    );
    org.handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn a_validation_rule_refuses_one_record_by_name_and_the_others_are_saved() {
    let org = org().await;
    org.sim
        .add_validation_rule(ValidationRule {
            object: "Account".to_owned(),
            field: "Name".to_owned(),
            kind: RuleKind::Regex {
                pattern: "[A-Z].*".to_owned(),
            },
            message: "Account names start with a capital letter".to_owned(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let mut batch = UpsertBatch::new("Account", "Stripe_Customer_Id__c").unwrap_or_else(|e| panic!("{e}"));
    batch
        .push(account("cus_good", "Acme"))
        .unwrap_or_else(|e| panic!("{e}"));
    batch
        .push(account("cus_bad", "lowercase ltd"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (outcomes, _) = upsert(&org, &batch).await;
    assert!(
        matches!(outcomes[0].1, RecordOutcome::Saved { .. }),
        "{outcomes:?}"
    );
    let RecordOutcome::Rejected {
        code,
        message,
        fields,
    } = &outcomes[1].1
    else {
        panic!("not refused: {outcomes:?}")
    };
    assert_eq!(outcomes[1].0, "cus_bad");
    assert_eq!(code, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    assert_eq!(message, "Account names start with a capital letter");
    assert_eq!(fields, &["Name".to_owned()]);
    assert_eq!(accounts(&org).len(), 1);
    org.handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn a_locked_row_is_worth_another_try() {
    let org = org().await;
    let mut batch = UpsertBatch::new("Account", "Stripe_Customer_Id__c").unwrap_or_else(|e| panic!("{e}"));
    batch
        .push(account("cus_lock", "Locked Inc"))
        .unwrap_or_else(|e| panic!("{e}"));
    let (created, _) = upsert(&org, &batch).await;
    let RecordOutcome::Saved { id, .. } = &created[0].1 else {
        panic!("{created:?}")
    };
    org.sim.set_lock_injection(LockInjection {
        rate_bp: 0,
        next_writes: vec![LockTarget {
            record_id: id.clone(),
            count: 1,
        }],
    });
    let (locked, _) = upsert(&org, &batch).await;
    assert!(
        matches!(&locked[0].1, RecordOutcome::Retry { code, .. } if code == "UNABLE_TO_LOCK_ROW"),
        "{locked:?}"
    );
    let (retried, _) = upsert(&org, &batch).await;
    assert!(
        matches!(retried[0].1, RecordOutcome::Saved { created: false, .. }),
        "{retried:?}"
    );
    org.handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
}
