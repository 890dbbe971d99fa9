//! `Idempotency-Key` handling (apis.md §2.2, reliability.md §1.1): the first request's status and
//! body are saved once execution begins (errors included) and replayed for the same key and
//! parameters; another endpoint or other parameters → 400 `idempotency_error`; a retry while the
//! first is still executing → 409 `idempotency_key_in_use`; keys are pruned after 24 h on the
//! sandbox clock, after which the key starts a new request.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::errors::{ApiError, IDEMPOTENCY_ERROR, INVALID_REQUEST};
use super::state::State;

/// Longest key Stripe accepts.
pub const MAX_KEY_LEN: usize = 255;
/// How long a key is remembered, in seconds.
pub const TTL_SECS: i64 = 24 * 3600;

/// What happened to the first request with a key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum IdemOutcome {
    /// Still executing.
    InFlight,
    /// Finished with this response.
    Done {
        /// HTTP status.
        status: u16,
        /// JSON body.
        body: Value,
    },
}

/// One remembered key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IdemEntry {
    /// `POST /v1/customers`.
    pub endpoint: String,
    /// Canonical parameters of the first request.
    pub params: String,
    /// When it was first used (Unix seconds, sandbox clock).
    pub created: i64,
    /// The request id of the first request (sent back as `Original-Request`).
    pub request_id: String,
    /// Its outcome.
    pub outcome: IdemOutcome,
}

/// What to do with an incoming keyed request.
#[derive(Debug)]
pub enum Claim {
    /// First use: execute it (the key is now claimed in flight).
    Execute,
    /// Seen before: answer with the saved response.
    Replay {
        /// Saved status.
        status: u16,
        /// Saved body.
        body: Value,
        /// The original request id.
        original_request: String,
    },
    /// Refused.
    Refuse(ApiError),
}

/// Checks the key's length (a validation failure, never saved).
pub fn check_key(key: &str) -> Result<(), ApiError> {
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(ApiError::param(
            "Idempotency-Key",
            format!("Invalid Idempotency-Key: keys must be between 1 and {MAX_KEY_LEN} characters long."),
        ));
    }
    Ok(())
}

/// Claims `key` for a request, or says why not.
pub fn claim(st: &mut State, key: &str, endpoint: &str, params: &str, now: i64, request_id: &str) -> Claim {
    st.idempotency.retain(|_, e| now - e.created < TTL_SECS);
    if let Some(entry) = st.idempotency.get(key) {
        if entry.endpoint != endpoint {
            return Claim::Refuse(ApiError::new(
                StatusCode::BAD_REQUEST,
                IDEMPOTENCY_ERROR,
                format!(
                    "Keys for idempotent requests can only be used for the same endpoint they were first \
                     used for ('{}' vs '{endpoint}'). Try using a key other than '{key}' if you meant to \
                     execute a different request.",
                    entry.endpoint
                ),
            ));
        }
        if entry.params != params {
            return Claim::Refuse(ApiError::new(
                StatusCode::BAD_REQUEST,
                IDEMPOTENCY_ERROR,
                format!(
                    "Keys for idempotent requests can only be used with the same parameters they were \
                     first used with. Try using a key other than '{key}' if you meant to execute a \
                     different request."
                ),
            ));
        }
        return match &entry.outcome {
            IdemOutcome::InFlight => Claim::Refuse(
                ApiError::new(
                    StatusCode::CONFLICT,
                    INVALID_REQUEST,
                    format!(
                        "There is currently another in-progress request using this Idempotent Key (that \
                         probably means you submitted twice, and the other request is still going \
                         through): {key}. Please try again later."
                    ),
                )
                .with_code("idempotency_key_in_use"),
            ),
            IdemOutcome::Done { status, body } => Claim::Replay {
                status: *status,
                body: body.clone(),
                original_request: entry.request_id.clone(),
            },
        };
    }
    st.idempotency.insert(
        key.to_owned(),
        IdemEntry {
            endpoint: endpoint.to_owned(),
            params: params.to_owned(),
            created: now,
            request_id: request_id.to_owned(),
            outcome: IdemOutcome::InFlight,
        },
    );
    Claim::Execute
}

/// Saves the response of an executed request.
pub fn finish(st: &mut State, key: &str, status: u16, body: &Value) {
    if let Some(e) = st.idempotency.get_mut(key) {
        e.outcome = IdemOutcome::Done {
            status,
            body: body.clone(),
        };
    }
}

/// Forgets a claim whose request failed validation (nothing is saved, a retry runs afresh).
pub fn release(st: &mut State, key: &str) {
    if matches!(
        st.idempotency.get(key).map(|e| &e.outcome),
        Some(IdemOutcome::InFlight)
    ) {
        st.idempotency.remove(key);
    }
}

/// Drops claims that were in flight when a snapshot was taken (their requests are gone).
pub fn drop_in_flight(st: &mut State) {
    st.idempotency
        .retain(|_, e| !matches!(e.outcome, IdemOutcome::InFlight));
}
