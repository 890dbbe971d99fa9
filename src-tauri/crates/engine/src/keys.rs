//! The audit chain's HMAC key. It lives in an owner-only file beside the database, never in the
//! database itself, so an edit to the database cannot be re-chained.
//! (When OS-keychain connections land, the key and the chain's head move to the keychain.)

use std::io::Write;
use std::path::Path;

use paysync_core::RandomSource;
use paysync_store::AuditKey;

use crate::error::EngineError;

const KEY_BYTES: usize = 32;

/// Loads the audit key at `path`, creating a fresh random one (mode 0600) if there is none.
pub fn load_or_create_audit_key(path: &Path, rng: &dyn RandomSource) -> Result<AuditKey, EngineError> {
    let invalid = |message: String| EngineError::Invalid {
        field: "audit key file",
        message,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim())
                .map_err(|e| invalid(format!("{} is not a hex-encoded key: {e}", path.display())))?;
            AuditKey::new(bytes).map_err(EngineError::from)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = vec![0u8; KEY_BYTES];
            rng.fill_bytes(&mut key);
            let mut file = create_owner_only(path).map_err(|e| EngineError::io(path, e))?;
            file.write_all(hex::encode(&key).as_bytes())
                .and_then(|()| file.sync_all())
                .map_err(|e| EngineError::io(path, e))?;
            AuditKey::new(key).map_err(EngineError::from)
        }
        Err(e) => Err(EngineError::io(path, e)),
    }
}

#[cfg(unix)]
fn create_owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_owner_only(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use paysync_core::SeededRandom;

    use super::*;

    #[test]
    fn creates_once_then_loads_the_same_key() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = dir.path().join("audit.key");
        let rng = SeededRandom::new(3);
        assert!(load_or_create_audit_key(&path, &rng).is_ok());
        let first = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(load_or_create_audit_key(&path, &rng).is_ok());
        assert_eq!(std::fs::read_to_string(&path).unwrap_or_default(), first);
        assert_eq!(first.len(), KEY_BYTES * 2);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            assert_eq!(mode, 0o600);
        }
    }

    #[test]
    fn rejects_a_corrupt_key_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let path = dir.path().join("audit.key");
        std::fs::write(&path, "not hex").unwrap_or_else(|e| panic!("write: {e}"));
        assert!(matches!(
            load_or_create_audit_key(&path, &SeededRandom::new(1)),
            Err(EngineError::Invalid { .. })
        ));
    }
}
