//! The one error type that crosses IPC: a closed set of codes the UI switches on, a message in
//! words a finance person understands, and the technical detail one click away.

use paysync_app::ConsoleError;
use paysync_app::connections::ConnectError;
use paysync_engine::EngineError;
use paysync_store::StoreError;
use serde::{Deserialize, Serialize};

/// What to tell a person when the audit log failed verification, wherever it was detected.
const TAMPERED: &str = "The audit log has been changed outside Paysync. Stop and contact your administrator.";

/// What kind of failure it was; the UI decides colour, wording and whether to offer a retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCode {
    /// The input is not valid; the message names the field.
    Validation,
    /// The thing asked for does not exist.
    NotFound,
    /// The thing is in a state that forbids the action.
    Conflict,
    /// A run of that flow is already going.
    AlreadyRunning,
    /// The audit log failed verification.
    AuditTampered,
    /// The engine is still starting, or failed to start.
    Unavailable,
    /// Anything else: a bug or an I/O failure.
    Internal,
}

/// An error returned by a command.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct IpcError {
    /// The kind.
    pub code: ErrorCode,
    /// What happened, in plain words.
    pub message: String,
    /// The technical text, for support.
    pub detail: Option<String>,
    /// Whether trying again may help.
    pub retryable: bool,
}

impl IpcError {
    fn new(code: ErrorCode, message: impl Into<String>, detail: String, retryable: bool) -> Self {
        Self {
            code,
            message: message.into(),
            detail: Some(detail),
            retryable,
        }
    }

    /// The engine has not finished starting, or could not start.
    pub fn unavailable(why: &str) -> Self {
        Self::new(
            ErrorCode::Unavailable,
            "Paysync's engine is not running yet.",
            why.to_owned(),
            true,
        )
    }
}

impl From<ConsoleError> for IpcError {
    fn from(e: ConsoleError) -> Self {
        let detail = format!("{e:#}");
        match e {
            ConsoleError::Engine(engine) => from_engine(engine, detail),
            ConsoleError::NotFound { what, .. } => Self::new(
                ErrorCode::NotFound,
                format!("That {what} no longer exists."),
                detail,
                false,
            ),
            ConsoleError::Sandbox(_) | ConsoleError::Http(_) => Self::new(
                ErrorCode::Unavailable,
                "The local sandbox is not available.",
                detail,
                true,
            ),
            ConsoleError::Connect(connect) => from_connect(connect, detail),
            ConsoleError::Background(_) => Self::new(
                ErrorCode::Internal,
                "Something went wrong inside Paysync; the log has the details.",
                detail,
                false,
            ),
        }
    }
}

/// Connection failures carry words written for the person connecting (they name the field or
/// quote the provider), so the message is the error's own.
fn from_connect(e: ConnectError, detail: String) -> IpcError {
    let message = e.to_string();
    match e {
        ConnectError::Invalid { .. }
        | ConnectError::Refused { .. }
        | ConnectError::UnknownProfile(_)
        | ConnectError::NoUrl { .. } => IpcError::new(ErrorCode::Validation, message, detail, false),
        ConnectError::NotConnected { .. } => IpcError::new(ErrorCode::NotFound, message, detail, false),
        ConnectError::ReconnectNeeded { .. } => IpcError::new(ErrorCode::Conflict, message, detail, false),
        ConnectError::Unreachable { .. } | ConnectError::Keychain(_) => {
            IpcError::new(ErrorCode::Unavailable, message, detail, true)
        }
        ConnectError::Store(_) => IpcError::new(
            ErrorCode::Internal,
            "Paysync could not save the connection; the log has the details.",
            detail,
            false,
        ),
    }
}

fn from_engine(e: EngineError, detail: String) -> IpcError {
    match e {
        EngineError::NotFound { what, .. } => IpcError::new(
            ErrorCode::NotFound,
            format!("That {what} does not exist."),
            detail,
            false,
        ),
        EngineError::Invalid { field, message } => IpcError::new(
            ErrorCode::Validation,
            format!("Please check {field}: {message}."),
            detail,
            false,
        ),
        EngineError::AlreadyRunning { flow } => IpcError::new(
            ErrorCode::AlreadyRunning,
            format!("{flow} is already running; wait for it to finish."),
            detail,
            true,
        ),
        EngineError::AuditTampered(_) => IpcError::new(ErrorCode::AuditTampered, TAMPERED, detail, false),
        EngineError::Refused(why) => IpcError::new(ErrorCode::Conflict, why, detail, false),
        EngineError::Provider(why) => IpcError::new(ErrorCode::Unavailable, why, detail, true),
        EngineError::Unavailable(why) => IpcError::new(ErrorCode::Unavailable, why, detail, false),
        EngineError::Store(s) => from_store(s, detail),
        EngineError::Io { .. } => IpcError::new(
            ErrorCode::Internal,
            "Paysync could not read or write one of its files.",
            detail,
            true,
        ),
    }
}

fn from_store(e: StoreError, detail: String) -> IpcError {
    match e {
        StoreError::NotFound { .. } => {
            IpcError::new(ErrorCode::NotFound, "That record does not exist.", detail, false)
        }
        StoreError::Validation { .. } => IpcError::new(
            ErrorCode::Validation,
            "Some of the information is not valid.",
            detail,
            false,
        ),
        StoreError::InvalidState { .. } | StoreError::Conflict { .. } => IpcError::new(
            ErrorCode::Conflict,
            "Someone or something changed this in the meantime; refresh and try again.",
            detail,
            true,
        ),
        StoreError::Audit(_) => IpcError::new(ErrorCode::AuditTampered, TAMPERED, detail, false),
        _ => IpcError::new(
            ErrorCode::Internal,
            "Paysync's database could not complete the request.",
            detail,
            true,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_errors_map_to_codes_with_words_and_detail() {
        let e = IpcError::from(ConsoleError::Engine(EngineError::AlreadyRunning {
            flow: "audit.verify".into(),
        }));
        assert_eq!(e.code, ErrorCode::AlreadyRunning);
        assert!(e.retryable);
        assert!(e.message.contains("audit.verify"));
        assert!(e.detail.is_some_and(|d| d.contains("already running")));

        let e = IpcError::from(ConsoleError::Engine(EngineError::Invalid {
            field: "preference",
            message: "\"X\" is not a preference name".into(),
        }));
        assert_eq!(e.code, ErrorCode::Validation);
        assert!(e.message.contains("preference"));

        let e = IpcError::from(ConsoleError::Engine(EngineError::AuditTampered("entry 3".into())));
        assert_eq!(e.code, ErrorCode::AuditTampered);
        assert!(!e.retryable);
    }

    #[test]
    fn the_wire_shape_is_camel_case() {
        let json = serde_json::to_value(IpcError::unavailable("starting")).unwrap_or_default();
        assert_eq!(json["code"], "unavailable");
        assert_eq!(json["retryable"], true);
    }
}
