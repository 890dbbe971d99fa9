//! Shared fixtures: keys, a fixed clock origin, stores, jobs, raw connections for tampering.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};
use paysync_core::ErrorClass;
use paysync_store::{AuditKey, JobFailure, NewJob, Store, StoreOptions};
use serde_json::json;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};
use tempfile::TempDir;

pub fn key() -> AuditKey {
    AuditKey::new(vec![0x5a; 32]).expect("a 32-byte key is accepted")
}

pub fn other_key() -> AuditKey {
    AuditKey::new(vec![0xa5; 48]).expect("a 48-byte key is accepted")
}

/// 2026-01-01T00:00:00Z.
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date")
}

pub fn secs(n: i64) -> Duration {
    Duration::seconds(n)
}

pub async fn mem() -> Store {
    Store::open_in_memory(key()).await.expect("in-memory store opens")
}

/// A file-backed store in its own temp dir (kept alive by the returned guard).
pub struct FileStore {
    pub dir: TempDir,
    pub path: PathBuf,
    pub store: Store,
}

pub async fn file_store() -> FileStore {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("paysync.db");
    let store = Store::open(StoreOptions::new(&path, key()))
        .await
        .expect("file store opens");
    FileStore { dir, path, store }
}

pub async fn reopen(path: &Path, key: AuditKey) -> paysync_store::Result<Store> {
    Store::open(StoreOptions::new(path, key)).await
}

/// A raw connection that bypasses the store (to tamper with the file as an attacker would).
pub async fn raw(path: &Path) -> SqliteConnection {
    SqliteConnection::connect_with(&SqliteConnectOptions::new().filename(path))
        .await
        .expect("raw connection")
}

pub fn job(kind: &str, idempotency_key: &str) -> NewJob {
    NewJob {
        kind: kind.to_owned(),
        payload: json!({ "key": idempotency_key, "amount_minor": 1250, "currency": "EUR" }),
        idempotency_key: idempotency_key.to_owned(),
        concurrency_key: None,
        max_attempts: 3,
        run_at: t0(),
        replay_safe: true,
    }
}

pub fn kinds(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

pub fn failure(class: ErrorClass, code: &str) -> JobFailure {
    JobFailure::new(class, code, format!("{code} happened"))
}
