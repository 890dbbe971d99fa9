//! Connection metadata: which provider accounts a profile is connected to. Metadata only — the
//! secrets themselves live in the OS keychain and `keychain_ref` names the entry (ARCHITECTURE
//! §3.7). Creating, changing and deleting a connection writes an audit entry in the same
//! transaction (§3.8).

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::SqliteConnection;

use crate::audit::{self, NewAuditEntry};
use crate::error::{Result, StoreError, is_unique_violation};
use crate::time::{at, at_opt, ms};
use crate::{Store, require};

/// A connection to create or update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConnection {
    /// Stable id.
    pub id: String,
    /// The profile it belongs to (one connection per profile and provider).
    pub profile: String,
    /// The provider (`stripe`, `salesforce`, …).
    pub provider: String,
    /// The name shown in the UI.
    pub display_name: String,
    /// The provider's account id (not a secret), e.g. `acct_…` or an org id.
    pub account_ref: Option<String>,
    /// The name of the OS keychain entry holding the credentials (never the credentials).
    pub keychain_ref: Option<String>,
    /// The connection's status as the engine names it (e.g. `connected`, `needs_reauth`).
    pub status: String,
}

/// A stored connection.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Connection {
    /// Stable id.
    pub id: String,
    /// The profile.
    pub profile: String,
    /// The provider.
    pub provider: String,
    /// The name shown in the UI.
    pub display_name: String,
    /// The provider's account id.
    pub account_ref: Option<String>,
    /// The keychain entry name.
    pub keychain_ref: Option<String>,
    /// The status.
    pub status: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// When a call through it last succeeded.
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last error seen through it (cleared by a success).
    pub last_error: Option<String>,
}

/// The connections of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct Connections<'a> {
    store: &'a Store,
}

impl<'a> Connections<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// Creates or updates a connection (by id) and audits it (`connection.create` or
    /// `connection.update`, by `actor`). A second connection for the same profile and provider is a
    /// [`StoreError::Conflict`].
    pub async fn upsert(&self, conn: &NewConnection, actor: &str, now: DateTime<Utc>) -> Result<Connection> {
        for (field, value) in [
            ("id", &conn.id),
            ("profile", &conn.profile),
            ("provider", &conn.provider),
            ("display_name", &conn.display_name),
            ("status", &conn.status),
        ] {
            require(field, value)?;
        }
        require("actor", actor)?;
        let mut tx = self.store.begin_write().await?;
        let existed = get(&mut tx, &conn.id).await?.is_some();
        sqlx::query_file!(
            "queries/connections/upsert.sql",
            conn.id,
            conn.profile,
            conn.provider,
            conn.display_name,
            conn.account_ref,
            conn.keychain_ref,
            conn.status,
            ms(now)
        )
        .execute(&mut *tx)
        .await
        .map_err(|err| {
            if is_unique_violation(&err) {
                StoreError::Conflict {
                    what: format!(
                        "profile {:?} already has a {} connection",
                        conn.profile, conn.provider
                    ),
                }
            } else {
                err.into()
            }
        })?;
        let stored = get(&mut tx, &conn.id)
            .await?
            .ok_or_else(|| StoreError::NotFound {
                what: "connection",
                id: conn.id.clone(),
            })?;
        let entry = NewAuditEntry {
            actor: actor.to_owned(),
            action: if existed {
                "connection.update"
            } else {
                "connection.create"
            }
            .to_owned(),
            subject: format!("connection:{}", conn.id),
            details: json!({
                "profile": stored.profile,
                "provider": stored.provider,
                "display_name": stored.display_name,
                "account_ref": stored.account_ref,
                "keychain_ref": stored.keychain_ref,
                "status": stored.status,
            }),
        };
        audit::append_in_tx(&mut tx, self.store.audit_key(), &entry, now).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// The connection, if it exists.
    pub async fn get(&self, id: &str) -> Result<Option<Connection>> {
        let mut conn = self.store.pool().acquire().await?;
        get(&mut conn, id).await
    }

    /// The connections of `profile` (of every profile when `None`), by profile and provider.
    pub async fn list(&self, profile: Option<&str>) -> Result<Vec<Connection>> {
        Ok(
            sqlx::query_file_as!(ConnectionRow, "queries/connections/list.sql", profile)
                .fetch_all(self.store.pool())
                .await?
                .into_iter()
                .map(Connection::from)
                .collect(),
        )
    }

    /// Deletes the connection's metadata and audits it (`connection.delete`). `false` if there
    /// was no such connection. Removing the keychain entry is the caller's job.
    pub async fn delete(&self, id: &str, actor: &str, now: DateTime<Utc>) -> Result<bool> {
        require("actor", actor)?;
        let mut tx = self.store.begin_write().await?;
        let Some(existing) = get(&mut tx, id).await? else {
            return Ok(false);
        };
        sqlx::query_file!("queries/connections/delete.sql", id)
            .execute(&mut *tx)
            .await?;
        let entry = NewAuditEntry {
            actor: actor.to_owned(),
            action: "connection.delete".to_owned(),
            subject: format!("connection:{id}"),
            details: json!({
                "profile": existing.profile,
                "provider": existing.provider,
                "keychain_ref": existing.keychain_ref,
            }),
        };
        audit::append_in_tx(&mut tx, self.store.audit_key(), &entry, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Records a successful call through the connection (clears `last_error`). `false` if there is
    /// no such connection.
    pub async fn mark_success(&self, id: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query_file!("queries/connections/mark_success.sql", id, ms(now))
            .execute(self.store.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records a failed call through the connection (`error` must already be redacted). `false`
    /// if there is no such connection.
    pub async fn mark_error(&self, id: &str, error: &str, now: DateTime<Utc>) -> Result<bool> {
        let done = sqlx::query_file!("queries/connections/mark_error.sql", id, error, ms(now))
            .execute(self.store.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

async fn get(conn: &mut SqliteConnection, id: &str) -> Result<Option<Connection>> {
    Ok(
        sqlx::query_file_as!(ConnectionRow, "queries/connections/get.sql", id)
            .fetch_optional(&mut *conn)
            .await?
            .map(Connection::from),
    )
}

struct ConnectionRow {
    id: String,
    profile: String,
    provider: String,
    display_name: String,
    account_ref: Option<String>,
    keychain_ref: Option<String>,
    status: String,
    created_at: i64,
    updated_at: i64,
    last_success_at: Option<i64>,
    last_error: Option<String>,
}

impl From<ConnectionRow> for Connection {
    fn from(row: ConnectionRow) -> Self {
        Connection {
            id: row.id,
            profile: row.profile,
            provider: row.provider,
            display_name: row.display_name,
            account_ref: row.account_ref,
            keychain_ref: row.keychain_ref,
            status: row.status,
            created_at: at(row.created_at),
            updated_at: at(row.updated_at),
            last_success_at: at_opt(row.last_success_at),
            last_error: row.last_error,
        }
    }
}
