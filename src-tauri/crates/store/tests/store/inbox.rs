//! The inbox: dedupe by (source, event id) and atomic job creation.

use paysync_store::{Enqueued, InboxOutcome, NewJob, StoreError};
use serde_json::json;

use crate::common::{job, mem, secs, t0};

#[tokio::test]
async fn events_are_recorded_once_with_their_job() {
    let store = mem().await;
    let inbox = store.inbox();
    let body = json!({"id": "evt_1", "type": "charge.succeeded"});
    let outcome = inbox
        .record(
            "stripe",
            "evt_1",
            "charge.succeeded",
            &body,
            Some(&job("sf.upsert", "stripe:evt_1")),
            t0(),
        )
        .await
        .expect("record");
    let InboxOutcome::New {
        job: Some(Enqueued::Created(job_id)),
    } = outcome
    else {
        panic!("expected a new event with a new job, got {outcome:?}")
    };

    let dup = inbox
        .record(
            "stripe",
            "evt_1",
            "charge.succeeded",
            &body,
            Some(&job("sf.upsert", "stripe:evt_1:again")),
            t0(),
        )
        .await
        .expect("record again");
    assert_eq!(dup, InboxOutcome::Duplicate);
    assert_eq!(
        store.jobs().counts().await.expect("counts").pending,
        1,
        "the duplicate enqueued nothing"
    );

    // The same event id from another source is another event.
    let other = inbox
        .record("checkout", "evt_1", "payment_approved", &body, None, t0())
        .await
        .expect("record");
    assert_eq!(other, InboxOutcome::New { job: None });

    let event = inbox.get("stripe", "evt_1").await.expect("get").expect("exists");
    assert_eq!(
        (event.job_id, event.payload.clone(), event.processed_at),
        (Some(job_id), body, None)
    );

    let pending = inbox.unprocessed(10).await.expect("unprocessed");
    assert_eq!(pending.len(), 2);
    assert!(
        inbox
            .mark_processed("stripe", "evt_1", t0() + secs(1))
            .await
            .expect("mark")
    );
    assert!(
        inbox
            .mark_processed("stripe", "evt_1", t0() + secs(9))
            .await
            .expect("mark twice")
    );
    assert!(
        !inbox
            .mark_processed("stripe", "nope", t0())
            .await
            .expect("unknown")
    );
    let event = inbox.get("stripe", "evt_1").await.expect("get").expect("exists");
    assert_eq!(
        event.processed_at,
        Some(t0() + secs(1)),
        "the first processing time is kept"
    );
    assert_eq!(inbox.unprocessed(10).await.expect("unprocessed").len(), 1);
}

#[tokio::test]
async fn an_event_whose_job_cannot_be_enqueued_is_not_recorded() {
    let store = mem().await;
    let keyed = |k: &str| NewJob {
        concurrency_key: Some("Payment:1".into()),
        ..job("sf.upsert", k)
    };
    store
        .jobs()
        .enqueue(&keyed("first"), t0())
        .await
        .expect("enqueue");
    let outcome = store
        .inbox()
        .record(
            "stripe",
            "evt_2",
            "charge.updated",
            &json!({}),
            Some(&keyed("second")),
            t0(),
        )
        .await;
    assert!(matches!(outcome, Err(StoreError::Conflict { .. })), "{outcome:?}");
    assert_eq!(
        store.inbox().get("stripe", "evt_2").await.expect("get"),
        None,
        "rolled back with the job"
    );

    // An event whose job already exists (same idempotency key) links to it.
    let outcome = store
        .inbox()
        .record(
            "stripe",
            "evt_3",
            "charge.updated",
            &json!({}),
            Some(&keyed("first")),
            t0(),
        )
        .await;
    assert!(
        matches!(
            outcome,
            Ok(InboxOutcome::New {
                job: Some(Enqueued::Existing(_))
            })
        ),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_page_of_events_is_recorded_once_in_one_go() {
    let store = mem().await;
    let inbox = store.inbox();
    let event = |id: &str| {
        paysync_store::NewInboxEvent::from_value(id, "customer.updated", &json!({"id": id}))
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let first = inbox
        .record_many("stripe", &[event("evt_a"), event("evt_b"), event("evt_a")], t0())
        .await
        .expect("record page");
    assert_eq!(first, 2, "the repeat within the page is a duplicate");
    // An overlapping page (the poller re-reads a little before its cursor) adds only what is new.
    let second = inbox
        .record_many("stripe", &[event("evt_b"), event("evt_c")], t0())
        .await
        .expect("record overlap");
    assert_eq!(second, 1);
    let pending: Vec<String> = inbox
        .unprocessed(10)
        .await
        .expect("unprocessed")
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    assert_eq!(pending, ["evt_a", "evt_b", "evt_c"]);
    // An empty id refuses the whole page: nothing half-recorded.
    let refused = inbox
        .record_many("stripe", &[event("evt_d"), event("")], t0())
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Validation {
                field: "event_id",
                ..
            })
        ),
        "{refused:?}"
    );
    assert!(inbox.get("stripe", "evt_d").await.expect("get").is_none());
}
