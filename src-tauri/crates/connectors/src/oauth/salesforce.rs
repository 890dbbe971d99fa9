//! Salesforce sign-in for a native desktop app: the OAuth 2.0 web-server (authorization-code)
//! flow with PKCE (S256) and a loopback redirect, as a public client without a client secret
//! (apis.md §1.2; RFC 8252; RFC 7636).
//!
//! The standard flow is [`super::authorization_code`]; this module points it at a Salesforce
//! login host and reads what Salesforce adds: `instance_url` (checked before any token is sent
//! to it), the identity URL `id` (org and user ids), `issued_at`, and the user-info claims.
//!
//! [`SalesforceOAuth::authorize`] does all of it given a function that opens the browser;
//! [`SalesforceOAuth::begin`], [`PendingAuthorization::callback`] and
//! [`AuthorizedCallback::exchange`] split it so tests (and a CLI that prints the URL) can drive
//! each step. [`SalesforceOAuth::refresh`] maps `invalid_grant` to
//! [`OAuthError::ReconnectNeeded`], never to something retryable.

mod host;
mod tokens;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use paysync_core::{Secret, SharedClock};
use url::Url;

pub use super::authorization_code::DEFAULT_CALLBACK_TIMEOUT;
pub use host::{LoginHost, PRODUCTION_LOGIN, SANDBOX_LOGIN};
pub use tokens::{RefreshedToken, SalesforceTokens, SalesforceUser};

use super::OAuthError;
use super::authorization_code::{
    AuthorizationCodeClient, CodeFlowConfig, OAuthTokens, PendingCodeFlow, ReceivedCode,
};
use super::transport::clean_text;
use host::{endpoint, trusted_api_url};
use tokens::{SalesforceFields, parse_identity_url, parse_issued_at};

/// The scopes a Paysync connection asks for: REST API access, a refresh token, and OpenID for
/// the user-info endpoint.
pub const DEFAULT_SCOPES: [&str; 3] = ["api", "refresh_token", "openid"];

const AUTHORIZE_PATH: &str = "/services/oauth2/authorize";
const TOKEN_PATH: &str = "/services/oauth2/token";
const REVOKE_PATH: &str = "/services/oauth2/revoke";
const USERINFO_PATH: &str = "/services/oauth2/userinfo";

const OP_EXCHANGE: &str = "Salesforce code exchange";
const OP_REFRESH: &str = "Salesforce token refresh";
const OP_USERINFO: &str = "Salesforce user info request";

/// How to reach Salesforce and what to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesforceOAuthConfig {
    /// Where the user signs in.
    pub login: LoginHost,
    /// The External Client App's consumer key (a public client: no secret).
    pub client_id: String,
    /// The scopes requested, e.g. [`DEFAULT_SCOPES`].
    pub scopes: Vec<String>,
    /// How long to wait for the browser to come back.
    pub callback_timeout: Duration,
}

impl SalesforceOAuthConfig {
    /// A configuration with [`DEFAULT_SCOPES`] and [`DEFAULT_CALLBACK_TIMEOUT`].
    pub fn new(login: LoginHost, client_id: impl Into<String>) -> Self {
        Self {
            login,
            client_id: client_id.into(),
            scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            callback_timeout: DEFAULT_CALLBACK_TIMEOUT,
        }
    }
}

/// The Salesforce OAuth client. Cheap to clone (shared inside).
#[derive(Debug, Clone)]
pub struct SalesforceOAuth {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: SalesforceOAuthConfig,
    base: Url,
    flow: AuthorizationCodeClient,
    clock: SharedClock,
}

impl SalesforceOAuth {
    /// A client for `config`. `http` should come from [`super::oauth_http_client`]: it must not
    /// follow redirects. `clock` dates tokens whose response lacks `issued_at`.
    pub fn new(
        config: SalesforceOAuthConfig,
        http: reqwest::Client,
        clock: SharedClock,
    ) -> Result<Self, OAuthError> {
        let base = config.login.base_url()?;
        let mut flow = CodeFlowConfig::new(
            "Salesforce",
            endpoint(&base, AUTHORIZE_PATH),
            endpoint(&base, TOKEN_PATH),
            config.client_id.clone(),
        );
        flow.revocation_url = Some(endpoint(&base, REVOKE_PATH));
        flow.userinfo_url = Some(endpoint(&base, USERINFO_PATH));
        flow.scopes = config.scopes.clone();
        flow.callback_timeout = config.callback_timeout;
        // Salesforce documents the revocation request as `token` alone.
        flow.revocation_sends_client_id = false;
        let flow = AuthorizationCodeClient::new(flow, http)?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                base,
                flow,
                clock,
            }),
        })
    }

    /// The standard authorization-code client underneath, pointed at this login host.
    pub fn code_flow(&self) -> &AuthorizationCodeClient {
        &self.inner.flow
    }

    /// The configuration.
    pub fn config(&self) -> &SalesforceOAuthConfig {
        &self.inner.config
    }

    /// The login host's base URL.
    pub fn login_base_url(&self) -> &Url {
        &self.inner.base
    }

    /// The whole sign-in: [`Self::begin`], `open_browser(url)`, then
    /// [`PendingAuthorization::finish`]. `open_browser` opens the system browser (the desktop
    /// shell) or prints the URL (the CLI).
    pub async fn authorize(
        &self,
        open_browser: impl FnOnce(&str) -> Result<(), String> + Send,
    ) -> Result<SalesforceTokens, OAuthError> {
        let pending = self.begin().await?;
        open_browser(pending.url()).map_err(|e| OAuthError::Browser(clean_text(&e)))?;
        pending.finish().await
    }

    /// Starts a sign-in: binds the loopback listener and builds the authorize URL with a fresh
    /// `state` and PKCE challenge (both from a CSPRNG).
    pub async fn begin(&self) -> Result<PendingAuthorization, OAuthError> {
        Ok(PendingAuthorization {
            oauth: self.clone(),
            flow: self.inner.flow.begin().await?,
        })
    }

    /// Exchanges an authorization code (with its PKCE verifier and the redirect URI it was
    /// issued for) for tokens, then fetches the user's name and email.
    pub async fn exchange_code(
        &self,
        code: &Secret<String>,
        verifier: &Secret<String>,
        redirect_uri: &str,
    ) -> Result<SalesforceTokens, OAuthError> {
        let tokens = self
            .inner
            .flow
            .exchange_code(code, verifier, redirect_uri)
            .await?;
        self.signed_in(&tokens).await
    }

    /// What a code exchange's tokens mean: the org and user, and who signed in.
    async fn signed_in(&self, tokens: &OAuthTokens) -> Result<SalesforceTokens, OAuthError> {
        let refreshed = self.read_response(OP_EXCHANGE, tokens)?;
        let Some((org_id, user_id)) = parse_identity_url(&refreshed.identity_url) else {
            return Err(OAuthError::InvalidResponse {
                operation: OP_EXCHANGE.to_owned(),
                message: "the identity URL `id` is not of the form …/id/{orgId}/{userId}".to_owned(),
            });
        };
        let user = match self.user_info(&refreshed.access_token).await {
            Ok(user) => Some(user),
            Err(e) => {
                tracing::warn!(error = %e, "Signed in to Salesforce, but the user info could not be read.");
                None
            }
        };
        tracing::info!(%org_id, %user_id, instance_url = %refreshed.instance_url, "Signed in to Salesforce.");
        Ok(SalesforceTokens {
            access_token: refreshed.access_token,
            refresh_token: refreshed.refresh_token,
            instance_url: refreshed.instance_url,
            identity_url: refreshed.identity_url,
            org_id,
            user_id,
            issued_at: refreshed.issued_at,
            user,
        })
    }

    /// A new access token from a refresh token. `invalid_grant` (revoked, expired, or from a
    /// rotation whose result was never stored) is [`OAuthError::ReconnectNeeded`]; network errors,
    /// `429` and `5xx` are [`OAuthError::Unavailable`].
    pub async fn refresh(&self, refresh_token: &Secret<String>) -> Result<RefreshedToken, OAuthError> {
        let tokens = self.inner.flow.refresh(refresh_token).await?;
        self.read_response(OP_REFRESH, &tokens)
    }

    /// Revokes a token (`POST /services/oauth2/revoke`, form `token=`): an access token alone, or
    /// a refresh token together with every access token issued from it.
    pub async fn revoke(&self, token: &Secret<String>) -> Result<(), OAuthError> {
        self.inner.flow.revoke(token, None).await
    }

    /// Who the access token belongs to (`GET /services/oauth2/userinfo` on the login host).
    pub async fn user_info(&self, access_token: &Secret<String>) -> Result<SalesforceUser, OAuthError> {
        let claims = self.inner.flow.user_info(access_token).await?;
        serde_json::from_value(serde_json::Value::Object(claims)).map_err(|_| OAuthError::InvalidResponse {
            operation: OP_USERINFO.to_owned(),
            message: "the name, email or preferred_username claim is not text".to_owned(),
        })
    }

    /// The parts of a token response common to the code exchange and the refresh.
    fn read_response(&self, operation: &str, tokens: &OAuthTokens) -> Result<RefreshedToken, OAuthError> {
        let fields: SalesforceFields = tokens.extra_as().map_err(|_| OAuthError::InvalidResponse {
            operation: operation.to_owned(),
            message: "the token response lacks Salesforce's `instance_url` and `id` (or they are not text)"
                .to_owned(),
        })?;
        if !trusted_api_url(&fields.instance_url) {
            return Err(OAuthError::InvalidResponse {
                operation: operation.to_owned(),
                message: "instance_url is not an HTTPS URL; no token will be sent to it".to_owned(),
            });
        }
        let issued_at =
            parse_issued_at(fields.issued_at.as_deref()).unwrap_or_else(|| self.inner.clock.now());
        Ok(RefreshedToken {
            access_token: tokens.access_token.clone(),
            refresh_token: tokens.refresh_token.clone(),
            instance_url: fields.instance_url.trim_end_matches('/').to_owned(),
            identity_url: fields.id,
            issued_at,
        })
    }
}

/// A started sign-in: the loopback listener is bound and the authorize URL is ready.
pub struct PendingAuthorization {
    oauth: SalesforceOAuth,
    flow: PendingCodeFlow,
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("redirect_uri", &self.flow.redirect_uri())
            .finish_non_exhaustive()
    }
}

impl PendingAuthorization {
    /// The authorize URL to open in the system browser.
    pub fn url(&self) -> &str {
        self.flow.url()
    }

    /// The loopback redirect URI, `http://127.0.0.1:{port}/callback`.
    pub fn redirect_uri(&self) -> &str {
        self.flow.redirect_uri()
    }

    /// Waits for the browser's callback (at most the configured timeout) and returns the code.
    /// The listener is closed when this returns.
    pub async fn callback(self) -> Result<AuthorizedCallback, OAuthError> {
        Ok(AuthorizedCallback {
            oauth: self.oauth,
            received: self.flow.callback().await?,
        })
    }

    /// Waits for the callback, exchanges the code and reads the user info.
    pub async fn finish(self) -> Result<SalesforceTokens, OAuthError> {
        self.callback().await?.exchange().await
    }
}

/// A sign-in whose callback brought a code that has not been exchanged yet.
#[derive(Debug)]
pub struct AuthorizedCallback {
    oauth: SalesforceOAuth,
    received: ReceivedCode,
}

impl AuthorizedCallback {
    /// The authorization code (single use, short-lived).
    pub fn code(&self) -> &Secret<String> {
        self.received.code()
    }

    /// The redirect URI the code was issued for.
    pub fn redirect_uri(&self) -> &str {
        self.received.redirect_uri()
    }

    /// Exchanges the code with this flow's PKCE verifier.
    pub async fn exchange(self) -> Result<SalesforceTokens, OAuthError> {
        let tokens = self.received.exchange().await?;
        self.oauth.signed_in(&tokens).await
    }
}
