//! Sync runs: one live run per flow, lease expiry, finishing.

use paysync_store::{RunCounts, RunOutcome, RunTrigger, StoreError};

use crate::common::{file_store, mem, secs, t0};

#[tokio::test]
async fn one_live_run_per_flow() {
    let store = mem().await;
    let runs = store.runs();
    let first = runs
        .try_start("stripe→sf", RunTrigger::Schedule, "proc-a", secs(60), t0())
        .await
        .expect("start");
    let first = first.expect("nothing live yet");
    assert_eq!(
        runs.try_start(
            "stripe→sf",
            RunTrigger::Manual,
            "proc-b",
            secs(60),
            t0() + secs(1)
        )
        .await
        .expect("start"),
        None
    );
    assert_eq!(
        runs.try_start(
            "stripe→sf",
            RunTrigger::Manual,
            "proc-a",
            secs(60),
            t0() + secs(1)
        )
        .await
        .expect("start"),
        None
    );
    let other = runs
        .try_start("checkout→sf", RunTrigger::Startup, "proc-b", secs(60), t0())
        .await
        .expect("start");
    assert!(other.is_some(), "other flows are independent");

    assert!(
        runs.heartbeat(first, "proc-a", secs(60), t0() + secs(50))
            .await
            .expect("heartbeat")
    );
    assert!(
        !runs
            .heartbeat(first, "proc-b", secs(60), t0() + secs(50))
            .await
            .expect("not the owner")
    );
    assert_eq!(
        runs.try_start(
            "stripe→sf",
            RunTrigger::Manual,
            "proc-b",
            secs(60),
            t0() + secs(100)
        )
        .await
        .expect("start"),
        None,
        "renewed"
    );

    let counts = RunCounts {
        read: 10,
        written: 8,
        failed: 1,
        skipped: 1,
    };
    assert!(
        runs.finish(
            first,
            RunOutcome::Partial,
            &counts,
            Some("1 record in the DLQ"),
            t0() + secs(105)
        )
        .await
        .expect("finish")
    );
    assert!(
        !runs
            .finish(first, RunOutcome::Succeeded, &counts, None, t0() + secs(106))
            .await
            .expect("already finished")
    );
    assert!(matches!(
        runs.finish(424_242, RunOutcome::Succeeded, &counts, None, t0())
            .await,
        Err(StoreError::NotFound { what: "run", .. })
    ));
    let done = runs.get(first).await.expect("get").expect("exists");
    assert_eq!(done.outcome, Some(RunOutcome::Partial));
    assert_eq!(done.counts, counts);
    assert_eq!(done.finished_at, Some(t0() + secs(105)));
    assert_eq!(done.trigger, RunTrigger::Schedule);

    let second = runs
        .try_start(
            "stripe→sf",
            RunTrigger::Manual,
            "proc-b",
            secs(60),
            t0() + secs(106),
        )
        .await
        .expect("start");
    assert!(second.is_some(), "free again once finished");
}

#[tokio::test]
async fn an_expired_run_is_abandoned_then_replaced() {
    let store = mem().await;
    let runs = store.runs();
    let stale = runs
        .try_start("f", RunTrigger::Schedule, "crashed", secs(30), t0())
        .await
        .expect("start")
        .expect("started");
    let fresh = runs
        .try_start("f", RunTrigger::Schedule, "healthy", secs(30), t0() + secs(31))
        .await
        .expect("start");
    let fresh = fresh.expect("the expired run does not block");
    assert_ne!(fresh, stale);

    let old = runs.get(stale).await.expect("get").expect("exists");
    assert_eq!(old.outcome, Some(RunOutcome::Abandoned));
    assert_eq!(old.finished_at, Some(t0() + secs(31)));
    assert!(old.error.as_deref().unwrap_or_default().contains("crashed"));
    assert!(
        !runs
            .heartbeat(stale, "crashed", secs(30), t0() + secs(32))
            .await
            .expect("heartbeat"),
        "stop working"
    );

    let recent = runs.recent(Some("f"), 10).await.expect("recent");
    assert_eq!(
        recent.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![fresh, stale]
    );
    assert_eq!(runs.recent(None, 1).await.expect("recent").len(), 1);

    runs.try_start("g", RunTrigger::Manual, "x", secs(30), t0())
        .await
        .expect("start");
    let latest = runs.latest_per_flow().await.expect("latest");
    assert_eq!(
        latest.iter().map(|r| (r.flow.as_str(), r.id)).collect::<Vec<_>>()[0],
        ("f", fresh)
    );
    assert_eq!(latest.len(), 2);
}

#[tokio::test]
async fn the_database_itself_refuses_two_live_runs_of_a_flow() {
    let fs = file_store().await;
    fs.store
        .runs()
        .try_start("f", RunTrigger::Schedule, "a", secs(30), t0())
        .await
        .expect("start");
    let mut conn = crate::common::raw(&fs.path).await;
    let second = sqlx::query(
        "INSERT INTO runs (flow, trigger, owner, lease_expires_at, started_at, counts) VALUES ('f', 'manual', 'b', 0, 0, '{}')",
    )
    .execute(&mut conn)
    .await;
    assert!(second.is_err(), "unique partial index on live runs");
}
