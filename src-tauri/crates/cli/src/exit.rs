//! Exit codes, documented in the README, so scripts can tell failures apart.

use paysync_engine::EngineError;
use paysync_store::StoreError;

/// Success.
pub const OK: u8 = 0;
/// An unexpected failure (I/O, database, bug).
pub const FAILURE: u8 = 1;
/// The command line was malformed (clap's own code).
pub const USAGE: u8 = 2;
/// The audit log failed verification.
pub const AUDIT_TAMPERED: u8 = 3;
/// The named thing does not exist.
pub const NOT_FOUND: u8 = 4;
/// The input or the configuration is invalid, or the item is in a state that forbids the action.
pub const INVALID: u8 = 5;
/// A run of the flow is already live.
pub const ALREADY_RUNNING: u8 = 6;

/// The exit code for an error that reached `main`.
pub fn code_for(err: &anyhow::Error) -> u8 {
    if let Some(e) = err.downcast_ref::<EngineError>() {
        return match e {
            EngineError::AuditTampered(_) => AUDIT_TAMPERED,
            EngineError::NotFound { .. } => NOT_FOUND,
            EngineError::Invalid { .. } | EngineError::Refused(_) => INVALID,
            EngineError::Provider(_) | EngineError::Unavailable(_) => FAILURE,
            EngineError::AlreadyRunning { .. } => ALREADY_RUNNING,
            EngineError::Store(s) => store_code(s),
            EngineError::Io { .. } => FAILURE,
        };
    }
    if err.downcast_ref::<paysync_app::ConfigError>().is_some() {
        return INVALID;
    }
    FAILURE
}

fn store_code(e: &StoreError) -> u8 {
    match e {
        StoreError::NotFound { .. } => NOT_FOUND,
        StoreError::Validation { .. } | StoreError::InvalidState { .. } | StoreError::Conflict { .. } => {
            INVALID
        }
        StoreError::Audit(_) => AUDIT_TAMPERED,
        _ => FAILURE,
    }
}
