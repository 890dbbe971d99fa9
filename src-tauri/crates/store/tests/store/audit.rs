//! The audit log: appends, verification, and every kind of tampering an attacker with write
//! access to the database file (but not the key) could try.

use std::path::Path;

use paysync_store::{AuditError, AuditHead, NewAuditEntry, Store, StoreError};
use serde_json::json;
use sqlx::SqliteConnection;

use crate::common::{file_store, key, mem, other_key, raw, reopen, secs, t0};

fn entry(n: usize) -> NewAuditEntry {
    NewAuditEntry {
        actor: if n.is_multiple_of(2) { "alice" } else { "bob" }.to_owned(),
        action: "payout.approve".to_owned(),
        subject: format!("payout_batch:{n}"),
        details: json!({"n": n, "amount_minor": 100 * n, "currency": "EUR"}),
    }
}

fn expect_audit_error(result: paysync_store::Result<paysync_store::AuditVerification>) -> AuditError {
    match result {
        Err(StoreError::Audit(err)) => err,
        other => panic!("expected an audit error, got {other:?}"),
    }
}

/// A file store with `n` entries and a raw connection with the append-only triggers dropped.
async fn tamperable(n: usize) -> (crate::common::FileStore, SqliteConnection) {
    let fs = file_store().await;
    for i in 1..=n {
        fs.store
            .audit()
            .append(&entry(i), t0() + secs(i64::try_from(i).expect("small")))
            .await
            .expect("append");
    }
    assert_eq!(fs.store.audit().verify().await.expect("verify").entries, n as u64);
    let mut conn = raw(&fs.path).await;
    exec(&mut conn, "DROP TRIGGER audit_log_no_update").await;
    exec(&mut conn, "DROP TRIGGER audit_log_no_delete").await;
    (fs, conn)
}

async fn exec(conn: &mut SqliteConnection, sql: &'static str) {
    sqlx::query(sql)
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn append_chains_entries_and_anchors_the_head() {
    let store = mem().await;
    let log = store.audit();
    let empty = log.verify().await.expect("verify empty");
    assert_eq!((empty.entries, empty.head_seq), (0, 0));
    assert_eq!(empty.head_hash, paysync_store::audit::GENESIS_HASH);
    assert_eq!(log.head().await.expect("head"), None);

    let first = log.append(&entry(1), t0()).await.expect("append");
    let second = log.append(&entry(2), t0() + secs(1)).await.expect("append");
    assert_eq!((first.seq, second.seq), (1, 2));
    assert_eq!(first.prev_hash, paysync_store::audit::GENESIS_HASH);
    assert_eq!(second.prev_hash, first.hash);
    assert_eq!(second.hash.len(), 64);
    assert_eq!(log.head().await.expect("head"), Some((2, second.hash.clone())));

    let listed = log.list(10, 0).await.expect("list");
    assert_eq!(listed, vec![second.clone(), first]);
    let v = log.verify().await.expect("verify");
    assert_eq!((v.entries, v.head_seq, v.head_hash), (2, 2, second.hash.clone()));

    let many: Vec<_> = (3..=10).map(entry).collect();
    let last = log
        .append_many(&many, t0() + secs(2))
        .await
        .expect("append many")
        .expect("non-empty");
    assert_eq!(last.seq, 10);
    assert_eq!(log.append_many(&[], t0()).await.expect("empty batch"), None);
    assert_eq!(log.verify().await.expect("verify").entries, 10);

    let anchor = AuditHead {
        seq: 2,
        hash: second.hash,
    };
    assert_eq!(
        log.verify_anchored(&anchor)
            .await
            .expect("the log extends the anchor")
            .head_seq,
        10
    );
    assert!(matches!(
        log.append(
            &NewAuditEntry {
                actor: " ".into(),
                ..entry(1)
            },
            t0()
        )
        .await,
        Err(StoreError::Validation { field: "actor", .. })
    ));
}

#[tokio::test]
async fn any_text_round_trips_exactly_and_control_characters_are_refused() {
    let store = mem().await;
    let odd = NewAuditEntry {
        actor: "zoë@example.com".to_owned(),
        action: "dlq.replay".to_owned(),
        subject: "dead_letter:7 «€ 😀»".to_owned(),
        details: json!({"note": "line1\nline2\t\"quoted\" \\ \u{0} €😀", "n": -1.5e-3, "big": 9_007_199_254_740_993_u64}),
    };
    let written = store.audit().append(&odd, t0()).await.expect("append");
    let listed = store.audit().list(1, 0).await.expect("list");
    assert_eq!(listed, vec![written]);
    assert_eq!(listed[0].details, odd.details);
    assert_eq!(listed[0].subject, odd.subject);
    store.audit().verify().await.expect("verifies");

    for bad in ["alice\nINFO forged line", "bob\u{0}"] {
        let entry = NewAuditEntry {
            actor: bad.to_owned(),
            ..odd.clone()
        };
        assert!(matches!(
            store.audit().append(&entry, t0()).await,
            Err(StoreError::Validation { field: "actor", .. })
        ));
    }
}

#[tokio::test]
async fn the_database_refuses_updates_and_deletes() {
    let fs = file_store().await;
    fs.store.audit().append(&entry(1), t0()).await.expect("append");
    let mut conn = raw(&fs.path).await;
    assert!(
        sqlx::query("UPDATE audit_log SET actor = 'mallory'")
            .execute(&mut conn)
            .await
            .is_err()
    );
    assert!(
        sqlx::query("DELETE FROM audit_log")
            .execute(&mut conn)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_changed_field_is_detected() {
    for sql in [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3",
        "UPDATE audit_log SET details = '{\"n\":3,\"amount_minor\":999999,\"currency\":\"EUR\"}' WHERE seq = 3",
        "UPDATE audit_log SET at = at + 1 WHERE seq = 3",
        "UPDATE audit_log SET hash = replace(hash, substr(hash, 1, 1), 'f') WHERE seq = 3 AND substr(hash, 1, 1) <> 'f'",
    ] {
        let (fs, mut conn) = tamperable(5).await;
        let changed = sqlx::query(sql)
            .execute(&mut conn)
            .await
            .expect("tamper")
            .rows_affected();
        if changed == 0 {
            continue; // the hash already started with 'f'
        }
        let err = expect_audit_error(fs.store.audit().verify().await);
        assert!(
            matches!(
                err,
                AuditError::Tampered { seq: 3, .. } | AuditError::Tampered { seq: 4, .. }
            ),
            "{sql}: {err:?}"
        );
    }
}

#[tokio::test]
async fn a_deleted_middle_entry_is_detected() {
    let (fs, mut conn) = tamperable(5).await;
    exec(&mut conn, "DELETE FROM audit_log WHERE seq = 3").await;
    assert_eq!(
        expect_audit_error(fs.store.audit().verify().await),
        AuditError::Gap {
            expected: 3,
            found: 4
        }
    );
}

#[tokio::test]
async fn a_deleted_first_entry_is_detected() {
    let (fs, mut conn) = tamperable(3).await;
    exec(&mut conn, "DELETE FROM audit_log WHERE seq = 1").await;
    assert_eq!(
        expect_audit_error(fs.store.audit().verify().await),
        AuditError::Gap {
            expected: 1,
            found: 2
        }
    );
}

#[tokio::test]
async fn a_deleted_last_entry_is_detected_by_the_anchored_head() {
    let (fs, mut conn) = tamperable(5).await;
    exec(&mut conn, "DELETE FROM audit_log WHERE seq = 5").await;
    assert_eq!(
        expect_audit_error(fs.store.audit().verify().await),
        AuditError::Truncated {
            anchored_seq: 5,
            last_seq: 4
        }
    );
    // And the log refuses to grow from a truncated tail.
    assert!(matches!(
        fs.store.audit().append(&entry(6), t0()).await,
        Err(StoreError::Audit(AuditError::Truncated { .. }))
    ));
}

#[tokio::test]
async fn reordered_entries_are_detected() {
    let (fs, mut conn) = tamperable(5).await;
    exec(
        &mut conn,
        "UPDATE audit_log SET seq = seq + 1000 WHERE seq IN (2, 3)",
    )
    .await;
    exec(&mut conn, "UPDATE audit_log SET seq = 3 WHERE seq = 1002").await;
    exec(&mut conn, "UPDATE audit_log SET seq = 2 WHERE seq = 1003").await;
    let err = expect_audit_error(fs.store.audit().verify().await);
    assert!(matches!(err, AuditError::Tampered { seq: 2, .. }), "{err:?}");
}

#[tokio::test]
async fn a_truncated_tail_with_a_rewound_head_is_detected_without_the_key() {
    let (fs, mut conn) = tamperable(5).await;
    exec(&mut conn, "DELETE FROM audit_log WHERE seq > 3").await;
    // Point the anchor at entry 3, keeping the rest of the (authentic) head value: the attacker
    // can read entry 3's hash but cannot compute the head MAC without the key.
    exec(
        &mut conn,
        "UPDATE settings SET value = json_set(value, '$.seq', 3, '$.hash', (SELECT hash FROM audit_log WHERE seq = 3)) \
         WHERE key = 'audit.head'",
    )
    .await;
    let err = expect_audit_error(fs.store.audit().verify().await);
    assert!(matches!(err, AuditError::HeadTampered { .. }), "{err:?}");
}

#[tokio::test]
async fn a_deleted_head_is_detected() {
    let (fs, mut conn) = tamperable(2).await;
    exec(&mut conn, "DELETE FROM settings WHERE key = 'audit.head'").await;
    assert_eq!(
        expect_audit_error(fs.store.audit().verify().await),
        AuditError::MissingHead
    );
}

#[tokio::test]
async fn an_entry_appended_without_the_key_is_detected() {
    let (fs, mut conn) = tamperable(2).await;
    exec(
        &mut conn,
        "INSERT INTO audit_log (seq, at, actor, action, subject, details, prev_hash, hash) \
         SELECT 3, at, 'mallory', 'payout.approve', 'payout_batch:666', '{}', hash, hash FROM audit_log WHERE seq = 2",
    )
    .await;
    let err = expect_audit_error(fs.store.audit().verify().await);
    assert!(matches!(err, AuditError::Tampered { seq: 3, .. }), "{err:?}");
}

#[tokio::test]
async fn the_wrong_key_is_detected() {
    let fs = file_store().await;
    fs.store.audit().append(&entry(1), t0()).await.expect("append");
    fs.store.close().await;
    let store = reopen(&fs.path, other_key()).await.expect("opens");
    assert_eq!(
        expect_audit_error(store.audit().verify().await),
        AuditError::WrongKey
    );
    assert!(matches!(
        store.audit().append(&entry(2), t0()).await,
        Err(StoreError::Audit(AuditError::WrongKey))
    ));
}

fn copy_db(from: &Path, to: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let src = format!("{}{suffix}", from.display());
        let dst = format!("{}{suffix}", to.display());
        let _ = std::fs::remove_file(&dst);
        if Path::new(&src).exists() {
            std::fs::copy(&src, &dst).expect("copy");
        }
    }
}

#[tokio::test]
async fn a_rollback_to_an_older_copy_is_detected_against_the_external_anchor() {
    let fs = file_store().await;
    for i in 1..=3 {
        fs.store.audit().append(&entry(i), t0()).await.expect("append");
    }
    fs.store.close().await;
    let backup = fs.dir.path().join("backup.db");
    copy_db(&fs.path, &backup);

    let store = reopen(&fs.path, key()).await.expect("reopen");
    let last = store.audit().append(&entry(4), t0()).await.expect("append");
    let last = store
        .audit()
        .append(&entry(5), t0() + secs(1))
        .await
        .map(|_| last)
        .expect("append");
    let (seq, hash) = store.audit().head().await.expect("head").expect("non-empty");
    let anchor = AuditHead { seq, hash }; // what the engine keeps in the keychain
    assert_eq!(anchor.seq, last.seq + 1);
    store.audit().verify_anchored(&anchor).await.expect("consistent");
    store.close().await;

    copy_db(&backup, &fs.path);
    let rolled_back = reopen(&fs.path, key()).await.expect("reopen the old copy");
    assert_eq!(
        rolled_back
            .audit()
            .verify()
            .await
            .expect("internally consistent")
            .entries,
        3
    );
    assert_eq!(
        expect_audit_error(rolled_back.audit().verify_anchored(&anchor).await),
        AuditError::Truncated {
            anchored_seq: 5,
            last_seq: 3
        }
    );

    // A forked history (same length, different entries) does not match the anchor either.
    rolled_back
        .audit()
        .append(&entry(40), t0())
        .await
        .expect("append");
    rolled_back
        .audit()
        .append(&entry(50), t0())
        .await
        .expect("append");
    let err = expect_audit_error(rolled_back.audit().verify_anchored(&anchor).await);
    assert!(
        matches!(err, AuditError::HeadMismatch { expected_seq: 5, .. }),
        "{err:?}"
    );
}

/// Seeds 1,000,000 entries and times a full verification. Run in release:
/// `cargo test --release -p paysync-store --test store -- --ignored --nocapture verify_one_million`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: seeds 1M entries; run in release"]
async fn verify_one_million_entries() {
    let fs = file_store().await;
    let started = std::time::Instant::now();
    let chunk: Vec<_> = (0..100_000).map(entry).collect();
    for i in 0..10 {
        fs.store
            .audit()
            .append_many(&chunk, t0() + secs(i))
            .await
            .expect("seed");
    }
    let seeded = started.elapsed();
    let started = std::time::Instant::now();
    let v = fs.store.audit().verify().await.expect("verify");
    let verified = started.elapsed();
    assert_eq!(v.entries, 1_000_000);
    eprintln!("audit bench: seeded 1,000,000 entries in {seeded:?}; verified in {verified:?}");
    assert!(
        verified < std::time::Duration::from_secs(5),
        "verification took {verified:?}"
    );
}

#[tokio::test]
async fn verification_sees_one_snapshot_while_others_append() {
    let fs = file_store().await;
    let store: Store = fs.store.clone();
    let seed: Vec<_> = (0..2_000).map(entry).collect();
    store.audit().append_many(&seed, t0()).await.expect("seed");
    let writer = {
        let store = store.clone();
        tokio::spawn(async move {
            for i in 0..50 {
                store.audit().append(&entry(i), t0()).await.expect("append");
            }
        })
    };
    for _ in 0..5 {
        store
            .audit()
            .verify()
            .await
            .expect("a consistent snapshot verifies");
    }
    writer.await.expect("writer");
    assert_eq!(store.audit().verify().await.expect("verify").entries, 2_050);
}

#[tokio::test]
async fn tampering_past_the_first_block_is_detected() {
    let (fs, mut conn) = tamperable(2_100).await;
    exec(
        &mut conn,
        "UPDATE audit_log SET subject = 'payout_batch:0' WHERE seq = 2049",
    )
    .await;
    assert!(matches!(
        expect_audit_error(fs.store.audit().verify().await),
        AuditError::Tampered { seq: 2049, .. }
    ));
    exec(&mut conn, "DELETE FROM audit_log WHERE seq = 1025").await;
    assert_eq!(
        expect_audit_error(fs.store.audit().verify().await),
        AuditError::Gap {
            expected: 1025,
            found: 1026
        }
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// Any single-field change to any entry is reported as tampering of exactly that entry.
    #[test]
    fn any_single_field_change_is_detected(seq in 1_i64..=30, column in 0_usize..7) {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async {
            let (fs, mut conn) = tamperable(30).await;
            let sql: &'static str = [
                "UPDATE audit_log SET actor = actor || 'x' WHERE seq = ?",
                "UPDATE audit_log SET action = 'payout.reject' WHERE seq = ?",
                "UPDATE audit_log SET subject = subject || '0' WHERE seq = ?",
                "UPDATE audit_log SET details = json_set(details, '$.amount_minor', 1) WHERE seq = ?",
                "UPDATE audit_log SET at = at - 1 WHERE seq = ?",
                "UPDATE audit_log SET prev_hash = hash WHERE seq = ?",
                "UPDATE audit_log SET hash = prev_hash WHERE seq = ?",
            ][column];
            sqlx::query(sql).bind(seq).execute(&mut conn).await.expect("tamper");
            let err = expect_audit_error(fs.store.audit().verify().await);
            assert!(matches!(err, AuditError::Tampered { seq: s, .. } if s == seq), "{sql} @ {seq}: {err:?}");
        });
    }
}

#[tokio::test]
async fn the_console_page_filters_sorts_and_counts_on_the_engine_side() {
    use paysync_store::{AuditFilter, AuditSort, AuditSortColumn};
    let store = mem().await;
    for i in 1..=30 {
        let mut e = entry(i);
        if i % 3 == 0 {
            e.action = "dead_letter.replay".to_owned();
        }
        if i == 7 {
            e.subject = "payout_batch:100%_done".to_owned();
        }
        store
            .audit()
            .append(&e, t0() + secs(i64::try_from(i).expect("small")))
            .await
            .expect("append");
    }
    let audit = store.audit();
    let all = audit
        .page(&AuditFilter::default(), AuditSort::default(), 10, 0)
        .await
        .expect("page");
    assert_eq!(all.total, 30);
    assert_eq!(
        all.items.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );
    let newest = AuditSort {
        column: AuditSortColumn::Seq,
        descending: true,
    };
    let page2 = audit
        .page(&AuditFilter::default(), newest, 10, 10)
        .await
        .expect("page 2");
    assert_eq!(page2.items.first().map(|e| e.seq), Some(20));

    let alice_replays = AuditFilter {
        actor: Some("alice".into()),
        action_prefix: Some("dead_letter.".into()),
        subject_contains: None,
    };
    let found = audit
        .page(&alice_replays, newest, 100, 0)
        .await
        .expect("filtered");
    // Even and divisible by 3: 6, 12, 18, 24, 30.
    assert_eq!(found.total, 5);
    assert_eq!(
        found.items.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![30, 24, 18, 12, 6]
    );

    // LIKE wildcards in user text match literally.
    let literal = AuditFilter {
        subject_contains: Some("100%_".into()),
        ..AuditFilter::default()
    };
    let hit = audit.page(&literal, newest, 100, 0).await.expect("literal");
    assert_eq!(hit.items.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![7]);

    let by_actor = AuditSort {
        column: AuditSortColumn::Actor,
        descending: true,
    };
    let sorted = audit
        .page(&AuditFilter::default(), by_actor, 30, 0)
        .await
        .expect("by actor");
    assert_eq!(sorted.items.first().map(|e| e.actor.as_str()), Some("bob"));
    assert_eq!(sorted.items.last().map(|e| e.actor.as_str()), Some("alice"));
    // Ties fall back to newest first.
    assert_eq!(sorted.items.first().map(|e| e.seq), Some(29));
}
