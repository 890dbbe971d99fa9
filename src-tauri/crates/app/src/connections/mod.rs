//! Connecting accounts: check the credentials against the provider, keep the secret in the OS
//! keychain and only the metadata (with the keychain entry's name) in SQLite, test a connection
//! on demand, and disconnect. Every change is audited by the store in the same transaction as the
//! change. Used alike by `paysync connect …` and the console's Connections screen.

pub mod credentials;
pub mod probes;
pub mod profiles;
pub(crate) mod salesforce;
mod secret_serde;
pub mod webhook_secrets;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use paysync_core::{Secret, SharedClock, SharedRandom};
use paysync_store::{Connection, NewConnection, Store, StoreError};

pub use credentials::{KeyCredentials, PROVIDERS};
use probes::ProbeError;
pub use profiles::{Profile, ProfileKind};

use crate::keychain::{self, KeychainError, SecretStore};

/// Who a connection points at, as the provider described it.
struct Account {
    display_name: String,
    account_ref: Option<String>,
}

/// The setting that holds this data directory's keychain namespace.
const KEYCHAIN_NAMESPACE: &str = "connections.keychain_namespace";

/// Why connecting, testing or disconnecting failed. Messages name the provider and field.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// A field is missing or wrong; nothing was stored.
    #[error("{provider}: {field}: {reason}")]
    Invalid {
        /// The provider.
        provider: &'static str,
        /// The field.
        field: &'static str,
        /// What is wrong, and what to do.
        reason: String,
    },
    /// The provider refused the credentials; nothing was stored.
    #[error("{reason}")]
    Refused {
        /// The provider.
        provider: String,
        /// The provider's verdict.
        reason: String,
    },
    /// The provider could not be reached or failed; nothing was stored.
    #[error("{reason}")]
    Unreachable {
        /// The provider.
        provider: String,
        /// What happened.
        reason: String,
    },
    /// The profile has no URL for the provider.
    #[error(
        "profile {profile:?} has no address for {provider}: set [profiles.{profile}.urls] {provider} = \"https://…\" in the configuration"
    )]
    NoUrl {
        /// The profile.
        profile: String,
        /// The provider.
        provider: String,
    },
    /// No profile of that name is configured.
    #[error("there is no profile {0:?}: use sandbox, production, or one configured under [profiles.NAME]")]
    UnknownProfile(String),
    /// No such connection in this profile.
    #[error("{provider} is not connected in profile {profile:?}")]
    NotConnected {
        /// The profile.
        profile: String,
        /// The provider.
        provider: String,
    },
    /// The connection's keychain entry is gone or unreadable: reconnect.
    #[error("the keychain entry {reference} for this connection is missing or damaged: reconnect {provider}")]
    ReconnectNeeded {
        /// The provider.
        provider: String,
        /// The keychain entry.
        reference: String,
    },
    /// The keychain failed.
    #[error(transparent)]
    Keychain(#[from] KeychainError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The outcome of "Test connection".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestVerdict {
    /// The provider.
    pub provider: String,
    /// Whether the provider accepted the stored credentials.
    pub ok: bool,
    /// What was learned, or why it failed.
    pub message: String,
    /// When it was tested.
    pub tested_at: DateTime<Utc>,
}

/// The connections of one profile.
#[derive(Debug, Clone)]
pub struct Connections {
    store: Store,
    keychain: Arc<dyn SecretStore>,
    http: reqwest::Client,
    clock: SharedClock,
    rng: SharedRandom,
    profile: Profile,
    actor: String,
    /// Held from reading Salesforce's tokens to storing refreshed ones, so two tasks never
    /// refresh with the same refresh token (a rotated one would lock the other out).
    salesforce_refresh: Arc<tokio::sync::Mutex<()>>,
}

impl Connections {
    /// The connections of `profile`, kept in `store` (metadata) and `keychain` (secrets); `actor`
    /// is who the audit log names for changes.
    pub fn new(
        store: Store,
        keychain: Arc<dyn SecretStore>,
        http: reqwest::Client,
        (clock, rng): (SharedClock, SharedRandom),
        profile: Profile,
        actor: &str,
    ) -> Self {
        Self {
            store,
            keychain,
            http,
            clock,
            rng,
            profile,
            actor: actor.to_owned(),
            salesforce_refresh: Arc::new(tokio::sync::Mutex::new(())),
        }
    }

    /// The profile.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// This profile's connections.
    pub async fn list(&self) -> Result<Vec<Connection>, ConnectError> {
        Ok(self.store.connections().list(Some(&self.profile.name)).await?)
    }

    /// Connects a provider by key: checks every field, tests the credentials against the
    /// provider, then stores the secret in the keychain and the metadata in the database.
    /// Nothing is stored when any step fails.
    pub async fn connect(&self, creds: KeyCredentials) -> Result<Connection, ConnectError> {
        let provider = creds.provider();
        creds.validate(&self.profile.name, self.profile.kind)?;
        let probed = probes::probe(&self.http, &self.clock, self.target(provider)?, &creds)
            .await
            .map_err(|e| probe_error(provider, e))?;
        let saved = self
            .save(
                provider,
                &creds,
                Account {
                    display_name: probed.display_name,
                    account_ref: probed.account_ref,
                },
                &self.actor,
            )
            .await?;
        Ok(saved)
    }

    /// Connects Salesforce: OAuth with PKCE in the system browser (`open_browser` opens or prints
    /// the URL), a loopback redirect, then the tokens go to the keychain and the org and user to
    /// the database. The audit log names the Salesforce user who signed in.
    pub async fn connect_salesforce(
        &self,
        open_browser: impl FnOnce(&str) -> Result<(), String> + Send,
    ) -> Result<Connection, ConnectError> {
        let oauth = self.salesforce_oauth()?;
        let tokens = oauth
            .authorize(open_browser)
            .await
            .map_err(salesforce::oauth_error)?;
        let (display_name, actor) = match &tokens.user {
            Some(user) => (
                format!("{} <{}>, org {}", user.name, user.email, tokens.org_id),
                user.email.clone(),
            ),
            None => (
                format!("org {}, user {}", tokens.org_id, tokens.user_id),
                self.actor.clone(),
            ),
        };
        let conn = self
            .save(
                "salesforce",
                &salesforce::StoredTokens::from(&tokens),
                Account {
                    display_name,
                    account_ref: Some(tokens.org_id.clone()),
                },
                &actor,
            )
            .await?;
        let now = self.clock.now();
        if tokens.user.is_some() {
            self.store
                .settings()
                .set(&signed_in_user_key(&self.profile.name), &actor, now)
                .await?;
        }
        // The Salesforce user id is who approves payout batches (four eyes compare it with the
        // users who approved the requests in Salesforce).
        self.store
            .settings()
            .set(&signed_in_user_id_key(&self.profile.name), &tokens.user_id, now)
            .await?;
        Ok(conn)
    }

    /// Writes the keychain entry first, then the connection's metadata (audited as `actor`):
    /// a connection is never recorded without its secret in place.
    async fn save<T: serde::Serialize>(
        &self,
        provider: &'static str,
        entry: &T,
        account: Account,
        actor: &str,
    ) -> Result<Connection, ConnectError> {
        let reference = self.keychain_ref(provider).await?;
        let entry = serde_json::to_string(entry).map_err(|e| ConnectError::Invalid {
            provider,
            field: "credentials",
            reason: e.to_string(),
        })?;
        keychain::put_async(self.keychain.clone(), reference.clone(), Secret::new(entry)).await?;
        let now = self.clock.now();
        let conn = self
            .store
            .connections()
            .upsert(
                &NewConnection {
                    id: self.connection_id(provider),
                    profile: self.profile.name.clone(),
                    provider: provider.to_owned(),
                    display_name: account.display_name,
                    account_ref: account.account_ref,
                    keychain_ref: Some(reference),
                    status: "connected".to_owned(),
                },
                actor,
                now,
            )
            .await?;
        self.store.connections().mark_success(&conn.id, now).await?;
        Ok(self.get(provider).await?.unwrap_or(conn))
    }

    /// Tests a connection with its stored credentials and records the outcome on it.
    pub async fn test(&self, provider: &str) -> Result<TestVerdict, ConnectError> {
        if provider == "salesforce" {
            return self.test_salesforce().await;
        }
        let conn = self.require(provider).await?;
        let creds = self.credentials(&conn).await?;
        let target = self.target(provider)?;
        let now = self.clock.now();
        let verdict = match probes::probe(&self.http, &self.clock, target, &creds).await {
            Ok(probed) => {
                self.store.connections().mark_success(&conn.id, now).await?;
                let renews = probed
                    .token_renews_at
                    .map(|at| format!(" Its access token renews itself at {} UTC.", at.format("%H:%M")))
                    .unwrap_or_default();
                TestVerdict {
                    provider: provider.to_owned(),
                    ok: true,
                    message: format!("Connected: {}.{renews}", probed.display_name),
                    tested_at: now,
                }
            }
            Err(e) => {
                let message = e.to_string();
                self.store
                    .connections()
                    .mark_error(&conn.id, &message, now)
                    .await?;
                TestVerdict {
                    provider: provider.to_owned(),
                    ok: false,
                    message,
                    tested_at: now,
                }
            }
        };
        Ok(verdict)
    }

    /// Disconnects a provider: revokes Salesforce's tokens, deletes the secret from the keychain,
    /// then the metadata (audited). A revocation the org refuses (the token was already revoked)
    /// does not keep the connection alive.
    pub async fn disconnect(&self, provider: &str) -> Result<(), ConnectError> {
        let conn = self.require(provider).await?;
        if provider == "salesforce"
            && let Ok(tokens) = self.salesforce_tokens(&conn).await
        {
            let token = tokens.refresh_token.as_ref().unwrap_or(&tokens.access_token);
            if let Err(e) = self.salesforce_oauth()?.revoke(token).await {
                tracing::warn!(error = %e, "Salesforce did not revoke the tokens; deleting them anyway.");
            }
        }
        if let Some(reference) = &conn.keychain_ref {
            keychain::delete_async(self.keychain.clone(), reference.clone()).await?;
        }
        self.forget_webhook_secret(provider).await?;
        if provider == "salesforce" {
            self.store
                .settings()
                .set(&signed_in_user_key(&self.profile.name), "", self.clock.now())
                .await?;
            self.store
                .settings()
                .set(&signed_in_user_id_key(&self.profile.name), "", self.clock.now())
                .await?;
        }
        self.store
            .connections()
            .delete(&conn.id, &self.actor, self.clock.now())
            .await?;
        Ok(())
    }

    /// One connection of this profile.
    pub async fn get(&self, provider: &str) -> Result<Option<Connection>, ConnectError> {
        Ok(self
            .store
            .connections()
            .get(&self.connection_id(provider))
            .await?)
    }

    /// The Salesforce session the flows call with: the instance URL and the current access token.
    pub async fn salesforce_session(&self) -> Result<(String, Secret<String>), ConnectError> {
        let conn = self.require("salesforce").await?;
        let tokens = self.salesforce_tokens(&conn).await?;
        Ok((tokens.instance_url, tokens.access_token))
    }

    /// Renews the Salesforce session with the refresh token, keeps the new (and any rotated)
    /// tokens in the keychain and returns the new access token. A refusal marks the connection
    /// "reconnect needed". Serialized with every other renewal, so a rotated refresh token never
    /// locks a second renewal out.
    pub async fn renew_salesforce_session(&self) -> Result<Secret<String>, ConnectError> {
        let _serialized = self.salesforce_refresh.lock().await;
        let conn = self.require("salesforce").await?;
        let mut tokens = self.salesforce_tokens(&conn).await?;
        match self.renew_tokens(&conn, &mut tokens).await? {
            Ok(()) => Ok(tokens.access_token),
            Err(reason) => Err(ConnectError::Refused {
                provider: "salesforce".to_owned(),
                reason,
            }),
        }
    }

    /// Renews `tokens` with their refresh token (the caller holds the renewal lock) and keeps the
    /// new ones; a refusal marks the connection and answers why, for the caller to report.
    async fn renew_tokens(
        &self,
        conn: &Connection,
        tokens: &mut salesforce::StoredTokens,
    ) -> Result<Result<(), String>, ConnectError> {
        let refreshed = match &tokens.refresh_token {
            Some(refresh) => self.salesforce_oauth()?.refresh(refresh).await,
            None => Err(paysync_connectors::oauth::OAuthError::ReconnectNeeded {
                reason: "no refresh token was granted".to_owned(),
            }),
        };
        match refreshed {
            Ok(fresh) => {
                tokens.access_token = fresh.access_token;
                if let Some(rotated) = fresh.refresh_token {
                    tokens.refresh_token = Some(rotated);
                }
                tokens.instance_url = fresh.instance_url;
                tokens.issued_at = fresh.issued_at;
                self.save_salesforce_tokens(conn, tokens).await?;
                Ok(Ok(()))
            }
            Err(e) => {
                let reason = format!("Reconnect needed: Salesforce refused to renew the session ({e}).");
                self.store
                    .connections()
                    .mark_error(&conn.id, &reason, self.clock.now())
                    .await?;
                Ok(Err(reason))
            }
        }
    }

    /// The stored credentials of a key-based connection, for the flows that call the provider.
    pub async fn credentials(&self, conn: &Connection) -> Result<KeyCredentials, ConnectError> {
        self.read_entry(conn).await
    }

    /// A connection's keychain entry: a missing, unreadable or malformed one means reconnect.
    async fn read_entry<T: serde::de::DeserializeOwned>(&self, conn: &Connection) -> Result<T, ConnectError> {
        let reconnect = || ConnectError::ReconnectNeeded {
            provider: conn.provider.clone(),
            reference: conn.keychain_ref.clone().unwrap_or_default(),
        };
        let reference = conn.keychain_ref.clone().ok_or_else(reconnect)?;
        let secret = keychain::get_async(self.keychain.clone(), reference)
            .await?
            .ok_or_else(reconnect)?;
        serde_json::from_str(secret.expose()).map_err(|_| reconnect())
    }

    async fn test_salesforce(&self) -> Result<TestVerdict, ConnectError> {
        let _serialized = self.salesforce_refresh.lock().await;
        let conn = self.require("salesforce").await?;
        let mut tokens = self.salesforce_tokens(&conn).await?;
        let now = self.clock.now();
        let mut limits =
            salesforce::read_limits(&self.http, &tokens.instance_url, tokens.access_token.expose()).await;
        if matches!(limits, Ok(None)) {
            // The session expired: refresh once, keep the new tokens, and try again.
            match self.renew_tokens(&conn, &mut tokens).await? {
                Ok(()) => {
                    limits = salesforce::read_limits(
                        &self.http,
                        &tokens.instance_url,
                        tokens.access_token.expose(),
                    )
                    .await;
                }
                Err(message) => {
                    return Ok(TestVerdict {
                        provider: "salesforce".to_owned(),
                        ok: false,
                        message,
                        tested_at: now,
                    });
                }
            }
        }
        let (ok, message) = match limits {
            Ok(Some(salesforce::DailyApiUsage { used, limit: max })) => {
                let who = match self.salesforce_oauth()?.user_info(&tokens.access_token).await {
                    Ok(user) => format!("{} <{}>", user.name, user.email),
                    Err(_) => format!("user {}", tokens.user_id),
                };
                (
                    true,
                    format!(
                        "Connected as {who} to org {}: {used} of {max} API requests used today. Session issued \
                         {} UTC; Paysync renews it when Salesforce ends it.",
                        tokens.org_id,
                        tokens.issued_at.format("%Y-%m-%d %H:%M")
                    ),
                )
            }
            Ok(None) => (false, "Salesforce refused the renewed session.".to_owned()),
            Err(e) => (false, e.to_string()),
        };
        if ok {
            self.store.connections().mark_success(&conn.id, now).await?;
        } else {
            self.store
                .connections()
                .mark_error(&conn.id, &message, now)
                .await?;
        }
        Ok(TestVerdict {
            provider: "salesforce".to_owned(),
            ok,
            message,
            tested_at: now,
        })
    }

    fn salesforce_oauth(&self) -> Result<paysync_connectors::oauth::SalesforceOAuth, ConnectError> {
        salesforce::client(
            self.url("salesforce")?,
            self.profile.salesforce_client_id.as_deref(),
            (&self.profile.name, self.profile.kind),
            self.clock.clone(),
        )
    }

    async fn salesforce_tokens(&self, conn: &Connection) -> Result<salesforce::StoredTokens, ConnectError> {
        self.read_entry(conn).await
    }

    async fn save_salesforce_tokens(
        &self,
        conn: &Connection,
        tokens: &salesforce::StoredTokens,
    ) -> Result<(), ConnectError> {
        let reference = match &conn.keychain_ref {
            Some(r) => r.clone(),
            None => self.keychain_ref("salesforce").await?,
        };
        let entry = serde_json::to_string(tokens).map_err(|e| ConnectError::Invalid {
            provider: "salesforce",
            field: "tokens",
            reason: e.to_string(),
        })?;
        keychain::put_async(self.keychain.clone(), reference, Secret::new(entry)).await?;
        Ok(())
    }

    async fn require(&self, provider: &str) -> Result<Connection, ConnectError> {
        self.get(provider)
            .await?
            .ok_or_else(|| ConnectError::NotConnected {
                profile: self.profile.name.clone(),
                provider: provider.to_owned(),
            })
    }

    fn url(&self, provider: &str) -> Result<&str, ConnectError> {
        self.profile.url(provider).ok_or_else(|| ConnectError::NoUrl {
            profile: self.profile.name.clone(),
            provider: provider.to_owned(),
        })
    }

    fn target(&self, provider: &str) -> Result<probes::Target<'_>, ConnectError> {
        let base = self.url(provider)?;
        // Checkout.com issues OAuth tokens from its access host; the simulator serves both.
        let access = self.profile.url(&format!("{provider}_access")).unwrap_or(base);
        Ok(probes::Target { base, access })
    }

    fn connection_id(&self, provider: &str) -> String {
        format!("{}:{provider}", self.profile.name)
    }

    /// The keychain entry's name: this data directory's namespace, the profile and the provider,
    /// so neither two profiles nor two Paysync data directories on one machine share a secret.
    async fn keychain_ref(&self, provider: &str) -> Result<String, ConnectError> {
        let settings = self.store.settings();
        let namespace = match settings.get(KEYCHAIN_NAMESPACE).await? {
            Some(ns) => ns,
            None => {
                let ns = format!("{:016x}", self.rng.next_u64());
                settings.set(KEYCHAIN_NAMESPACE, &ns, self.clock.now()).await?;
                ns
            }
        };
        Ok(format!("{namespace}/{}/{provider}", self.profile.name))
    }
}

fn signed_in_user_key(profile: &str) -> String {
    format!("connections.{profile}.salesforce_user")
}

fn signed_in_user_id_key(profile: &str) -> String {
    format!("connections.{profile}.salesforce_user_id")
}

/// The Salesforce user id (`005…`) of who connected `profile`, if one did: the approver of payout
/// batches.
pub async fn signed_in_user_id(store: &Store, profile: &str) -> Result<Option<String>, ConnectError> {
    Ok(store
        .settings()
        .get(&signed_in_user_id_key(profile))
        .await?
        .filter(|id| !id.is_empty()))
}

/// The email of the Salesforce user who connected `profile`, if one did: the console names them
/// as the actor of what it audits.
pub async fn signed_in_user(store: &Store, profile: &str) -> Result<Option<String>, ConnectError> {
    Ok(store
        .settings()
        .get(&signed_in_user_key(profile))
        .await?
        .filter(|email| !email.is_empty()))
}

fn probe_error(provider: &str, e: ProbeError) -> ConnectError {
    match e {
        ProbeError::Refused(reason) => ConnectError::Refused {
            provider: provider.to_owned(),
            reason,
        },
        ProbeError::Unreachable(reason) => ConnectError::Unreachable {
            provider: provider.to_owned(),
            reason,
        },
    }
}
