//! The OAuth 2.0 client-credentials grant (RFC 6749 §4.4) for server-to-server APIs: Payoneer
//! (`POST {login}/api/v2/oauth2/token`, form fields, scope `read write`; apis.md §4) and
//! Checkout.com (`POST {access}/connect/token`, HTTP Basic, scopes such as `gateway`;
//! apis.md §3.1, SPEC:cko `securitySchemes.OAuth`).
//!
//! [`ClientCredentials`] caches the access token in memory and fetches a new one shortly before
//! it expires (by default 60 s early, never more than half its lifetime), on the injected clock.
//! Fetches are serialized: concurrent callers wait for one request and share its token. It is
//! both a [`TokenSource`] and an [`Authenticator`] (a 401 refetches once per failed token).

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use oauth2::basic::BasicClient;
use oauth2::{AuthType, ClientId, ClientSecret, EndpointNotSet, EndpointSet, Scope, TokenResponse, TokenUrl};
use paysync_core::{Secret, SharedClock};
use reqwest::RequestBuilder;
use tokio::sync::Mutex;

use super::OAuthError;
use super::transport::{OAuthHttp, token_error};
use crate::http::{Authenticator, HttpError, TokenFingerprint, TokenSource};

/// Payoneer's production login host.
pub const PAYONEER_LOGIN_PRODUCTION: &str = "https://login.payoneer.com";
/// Payoneer's sandbox login host.
pub const PAYONEER_LOGIN_SANDBOX: &str = "https://login.sandbox.payoneer.com";
/// Checkout.com's production token host.
pub const CHECKOUT_ACCESS_PRODUCTION: &str = "https://access.checkout.com";
/// Checkout.com's sandbox token host.
pub const CHECKOUT_ACCESS_SANDBOX: &str = "https://access.sandbox.checkout.com";
/// How long before expiry a cached token is replaced by default.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// How the client authenticates to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuthStyle {
    /// `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 §2.3.1).
    Basic,
    /// `client_id` and `client_secret` form fields.
    RequestBody,
}

/// One provider's client-credentials settings.
#[derive(Debug, Clone)]
pub struct ClientCredentialsConfig {
    /// The provider's name, for messages (`Payoneer`, `Checkout.com`).
    pub provider: String,
    /// The token endpoint.
    pub token_url: String,
    /// The client id (Checkout.com: access key id).
    pub client_id: String,
    /// The client secret (Checkout.com: access key secret).
    pub client_secret: Secret<String>,
    /// The scopes requested (sent space-separated; none sends no `scope`).
    pub scopes: Vec<String>,
    /// How the client authenticates.
    pub auth_style: ClientAuthStyle,
    /// How long before expiry the cached token is replaced (capped at half its lifetime).
    pub refresh_margin: Duration,
}

impl ClientCredentialsConfig {
    /// Payoneer: `{login_base}/api/v2/oauth2/token`, credentials as form fields (the shape the
    /// references document), scope `read write`.
    pub fn payoneer(login_base: &str, client_id: impl Into<String>, client_secret: Secret<String>) -> Self {
        Self {
            provider: "Payoneer".to_owned(),
            token_url: format!("{}/api/v2/oauth2/token", login_base.trim_end_matches('/')),
            client_id: client_id.into(),
            client_secret,
            scopes: vec!["read".to_owned(), "write".to_owned()],
            auth_style: ClientAuthStyle::RequestBody,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
        }
    }

    /// Checkout.com: `{access_base}/connect/token` with HTTP Basic (as its reference shows) and
    /// the given scopes (e.g. `gateway`, `disputes`).
    pub fn checkout(
        access_base: &str,
        client_id: impl Into<String>,
        client_secret: Secret<String>,
        scopes: Vec<String>,
    ) -> Self {
        Self {
            provider: "Checkout.com".to_owned(),
            token_url: format!("{}/connect/token", access_base.trim_end_matches('/')),
            client_id: client_id.into(),
            client_secret,
            scopes,
            auth_style: ClientAuthStyle::Basic,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
        }
    }
}

type TokenClient = BasicClient<EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

#[derive(Debug, Clone)]
struct Cached {
    token: Secret<String>,
    /// When to stop using it; `None` when the server gave no lifetime (then only a 401 replaces it).
    refresh_at: Option<DateTime<Utc>>,
}

impl Cached {
    fn usable_at(&self, now: DateTime<Utc>) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }
}

/// A cached client-credentials access token that renews itself.
#[derive(Debug)]
pub struct ClientCredentials {
    config: ClientCredentialsConfig,
    operation: String,
    client: TokenClient,
    http: OAuthHttp,
    clock: SharedClock,
    cache: Mutex<Option<Cached>>,
}

impl ClientCredentials {
    /// A token source for `config`. `http` should come from [`super::oauth_http_client`].
    pub fn new(
        config: ClientCredentialsConfig,
        http: reqwest::Client,
        clock: SharedClock,
    ) -> Result<Self, OAuthError> {
        let token_url = TokenUrl::new(config.token_url.clone())
            .map_err(|e| OAuthError::Config(format!("{} token URL: {e}", config.provider)))?;
        let auth_type = match config.auth_style {
            ClientAuthStyle::Basic => AuthType::BasicAuth,
            ClientAuthStyle::RequestBody => AuthType::RequestBody,
        };
        let client = BasicClient::new(ClientId::new(config.client_id.clone()))
            .set_client_secret(ClientSecret::new(config.client_secret.expose().clone()))
            .set_auth_type(auth_type)
            .set_token_uri(token_url);
        Ok(Self {
            operation: format!("{} token request", config.provider),
            config,
            client,
            http: OAuthHttp(http),
            clock,
            cache: Mutex::new(None),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientCredentialsConfig {
        &self.config
    }

    /// The cached token, or a new one if there is none or it is about to expire.
    pub async fn access_token(&self) -> Result<Secret<String>, OAuthError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref().filter(|c| c.usable_at(self.clock.now())) {
            return Ok(cached.token.clone());
        }
        let fresh = self.request().await?;
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(token)
    }

    /// A new token, whatever the cache holds; it replaces the cached one.
    pub async fn refresh_now(&self) -> Result<Secret<String>, OAuthError> {
        let mut cache = self.cache.lock().await;
        let fresh = self.request().await?;
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(token)
    }

    /// When the cached token will be replaced, if one is cached and has a lifetime.
    pub async fn refresh_at(&self) -> Option<DateTime<Utc>> {
        self.cache.lock().await.as_ref().and_then(|c| c.refresh_at)
    }

    async fn request(&self) -> Result<Cached, OAuthError> {
        let requested_at = self.clock.now();
        let response = self
            .client
            .exchange_client_credentials()
            .add_scopes(self.config.scopes.iter().map(|s| Scope::new(s.clone())))
            .request_async(&self.http)
            .await
            .map_err(|e| token_error(&self.operation, e))?;
        let refresh_at = response.expires_in().map(|ttl| {
            let margin = self.config.refresh_margin.min(ttl / 2);
            let usable =
                chrono::Duration::from_std(ttl.saturating_sub(margin)).unwrap_or(chrono::Duration::MAX);
            requested_at
                .checked_add_signed(usable)
                .unwrap_or(DateTime::<Utc>::MAX_UTC)
        });
        tracing::debug!(provider = %self.config.provider, ?refresh_at, "Fetched a client-credentials access token.");
        Ok(Cached {
            token: Secret::new(response.access_token().secret().clone()),
            refresh_at,
        })
    }

    fn http_error(&self, e: &OAuthError) -> HttpError {
        match e {
            OAuthError::Unavailable { .. } => HttpError::Connect {
                endpoint: format!("{}:token", self.config.provider.to_ascii_lowercase()),
                message: e.to_string(),
            },
            other => HttpError::AuthRefused {
                endpoint: String::new(),
                message: other.to_string(),
            },
        }
    }
}

fn fingerprint(token: &Secret<String>) -> TokenFingerprint {
    TokenFingerprint::of(&format!("Bearer {}", token.expose()))
}

#[async_trait]
impl TokenSource for ClientCredentials {
    async fn fetch(&self) -> Result<Secret<String>, HttpError> {
        self.refresh_now().await.map_err(|e| self.http_error(&e))
    }
}

#[async_trait]
impl Authenticator for ClientCredentials {
    async fn apply(&self, req: RequestBuilder) -> Result<RequestBuilder, HttpError> {
        let token = self.access_token().await.map_err(|e| self.http_error(&e))?;
        Ok(req.bearer_auth(token.expose()))
    }

    async fn refresh(&self, failed: &TokenFingerprint) -> Result<(), HttpError> {
        // The cache lock serializes refreshes; whoever gets it second sees a new fingerprint.
        let mut cache = self.cache.lock().await;
        let now = self.clock.now();
        if cache
            .as_ref()
            .is_some_and(|c| c.usable_at(now) && fingerprint(&c.token) != *failed)
        {
            return Ok(());
        }
        let fresh = self.request().await.map_err(|e| self.http_error(&e))?;
        *cache = Some(fresh);
        Ok(())
    }

    async fn known_secrets(&self) -> Vec<String> {
        let cache = self.cache.lock().await;
        std::iter::once(self.config.client_secret.expose().clone())
            .chain(cache.as_ref().map(|c| c.token.expose().clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_follow_the_providers_docs() {
        let p = ClientCredentialsConfig::payoneer(PAYONEER_LOGIN_SANDBOX, "id", Secret::new("s".into()));
        assert_eq!(
            p.token_url,
            "https://login.sandbox.payoneer.com/api/v2/oauth2/token"
        );
        assert_eq!(p.scopes, ["read", "write"]);
        assert_eq!(p.auth_style, ClientAuthStyle::RequestBody);
        let c = ClientCredentialsConfig::checkout(
            &format!("{CHECKOUT_ACCESS_SANDBOX}/"),
            "ack_1",
            Secret::new("s".into()),
            vec!["gateway".into()],
        );
        assert_eq!(c.token_url, "https://access.sandbox.checkout.com/connect/token");
        assert_eq!(c.auth_style, ClientAuthStyle::Basic);
        assert!(!format!("{c:?}").contains("\"s\""), "the secret must not print");
    }

    #[test]
    fn a_token_without_lifetime_stays_usable() {
        let at = DateTime::<Utc>::UNIX_EPOCH;
        let c = Cached {
            token: Secret::new("t".into()),
            refresh_at: None,
        };
        assert!(c.usable_at(at));
        let c = Cached {
            refresh_at: Some(at),
            ..c
        };
        assert!(!c.usable_at(at));
        assert!(c.usable_at(at - chrono::Duration::seconds(1)));
    }
}
