//! Where Paysync keeps its files: the platform's app-data directory unless `--data-dir` or
//! `PAYSYNC_DATA_DIR` says otherwise. Every path goes through here, so tests can point the whole
//! program at a temporary directory and never touch the real one.

use std::path::{Path, PathBuf};

/// The configuration file's name inside the data directory.
pub const CONFIG_FILE: &str = "paysync.toml";

/// The data directory: the explicit one if given, else the platform default
/// (`~/.local/share/paysync` on Linux, `~/Library/Application Support/com.paysync.Paysync` on macOS,
/// `%APPDATA%\Paysync\Paysync\data` on Windows).
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf, PathError> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    directories::ProjectDirs::from("com", "Paysync", "Paysync")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(PathError::NoHome)
}

/// Where Paysync's files cannot be placed.
#[derive(Debug, thiserror::Error)]
pub enum PathError {
    /// There is no home directory to derive the default data directory from.
    #[error("no home directory to put Paysync's data in; pass --data-dir or set PAYSYNC_DATA_DIR")]
    NoHome,
}

/// The configuration file: the explicit one if given, else `<data dir>/paysync.toml`.
pub fn config_file(explicit: Option<&Path>, data_dir: &Path) -> PathBuf {
    explicit.map_or_else(|| data_dir.join(CONFIG_FILE), Path::to_path_buf)
}

/// The log directory inside the data directory.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}
