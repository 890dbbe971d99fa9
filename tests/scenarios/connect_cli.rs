//! `paysync connect` and `paysync connections` as an admin uses them, against the simulators, with
//! the secrets in the real OS keychain (`scripts/test.sh` runs the suite inside a private D-Bus
//! session with an unlocked gnome-keyring and `PAYSYNC_REQUIRE_KEYCHAIN=1`).

use std::sync::Arc;

use paysync_sandbox::sandbox::{Sandbox, SandboxConfig};
use paysync_tests::{run, run_json, write_fast_config};

use crate::connected::{
    add_sandbox_profile, connect_salesforce, connect_stripe, keychain_available, ok, with_stdin,
};

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_connects_tests_lists_and_disconnects_each_account_type() {
    if !keychain_available() {
        return;
    }
    let sandbox = Sandbox::start(&SandboxConfig::default(), Arc::new(paysync_core::SystemClock))
        .await
        .unwrap_or_else(|e| panic!("sandbox: {e}"));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let dir = tmp.path().join("data");
    write_fast_config(&dir, 1);
    // A profile named after the machine's own simulators: a sandbox profile with their URLs.
    let name = add_sandbox_profile(&dir, &sandbox);
    let with_profile = |args: &[&str]| crate::connected::with_profile(&name, args);

    // Stripe: the key on standard input, so it stays out of the process list.
    connect_stripe(&dir, &name);

    // A live key in a sandbox profile is refused, naming the field.
    let args = with_profile(&["connect", "stripe", "--key", "sk_live_not_here"]);
    let refused = run(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(!refused.status.success());
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("secret_key") && why.contains("live key"), "{why}");

    // MaldoPay with flags and its two secrets on standard input.
    let args = with_profile(&[
        "connect",
        "maldopay",
        "--client-id",
        paysync_sandbox::maldopay::DEFAULT_CLIENT_ID,
        "--brand-id",
        paysync_sandbox::maldopay::DEFAULT_BRAND_ID,
    ]);
    let input = format!(
        "{}\ncallback-canary-9f3a\n",
        paysync_sandbox::maldopay::DEFAULT_API_KEY
    );
    ok(&with_stdin(&dir, &args, &input), "connect maldopay");

    // Salesforce: the CLI prints the sign-in URL; a scripted browser clicks Allow.
    connect_salesforce(&dir, &name).await;

    let list_args = with_profile(&["connections", "list"]);
    let list = run_json(&dir, &list_args.iter().map(String::as_str).collect::<Vec<_>>());
    let providers: Vec<&str> = list
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["provider"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(providers.len(), 3, "{list}");
    for p in ["salesforce", "stripe", "maldopay"] {
        assert!(providers.contains(&p), "{list}");
        let args = with_profile(&["connections", "test", p]);
        let tested = ok(
            &run(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>()),
            "test",
        );
        assert!(tested.contains("OK."), "{tested}");
    }
    // The connected accounts' flows are registered, and run against the accounts: a customer
    // created in Stripe reaches the org through the events poll and the apply flow.
    let status_args = with_profile(&["status"]);
    let status = run_json(&dir, &status_args.iter().map(String::as_str).collect::<Vec<_>>());
    let flows: Vec<&str> = status["flows"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["name"].as_str()).collect())
        .unwrap_or_default();
    for flow in [
        "stripe.payments",
        "stripe.events",
        "stripe.salesforce",
        "salesforce.stripe",
    ] {
        assert!(flows.contains(&flow), "{flow} is not registered: {flows:?}");
    }
    sandbox
        .stripe
        .insert_customer(paysync_sandbox::stripe::NewCustomer {
            name: Some("Connected Customer Ltd".to_owned()),
            email: Some("billing@connected.example".to_owned()),
            created: paysync_core::Clock::now(&paysync_core::SystemClock),
            ..Default::default()
        });
    for flow in ["stripe.events", "stripe.salesforce", "salesforce.stripe"] {
        let args = with_profile(&["run", flow]);
        let summary = run_json(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(summary["outcome"], "succeeded", "{flow}: {summary}");
    }
    assert!(
        sandbox
            .salesforce
            .records("Account")
            .iter()
            .any(|a| a["Name"] == "Connected Customer Ltd"),
        "the connected flows did not write the customer to the org"
    );

    // The canary: no secret in the data directory (database, WAL, config, logs).
    for entry in walk(&dir) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        for secret in [paysync_sandbox::stripe::DEFAULT_TEST_KEY, "callback-canary-9f3a"] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds {secret}",
                entry.display()
            );
        }
    }
    for p in ["salesforce", "stripe", "maldopay"] {
        let args = with_profile(&["connections", "disconnect", p]);
        ok(
            &run(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>()),
            "disconnect",
        );
    }
    let after = run_json(&dir, &list_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(after, serde_json::json!([]));
    let args = with_profile(&["connections", "test", "stripe"]);
    let gone = run(&dir, &args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(String::from_utf8_lossy(&gone.stderr).contains("not connected"));
    sandbox.stop().await.unwrap_or_else(|e| panic!("{e}"));
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}
