//! The inbox: dedupe by (source, event id) and atomic job creation.

use paysync_store::{Enqueued, InboxOutcome, NewJob, StoreError};
use serde_json::json;

use crate::common::{file_store, job, key, mem, raw, reopen, secs, t0};

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

#[tokio::test]
async fn a_long_page_goes_in_whole_in_its_order_with_its_text_and_subjects() {
    let store = mem().await;
    let inbox = store.inbox();
    // 200 events cross every statement size (64, 64, 64, 8); each fourth one repeats an earlier
    // id, some within the same statement and some across statements.
    let mut page = Vec::new();
    let mut expected = Vec::new();
    for n in 0..200 {
        let id = if n % 4 == 3 {
            format!("evt_{}", n / 2)
        } else {
            format!("evt_{n}")
        };
        if !expected.contains(&id) {
            expected.push(id.clone());
        }
        let body = format!(
            r#"{{"id":"{id}", "type":"charge.refunded","data":{{"object":{{"id":"re_{n}","charge":"ch_{}"}}}}}}"#,
            n % 7
        );
        page.push(paysync_store::NewInboxEvent {
            event_id: id,
            event_type: "charge.refunded".to_owned(),
            payload: serde_json::value::RawValue::from_string(body).expect("json"),
            object_id: Some(format!("re_{n}")),
            payment_id: Some(format!("ch_{}", n % 7)),
        });
    }
    let new = inbox.record_many("stripe", &page, t0()).await.expect("record");
    assert_eq!(new, expected.len() as u64);
    let stored = inbox.unprocessed_from("stripe", 0, 500).await.expect("read");
    let ids: Vec<&str> = stored.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, expected);
    // The text is kept as it came, spacing included, and belongs to its first delivery.
    let first = stored.iter().find(|e| e.event_id == "evt_1").expect("evt_1");
    assert!(
        first.payload.get().starts_with(r#"{"id":"evt_1", "type""#),
        "{}",
        first.payload.get()
    );
    assert!(first.payload.get().contains(r#""id":"re_1""#));
    // The timeline finds a payment's events by the payment each names.
    let about = inbox.about_object("stripe", "ch_3", 500).await.expect("about");
    let firsts = page
        .iter()
        .enumerate()
        .filter(|(n, e)| n % 7 == 3 && page[..*n].iter().all(|p| p.event_id != e.event_id))
        .count();
    assert_eq!(about.len(), firsts);
    assert!(about.iter().all(|e| e.event_type == "charge.refunded"));
    let own = inbox.about_object("stripe", "re_8", 5).await.expect("about");
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].object_id.as_deref(), Some("re_8"));
}

#[tokio::test]
async fn events_stored_before_the_subject_columns_are_found_by_their_payment_after_the_upgrade() {
    let fs = file_store().await;
    fs.store.close().await;
    drop(fs.store);
    // Rebuild the file as the build before the columns left it: every earlier migration, then a
    // refund and a charge event recorded as that build recorded them.
    std::fs::remove_file(&fs.path).expect("remove");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let all = sqlx::migrate::Migrator::new(dir).await.expect("migrations");
    let earlier: Vec<_> = all
        .iter()
        .filter(|m| m.version < 20_261_129_000_000)
        .cloned()
        .collect();
    let old = sqlx::migrate::Migrator {
        migrations: std::borrow::Cow::Owned(earlier),
        ..sqlx::migrate::Migrator::DEFAULT
    };
    std::fs::File::create(&fs.path).expect("create");
    let mut conn = raw(&fs.path).await;
    old.run(&mut conn).await.expect("earlier migrations");
    for (id, kind, object) in [
        (
            "evt_1",
            "charge.succeeded",
            json!({"id": "ch_1", "object": "charge"}),
        ),
        (
            "evt_2",
            "charge.refunded",
            json!({"id": "re_1", "object": "refund", "charge": "ch_1"}),
        ),
        (
            "evt_3",
            "charge.dispute.created",
            json!({"id": "dp_1", "object": "dispute", "charge": {"id": "ch_1"}}),
        ),
    ] {
        let body = json!({"id": id, "type": kind, "created": 1, "data": {"object": object}});
        sqlx::query(
            "INSERT INTO inbox (source, event_id, event_type, payload, received_at) VALUES ('stripe', ?1, ?2, ?3, 0)",
        )
        .bind(id)
        .bind(kind)
        .bind(body.to_string())
        .execute(&mut conn)
        .await
        .expect("old insert");
    }
    drop(conn);
    let store = reopen(&fs.path, key()).await.expect("upgrades");
    let about: Vec<String> = store
        .inbox()
        .about_object("stripe", "ch_1", 10)
        .await
        .expect("about")
        .into_iter()
        .map(|e| e.event_id)
        .collect();
    // The dispute names its charge as an object, not an id: it is not the charge's by id.
    assert_eq!(about, ["evt_1", "evt_2"]);
}
