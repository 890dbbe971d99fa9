//! The engine's typed errors. The desktop shell maps them to a closed error-code enum and the CLI
//! to exit codes, so every variant says what a person can do about it.

use paysync_store::StoreError;

/// Everything the engine façade can fail with.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The local store failed or refused.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A named thing does not exist.
    #[error("{what} {id} was not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// Its id or name.
        id: String,
    },
    /// The request is not valid; `field` names what to fix.
    #[error("invalid {field}: {message}")]
    Invalid {
        /// The offending field.
        field: &'static str,
        /// Why it is invalid.
        message: String,
    },
    /// A run of this flow is already live; two runs of one flow never overlap.
    #[error("flow {flow} is already running")]
    AlreadyRunning {
        /// The flow.
        flow: String,
    },
    /// The action is not allowed as things stand (four eyes, a batch already sent); the message
    /// says why.
    #[error("{0}")]
    Refused(String),
    /// A provider call the action needs failed; nothing was changed locally.
    #[error("{0}")]
    Provider(String),
    /// The feature needs an account that is not connected.
    #[error("{0}")]
    Unavailable(String),
    /// The audit log failed verification: someone or something changed it.
    #[error("the audit log failed verification: {0}")]
    AuditTampered(String),
    /// A local file (configuration, key) could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl EngineError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.display().to_string(),
            source,
        }
    }
}
