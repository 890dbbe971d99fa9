//! The OAuth clients' typed errors. No variant carries a token, a code or a client secret, so
//! `Display` and `Debug` are safe to log and to show to the person connecting.

use super::loopback::LoopbackError;

/// Why an OAuth operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// The configuration cannot work (a malformed URL, an invalid My Domain name, …).
    #[error("invalid OAuth configuration: {0}")]
    Config(String),
    /// The system browser could not be opened for the consent page.
    #[error("could not open the browser for sign-in: {0}")]
    Browser(String),
    /// The browser's redirect to the loopback listener did not bring a usable code.
    #[error(transparent)]
    Callback(#[from] LoopbackError),
    /// The authorization server refused the request (a terminal OAuth error such as
    /// `invalid_client`, `invalid_grant` on a code, `invalid_scope`, `invalid_token`).
    #[error("{operation} was refused: {error}{}", describe(description))]
    Refused {
        /// What was attempted, e.g. `Salesforce code exchange`.
        operation: String,
        /// The OAuth error code, e.g. `invalid_grant`.
        error: String,
        /// The provider's `error_description` (may be empty).
        description: String,
    },
    /// The stored grant no longer works (refresh token revoked or expired, `invalid_grant`):
    /// a person must connect the account again. Retrying cannot help.
    #[error("the connection must be re-authorized: {reason}")]
    ReconnectNeeded {
        /// The provider's explanation.
        reason: String,
    },
    /// A network failure, a timeout, `429` or a `5xx`: nothing is wrong with the grant; try later.
    #[error("{operation} failed temporarily: {message}")]
    Unavailable {
        /// What was attempted.
        operation: String,
        /// What failed (no secrets).
        message: String,
        /// The HTTP status, if the server answered.
        status: Option<u16>,
    },
    /// The server answered something that cannot be used (malformed JSON, a missing field, an
    /// unexpected content type or redirect).
    #[error("unexpected answer to the {operation}: {message}")]
    InvalidResponse {
        /// What was attempted.
        operation: String,
        /// What was wrong with it (no secrets).
        message: String,
    },
}

fn describe(description: &str) -> String {
    if description.is_empty() {
        String::new()
    } else {
        format!(" ({description})")
    }
}

impl OAuthError {
    /// Whether trying the same operation again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Unavailable { .. })
    }

    /// The OAuth error code of a refusal (`invalid_grant`, `access_denied`, …), if there is one.
    pub fn oauth_code(&self) -> Option<&str> {
        match self {
            Self::Refused { error, .. } => Some(error),
            Self::Callback(LoopbackError::Denied { error, .. }) => Some(error),
            Self::ReconnectNeeded { .. } => Some("invalid_grant"),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_clear_and_classified() {
        let e = OAuthError::Refused {
            operation: "Salesforce code exchange".into(),
            error: "invalid_grant".into(),
            description: "invalid code verifier".into(),
        };
        assert_eq!(
            e.to_string(),
            "Salesforce code exchange was refused: invalid_grant (invalid code verifier)"
        );
        assert_eq!(e.oauth_code(), Some("invalid_grant"));
        assert!(!e.is_retryable());
        let e = OAuthError::Unavailable {
            operation: "Salesforce token refresh".into(),
            message: "HTTP 503".into(),
            status: Some(503),
        };
        assert!(e.is_retryable());
        let e = OAuthError::ReconnectNeeded {
            reason: "expired access/refresh token".into(),
        };
        assert!(e.to_string().contains("re-authorized"), "{e}");
        assert!(!e.is_retryable());
    }
}
