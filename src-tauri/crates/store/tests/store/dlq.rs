//! The dead-letter queue: replay, discard, listing, and that dead letters are never deleted.

use paysync_core::ErrorClass;
use paysync_store::{
    AttemptOutcome, DeadLetterFilter, DeadLetterStatus, JobStatus, NewJob, Store, StoreError,
};
use serde_json::json;

use crate::common::{failure, file_store, job, kinds, mem, raw, secs, t0};

/// Enqueues a job and runs it straight into the DLQ; returns (job id, dead letter id).
async fn dead(store: &Store, kind: &str, key: &str, code: &str) -> (i64, i64) {
    let q = store.jobs();
    let id = q
        .enqueue(
            &NewJob {
                max_attempts: 1,
                ..job(kind, key)
            },
            t0(),
        )
        .await
        .expect("enqueue")
        .id();
    let leased = q
        .lease("w", &kinds(&[kind]), 1, secs(30), t0())
        .await
        .expect("lease");
    assert_eq!(leased.len(), 1);
    let dl = q
        .dead_letter(id, "w", 1, &failure(ErrorClass::Terminal, code), t0() + secs(1))
        .await;
    (id, dl.expect("dead letter").expect("lease held"))
}

#[tokio::test]
async fn replay_keeps_the_key_and_starts_a_fresh_round() {
    let store = mem().await;
    let (job_id, dl_id) = dead(&store, "sf.upsert", "rk-1", "validation").await;
    let corrected =
        json!({"key": "rk-1", "amount_minor": 1250, "currency": "EUR", "email": "fixed@example.com"});

    let now = t0() + secs(600);
    let replayed = store
        .dead_letters()
        .replay(dl_id, Some(&corrected), "alice", now)
        .await
        .expect("replay");
    assert_eq!(replayed, job_id, "the same job row");

    let j = store.jobs().get(job_id).await.expect("get").expect("exists");
    assert_eq!(j.status, JobStatus::Pending);
    assert_eq!(j.attempts, 0);
    assert_eq!(j.replays, 1);
    assert_eq!(j.run_at, now);
    assert_eq!(j.idempotency_key, "rk-1");
    assert_eq!(j.payload, corrected);
    assert_eq!(j.finished_at, None);

    let dl = store
        .dead_letters()
        .get(dl_id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(dl.status, DeadLetterStatus::Replayed);
    assert_eq!(dl.resolved_by.as_deref(), Some("alice"));
    assert_eq!(dl.resolved_at, Some(now));
    assert_ne!(dl.payload, corrected, "the evidence keeps the original payload");

    let audit = store.audit().list(10, 0).await.expect("audit");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "dlq.replay");
    assert_eq!(audit[0].actor, "alice");
    assert_eq!(audit[0].subject, format!("dead_letter:{dl_id}"));
    assert_eq!(audit[0].details["corrected"], json!(true));
    assert_eq!(audit[0].details["idempotency_key"], json!("rk-1"));

    // Re-enqueueing the same key still finds the same job.
    assert_eq!(
        store
            .jobs()
            .enqueue(&job("sf.upsert", "rk-1"), now)
            .await
            .expect("enqueue")
            .id(),
        job_id
    );

    // The next attempt is number 1 of round 1; round 0 stays in the history.
    let leased = store
        .jobs()
        .lease("w", &kinds(&["sf.upsert"]), 1, secs(30), now)
        .await
        .expect("lease");
    assert_eq!(leased[0].attempt_no, 1);
    let history = store.jobs().attempts(job_id).await.expect("attempts");
    assert_eq!(
        history
            .iter()
            .map(|a| (a.round, a.attempt_no, a.outcome))
            .collect::<Vec<_>>(),
        vec![(0, 1, AttemptOutcome::Dead), (1, 1, AttemptOutcome::Running)]
    );

    // Only an open dead letter can be replayed or discarded.
    assert!(matches!(
        store.dead_letters().replay(dl_id, None, "alice", now).await,
        Err(StoreError::InvalidState { .. })
    ));
    assert!(matches!(
        store.dead_letters().discard(dl_id, "dup", "alice", now).await,
        Err(StoreError::InvalidState { .. })
    ));
    assert!(matches!(
        store.dead_letters().replay(9999, None, "alice", now).await,
        Err(StoreError::NotFound {
            what: "dead letter",
            ..
        })
    ));

    // Failing again opens a second dead letter with both rounds in its history.
    let f = failure(ErrorClass::Terminal, "validation");
    let second = store
        .jobs()
        .dead_letter(job_id, "w", 1, &f, now + secs(1))
        .await
        .expect("dl")
        .expect("held");
    let dl2 = store
        .dead_letters()
        .get(second)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(dl2.payload, corrected);
    assert_eq!(dl2.attempts.len(), 2);
    assert_eq!(
        dl2.first_failed_at,
        now + secs(1),
        "the failing round's first failure"
    );
    assert_eq!(dl2.job_created_at, t0());
    assert_eq!(store.audit().verify().await.expect("verify").entries, 1);
}

#[tokio::test]
async fn replay_without_correction_keeps_the_payload() {
    let store = mem().await;
    let (job_id, dl_id) = dead(&store, "k", "plain", "e").await;
    store
        .dead_letters()
        .replay(dl_id, None, "bob", t0() + secs(5))
        .await
        .expect("replay");
    assert_eq!(
        store
            .jobs()
            .get(job_id)
            .await
            .expect("get")
            .expect("exists")
            .payload,
        job("k", "plain").payload
    );
    let audit = store.audit().list(1, 0).await.expect("audit");
    assert_eq!(audit[0].details["corrected"], json!(false));
}

#[tokio::test]
async fn replay_refuses_to_create_a_second_live_job_for_a_record() {
    let store = mem().await;
    let q = store.jobs();
    let first = NewJob {
        max_attempts: 1,
        concurrency_key: Some("Payment:7".into()),
        ..job("k", "c1")
    };
    let id = q.enqueue(&first, t0()).await.expect("enqueue").id();
    q.lease("w", &kinds(&["k"]), 1, secs(30), t0())
        .await
        .expect("lease");
    let dl = q
        .dead_letter(id, "w", 1, &failure(ErrorClass::Terminal, "x"), t0())
        .await
        .expect("dl")
        .expect("held");
    let newer = NewJob {
        concurrency_key: Some("Payment:7".into()),
        ..job("k", "c2")
    };
    q.enqueue(&newer, t0())
        .await
        .expect("the record is free again once the first is dead");
    assert!(matches!(
        store.dead_letters().replay(dl, None, "ops", t0()).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(
        store
            .dead_letters()
            .get(dl)
            .await
            .expect("get")
            .expect("exists")
            .status,
        DeadLetterStatus::Open
    );
}

#[tokio::test]
async fn discard_needs_a_reason_and_cancels_the_job() {
    let store = mem().await;
    let (job_id, dl_id) = dead(&store, "k", "disc", "e").await;
    for reason in ["", "   "] {
        assert!(matches!(
            store.dead_letters().discard(dl_id, reason, "ops", t0()).await,
            Err(StoreError::Validation { field: "reason", .. })
        ));
    }
    store
        .dead_letters()
        .discard(dl_id, "  duplicate of a manual payment  ", "ops", t0() + secs(9))
        .await
        .expect("discard");
    let dl = store
        .dead_letters()
        .get(dl_id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(dl.status, DeadLetterStatus::Discarded);
    assert_eq!(
        dl.resolution_reason.as_deref(),
        Some("duplicate of a manual payment")
    );
    assert_eq!(
        store
            .jobs()
            .get(job_id)
            .await
            .expect("get")
            .expect("exists")
            .status,
        JobStatus::Cancelled
    );
    let audit = store.audit().list(10, 0).await.expect("audit");
    assert_eq!(audit[0].action, "dlq.discard");
    assert_eq!(audit[0].details["reason"], json!("duplicate of a manual payment"));
    assert_eq!(
        store.dead_letters().open_summary().await.expect("summary"),
        (0, None)
    );
}

#[tokio::test]
async fn list_filters_and_pages_newest_first() {
    let store = mem().await;
    let mut ids = Vec::new();
    for (i, (kind, code)) in [("a", "x"), ("a", "y"), ("b", "x"), ("a", "x")]
        .into_iter()
        .enumerate()
    {
        ids.push(dead(&store, kind, &format!("l{i}"), code).await.1);
    }
    store
        .dead_letters()
        .discard(ids[0], "noise", "ops", t0())
        .await
        .expect("discard");
    let dlq = store.dead_letters();

    let all = dlq.list(&DeadLetterFilter::default(), 2, 0).await.expect("list");
    assert_eq!(all.total, 4);
    assert_eq!(
        all.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![ids[3], ids[2]]
    );
    let page2 = dlq.list(&DeadLetterFilter::default(), 2, 2).await.expect("list");
    assert_eq!(
        page2.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![ids[1], ids[0]]
    );

    let open_a_x = DeadLetterFilter {
        status: Some(DeadLetterStatus::Open),
        kind: Some("a".into()),
        error_code: Some("x".into()),
        ..DeadLetterFilter::default()
    };
    let got = dlq.list(&open_a_x, 10, 0).await.expect("list");
    assert_eq!((got.total, got.items.len(), got.items[0].id), (1, 1, ids[3]));
    let (open, oldest) = dlq.open_summary().await.expect("summary");
    assert_eq!((open, oldest), (3, Some(t0() + secs(1))));
}

#[tokio::test]
async fn dead_letters_are_grouped_by_root_cause_largest_first() {
    let store = mem().await;
    let mut ids = Vec::new();
    for (i, (kind, code)) in [("a", "x"), ("a", "y"), ("b", "x"), ("a", "x"), ("a", "x")]
        .into_iter()
        .enumerate()
    {
        ids.push(dead(&store, kind, &format!("g{i}"), code).await.1);
    }
    store
        .dead_letters()
        .discard(ids[0], "noise", "ops", t0())
        .await
        .expect("discard");
    let dlq = store.dead_letters();
    let open = dlq
        .groups(Some(DeadLetterStatus::Open), 10)
        .await
        .expect("groups");
    let got: Vec<(&str, &str, u64)> = open
        .iter()
        .map(|g| (g.kind.as_str(), g.error_code.as_str(), g.count))
        .collect();
    assert_eq!(got, [("a", "x", 2), ("a", "y", 1), ("b", "x", 1)]);
    assert!(open[0].sample_message.contains('x'), "{:?}", open[0]);
    let all = dlq.groups(None, 10).await.expect("groups");
    assert_eq!(all[0].count, 3, "the discarded one counts in all");
    let discarded = dlq
        .groups(Some(DeadLetterStatus::Discarded), 10)
        .await
        .expect("groups");
    assert_eq!(discarded.len(), 1);
    assert_eq!(dlq.groups(None, 1).await.expect("groups").len(), 1, "limited");
}

#[tokio::test]
async fn dead_letters_are_never_deleted_nor_their_evidence_changed() {
    let fs = file_store().await;
    let (_, dl_id) = dead(&fs.store, "k", "nodelete", "e").await;
    let mut conn = raw(&fs.path).await;
    let delete = sqlx::query("DELETE FROM dead_letters").execute(&mut conn).await;
    assert!(delete.is_err(), "the database refuses to delete a dead letter");
    let rewrite = sqlx::query("UPDATE dead_letters SET payload = '{}'")
        .execute(&mut conn)
        .await;
    assert!(
        rewrite.is_err(),
        "the database refuses to change a dead letter's payload"
    );
    let delete_job = sqlx::query("DELETE FROM jobs").execute(&mut conn).await;
    assert!(
        delete_job.is_err(),
        "a dead-lettered job cannot be deleted from under its dead letter"
    );
    assert!(fs.store.dead_letters().get(dl_id).await.expect("get").is_some());
}

/// Parks a job of `kind` with `payload` at `t0 + at_secs`.
async fn dead_with(store: &Store, kind: &str, key: &str, payload: serde_json::Value, at_secs: i64) -> i64 {
    let q = store.jobs();
    let id = q
        .enqueue(
            &NewJob {
                max_attempts: 1,
                payload,
                ..job(kind, key)
            },
            t0(),
        )
        .await
        .expect("enqueue")
        .id();
    q.lease("w", &kinds(&[kind]), 1, secs(30), t0())
        .await
        .expect("lease");
    q.dead_letter(
        id,
        "w",
        1,
        &failure(ErrorClass::Terminal, "refused"),
        t0() + secs(at_secs),
    )
    .await
    .expect("dead letter")
    .expect("lease held")
}

#[tokio::test]
async fn failures_are_filtered_by_provider_object_and_age_in_lists_counts_and_groups() {
    let store = mem().await;
    let customer =
        json!({"event": {"id": "evt_1", "data": {"object": {"object": "customer", "id": "cus_1"}}}});
    let charge = json!({"event": {"id": "evt_2", "data": {"object": {"object": "charge", "id": "ch_1"}}}});
    let request = json!({"object": "Payment_Request__c", "request": {"Id": "a03000000000001"}});
    let account = json!({"account": {"Id": "001000000000001"}});
    let outcome = json!({"item_id": 4, "request_id": "a03000000000001", "state": "paid"});
    dead_with(&store, "stripe.salesforce.record", "f1", customer.clone(), 10).await;
    dead_with(&store, "stripe.salesforce.record", "f2", customer, 3_600 * 30).await;
    dead_with(&store, "stripe.salesforce.record", "f3", charge, 20).await;
    dead_with(&store, "payouts.request", "f4", request, 30).await;
    dead_with(&store, "salesforce.stripe.customer", "f5", account, 40).await;
    dead_with(&store, "payouts.outcome", "f6", outcome, 50).await;
    let dlq = store.dead_letters();
    let open = |f: DeadLetterFilter| DeadLetterFilter {
        status: Some(DeadLetterStatus::Open),
        ..f
    };
    let objects_of = |page: &paysync_store::Page<paysync_store::DeadLetter>| {
        page.items
            .iter()
            .map(|d| d.object.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };

    let customers = dlq
        .list(
            &open(DeadLetterFilter {
                object: Some("customer".into()),
                ..Default::default()
            }),
            10,
            0,
        )
        .await
        .expect("list");
    assert_eq!(
        (customers.total, objects_of(&customers)),
        (2, vec!["customer".to_owned(), "customer".to_owned()])
    );
    let all = dlq.list(&DeadLetterFilter::default(), 10, 0).await.expect("list");
    assert_eq!(
        objects_of(&all),
        [
            "customer",
            "Payment_Transaction__c",
            "Account",
            "Payment_Request__c",
            "charge",
            "customer"
        ]
    );

    // Payoneer's flows only.
    let payoneer = DeadLetterFilter {
        kinds: Some(vec!["payouts.request".into(), "payouts.outcome".into()]),
        ..Default::default()
    };
    let got = dlq.list(&open(payoneer.clone()), 10, 0).await.expect("list");
    assert_eq!(got.total, 2);
    let groups = dlq.groups_in(&open(payoneer), 10).await.expect("groups");
    assert_eq!(
        groups.iter().map(|g| g.kind.as_str()).collect::<Vec<_>>(),
        ["payouts.outcome", "payouts.request"]
    );

    // Age: older than a day, and the last hour, in the list (each index path) and the groups.
    let old = DeadLetterFilter {
        parked_before: Some(t0() + secs(3_600 * 24)),
        ..Default::default()
    };
    let recent = DeadLetterFilter {
        parked_from: Some(t0() + secs(3_600 * 29)),
        ..Default::default()
    };
    assert_eq!(dlq.list(&open(old.clone()), 10, 0).await.expect("list").total, 5);
    assert_eq!(dlq.list(&recent, 10, 0).await.expect("list").total, 1);
    let cause = DeadLetterFilter {
        kind: Some("stripe.salesforce.record".into()),
        error_code: Some("refused".into()),
        ..recent.clone()
    };
    let got = dlq.list(&open(cause), 10, 0).await.expect("list");
    assert_eq!((got.total, objects_of(&got)), (1, vec!["customer".to_owned()]));
    let groups = dlq.groups_in(&open(recent), 10).await.expect("groups");
    assert_eq!((groups.len(), groups[0].count), (1, 1));
    let groups = dlq.groups_in(&old, 10).await.expect("groups");
    assert_eq!(groups.iter().map(|g| g.count).sum::<u64>(), 5);

    // The object filter's choices, with counts.
    let objects = dlq.objects(DeadLetterStatus::Open).await.expect("objects");
    assert_eq!(
        objects,
        [
            ("Account".to_owned(), 1),
            ("Payment_Request__c".to_owned(), 1),
            ("Payment_Transaction__c".to_owned(), 1),
            ("charge".to_owned(), 1),
            ("customer".to_owned(), 2)
        ]
    );
}
