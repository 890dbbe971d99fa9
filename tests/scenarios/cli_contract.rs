//! The `paysync` command line as scripts use it: init, status, run, DLQ review, audit, exit codes,
//! and graceful shutdown of the daemon.

use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use paysync_tests::{run, run_json, start_daemon, write_fast_config};

fn fresh() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let dir = tmp.path().join("data");
    write_fast_config(&dir, 2);
    assert!(run(&dir, &["init"]).status.success());
    (tmp, dir)
}

/// Runs the daemon until the queue has no pending or running job, then stops it with SIGTERM.
fn drain(dir: &std::path::Path) {
    let mut child = start_daemon(dir);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let q = run_json(dir, &["status"])["queue"].clone();
        if q["pending"] == 0 && q["running"] == 0 {
            break;
        }
        assert!(Instant::now() < deadline, "queue did not drain: {q}");
        std::thread::sleep(Duration::from_millis(100));
    }
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
    kill(pid, Signal::SIGTERM).unwrap_or_else(|e| panic!("SIGTERM: {e}"));
    let status = child.wait().unwrap_or_else(|e| panic!("wait: {e}"));
    assert!(status.success(), "daemon exit: {status:?}");
}

#[test]
fn init_is_idempotent_and_private() {
    let (_tmp, dir) = fresh();
    let again = run_json(&dir, &["init"]);
    assert_eq!(again["config_created"], false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["paysync.db", "audit.key"] {
            let mode = std::fs::metadata(dir.join(f))
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            assert_eq!(mode, 0o600, "{f} must be owner-only");
        }
    }
}

#[test]
fn status_reports_flows_queue_and_dlq() {
    let (_tmp, dir) = fresh();
    let s = run_json(&dir, &["status"]);
    assert_eq!(s["queue"]["pending"], 0);
    assert_eq!(s["dead_letters"]["open"], 0);
    let flows = s["flows"].as_array().cloned().unwrap_or_default();
    assert!(
        flows
            .iter()
            .any(|f| f["name"] == "audit.verify" && f["schedule"] == "every 1d"),
        "{flows:?}"
    );
    let text = run(&dir, &["status"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("Dead letters: 0 open") && text.contains("audit.verify"),
        "{text}"
    );
}

#[test]
fn run_now_records_a_run() {
    let (_tmp, dir) = fresh();
    let summary = run_json(&dir, &["run", "audit.verify"]);
    assert_eq!(summary["outcome"], "succeeded");
    let s = run_json(&dir, &["status"]);
    let flow = s["flows"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["name"] == "audit.verify").cloned());
    assert_eq!(
        flow.map(|f| f["last_run"]["outcome"].clone()),
        Some(serde_json::json!("succeeded"))
    );
}

#[test]
fn pause_and_resume_a_flows_schedule() {
    let (_tmp, dir) = fresh();
    let paused_of = |dir: &std::path::Path| {
        let s = run_json(dir, &["status"]);
        s["flows"]
            .as_array()
            .and_then(|f| f.iter().find(|f| f["name"] == "audit.verify").cloned())
            .map(|f| (f["paused"].clone(), f["next_due"].is_null()))
    };
    assert_eq!(paused_of(&dir), Some((serde_json::json!(false), false)));
    assert_eq!(run_json(&dir, &["pause", "audit.verify"])["paused"], true);
    assert_eq!(paused_of(&dir), Some((serde_json::json!(true), true)));
    assert_eq!(run_json(&dir, &["resume", "audit.verify"])["paused"], false);
    assert_eq!(paused_of(&dir), Some((serde_json::json!(false), false)));
    assert_eq!(
        run(&dir, &["pause", "no.such.flow"]).status.code(),
        Some(4),
        "unknown flow"
    );
}

#[test]
fn exit_codes_are_documented_ones() {
    let (_tmp, dir) = fresh();
    assert_eq!(
        run(&dir, &["dlq", "show", "999"]).status.code(),
        Some(4),
        "not found"
    );
    assert_eq!(
        run(&dir, &["run", "no.such.flow"]).status.code(),
        Some(4),
        "unknown flow"
    );
    assert_eq!(run(&dir, &["frobnicate"]).status.code(), Some(2), "usage");
    std::fs::write(dir.join("paysync.toml"), "[engine]\nworkerz = 2\n").unwrap_or_else(|e| panic!("{e}"));
    let bad = run(&dir, &["status"]);
    assert_eq!(bad.status.code(), Some(5), "invalid config");
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("workerz"),
        "the error names the bad key"
    );
}

#[test]
fn dlq_review_discard_and_corrected_replay() {
    let (_tmp, dir) = fresh();
    let args = [
        "selftest",
        "enqueue",
        "--batch",
        "dlq",
        "--jobs",
        "10",
        "--fail-terminal",
        "3",
    ];
    assert_eq!(run_json(&dir, &args)["created"], 10);
    drain(&dir);

    let page = run_json(&dir, &["dlq", "list"]);
    assert_eq!(page["total"], 3);
    let ids: Vec<i64> = page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["id"].as_i64())
        .collect();
    let [first, second, third] = ids[..] else {
        panic!("expected three entries: {page}")
    };

    let shown = run_json(&dir, &["dlq", "show", &first.to_string()]);
    assert_eq!(shown["error_code"], "selftest_terminal");
    assert_eq!(shown["payload"]["fail"], "terminal", "the full payload is kept");
    assert_eq!(shown["attempts"].as_array().map(Vec::len), Some(1));

    let empty_reason = run(&dir, &["dlq", "discard", &first.to_string(), "--reason", "  "]);
    assert_eq!(empty_reason.status.code(), Some(5), "a discard needs a reason");
    assert!(
        run(
            &dir,
            &[
                "dlq",
                "discard",
                &first.to_string(),
                "--reason",
                "duplicate of an earlier request"
            ]
        )
        .status
        .success()
    );

    // Replay as-is fails again; replay with a corrected payload succeeds.
    let corrected = dir.join("fixed.json");
    std::fs::write(&corrected, r#"{"work_ms":0,"fail":null}"#).unwrap_or_else(|e| panic!("{e}"));
    let replayed = run_json(
        &dir,
        &[
            "dlq",
            "replay",
            &second.to_string(),
            "--payload-file",
            corrected.to_str().unwrap_or_default(),
        ],
    );
    assert!(replayed["job_id"].as_i64().is_some());
    assert!(run(&dir, &["dlq", "replay", &third.to_string()]).status.success());
    assert_eq!(
        run(&dir, &["dlq", "replay", &second.to_string()]).status.code(),
        Some(5),
        "already replayed"
    );
    drain(&dir);

    let open = run_json(&dir, &["dlq", "list"]);
    assert_eq!(
        open["total"], 1,
        "only the uncorrected replay failed again: {open}"
    );
    let discarded = run_json(&dir, &["dlq", "list", "--status", "discarded"]);
    assert_eq!(
        discarded["items"][0]["resolution_reason"],
        "duplicate of an earlier request"
    );

    let audit = run_json(&dir, &["audit", "list"]);
    let actions: Vec<&str> = audit
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"dlq.discard") && actions.contains(&"dlq.replay"),
        "{actions:?}"
    );
    assert!(run(&dir, &["audit", "verify"]).status.success());
}

#[test]
fn dlq_groups_are_listed_replayed_and_discarded_whole() {
    let (_tmp, dir) = fresh();
    let args = [
        "selftest",
        "enqueue",
        "--batch",
        "groups",
        "--jobs",
        "12",
        "--fail-terminal",
        "5",
    ];
    assert_eq!(run_json(&dir, &args)["created"], 12);
    drain(&dir);

    let groups = run_json(&dir, &["dlq", "list", "--group"]);
    let group = groups
        .as_array()
        .and_then(|g| g.first())
        .cloned()
        .unwrap_or_else(|| panic!("no group: {groups}"));
    assert_eq!(group["count"], 5, "{groups}");
    assert_eq!(group["error_code"], "selftest_terminal");
    let kind = group["kind"].as_str().unwrap_or_default().to_owned();

    // Narrowed by age and provider: all five were parked just now, by a local (selftest) flow.
    let total = |args: &[&str]| run_json(&dir, &[&["dlq", "list"], args].concat())["total"].clone();
    assert_eq!(total(&["--newer-than", "1h"]), 5);
    assert_eq!(total(&["--older-than", "1h"]), 0);
    assert_eq!(total(&["--provider", "stripe"]), 0);
    let recent = run_json(&dir, &["dlq", "list", "--group", "--newer-than", "1h"]);
    assert_eq!(recent[0]["count"], 5, "{recent}");
    assert_eq!(
        run(&dir, &["dlq", "list", "--provider", "nobody"]).status.code(),
        Some(5),
        "an unknown provider is invalid input"
    );
    assert_eq!(
        run(&dir, &["dlq", "list", "--older-than", "soon"]).status.code(),
        Some(5)
    );
    assert_eq!(
        run(
            &dir,
            &[
                "dlq",
                "replay",
                "--kind",
                &kind,
                "--code",
                "selftest_terminal",
                "--older-than",
                "1d"
            ]
        )
        .status
        .code(),
        Some(4),
        "nothing of the group is that old"
    );

    // One root cause, replayed whole: each entry back in the queue once (they fail again, as
    // the payload still asks), then discarded whole with one reason.
    let replayed = run_json(
        &dir,
        &["dlq", "replay", "--kind", &kind, "--code", "selftest_terminal"],
    );
    assert_eq!(
        replayed["job_ids"].as_array().map(Vec::len),
        Some(5),
        "{replayed}"
    );
    assert_eq!(
        run(&dir, &["dlq", "replay", "--kind", &kind]).status.code(),
        Some(2),
        "--code is needed"
    );
    drain(&dir);
    assert_eq!(run_json(&dir, &["dlq", "list"])["total"], 5, "they failed again");
    let discarded = run_json(
        &dir,
        &[
            "dlq",
            "discard",
            "--kind",
            &kind,
            "--code",
            "selftest_terminal",
            "--reason",
            "test data, not a real failure",
        ],
    );
    assert_eq!(discarded["dead_letter_ids"].as_array().map(Vec::len), Some(5));
    assert_eq!(run_json(&dir, &["dlq", "list"])["total"], 0);
    assert_eq!(
        run(
            &dir,
            &[
                "dlq",
                "discard",
                "--kind",
                &kind,
                "--code",
                "selftest_terminal",
                "--reason",
                "again"
            ]
        )
        .status
        .code(),
        Some(4),
        "nothing left in the group"
    );
}

#[test]
fn sigterm_finishes_or_releases_running_jobs() {
    let (_tmp, dir) = fresh();
    let args = [
        "selftest",
        "enqueue",
        "--batch",
        "slow",
        "--jobs",
        "20",
        "--work-ms",
        "300",
    ];
    assert_eq!(run_json(&dir, &args)["created"], 20);
    let mut child = start_daemon(&dir);
    let deadline = Instant::now() + Duration::from_secs(20);
    while run_json(&dir, &["status"])["queue"]["succeeded"]
        .as_u64()
        .unwrap_or(0)
        < 2
    {
        assert!(Instant::now() < deadline, "the daemon made no progress");
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
    kill(pid, Signal::SIGTERM).unwrap_or_else(|e| panic!("SIGTERM: {e}"));
    let status = child.wait().unwrap_or_else(|e| panic!("wait: {e}"));
    assert!(status.success(), "graceful shutdown exit: {status:?}");
    let q = run_json(&dir, &["status"])["queue"].clone();
    assert_eq!(q["running"], 0, "nothing left leased after a graceful stop: {q}");
    assert_eq!(
        q["pending"].as_u64().unwrap_or(0) + q["succeeded"].as_u64().unwrap_or(0),
        20,
        "{q}"
    );
}

#[test]
fn the_dlq_bench_prints_its_figures() {
    let (_tmp, dir) = fresh();
    // CI size; the figures in the README come from `--items 100000`.
    let report = run_json(&dir, &["bench", "dlq", "--items", "600", "--rounds", "3"]);
    assert_eq!(report["items"], 600, "{report}");
    for key in ["p50_ms", "p95_ms", "max_ms"] {
        assert!(report[key].as_f64().is_some_and(|ms| ms > 0.0), "{key}: {report}");
    }
    assert_eq!(
        report["queries"], 30,
        "ten of the screen's queries (five of them its filters), three rounds"
    );
    let by_query = report["p95_ms_by_query"].as_object().cloned().unwrap_or_default();
    assert_eq!(by_query.len(), 10, "{report}");
    assert!(by_query.contains_key("a rare object's first page"), "{report}");
}
