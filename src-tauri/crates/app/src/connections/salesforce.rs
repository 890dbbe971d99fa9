//! The Salesforce connection: OAuth in the system browser (PKCE, loopback redirect), tokens in the
//! keychain, "Test connection" through the org's `limits` resource and the identity, refresh on
//! an expired session, and revocation on disconnect.

use chrono::{DateTime, Utc};
use paysync_connectors::oauth::{
    LoginHost, OAuthError, SalesforceOAuth, SalesforceOAuthConfig, SalesforceTokens,
};
use paysync_core::Secret;
use serde::{Deserialize, Serialize};

use super::{ConnectError, ProfileKind};

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

/// Whether `login` may sign in a profile of `kind`: Salesforce's test.salesforce.com and
/// `*.sandbox.my.salesforce.com` hosts reach only sandbox orgs and the others only production
/// orgs, so checking the host keeps a sandbox profile away from a production org (and the other
/// way round). Loopback hosts are simulators and serve either.
pub(crate) fn check_login_host(
    login: &url::Url,
    kind: ProfileKind,
    profile: &str,
) -> Result<(), ConnectError> {
    let host = login.host_str().unwrap_or_default().to_ascii_lowercase();
    if matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]") {
        return Ok(());
    }
    let sandbox_host = host == "test.salesforce.com" || host.ends_with(".sandbox.my.salesforce.com");
    let reason = match (kind, sandbox_host) {
        (ProfileKind::Sandbox, false) => format!(
            "profile {profile:?} is a sandbox, and {host} signs in to production orgs: use https://test.salesforce.com \
             or your sandbox's My Domain (https://<domain>--<sandbox>.sandbox.my.salesforce.com)"
        ),
        (ProfileKind::Production, true) => format!(
            "profile {profile:?} is production, and {host} signs in to sandbox orgs: use https://login.salesforce.com \
             or your My Domain (https://<domain>.my.salesforce.com)"
        ),
        _ => return Ok(()),
    };
    Err(ConnectError::Invalid {
        provider: "salesforce",
        field: "urls.salesforce",
        reason,
    })
}

/// The OAuth client for a profile's login host and client id.
pub(crate) fn client(
    login_url: &str,
    client_id: Option<&str>,
    (profile, kind): (&str, ProfileKind),
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
    check_login_host(&url, kind, profile)?;
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

/// The org's daily API usage: requests used today and the org's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DailyApiUsage {
    /// Requests used today.
    pub used: u64,
    /// The org's daily limit.
    pub limit: u64,
}

#[derive(Deserialize)]
struct Limit {
    #[serde(rename = "Max")]
    max: u64,
    #[serde(rename = "Remaining")]
    remaining: u64,
}

#[derive(Deserialize)]
struct Limits {
    #[serde(rename = "DailyApiRequests")]
    daily_api_requests: Limit,
}

/// Reads the org's daily API usage through the REST `limits` resource with `access_token`:
/// `Ok(None)` when the session expired (401). The console's Overview and "Test connection"
/// both read it here.
pub(crate) async fn read_limits(
    http: &reqwest::Client,
    instance_url: &str,
    access_token: &str,
) -> Result<Option<DailyApiUsage>, ConnectError> {
    let url = format!(
        "{}/services/data/{API_VERSION}/limits",
        instance_url.trim_end_matches('/')
    );
    let unreachable = |reason: String| ConnectError::Unreachable {
        provider: "salesforce".to_owned(),
        reason,
    };
    let response = http
        .get(url)
        .bearer_auth(access_token)
        .send()
        .await
        .map_err(|e| unreachable(super::probes::unreachable_error("Salesforce", &e).to_string()))?;
    match response.status().as_u16() {
        200 => {
            let limits: Limits = response.json().await.map_err(|e| {
                unreachable(format!(
                    "Salesforce's limits resource answered something else: {e}"
                ))
            })?;
            let daily = limits.daily_api_requests;
            Ok(Some(DailyApiUsage {
                used: daily.max.saturating_sub(daily.remaining),
                limit: daily.max,
            }))
        }
        401 => Ok(None),
        s => Err(unreachable(format!(
            "Salesforce answered HTTP {s} for the org's limits"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str, kind: ProfileKind) -> Result<(), ConnectError> {
        check_login_host(&url::Url::parse(url).unwrap_or_else(|e| panic!("{e}")), kind, "p")
    }

    #[test]
    fn a_sandbox_profile_signs_in_only_to_sandbox_orgs_and_production_only_to_production() {
        for url in [
            "https://test.salesforce.com",
            "https://acme--uat.sandbox.my.salesforce.com",
            "http://127.0.0.1:41001",
        ] {
            assert!(check(url, ProfileKind::Sandbox).is_ok(), "{url}");
        }
        for url in ["https://login.salesforce.com", "https://acme.my.salesforce.com"] {
            let e = check(url, ProfileKind::Sandbox).err();
            assert!(
                matches!(&e, Some(ConnectError::Invalid { field: "urls.salesforce", reason, .. }) if reason.contains("production orgs")),
                "{url}: {e:?}"
            );
            assert!(check(url, ProfileKind::Production).is_ok(), "{url}");
        }
        for url in [
            "https://test.salesforce.com",
            "https://acme--uat.sandbox.my.salesforce.com",
        ] {
            assert!(check(url, ProfileKind::Production).is_err(), "{url}");
        }
    }
}
