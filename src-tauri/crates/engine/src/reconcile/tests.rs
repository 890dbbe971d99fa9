//! Reading each side's objects into matching records: minor units per currency, signs, statuses,
//! the ids that link them, and refusals that name the record and the field.

use paysync_core::reconcile::{RecordKind, Status};
use serde_json::{Map, Value, json};

use super::{pull_salesforce, pull_stripe};

fn map(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

#[test]
fn a_stripe_charge_keeps_its_gross_its_fee_and_what_links_it() {
    let charge = json!({
        "id": "ch_1", "object": "charge", "amount": 12_550, "currency": "eur", "status": "succeeded",
        "created": 1_763_800_000, "customer": "cus_9", "invoice": "in_4",
        "metadata": {"order_id": "SO-17"},
        "balance_transaction": {"id": "txn_1", "fee": 392, "net": 12_158, "currency": "eur"}
    });
    let r = pull_stripe::charge_record(&charge).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (r.amount_minor, r.fee_minor, r.currency.code()),
        (12_550, 392, "EUR")
    );
    assert_eq!(r.kind, RecordKind::Charge);
    assert_eq!(r.status, Status::Succeeded);
    assert_eq!(r.reference.as_deref(), Some("SO-17"));
    assert_eq!(r.counterparty.as_deref(), Some("cus_9"));
    assert_eq!(r.part_of.iter().map(|p| p.as_str()).collect::<Vec<_>>(), ["in_4"]);
    // Zero-decimal currencies are whole units at Stripe and in ISO alike.
    let yen = json!({"id": "ch_2", "amount": 5_000, "currency": "jpy", "status": "failed", "created": 1_763_800_000});
    let r = pull_stripe::charge_record(&yen).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((r.amount_minor, r.status), (5_000, Status::Failed));
    // A refund is money given back.
    let refund = json!({"id": "re_1", "amount": 500, "currency": "usd", "status": "succeeded", "created": 1_763_800_000});
    let r = pull_stripe::refund_record(&refund).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((r.amount_minor, r.kind), (-500, RecordKind::Refund));
    let broken = json!({"id": "ch_3", "amount": 5, "currency": "zzz", "created": 1});
    let e = pull_stripe::charge_record(&broken).err().unwrap_or_default();
    assert!(e.contains("ch_3") && e.contains("currency"), "{e}");
}

#[test]
fn salesforce_records_are_read_exactly_or_refused_naming_the_field() {
    let payment = map(json!({
        "Id": "a02X", "Amount__c": 125.5, "Currency__c": "EUR", "Fee__c": 3.92, "Status__c": "Completed",
        "Paid_At__c": "2026-11-20T10:00:00.000+0000", "Stripe_Charge_Id__c": "ch_1",
        "Account__r": {"Stripe_Customer_Id__c": "cus_9"}
    }));
    let r = pull_salesforce::payment_record(&payment).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((r.amount_minor, r.fee_minor), (12_550, 392));
    assert_eq!(r.keys.iter().map(|k| k.as_str()).collect::<Vec<_>>(), ["ch_1"]);
    assert_eq!(r.counterparty.as_deref(), Some("cus_9"));
    assert_eq!(r.date.to_string(), "2026-11-20");

    let too_precise = map(
        json!({"Id": "a02Y", "Amount__c": 10.005, "Currency__c": "EUR", "Paid_At__c": "2026-11-20T10:00:00Z"}),
    );
    let e = pull_salesforce::payment_record(&too_precise)
        .err()
        .unwrap_or_default();
    assert!(e.starts_with("Payment__c a02Y: Amount__c: 10.005 EUR"), "{e}");

    let refund = map(
        json!({"Id": "a06R", "Amount__c": 5, "Currency__c": "USD", "Status__c": "succeeded",
                            "CreatedDate": "2026-11-20T10:00:00.000+0000", "Stripe_Refund_Id__c": "re_1"}),
    );
    let r = pull_salesforce::refund_record(&refund).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.amount_minor, -500);

    let transaction = map(json!({
        "Id": "a04T", "Amount__c": 100, "Currency__c": "USD", "Fee__c": 1.5, "Target_Amount__c": 92.1,
        "Target_Currency__c": "EUR", "Status__c": "Completed", "CreatedDate": "2026-11-20T10:00:00.000+0000",
        "Paysync_Key__c": "pb_1-7"
    }));
    let r = pull_salesforce::transaction_record(&transaction).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (r.amount_minor, r.fee_minor, r.status),
        (10_000, 150, Status::Succeeded)
    );
    assert_eq!(
        r.fx.map(|f| (f.currency.code(), f.amount_minor)),
        Some(("EUR", 9_210))
    );
    assert_eq!(r.keys.iter().map(|k| k.as_str()).collect::<Vec<_>>(), ["pb_1-7"]);
}

#[test]
fn disputes_read_the_same_way_on_both_sides() {
    let stripe = json!({"id": "dp_1", "amount": 2_000, "currency": "eur", "status": "needs_response",
                        "charge": "ch_1", "created": 1_763_800_000});
    let p = pull_stripe::dispute_record(&stripe).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (p.amount_minor, p.kind, p.status),
        (-2_000, RecordKind::Dispute, Status::Pending)
    );
    let sf = map(
        json!({"Id": "a07D", "Amount__c": 20, "Currency__c": "EUR", "Status__c": "needs_response",
                        "CreatedDate": "2026-11-22T08:00:00.000+0000", "Stripe_Dispute_Id__c": "dp_1"}),
    );
    let s = pull_salesforce::dispute_record(&sf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.amount_minor, s.status), (-2_000, Status::Pending));
    assert_eq!(s.keys.iter().map(|k| k.as_str()).collect::<Vec<_>>(), ["dp_1"]);
    assert_eq!(pull_stripe::dispute_status(Some("lost")), Status::Succeeded);
    assert_eq!(pull_stripe::dispute_status(Some("won")), Status::Cancelled);
}

#[test]
fn invoices_and_payment_requests_read_the_same_way_on_both_sides() {
    let stripe = json!({"id": "in_1", "object": "invoice", "amount_due": 4_900, "amount_paid": 4_900,
                        "currency": "usd", "status": "paid", "number": "INV-0042", "customer": "cus_1",
                        "created": 1_763_800_000});
    let p = pull_stripe::invoice_record(&stripe).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (p.amount_minor, p.kind, p.status),
        (4_900, RecordKind::Invoice, Status::Succeeded)
    );
    assert_eq!(p.counterparty.as_deref(), Some("cus_1"));
    let sf = map(
        json!({"Id": "a01I", "Amount_Due__c": 49, "Currency__c": "USD", "Status__c": "open",
                        "CreatedDate": "2026-11-22T08:00:00.000+0000", "Stripe_Invoice_Id__c": "in_1",
                        "Account__r": {"Stripe_Customer_Id__c": "cus_1"}}),
    );
    let s = pull_salesforce::invoice_record(&sf).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.amount_minor, s.status), (4_900, Status::Pending));
    assert_eq!(s.keys.iter().map(|k| k.as_str()).collect::<Vec<_>>(), ["in_1"]);
    assert_eq!(pull_stripe::invoice_status(Some("void")), Status::Cancelled);
    assert_eq!(pull_stripe::invoice_status(Some("uncollectible")), Status::Failed);

    let request = map(
        json!({"Id": "a03R", "Amount__c": 125.5, "Currency__c": "EUR", "Status__c": "Paid",
                             "Payout_Id__c": "po_9", "LastModifiedDate": "2026-11-22T08:00:00.000+0000",
                             "Contact__r": {"Payoneer_Payee_Id__c": "payee-1"}}),
    );
    let r = pull_salesforce::request_record(&request).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        (r.amount_minor, r.kind, r.status),
        (12_550, RecordKind::PaymentRequest, Status::Succeeded)
    );
    assert_eq!(r.counterparty.as_deref(), Some("payee-1"));
    let no_amount = map(json!({"Id": "a03S", "Currency__c": "EUR", "Status__c": "Batched",
                               "LastModifiedDate": "2026-11-22T08:00:00.000+0000"}));
    let e = pull_salesforce::request_record(&no_amount)
        .err()
        .unwrap_or_default();
    assert_eq!(e, "Payment_Request__c a03S: Amount__c: no amount");
}

mod fixes {
    use std::sync::Arc;

    use chrono::NaiveDate;
    use paysync_core::reconcile::{Record, RecordKind, Source};
    use paysync_core::{Currency, ManualClock, SharedClock};
    use paysync_store::{AuditKey, NewReconInput, NewReconResult, ReconSide, ResultCategory, Store};
    use serde_json::json;

    use crate::EngineError;
    use crate::flows::testing::salesforce_executor;
    use crate::reconcile::{ReconDesk, ReconcileOptions, Reconciler};

    fn record(id: &str, source: Source, kind: RecordKind, keys: &[&str]) -> Record {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap_or_default();
        let mut r = Record::new(
            id,
            source,
            kind,
            Currency::from_code("EUR").unwrap_or_else(|e| panic!("{e}")),
            1_000,
            day,
        );
        for k in keys {
            r = r.with_key(*k);
        }
        r
    }

    async fn desk_with(results: &[(&str, &[&str], &[&str])]) -> (ReconDesk, Vec<i64>) {
        let key = AuditKey::new(vec![7; 32]).unwrap_or_else(|e| panic!("key: {e}"));
        let store = Store::open_in_memory(key)
            .await
            .unwrap_or_else(|e| panic!("store: {e}"));
        let clock: SharedClock = Arc::new(ManualClock::at_fixed_origin());
        let recon = store.reconciliation();
        let save = |side, r: &Record| {
            (
                side,
                NewReconInput {
                    source: "stripe".to_owned(),
                    id: r.id.to_string(),
                    day: "2026-11-20".to_owned(),
                    currency: "EUR".to_owned(),
                    record: serde_json::to_value(r).unwrap_or_default(),
                },
            )
        };
        let charge = record("ch_1", Source::Stripe, RecordKind::Charge, &[]);
        let linked = record("a02L", Source::Salesforce, RecordKind::Payment, &["ch_1"]);
        let unlinked = record("a02U", Source::Salesforce, RecordKind::Payment, &[]);
        for (side, input) in [
            save(ReconSide::Provider, &charge),
            save(ReconSide::Salesforce, &linked),
            save(ReconSide::Salesforce, &unlinked),
        ] {
            recon
                .save_inputs(side, &[input], clock.now())
                .await
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let run = recon
            .start_run("2026-11-20", "2026-11-20", "tester", clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let rows: Vec<NewReconResult> = results
            .iter()
            .map(|(kind, p, s)| NewReconResult {
                category: ResultCategory::Exception,
                kind: (*kind).to_owned(),
                currency: "EUR".to_owned(),
                provider_ids: p.iter().map(|x| (*x).to_owned()).collect(),
                salesforce_ids: s.iter().map(|x| (*x).to_owned()).collect(),
                reason: (*kind).to_owned(),
                breakdown: None,
            })
            .collect();
        recon
            .finish_run(run, &json!({}), &rows, clock.now())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        // In the order they were given (the page is ordered for people).
        let mut ids: Vec<i64> = recon
            .results(run, None, None, 100, 0)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|r| r.id)
            .collect();
        ids.sort_unstable();
        // Nothing listens there: a fix that got as far as calling would fail loudly.
        let salesforce = salesforce_executor("http://127.0.0.1:9", "token", Arc::clone(&clock));
        let reconciler = Reconciler::new(None, salesforce, ReconcileOptions::default());
        (ReconDesk::new(reconciler, store, clock), ids)
    }

    fn refusal(result: Result<crate::reconcile::FixReport, EngineError>) -> String {
        match result {
            Err(e) => e.to_string(),
            Ok(report) => panic!("fixed: {report:?}"),
        }
    }

    #[tokio::test]
    async fn a_fix_is_refused_with_why_when_a_write_would_not_fix_it() {
        let (desk, ids) = desk_with(&[
            ("amount_mismatch", &["ch_1"], &["a02U"]),
            ("missing_at_provider", &[], &["a02U"]),
            ("duplicate", &[], &["a02U"]),
            ("missing_in_salesforce", &["ch_1"], &[]),
            ("amount_mismatch", &["ch_1"], &["a02L"]),
        ])
        .await;
        let why = refusal(desk.fix(ids[0], "005A", None).await);
        assert!(
            why.contains("a02U does not carry ch_1") && why.contains("second record"),
            "{why}"
        );
        let why = refusal(desk.fix(ids[1], "005A", None).await);
        assert!(why.contains("never moves money"), "{why}");
        let why = refusal(desk.fix(ids[2], "005A", None).await);
        assert!(why.contains("second booking"), "{why}");
        // Linked or missing, but Stripe is not connected: nothing queued, still open.
        for id in [ids[3], ids[4]] {
            let why = refusal(desk.fix(id, "005A", None).await);
            assert!(why.contains("Stripe is not connected"), "{why}");
        }
        let open = desk
            .results(
                desk.show(None).await.unwrap_or_else(|e| panic!("{e}")).run.id,
                None,
                None,
                10,
                0,
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(open.iter().all(|r| r.resolution.is_none()));
    }
}
