//! Object versions: monotonic per-object state, committed with the inbox events it consumed.

use paysync_store::{AppliedVersion, NewInboxEvent};
use serde_json::json;

use crate::common::{mem, t0};

fn applied(id: &str, version: i64, deleted: bool) -> AppliedVersion {
    AppliedVersion {
        object_type: "customer".to_owned(),
        object_id: id.to_owned(),
        version,
        event_id: format!("evt_{version}"),
        deleted,
        target_id: Some("001A".to_owned()),
    }
}

#[tokio::test]
async fn versions_only_move_forward_and_tombstones_stay() {
    let store = mem().await;
    let now = t0();
    let versions = store.object_versions();
    versions
        .commit("stripe", &[applied("cus_1", 20, false)], &[], now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    versions
        .commit("stripe", &[applied("cus_1", 10, false)], &[], now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = versions.get("stripe", "customer", "cus_1").await.ok().flatten();
    assert_eq!(
        got.map(|v| v.version),
        Some(20),
        "an older state does not replace a newer one"
    );

    versions
        .commit("stripe", &[applied("cus_1", 30, true)], &[], now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    versions
        .commit("stripe", &[applied("cus_1", 40, false)], &[], now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let got = versions.get("stripe", "customer", "cus_1").await.ok().flatten();
    assert_eq!(got.as_ref().map(|v| (v.version, v.deleted)), Some((30, true)));
    assert_eq!(got.and_then(|v| v.target_id).as_deref(), Some("001A"));

    let many = versions
        .get_many(
            "stripe",
            &[
                ("customer".to_owned(), "cus_1".to_owned()),
                ("customer".to_owned(), "cus_2".to_owned()),
            ],
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(many.len(), 1);
    assert!(
        versions
            .get("checkout", "customer", "cus_1")
            .await
            .ok()
            .flatten()
            .is_none()
    );
}

#[tokio::test]
async fn commit_marks_the_events_processed_with_the_versions() {
    let store = mem().await;
    let now = t0();
    let events: Vec<NewInboxEvent> = (0..3)
        .map(|i| NewInboxEvent::from_value(format!("evt_{i}"), "customer.updated", &json!({"i": i})))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .inbox()
        .record_many("stripe", &events, now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store
        .inbox()
        .record_many("checkout", &events, now)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.inbox().count_unprocessed("stripe").await.ok(), Some(3));
    store
        .object_versions()
        .commit(
            "stripe",
            &[applied("cus_1", 1, false)],
            &["evt_0".to_owned(), "evt_2".to_owned()],
            now,
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let left = store
        .inbox()
        .unprocessed_from("stripe", 0, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        left.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(),
        ["evt_1"]
    );
    assert_eq!(store.inbox().count_unprocessed("checkout").await.ok(), Some(3));
    let after = store
        .inbox()
        .unprocessed_from("stripe", left[0].id, 10)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(after.is_empty(), "paging goes past the last id read");
}
