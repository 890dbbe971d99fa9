//! The flow against the Stripe and Salesforce simulators: events in, Salesforce state out.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use paysync_core::{ManualClock, SharedClock};
use paysync_sandbox::SimHandle;
use paysync_sandbox::salesforce::{RuleKind, SalesforceSim, ValidationRule};
use paysync_sandbox::stripe::{NewCustomer, NewPayment, PaymentStatus, StripeSim};
use paysync_store::{DeadLetterFilter, NewInboxEvent};
use serde_json::{Map, Value, json};

use super::*;
use crate::flows::testing::{
    engine_with_extensions, seed_one_of_each, start_salesforce, start_stripe, stripe_executor,
};
use crate::{Engine, Extensions};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .unwrap_or_default()
}

struct Setup {
    _dir: tempfile::TempDir,
    stripe_handle: SimHandle,
    sf_handle: SimHandle,
    stripe: Arc<StripeSim>,
    salesforce: Arc<SalesforceSim>,
    engine: Engine,
    flow: StripeToSalesforceFlow,
}

impl Setup {
    async fn new(options: ApplyOptions) -> Self {
        let clock: SharedClock = Arc::new(ManualClock::new(now()));
        let (stripe_handle, stripe) = start_stripe(clock.clone()).await;
        let (sf_handle, salesforce, sf) = start_salesforce(clock.clone()).await;
        let flow = StripeToSalesforceFlow::new(
            stripe_executor(&stripe_handle.base_url, clock.clone()),
            sf,
            StripeMappings::defaults().unwrap_or_else(|e| panic!("{e}")),
            options,
        );
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let extensions = Extensions {
            handlers: vec![flow.record_handler()],
            flows: vec![(Arc::new(flow.clone()), "off".to_owned())],
            ..Extensions::default()
        };
        let engine = engine_with_extensions(dir.path(), clock, extensions).await;
        Self {
            _dir: dir,
            stripe_handle,
            sf_handle,
            stripe,
            salesforce,
            engine,
            flow,
        }
    }

    async fn deliver(&self, events: &[Value]) {
        let events: Vec<NewInboxEvent> = events
            .iter()
            .map(|e| {
                NewInboxEvent::from_value(
                    e["id"].as_str().unwrap_or_default(),
                    e["type"].as_str().unwrap_or_default(),
                    e,
                )
                .unwrap_or_else(|e| panic!("{e}"))
            })
            .collect();
        self.engine
            .store()
            .inbox()
            .record_many(SOURCE, &events, now())
            .await
            .unwrap_or_else(|e| panic!("inbox: {e}"));
    }

    async fn run(&self) -> crate::scheduler::RunSummary {
        let run = self
            .engine
            .run_flow_now(NAME)
            .await
            .unwrap_or_else(|e| panic!("run: {e}"));
        assert_ne!(run.outcome, "failed", "{run:?}");
        run
    }

    fn record(&self, object: &str, key: &str, id: &str) -> Option<Map<String, Value>> {
        self.salesforce
            .records(object)
            .into_iter()
            .find(|r| r.get(key).and_then(Value::as_str) == Some(id))
    }

    async fn unprocessed(&self) -> u64 {
        self.engine
            .store()
            .inbox()
            .count_unprocessed(SOURCE)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    async fn stop(self) {
        self.stripe_handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
        self.sf_handle.stop().await.unwrap_or_else(|e| panic!("{e}"));
    }
}

/// A Stripe event as Stripe sends it.
fn event(id: &str, kind: &str, created: i64, object: Value) -> Value {
    json!({
        "id": id, "object": "event", "api_version": "2024-06-20", "created": created,
        "type": kind, "livemode": false, "pending_webhooks": 1,
        "data": {"object": object},
    })
}

fn customer(id: &str, name: &str, phone: Option<&str>) -> Value {
    json!({"id": id, "object": "customer", "name": name, "email": "ada@example.com", "phone": phone})
}

/// `customer.created` events for customers `cus_<i>` named `Customer <i>`, all created at `t`.
fn customer_events(ids: std::ops::Range<usize>, t: i64) -> Vec<Value> {
    ids.map(|i| {
        event(
            &format!("evt_{i}"),
            "customer.created",
            t,
            customer(&format!("cus_{i}"), &format!("Customer {i}"), None),
        )
    })
    .collect()
}

fn name_of(record: Option<Map<String, Value>>) -> Option<String> {
    record.and_then(|r| r.get("Name").and_then(Value::as_str).map(str::to_owned))
}

#[tokio::test]
async fn the_simulators_stripe_history_lands_in_salesforce_once() {
    let s = Setup::new(ApplyOptions::default()).await;
    let (cus, charge) = seed_one_of_each(&s.stripe, now() - Duration::days(2));
    // Newest first, as the Events API lists them, and every one twice.
    let mut events = s.stripe.events();
    events.reverse();
    s.deliver(&events).await;
    s.deliver(&events).await;

    let run = s.run().await;
    assert_eq!(s.unprocessed().await, 0, "{run:?}");
    let account = s.record("Account", "Stripe_Customer_Id__c", &cus);
    assert_eq!(name_of(account.clone()).as_deref(), Some("Ada Lovelace"));
    let payment = s
        .record("Payment__c", "Stripe_Charge_Id__c", &charge)
        .unwrap_or_else(|| panic!("no payment"));
    assert_eq!(
        payment.get("Account__c"),
        account.as_ref().and_then(|a| a.get("Id"))
    );
    assert_eq!(payment.get("Status__c"), Some(&json!("Completed")));
    assert_eq!(payment.get("Refunded_Amount__c"), Some(&json!(20.0)));
    assert!(
        payment.get("Fee__c").is_some(),
        "the fee comes from the balance transaction: {payment:?}"
    );
    for child in ["Refund__c", "Dispute__c"] {
        let records = s.salesforce.records(child);
        assert_eq!(records.len(), 1, "{child}");
        assert_eq!(records[0].get("Payment__c"), payment.get("Id"), "{child}");
    }
    assert_eq!(s.salesforce.records("Subscription_Contract__c").len(), 1);

    // Nothing new: nothing written again.
    let again = s.run().await;
    assert_eq!(again.counts.written, 0, "{again:?}");

    // The Payments view's timeline of the charge: its events, its refund's and dispute's, and
    // the three Salesforce writes, in time order.
    s.engine
        .store()
        .payments()
        .upsert_many(
            &[paysync_store::ProviderPayment {
                provider: "stripe".to_owned(),
                provider_id: charge.clone(),
                kind: "charge".to_owned(),
                status: "succeeded".to_owned(),
                amount: paysync_core::Money::from_minor(12_345, paysync_core::Currency::EUR),
                occurred_at: now() - Duration::days(2),
                customer_ref: Some(cus.clone()),
            }],
            now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let timeline = s
        .engine
        .payment_timeline("stripe", &charge)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no timeline"));
    let titles: Vec<&str> = timeline.entries.iter().map(|e| e.title.as_str()).collect();
    assert!(titles.iter().any(|t| t.starts_with("charge.")), "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("refund")), "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("dispute")), "{titles:?}");
    let writes: Vec<&str> = timeline
        .entries
        .iter()
        .filter(|e| e.kind == crate::payment_timeline::TimelineKind::SalesforceWrite)
        .map(|e| e.title.as_str())
        .collect();
    assert_eq!(writes.len(), 3, "{titles:?}");
    assert!(timeline.entries.windows(2).all(|w| w[0].at <= w[1].at));
    assert!(
        timeline.entries.iter().any(|e| e.detail.contains("20.00 EUR")),
        "{:?}",
        timeline.entries
    );
    assert!(
        s.engine
            .payment_timeline("stripe", "ch_missing")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );
    s.stop().await;
}

#[tokio::test]
async fn late_and_repeated_events_never_move_a_record_backwards() {
    let s = Setup::new(ApplyOptions::default()).await;
    let t = now().timestamp() - 3_600;
    s.deliver(&[event(
        "evt_3",
        "customer.updated",
        t + 30,
        customer("cus_1", "Newest", None),
    )])
    .await;
    s.run().await;
    // The older events arrive afterwards (a slow webhook, a poll overlap).
    s.deliver(&[
        event("evt_1", "customer.created", t, customer("cus_1", "Oldest", None)),
        event(
            "evt_2",
            "customer.updated",
            t + 10,
            customer("cus_1", "Older", None),
        ),
    ])
    .await;
    let run = s.run().await;
    assert_eq!((run.counts.written, run.counts.skipped), (0, 2), "{run:?}");
    let account = || s.record("Account", "Stripe_Customer_Id__c", "cus_1");
    assert_eq!(name_of(account()).as_deref(), Some("Newest"));

    // A deletion is final: the account stays, marked, and no late update revives it.
    let mut deleted = customer("cus_1", "Newest", None);
    deleted["deleted"] = json!(true);
    s.deliver(&[event("evt_5", "customer.deleted", t + 50, deleted)])
        .await;
    s.run().await;
    s.deliver(&[event(
        "evt_4",
        "customer.updated",
        t + 40,
        customer("cus_1", "Zombie", None),
    )])
    .await;
    s.run().await;
    let account = account().unwrap_or_else(|| panic!("the account stays"));
    assert_eq!(account.get("Stripe_Deleted__c"), Some(&json!(true)));
    assert_eq!(account.get("Name"), Some(&json!("Newest")));
    assert_eq!(s.unprocessed().await, 0);
    s.stop().await;
}

#[tokio::test]
async fn two_different_states_in_one_second_are_settled_by_asking_stripe() {
    let s = Setup::new(ApplyOptions::default()).await;
    let cus = s.stripe.insert_customer(NewCustomer {
        name: Some("Stripe's current name".to_owned()),
        created: now() - Duration::hours(1),
        ..NewCustomer::default()
    });
    let t = now().timestamp() - 60;
    s.deliver(&[
        event("evt_a", "customer.updated", t, customer(&cus, "First", None)),
        event("evt_b", "customer.updated", t, customer(&cus, "Second", None)),
    ])
    .await;
    s.run().await;
    assert_eq!(
        name_of(s.record("Account", "Stripe_Customer_Id__c", &cus)).as_deref(),
        Some("Stripe's current name")
    );
    s.stop().await;
}

#[tokio::test]
async fn a_charge_whose_customer_event_never_came_brings_its_customer_along() {
    let s = Setup::new(ApplyOptions::default()).await;
    let at = now() - Duration::days(40);
    let cus = s.stripe.insert_customer(NewCustomer {
        name: Some("Old customer".to_owned()),
        created: at,
        ..NewCustomer::default()
    });
    let (_, charge) = s
        .stripe
        .insert_payment(NewPayment {
            customer: Some(cus.clone()),
            amount: 500,
            currency: "usd".to_owned(),
            status: PaymentStatus::Failed,
            created: now() - Duration::hours(1),
            ..NewPayment::default()
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let charges: Vec<Value> = s
        .stripe
        .events()
        .into_iter()
        .filter(|e| e["data"]["object"]["object"] == "charge")
        .collect();
    assert!(!charges.is_empty());
    s.deliver(&charges).await;
    s.run().await;
    let account = s
        .record("Account", "Stripe_Customer_Id__c", &cus)
        .unwrap_or_else(|| panic!("the customer was fetched and written"));
    let payment = s
        .record("Payment__c", "Stripe_Charge_Id__c", &charge)
        .unwrap_or_else(|| panic!("no payment"));
    assert_eq!(payment.get("Account__c"), account.get("Id"));
    assert_eq!(payment.get("Status__c"), Some(&json!("Failed")));
    s.stop().await;
}

#[tokio::test]
async fn a_customer_the_org_already_keeps_is_matched_by_email_or_domain_and_never_guessed() {
    let s = Setup::new(ApplyOptions::default()).await;
    let seed = |object: &str, fields: Value| {
        s.salesforce
            .insert_record(object, fields.as_object().cloned().unwrap_or_default(), now())
            .unwrap_or_else(|e| panic!("{object}: {e}"))
    };
    let acme = seed("Account", json!({"Name": "ACME (sales)"}));
    seed(
        "Contact",
        json!({"LastName": "Lovelace", "Email": "ada@acme.example", "AccountId": acme}),
    );
    let globex = seed(
        "Account",
        json!({"Name": "Globex", "Website": "https://www.globex.example/"}),
    );
    seed(
        "Account",
        json!({"Name": "Not Globex", "Website": "https://notglobex.example"}),
    );
    let initech_a = seed("Account", json!({"Name": "Initech EU"}));
    let initech_b = seed("Account", json!({"Name": "Initech US"}));
    for account in [&initech_a, &initech_b] {
        seed(
            "Contact",
            json!({"LastName": "Carol", "Email": "carol@initech.example", "AccountId": account}),
        );
    }
    let with_email = |id: &str, name: &str, email: &str| json!({"id": id, "object": "customer", "name": name, "email": email});
    let t = now().timestamp() - 60;
    s.deliver(&[
        event(
            "evt_m1",
            "customer.created",
            t,
            with_email("cus_acme", "Acme GmbH", "ADA@acme.example"),
        ),
        event(
            "evt_m2",
            "customer.created",
            t,
            with_email("cus_globex", "Globex Corp", "bob@globex.example"),
        ),
        event(
            "evt_m3",
            "customer.created",
            t,
            with_email("cus_initech", "Initech", "carol@initech.example"),
        ),
        event(
            "evt_m4",
            "customer.created",
            t,
            with_email("cus_new", "Hooli", "gavin@hooli.example"),
        ),
    ])
    .await;
    s.run().await;
    s.engine
        .run_jobs_until_idle()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let id_of = |cus: &str| {
        s.record("Account", "Stripe_Customer_Id__c", cus)
            .and_then(|a| a.get("Id").and_then(Value::as_str).map(str::to_owned))
    };
    assert_eq!(
        id_of("cus_acme"),
        Some(acme.clone()),
        "matched by the contact's e-mail"
    );
    assert_eq!(
        id_of("cus_globex"),
        Some(globex.clone()),
        "matched by the website's domain"
    );
    assert!(id_of("cus_new").is_some(), "no candidate: a new Account");
    assert!(
        id_of("cus_initech").is_none(),
        "two candidates: nothing is guessed"
    );
    assert_eq!(
        s.salesforce.records("Account").len(),
        6,
        "one Account created, for the new customer"
    );

    let letters = s
        .engine
        .dead_letters(&DeadLetterFilter::default(), 10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(letters.items.len(), 1, "{letters:?}");
    let letter = &letters.items[0];
    assert_eq!(letter.error_code, "match.ambiguous");
    assert!(
        letter.error_message.contains(&initech_a) && letter.error_message.contains(&initech_b),
        "{}",
        letter.error_message
    );
    // Support links the right Account in Salesforce and replays: the customer lands there.
    s.salesforce
        .update_record(
            "Account",
            &initech_b,
            json!({"Stripe_Customer_Id__c": "cus_initech"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            now(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    s.engine
        .replay_dead_letter(letter.id, None)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s.engine
        .run_jobs_until_idle()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(id_of("cus_initech"), Some(initech_b));
    assert_eq!(s.salesforce.records("Account").len(), 6);
    s.stop().await;
}

#[tokio::test]
async fn a_validation_rule_refusal_is_dead_lettered_and_replays_once_corrected() {
    let s = Setup::new(ApplyOptions::default()).await;
    s.salesforce
        .add_validation_rule(ValidationRule {
            object: "Account".to_owned(),
            field: "Phone".to_owned(),
            kind: RuleKind::Regex {
                pattern: r"\+[0-9 ]+".to_owned(),
            },
            message: "Phone must be in international format, e.g. +44 20 7946 0000".to_owned(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let t = now().timestamp() - 60;
    s.deliver(&[
        event(
            "evt_ok",
            "customer.created",
            t,
            customer("cus_ok", "Fine", Some("+1 555 0100")),
        ),
        event(
            "evt_bad",
            "customer.created",
            t,
            customer("cus_bad", "Grace", Some("call me")),
        ),
    ])
    .await;
    let run = s.run().await;
    assert_eq!((run.counts.written, run.counts.failed), (1, 1), "{run:?}");
    assert_eq!(
        s.unprocessed().await,
        0,
        "the refused event is kept by its job, not the inbox"
    );
    s.engine
        .run_jobs_until_idle()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    let letters = s
        .engine
        .dead_letters(&DeadLetterFilter::default(), 10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(letters.items.len(), 1);
    let letter = &letters.items[0];
    assert_eq!(letter.kind, RECORD_JOB);
    assert_eq!(letter.error_code, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    assert!(
        letter.error_message.contains("cus_bad") && letter.error_message.contains("field Phone"),
        "{}",
        letter.error_message
    );
    // The attempt names the call that was refused.
    let refused = letter
        .attempts
        .last()
        .and_then(|a| a.error_message.clone())
        .unwrap_or_default();
    assert!(
        refused.contains("[PATCH /services/data/")
            && refused.contains("/composite/sobjects/Account/Stripe_Customer_Id__c ("),
        "{refused}"
    );
    assert_eq!(
        letter.payload["event"]["data"]["object"]["phone"], "call me",
        "the full event is kept"
    );
    assert!(s.record("Account", "Stripe_Customer_Id__c", "cus_bad").is_none());

    // Support corrects the phone in the record, previews the write, and replays it.
    let mut corrected = letter.payload.clone();
    corrected["event"]["data"]["object"]["phone"] = json!("+44 20 7946 0000");
    let preview = s
        .engine
        .preview_dead_letter(letter.id, Some(&corrected))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("record jobs have a preview"));
    assert_eq!(
        (&preview["action"], &preview["object"], &preview["target_id"]),
        (&json!("create"), &json!("Account"), &Value::Null),
        "{preview:#}"
    );
    let field = |preview: &Value, name: &str| {
        preview["fields"]
            .as_array()
            .and_then(|f| f.iter().find(|x| x["field"] == name).cloned())
            .unwrap_or_else(|| panic!("no {name} in {preview:#}"))
    };
    assert_eq!(field(&preview, "Phone")["proposed"], "+44 20 7946 0000");
    assert_eq!(field(&preview, "Phone")["current"], Value::Null);
    s.engine
        .replay_dead_letter(letter.id, Some(&corrected))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s.engine
        .run_jobs_until_idle()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let account = s
        .record("Account", "Stripe_Customer_Id__c", "cus_bad")
        .unwrap_or_else(|| panic!("written after the replay"));
    assert_eq!(account.get("Phone"), Some(&json!("+44 20 7946 0000")));
    // Previewing another correction now: an update of the phone only, against what is there.
    let mut again = corrected.clone();
    again["event"]["data"]["object"]["phone"] = json!("+44 20 7946 0999");
    let preview = s
        .engine
        .preview_dead_letter(letter.id, Some(&again))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_default();
    assert_eq!(preview["action"], "update", "{preview:#}");
    assert_eq!(preview["target_id"], json!(account.get("Id")));
    let phone = field(&preview, "Phone");
    assert_eq!(
        (&phone["current"], &phone["proposed"], &phone["changed"]),
        (
            &json!("+44 20 7946 0000"),
            &json!("+44 20 7946 0999"),
            &json!(true)
        )
    );
    assert_eq!(field(&preview, "Name")["changed"], false, "{preview:#}");
    // As replayed: nothing would change.
    let same = s
        .engine
        .preview_dead_letter(letter.id, Some(&corrected))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_default();
    assert_eq!(same["action"], "unchanged", "{same:#}");
    let version = s
        .engine
        .store()
        .object_versions()
        .get(SOURCE, "customer", "cus_bad")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(version.map(|v| v.event_id).as_deref(), Some("evt_bad"));
    s.stop().await;
}

/// How many poison records the campaign forces (`PAYSYNC_POISON_RECORDS`, 1,000 by default).
fn poison_records() -> usize {
    std::env::var("PAYSYNC_POISON_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

#[tokio::test]
async fn a_thousand_poison_records_are_parked_grouped_and_replayed_once_after_correction() {
    let s = Setup::new(ApplyOptions::default()).await;
    s.salesforce
        .add_validation_rule(ValidationRule {
            object: "Account".to_owned(),
            field: "Phone".to_owned(),
            kind: RuleKind::Regex {
                pattern: r"\+[0-9 ]+".to_owned(),
            },
            message: "Phone must be in international format".to_owned(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let n = poison_records();
    let (phones, statuses) = (n * 7 / 10, n - n * 7 / 10);
    let t = now().timestamp() - 60;
    let mut events: Vec<Value> = (0..100)
        .map(|i| {
            event(
                &format!("evt_good_{i}"),
                "customer.created",
                t,
                customer(&format!("cus_good_{i}"), "Fine", Some("+1 555 0100")),
            )
        })
        .collect();
    events.extend((0..phones).map(|i| {
        event(
            &format!("evt_phone_{i}"),
            "customer.created",
            t,
            customer(&format!("cus_phone_{i}"), &format!("Payer {i}"), Some("call me")),
        )
    }));
    events.extend((0..statuses).map(|i| {
        let charge = json!({"id": format!("ch_odd_{i}"), "object": "charge", "amount": 100 + i,
                            "currency": "eur", "status": "weird"});
        event(&format!("evt_odd_{i}"), "charge.updated", t, charge)
    }));
    s.deliver(&events).await;
    let run = s.run().await;
    assert_eq!(run.counts.failed, n as u64, "{run:?}");
    s.engine
        .run_jobs_until_idle()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // All parked, with their whole event and every attempt, grouped by cause.
    let open = DeadLetterFilter {
        status: Some(paysync_store::DeadLetterStatus::Open),
        ..DeadLetterFilter::default()
    };
    let parked = s
        .engine
        .dead_letters(&open, 500, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parked.total, n as u64);
    assert!(
        parked
            .items
            .iter()
            .all(|d| !d.attempts.is_empty() && d.payload["event"]["data"]["object"]["id"].is_string())
    );
    let groups: Vec<(String, String, u64)> = s
        .engine
        .dead_letter_groups(Some(paysync_store::DeadLetterStatus::Open), 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|g| (g.kind, g.error_code, g.count))
        .collect();
    assert_eq!(
        groups,
        vec![
            (
                RECORD_JOB.to_owned(),
                "FIELD_CUSTOM_VALIDATION_EXCEPTION".to_owned(),
                phones as u64
            ),
            (
                RECORD_JOB.to_owned(),
                "mapping.invalid".to_owned(),
                statuses as u64
            ),
        ]
    );
    assert_eq!(s.salesforce.records("Account").len(), 100);

    // The admin relaxes the rule; the group is replayed at once and each lands exactly once.
    assert_eq!(s.salesforce.remove_validation_rules("Account", "Phone"), 1);
    let replayed = s
        .engine
        .replay_dead_letter_group(
            RECORD_JOB,
            "FIELD_CUSTOM_VALIDATION_EXCEPTION",
            &DeadLetterFilter::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(replayed.len(), phones);
    s.engine
        .run_jobs_until_idle()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let accounts = s.salesforce.records("Account");
    assert_eq!(
        accounts.len(),
        100 + phones,
        "one Account per customer, none twice"
    );
    let mut keys: Vec<&str> = accounts
        .iter()
        .filter_map(|a| a.get("Stripe_Customer_Id__c").and_then(Value::as_str))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), 100 + phones);
    for (_, job) in &replayed {
        let job = s
            .engine
            .store()
            .jobs()
            .get(*job)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("job {job}"));
        assert_eq!(job.status, paysync_store::JobStatus::Succeeded, "{job:?}");
    }
    // A second bulk replay finds nothing left to replay.
    assert!(
        s.engine
            .replay_dead_letter_group(
                RECORD_JOB,
                "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                &DeadLetterFilter::default(),
            )
            .await
            .is_err()
    );

    // The unknown statuses cannot be corrected: discarded as a group, with the reason kept.
    let discarded = s
        .engine
        .discard_dead_letter_group(
            RECORD_JOB,
            "mapping.invalid",
            "Test charges from a broken importer",
            &DeadLetterFilter::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(discarded.len(), statuses);
    let left = s
        .engine
        .dead_letters(&open, 10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(left.total, 0);
    s.stop().await;
}

/// Fault campaign: Salesforce answers 20 % of calls with 429 (asking to wait a second), 500,
/// 503 or no answer at all, and 5 % of record writes with `UNABLE_TO_LOCK_ROW`. Runs follow one
/// another until the inbox is drained: every customer lands exactly once, nothing is lost to the
/// dead-letter queue, and no call after a 429 came sooner than its `Retry-After`.
#[tokio::test]
async fn under_twenty_percent_injected_faults_every_record_lands_exactly_once() {
    use paysync_sandbox::faults::{ErrorFault, FaultConfig, FaultRule};
    // Small collections, one call at a time: many calls to fault, and a retry is the next call
    // to its endpoint.
    let s = Setup::new(ApplyOptions {
        batch_events: 25,
        flush_objects: 25,
        write_concurrency: 1,
        fetch_concurrency: 1,
        ..ApplyOptions::default()
    })
    .await;
    s.sf_handle.faults.set(FaultConfig {
        seed: 11,
        hang_ms: 100,
        rules: vec![FaultRule {
            errors: vec![
                ErrorFault {
                    status: 429,
                    rate_bp: 700,
                    retry_after_secs: Some(1),
                },
                ErrorFault {
                    status: 500,
                    rate_bp: 300,
                    retry_after_secs: None,
                },
                ErrorFault {
                    status: 503,
                    rate_bp: 500,
                    retry_after_secs: None,
                },
            ],
            timeout_bp: 500,
            ..FaultRule::default()
        }],
    });
    s.salesforce
        .set_lock_injection(paysync_sandbox::salesforce::LockInjection {
            rate_bp: 500,
            next_writes: vec![],
        });
    // `PAYSYNC_FAULT_RECORDS` for a longer campaign; CI's size keeps it under a minute.
    let n = std::env::var("PAYSYNC_FAULT_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    s.deliver(&customer_events(0..n, now().timestamp() - 60)).await;
    let mut rounds = 0;
    while s.unprocessed().await > 0 {
        rounds += 1;
        assert!(
            rounds <= 40,
            "the inbox never drained: {} left",
            s.unprocessed().await
        );
        // A run the faults stop part-way leaves its events for the next one.
        let _ = s.engine.run_flow_now(NAME).await;
        s.engine
            .run_jobs_until_idle()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let injected = s.sf_handle.faults.injected();
    let arrivals = s.sf_handle.faults.arrivals();
    s.sf_handle.faults.set(FaultConfig::default());
    assert!(
        injected.iter().any(|f| f.status == 429)
            && injected.iter().any(|f| f.status >= 500)
            && injected.iter().any(|f| f.status == 0),
        "the campaign injected every kind of fault: {injected:?}"
    );
    // No retry came sooner than the Retry-After asked.
    for fault in injected.iter().filter(|f| f.status == 429) {
        let wait = std::time::Duration::from_secs(fault.retry_after_secs.unwrap_or(0));
        if let Some((_, next)) = arrivals
            .iter()
            .find(|(request, at)| *request == fault.request && *at > fault.at)
        {
            assert!(
                next.duration_since(fault.at) >= wait,
                "{} was tried again after {:?}, not the {wait:?} asked",
                fault.request,
                next.duration_since(fault.at)
            );
        }
    }
    let accounts = s.salesforce.records("Account");
    let mut keys: Vec<&str> = accounts
        .iter()
        .filter_map(|a| a.get("Stripe_Customer_Id__c").and_then(Value::as_str))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(
        (accounts.len(), keys.len()),
        (n, n),
        "each customer once, none twice ({rounds} runs)"
    );
    let parked = s
        .engine
        .dead_letters(&DeadLetterFilter::default(), 10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        parked.total,
        0,
        "nothing lost to faults that clear up: {:?}",
        parked.items.first()
    );
    s.stop().await;
}

#[tokio::test]
async fn a_record_the_mapping_refuses_is_dead_lettered_with_its_field() {
    let s = Setup::new(ApplyOptions::default()).await;
    let charge =
        json!({"id": "ch_odd", "object": "charge", "amount": 100, "currency": "eur", "status": "weird"});
    s.deliver(&[event("evt_odd", "charge.updated", now().timestamp(), charge)])
        .await;
    let run = s.run().await;
    assert_eq!(run.counts.failed, 1, "{run:?}");
    s.engine
        .run_jobs_until_idle()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let letters = s
        .engine
        .dead_letters(&DeadLetterFilter::default(), 10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(letters.items.len(), 1);
    assert_eq!(letters.items[0].error_code, "mapping.invalid");
    assert!(
        letters.items[0].error_message.contains("ch_odd: field Status__c"),
        "{}",
        letters.items[0].error_message
    );
    s.stop().await;
}

#[tokio::test]
async fn row_lock_contention_is_retried_until_written() {
    let s = Setup::new(ApplyOptions {
        lock_retries: 12,
        ..ApplyOptions::default()
    })
    .await;
    s.salesforce
        .set_lock_injection(paysync_sandbox::salesforce::LockInjection {
            rate_bp: 3_000,
            next_writes: Vec::new(),
        });
    let t = now().timestamp() - 60;
    let events = customer_events(0..40, t);
    s.deliver(&events).await;
    let run = s.run().await;
    assert_eq!((run.counts.written, run.counts.failed), (40, 0), "{run:?}");
    assert_eq!(s.salesforce.records("Account").len(), 40);
    s.stop().await;
}

#[tokio::test]
async fn a_partial_collection_waits_for_more_of_its_kind_unless_it_is_old_or_drained() {
    let s = Setup::new(ApplyOptions {
        hold_partial_for: std::time::Duration::from_secs(10),
        ..ApplyOptions::default()
    })
    .await;
    let t = now().timestamp() - 60;
    s.deliver(&customer_events(0..250, t)).await;
    let run = s.run().await;
    // One whole collection went; the other 50 wait, their events unprocessed.
    assert_eq!(run.counts.written, 200, "{run:?}");
    assert_eq!(s.salesforce.records("Account").len(), 200);
    assert_eq!(s.unprocessed().await, 50);
    s.deliver(&customer_events(250..400, t)).await;
    let run = s.run().await;
    assert_eq!(run.counts.written, 200, "{run:?}");
    assert_eq!(s.unprocessed().await, 0);
    s.deliver(&customer_events(400..410, t)).await;
    assert_eq!(s.run().await.counts.written, 0);
    // Draining (or the records' age) sends the remainder.
    s.flow.drain(true);
    assert_eq!(s.run().await.counts.written, 10);
    assert_eq!(s.salesforce.records("Account").len(), 410);
    s.stop().await;
}

#[tokio::test]
async fn a_held_partial_goes_with_the_next_batch_of_the_same_run() {
    // Batches of 100 objects: the first is all remainder and waits; the second fills its
    // collection, so one whole collection goes in the same run; the last 50 wait again.
    let s = Setup::new(ApplyOptions {
        hold_partial_for: std::time::Duration::from_secs(10),
        batch_events: 100,
        flush_objects: 100,
        match_existing_accounts: false,
        ..ApplyOptions::default()
    })
    .await;
    let t = now().timestamp() - 60;
    s.deliver(&customer_events(0..250, t)).await;
    let run = s.run().await;
    assert_eq!((run.counts.read, run.counts.written), (250, 200), "{run:?}");
    assert_eq!(s.flow.calls().1, 1, "one whole collection");
    assert_eq!(s.salesforce.records("Account").len(), 200);
    assert_eq!(s.unprocessed().await, 50);
    s.flow.drain(true);
    assert_eq!(s.run().await.counts.written, 50);
    assert_eq!(s.unprocessed().await, 0);
    s.stop().await;
}

/// `charge.failed` events for charges `ch_<i>` of customers `cus_<i>`, created at `t`.
fn charge_events(ids: std::ops::Range<usize>, t: i64) -> Vec<Value> {
    ids.map(|i| {
        event(
            &format!("evt_ch_{i}"),
            "charge.failed",
            t,
            json!({
                "id": format!("ch_{i}"), "object": "charge", "amount": 500, "currency": "usd",
                "status": "failed", "customer": format!("cus_{i}"), "created": t,
            }),
        )
    })
    .collect()
}

#[tokio::test]
async fn a_payment_waits_with_its_customer_so_both_collections_go_full() {
    let s = Setup::new(ApplyOptions {
        hold_partial_for: std::time::Duration::from_secs(10),
        match_existing_accounts: false,
        ..ApplyOptions::default()
    })
    .await;
    let t = now().timestamp() - 60;
    // 100 customers already in Salesforce; then 100 new ones, and a payment of each of the 200.
    s.flow.drain(true);
    s.deliver(&customer_events(0..100, t)).await;
    s.run().await;
    s.flow.drain(false);
    let before = s.flow.calls().1;
    let mut events = customer_events(100..200, t);
    events.extend(charge_events(0..200, t));
    s.deliver(&events).await;
    // The new customers are a partial collection, so they wait, and their payments with them;
    // the other 100 payments are a partial collection too. Nothing is sent half full.
    let run = s.run().await;
    assert_eq!(run.counts.written, 0, "{run:?}");
    assert_eq!(s.flow.calls().1, before);
    // 100 more customers and their payments make both collections whole.
    let mut events = customer_events(200..300, t);
    events.extend(charge_events(200..300, t));
    s.deliver(&events).await;
    let run = s.run().await;
    assert_eq!(run.counts.written, 200 + 200, "{run:?}");
    assert_eq!(s.flow.calls().1 - before, 2, "two whole collections");
    assert_eq!(s.salesforce.records("Account").len(), 300);
    assert_eq!(s.salesforce.records("Payment__c").len(), 200);
    assert_eq!(s.unprocessed().await, 100, "the last hundred payments wait");
    s.stop().await;
}

#[tokio::test]
async fn the_flow_pauses_before_its_share_of_the_daily_api_allocation() {
    let s = Setup::new(ApplyOptions {
        api_share_percent: 50,
        write_concurrency: 1,
        ..ApplyOptions::default()
    })
    .await;
    let (used, _) = s.salesforce.api_usage();
    // Half of this allocation leaves room for four more calls: two reads that look for Accounts
    // the new customers may already have (by e-mail, by domain), and two collections.
    s.salesforce.set_daily_limit((used + 4) * 2);
    let t = now().timestamp() - 60;
    let events = customer_events(0..700, t);
    s.deliver(&events).await;
    let run = s.run().await;
    assert_eq!(run.outcome, "partial", "a pause is not a failure: {run:?}");
    assert_eq!(run.counts.written, 400, "{run:?}");
    assert_eq!(s.unprocessed().await, 300, "the rest waits for the next run");
    s.salesforce.set_daily_limit(100_000);
    let run = s.run().await;
    assert_eq!(run.counts.written, 300, "{run:?}");
    assert_eq!(s.unprocessed().await, 0);
    s.stop().await;
}
