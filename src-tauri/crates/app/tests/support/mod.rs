//! What the app's integration tests share: the real OS keychain (or a reported skip where there
//! is none and none is required) and the scan of a data directory for secrets.

use paysync_app::keychain::{OsKeychain, SecretStore};

/// The OS keychain under `service`. `scripts/test.sh` provides one (gnome-keyring on a private
/// D-Bus session) and sets `PAYSYNC_REQUIRE_KEYCHAIN=1`, so there an absent keychain fails the
/// test; elsewhere it is reported and the test returns.
pub fn keychain_or_skip(service: &str) -> Option<OsKeychain> {
    let keychain = OsKeychain::with_service(service);
    match keychain.get("probe") {
        Ok(_) => Some(keychain),
        Err(e) => {
            assert!(
                std::env::var_os("PAYSYNC_REQUIRE_KEYCHAIN").is_none(),
                "PAYSYNC_REQUIRE_KEYCHAIN is set but {e}"
            );
            eprintln!("skipped: {e}");
            None
        }
    }
}

/// Every file below `dir`.
pub fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// No file below `dir` (database, WAL, config, logs) holds `secret`.
pub fn assert_not_in_files(dir: &std::path::Path, secret: &str) {
    for file in files_under(dir) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{} holds a secret",
            file.display()
        );
    }
}

/// The "system browser" for Salesforce sign-in against the simulator: answers its consent page
/// like a person clicking Allow, in the background while the sign-in waits for the callback.
pub fn allow_in_browser(url: &str) -> Result<(), String> {
    let url = url.to_owned();
    tokio::spawn(async move { paysync_sandbox::salesforce::browser::answer_consent(&url, true).await });
    Ok(())
}
