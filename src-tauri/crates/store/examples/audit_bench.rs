//! Seeds an audit log (if the database is new) and times full verifications.
//!
//! `cargo run --release -p paysync-store --example audit_bench -- [DB_PATH] [ENTRIES]`
//! (defaults: a temporary file, 1,000,000 entries). The target is < 5 s per million entries.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use paysync_store::{AuditKey, NewAuditEntry, Store, StoreOptions};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let temp = tempfile::tempdir()?;
    let path = args
        .next()
        .map_or_else(|| temp.path().join("audit-bench.db"), Into::into);
    let entries: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(1_000_000);
    let now = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or("bad date")?;
    let store = Store::open(StoreOptions::new(&path, AuditKey::new(vec![0x5a; 32])?)).await?;

    let existing = store.audit().head().await?.map_or(0, |(seq, _)| seq);
    if existing == 0 {
        let started = Instant::now();
        let batch: Vec<_> = (0..100_000)
            .map(|n| NewAuditEntry {
                actor: format!("user-{}", n % 7),
                action: "payout.approve".to_owned(),
                subject: format!("payout_batch:{n}"),
                details: json!({"n": n, "amount_minor": 100 * n, "currency": "EUR"}),
            })
            .collect();
        let mut left = entries;
        while left > 0 {
            let take = left.min(batch.len());
            store.audit().append_many(&batch[..take], now).await?;
            left -= take;
        }
        eprintln!("seeded {entries} entries in {:?}", started.elapsed());
    }
    for _ in 0..3 {
        let started = Instant::now();
        let verified = store.audit().verify().await?;
        eprintln!("verified {} entries in {:?}", verified.entries, started.elapsed());
    }
    store.close().await;
    Ok(())
}
