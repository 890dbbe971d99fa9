//! The OS keychain, the only place a secret is kept (ARCHITECTURE §3.7): Secret Service on Linux,
//! Keychain on macOS, Credential Manager on Windows, through the `keyring` crate. SQLite holds
//! only a connection's metadata and the name of its keychain entry. Where no keychain exists the
//! caller gets [`KeychainError::Unavailable`], loudly; there is no plaintext fallback.
//!
//! The OS APIs block (Secret Service is a D-Bus round trip), so async callers use the `*_async`
//! helpers, which run them on tokio's blocking pool.

use std::fmt::Debug;
use std::sync::{Arc, Once};

use paysync_core::Secret;

/// The keychain service name every Paysync entry is filed under.
pub const SERVICE: &str = "paysync";

/// What the keychain failed with.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No keychain answered (on Linux: no Secret Service on the session D-Bus, or it is locked).
    #[error(
        "no OS keychain is available ({0}). Paysync keeps secrets only in the OS keychain, never in \
         files: on Linux start a Secret Service (GNOME Keyring or KWallet) in your session and unlock it"
    )]
    Unavailable(String),
    /// The keychain answered but refused or failed the operation.
    #[error("the OS keychain refused {operation} of {reference}: {reason}")]
    Failed {
        /// `saving`, `reading` or `deleting`.
        operation: &'static str,
        /// The entry's name.
        reference: String,
        /// What the keychain said.
        reason: String,
    },
}

/// Where secrets are kept. The production implementation is [`OsKeychain`].
pub trait SecretStore: Send + Sync + Debug {
    /// Saves `secret` under `reference`, replacing what was there.
    fn put(&self, reference: &str, secret: &Secret<String>) -> Result<(), KeychainError>;
    /// The secret under `reference`, or `None` when there is none.
    fn get(&self, reference: &str) -> Result<Option<Secret<String>>, KeychainError>;
    /// Deletes the secret under `reference`; deleting nothing is not an error.
    fn delete(&self, reference: &str) -> Result<(), KeychainError>;
}

/// The OS keychain.
#[derive(Debug, Clone)]
pub struct OsKeychain {
    service: String,
}

impl OsKeychain {
    /// The keychain under Paysync's service name.
    pub fn new() -> Self {
        Self::with_service(SERVICE)
    }

    /// The keychain under another service name (tests use their own, to leave the user's alone).
    pub fn with_service(service: &str) -> Self {
        choose_backend();
        Self {
            service: service.to_owned(),
        }
    }

    fn entry(&self, reference: &str, operation: &'static str) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(&self.service, reference).map_err(|e| classify(e, operation, reference))
    }
}

impl Default for OsKeychain {
    fn default() -> Self {
        Self::new()
    }
}

impl SecretStore for OsKeychain {
    fn put(&self, reference: &str, secret: &Secret<String>) -> Result<(), KeychainError> {
        self.entry(reference, "saving")?
            .set_password(secret.expose())
            .map_err(|e| classify(e, "saving", reference))
    }

    fn get(&self, reference: &str) -> Result<Option<Secret<String>>, KeychainError> {
        match self.entry(reference, "reading")?.get_password() {
            Ok(value) => Ok(Some(Secret::new(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(classify(e, "reading", reference)),
        }
    }

    fn delete(&self, reference: &str) -> Result<(), KeychainError> {
        match self.entry(reference, "deleting")?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(classify(e, "deleting", reference)),
        }
    }
}

/// Saves on the blocking pool.
pub async fn put_async(
    store: Arc<dyn SecretStore>,
    reference: String,
    secret: Secret<String>,
) -> Result<(), KeychainError> {
    blocking(move || store.put(&reference, &secret)).await
}

/// Reads on the blocking pool.
pub async fn get_async(
    store: Arc<dyn SecretStore>,
    reference: String,
) -> Result<Option<Secret<String>>, KeychainError> {
    blocking(move || store.get(&reference)).await
}

/// Deletes on the blocking pool.
pub async fn delete_async(store: Arc<dyn SecretStore>, reference: String) -> Result<(), KeychainError> {
    blocking(move || store.delete(&reference)).await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, KeychainError> + Send + 'static,
) -> Result<T, KeychainError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| KeychainError::Unavailable(format!("the keychain call did not finish: {e}")))?
}

/// On Linux both Secret Service and the kernel keyring are compiled in; secrets must survive a
/// reboot, so Secret Service is chosen explicitly rather than left to the crate's default.
fn choose_backend() {
    static CHOSEN: Once = Once::new();
    CHOSEN.call_once(|| {
        #[cfg(target_os = "linux")]
        keyring::set_default_credential_builder(keyring::secret_service::default_credential_builder());
    });
}

fn classify(e: keyring::Error, operation: &'static str, reference: &str) -> KeychainError {
    match e {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            KeychainError::Unavailable(inner.to_string())
        }
        other => KeychainError::Failed {
            operation,
            reference: reference.to_owned(),
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs against the real OS keychain. `scripts/test.sh` provides one (gnome-keyring inside a
    /// private D-Bus session) and sets `PAYSYNC_REQUIRE_KEYCHAIN=1`, so there an absent keychain
    /// fails the test; elsewhere an absent keychain is reported and the test returns.
    fn keychain_or_skip() -> Option<OsKeychain> {
        let keychain = OsKeychain::with_service("paysync-test");
        let probe = format!("probe-{}", std::process::id());
        match keychain.get(&probe) {
            Ok(_) => Some(keychain),
            Err(e) if std::env::var_os("PAYSYNC_REQUIRE_KEYCHAIN").is_none() => {
                eprintln!("skipped: {e}");
                None
            }
            Err(e) => panic!("PAYSYNC_REQUIRE_KEYCHAIN is set but {e}"),
        }
    }

    #[test]
    fn a_secret_round_trips_through_the_os_keychain_and_is_deleted() {
        let Some(keychain) = keychain_or_skip() else {
            return;
        };
        let reference = format!("round-trip-{}", std::process::id());
        let secret = Secret::new("sk_test_keychain_round_trip".to_owned());
        keychain
            .put(&reference, &secret)
            .unwrap_or_else(|e| panic!("{e}"));
        // A new handle reads what the first one wrote: it is in the keychain, not in memory.
        let again = OsKeychain::with_service("paysync-test");
        let read = again.get(&reference).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.as_ref().map(Secret::expose), Some(secret.expose()));
        keychain
            .put(&reference, &Secret::new("replaced".to_owned()))
            .unwrap_or_else(|e| panic!("{e}"));
        let replaced = again.get(&reference).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(replaced.as_ref().map(|s| s.expose().as_str()), Some("replaced"));
        keychain.delete(&reference).unwrap_or_else(|e| panic!("{e}"));
        assert!(again.get(&reference).unwrap_or_else(|e| panic!("{e}")).is_none());
        keychain
            .delete(&reference)
            .unwrap_or_else(|e| panic!("deleting nothing: {e}"));
    }

    #[test]
    fn without_a_session_bus_the_keychain_is_unavailable_not_a_file() {
        // A child process with no D-Bus address: the keychain must refuse loudly.
        if std::env::var_os("PAYSYNC_KEYCHAIN_CHILD").is_some() {
            let keychain = OsKeychain::with_service("paysync-test");
            match keychain.put("nowhere", &Secret::new("x".to_owned())) {
                Err(KeychainError::Unavailable(_)) => std::process::exit(0),
                other => {
                    eprintln!("expected Unavailable, got {other:?}");
                    std::process::exit(1)
                }
            }
        }
        let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
        let status = std::process::Command::new(exe)
            .args([
                "--exact",
                "keychain::tests::without_a_session_bus_the_keychain_is_unavailable_not_a_file",
            ])
            .env("PAYSYNC_KEYCHAIN_CHILD", "1")
            .env(
                "DBUS_SESSION_BUS_ADDRESS",
                "unix:path=/nonexistent/paysync-test-bus",
            )
            .env_remove("DISPLAY")
            .status()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(status.success(), "the child did not see Unavailable");
    }
}
