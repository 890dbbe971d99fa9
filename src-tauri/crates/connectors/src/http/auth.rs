//! Authentication: an [`Authenticator`] adds credentials to each attempt and refreshes them when
//! the provider answers 401. Refreshes are serialized by the authenticator and keyed by the
//! fingerprint of the token that failed, so many concurrent 401s cause one refresh.

use std::fmt::Debug;

use async_trait::async_trait;
use paysync_core::Secret;
use reqwest::RequestBuilder;
use sha2::{Digest, Sha256};
use tokio::sync::RwLock;

use super::HttpError;

/// A non-secret fingerprint of the credentials an attempt carried (a SHA-256 prefix of its
/// `Authorization` header), so a refresh can tell whether someone already replaced them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenFingerprint(String);

impl TokenFingerprint {
    /// The fingerprint of a credential value as sent (e.g. `Bearer abc`).
    pub fn of(credential: &str) -> Self {
        let digest = Sha256::digest(credential.as_bytes());
        Self(hex::encode(digest.get(..8).unwrap_or_default()))
    }

    /// The fingerprint of "no credentials".
    pub fn none() -> Self {
        Self(String::new())
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Adds credentials to requests and refreshes them.
#[async_trait]
pub trait Authenticator: Send + Sync + Debug {
    /// Adds the current credentials to one attempt.
    async fn apply(&self, req: RequestBuilder) -> Result<RequestBuilder, HttpError>;

    /// Replaces the credentials whose fingerprint is `failed`, unless that was already done.
    /// Implementations serialize refreshes: concurrent calls with the same fingerprint refresh once.
    async fn refresh(&self, failed: &TokenFingerprint) -> Result<(), HttpError>;

    /// Secret values this authenticator may put on the wire, for scrubbing response excerpts.
    async fn known_secrets(&self) -> Vec<String> {
        Vec::new()
    }
}

/// No authentication (public endpoints, test servers).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAuth;

#[async_trait]
impl Authenticator for NoAuth {
    async fn apply(&self, req: RequestBuilder) -> Result<RequestBuilder, HttpError> {
        Ok(req)
    }

    async fn refresh(&self, _failed: &TokenFingerprint) -> Result<(), HttpError> {
        Err(HttpError::AuthRefused {
            endpoint: String::new(),
            message: "no credentials configured".to_owned(),
        })
    }
}

/// Where fresh bearer tokens come from (an OAuth token endpoint, the keychain, …).
#[async_trait]
pub trait TokenSource: Send + Sync + Debug {
    /// Fetches a new token.
    async fn fetch(&self) -> Result<Secret<String>, HttpError>;
}

/// A fixed secret key that cannot be refreshed (Stripe, MaldoPay): a 401 means reconnect.
#[derive(Debug, Clone)]
pub struct StaticBearer {
    token: Secret<String>,
}

impl StaticBearer {
    /// Sends `Authorization: Bearer <token>`.
    pub const fn new(token: Secret<String>) -> Self {
        Self { token }
    }
}

#[async_trait]
impl Authenticator for StaticBearer {
    async fn apply(&self, req: RequestBuilder) -> Result<RequestBuilder, HttpError> {
        Ok(req.bearer_auth(self.token.expose()))
    }

    async fn refresh(&self, _failed: &TokenFingerprint) -> Result<(), HttpError> {
        Err(HttpError::AuthRefused {
            endpoint: String::new(),
            message: "the secret key was refused and cannot be refreshed".to_owned(),
        })
    }

    async fn known_secrets(&self) -> Vec<String> {
        vec![self.token.expose().clone()]
    }
}

/// A bearer token fetched from a [`TokenSource`] on first use and again after a 401.
#[derive(Debug)]
pub struct RefreshingBearer<S> {
    source: S,
    current: RwLock<Option<Secret<String>>>,
}

impl<S: TokenSource> RefreshingBearer<S> {
    /// Starts with no token; the first request fetches one.
    pub fn new(source: S) -> Self {
        Self {
            source,
            current: RwLock::new(None),
        }
    }

    /// Starts with a token already known (e.g. cached from the keychain).
    pub fn with_token(source: S, token: Secret<String>) -> Self {
        Self {
            source,
            current: RwLock::new(Some(token)),
        }
    }

    async fn token(&self) -> Result<Secret<String>, HttpError> {
        if let Some(t) = self.current.read().await.as_ref() {
            return Ok(t.clone());
        }
        let mut slot = self.current.write().await;
        if let Some(t) = slot.as_ref() {
            return Ok(t.clone());
        }
        let fresh = self.source.fetch().await?;
        *slot = Some(fresh.clone());
        Ok(fresh)
    }
}

#[async_trait]
impl<S: TokenSource> Authenticator for RefreshingBearer<S> {
    async fn apply(&self, req: RequestBuilder) -> Result<RequestBuilder, HttpError> {
        let token = self.token().await?;
        Ok(req.bearer_auth(token.expose()))
    }

    async fn refresh(&self, failed: &TokenFingerprint) -> Result<(), HttpError> {
        // The write lock serializes refreshes; whoever gets it second sees a new fingerprint.
        let mut slot = self.current.write().await;
        let current = slot.as_ref().map_or_else(TokenFingerprint::none, |t| {
            TokenFingerprint::of(&format!("Bearer {}", t.expose()))
        });
        if current != *failed && slot.is_some() {
            return Ok(());
        }
        *slot = Some(self.source.fetch().await?);
        Ok(())
    }

    async fn known_secrets(&self) -> Vec<String> {
        self.current
            .read()
            .await
            .as_ref()
            .map(|t| vec![t.expose().clone()])
            .unwrap_or_default()
    }
}
