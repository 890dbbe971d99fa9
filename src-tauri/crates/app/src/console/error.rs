//! What the console façade fails with. The desktop shell maps these to a closed set of error
//! codes; the messages are for people.

use paysync_engine::EngineError;

use crate::sandbox::StartError;

/// Everything the console can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// The engine failed or refused.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The sandbox did not start or stop cleanly.
    #[error(transparent)]
    Sandbox(#[from] StartError),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Http(String),
    /// Connecting, testing or disconnecting an account failed.
    #[error(transparent)]
    Connect(#[from] crate::connections::ConnectError),
    /// A background task of the console died (a panic, which the log holds).
    #[error("{0}")]
    Background(String),
    /// A named thing does not exist.
    #[error("{what} {id} was not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// Its id.
        id: String,
    },
}

impl ConsoleError {
    /// A request the console refuses, naming the field (shown like the engine's own refusals).
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Engine(EngineError::Invalid {
            field,
            message: message.into(),
        })
    }
}

impl From<paysync_sandbox::SandboxError> for ConsoleError {
    fn from(e: paysync_sandbox::SandboxError) -> Self {
        Self::Sandbox(StartError::Sandbox(e))
    }
}
