//! Payouts under SIGKILL: a real `paysync daemon` pays a run of approved Salesforce payment
//! requests through the Payoneer sandbox in several batches, and is killed with SIGKILL at random
//! moments (while it takes requests in, checks recipients, sends batches, resolves them and
//! writes outcomes back) and started again. Batches are approved through the CLI, as the
//! Salesforce user connected, between kills. Afterwards:
//!
//! - the Payoneer ledger holds each `client_reference_id` once (no duplicate payout) and Payoneer
//!   saw no reference submitted twice;
//! - every approved item is in exactly one final state, and paid + failed + cancelled (+ anything
//!   left for review) sums to the approved total in minor units;
//! - every payout was sent from a batch whose approvals match its content (the store's rule).
//!
//! Sizes are parameters: `PAYSYNC_PAYOUT_CRASH_ITEMS` (default 600; the full campaign 10,000) and
//! `PAYSYNC_PAYOUT_CRASH_KILLS` (default 8; the full campaign 50).

use std::collections::BTreeMap;
use std::process::Child;
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use paysync_core::{Clock, RandomSource, SeededRandom};
use paysync_sandbox::faults::{FaultConfig, FaultRule};
use paysync_sandbox::payoneer::{DEFAULT_PROGRAM_ID, PayoutFailure};
use paysync_sandbox::sandbox::{Sandbox, SandboxConfig};
use paysync_tests::{env_count, run_json, start_daemon_with, write_fast_config};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

use crate::connected::{
    add_sandbox_profile, connect_payoneer, connect_salesforce, keychain_available, with_profile,
};
use crate::payout_seed::{approved_request, as_maker, fund_eur_program, payee_with_contact};

/// The Salesforce user who approved the requests (the maker); the connected user checks.
const MAKER: &str = "005CRASHMAKER01";
/// Payees (requests are spread over them); every 25th payee's payouts fail at settlement.
const PAYEES: u32 = 50;

fn signal(child: &Child, sig: Signal) {
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap_or(i32::MAX));
    kill(pid, sig).unwrap_or_else(|e| panic!("could not send {sig} to the daemon: {e}"));
}

fn seed(sandbox: &Sandbox, items: u64) -> i64 {
    let now = paysync_core::SystemClock.now();
    fund_eur_program(sandbox, Decimal::new(1_000_000_000, 0), 1);
    let contacts: Vec<String> = (0..PAYEES)
        .map(|n| {
            let fails = (n % 25 == 24).then(|| PayoutFailure {
                code: 10_005,
                description: "Bank account closed".into(),
            });
            payee_with_contact(
                sandbox,
                &format!("crash-payee-{n}"),
                &format!("Payee {n}"),
                &format!("payee{n}@example.com"),
                fails,
                now,
            )
        })
        .collect();
    as_maker(sandbox, MAKER, || {
        let mut total = 0i64;
        for i in 0..items {
            let cents = 1_000 + i64::try_from(i % 9_000).unwrap_or(0);
            total += cents;
            let contact = &contacts[usize::try_from(i % u64::from(PAYEES)).unwrap_or(0)];
            approved_request(
                sandbox,
                contact,
                Decimal::new(cents, 2),
                &format!("Invoice {i}"),
                now,
            );
        }
        total
    })
}

fn batches(dir: &std::path::Path, profile: &str, status: &str) -> Vec<Value> {
    let args = with_profile(profile, &["payouts", "list", "--status", status]);
    let out = run_json(dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    out.as_array().cloned().unwrap_or_default()
}

/// Approves up to `at_most` draft batches as the connected user; returns how many.
fn approve_drafts(dir: &std::path::Path, profile: &str, at_most: usize) -> usize {
    let drafts = batches(dir, profile, "draft");
    let drafts: Vec<&Value> = drafts.iter().take(at_most).collect();
    for b in &drafts {
        let id = b["id"].as_str().unwrap_or_default();
        let hash = b["content_hash"].as_str().unwrap_or_default();
        if hash == "stale" {
            continue;
        }
        let args = with_profile(profile, &["payouts", "approve", id, "--hash", hash]);
        run_json(dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    }
    drafts.len()
}

/// The daemon's warnings and payout runs, for a failure's message.
fn log_tail(dir: &std::path::Path) -> String {
    let mut lines = Vec::new();
    for entry in std::fs::read_dir(dir.join("logs"))
        .into_iter()
        .flatten()
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
        lines.extend(
            text.lines()
                .filter(|l| l.contains("WARN") || l.contains("ERROR") || l.contains("Payouts"))
                .map(str::to_owned),
        );
    }
    let start = lines.len().saturating_sub(60);
    lines[start..].join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn payouts_survive_sigkill_with_no_duplicate_and_every_item_final() {
    if !keychain_available() {
        return;
    }
    let items = env_count("PAYSYNC_PAYOUT_CRASH_ITEMS", 600);
    let kills = env_count("PAYSYNC_PAYOUT_CRASH_KILLS", 8);
    // Sending a batch takes a while and one answer in ten is lost (Payoneer made the payouts, the
    // daemon never hears so): kills land mid-send, and lost answers must be resolved by asking.
    let mut config = SandboxConfig::default();
    config.faults.insert(
        "payoneer".to_owned(),
        FaultConfig {
            seed: 11,
            hang_ms: 200,
            rules: vec![FaultRule {
                method: Some("POST".to_owned()),
                path_prefix: Some(format!("/v4/programs/{DEFAULT_PROGRAM_ID}/masspayouts")),
                latency_ms: 300,
                lose_response_bp: 1_000,
                ..FaultRule::default()
            }],
        },
    );
    let sandbox = Sandbox::start(&config, Arc::new(paysync_core::SystemClock))
        .await
        .unwrap_or_else(|e| panic!("sandbox: {e}"));
    let approved_total = seed(&sandbox, items);
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().join("data");
    write_fast_config(&dir, 2);
    let config = dir.join("paysync.toml");
    let text = std::fs::read_to_string(&config).unwrap_or_default()
        + "\n[flows]\n\"payoneer.payouts\" = \"every 1s\"\n\n[sync.payouts]\nmax_batch = 50\ntwo_approvers_above = \"100000000\"\n";
    std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
    let profile = add_sandbox_profile(&dir, &sandbox);
    connect_salesforce(&dir, &profile).await;
    connect_payoneer(&dir, &profile);

    // One run by hand: the requests are taken in and the first recipients checked.
    let args = with_profile(&profile, &["run", "payoneer.payouts"]);
    let first = run_json(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(first["outcome"], "succeeded", "{first}");

    let options = with_profile(&profile, &[]);
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let rng = SeededRandom::new(env_count("PAYSYNC_PAYOUT_CRASH_SEED", 7));
    let started = Instant::now();
    let mut mid_send = 0u64;
    let mut approved = approve_drafts(&dir, &profile, 2);
    for round in 0..kills {
        let daemon = start_daemon_with(&dir, &options);
        // A random moment: anywhere from right after start to well into a batch's life (a larger
        // run needs longer to reach its sends, so the window grows with it).
        tokio::time::sleep(Duration::from_millis(100 + rng.below(2_400 + items / 2))).await;
        signal(&daemon, Signal::SIGKILL);
        let _ = daemon.wait_with_output();
        let sending = batches(&dir, &profile, "submitting").len();
        mid_send += u64::from(sending > 0);
        // Batches are approved a few at a time, so sends happen all through the campaign.
        let remaining = usize::try_from(kills - round).unwrap_or(1).max(1);
        let drafts = batches(&dir, &profile, "draft").len();
        approved += approve_drafts(&dir, &profile, drafts.div_ceil(remaining).max(1));
        eprintln!(
            "kill {round}: {} payouts at Payoneer, {sending} batches caught mid-send, {approved} approved so far",
            sandbox.payoneer.ledger().len()
        );
    }

    // The last start runs until every approved item is final.
    let daemon = start_daemon_with(&dir, &options);
    let deadline = Instant::now() + Duration::from_secs(60 + items / 5);
    let mut finished = false;
    while Instant::now() < deadline {
        approve_drafts(&dir, &profile, usize::MAX);
        let all = batches(&dir, &profile, "all");
        let items_in: u64 = all.iter().map(|b| b["item_count"].as_u64().unwrap_or(0)).sum();
        let open = all.iter().any(|b| b["status"] != "completed");
        if items_in == items && !open {
            finished = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    signal(&daemon, Signal::SIGTERM);
    let _ = daemon.wait_with_output();
    let all = batches(&dir, &profile, "all");
    if !finished {
        let mut by_status: BTreeMap<String, u32> = BTreeMap::new();
        for e in sandbox.payoneer.ledger() {
            *by_status.entry(format!("{:?}", e.status)).or_default() += 1;
        }
        eprintln!("{}\nPayoneer ledger by status: {by_status:?}", log_tail(&dir));
        if std::env::var_os("PAYSYNC_KEEP_FAILED").is_some() {
            eprintln!("kept {}", dir.display());
            std::mem::forget(tmp);
            panic!("not every item reached a final state in time");
        }
    }
    assert!(finished, "not every item reached a final state in time: {all:#?}");

    // Oracle 1: Payoneer paid each reference once and never saw one twice.
    let ledger = sandbox.payoneer.ledger();
    let mut seen: BTreeMap<String, u32> = BTreeMap::new();
    for entry in &ledger {
        *seen.entry(entry.client_reference_id.clone()).or_default() += 1;
    }
    let duplicates: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(duplicates.is_empty(), "duplicate payouts: {duplicates:?}");
    assert_eq!(
        sandbox.payoneer.duplicate_submissions(),
        0,
        "a reference was submitted twice"
    );
    assert_eq!(
        u64::try_from(ledger.len()).unwrap_or(0),
        items,
        "one payout per approved item"
    );

    // Oracle 2: every item final, and the money adds up in minor units.
    let (mut paid, mut failed, mut cancelled) = (0u64, 0u64, 0u64);
    for b in &all {
        paid += b["paid"].as_u64().unwrap_or(0);
        failed += b["failed"].as_u64().unwrap_or(0);
        cancelled += b["cancelled"].as_u64().unwrap_or(0);
        assert_eq!(b["in_flight"].as_u64(), Some(0), "{b}");
    }
    assert_eq!(paid + failed + cancelled, items);
    let batch_total: i64 = all.iter().map(|b| b["total_minor"].as_i64().unwrap_or(0)).sum();
    assert_eq!(
        batch_total, approved_total,
        "Σ batches == Σ approved requests (minor units)"
    );
    let ledger_total: i64 = ledger
        .iter()
        .map(|e| (e.amount * Decimal::new(100, 0)).to_i64().unwrap_or(i64::MIN))
        .sum();
    assert_eq!(ledger_total, approved_total, "Σ sent == Σ approved (minor units)");
    assert!(failed > 0, "the failing payees' payouts are counted as failed");
    eprintln!(
        "{items} items, {kills} SIGKILLs ({mid_send} with a batch caught mid-send), {} batches: {paid} paid, {failed} failed, {cancelled} cancelled, 0 duplicates, in {:?}",
        all.len(),
        started.elapsed()
    );
}
