//! The Salesforce connection: OAuth in the system browser (PKCE, loopback redirect), tokens in the
//! keychain, "Test connection" through the org's `limits` resource and the identity, refresh on
//! an expired session, and revocation on disconnect.

use chrono::{DateTime, Utc};
use paysync_connectors::oauth::{
    LoginHost, OAuthError, SalesforceOAuth, SalesforceOAuthConfig, SalesforceTokens,
};
use paysync_core::Secret;
use serde::{Deserialize, Serialize};

use super::ConnectError;

/// The REST API version the connection test reads `limits` through.
const API_VERSION: &str = "v66.0";

/// What the keychain entry of a Salesforce connection holds.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct StoredTokens {
    #[serde(with = "super::secret_serde")]
    pub access_token: Secret<String>,
    #[serde(with = "super::secret_serde::option")]
    pub refresh_token: Option<Secret<String>>,
    pub instance_url: String,
    pub identity_url: String,
    pub org_id: String,
    pub user_id: String,
    pub issued_at: DateTime<Utc>,
}

impl std::fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTokens")
            .field("instance_url", &self.instance_url)
            .field("org_id", &self.org_id)
            .finish_non_exhaustive()
    }
}

impl From<&SalesforceTokens> for StoredTokens {
    fn from(t: &SalesforceTokens) -> Self {
        Self {
            access_token: t.access_token.clone(),
            refresh_token: t.refresh_token.clone(),
            instance_url: t.instance_url.clone(),
            identity_url: t.identity_url.clone(),
            org_id: t.org_id.clone(),
            user_id: t.user_id.clone(),
            issued_at: t.issued_at,
        }
    }
}

/// The OAuth client for a profile's login host and client id.
pub(crate) fn client(
    login_url: &str,
    client_id: Option<&str>,
    profile: &str,
    clock: paysync_core::SharedClock,
) -> Result<SalesforceOAuth, ConnectError> {
    let client_id = client_id.ok_or_else(|| ConnectError::Invalid {
        provider: "salesforce",
        field: "salesforce_client_id",
        reason: format!(
            "profile {profile:?} has no Salesforce client id: create an External Client App (see the README) \
             and set [profiles.{profile}] salesforce_client_id"
        ),
    })?;
    let url = url::Url::parse(login_url).map_err(|e| ConnectError::Invalid {
        provider: "salesforce",
        field: "urls.salesforce",
        reason: format!("{login_url:?} is not a URL: {e}"),
    })?;
    let http = paysync_connectors::oauth::oauth_http_client(std::time::Duration::from_secs(30))
        .map_err(oauth_error)?;
    SalesforceOAuth::new(
        SalesforceOAuthConfig::new(LoginHost::Custom(url), client_id),
        http,
        clock,
    )
    .map_err(oauth_error)
}

/// What an OAuth failure means for the person connecting.
pub(crate) fn oauth_error(e: OAuthError) -> ConnectError {
    let reason = format!("Salesforce sign-in failed: {e}");
    if e.is_retryable() {
        ConnectError::Unreachable {
            provider: "salesforce".to_owned(),
            reason,
        }
    } else {
        ConnectError::Refused {
            provider: "salesforce".to_owned(),
            reason,
        }
    }
}

/// Reads the org's API limits with `access`: `Ok(None)` when the session expired (401).
pub(crate) async fn read_limits(
    http: &reqwest::Client,
    tokens: &StoredTokens,
) -> Result<Option<(u64, u64)>, ConnectError> {
    let url = format!(
        "{}/services/data/{API_VERSION}/limits",
        tokens.instance_url.trim_end_matches('/')
    );
    let response = http
        .get(url)
        .bearer_auth(tokens.access_token.expose())
        .send()
        .await
        .map_err(|e| ConnectError::Unreachable {
            provider: "salesforce".to_owned(),
            reason: format!(
                "Salesforce could not be reached: {}",
                if e.is_timeout() {
                    "timed out"
                } else {
                    "connection failed"
                }
            ),
        })?;
    match response.status().as_u16() {
        200 => {
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            let daily = &body["DailyApiRequests"];
            let max = daily["Max"].as_u64().unwrap_or(0);
            let remaining = daily["Remaining"].as_u64().unwrap_or(0);
            Ok(Some((max.saturating_sub(remaining), max)))
        }
        401 => Ok(None),
        s => Err(ConnectError::Unreachable {
            provider: "salesforce".to_owned(),
            reason: format!("Salesforce answered HTTP {s} for the org's limits"),
        }),
    }
}
