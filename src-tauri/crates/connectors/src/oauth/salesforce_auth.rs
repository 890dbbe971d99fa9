//! [`SalesforceAuthenticator`]: Salesforce credentials for the [`crate::http::Executor`].
//!
//! It sends `Authorization: Bearer <access token>`. When the executor reports a 401 it refreshes
//! with the refresh token, once per failed token: refreshes are serialized and keyed by the
//! [`TokenFingerprint`] of the token that failed, so many concurrent 401s cause one refresh.
//! New tokens go to a [`TokenSink`] (the keychain) before they are used.
//!
//! If Salesforce refuses the refresh token (`invalid_grant`), or there is none, the
//! authenticator enters a "reconnect needed" state: every request fails at once with
//! [`HttpError::AuthRefused`] and no further refresh is tried until it is replaced. A refresh
//! that fails for a transient reason (network, `5xx`) is reported as retriable and leaves the
//! state alone.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use paysync_core::Secret;
use reqwest::RequestBuilder;
use tokio::sync::RwLock;

use super::OAuthError;
use super::salesforce::{RefreshedToken, SalesforceOAuth, SalesforceTokens};
use crate::http::{Authenticator, HttpError, TokenFingerprint};

/// The endpoint label used in errors from the token endpoint.
const TOKEN_ENDPOINT: &str = "salesforce:POST /services/oauth2/token";

/// Where refreshed tokens are persisted (the OS keychain). Implemented by the caller.
#[async_trait]
pub trait TokenSink: Send + Sync + fmt::Debug {
    /// Stores the tokens of a successful refresh. A rotated refresh token is in
    /// `tokens.refresh_token`; when that is `None` the stored one stays valid.
    async fn store(&self, tokens: &RefreshedToken) -> Result<(), String>;
}

#[derive(Debug)]
struct State {
    access_token: Secret<String>,
    refresh_token: Option<Secret<String>>,
    /// Set once the grant is dead; then nothing is refreshed any more.
    reconnect_reason: Option<String>,
}

/// Bearer credentials for Salesforce, refreshed on a 401.
#[derive(Debug)]
pub struct SalesforceAuthenticator {
    oauth: SalesforceOAuth,
    sink: Arc<dyn TokenSink>,
    state: RwLock<State>,
}

fn reconnect_error(reason: &str) -> HttpError {
    HttpError::AuthRefused {
        endpoint: String::new(),
        message: format!("Salesforce must be reconnected: {reason}"),
    }
}

impl SalesforceAuthenticator {
    /// Credentials from stored tokens. Without a refresh token a 401 means "reconnect needed".
    pub fn new(
        oauth: SalesforceOAuth,
        access_token: Secret<String>,
        refresh_token: Option<Secret<String>>,
        sink: Arc<dyn TokenSink>,
    ) -> Self {
        Self {
            oauth,
            sink,
            state: RwLock::new(State {
                access_token,
                refresh_token,
                reconnect_reason: None,
            }),
        }
    }

    /// Credentials from a completed sign-in.
    pub fn from_tokens(oauth: SalesforceOAuth, tokens: &SalesforceTokens, sink: Arc<dyn TokenSink>) -> Self {
        Self::new(
            oauth,
            tokens.access_token.clone(),
            tokens.refresh_token.clone(),
            sink,
        )
    }

    /// Why the connection must be re-authorized, if it must.
    pub async fn reconnect_needed(&self) -> Option<String> {
        self.state.read().await.reconnect_reason.clone()
    }

    /// The fingerprint of the credentials currently sent.
    pub async fn fingerprint(&self) -> TokenFingerprint {
        fingerprint(&self.state.read().await.access_token)
    }
}

fn fingerprint(token: &Secret<String>) -> TokenFingerprint {
    TokenFingerprint::of(&format!("Bearer {}", token.expose()))
}

#[async_trait]
impl Authenticator for SalesforceAuthenticator {
    async fn apply(&self, req: RequestBuilder) -> Result<RequestBuilder, HttpError> {
        let state = self.state.read().await;
        if let Some(reason) = &state.reconnect_reason {
            return Err(reconnect_error(reason));
        }
        Ok(req.bearer_auth(state.access_token.expose()))
    }

    async fn refresh(&self, failed: &TokenFingerprint) -> Result<(), HttpError> {
        // The write lock serializes refreshes; whoever gets it second sees a new fingerprint.
        let mut state = self.state.write().await;
        if let Some(reason) = &state.reconnect_reason {
            return Err(reconnect_error(reason));
        }
        if fingerprint(&state.access_token) != *failed {
            return Ok(());
        }
        let Some(refresh_token) = state.refresh_token.clone() else {
            let reason = "the access token expired and no refresh token was granted".to_owned();
            let e = reconnect_error(&reason);
            state.reconnect_reason = Some(reason);
            return Err(e);
        };
        match self.oauth.refresh(&refresh_token).await {
            Ok(fresh) => {
                if let Err(e) = self.sink.store(&fresh).await {
                    // The new token works; if the refresh token rotated and was not stored, the
                    // next start finds a dead grant and asks to reconnect (never a retry loop).
                    tracing::error!(error = %super::transport::clean_text(&e), "Could not store the refreshed Salesforce tokens.");
                }
                state.access_token = fresh.access_token;
                if let Some(rotated) = fresh.refresh_token {
                    state.refresh_token = Some(rotated);
                }
                tracing::info!("Salesforce access token refreshed.");
                Ok(())
            }
            Err(OAuthError::Unavailable { message, .. }) => Err(HttpError::Connect {
                endpoint: TOKEN_ENDPOINT.to_owned(),
                message: format!("token refresh failed: {message}"),
            }),
            Err(e) => {
                let reason = match e {
                    OAuthError::ReconnectNeeded { reason } => reason,
                    other => other.to_string(),
                };
                tracing::warn!(%reason, "Salesforce refresh refused; the connection needs to be re-authorized.");
                let err = reconnect_error(&reason);
                state.reconnect_reason = Some(reason);
                Err(err)
            }
        }
    }

    async fn known_secrets(&self) -> Vec<String> {
        let state = self.state.read().await;
        std::iter::once(state.access_token.expose().clone())
            .chain(state.refresh_token.as_ref().map(|t| t.expose().clone()))
            .collect()
    }
}
