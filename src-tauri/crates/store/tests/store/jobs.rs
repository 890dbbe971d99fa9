//! The job queue: enqueue, leasing, lease loss, retries, dead-lettering, reclaim, release, in doubt.

use paysync_core::ErrorClass;
use paysync_store::{
    AttemptOutcome, DeadLetterFilter, Enqueued, InDoubtResolution, JobStatus, NewJob, StoreError,
};
use serde_json::json;

use crate::common::{failure, job, kinds, mem, secs, t0};

fn keyed(kind: &str, idem: &str, concurrency_key: &str) -> NewJob {
    NewJob {
        concurrency_key: Some(concurrency_key.to_owned()),
        ..job(kind, idem)
    }
}

#[tokio::test]
async fn enqueue_dedupes_by_idempotency_key() {
    let store = mem().await;
    let q = store.jobs();
    let first = q.enqueue(&job("sf.upsert", "k1"), t0()).await.expect("enqueue");
    let Enqueued::Created(id) = first else {
        panic!("first enqueue creates: {first:?}")
    };

    let mut changed = job("sf.upsert", "k1");
    changed.payload = json!({"different": true});
    changed.run_at = t0() + secs(3600);
    let again = q.enqueue(&changed, t0() + secs(5)).await.expect("enqueue again");
    assert_eq!(again, Enqueued::Existing(id));

    let stored = q.get(id).await.expect("get").expect("exists");
    assert_eq!(stored.payload, job("sf.upsert", "k1").payload, "nothing changed");
    assert_eq!(stored.run_at, t0());
    assert_eq!(stored.status, JobStatus::Pending);
    assert_eq!(q.counts().await.expect("counts").pending, 1);
}

#[tokio::test]
async fn enqueue_validates_its_input() {
    let store = mem().await;
    let q = store.jobs();
    let bad = [
        (
            NewJob {
                kind: " ".into(),
                ..job("k", "a")
            },
            "kind",
        ),
        (
            NewJob {
                idempotency_key: String::new(),
                ..job("k", "a")
            },
            "idempotency_key",
        ),
        (
            NewJob {
                idempotency_key: "x".repeat(256),
                ..job("k", "a")
            },
            "idempotency_key",
        ),
        (
            NewJob {
                max_attempts: 0,
                ..job("k", "a")
            },
            "max_attempts",
        ),
        (
            NewJob {
                concurrency_key: Some(String::new()),
                ..job("k", "a")
            },
            "concurrency_key",
        ),
    ];
    for (job, field) in bad {
        match q.enqueue(&job, t0()).await {
            Err(StoreError::Validation { field: f, .. }) => assert_eq!(f, field),
            other => panic!("expected a validation error on {field}, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn one_live_job_per_concurrency_key() {
    let store = mem().await;
    let q = store.jobs();
    let first = q
        .enqueue(&keyed("sf.upsert", "a", "Payment:1"), t0())
        .await
        .expect("enqueue")
        .id();

    match q.enqueue(&keyed("sf.upsert", "b", "Payment:1"), t0()).await {
        Err(StoreError::Conflict { what }) => {
            assert!(what.contains("sf.upsert") && what.contains("Payment:1"), "{what}");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // Another kind, or another key, is fine.
    q.enqueue(&keyed("payout.send", "c", "Payment:1"), t0())
        .await
        .expect("other kind");
    q.enqueue(&keyed("sf.upsert", "d", "Payment:2"), t0())
        .await
        .expect("other key");

    // Still blocked while running.
    let leased = q
        .lease("w1", &kinds(&["sf.upsert"]), 1, secs(30), t0())
        .await
        .expect("lease");
    assert_eq!(leased[0].job.id, first);
    assert!(
        q.enqueue(&keyed("sf.upsert", "b", "Payment:1"), t0())
            .await
            .is_err()
    );

    // Allowed again once the first finishes.
    assert!(
        q.complete(first, "w1", 1, None, t0() + secs(1))
            .await
            .expect("complete")
    );
    let second = q
        .enqueue(&keyed("sf.upsert", "b", "Payment:1"), t0() + secs(2))
        .await
        .expect("enqueue");
    assert!(matches!(second, Enqueued::Created(_)));
}

#[tokio::test]
async fn in_doubt_jobs_keep_their_concurrency_key() {
    let store = mem().await;
    let q = store.jobs();
    let id = q
        .enqueue(&keyed("payout.send", "p1", "Payout:9"), t0())
        .await
        .expect("enqueue")
        .id();
    q.lease("w", &kinds(&["payout.send"]), 1, secs(30), t0())
        .await
        .expect("lease");
    assert!(
        q.mark_in_doubt(id, "w", 1, &failure(ErrorClass::InDoubt, "timeout"), t0())
            .await
            .expect("in doubt")
    );
    assert!(matches!(
        q.enqueue(&keyed("payout.send", "p2", "Payout:9"), t0()).await,
        Err(StoreError::Conflict { .. })
    ));
}

#[tokio::test]
async fn enqueue_many_is_one_transaction() {
    let store = mem().await;
    let q = store.jobs();
    let out = q
        .enqueue_many(&[job("k", "m1"), job("k", "m2"), job("k", "m1")], t0())
        .await
        .expect("enqueue many");
    assert!(matches!(out[0], Enqueued::Created(_)));
    assert!(matches!(out[1], Enqueued::Created(_)));
    assert_eq!(out[2], Enqueued::Existing(out[0].id()));

    // A conflict anywhere rolls the whole batch back.
    let batch = [job("k", "m3"), keyed("k", "m4", "R:1"), keyed("k", "m5", "R:1")];
    assert!(matches!(
        q.enqueue_many(&batch, t0()).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(q.counts().await.expect("counts").pending, 2);
}

#[tokio::test]
async fn lease_takes_due_jobs_oldest_first_up_to_the_limit() {
    let store = mem().await;
    let q = store.jobs();
    let mut ids = Vec::new();
    for (i, offset) in [30, 10, 20, 0].into_iter().enumerate() {
        let j = NewJob {
            run_at: t0() + secs(offset),
            ..job("a", &format!("o{i}"))
        };
        ids.push(q.enqueue(&j, t0()).await.expect("enqueue").id());
    }
    q.enqueue(
        &NewJob {
            run_at: t0() + secs(3600),
            ..job("a", "future")
        },
        t0(),
    )
    .await
    .expect("future");
    q.enqueue(&job("b", "other-kind"), t0())
        .await
        .expect("other kind");

    let now = t0() + secs(60);
    let first = q
        .lease("w", &kinds(&["a"]), 3, secs(30), now)
        .await
        .expect("lease");
    let got: Vec<_> = first.iter().map(|l| l.job.id).collect();
    assert_eq!(got, vec![ids[3], ids[1], ids[2]], "by run_at");
    for l in &first {
        assert_eq!(l.attempt_no, 1);
        assert_eq!(l.owner, "w");
        assert_eq!(l.lease_expires_at, now + secs(30));
        assert_eq!(l.job.status, JobStatus::Running);
        assert_eq!(l.job.lease_owner.as_deref(), Some("w"));
        assert_eq!(
            l.job,
            q.get(l.job.id).await.expect("get").expect("exists"),
            "lease returns the stored row"
        );
        assert_eq!(
            (
                l.job.concurrency_key.clone(),
                l.job.result.clone(),
                l.job.finished_at
            ),
            (None, None, None)
        );
        let attempts = q.attempts(l.job.id).await.expect("attempts");
        assert_eq!(attempts.len(), 1);
        assert_eq!(attempts[0].outcome, AttemptOutcome::Running);
        assert_eq!(attempts[0].started_at, now);
    }
    let second = q
        .lease("w", &kinds(&["a"]), 10, secs(30), now)
        .await
        .expect("lease");
    assert_eq!(
        second.iter().map(|l| l.job.id).collect::<Vec<_>>(),
        vec![ids[0]],
        "the future job is not due"
    );
    assert!(
        q.lease("w", &kinds(&["a"]), 10, secs(30), now)
            .await
            .expect("lease")
            .is_empty()
    );
    assert!(
        q.lease("w", &[], 10, secs(30), now)
            .await
            .expect("no kinds")
            .is_empty()
    );
    assert_eq!(
        q.lease("w", &kinds(&["a", "b"]), 10, secs(30), now)
            .await
            .expect("lease")
            .len(),
        1
    );
    assert!(matches!(
        q.lease("w", &kinds(&["a"]), 1, secs(0), now).await,
        Err(StoreError::Validation {
            field: "lease_for",
            ..
        })
    ));
    assert_eq!(q.next_run_at().await.expect("next"), Some(t0() + secs(3600)));
}

#[tokio::test]
async fn a_lost_lease_cannot_report() {
    let store = mem().await;
    let q = store.jobs();
    let id = q.enqueue(&job("a", "lost"), t0()).await.expect("enqueue").id();
    let leased = q
        .lease("w1", &kinds(&["a"]), 1, secs(30), t0())
        .await
        .expect("lease")
        .remove(0);
    let before = q.get(id).await.expect("get").expect("exists");
    let f = failure(ErrorClass::Retriable, "timeout");

    assert!(
        !q.complete(id, "w2", leased.attempt_no, None, t0())
            .await
            .expect("wrong owner")
    );
    assert!(
        !q.complete(id, "w1", leased.attempt_no + 1, None, t0())
            .await
            .expect("wrong attempt")
    );
    assert!(
        !q.retry_later(id, "w2", 1, &f, t0() + secs(5), t0())
            .await
            .expect("wrong owner")
    );
    assert_eq!(
        q.dead_letter(id, "w2", 1, &f, t0()).await.expect("wrong owner"),
        None
    );
    assert!(!q.mark_in_doubt(id, "w2", 1, &f, t0()).await.expect("wrong owner"));
    assert!(
        !q.extend_lease(id, "w2", secs(60), t0())
            .await
            .expect("wrong owner")
    );
    assert_eq!(
        q.get(id).await.expect("get").expect("exists"),
        before,
        "nothing changed"
    );
    assert_eq!(
        q.attempts(id).await.expect("attempts")[0].outcome,
        AttemptOutcome::Running
    );

    // Reclaimed and re-leased by w2: w1's late report is refused.
    q.reclaim_expired(t0() + secs(31)).await.expect("reclaim");
    let again = q
        .lease("w2", &kinds(&["a"]), 1, secs(30), t0() + secs(31))
        .await
        .expect("lease")
        .remove(0);
    assert_eq!(again.attempt_no, 2);
    assert!(
        !q.complete(id, "w1", 1, None, t0() + secs(32))
            .await
            .expect("stale")
    );
    assert!(
        q.complete(id, "w2", 2, Some(&json!({"sf_id": "a01"})), t0() + secs(33))
            .await
            .expect("complete")
    );
    let done = q.get(id).await.expect("get").expect("exists");
    assert_eq!(done.status, JobStatus::Succeeded);
    assert_eq!(done.result, Some(json!({"sf_id": "a01"})));
    assert_eq!(done.finished_at, Some(t0() + secs(33)));
    assert_eq!(done.lease_owner, None);
    assert!(
        !q.complete(id, "w2", 2, None, t0() + secs(34))
            .await
            .expect("twice"),
        "already succeeded"
    );
}

#[tokio::test]
async fn extend_lease_moves_the_expiry() {
    let store = mem().await;
    let q = store.jobs();
    let id = q.enqueue(&job("a", "hb"), t0()).await.expect("enqueue").id();
    q.lease("w", &kinds(&["a"]), 1, secs(30), t0())
        .await
        .expect("lease");
    assert!(
        q.extend_lease(id, "w", secs(60), t0() + secs(20))
            .await
            .expect("extend")
    );
    assert_eq!(
        q.get(id).await.expect("get").expect("exists").lease_expires_at,
        Some(t0() + secs(80))
    );
    assert!(
        q.reclaim_expired(t0() + secs(70))
            .await
            .expect("reclaim")
            .is_empty()
    );
    assert_eq!(q.running_past_lease(t0() + secs(81)).await.expect("count"), 1);
}

#[tokio::test]
async fn retry_later_reschedules_and_records_the_attempt() {
    let store = mem().await;
    let q = store.jobs();
    let id = q.enqueue(&job("a", "retry"), t0()).await.expect("enqueue").id();
    q.lease("w", &kinds(&["a"]), 1, secs(30), t0())
        .await
        .expect("lease");
    let f = failure(ErrorClass::Retriable, "rate_limited");
    let retry_at = t0() + secs(120);
    assert!(
        q.retry_later(id, "w", 1, &f, retry_at, t0() + secs(1))
            .await
            .expect("retry")
    );

    let j = q.get(id).await.expect("get").expect("exists");
    assert_eq!(j.status, JobStatus::Pending);
    assert_eq!(j.run_at, retry_at);
    assert_eq!(j.attempts, 1);
    assert_eq!(j.lease_owner, None);
    assert_eq!(j.last_error.as_deref(), Some("rate_limited happened"));
    assert_eq!(j.last_error_class, Some(ErrorClass::Retriable));
    assert_eq!(j.last_error_code.as_deref(), Some("rate_limited"));

    let a = q.attempts(id).await.expect("attempts");
    assert_eq!(a.len(), 1);
    assert_eq!(a[0].outcome, AttemptOutcome::Retry);
    assert_eq!(a[0].retry_at, Some(retry_at));
    assert_eq!(a[0].finished_at, Some(t0() + secs(1)));
    assert_eq!(a[0].error_code.as_deref(), Some("rate_limited"));
    assert_eq!(a[0].error_class, Some(ErrorClass::Retriable));

    assert!(
        q.lease("w", &kinds(&["a"]), 1, secs(30), t0() + secs(60))
            .await
            .expect("lease")
            .is_empty()
    );
    let again = q
        .lease("w", &kinds(&["a"]), 1, secs(30), retry_at)
        .await
        .expect("lease");
    assert_eq!(again[0].attempt_no, 2);
}

#[tokio::test]
async fn dead_letter_keeps_the_full_payload_and_every_attempt() {
    let store = mem().await;
    let q = store.jobs();
    let new = job("sf.upsert", "dl");
    let id = q.enqueue(&new, t0()).await.expect("enqueue").id();
    for n in 1..=2_u32 {
        let at = t0() + secs(i64::from(n) * 100);
        q.lease("w", &kinds(&["sf.upsert"]), 1, secs(30), at)
            .await
            .expect("lease");
        let f = failure(ErrorClass::Retriable, "unable_to_lock_row");
        assert!(
            q.retry_later(id, "w", n, &f, at + secs(10), at + secs(1))
                .await
                .expect("retry")
        );
    }
    q.lease("w", &kinds(&["sf.upsert"]), 1, secs(30), t0() + secs(300))
        .await
        .expect("lease");
    let terminal = failure(ErrorClass::Terminal, "validation");
    let dl_id = q
        .dead_letter(id, "w", 3, &terminal, t0() + secs(301))
        .await
        .expect("dead letter")
        .expect("lease held");

    let j = q.get(id).await.expect("get").expect("exists");
    assert_eq!(j.status, JobStatus::Dead);
    assert_eq!(j.finished_at, Some(t0() + secs(301)));

    let dl = store
        .dead_letters()
        .get(dl_id)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(dl.job_id, id);
    assert_eq!(dl.kind, "sf.upsert");
    assert_eq!(dl.payload, new.payload);
    assert_eq!(dl.idempotency_key, "dl");
    assert_eq!(dl.error_class, ErrorClass::Terminal);
    assert_eq!(dl.error_code, "validation");
    assert_eq!(dl.job_created_at, t0());
    assert_eq!(dl.first_failed_at, t0() + secs(101));
    assert_eq!(dl.created_at, t0() + secs(301));
    let outcomes: Vec<_> = dl.attempts.iter().map(|a| (a.attempt_no, a.outcome)).collect();
    assert_eq!(
        outcomes,
        vec![
            (1, AttemptOutcome::Retry),
            (2, AttemptOutcome::Retry),
            (3, AttemptOutcome::Dead)
        ]
    );
    assert_eq!(dl.attempts, q.attempts(id).await.expect("attempts"));
    assert_eq!(
        store.dead_letters().open_summary().await.expect("summary"),
        (1, Some(t0() + secs(301)))
    );
}

#[tokio::test]
async fn reclaim_requeues_safe_jobs_and_never_reruns_unsafe_ones() {
    let store = mem().await;
    let q = store.jobs();
    let safe = q.enqueue(&job("a", "safe"), t0()).await.expect("enqueue").id();
    let unsafe_job = NewJob {
        replay_safe: false,
        ..job("a", "unsafe")
    };
    let unsafe_id = q.enqueue(&unsafe_job, t0()).await.expect("enqueue").id();
    let exhausted = NewJob {
        max_attempts: 1,
        ..job("a", "exhausted")
    };
    let exhausted_id = q.enqueue(&exhausted, t0()).await.expect("enqueue").id();
    let fresh = q.enqueue(&job("a", "fresh"), t0()).await.expect("enqueue").id();

    assert_eq!(
        q.lease("w", &kinds(&["a"]), 3, secs(30), t0())
            .await
            .expect("lease")
            .len(),
        3
    );
    q.lease("w2", &kinds(&["a"]), 1, secs(300), t0())
        .await
        .expect("lease the fresh one longer");
    assert_eq!(q.running_past_lease(t0() + secs(31)).await.expect("count"), 3);

    let now = t0() + secs(31);
    let r = q.reclaim_expired(now).await.expect("reclaim");
    assert_eq!(r.requeued, vec![safe]);
    assert_eq!(r.in_doubt, vec![unsafe_id]);
    assert_eq!(r.dead_lettered, vec![exhausted_id]);
    assert_eq!(q.running_past_lease(now).await.expect("count"), 0);

    let s = q.get(safe).await.expect("get").expect("exists");
    assert_eq!((s.status, s.run_at, s.attempts), (JobStatus::Pending, now, 1));
    let u = q.get(unsafe_id).await.expect("get").expect("exists");
    assert_eq!(u.status, JobStatus::InDoubt);
    assert_eq!(u.last_error_class, Some(ErrorClass::InDoubt));
    assert_eq!(u.last_error_code.as_deref(), Some("lease_expired"));
    assert_eq!(
        q.get(exhausted_id).await.expect("get").expect("exists").status,
        JobStatus::Dead
    );
    assert_eq!(
        q.get(fresh).await.expect("get").expect("exists").status,
        JobStatus::Running
    );

    for id in [safe, unsafe_id, exhausted_id] {
        let a = q.attempts(id).await.expect("attempts");
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].outcome, AttemptOutcome::LeaseExpired);
        assert_eq!(a[0].finished_at, Some(now));
    }
    let dls = store
        .dead_letters()
        .list(&DeadLetterFilter::default(), 10, 0)
        .await
        .expect("list");
    assert_eq!(dls.total, 1);
    assert_eq!(dls.items[0].job_id, exhausted_id);
    assert_eq!(dls.items[0].error_class, ErrorClass::Retriable);
    assert_eq!(dls.items[0].error_code, "lease_expired");

    // The in-doubt job is never leased again by itself.
    let later = q
        .lease("w", &kinds(&["a"]), 10, secs(30), now + secs(1000))
        .await
        .expect("lease");
    assert_eq!(later.iter().map(|l| l.job.id).collect::<Vec<_>>(), vec![safe]);
}

#[tokio::test]
async fn release_hands_jobs_back_without_counting_the_attempt() {
    let store = mem().await;
    let q = store.jobs();
    let a = q.enqueue(&job("a", "r1"), t0()).await.expect("enqueue").id();
    let b = q
        .enqueue(&job("a", "r2"), t0() + secs(1))
        .await
        .expect("enqueue")
        .id();
    let c = q
        .enqueue(&job("a", "r3"), t0() + secs(2))
        .await
        .expect("enqueue")
        .id();
    q.lease("w1", &kinds(&["a"]), 2, secs(30), t0() + secs(5))
        .await
        .expect("lease");
    q.lease("w2", &kinds(&["a"]), 1, secs(30), t0() + secs(5))
        .await
        .expect("lease");

    assert_eq!(q.release("w1", t0() + secs(6)).await.expect("release"), 2);
    for id in [a, b] {
        let j = q.get(id).await.expect("get").expect("exists");
        assert_eq!(
            (j.status, j.attempts, j.lease_owner.clone()),
            (JobStatus::Pending, 0, None)
        );
        let attempts = q.attempts(id).await.expect("attempts");
        assert_eq!(attempts[0].outcome, AttemptOutcome::Released);
    }
    assert_eq!(
        q.get(c).await.expect("get").expect("exists").status,
        JobStatus::Running,
        "w2's job untouched"
    );

    // Leasing again reuses attempt number 1; the released attempt stays in the history.
    let again = q
        .lease("w3", &kinds(&["a"]), 1, secs(30), t0() + secs(7))
        .await
        .expect("lease");
    assert_eq!((again[0].job.id, again[0].attempt_no), (a, 1));
    let history = q.attempts(a).await.expect("attempts");
    assert_eq!(
        history
            .iter()
            .map(|x| (x.attempt_no, x.outcome))
            .collect::<Vec<_>>(),
        vec![(1, AttemptOutcome::Released), (1, AttemptOutcome::Running)]
    );
}

#[tokio::test]
async fn in_doubt_jobs_are_resolved_once_and_audited() {
    let store = mem().await;
    let q = store.jobs();
    let mut ids = Vec::new();
    for i in 0..3 {
        let id = q
            .enqueue(
                &NewJob {
                    replay_safe: false,
                    ..job("payout.send", &format!("d{i}"))
                },
                t0(),
            )
            .await;
        ids.push(id.expect("enqueue").id());
    }
    q.lease("w", &kinds(&["payout.send"]), 3, secs(30), t0())
        .await
        .expect("lease");
    let r = q.reclaim_expired(t0() + secs(60)).await.expect("reclaim");
    assert_eq!(r.in_doubt, ids);

    let now = t0() + secs(120);
    q.resolve_in_doubt(
        ids[0],
        InDoubtResolution::Succeeded {
            result: Some(json!({"payout": "po_1"})),
        },
        "ops",
        now,
    )
    .await
    .expect("succeeded");
    q.resolve_in_doubt(ids[1], InDoubtResolution::Requeue, "system:status-query", now)
        .await
        .expect("requeue");
    let f = failure(ErrorClass::Terminal, "payout_failed");
    q.resolve_in_doubt(ids[2], InDoubtResolution::DeadLetter(f), "ops", now)
        .await
        .expect("dead letter");

    let s = q.get(ids[0]).await.expect("get").expect("exists");
    assert_eq!(
        (s.status, s.result.clone()),
        (JobStatus::Succeeded, Some(json!({"payout": "po_1"})))
    );
    let p = q.get(ids[1]).await.expect("get").expect("exists");
    assert_eq!((p.status, p.run_at), (JobStatus::Pending, now));
    assert_eq!(
        q.get(ids[2]).await.expect("get").expect("exists").status,
        JobStatus::Dead
    );
    let dl = store
        .dead_letters()
        .list(&DeadLetterFilter::default(), 10, 0)
        .await
        .expect("list");
    assert_eq!(dl.items[0].error_code, "payout_failed");
    assert_eq!(
        dl.items[0].attempts.last().map(|a| a.outcome),
        Some(AttemptOutcome::LeaseExpired)
    );

    // Only from in_doubt.
    assert!(matches!(
        q.resolve_in_doubt(ids[0], InDoubtResolution::Requeue, "ops", now)
            .await,
        Err(StoreError::InvalidState { .. })
    ));
    assert!(matches!(
        q.resolve_in_doubt(999, InDoubtResolution::Requeue, "ops", now)
            .await,
        Err(StoreError::NotFound { what: "job", .. })
    ));

    let entries = store.audit().list(10, 0).await.expect("audit");
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e.action == "job.resolve_in_doubt"));
    assert_eq!(entries[2].subject, format!("job:{}", ids[0]));
    assert_eq!(entries[2].details["resolution"], "succeeded");
    assert_eq!(entries[0].details["resolution"], "dead_letter");
    assert_eq!(store.audit().verify().await.expect("verify").entries, 3);
}

#[tokio::test]
async fn counts_and_list() {
    let store = mem().await;
    let q = store.jobs();
    for i in 0..5 {
        q.enqueue(&job("a", &format!("c{i}")), t0())
            .await
            .expect("enqueue");
    }
    let leased = q
        .lease("w", &kinds(&["a"]), 2, secs(30), t0())
        .await
        .expect("lease");
    q.complete(leased[0].job.id, "w", 1, None, t0())
        .await
        .expect("complete");
    let counts = q.counts().await.expect("counts");
    assert_eq!(
        (counts.pending, counts.running, counts.succeeded, counts.dead),
        (3, 1, 1, 0)
    );

    let pending = q.list(Some(JobStatus::Pending), 10, 0).await.expect("list");
    assert_eq!(pending.len(), 3);
    assert!(pending.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert_eq!(q.list(None, 2, 0).await.expect("list").len(), 2);
    assert_eq!(q.list(None, 10, 4).await.expect("list").len(), 1);
    assert_eq!(q.next_run_at().await.expect("next"), Some(t0()));
    assert_eq!(q.get(12345).await.expect("get"), None);
}
