//! OAuth 2.0 for the connectors (apis.md §1.2, §3.1, §4; ARCHITECTURE §3.7).
//!
//! - [`loopback`]: the RFC 8252 loopback redirect listener a native app uses to receive the
//!   authorization code from the system browser (single use, constant-time `state` check, timeout).
//! - [`authorization_code`]: the standard authorization-code flow with PKCE for a public native
//!   client (loopback redirect, code exchange, refresh, RFC 7009 revocation, user info), with
//!   every endpoint configured and nothing provider-specific.
//! - [`salesforce`]: the Salesforce web-server flow on any login host: [`authorization_code`]
//!   plus Salesforce's token fields (`instance_url`, identity URL, `issued_at`) and user info.
//! - [`salesforce_auth`]: an [`crate::http::Authenticator`] that refreshes Salesforce access
//!   tokens on a 401 and hands new tokens to a [`TokenSink`] (the keychain).
//! - [`client_credentials`]: the client-credentials grant (Payoneer, Checkout.com), with an
//!   in-memory token cache refreshed before expiry on the injected clock.
//!
//! Every token is a [`paysync_core::Secret`]; no error or `Debug` output carries one. Token calls
//! go through [`oauth_http_client`], a reqwest 0.12 client that never follows redirects (the
//! `oauth2` crate's advice against SSRF), and every base URL is configuration so tests only ever
//! talk to local servers (the simulators, and a third-party OAuth server in `tests/oauth-mock`).

pub mod authorization_code;
pub mod client_credentials;
mod error;
pub mod loopback;
pub mod salesforce;
pub mod salesforce_auth;
mod transport;

pub use authorization_code::{
    AuthorizationCodeClient, CodeFlowConfig, OAuthTokens, PendingCodeFlow, ReceivedCode, TokenTypeHint,
};
pub use client_credentials::{ClientAuthStyle, ClientCredentials, ClientCredentialsConfig};
pub use error::OAuthError;
pub use loopback::{LoopbackError, LoopbackListener};
pub use salesforce::{
    AuthorizedCallback, LoginHost, PendingAuthorization, RefreshedToken, SalesforceOAuth,
    SalesforceOAuthConfig, SalesforceTokens, SalesforceUser,
};
pub use salesforce_auth::{SalesforceAuthenticator, TokenSink};
pub use transport::oauth_http_client;
