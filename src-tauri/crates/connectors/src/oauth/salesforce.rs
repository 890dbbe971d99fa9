//! Salesforce sign-in for a native desktop app: the OAuth 2.0 web-server (authorization-code)
//! flow with PKCE (S256) and a loopback redirect, as a public client without a client secret
//! (apis.md §1.2; RFC 8252; RFC 7636).
//!
//! ```text
//! begin()  ─ bind 127.0.0.1:0, new state (CSPRNG) and PKCE verifier, authorize URL
//!   └─ url() ─► system browser ─► consent ─► 302 http://127.0.0.1:{port}/callback?code&state
//! finish() ─ wait for the callback (state checked in constant time, timeout), exchange the code
//!            with the verifier at /services/oauth2/token, fetch /services/oauth2/userinfo
//! ```
//!
//! [`SalesforceOAuth::authorize`] does all of it given a function that opens the browser;
//! [`SalesforceOAuth::begin`], [`PendingAuthorization::callback`] and
//! [`AuthorizedCallback::exchange`] split it so tests (and a CLI that prints the URL) can drive
//! each step. [`SalesforceOAuth::refresh`] maps `invalid_grant` to
//! [`OAuthError::ReconnectNeeded`], never to something retryable.

mod host;
mod tokens;

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
};
use oauth2::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet, EndpointSet, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken,
    TokenResponse, TokenUrl,
};
use paysync_core::{Secret, SharedClock};
use serde::Deserialize;
use url::Url;

pub use host::{LoginHost, PRODUCTION_LOGIN, SANDBOX_LOGIN};
pub use tokens::{RefreshedToken, SalesforceTokens, SalesforceUser};

use super::OAuthError;
use super::loopback::LoopbackListener;
use super::transport::{self, OAuthHttp, clean_text, token_error, transport_error};
use host::{endpoint, trusted_api_url};
use tokens::{SalesforceTokenResponse, parse_identity_url, parse_issued_at};

/// The scopes a Paysync connection asks for: REST API access, a refresh token, and OpenID for
/// the user-info endpoint.
pub const DEFAULT_SCOPES: [&str; 3] = ["api", "refresh_token", "openid"];

/// How long the browser has to come back to the loopback listener by default.
pub const DEFAULT_CALLBACK_TIMEOUT: Duration = Duration::from_secs(5 * 60);

const AUTHORIZE_PATH: &str = "/services/oauth2/authorize";
const TOKEN_PATH: &str = "/services/oauth2/token";
const REVOKE_PATH: &str = "/services/oauth2/revoke";
const USERINFO_PATH: &str = "/services/oauth2/userinfo";

const OP_EXCHANGE: &str = "Salesforce code exchange";
const OP_REFRESH: &str = "Salesforce token refresh";
const OP_REVOKE: &str = "Salesforce token revocation";
const OP_USERINFO: &str = "Salesforce user info request";

/// The `oauth2` client for Salesforce: authorize and token endpoints set, Salesforce's token
/// response fields.
type SalesforceClient = oauth2::Client<
    BasicErrorResponse,
    SalesforceTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

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
    client: SalesforceClient,
    http: OAuthHttp,
    clock: SharedClock,
}

fn config_error(what: &str, e: impl fmt::Display) -> OAuthError {
    OAuthError::Config(format!("{what}: {e}"))
}

impl SalesforceOAuth {
    /// A client for `config`. `http` should come from [`super::oauth_http_client`]: it must not
    /// follow redirects. `clock` dates tokens whose response lacks `issued_at`.
    pub fn new(
        config: SalesforceOAuthConfig,
        http: reqwest::Client,
        clock: SharedClock,
    ) -> Result<Self, OAuthError> {
        if config.client_id.trim().is_empty() {
            return Err(OAuthError::Config("the Salesforce client id is empty".to_owned()));
        }
        let base = config.login.base_url()?;
        let auth_url =
            AuthUrl::new(endpoint(&base, AUTHORIZE_PATH)).map_err(|e| config_error("authorize URL", e))?;
        let token_url =
            TokenUrl::new(endpoint(&base, TOKEN_PATH)).map_err(|e| config_error("token URL", e))?;
        // No client secret: oauth2 then sends `client_id` in the form body, as a public client must.
        let client = oauth2::Client::new(ClientId::new(config.client_id.clone()))
            .set_auth_uri(auth_url)
            .set_token_uri(token_url);
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                base,
                client,
                http: OAuthHttp(http),
                clock,
            }),
        })
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
        let listener = LoopbackListener::bind().await?;
        let redirect_uri = listener.redirect_uri().to_owned();
        let redirect = RedirectUrl::new(redirect_uri.clone()).map_err(|e| config_error("redirect URI", e))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = self
            .inner
            .client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.inner.config.scopes.iter().map(|s| Scope::new(s.clone())))
            .set_pkce_challenge(challenge)
            .set_redirect_uri(Cow::Owned(redirect))
            .url();
        Ok(PendingAuthorization {
            oauth: self.clone(),
            listener,
            url: url.to_string(),
            redirect_uri,
            state: Secret::new(state.into_secret()),
            verifier: Secret::new(verifier.into_secret()),
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
        let redirect =
            RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| config_error("redirect URI", e))?;
        let response = self
            .inner
            .client
            .exchange_code(AuthorizationCode::new(code.expose().clone()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().clone()))
            .set_redirect_uri(Cow::Owned(redirect))
            .request_async(&self.inner.http)
            .await
            .map_err(|e| token_error(OP_EXCHANGE, e))?;
        let refreshed = self.read_response(OP_EXCHANGE, &response)?;
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
        let token = RefreshToken::new(refresh_token.expose().clone());
        let result = self
            .inner
            .client
            .exchange_refresh_token(&token)
            .request_async(&self.inner.http)
            .await;
        let response = match result {
            Ok(response) => response,
            Err(RequestTokenError::ServerResponse(r))
                if *r.error() == BasicErrorResponseType::InvalidGrant =>
            {
                let description = clean_text(r.error_description().map_or("", String::as_str));
                let reason = if description.is_empty() {
                    "Salesforce refused the refresh token (invalid_grant)".to_owned()
                } else {
                    format!("Salesforce refused the refresh token: {description}")
                };
                return Err(OAuthError::ReconnectNeeded { reason });
            }
            Err(e) => return Err(token_error(OP_REFRESH, e)),
        };
        self.read_response(OP_REFRESH, &response)
    }

    /// Revokes a token (`POST /services/oauth2/revoke`, form `token=`): an access token alone, or
    /// a refresh token together with every access token issued from it.
    pub async fn revoke(&self, token: &Secret<String>) -> Result<(), OAuthError> {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token.expose())
            .finish();
        let request = oauth2::http::Request::builder()
            .method(oauth2::http::Method::POST)
            .uri(endpoint(&self.inner.base, REVOKE_PATH))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(body.into_bytes())
            .map_err(|e| config_error("revocation request", e))?;
        let response = transport::send(&self.inner.http.0, request)
            .await
            .map_err(|e| transport_error(OP_REVOKE, e))?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(oauth_error_body(
            OP_REVOKE,
            response.status().as_u16(),
            response.body(),
        ))
    }

    /// Who the access token belongs to (`GET /services/oauth2/userinfo` on the login host).
    pub async fn user_info(&self, access_token: &Secret<String>) -> Result<SalesforceUser, OAuthError> {
        let request = oauth2::http::Request::builder()
            .method(oauth2::http::Method::GET)
            .uri(endpoint(&self.inner.base, USERINFO_PATH))
            .header(AUTHORIZATION, format!("Bearer {}", access_token.expose()))
            .header(ACCEPT, "application/json")
            .body(Vec::new())
            .map_err(|_| {
                config_error(
                    "user info request",
                    "the access token is not a valid header value",
                )
            })?;
        let response = transport::send(&self.inner.http.0, request)
            .await
            .map_err(|e| transport_error(OP_USERINFO, e))?;
        if !response.status().is_success() {
            return Err(oauth_error_body(
                OP_USERINFO,
                response.status().as_u16(),
                response.body(),
            ));
        }
        serde_json::from_slice(response.body()).map_err(|e| OAuthError::InvalidResponse {
            operation: OP_USERINFO.to_owned(),
            message: format!(
                "not a user-info document (line {}, column {})",
                e.line(),
                e.column()
            ),
        })
    }

    /// The parts of a token response common to the code exchange and the refresh.
    fn read_response(
        &self,
        operation: &str,
        response: &SalesforceTokenResponse,
    ) -> Result<RefreshedToken, OAuthError> {
        let fields = response.extra_fields();
        if !trusted_api_url(&fields.instance_url) {
            return Err(OAuthError::InvalidResponse {
                operation: operation.to_owned(),
                message: "instance_url is not an HTTPS URL; no token will be sent to it".to_owned(),
            });
        }
        let issued_at =
            parse_issued_at(fields.issued_at.as_deref()).unwrap_or_else(|| self.inner.clock.now());
        Ok(RefreshedToken {
            access_token: Secret::new(response.access_token().secret().clone()),
            refresh_token: response.refresh_token().map(|t| Secret::new(t.secret().clone())),
            instance_url: fields.instance_url.trim_end_matches('/').to_owned(),
            identity_url: fields.id.clone(),
            issued_at,
        })
    }
}

/// An OAuth error document (`{"error", "error_description"}`) as a refusal, or the bare status.
fn oauth_error_body(operation: &str, status: u16, body: &[u8]) -> OAuthError {
    #[derive(Deserialize)]
    struct Body {
        error: String,
        #[serde(default)]
        error_description: Option<String>,
    }
    match serde_json::from_slice::<Body>(body) {
        Ok(b) => OAuthError::Refused {
            operation: operation.to_owned(),
            error: clean_text(&b.error),
            description: clean_text(b.error_description.as_deref().unwrap_or("")),
        },
        Err(_) => OAuthError::InvalidResponse {
            operation: operation.to_owned(),
            message: format!("HTTP {status}"),
        },
    }
}

/// A started sign-in: the loopback listener is bound and the authorize URL is ready.
pub struct PendingAuthorization {
    oauth: SalesforceOAuth,
    listener: LoopbackListener,
    url: String,
    redirect_uri: String,
    state: Secret<String>,
    verifier: Secret<String>,
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

impl PendingAuthorization {
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
    pub async fn callback(self) -> Result<AuthorizedCallback, OAuthError> {
        let timeout = self.oauth.inner.config.callback_timeout;
        let code = self.listener.wait_for_code(&self.state, timeout).await?;
        Ok(AuthorizedCallback {
            oauth: self.oauth,
            code,
            verifier: self.verifier,
            redirect_uri: self.redirect_uri,
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
    code: Secret<String>,
    verifier: Secret<String>,
    redirect_uri: String,
}

impl AuthorizedCallback {
    /// The authorization code (single use, short-lived).
    pub fn code(&self) -> &Secret<String> {
        &self.code
    }

    /// The redirect URI the code was issued for.
    pub fn redirect_uri(&self) -> &str {
        &self.redirect_uri
    }

    /// Exchanges the code with this flow's PKCE verifier.
    pub async fn exchange(self) -> Result<SalesforceTokens, OAuthError> {
        self.oauth
            .exchange_code(&self.code, &self.verifier, &self.redirect_uri)
            .await
    }
}
