//! Stripe webhooks into a real `paysync daemon`: the Stripe simulator delivers signed events to
//! the daemon's listener, whose signing secret was saved with `paysync webhooks secret stripe` in
//! the OS keychain (`scripts/test.sh` runs the suite with a throwaway gnome-keyring). Forged,
//! unsigned and stale deliveries are refused with 400 and store nothing; a secret rolled in Stripe
//! and then in Paysync loses no delivery.

use std::io::Write;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use paysync_sandbox::sandbox::{Sandbox, SandboxConfig};
use paysync_tests::{paysync, start_daemon, write_fast_config};
use serde_json::{Value, json};

const FIRST_SECRET: &str = "whsec_scenario_first_0123456789";
const SECOND_SECRET: &str = "whsec_scenario_second_9876543210";

fn keychain_available() -> bool {
    let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    let tool = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "paysync-probe"])
        .output()
        .is_ok();
    assert!(
        (bus && tool) || std::env::var_os("PAYSYNC_REQUIRE_KEYCHAIN").is_none(),
        "PAYSYNC_REQUIRE_KEYCHAIN is set but there is no Secret Service"
    );
    if !(bus && tool) {
        eprintln!("skipped: no Secret Service on a session bus");
    }
    bus && tool
}

fn set_secret(dir: &std::path::Path, secret: &str, keep_hours: &str) {
    let mut child = paysync(dir)
        .args([
            "webhooks",
            "secret",
            "stripe",
            "--keep-previous-hours",
            keep_hours,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(format!("{secret}\n").as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let out = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("Saved stripe's webhook signing secret"),
        "webhooks secret: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains(secret), "the secret was echoed");
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Creates a customer through Stripe's API; returns its id (the simulator then delivers
/// `customer.created`).
async fn create_customer(http: &reqwest::Client, stripe: &str, email: &str) -> String {
    let created: Value = http
        .post(format!("{stripe}/v1/customers"))
        .bearer_auth(paysync_sandbox::stripe::DEFAULT_TEST_KEY)
        .form(&[("email", email)])
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .unwrap_or_else(|e| panic!("create customer: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    created["id"].as_str().unwrap_or_default().to_owned()
}

/// A GET of one of the simulator's admin routes, as JSON.
async fn get_json(http: &reqwest::Client, url: &str) -> Value {
    http.get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{url}: {e}"))
}

/// Waits for the simulator to have delivered the event about `object_id` with a 2xx answer
/// (retrying as Stripe does); returns every attempt.
async fn delivered(http: &reqwest::Client, stripe: &str, object_id: &str) -> Vec<Value> {
    let events = get_json(http, &format!("{stripe}/__sandbox/events")).await;
    let event_id = events
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["data"]["object"]["id"] == object_id)
        .and_then(|e| e["id"].as_str())
        .unwrap_or_else(|| panic!("no event for {object_id}"))
        .to_owned();
    let mut seen = Vec::new();
    for _ in 0..400 {
        let attempts = get_json(http, &format!("{stripe}/__sandbox/webhooks/attempts")).await;
        seen = attempts
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["event_id"] == event_id.as_str())
            .cloned()
            .collect();
        if seen.iter().any(|a| a["succeeded"] == true) {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{event_id} was never delivered: {seen:?}")
}

async fn post_raw(http: &reqwest::Client, url: &str, signature: Option<String>, body: &str) -> (u16, Value) {
    let mut req = http
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(s) = signature {
        req = req.header("Stripe-Signature", s);
    }
    let res = req.send().await.unwrap_or_else(|e| panic!("{e}"));
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_records_signed_deliveries_refuses_forgeries_and_survives_a_secret_roll() {
    if !keychain_available() {
        return;
    }
    let sandbox = Sandbox::start(&SandboxConfig::default(), Arc::new(paysync_core::SystemClock))
        .await
        .unwrap_or_else(|e| panic!("sandbox: {e}"));
    let stripe = sandbox.urls.stripe.clone();
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().join("data");
    write_fast_config(&dir, 1);
    let port = free_port();
    let config_path = dir.join("paysync.toml");
    let text = std::fs::read_to_string(&config_path).unwrap_or_default()
        + &format!("\n[webhooks]\nlisten = \"127.0.0.1:{port}\"\n");
    std::fs::write(&config_path, text).unwrap_or_else(|e| panic!("{e}"));
    let hook_url = format!("http://127.0.0.1:{port}/webhooks/stripe");

    set_secret(&dir, FIRST_SECRET, "24");
    let mut daemon = start_daemon(&dir);
    let http = reqwest::Client::new();
    let endpoint: Value = http
        .post(format!("{stripe}/__sandbox/webhook_endpoints"))
        .json(&json!({"url": hook_url, "secret": FIRST_SECRET}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .json()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let endpoint_id = endpoint["id"].as_str().unwrap_or_default().to_owned();
    // Stripe retries a refused delivery; here within seconds rather than hours.
    http.put(format!("{stripe}/__sandbox/webhooks/config"))
        .json(&json!({"retry_base_ms": 300, "max_attempts": 6, "timeout_ms": 5000}))
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .unwrap_or_else(|e| panic!("delivery config: {e}"));

    // A delivery Stripe signed is recorded and acknowledged with 200.
    let first = create_customer(&http, &stripe, "first@example.com").await;
    let attempts = delivered(&http, &stripe, &first).await;
    assert_eq!(attempts.len(), 1, "accepted at the first attempt: {attempts:?}");
    assert_eq!(attempts[0]["status"], 200);

    // Forged, unsigned and stale deliveries are refused with 400.
    let body = r#"{"id":"evt_forged1","object":"event","type":"customer.deleted","created":1,"data":{"object":{"id":"cus_x","object":"customer"}}}"#;
    let now = paysync_core::Clock::now(&paysync_core::SystemClock).timestamp();
    let forged = format!("t={now},v1={}", "ab".repeat(32));
    assert_eq!(post_raw(&http, &hook_url, Some(forged), body).await.0, 400);
    assert_eq!(post_raw(&http, &hook_url, None, body).await.0, 400);
    let stale_t = now - 3600;
    let stale = paysync_sandbox::stripe::signature_header(&[FIRST_SECRET], stale_t, body.as_bytes());
    let (status, answer) = post_raw(&http, &hook_url, Some(stale), body).await;
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"].as_str().unwrap_or_default().contains("tolerance"),
        "{answer}"
    );

    // Stripe rolls the secret: it signs with the new and the old one for an hour; Paysync still
    // holds the old one and accepts.
    http.post(format!("{stripe}/__sandbox/webhook_endpoints/{endpoint_id}/roll"))
        .json(&json!({"secret": SECOND_SECRET, "expires_in_secs": 3600}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let during = create_customer(&http, &stripe, "during@example.com").await;
    assert_eq!(delivered(&http, &stripe, &during).await.len(), 1);

    // The admin saves the new secret in Paysync; Stripe's old one expires at once. The daemon was
    // not restarted: a delivery its cached secret refuses makes it read the keychain again (at
    // most once a second, so a refusal just before is retried by Stripe and then accepted).
    set_secret(&dir, SECOND_SECRET, "1");
    http.post(format!("{stripe}/__sandbox/webhook_endpoints/{endpoint_id}/roll"))
        .json(&json!({"secret": SECOND_SECRET, "expires_in_secs": 0}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let after = create_customer(&http, &stripe, "after@example.com").await;
    delivered(&http, &stripe, &after).await;

    // Stop the daemon; the inbox holds each delivered event once and nothing forged.
    let pid = Pid::from_raw(i32::try_from(daemon.id()).unwrap_or_default());
    kill(pid, Signal::SIGTERM).unwrap_or_else(|e| panic!("{e}"));
    let status = daemon.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(status.success(), "daemon exited with {status}");
    let engine = paysync_engine::Engine::open(
        paysync_engine::EngineOptions::new(dir.clone()),
        Arc::new(paysync_core::SystemClock),
        Arc::new(paysync_core::SystemRandom),
    )
    .await
    .unwrap_or_else(|e| panic!("engine: {e}"));
    let inbox = engine
        .store()
        .inbox()
        .unprocessed(1000)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let customers: Vec<&str> = inbox
        .iter()
        .filter(|e| e.event_type == "customer.created")
        .filter_map(|e| e.payload["data"]["object"]["id"].as_str())
        .collect();
    for id in [&first, &during, &after] {
        assert_eq!(
            customers.iter().filter(|c| *c == id).count(),
            1,
            "{id}: {customers:?}"
        );
    }
    assert!(inbox.iter().all(|e| e.event_id != "evt_forged1"));
}
