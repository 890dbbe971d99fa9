//! Connecting each key-based provider against the sandbox's simulators, with the secrets in the
//! real OS keychain (`scripts/test.sh` runs these inside a private D-Bus session with an unlocked
//! gnome-keyring and sets `PAYSYNC_REQUIRE_KEYCHAIN=1`; without a keychain they report and return).

use std::sync::Arc;

use paysync_app::connections::{ConnectError, Connections, KeyCredentials, Profile, ProfileKind};
use paysync_app::keychain::{OsKeychain, SecretStore};
use paysync_core::{Secret, SharedClock, SystemRandom};
use paysync_engine::{Engine, EngineOptions};
use paysync_sandbox::sandbox::{Sandbox, SandboxConfig};

mod support;
use support::{allow_in_browser, assert_not_in_files, keychain_or_skip};

struct Fixture {
    connections: Connections,
    keychain: Arc<OsKeychain>,
    engine: Engine,
    dir: tempfile::TempDir,
    _sandbox: Sandbox,
}

async fn fixture(test: &str) -> Option<Fixture> {
    // Each test files its entries under its own service name and cleans up after itself.
    let keychain = Arc::new(keychain_or_skip(&format!(
        "paysync-test-{test}-{}",
        std::process::id()
    ))?);
    let clock: SharedClock = Arc::new(paysync_core::SystemClock);
    let sandbox = Sandbox::start(&SandboxConfig::default(), clock.clone())
        .await
        .unwrap_or_else(|e| panic!("sandbox: {e}"));
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let engine = Engine::open(
        EngineOptions::new(dir.path().to_path_buf()),
        clock.clone(),
        Arc::new(SystemRandom),
    )
    .await
    .unwrap_or_else(|e| panic!("engine: {e}"));
    let urls = sandbox
        .urls
        .named()
        .into_iter()
        .map(|(p, u)| (p.to_owned(), u.to_owned()))
        .collect();
    let profile = Profile {
        salesforce_client_id: Some(paysync_sandbox::salesforce::SANDBOX_CLIENT_ID.to_owned()),
        ..Profile::new("sandbox", ProfileKind::Sandbox, &urls)
    };
    let connections = Connections::new(
        engine.store().clone(),
        keychain.clone(),
        reqwest::Client::new(),
        (clock, Arc::new(SystemRandom)),
        profile,
        "admin@example.com",
    );
    Some(Fixture {
        connections,
        keychain,
        engine,
        dir,
        _sandbox: sandbox,
    })
}

fn secret(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_key_based_provider_connects_tests_and_disconnects_with_its_secret_only_in_the_keychain() {
    let Some(f) = fixture("all").await else {
        return;
    };
    let cases = [
        (
            KeyCredentials::Stripe {
                secret_key: secret(paysync_sandbox::stripe::DEFAULT_TEST_KEY),
            },
            paysync_sandbox::stripe::DEFAULT_TEST_KEY,
        ),
        (
            KeyCredentials::Checkout {
                secret_key: secret(paysync_sandbox::checkout::DEFAULT_SECRET_KEY),
            },
            paysync_sandbox::checkout::DEFAULT_SECRET_KEY,
        ),
        (
            KeyCredentials::CheckoutOauth {
                client_id: paysync_sandbox::checkout::DEFAULT_CLIENT_ID.to_owned(),
                client_secret: secret(paysync_sandbox::checkout::DEFAULT_CLIENT_SECRET),
            },
            paysync_sandbox::checkout::DEFAULT_CLIENT_SECRET,
        ),
        (
            KeyCredentials::Payoneer {
                program_id: paysync_sandbox::payoneer::DEFAULT_PROGRAM_ID.to_owned(),
                client_id: paysync_sandbox::payoneer::DEFAULT_CLIENT_ID.to_owned(),
                client_secret: secret(paysync_sandbox::payoneer::DEFAULT_CLIENT_SECRET),
            },
            paysync_sandbox::payoneer::DEFAULT_CLIENT_SECRET,
        ),
        (
            KeyCredentials::Maldopay {
                client_id: paysync_sandbox::maldopay::DEFAULT_CLIENT_ID.to_owned(),
                brand_id: paysync_sandbox::maldopay::DEFAULT_BRAND_ID.to_owned(),
                api_key: secret(paysync_sandbox::maldopay::DEFAULT_API_KEY),
                callback_secret: secret("maldopay-callback-canary-secret"),
            },
            "maldopay-callback-canary-secret",
        ),
    ];
    let mut references = std::collections::BTreeMap::new();
    for (creds, canary) in &cases {
        let provider = creds.provider();
        let conn = f
            .connections
            .connect(creds.clone())
            .await
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        assert_eq!(conn.status, "connected", "{provider}");
        assert_eq!(conn.profile, "sandbox");
        assert!(conn.last_success_at.is_some(), "{provider}");
        let reference = conn.keychain_ref.clone().unwrap_or_default();
        assert!(
            reference.ends_with(&format!("/sandbox/{provider}")),
            "namespace/profile/provider: {reference}"
        );
        references.insert(provider, reference.clone());
        let stored = f
            .keychain
            .get(&reference)
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("{provider}: nothing in the keychain"));
        assert!(
            stored.expose().contains(canary),
            "{provider}: the keychain holds the secret"
        );

        let verdict = f
            .connections
            .test(provider)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(verdict.ok, "{provider}: {}", verdict.message);
        assert!(verdict.message.starts_with("Connected: "), "{}", verdict.message);
    }
    // The canary: no secret is in the data directory (database, WAL, keys) or the audit log.
    for (_, canary) in &cases {
        assert_not_in_files(f.dir.path(), canary);
    }
    let audit = f
        .engine
        .audit_entries(100, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        audit
            .iter()
            .filter(|e| e.action.starts_with("connection."))
            .count()
            >= cases.len(),
        "connecting is audited"
    );
    // Checkout.com was connected twice (secret key, then OAuth client): the second replaced the first.
    let mut providers: Vec<&str> = cases.iter().map(|(c, _)| c.provider()).collect();
    providers.dedup();
    for provider in providers {
        f.connections
            .disconnect(provider)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            f.keychain
                .get(&references[provider])
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none(),
            "{provider}: disconnect deletes the secret"
        );
    }
    assert!(f.connections.list().await.unwrap_or_default().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn refused_or_invalid_credentials_store_nothing_and_say_why() {
    let Some(f) = fixture("refused").await else {
        return;
    };
    let wrong = f
        .connections
        .connect(KeyCredentials::Stripe {
            secret_key: secret("sk_test_not_a_key_the_sandbox_knows"),
        })
        .await;
    assert!(
        matches!(&wrong, Err(ConnectError::Refused { reason, .. }) if reason.starts_with("Stripe refused the key")),
        "{wrong:?}"
    );
    let live = f
        .connections
        .connect(KeyCredentials::Stripe {
            secret_key: secret("sk_live_real_money"),
        })
        .await;
    assert!(
        matches!(&live, Err(ConnectError::Invalid { field: "secret_key", reason, .. }) if reason.contains("sandbox")),
        "{live:?}"
    );
    let payoneer = f
        .connections
        .connect(KeyCredentials::Payoneer {
            program_id: paysync_sandbox::payoneer::DEFAULT_PROGRAM_ID.to_owned(),
            client_id: paysync_sandbox::payoneer::DEFAULT_CLIENT_ID.to_owned(),
            client_secret: secret("wrong"),
        })
        .await;
    assert!(
        matches!(payoneer, Err(ConnectError::Refused { .. })),
        "{payoneer:?}"
    );
    let maldopay = f
        .connections
        .connect(KeyCredentials::Maldopay {
            client_id: paysync_sandbox::maldopay::DEFAULT_CLIENT_ID.to_owned(),
            brand_id: paysync_sandbox::maldopay::DEFAULT_BRAND_ID.to_owned(),
            api_key: secret("wrong"),
            callback_secret: secret("s"),
        })
        .await;
    assert!(
        matches!(maldopay, Err(ConnectError::Refused { .. })),
        "{maldopay:?}"
    );
    assert!(f.connections.list().await.unwrap_or_default().is_empty());
    // Nothing reached the keychain: a good key afterwards shows where the refused ones would be.
    let good = f
        .connections
        .connect(KeyCredentials::Stripe {
            secret_key: secret(paysync_sandbox::stripe::DEFAULT_TEST_KEY),
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let namespace = good
        .keychain_ref
        .as_deref()
        .and_then(|r| r.strip_suffix("/sandbox/stripe"))
        .unwrap_or_else(|| panic!("{good:?}"))
        .to_owned();
    for provider in ["payoneer", "maldopay"] {
        assert!(
            f.keychain
                .get(&format!("{namespace}/sandbox/{provider}"))
                .unwrap_or_else(|e| panic!("{e}"))
                .is_none()
        );
    }
    f.connections
        .disconnect("stripe")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let missing = f.connections.test("stripe").await;
    assert!(
        matches!(missing, Err(ConnectError::NotConnected { .. })),
        "{missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_connection_whose_keychain_entry_vanished_asks_to_reconnect() {
    let Some(f) = fixture("vanished").await else {
        return;
    };
    let conn = f
        .connections
        .connect(KeyCredentials::Stripe {
            secret_key: secret(paysync_sandbox::stripe::DEFAULT_TEST_KEY),
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    f.keychain
        .delete(conn.keychain_ref.as_deref().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    let test = f.connections.test("stripe").await;
    assert!(
        matches!(&test, Err(e @ ConnectError::ReconnectNeeded { .. }) if e.to_string().contains("reconnect stripe")),
        "{test:?}"
    );
    f.connections
        .disconnect("stripe")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn salesforce_connects_through_oauth_in_the_browser_and_keeps_its_tokens_in_the_keychain() {
    let Some(f) = fixture("salesforce").await else {
        return;
    };
    // The "system browser": answers the simulator's consent page like a person clicking Allow.
    let opened = Arc::new(std::sync::Mutex::new(String::new()));
    let seen = opened.clone();
    let conn = f
        .connections
        .connect_salesforce(move |url: &str| {
            *seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = url.to_owned();
            allow_in_browser(url)
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let url = opened
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    assert!(url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"), "{url}");
    assert_eq!(conn.provider, "salesforce");
    let org = conn.account_ref.clone().unwrap_or_default();
    assert!(org.starts_with("00D"), "the org id from the identity URL: {org}");
    assert!(
        conn.display_name.contains('@'),
        "the user's email: {}",
        conn.display_name
    );

    // The tokens are in the keychain, not in the database; the audit log names the user.
    let reference = conn.keychain_ref.clone().unwrap_or_default();
    let entry = f
        .keychain
        .get(&reference)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no tokens in the keychain"));
    let tokens: serde_json::Value = serde_json::from_str(entry.expose()).unwrap_or_default();
    let access = tokens["access_token"].as_str().unwrap_or_default().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap_or_default().to_owned();
    assert!(!access.is_empty() && !refresh.is_empty(), "both tokens kept");
    assert_not_in_files(f.dir.path(), &access);
    assert_not_in_files(f.dir.path(), &refresh);
    let audit = f
        .engine
        .audit_entries(10, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let connected = audit
        .iter()
        .find(|e| e.action.starts_with("connection.") && e.subject.contains("salesforce"))
        .unwrap_or_else(|| panic!("no audit entry: {audit:?}"));
    assert!(
        connected.actor.contains('@'),
        "the Salesforce user is the actor: {}",
        connected.actor
    );

    // The console names this user as the actor of what it audits from its next start.
    let user = paysync_app::connections::signed_in_user(f.engine.store(), "sandbox")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(user.as_deref(), Some(connected.actor.as_str()));

    let verdict = f
        .connections
        .test("salesforce")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(verdict.ok, "{}", verdict.message);
    assert!(
        verdict.message.contains("API requests used today"),
        "{}",
        verdict.message
    );

    // Disconnect revokes at Salesforce and deletes the tokens here.
    f.connections
        .disconnect("salesforce")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        f.keychain
            .get(&reference)
            .unwrap_or_else(|e| panic!("{e}"))
            .is_none()
    );
    assert_eq!(
        paysync_app::connections::signed_in_user(f.engine.store(), "sandbox")
            .await
            .unwrap_or_else(|e| panic!("{e}")),
        None,
        "disconnecting forgets the signed-in user"
    );
    let instance = tokens["instance_url"].as_str().unwrap_or_default();
    let after = reqwest::Client::new()
        .get(format!("{instance}/services/data/v66.0/limits"))
        .bearer_auth(&access)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or_default();
    assert_eq!(after, 401, "the revoked session no longer works");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_webhook_signing_secret_rolls_with_an_overlap_and_leaves_with_the_connection() {
    let Some(f) = fixture("webhook").await else {
        return;
    };
    f.connections
        .connect(KeyCredentials::Stripe {
            secret_key: secret(paysync_sandbox::stripe::DEFAULT_TEST_KEY),
        })
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let held = |f: &Fixture| {
        let connections = f.connections.clone();
        async move {
            connections
                .webhook_secrets("stripe")
                .await
                .unwrap_or_else(|e| panic!("{e}"))
                .iter()
                .map(|s| s.expose().clone())
                .collect::<Vec<_>>()
        }
    };
    assert!(held(&f).await.is_empty());
    let hour = chrono::Duration::hours(1);
    f.connections
        .set_webhook_secret("stripe", secret("whsec_first_canary_0001"), hour)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(held(&f).await, ["whsec_first_canary_0001"]);
    // A roll: both are accepted for the overlap, the new one first.
    f.connections
        .set_webhook_secret("stripe", secret(" whsec_second_canary_0002\n"), hour)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        held(&f).await,
        ["whsec_second_canary_0002", "whsec_first_canary_0001"]
    );
    // A roll without overlap ends the old one at once.
    f.connections
        .set_webhook_secret(
            "stripe",
            secret("whsec_third_canary_0003"),
            chrono::Duration::zero(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(held(&f).await, ["whsec_third_canary_0003"]);

    // What is not a signing secret, or an overlap past Stripe's 24 h, is refused by field.
    let refused = f
        .connections
        .set_webhook_secret("stripe", secret(paysync_sandbox::stripe::DEFAULT_TEST_KEY), hour)
        .await;
    assert!(
        matches!(
            refused,
            Err(ConnectError::Invalid {
                field: "signing secret",
                ..
            })
        ),
        "{refused:?}"
    );
    let refused = f
        .connections
        .set_webhook_secret("stripe", secret("whsec_fourth_0004"), chrono::Duration::hours(25))
        .await;
    assert!(
        matches!(refused, Err(ConnectError::Invalid { field: "overlap", .. })),
        "{refused:?}"
    );
    let refused = f
        .connections
        .set_webhook_secret("maldopay", secret("whsec_fifth_0005"), hour)
        .await;
    assert!(
        matches!(
            refused,
            Err(ConnectError::Invalid {
                field: "provider",
                ..
            })
        ),
        "{refused:?}"
    );
    // Payoneer's IPCN secret has no published format: only a too-short or spaced one is refused.
    let refused = f
        .connections
        .set_webhook_secret("payoneer", secret("short"), hour)
        .await;
    assert!(
        matches!(
            refused,
            Err(ConnectError::Invalid {
                field: "signing secret",
                ..
            })
        ),
        "{refused:?}"
    );
    f.connections
        .set_webhook_secret("payoneer", secret("ipcn-canary-secret-0006"), hour)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        f.connections
            .webhook_secrets("payoneer")
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .iter()
            .map(|s| s.expose().clone())
            .collect::<Vec<_>>(),
        vec!["ipcn-canary-secret-0006".to_owned()]
    );

    // Audited without the secret; nothing of it in the data directory.
    let audit = f
        .engine
        .audit_entries(50, 0)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        audit.iter().filter(|e| e.action == "webhook_secret.set").count(),
        4
    );
    for canary in [
        "whsec_first_canary_0001",
        "whsec_second_canary_0002",
        "whsec_third_canary_0003",
        "ipcn-canary-secret-0006",
    ] {
        assert_not_in_files(f.dir.path(), canary);
    }

    // Disconnecting Stripe takes the signing secret with it.
    f.connections
        .disconnect("stripe")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(held(&f).await.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_flows_salesforce_session_is_renewed_through_the_keychain_and_a_refused_renewal_asks_to_reconnect()
 {
    let Some(f) = fixture("salesforce-renew").await else {
        return;
    };
    f.connections
        .connect_salesforce(allow_in_browser)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (instance, first) = f
        .connections
        .salesforce_session()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // A flow whose session Salesforce ended asks for a new one: it is kept for the next start.
    let renewed = f
        .connections
        .renew_salesforce_session()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(renewed.expose(), first.expose());
    let (_, kept) = f
        .connections
        .salesforce_session()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        kept.expose(),
        renewed.expose(),
        "the new session is in the keychain"
    );
    let limits = reqwest::Client::new()
        .get(format!("{instance}/services/data/v66.0/limits"))
        .bearer_auth(renewed.expose())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or_default();
    assert_eq!(limits, 200, "the renewed session works");

    // Someone revokes Paysync's access in Salesforce: the next renewal is refused, and the
    // connection says to reconnect.
    let reference = f
        .connections
        .get("salesforce")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .and_then(|c| c.keychain_ref)
        .unwrap_or_default();
    let entry = f
        .keychain
        .get(&reference)
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("no tokens in the keychain"));
    let tokens: serde_json::Value = serde_json::from_str(entry.expose()).unwrap_or_default();
    let revoked = reqwest::Client::new()
        .post(format!("{}/services/oauth2/revoke", f._sandbox.urls.salesforce))
        .form(&[("token", tokens["refresh_token"].as_str().unwrap_or_default())])
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or_default();
    assert_eq!(revoked, 200);
    let refused = f.connections.renew_salesforce_session().await;
    let why = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(why.contains("Reconnect needed"), "{why}");
    let conn = f
        .connections
        .get("salesforce")
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .unwrap_or_else(|| panic!("the connection is kept"));
    assert!(
        conn.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("Reconnect needed"),
        "the card says to reconnect: {conn:?}"
    );
    f.connections
        .disconnect("salesforce")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}
