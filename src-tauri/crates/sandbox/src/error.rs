//! The sandbox's errors.

/// Why a simulator could not start, load or save.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The listening socket could not be bound.
    #[error("could not listen: {0}")]
    Bind(#[source] std::io::Error),
    /// A state file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A state snapshot was not valid JSON for the simulator.
    #[error("invalid snapshot: {0}")]
    Snapshot(#[from] serde_json::Error),
    /// Anything else that is wrong with the request or configuration.
    #[error("{0}")]
    Invalid(String),
}

impl SandboxError {
    /// An I/O error on `path`.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
