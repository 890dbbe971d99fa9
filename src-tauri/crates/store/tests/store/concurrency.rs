//! Concurrent workers on one file never lease the same job twice.

use std::collections::HashSet;

use crate::common::{file_store, job, kinds, secs, t0};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_workers_never_lease_the_same_job_twice() {
    let fs = file_store().await;
    let jobs: Vec<_> = (0..300).map(|i| job("work", &format!("conc-{i}"))).collect();
    fs.store.jobs().enqueue_many(&jobs, t0()).await.expect("seed");

    let mut workers = Vec::new();
    for w in 0..4 {
        let store = fs.store.clone();
        workers.push(tokio::spawn(async move {
            let owner = format!("worker-{w}");
            let mut mine = Vec::new();
            loop {
                let leased = store
                    .jobs()
                    .lease(&owner, &kinds(&["work"]), 7, secs(60), t0())
                    .await
                    .expect("lease");
                if leased.is_empty() {
                    break;
                }
                for l in leased {
                    assert!(
                        store
                            .jobs()
                            .complete(l.job.id, &owner, l.attempt_no, None, t0())
                            .await
                            .expect("complete")
                    );
                    mine.push(l.job.id);
                }
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.expect("worker"));
    }
    let unique: HashSet<_> = all.iter().copied().collect();
    assert_eq!(all.len(), 300, "every job leased exactly once");
    assert_eq!(unique.len(), 300, "no job leased twice");
    let counts = fs.store.jobs().counts().await.expect("counts");
    assert_eq!((counts.succeeded, counts.pending, counts.running), (300, 0, 0));
}
