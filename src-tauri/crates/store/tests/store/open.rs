//! Opening: file permissions, pragmas, migrations and the downgrade guard.

use paysync_store::{Store, StoreError, StoreOptions};

use crate::common::{file_store, job, key, mem, raw, reopen, t0};

#[cfg(unix)]
#[tokio::test]
async fn database_wal_and_shm_are_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    let fs = file_store().await;
    for i in 0..20 {
        fs.store
            .jobs()
            .enqueue(&job("perm", &format!("perm-{i}")), t0())
            .await
            .expect("enqueue");
    }
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", fs.path.display());
        let mode = std::fs::metadata(&path)
            .unwrap_or_else(|e| panic!("{path} exists: {e}"))
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{path} has mode {:o}", mode & 0o777);
    }
}

#[cfg(unix)]
#[tokio::test]
async fn an_existing_world_readable_database_is_tightened() {
    use std::os::unix::fs::PermissionsExt;

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested").join("paysync.db");
    let store = reopen(&path, key()).await.expect("opens, creating the directory");
    store.close().await;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let store = reopen(&path, key()).await.expect("reopens");
    store
        .jobs()
        .enqueue(&job("perm", "again"), t0())
        .await
        .expect("enqueue");
    let mode = std::fs::metadata(&path).expect("exists").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let dir_mode = std::fs::metadata(path.parent().expect("parent"))
        .expect("dir")
        .permissions()
        .mode();
    assert_eq!(
        dir_mode & 0o077,
        0,
        "the created directory is owner-only: {:o}",
        dir_mode & 0o777
    );
}

#[tokio::test]
async fn pragmas_are_durable() {
    let fs = file_store().await;
    let p = fs.store.pragmas().await.expect("pragmas");
    assert_eq!(p.journal_mode, "wal");
    assert_eq!(p.synchronous, 2, "synchronous=FULL");
    assert!(p.foreign_keys);
    assert!(p.is_durable());

    let m = mem().await.pragmas().await.expect("pragmas");
    assert_eq!(m.synchronous, 2);
    assert!(m.foreign_keys);
}

#[tokio::test]
async fn data_survives_reopening() {
    let fs = file_store().await;
    let id = fs
        .store
        .jobs()
        .enqueue(&job("k", "survives"), t0())
        .await
        .expect("enqueue")
        .id();
    fs.store.close().await;
    let store = reopen(&fs.path, key())
        .await
        .expect("reopens (migrations already applied)");
    assert!(store.jobs().get(id).await.expect("get").is_some());
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_build_is_refused() {
    let fs = file_store().await;
    fs.store.close().await;
    let mut conn = raw(&fs.path).await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99991231235959, 'from the future', 1, x'00', 0)",
    )
    .execute(&mut conn)
    .await
    .expect("fake a future migration");
    drop(conn);

    match reopen(&fs.path, key()).await {
        Err(StoreError::SchemaTooNew { version }) => assert_eq!(version, 99_991_231_235_959),
        other => panic!("expected SchemaTooNew, got {other:?}"),
    }
}

#[tokio::test]
async fn a_short_audit_key_is_refused() {
    assert!(matches!(
        paysync_store::AuditKey::new(vec![1; 16]),
        Err(StoreError::Validation {
            field: "audit_key",
            ..
        })
    ));
    // And the options type carries the key without printing it.
    let opts = StoreOptions::new("x.db", key());
    assert!(format!("{opts:?}").contains("REDACTED"));
    let _ = Store::open_in_memory(key()).await.expect("opens");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_can_create_the_database_at_once() {
    for _ in 0..5 {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("paysync.db");
        let opens: Vec<_> = (0..3)
            .map(|_| {
                let path = path.clone();
                tokio::spawn(async move { reopen(&path, key()).await })
            })
            .collect();
        for open in opens {
            let store = open.await.expect("task").expect("every opener succeeds");
            store.jobs().counts().await.expect("usable");
        }
    }
}
