//! Payoneer IPCNs into a real `paysync daemon`: the Payoneer simulator signs its notifications
//! (`hmacauth`) with the secret saved by `paysync webhooks secret payoneer` and delivers them to
//! the daemon's listener. The payouts flow is scheduled hourly here, so a batch sent by hand is
//! paid within seconds only because the "account loaded" notice woke the flow, which then asked
//! Payoneer for the payout's status. Forged, unsigned and unknown deliveries are refused.

use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use paysync_sandbox::payoneer::{IpcnConfig, IpcnEvent};
use paysync_sandbox::sandbox::{Sandbox, SandboxConfig};
use paysync_tests::{run_json, start_daemon_with, write_fast_config};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::connected::{
    add_sandbox_profile, connect_payoneer, connect_salesforce, keychain_available, ok, with_profile,
    with_stdin,
};
use crate::payout_seed::{approved_request, as_maker, fund_eur_program, payee_with_contact};

const IPCN_SECRET: &str = "ipcn-scenario-secret-0123456789";
const MAKER: &str = "005IPCNMAKER0001";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

fn seed(sandbox: &Sandbox) {
    let now = paysync_core::Clock::now(&paysync_core::SystemClock);
    fund_eur_program(sandbox, Decimal::new(100_000, 0), 2);
    for n in 0..2 {
        let email = format!("ipcn{n}@example.com");
        let contact = payee_with_contact(
            sandbox,
            &format!("ipcn-payee-{n}"),
            &format!("Payee {n}"),
            &email,
            None,
            now,
        );
        as_maker(sandbox, MAKER, || {
            approved_request(
                sandbox,
                &contact,
                Decimal::new(7_550, 2),
                &format!("Invoice {n}"),
                now,
            );
        });
    }
}

fn cli(dir: &std::path::Path, profile: &str, args: &[&str]) -> Value {
    let args = with_profile(profile, args);
    run_json(dir, &args.iter().map(String::as_str).collect::<Vec<_>>())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signed_ipcn_wakes_the_daemon_which_asks_and_pays_ahead_of_its_schedule() {
    if !keychain_available() {
        return;
    }
    let sandbox = Sandbox::start(&SandboxConfig::default(), Arc::new(paysync_core::SystemClock))
        .await
        .unwrap_or_else(|e| panic!("sandbox: {e}"));
    seed(&sandbox);
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().join("data");
    write_fast_config(&dir, 2);
    let port = free_port();
    let config = dir.join("paysync.toml");
    let text = std::fs::read_to_string(&config).unwrap_or_default()
        + &format!(
            "\n[flows]\n\"payoneer.payouts\" = \"every 1h\"\n\n[webhooks]\nlisten = \"127.0.0.1:{port}\"\n"
        );
    std::fs::write(&config, text).unwrap_or_else(|e| panic!("{e}"));
    let profile = add_sandbox_profile(&dir, &sandbox);
    connect_salesforce(&dir, &profile).await;
    connect_payoneer(&dir, &profile);
    let out = with_stdin(
        &dir,
        &with_profile(&profile, &["webhooks", "secret", "payoneer"]),
        &format!("{IPCN_SECRET}\n"),
    );
    let said = ok(&out, "webhooks secret payoneer");
    assert!(said.contains("Saved payoneer's webhook signing secret"), "{said}");
    assert!(!said.contains(IPCN_SECRET), "the secret was echoed");

    let base = format!("http://127.0.0.1:{port}/webhooks/payoneer");
    sandbox.payoneer.set_ipcn(IpcnConfig {
        secret: Some(IPCN_SECRET.to_owned()),
        urls: [
            (
                IpcnEvent::PaymentRequestAccepted,
                format!("{base}/payment-accepted"),
            ),
            (IpcnEvent::CancelPayout, format!("{base}/payout-cancelled")),
            (IpcnEvent::AccountLoaded, format!("{base}/account-loaded")),
            (IpcnEvent::PayeeApproved, format!("{base}/payee-approved")),
            (IpcnEvent::PayeeDeclined, format!("{base}/payee-declined")),
        ]
        .into_iter()
        .collect(),
        ..IpcnConfig::default()
    });

    // Taken in and drafted, then approved by the connected user (not the maker).
    let first = cli(&dir, &profile, &["run", "payoneer.payouts"]);
    assert_eq!(first["outcome"], "succeeded", "{first}");
    let drafts = cli(&dir, &profile, &["payouts", "list", "--status", "draft"]);
    let batch = drafts
        .as_array()
        .and_then(|b| b.first())
        .cloned()
        .unwrap_or_else(|| panic!("no draft batch: {drafts}"));
    let id = batch["id"].as_str().unwrap_or_default().to_owned();
    let hash = batch["content_hash"].as_str().unwrap_or_default();
    cli(&dir, &profile, &["payouts", "approve", &id, "--hash", hash]);

    let options = with_profile(&profile, &[]);
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let daemon = start_daemon_with(&dir, &options);
    // Sent by hand; the daemon's schedule would not look again for an hour.
    let sent = cli(&dir, &profile, &["run", "payoneer.payouts"]);
    assert_eq!(sent["outcome"], "succeeded", "{sent}");
    assert_eq!(sandbox.payoneer.ledger().len(), 2);

    let deadline = Instant::now() + Duration::from_secs(45);
    let mut shown = Value::Null;
    while Instant::now() < deadline {
        shown = cli(&dir, &profile, &["payouts", "show", &id]);
        if shown["batch"]["status"] == "completed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }

    // Forged, unsigned and unknown deliveries are refused and change nothing.
    let http = reqwest::Client::new();
    let loaded = sandbox
        .payoneer
        .deliveries()
        .into_iter()
        .find(|d| d.event == IpcnEvent::AccountLoaded)
        .unwrap_or_else(|| panic!("no account-loaded notice was sent"));
    let forged = http
        .post(format!("{base}/account-loaded"))
        .header("Authorization", loaded.authorization.clone().unwrap_or_default())
        .header("content-type", "application/json")
        .body(r#"{"Payee Id":"ipcn-payee-0","IntPaymentId":"forged-1"}"#)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let unsigned = http
        .post(format!("{base}/account-loaded"))
        .body(loaded.body.clone())
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let unknown = http
        .post(format!("{base}/refund-issued"))
        .body("{}")
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let pid = Pid::from_raw(i32::try_from(daemon.id()).unwrap_or(i32::MAX));
    kill(pid, Signal::SIGTERM).unwrap_or_else(|e| panic!("{e}"));
    let output = daemon.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let log = String::from_utf8_lossy(&output.stderr);

    assert_eq!(
        shown["batch"]["status"], "completed",
        "the notices did not get the batch paid ahead of the hourly schedule: {shown:#}\n{log}"
    );
    assert_eq!(shown["batch"]["paid"], 2, "{shown:#}");
    let deliveries = sandbox.payoneer.deliveries();
    assert!(
        deliveries.iter().all(|d| d.status == Some(200)),
        "every signed notice was accepted: {deliveries:#?}"
    );
    assert!(
        deliveries
            .iter()
            .filter(|d| d.event == IpcnEvent::AccountLoaded)
            .count()
            == 2
    );
    assert_eq!(forged.status().as_u16(), 400);
    assert_eq!(unsigned.status().as_u16(), 400);
    assert_eq!(unknown.status().as_u16(), 404);
    assert!(!log.contains(IPCN_SECRET), "the secret reached the log");
    assert_eq!(sandbox.payoneer.duplicate_submissions(), 0);
}
