//! One console per data directory. The single-instance plugin brings an already-open window to
//! the front where a desktop session bus exists; this lock also holds where none does, so two
//! copies can never run the engine over one database.

use std::fs::{File, OpenOptions};
use std::path::Path;

/// The lock file inside the data directory.
pub const LOCK_FILE: &str = "console.lock";

/// Another console already runs on this data directory.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    /// The lock is held.
    #[error("Paysync is already running on {0}; use the open window (or its tray icon)")]
    AlreadyRunning(String),
    /// The lock file could not be opened.
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
}

/// Takes the exclusive lock; released when the returned file is dropped or the process ends.
pub fn lock(data_dir: &Path) -> Result<File, InstanceError> {
    let path = data_dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| InstanceError::Io(path.display().to_string(), e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(InstanceError::AlreadyRunning(data_dir.display().to_string()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(InstanceError::Io(path.display().to_string(), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_directory_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let first = lock(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(lock(dir.path()), Err(InstanceError::AlreadyRunning(_))));
        drop(first);
        assert!(lock(dir.path()).is_ok());
    }
}
