//! The secrets canary through the console: connect every provider (Salesforce through OAuth),
//! run a sync, then look for each secret in everything the window could receive (every console
//! answer, serialized as IPC serializes it), in the data directory (database, WAL, config,
//! manifest) and in the log files. Secrets must be in the OS keychain only.

use std::sync::Arc;

use paysync_app::console::api::{AuditQuery, AuditSortColumn, ConnectInput};
use paysync_app::console::{Console, ConsoleOptions};
use paysync_app::keychain::{OsKeychain, SecretStore};
use paysync_app::{Config, ConsoleError, logging};
use paysync_core::{SystemClock, SystemRandom};
use paysync_engine::EngineError;

mod support;
use support::{allow_in_browser, assert_not_in_files, files_under, keychain_or_skip};

const CALLBACK_CANARY: &str = "maldopay-callback-canary-7d1e";

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_reaches_the_window_the_data_directory_or_the_logs() {
    if keychain_or_skip("paysync-test-canary").is_none() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let data_dir = tmp.path().to_path_buf();
    let mut config = Config::default();
    config.sandbox.demo.customers = 30;
    config.sandbox.demo.payments = 200;
    config.sandbox.demo.payees = 10;
    config.sandbox.demo.payment_requests = 20;
    config.sandbox.demo.checkout_payments = 20;
    config.sandbox.demo.maldopay_transactions = 20;
    // Debug logging into the data directory, as the console logs: the most a log could hold.
    config.log.level = "debug".to_owned();
    let _guard = logging::init(&config.log, Some(&data_dir.join("logs"))).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(data_dir.join("paysync.toml"), paysync_app::config::EXAMPLE)
        .unwrap_or_else(|e| panic!("{e}"));

    let console = Console::open(
        ConsoleOptions {
            data_dir: data_dir.clone(),
            config,
            owner: "canary".to_owned(),
            version: "test".to_owned(),
        },
        Arc::new(SystemClock),
        Arc::new(SystemRandom),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let running = {
        let console = console.clone();
        tokio::spawn(async move { console.run(shutdown).await })
    };

    let inputs = [
        ConnectInput::Stripe {
            secret_key: paysync_sandbox::stripe::DEFAULT_TEST_KEY.to_owned(),
        },
        ConnectInput::CheckoutOauth {
            client_id: paysync_sandbox::checkout::DEFAULT_CLIENT_ID.to_owned(),
            client_secret: paysync_sandbox::checkout::DEFAULT_CLIENT_SECRET.to_owned(),
        },
        ConnectInput::Payoneer {
            program_id: paysync_sandbox::payoneer::DEFAULT_PROGRAM_ID.to_owned(),
            client_id: paysync_sandbox::payoneer::DEFAULT_CLIENT_ID.to_owned(),
            client_secret: paysync_sandbox::payoneer::DEFAULT_CLIENT_SECRET.to_owned(),
        },
        ConnectInput::Maldopay {
            client_id: paysync_sandbox::maldopay::DEFAULT_CLIENT_ID.to_owned(),
            brand_id: paysync_sandbox::maldopay::DEFAULT_BRAND_ID.to_owned(),
            api_key: paysync_sandbox::maldopay::DEFAULT_API_KEY.to_owned(),
            callback_secret: CALLBACK_CANARY.to_owned(),
        },
    ];
    let mut payloads = Vec::new();
    for input in inputs {
        let card = console
            .connect_with_keys(input)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(card.connected, "{card:?}");
        payloads.push(json(&card));
    }
    let card = console
        .connect_salesforce(allow_in_browser)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    payloads.push(json(&card));

    // A sync, then everything the window can ask for.
    // The scheduler may be running the same flow right after start: wait for it, then run ours.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let run = loop {
        match console.run_flow("stripe.payments").await {
            Ok(run) => break run,
            Err(ConsoleError::Engine(EngineError::AlreadyRunning { .. }))
                if std::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(run.outcome.as_deref(), Some("succeeded"), "{run:?}");
    payloads.push(json(&console.app_info().await.unwrap_or_else(|e| panic!("{e}"))));
    payloads.push(json(&console.overview().await.unwrap_or_else(|e| panic!("{e}"))));
    payloads.push(json(&console.flows().await.unwrap_or_else(|e| panic!("{e}"))));
    payloads.push(json(
        &console.runs(None, 50).await.unwrap_or_else(|e| panic!("{e}")),
    ));
    payloads.push(json(
        &console.verify_audit().await.unwrap_or_else(|e| panic!("{e}")),
    ));
    payloads.push(json(
        &console.search("stripe").await.unwrap_or_else(|e| panic!("{e}")),
    ));
    let cards = console.connections().await.unwrap_or_else(|e| panic!("{e}"));
    payloads.push(json(&cards));
    for card in &cards {
        let verdict = console
            .test_connection(&card.provider)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(verdict.ok, "{}: {}", card.provider, verdict.message);
        payloads.push(json(&verdict));
    }
    let audit = console
        .audit(AuditQuery {
            actor: None,
            action: None,
            subject: None,
            sort: AuditSortColumn::default(),
            descending: true,
            offset: 0,
            limit: 500,
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        audit.rows.iter().any(|r| r.action.starts_with("connection.")),
        "connections are audited"
    );
    payloads.push(json(&audit));

    // The secrets: the keys given, and Salesforce's tokens as the keychain holds them.
    let keychain = OsKeychain::new();
    let mut secrets: Vec<String> = [
        paysync_sandbox::stripe::DEFAULT_TEST_KEY,
        paysync_sandbox::checkout::DEFAULT_CLIENT_SECRET,
        paysync_sandbox::payoneer::DEFAULT_CLIENT_SECRET,
        paysync_sandbox::maldopay::DEFAULT_API_KEY,
        CALLBACK_CANARY,
    ]
    .map(str::to_owned)
    .to_vec();
    let engine = console.engine();
    let sf = engine
        .store()
        .connections()
        .list(Some("sandbox"))
        .await
        .unwrap_or_default()
        .into_iter()
        .find(|c| c.provider == "salesforce")
        .and_then(|c| c.keychain_ref)
        .unwrap_or_else(|| panic!("no Salesforce connection"));
    let tokens = keychain
        .get(&sf)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no Salesforce tokens in the keychain"));
    let tokens: serde_json::Value = serde_json::from_str(tokens.expose()).unwrap_or_default();
    for field in ["access_token", "refresh_token"] {
        let token = tokens[field].as_str().unwrap_or_default();
        assert!(!token.is_empty(), "{field}");
        secrets.push(token.to_owned());
    }

    for secret in &secrets {
        for payload in &payloads {
            assert!(
                !payload.contains(secret.as_str()),
                "an IPC answer holds a secret: {payload}"
            );
        }
    }
    assert!(
        files_under(&data_dir)
            .iter()
            .any(|f| f.starts_with(data_dir.join("logs"))),
        "the logs were written"
    );
    for secret in &secrets {
        assert_not_in_files(&data_dir, secret);
    }

    for card in &cards {
        console
            .disconnect(&card.provider)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    let _ = stop.send(true);
    running
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|e| panic!("{e}"));
}

/// Serializes a console answer the way IPC does (serde JSON).
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
