//! The OAuth 2.0 authorization-code grant for a native app, with nothing provider-specific:
//! RFC 6749 §4.1 with PKCE S256 (RFC 7636), the loopback redirect (RFC 8252 §7.3), refresh
//! (RFC 6749 §6), revocation (RFC 7009) and the OpenID Connect user-info endpoint. The client is
//! public: it has no secret and sends `client_id` in the form body.
//!
//! ```text
//! begin()   ─ bind 127.0.0.1:0, new state and PKCE verifier (CSPRNG), authorize URL
//!   └─ url() ─► system browser ─► consent ─► 302 http://127.0.0.1:{port}/callback?code&state
//! finish()  ─ wait for the callback (state checked in constant time, timeout), then exchange the
//!             code with the verifier and the redirect URI at the token endpoint
//! ```
//!
//! Providers build on it: [`crate::oauth::SalesforceOAuth`] is this flow plus Salesforce's own
//! token fields. Every endpoint is configuration, so the same code signs in against Salesforce,
//! the local simulator and a third-party OAuth server in the tests.

mod endpoints;
mod flow;
mod tokens;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, CsrfToken, EndpointNotSet, EndpointSet, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken, TokenUrl,
};
use paysync_core::Secret;
use url::Url;

pub use endpoints::TokenTypeHint;
pub use flow::{PendingCodeFlow, ReceivedCode};
pub use tokens::OAuthTokens;

use super::OAuthError;
use super::loopback::LoopbackListener;
use super::transport::{OAuthHttp, clean_text, token_error};
use tokens::RawTokenResponse;

/// How long the browser has to come back to the loopback listener by default.
pub const DEFAULT_CALLBACK_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// Authorize-request parameters the flow sets itself; [`CodeFlowConfig::extra_authorize_params`]
/// may not repeat them.
const RESERVED_AUTHORIZE_PARAMS: [&str; 7] = [
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
];

/// The `oauth2` client: authorize and token endpoints set, every response field kept.
type CodeClient = oauth2::Client<
    BasicErrorResponse,
    RawTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Where the authorization server is and what to ask it for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFlowConfig {
    /// The provider's name, for messages (`Salesforce` gives "Salesforce code exchange was
    /// refused: …").
    pub provider: String,
    /// The authorization endpoint the browser is sent to.
    pub authorize_url: String,
    /// The token endpoint (code exchange and refresh).
    pub token_url: String,
    /// The RFC 7009 revocation endpoint, if the server has one.
    pub revocation_url: Option<String>,
    /// The OpenID Connect user-info endpoint, if the server has one.
    pub userinfo_url: Option<String>,
    /// The public client's id (no secret).
    pub client_id: String,
    /// The scopes requested (sent space-separated; none sends no `scope`).
    pub scopes: Vec<String>,
    /// How long to wait for the browser to come back.
    pub callback_timeout: Duration,
    /// Further authorize-request parameters (e.g. `prompt=login`); the standard ones are refused.
    pub extra_authorize_params: Vec<(String, String)>,
    /// Whether a revocation request carries `client_id` (RFC 6749 §3.2.1 lets a public client
    /// identify itself so). Servers documenting `token` alone (Salesforce) get `false`.
    pub revocation_sends_client_id: bool,
}

impl CodeFlowConfig {
    /// A configuration with no scopes, no revocation or user-info endpoint, no extra parameters
    /// and [`DEFAULT_CALLBACK_TIMEOUT`].
    pub fn new(
        provider: impl Into<String>,
        authorize_url: impl Into<String>,
        token_url: impl Into<String>,
        client_id: impl Into<String>,
    ) -> Self {
        Self {
            provider: provider.into(),
            authorize_url: authorize_url.into(),
            token_url: token_url.into(),
            revocation_url: None,
            userinfo_url: None,
            client_id: client_id.into(),
            scopes: Vec::new(),
            callback_timeout: DEFAULT_CALLBACK_TIMEOUT,
            extra_authorize_params: Vec::new(),
            revocation_sends_client_id: true,
        }
    }
}

/// A public OAuth 2.0 client for the authorization-code grant with PKCE. Cheap to clone (shared
/// inside).
#[derive(Debug, Clone)]
pub struct AuthorizationCodeClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: CodeFlowConfig,
    client: CodeClient,
    revocation_url: Option<Url>,
    userinfo_url: Option<Url>,
    http: OAuthHttp,
}

fn config_error(what: &str, e: impl std::fmt::Display) -> OAuthError {
    OAuthError::Config(format!("{what}: {e}"))
}

/// An endpoint URL from the configuration: absolute `http(s)` with a host and no fragment.
fn endpoint_url(what: &str, text: &str) -> Result<Url, OAuthError> {
    let url = Url::parse(text).map_err(|e| config_error(what, e))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(config_error(what, "not an http(s) URL with a host"));
    }
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(config_error(what, "must not carry a fragment or credentials"));
    }
    Ok(url)
}

impl AuthorizationCodeClient {
    /// A client for `config`. `http` should come from [`super::oauth_http_client`]: it must not
    /// follow redirects.
    pub fn new(config: CodeFlowConfig, http: reqwest::Client) -> Result<Self, OAuthError> {
        if config.client_id.trim().is_empty() {
            return Err(OAuthError::Config(format!(
                "the {} client id is empty",
                config.provider
            )));
        }
        if let Some((name, _)) = config
            .extra_authorize_params
            .iter()
            .find(|(name, _)| RESERVED_AUTHORIZE_PARAMS.contains(&name.as_str()))
        {
            return Err(OAuthError::Config(format!(
                "the authorize parameter `{name}` is set by the flow itself"
            )));
        }
        let auth_url = endpoint_url("authorize URL", &config.authorize_url)?;
        let token_url = endpoint_url("token URL", &config.token_url)?;
        let revocation_url = config
            .revocation_url
            .as_deref()
            .map(|u| endpoint_url("revocation URL", u))
            .transpose()?;
        let userinfo_url = config
            .userinfo_url
            .as_deref()
            .map(|u| endpoint_url("user-info URL", u))
            .transpose()?;
        // No client secret: oauth2 then sends `client_id` in the form body, as a public client must.
        let client = oauth2::Client::new(ClientId::new(config.client_id.clone()))
            .set_auth_uri(AuthUrl::from_url(auth_url))
            .set_token_uri(TokenUrl::from_url(token_url));
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                client,
                revocation_url,
                userinfo_url,
                http: OAuthHttp(http),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &CodeFlowConfig {
        &self.inner.config
    }

    /// `"{provider} {what}"`, the operation named in errors.
    fn operation(&self, what: &str) -> String {
        format!("{} {what}", self.inner.config.provider)
    }

    /// The whole sign-in: [`Self::begin`], `open_browser(url)`, then [`PendingCodeFlow::finish`].
    /// `open_browser` opens the system browser (the desktop shell) or prints the URL (a CLI).
    pub async fn authorize(
        &self,
        open_browser: impl FnOnce(&str) -> Result<(), String> + Send,
    ) -> Result<OAuthTokens, OAuthError> {
        let pending = self.begin().await?;
        open_browser(pending.url()).map_err(|e| OAuthError::Browser(clean_text(&e)))?;
        pending.finish().await
    }

    /// Starts a sign-in: binds the loopback listener and builds the authorize URL with a fresh
    /// `state` and PKCE S256 challenge (both from a CSPRNG).
    pub async fn begin(&self) -> Result<PendingCodeFlow, OAuthError> {
        let listener = LoopbackListener::bind().await?;
        let redirect_uri = listener.redirect_uri().to_owned();
        let redirect = RedirectUrl::new(redirect_uri.clone()).map_err(|e| config_error("redirect URI", e))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let config = &self.inner.config;
        let mut request = self
            .inner
            .client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(config.scopes.iter().map(|s| Scope::new(s.clone())))
            .set_pkce_challenge(challenge)
            .set_redirect_uri(Cow::Owned(redirect));
        for (name, value) in &config.extra_authorize_params {
            request = request.add_extra_param(name.as_str(), value.as_str());
        }
        let (url, state) = request.url();
        Ok(PendingCodeFlow::new(
            self.clone(),
            listener,
            url.to_string(),
            Secret::new(state.into_secret()),
            Secret::new(verifier.into_secret()),
        ))
    }

    /// Exchanges an authorization code, with its PKCE verifier and the redirect URI it was
    /// issued for, for tokens (RFC 6749 §4.1.3, RFC 7636 §4.5).
    pub async fn exchange_code(
        &self,
        code: &Secret<String>,
        verifier: &Secret<String>,
        redirect_uri: &str,
    ) -> Result<OAuthTokens, OAuthError> {
        let operation = self.operation("code exchange");
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
            .map_err(|e| token_error(&operation, e))?;
        Ok(OAuthTokens::from_response(response))
    }

    /// New tokens from a refresh token (RFC 6749 §6). `invalid_grant` (revoked, expired, or from
    /// a rotation whose result was never stored) is [`OAuthError::ReconnectNeeded`]; network
    /// errors, `429` and `5xx` are [`OAuthError::Unavailable`].
    pub async fn refresh(&self, refresh_token: &Secret<String>) -> Result<OAuthTokens, OAuthError> {
        let token = RefreshToken::new(refresh_token.expose().clone());
        let result = self
            .inner
            .client
            .exchange_refresh_token(&token)
            .request_async(&self.inner.http)
            .await;
        match result {
            Ok(response) => Ok(OAuthTokens::from_response(response)),
            Err(RequestTokenError::ServerResponse(r))
                if *r.error() == BasicErrorResponseType::InvalidGrant =>
            {
                let provider = &self.inner.config.provider;
                let description = clean_text(r.error_description().map_or("", String::as_str));
                let reason = if description.is_empty() {
                    format!("{provider} refused the refresh token (invalid_grant)")
                } else {
                    format!("{provider} refused the refresh token: {description}")
                };
                Err(OAuthError::ReconnectNeeded { reason })
            }
            Err(e) => Err(token_error(&self.operation("token refresh"), e)),
        }
    }

    /// Revokes a token at the RFC 7009 endpoint: an access token alone, or a refresh token (the
    /// server then usually revokes the access tokens issued from it too). `hint` is sent as
    /// `token_type_hint`.
    pub async fn revoke(
        &self,
        token: &Secret<String>,
        hint: Option<TokenTypeHint>,
    ) -> Result<(), OAuthError> {
        let operation = self.operation("token revocation");
        let Some(url) = &self.inner.revocation_url else {
            return Err(OAuthError::Config(format!(
                "{} has no revocation endpoint configured",
                self.inner.config.provider
            )));
        };
        let client_id = self
            .inner
            .config
            .revocation_sends_client_id
            .then_some(self.inner.config.client_id.as_str());
        endpoints::revoke(&self.inner.http.0, &operation, url, token, hint, client_id).await
    }

    /// The OpenID Connect user-info claims for an access token (`GET` with a Bearer header).
    pub async fn user_info(
        &self,
        access_token: &Secret<String>,
    ) -> Result<serde_json::Map<String, serde_json::Value>, OAuthError> {
        let operation = self.operation("user info request");
        let Some(url) = &self.inner.userinfo_url else {
            return Err(OAuthError::Config(format!(
                "{} has no user-info endpoint configured",
                self.inner.config.provider
            )));
        };
        endpoints::user_info(&self.inner.http.0, &operation, url, access_token).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(config: CodeFlowConfig) -> Result<AuthorizationCodeClient, OAuthError> {
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| OAuthError::Config(e.to_string()))?;
        AuthorizationCodeClient::new(config, http)
    }

    fn config() -> CodeFlowConfig {
        CodeFlowConfig::new(
            "Example",
            "https://auth.example/authorize",
            "https://auth.example/token",
            "paysync-desktop",
        )
    }

    fn param(url: &str, name: &str) -> Vec<String> {
        Url::parse(url)
            .map(|u| {
                u.query_pairs()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn the_authorize_url_carries_pkce_state_scopes_and_extras() {
        let mut config = config();
        config.scopes = vec!["openid".into(), "offline_access".into()];
        config.extra_authorize_params = vec![("prompt".into(), "login".into())];
        let client = client(config).unwrap_or_else(|e| panic!("{e}"));
        let first = client.begin().await.unwrap_or_else(|e| panic!("{e}"));
        let second = client.begin().await.unwrap_or_else(|e| panic!("{e}"));
        let url = first.url();
        assert!(url.starts_with("https://auth.example/authorize?"), "{url}");
        assert_eq!(param(url, "response_type"), ["code"]);
        assert_eq!(param(url, "client_id"), ["paysync-desktop"]);
        assert_eq!(param(url, "code_challenge_method"), ["S256"]);
        assert_eq!(param(url, "scope"), ["openid offline_access"]);
        assert_eq!(param(url, "prompt"), ["login"]);
        assert_eq!(param(url, "redirect_uri"), [first.redirect_uri()]);
        let challenge = param(url, "code_challenge");
        assert_eq!(challenge.first().map(String::len), Some(43));
        // Fresh state, challenge and port for every sign-in.
        for name in ["state", "code_challenge", "redirect_uri"] {
            assert_ne!(param(url, name), param(second.url(), name), "{name}");
        }
    }

    #[test]
    fn bad_configurations_are_refused() {
        type Change = fn(&mut CodeFlowConfig);
        let cases: [(&str, Change); 5] = [
            ("client id", |c| c.client_id = " ".into()),
            ("authorize URL", |c| c.authorize_url = "not a url".into()),
            ("token URL", |c| c.token_url = "ftp://auth.example/token".into()),
            ("revocation URL", |c| {
                c.revocation_url = Some("https://u:p@auth.example/revoke".into())
            }),
            ("`state`", |c| {
                c.extra_authorize_params = vec![("state".into(), "fixed".into())]
            }),
        ];
        for (what, change) in cases {
            let mut config = config();
            change(&mut config);
            match client(config) {
                Err(OAuthError::Config(message)) => assert!(message.contains(what), "{what}: {message}"),
                other => panic!("{what}: expected a configuration error, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn revoke_and_user_info_need_their_endpoints() {
        let client = client(config()).unwrap_or_else(|e| panic!("{e}"));
        let token = Secret::new("t".to_owned());
        assert!(matches!(
            client.revoke(&token, None).await,
            Err(OAuthError::Config(m)) if m.contains("no revocation endpoint")
        ));
        assert!(matches!(
            client.user_info(&token).await,
            Err(OAuthError::Config(m)) if m.contains("no user-info endpoint")
        ));
    }
}
