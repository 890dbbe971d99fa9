//! Payouts end to end against the Salesforce and Payoneer simulators: intake, readiness,
//! corrections, four eyes, sending, holding, resolving in-doubt batches and writing back.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use paysync_core::{Clock, ManualClock, SharedClock};
use paysync_sandbox::SimHandle;
use paysync_sandbox::faults::{ALWAYS_BP, FaultConfig, FaultRule, Outage};
use paysync_sandbox::payoneer::{DEFAULT_PROGRAM_ID, NewPayee, PayeeStatus, PayoneerSim, PayoutFailure};
use paysync_sandbox::salesforce::{OrgUser, SalesforceSim};
use paysync_store::{BatchStatus, DeadLetterFilter, ItemState};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::*;
use crate::flows::testing::{engine_with_extensions, start_payoneer, start_salesforce};
use crate::{Engine, EngineError, Extensions};

const MAKER: &str = "005MAKER000000001";
const CHECKER: &str = "005CHECK000000001";
const SECOND: &str = "005CHECK000000002";

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

fn fields(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

struct Setup {
    _dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    payoneer_handle: SimHandle,
    _sf_handle: SimHandle,
    payoneer: Arc<PayoneerSim>,
    salesforce: Arc<SalesforceSim>,
    /// Salesforce as Paysync calls it (for reconciliation).
    sf: paysync_connectors::http::Executor,
    engine: Engine,
}

impl Setup {
    async fn new() -> Self {
        Self::with(PayoutOptions::default()).await
    }

    async fn with(options: PayoutOptions) -> Self {
        let clock = Arc::new(ManualClock::new(start()));
        let shared: SharedClock = clock.clone();
        let (sf_handle, salesforce, sf) = start_salesforce(shared.clone()).await;
        let (payoneer_handle, payoneer, po) = start_payoneer(shared.clone()).await;
        payoneer.set_balance("EUR", Decimal::new(1_000_000, 0));
        payoneer.set_fee("EUR", Decimal::new(150, 2));
        let flow = PayoutsFlow::new(
            po.clone(),
            sf.clone(),
            PayoutOptions {
                program_id: DEFAULT_PROGRAM_ID.to_owned(),
                ..options
            },
        );
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let extensions = Extensions {
            payouts: Some(flow),
            executors: vec![po],
            ..Extensions::default()
        };
        let engine = engine_with_extensions(dir.path(), shared, extensions).await;
        // The requests are approved for payout in Salesforce by the maker.
        let mut user = salesforce.user();
        user.user_id = MAKER.to_owned();
        salesforce.set_user(OrgUser { ..user });
        Self {
            _dir: dir,
            clock,
            payoneer_handle,
            _sf_handle: sf_handle,
            payoneer,
            salesforce,
            sf,
            engine,
        }
    }

    fn desk(&self) -> &PayoutDesk {
        self.engine.payouts().unwrap_or_else(|e| panic!("{e}"))
    }

    /// A minute later: one run, then every job that is due.
    async fn run(&self) {
        self.run_after(Duration::minutes(1)).await;
    }

    /// `after` later: one run, then every job that is due.
    async fn run_after(&self, after: Duration) {
        self.clock.advance(after);
        let run = self
            .engine
            .run_flow_now(NAME)
            .await
            .unwrap_or_else(|e| panic!("run: {e}"));
        assert_eq!(run.outcome, "succeeded", "{run:?}");
        self.engine
            .run_jobs_until_idle()
            .await
            .unwrap_or_else(|e| panic!("jobs: {e}"));
    }

    /// Lets the payouts settle (the simulator's delay is two minutes), then runs.
    async fn settle(&self) {
        self.clock.advance(Duration::minutes(3));
        self.payoneer.run_due().await;
        self.run().await;
    }

    fn insert(&self, object: &str, value: Value) -> String {
        self.salesforce
            .insert_record(object, fields(value), self.clock.now())
            .unwrap_or_else(|e| panic!("{object}: {e}"))
    }

    fn record(&self, object: &str, id: &str) -> Map<String, Value> {
        self.salesforce
            .records(object)
            .into_iter()
            .find(|r| r.get("Id").and_then(Value::as_str) == Some(id))
            .unwrap_or_else(|| panic!("{object} {id} not found"))
    }

    /// An Active payee and its Contact; returns the Contact.
    fn payee(&self, n: u32) -> String {
        let payee_id = format!("payee-{n}");
        self.payoneer.insert_payee(
            NewPayee {
                payee_id: payee_id.clone(),
                status: PayeeStatus::Active,
                reasons: vec![],
                email: format!("payee{n}@example.com"),
                country: "DE".to_owned(),
                payout_currency: "EUR".to_owned(),
                fail_payouts_with: None,
            },
            start(),
        );
        self.insert(
            "Contact",
            json!({"LastName": format!("Payee {n}"), "Email": format!("payee{n}@example.com"),
                   "MailingCountry": "DE", "Payoneer_Payee_Id__c": payee_id}),
        )
    }

    /// A request approved for payout.
    fn request(&self, contact: &str, amount: &str) -> String {
        self.insert(
            "Payment_Request__c",
            json!({"Status__c": "Approved for Payout", "Amount__c": amount.parse::<f64>().unwrap_or(0.0),
                   "Currency__c": "EUR", "Contact__c": contact, "Description__c": "Invoice"}),
        )
    }

    async fn only_batch(&self) -> PayoutBatch {
        let batches = self
            .desk()
            .batches(Some("all"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(batches.len(), 1, "{batches:?}");
        batches[0].clone()
    }

    /// The reason of a batch that must be held.
    async fn held_reason(&self, batch: &str) -> String {
        let view = self.desk().batch(batch).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            view.batch.status,
            BatchStatus::Held,
            "{:?}",
            view.batch.held_reason
        );
        view.batch
            .held_reason
            .unwrap_or_else(|| panic!("batch {batch} is held without a reason"))
    }

    async fn approve(&self, batch: &PayoutBatch, actor: &str) -> PayoutBatch {
        self.desk()
            .approve(&batch.id, actor, &batch.content_hash)
            .await
            .unwrap_or_else(|e| panic!("approve: {e}"))
    }

    /// Payoneer answers 503 to everything from now for `how_long` (on the sandbox clock);
    /// returns when it is back.
    fn payoneer_down_for(&self, how_long: Duration) -> DateTime<Utc> {
        let start = self.clock.now();
        let end = start + how_long;
        self.payoneer_handle.faults.set(FaultConfig {
            seed: 5,
            hang_ms: 100,
            rules: vec![FaultRule {
                outages: vec![Outage {
                    start,
                    end,
                    status: 503,
                }],
                ..FaultRule::default()
            }],
        });
        end
    }

    fn ledger_refs(&self) -> Vec<String> {
        self.payoneer
            .ledger()
            .into_iter()
            .map(|e| e.client_reference_id)
            .collect()
    }
}

use paysync_store::PayoutBatch;

#[tokio::test]
async fn approved_requests_are_batched_approved_paid_and_written_back() {
    let s = Setup::new().await;
    let requests: Vec<String> = (1..=3).map(|n| s.request(&s.payee(n), "125.50")).collect();
    s.run().await;
    let batch = s.only_batch().await;
    assert_eq!(
        (batch.status, batch.item_count, batch.total_minor),
        (BatchStatus::Draft, 3, 37_650)
    );
    assert_eq!(batch.makers, vec![MAKER.to_owned()]);
    assert!(s.payoneer.ledger().is_empty(), "nothing moves before approval");

    // Four eyes: the maker cannot approve; a checker can.
    let refused = s.desk().approve(&batch.id, MAKER, &batch.content_hash).await;
    assert!(
        matches!(refused, Err(EngineError::Refused(ref m)) if m.contains("approved payment requests")),
        "{refused:?}"
    );
    let approved = s.approve(&batch, CHECKER).await;
    assert_eq!(approved.status, BatchStatus::Approved);

    s.run().await;
    let sent = s.desk().batch(&batch.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sent.batch.status, BatchStatus::Submitted);
    assert_eq!(s.payoneer.ledger().len(), 3);

    s.settle().await;
    let done = s.desk().batch(&batch.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (done.batch.status, done.batch.paid, done.batch.fees_minor),
        (BatchStatus::Completed, 3, Some(450))
    );
    for request in &requests {
        let r = s.record("Payment_Request__c", request);
        assert_eq!(r.get("Status__c"), Some(&json!("Paid")), "{r:?}");
        assert!(
            r.get("Payout_Id__c")
                .and_then(Value::as_str)
                .is_some_and(|p| !p.is_empty())
        );
    }
    let transactions = s.salesforce.records("Payment_Transaction__c");
    assert_eq!(transactions.len(), 3);
    assert!(
        transactions
            .iter()
            .all(|t| t.get("Status__c") == Some(&json!("Completed"))
                && t.get("Fee__c") == Some(&json!(1.5))
                && t.get("Provider__c") == Some(&json!("Payoneer")))
    );
    // Another run writes nothing twice.
    s.run().await;
    assert_eq!(s.salesforce.records("Payment_Transaction__c").len(), 3);
    assert_eq!(s.payoneer.duplicate_submissions(), 0);
    let actions: Vec<String> = s
        .engine
        .audit_entries(50, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|e| format!("{} {}", e.actor, e.action))
        .collect();
    assert!(
        actions.contains(&format!("{CHECKER} payout.approve")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"system:payouts payout.batch.submit".to_owned()),
        "{actions:?}"
    );
}

#[tokio::test]
async fn two_different_approvers_are_needed_above_the_threshold() {
    let s = Setup::new().await;
    s.request(&s.payee(1), "6000");
    s.request(&s.payee(2), "6000");
    s.run().await;
    let batch = s.only_batch().await;
    assert_eq!(batch.approvals_needed, 2);
    let one = s.approve(&batch, CHECKER).await;
    assert_eq!((one.status, one.approvals), (BatchStatus::Draft, 1));
    let again = s.desk().approve(&batch.id, CHECKER, &batch.content_hash).await;
    assert!(
        matches!(again, Err(EngineError::Refused(ref m)) if m.contains("second, different")),
        "{again:?}"
    );
    s.run().await;
    assert!(s.payoneer.ledger().is_empty(), "one approval is not enough");
    let two = s.approve(&batch, SECOND).await;
    assert_eq!(two.status, BatchStatus::Approved);
    s.run().await;
    assert_eq!(s.payoneer.ledger().len(), 2);
}

#[tokio::test]
async fn an_edit_in_salesforce_voids_the_approval_and_the_new_content_needs_its_own() {
    let s = Setup::new().await;
    let first = s.request(&s.payee(1), "6000");
    s.request(&s.payee(2), "6000");
    s.run().await;
    let batch = s.only_batch().await;
    s.approve(&batch, CHECKER).await;
    // The amount changes in Salesforce before the second approval.
    s.salesforce
        .update_record(
            "Payment_Request__c",
            &first,
            fields(json!({"Amount__c": 6500})),
            s.clock.now(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    s.run().await;
    let after = s.desk().batch(&batch.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(after.batch.content_hash, batch.content_hash);
    assert_eq!(after.batch.approvals, 0, "the old approval is void");
    assert!(after.approvals.iter().all(|a| !a.current));
    let stale = s.desk().approve(&batch.id, SECOND, &batch.content_hash).await;
    assert!(stale.is_err(), "an approval of what was shown before is refused");
    s.run().await;
    assert!(s.payoneer.ledger().is_empty());
}

#[tokio::test]
async fn an_invalid_recipient_waits_for_support_and_is_paid_after_the_correction() {
    let s = Setup::new().await;
    let contact = s.payee(1);
    s.salesforce
        .update_record(
            "Contact",
            &contact,
            fields(json!({"MailingCountry": "Germany"})),
            s.clock.now(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let request = s.request(&contact, "80");
    s.run().await;
    let queue = s.desk().corrections(10).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(queue.len(), 1);
    let reason = queue[0].reason.clone().unwrap_or_default();
    assert!(
        reason.contains(&contact) && reason.contains("MailingCountry"),
        "{reason}"
    );
    assert!(s.desk().batches(None).await.unwrap_or_default().is_empty());

    let bad = s
        .desk()
        .correct(
            &RecipientCorrection {
                item_id: queue[0].id,
                country: Some("Deutschland".into()),
                ..RecipientCorrection::default()
            },
            "005SUPPORT0000001",
        )
        .await;
    assert!(
        matches!(bad, Err(EngineError::Invalid { field: "country", .. })),
        "{bad:?}"
    );
    let fixed = s
        .desk()
        .correct(
            &RecipientCorrection {
                item_id: queue[0].id,
                country: Some("de".into()),
                ..RecipientCorrection::default()
            },
            "005SUPPORT0000001",
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fixed.state, ItemState::Ready);
    assert_eq!(
        s.record("Contact", &contact).get("MailingCountry"),
        Some(&json!("DE"))
    );

    s.run().await;
    let batch = s.only_batch().await;
    s.approve(&batch, CHECKER).await;
    s.run().await;
    s.settle().await;
    assert_eq!(
        s.record("Payment_Request__c", &request).get("Status__c"),
        Some(&json!("Paid"))
    );
}

#[tokio::test]
async fn a_recipient_without_a_payee_is_invited_and_paid_once_approved_by_payoneer() {
    let s = Setup::new().await;
    let contact = s.insert(
        "Contact",
        json!({"LastName": "New Vendor", "Email": "vendor@example.com", "MailingCountry": "FR"}),
    );
    s.request(&contact, "40");
    s.run().await;
    let c = s.record("Contact", &contact);
    let payee_id = c
        .get("Payoneer_Payee_Id__c")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    assert!(payee_id.starts_with("ps-"), "{c:?}");
    assert!(
        c.get("Payoneer_Registration_Link__c")
            .and_then(Value::as_str)
            .is_some_and(|l| l.contains("/register/"))
    );
    let waiting = s.desk().corrections(10).await.unwrap_or_default();
    assert!(
        waiting[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("invited")),
        "{waiting:?}"
    );

    // The vendor registers and Payoneer approves them: the next run finds the payee Active.
    s.payoneer.insert_payee(
        NewPayee {
            payee_id: payee_id.clone(),
            status: PayeeStatus::Active,
            reasons: vec![],
            email: "vendor@example.com".into(),
            country: "FR".into(),
            payout_currency: "EUR".into(),
            fail_payouts_with: None,
        },
        s.clock.now(),
    );
    s.run().await;
    assert!(s.desk().corrections(10).await.unwrap_or_default().is_empty());
    assert_eq!(s.only_batch().await.item_count, 1);
}

#[tokio::test]
async fn insufficient_funds_hold_the_batch_until_the_balance_allows() {
    let s = Setup::new().await;
    s.payoneer.set_balance("EUR", Decimal::new(50, 0));
    let mut events = s.engine.subscribe();
    s.request(&s.payee(1), "300");
    s.run().await;
    let batch = s.only_batch().await;
    s.approve(&batch, CHECKER).await;
    s.run().await;
    let reason = s.held_reason(&batch.id).await;
    assert!(reason.contains("Insufficient funds"), "{reason}");
    let mut saw_held = false;
    while let Ok(event) = events.try_recv() {
        saw_held |= matches!(event, crate::EngineEvent::PayoutBatchHeld { .. });
    }
    assert!(saw_held);
    s.run().await;
    assert!(
        s.payoneer.ledger().is_empty(),
        "still held while the balance is short"
    );

    s.payoneer.set_balance("EUR", Decimal::new(1_000, 0));
    s.run().await;
    s.settle().await;
    let paid = s.desk().batch(&batch.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((paid.batch.status, paid.batch.paid), (BatchStatus::Completed, 1));
    assert_eq!(s.payoneer.ledger().len(), 1);
}

#[tokio::test]
async fn a_lost_response_is_resolved_by_asking_never_by_sending_again() {
    let s = Setup::new().await;
    s.request(&s.payee(1), "10");
    s.request(&s.payee(2), "20");
    s.run().await;
    let batch = s.only_batch().await;
    s.approve(&batch, CHECKER).await;
    // Payoneer creates the payouts but the answer never arrives.
    s.payoneer_handle.faults.set(FaultConfig {
        seed: 1,
        hang_ms: 100,
        rules: vec![FaultRule {
            method: Some("POST".into()),
            path_prefix: Some(format!("/v4/programs/{DEFAULT_PROGRAM_ID}/masspayouts")),
            lose_response_bp: ALWAYS_BP,
            ..FaultRule::default()
        }],
    });
    s.run().await;
    s.payoneer_handle.faults.set(FaultConfig::default());
    s.run().await;
    let view = s.desk().batch(&batch.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(view.batch.status, BatchStatus::Submitted);
    assert_eq!(s.payoneer.ledger().len(), 2);
    assert_eq!(
        s.payoneer.duplicate_submissions(),
        0,
        "no reference was ever sent twice"
    );
}

#[tokio::test]
async fn a_crash_after_the_intent_is_resolved_by_status_with_no_second_submission() {
    let s = Setup::new().await;
    s.request(&s.payee(1), "10");
    s.run().await;
    let batch = s.only_batch().await;
    s.approve(&batch, CHECKER).await;
    // The intent is committed and the call reaches Payoneer; the process dies before recording.
    let store = s.engine.store();
    let (sending, items) = store
        .payouts()
        .begin_submission(&batch.id, s.clock.now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sending.status, BatchStatus::Submitting);
    let payout = s.desk().batch(&batch.id).await.unwrap_or_else(|e| panic!("{e}"));
    let flow_payouts = payout.items.len();
    assert_eq!(flow_payouts, 1);
    let direct = reqwest::Client::new();
    let token: Value = direct
        .post(format!("{}/api/v2/oauth2/token", s.payoneer_handle.base_url))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", paysync_sandbox::payoneer::DEFAULT_CLIENT_ID),
            ("client_secret", paysync_sandbox::payoneer::DEFAULT_CLIENT_SECRET),
            ("scope", "read write"),
        ])
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let reference = items[0].client_reference_id.clone().unwrap_or_default();
    let sent = direct
        .post(format!(
            "{}/v4/programs/{DEFAULT_PROGRAM_ID}/masspayouts",
            s.payoneer_handle.base_url
        ))
        .bearer_auth(token["access_token"].as_str().unwrap_or_default())
        .json(
            &json!({"Payments": [{"client_reference_id": reference, "payee_id": "payee-1",
                                    "amount": 10, "currency": "EUR", "description": "x"}]}),
        )
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(sent.status(), 200);
    s.run().await;
    let view = s.desk().batch(&batch.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(view.batch.status, BatchStatus::Submitted);
    assert_eq!(s.ledger_refs(), vec![reference]);
    assert_eq!(s.payoneer.duplicate_submissions(), 0);
}

#[tokio::test]
async fn a_rejection_goes_back_to_salesforce_with_its_reason_and_failures_are_written_too() {
    let s = Setup::new().await;
    let rejected = s.request(&s.payee(1), "10");
    s.run().await;
    let batch = s.only_batch().await;
    let none = s.desk().reject(&batch.id, CHECKER, "  ").await;
    assert!(matches!(none, Err(EngineError::Invalid { field: "reason", .. })));
    s.desk()
        .reject(&batch.id, CHECKER, "Duplicate of PR-000007")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    s.run().await;
    let r = s.record("Payment_Request__c", &rejected);
    assert_eq!(r.get("Status__c"), Some(&json!("Rejected")));
    assert!(
        r.get("Rejection_Reason__c")
            .and_then(Value::as_str)
            .is_some_and(|t| t.contains("Duplicate of PR-000007"))
    );

    // A payout that fails at settlement is written as failed, with Payoneer's reason.
    s.payoneer.insert_payee(
        NewPayee {
            payee_id: "payee-9".into(),
            status: PayeeStatus::Active,
            reasons: vec![],
            email: "payee9@example.com".into(),
            country: "DE".into(),
            payout_currency: "EUR".into(),
            fail_payouts_with: Some(PayoutFailure {
                code: 10_005,
                description: "Bank account closed".into(),
            }),
        },
        start(),
    );
    let contact = s.insert(
        "Contact",
        json!({"LastName": "Payee 9", "Email": "payee9@example.com", "MailingCountry": "DE", "Payoneer_Payee_Id__c": "payee-9"}),
    );
    let failing = s.request(&contact, "15");
    s.run().await;
    let open = s.desk().batches(None).await.unwrap_or_default();
    s.approve(&open[0], CHECKER).await;
    s.run().await;
    s.settle().await;
    let r = s.record("Payment_Request__c", &failing);
    assert_eq!(r.get("Status__c"), Some(&json!("Failed")), "{r:?}");
    assert!(
        r.get("Rejection_Reason__c")
            .and_then(Value::as_str)
            .is_some_and(|t| t.contains("Bank account closed"))
    );
    let t = &s.salesforce.records("Payment_Transaction__c")[0];
    assert_eq!(t.get("Status__c"), Some(&json!("Failed")));
}

#[tokio::test]
async fn a_request_that_cannot_be_paid_lands_in_the_dlq_naming_the_field() {
    let s = Setup::new().await;
    let contact = s.payee(1);
    let bad = s.insert(
        "Payment_Request__c",
        json!({"Status__c": "Approved for Payout", "Amount__c": 10.005, "Currency__c": "EUR", "Contact__c": contact}),
    );
    s.run().await;
    let letters = s
        .engine
        .dead_letters(&DeadLetterFilter::default(), 10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(letters.items.len(), 1, "{letters:?}");
    let letter = &letters.items[0];
    assert_eq!(letter.kind, REQUEST_JOB);
    assert!(
        letter.error_message.contains(&bad) && letter.error_message.contains("Amount__c"),
        "{}",
        letter.error_message
    );
    assert!(
        letter.payload["request"]["Id"] == json!(bad),
        "the whole record is kept"
    );
}

#[tokio::test]
async fn the_dry_run_shows_what_would_be_sent_and_what_would_fail_without_sending() {
    let s = Setup::new().await;
    s.request(&s.payee(1), "10");
    s.request(&s.payee(2), "20");
    s.run().await;
    let batch = s.only_batch().await;
    // Payoneer declines one payee after the check.
    s.payoneer
        .decline_payee(DEFAULT_PROGRAM_ID, "payee-2", "Documents expired")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let dry = s
        .desk()
        .dry_run(&batch.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(dry.would_send, 1);
    assert_eq!(dry.problems.len(), 1);
    assert!(
        dry.problems[0].message.contains("Documents expired"),
        "{:?}",
        dry.problems
    );
    assert_eq!(dry.payload["Payments"][0]["amount"], json!(10));
    assert!(dry.enough_funds);
    assert!(s.payoneer.ledger().is_empty(), "a dry run sends nothing");
}

/// An IPCN, signed by the simulator and delivered as it sent it, makes the next run ask that
/// payout's status at once, even when tracking would not have asked (here: no status checks at
/// all), and the status, not the notice, pays the item. A forged or repeated notice changes
/// nothing.
#[tokio::test]
async fn a_signed_ipcn_makes_the_run_ask_the_payouts_status_at_once() {
    use paysync_connectors::payoneer::ipcn::IpcnKind;
    use paysync_core::Secret;
    use paysync_sandbox::payoneer::{IpcnConfig, IpcnEvent};

    use crate::webhooks::{PAYONEER_IPCN_SOURCE, WebhookError, WebhookReceipt};

    const IPCN_SECRET: &str = "ipcn-test-secret";
    let s = Setup::with(PayoutOptions {
        status_checks_per_run: 0,
        ..PayoutOptions::default()
    })
    .await;
    // Nothing listens on the discard port: the simulator records what it signed and sent.
    let base = "http://127.0.0.1:9/webhooks/payoneer";
    s.payoneer.set_ipcn(IpcnConfig {
        secret: Some(IPCN_SECRET.to_owned()),
        urls: [
            (IpcnEvent::AccountLoaded, format!("{base}/account-loaded")),
            (IpcnEvent::CancelPayout, format!("{base}/payout-cancelled")),
        ]
        .into_iter()
        .collect(),
        ..IpcnConfig::default()
    });
    let request = s.request(&s.payee(1), "40.00");
    s.run().await;
    let batch = s.only_batch().await;
    s.approve(&batch, CHECKER).await;
    s.run().await;
    s.clock.advance(Duration::minutes(3));
    s.payoneer.run_due().await;
    s.run().await;
    let item = s
        .desk()
        .batch(&batch.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items
        .remove(0);
    assert_eq!(item.state, ItemState::Submitted, "tracking asks nothing here");

    let deliveries = s.payoneer.deliveries();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let delivery = &deliveries[0];
    let secrets = vec![Secret::new(IPCN_SECRET.to_owned())];
    let kind = IpcnKind::AccountLoaded;

    let deliver = |authorization: Option<&str>, body: &[u8]| {
        let body = body.to_vec();
        let authorization = authorization.map(str::to_owned);
        let (engine, url, secrets) = (&s.engine, delivery.url.clone(), secrets.clone());
        async move {
            engine
                .receive_payoneer_ipcn(kind, authorization.as_deref(), &url, &body, &secrets)
                .await
        }
    };
    let unprocessed = || async {
        s.engine
            .store()
            .inbox()
            .count_unprocessed(PAYONEER_IPCN_SOURCE)
            .await
            .unwrap_or(9)
    };
    let signed = delivery.authorization.as_deref();

    // Forged (another body under the same header) and unsigned: refused, nothing stored.
    let forged = deliver(signed, br#"{"Payee Id":"payee-1","IntPaymentId":"x"}"#).await;
    assert!(
        matches!(forged, Err(WebhookError::IpcnUnauthentic(_))),
        "{forged:?}"
    );
    let unsigned = deliver(None, delivery.body.as_bytes()).await;
    assert!(matches!(unsigned, Err(ref e) if e.is_senders()), "{unsigned:?}");
    assert_eq!(unprocessed().await, 0);

    let received = deliver(signed, delivery.body.as_bytes())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(received, WebhookReceipt::Recorded { .. }));
    let again = deliver(signed, delivery.body.as_bytes()).await;
    assert!(matches!(again, Ok(WebhookReceipt::Duplicate { .. })), "{again:?}");

    s.run().await;
    let paid = s.desk().batch(&batch.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(paid.items[0].state, ItemState::Paid);
    assert_eq!(paid.items[0].fee_minor, Some(150));
    assert_eq!(
        s.record("Payment_Request__c", &request).get("Status__c"),
        Some(&json!("Paid"))
    );
    assert_eq!(unprocessed().await, 0, "the notice was acted on");
    assert_eq!(s.payoneer.duplicate_submissions(), 0);
}

/// With `opportunity_stage` set, a deal in that stage is paid to its `Payee_Contact__c` like a
/// request: drafted, approved by someone other than who moved it there, paid, and the outcome
/// written to `Opportunity.Payout_Status__c` and a `Payment_Transaction__c` linked to it. A deal
/// in another stage is not touched; one that cannot be paid lands in the DLQ naming the field.
#[tokio::test]
async fn opportunities_in_the_payout_stage_are_paid_like_requests() {
    let s = Setup::with(PayoutOptions {
        opportunity_stage: Some("Closed Won".to_owned()),
        ..PayoutOptions::default()
    })
    .await;
    let contact = s.payee(7);
    s.insert(
        "CurrencyType",
        json!({"IsoCode": "EUR", "ConversionRate": 0.92, "DecimalPlaces": 2, "IsActive": true}),
    );
    let account = s.insert("Account", json!({"Name": "Partner GmbH"}));
    let deal = |name: &str, stage: &str, amount: Value| {
        s.insert(
            "Opportunity",
            json!({"Name": name, "StageName": stage, "CloseDate": "2026-11-20", "Amount": amount,
                   "CurrencyIsoCode": "EUR", "AccountId": account, "Payee_Contact__c": contact}),
        )
    };
    let won = deal("Referral fee Q4", "Closed Won", json!(250.25));
    let open = deal("Still negotiating", "Negotiation/Review", json!(99));
    let broken = deal("No amount", "Closed Won", Value::Null);
    s.run().await;

    let batch = s.only_batch().await;
    assert_eq!((batch.item_count, batch.total_minor), (1, 25_025));
    let view = s.desk().batch(&batch.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(view.items[0].request_id, won);
    assert_eq!(view.items[0].description.as_deref(), Some("Referral fee Q4"));
    assert_eq!(view.items[0].payee_id.as_deref(), Some("payee-7"));
    assert!(
        !view.items.iter().any(|i| i.request_id == open),
        "another stage is not paid"
    );
    let dead = s
        .engine
        .dead_letters(&DeadLetterFilter::default(), 10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        dead.items.iter().any(|d| d
            .error_message
            .contains(&format!("Opportunity No amount ({broken}): Amount"))),
        "{:?}",
        dead.items.iter().map(|d| &d.error_message).collect::<Vec<_>>()
    );

    let refused = s.desk().approve(&batch.id, MAKER, &batch.content_hash).await;
    assert!(matches!(refused, Err(EngineError::Refused(_))), "{refused:?}");
    s.approve(&batch, CHECKER).await;
    s.run().await;
    s.settle().await;

    let opportunity = s.record("Opportunity", &won);
    assert_eq!(
        opportunity.get("Payout_Status__c"),
        Some(&json!("Paid")),
        "{opportunity:?}"
    );
    assert_eq!(opportunity.get("StageName"), Some(&json!("Closed Won")));
    assert!(
        opportunity
            .get("Payout_Id__c")
            .and_then(Value::as_str)
            .is_some_and(|p| !p.is_empty())
    );
    let transactions = s.salesforce.records("Payment_Transaction__c");
    assert_eq!(transactions.len(), 1);
    assert_eq!(transactions[0].get("Opportunity__c"), Some(&json!(won)));
    assert_eq!(
        transactions[0].get("Payment_Request__c").filter(|v| !v.is_null()),
        None
    );
    assert_eq!(transactions[0].get("Amount__c"), Some(&json!(250.25)));
    assert_eq!(
        s.record("Opportunity", &open)
            .get("Payout_Status__c")
            .filter(|v| !v.is_null()),
        None
    );
    // Paysync's own write-back changed the deal; reading it again pays nothing twice.
    s.run().await;
    assert_eq!(s.payoneer.ledger().len(), 1);
}

/// Every exception of a reconciliation run, as (kind, provider ids, Salesforce ids), sorted.
async fn exceptions_of(
    desk: &crate::reconcile::ReconDesk,
    run: i64,
) -> Vec<(String, Vec<String>, Vec<String>)> {
    let mut out: Vec<_> = desk
        .results(run, Some(paysync_store::ResultCategory::Exception), None, 100, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| (r.kind, r.provider_ids, r.salesforce_ids))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn paid_payouts_reconcile_with_their_transactions_and_requests_and_a_write_back_fixes_a_status() {
    let s = Setup::new().await;
    let requests: Vec<String> = (1..=3).map(|n| s.request(&s.payee(n), "125.50")).collect();
    s.run().await;
    let batch = s.only_batch().await;
    s.approve(&batch, CHECKER).await;
    s.run().await;
    s.settle().await;
    let items = s
        .desk()
        .batch(&batch.id)
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .items;
    let reference = |request: &str| {
        items
            .iter()
            .find(|i| i.request_id == request)
            .and_then(|i| i.client_reference_id.clone())
            .unwrap_or_else(|| panic!("no item for {request}"))
    };
    let desk = crate::reconcile::ReconDesk::new(
        crate::reconcile::Reconciler::new(None, s.sf.clone(), crate::reconcile::ReconcileOptions::default()),
        s.engine.store().clone(),
        s.engine.clock().clone(),
    );
    let day = s.clock.now().date_naive();
    let clean = desk
        .run(day, day, CHECKER, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (clean.matched, clean.exceptions, clean.balances),
        (6, 0, true),
        "each payout matches its transaction and its request: {clean:?}"
    );

    // Salesforce drifts: a request said to have failed, a transaction's amount edited, a
    // request's amount edited after it was paid, and a request naming a payout that never was.
    let now = s.clock.now();
    s.salesforce
        .update_record(
            "Payment_Request__c",
            &requests[0],
            fields(json!({"Status__c": "Failed"})),
            now,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let edited = s
        .salesforce
        .records("Payment_Transaction__c")
        .into_iter()
        .find(|t| t.get("Paysync_Key__c") == Some(&json!(reference(&requests[1]))))
        .and_then(|t| t.get("Id").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_default();
    s.salesforce
        .update_record(
            "Payment_Transaction__c",
            &edited,
            fields(json!({"Amount__c": 152.5})),
            now,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    s.salesforce
        .update_record(
            "Payment_Request__c",
            &requests[2],
            fields(json!({"Amount__c": 130})),
            now,
        )
        .unwrap_or_else(|e| panic!("{e}"));
    let stray = s.insert(
        "Payment_Request__c",
        json!({"Status__c": "Paid", "Amount__c": 99, "Currency__c": "EUR", "Payout_Id__c": "po_typed_by_hand"}),
    );
    // Paid outside Paysync, with no payout named: nothing to check it against, so not reconciled.
    s.insert(
        "Payment_Request__c",
        json!({"Status__c": "Paid", "Amount__c": 45, "Currency__c": "EUR", "Description__c": "Paid by wire in 2025"}),
    );
    let drift = desk
        .run(day, day, CHECKER, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(drift.balances, "{drift:?}");
    assert_eq!(exceptions_of(&desk, drift.run_id).await, {
        let mut expected = vec![
            (
                "amount_mismatch".to_owned(),
                vec![reference(&requests[1])],
                vec![edited.clone()],
            ),
            (
                "amount_mismatch".to_owned(),
                vec![reference(&requests[2])],
                vec![requests[2].clone()],
            ),
            ("missing_at_provider".to_owned(), vec![], vec![stray.clone()]),
            (
                "status_mismatch".to_owned(),
                vec![reference(&requests[0])],
                vec![requests[0].clone()],
            ),
        ];
        expected.sort();
        expected
    });

    // The status and the transaction are fixed by writing the payout back; the request's amount
    // and the stray request are not Paysync's to write.
    let results = desk
        .results(
            drift.run_id,
            Some(paysync_store::ResultCategory::Exception),
            None,
            100,
            0,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let id_of = |kind: &str, sf: &str| {
        results
            .iter()
            .find(|r| r.kind == kind && r.salesforce_ids == [sf.to_owned()])
            .map(|r| r.id)
            .unwrap_or_else(|| panic!("no {kind} on {sf}"))
    };
    for (kind, sf) in [("status_mismatch", &requests[0]), ("amount_mismatch", &edited)] {
        let fixed = desk
            .fix(id_of(kind, sf), CHECKER, None)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(fixed.jobs.len(), 1);
        assert!(
            fixed
                .result
                .note
                .as_deref()
                .is_some_and(|n| n.contains("from Payoneer"))
        );
    }
    let refused = desk
        .fix(id_of("amount_mismatch", &requests[2]), CHECKER, None)
        .await;
    assert!(
        matches!(refused, Err(EngineError::Refused(ref m)) if m.contains("correct the Payment_Request__c")),
        "{refused:?}"
    );
    let refused = desk
        .fix(id_of("missing_at_provider", &stray), CHECKER, None)
        .await;
    assert!(matches!(refused, Err(EngineError::Refused(_))), "{refused:?}");
    s.engine
        .run_jobs_until_idle()
        .await
        .unwrap_or_else(|e| panic!("jobs: {e}"));
    assert_eq!(
        s.record("Payment_Request__c", &requests[0]).get("Status__c"),
        Some(&json!("Paid"))
    );
    assert_eq!(
        s.record("Payment_Transaction__c", &edited).get("Amount__c"),
        Some(&json!(125.5))
    );

    let after = desk
        .run(day, day, CHECKER, false)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut expected = vec![
        (
            "amount_mismatch".to_owned(),
            vec![reference(&requests[2])],
            vec![requests[2].clone()],
        ),
        ("missing_at_provider".to_owned(), vec![], vec![stray]),
    ];
    expected.sort();
    assert_eq!(exceptions_of(&desk, after.run_id).await, expected);
    assert_eq!(s.payoneer.duplicate_submissions(), 0, "fixing moved no money");
}

/// The states of every item of `batch`.
async fn item_states(s: &Setup, batch: &str) -> Vec<ItemState> {
    let view = s.desk().batch(batch).await.unwrap_or_else(|e| panic!("{e}"));
    view.items.iter().map(|i| i.state).collect()
}

#[tokio::test]
async fn a_five_minute_outage_opens_the_breaker_holds_the_payouts_and_they_are_paid_once_after() {
    let s = Setup::new().await;
    let mut events = s.engine.subscribe();
    // Batch A is sent before the outage and is still being paid when it starts.
    let first = s.request(&s.payee(1), "40");
    s.run().await;
    let a = s.only_batch().await;
    s.approve(&a, CHECKER).await;
    s.run().await;
    assert_eq!(s.ledger_refs().len(), 1);
    // Batch B is approved as Payoneer goes down for five minutes.
    let later = [s.request(&s.payee(2), "60"), s.request(&s.payee(3), "70.25")];
    s.run().await;
    let all = s
        .desk()
        .batches(Some("all"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let b = all
        .into_iter()
        .find(|batch| batch.id != a.id)
        .unwrap_or_else(|| panic!("batch B was not drafted"));
    s.approve(&b, CHECKER).await;
    let end = s.payoneer_down_for(Duration::minutes(5));

    // A run every 20 seconds through the outage.
    let mut runs_while_open = 0;
    let mut reasons = Vec::new();
    while s.clock.now() + Duration::seconds(20) < end {
        s.run_after(Duration::seconds(20)).await;
        let view = s.desk().batch(&b.id).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            view.batch.status,
            BatchStatus::Held,
            "held, never failed or refused"
        );
        let reason = view.batch.held_reason.clone().unwrap_or_default();
        assert!(
            reason.contains("Payoneer is not answering") && reason.contains("Held, not failed"),
            "{reason}"
        );
        if reason.contains("calls resume at") {
            runs_while_open += 1;
        }
        reasons.push(reason);
        for state in item_states(&s, &b.id)
            .await
            .into_iter()
            .chain(item_states(&s, &a.id).await)
        {
            assert!(
                matches!(
                    state,
                    ItemState::Batched | ItemState::InDoubt | ItemState::Submitted
                ),
                "no payout fails because Payoneer is down: {state:?}"
            );
        }
    }
    assert!(
        runs_while_open > 0,
        "the breaker was open for some runs: {reasons:#?}"
    );
    assert_eq!(
        s.ledger_refs().len(),
        1,
        "nothing new reached Payoneer during the outage"
    );
    let letters = s
        .engine
        .dead_letters(&DeadLetterFilter::default(), 10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(letters.items.is_empty(), "nothing dead-lettered: {letters:?}");
    let (mut opened, mut held_events) = (0, 0);
    while let Ok(event) = events.try_recv() {
        match event {
            crate::EngineEvent::BreakerChanged {
                ref provider,
                circuit: paysync_connectors::http::Circuit::Open { .. },
                ..
            } if provider == "payoneer" => opened += 1,
            crate::EngineEvent::PayoutBatchHeld { ref batch_id, .. } if *batch_id == b.id => held_events += 1,
            _ => {}
        }
    }
    assert!(opened > 0, "the breaker opened");
    assert_eq!(held_events, 1, "the hold is announced once, not every run");

    // Payoneer is back: the breaker's probe closes it, B is resolved by asking first, then sent
    // under the same references; A's tracking resumes.
    s.clock.advance(end - s.clock.now());
    s.run().await;
    s.run().await;
    let sent = s.desk().batch(&b.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        sent.batch.status,
        BatchStatus::Submitted,
        "{:?}",
        sent.batch.held_reason
    );
    s.settle().await;
    for batch in [&a.id, &b.id] {
        let done = s.desk().batch(batch).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(done.batch.status, BatchStatus::Completed, "{batch}");
    }
    assert_eq!(s.ledger_refs().len(), 3);
    assert_eq!(s.payoneer.duplicate_submissions(), 0, "no payout was sent twice");
    for request in std::iter::once(&first).chain(&later) {
        let r = s.record("Payment_Request__c", request);
        assert_eq!(r.get("Status__c"), Some(&json!("Paid")), "{r:?}");
    }
    let mut closed = false;
    while let Ok(event) = events.try_recv() {
        closed |= matches!(
            event,
            crate::EngineEvent::BreakerChanged {
                circuit: paysync_connectors::http::Circuit::Closed { .. },
                ..
            }
        );
    }
    assert!(closed, "the breaker closed again");
}

#[tokio::test]
async fn a_batch_held_for_an_outage_resumes_by_asking_and_then_waits_for_funds_with_payoneers_reason() {
    let s = Setup::new().await;
    s.payoneer.set_balance("EUR", Decimal::new(50, 0));
    s.request(&s.payee(1), "300");
    s.run().await;
    let batch = s.only_batch().await;
    s.approve(&batch, CHECKER).await;
    s.payoneer_down_for(Duration::minutes(2));
    s.run().await;
    let reason = s.held_reason(&batch.id).await;
    assert!(reason.starts_with("Payoneer is not answering"), "{reason}");
    // Payoneer is back: the batch is resumed at once (its payment may be in doubt), and the
    // balance refusal holds it with Payoneer's reason instead of the outage's.
    s.run_after(Duration::minutes(2)).await;
    let reason = s.held_reason(&batch.id).await;
    assert!(reason.contains("Insufficient funds"), "{reason}");
    assert!(s.payoneer.ledger().is_empty());
    s.payoneer.set_balance("EUR", Decimal::new(1_000, 0));
    s.run().await;
    s.settle().await;
    let paid = s.desk().batch(&batch.id).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((paid.batch.status, paid.batch.paid), (BatchStatus::Completed, 1));
    assert_eq!(s.payoneer.duplicate_submissions(), 0);
}
