//! The two halves of a started sign-in: [`PendingCodeFlow`] (listener bound, authorize URL ready)
//! and [`ReceivedCode`] (the callback brought a code that is not exchanged yet). They carry the
//! flow's `state` and PKCE verifier, which never leave this module except to the token endpoint.

use std::fmt;

use paysync_core::Secret;

use super::{AuthorizationCodeClient, OAuthTokens};
use crate::oauth::OAuthError;
use crate::oauth::loopback::LoopbackListener;

/// A started sign-in: the loopback listener is bound and the authorize URL is ready.
pub struct PendingCodeFlow {
    client: AuthorizationCodeClient,
    listener: LoopbackListener,
    url: String,
    redirect_uri: String,
    state: Secret<String>,
    verifier: Secret<String>,
}

impl fmt::Debug for PendingCodeFlow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingCodeFlow")
            .field("provider", &self.client.config().provider)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl PendingCodeFlow {
    pub(super) fn new(
        client: AuthorizationCodeClient,
        listener: LoopbackListener,
        url: String,
        state: Secret<String>,
        verifier: Secret<String>,
    ) -> Self {
        let redirect_uri = listener.redirect_uri().to_owned();
        Self {
            client,
            listener,
            url,
            redirect_uri,
            state,
            verifier,
        }
    }

    /// The authorize URL to open in the system browser.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The loopback redirect URI, `http://127.0.0.1:{port}/callback`.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Waits for the browser's callback (at most the configured timeout) and returns the code.
    /// The listener is closed when this returns.
    pub async fn callback(self) -> Result<ReceivedCode, OAuthError> {
        let timeout = self.client.config().callback_timeout;
        let code = self.listener.wait_for_code(&self.state, timeout).await?;
        Ok(ReceivedCode {
            client: self.client,
            code,
            verifier: self.verifier,
            redirect_uri: self.redirect_uri,
        })
    }

    /// Waits for the callback and exchanges the code.
    pub async fn finish(self) -> Result<OAuthTokens, OAuthError> {
        self.callback().await?.exchange().await
    }
}

/// A sign-in whose callback brought a code that has not been exchanged yet.
#[derive(Debug)]
pub struct ReceivedCode {
    client: AuthorizationCodeClient,
    code: Secret<String>,
    verifier: Secret<String>,
    redirect_uri: String,
}

impl ReceivedCode {
    /// The authorization code (single use, short-lived).
    pub fn code(&self) -> &Secret<String> {
        &self.code
    }

    /// The redirect URI the code was issued for.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Exchanges the code with this flow's PKCE verifier.
    pub async fn exchange(self) -> Result<OAuthTokens, OAuthError> {
        self.client
            .exchange_code(&self.code, &self.verifier, &self.redirect_uri)
            .await
    }
}
