//! Settings: small key/value pairs. Keys under `audit.` are reserved for the audit log's anchor
//! and cannot be written here.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Result, StoreError};
use crate::time::ms;
use crate::{Store, require};

/// The key prefix reserved for the audit log.
pub const RESERVED_PREFIX: &str = "audit.";

/// The settings of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct Settings<'a> {
    store: &'a Store,
}

impl<'a> Settings<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// The value of `key`, if set.
    pub async fn get(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_file_scalar!("queries/settings/get.sql", key)
            .fetch_optional(self.store.pool())
            .await?)
    }

    /// Sets `key` to `value`. Keys under [`RESERVED_PREFIX`] are refused.
    pub async fn set(&self, key: &str, value: &str, now: DateTime<Utc>) -> Result<()> {
        require("key", key)?;
        if key.starts_with(RESERVED_PREFIX) {
            return Err(StoreError::validation(
                "key",
                format!("keys under {RESERVED_PREFIX:?} are reserved"),
            ));
        }
        sqlx::query_file!("queries/settings/set.sql", key, value, ms(now))
            .execute(self.store.pool())
            .await?;
        Ok(())
    }

    /// The value of `key` decoded from JSON, if set.
    pub async fn get_json<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>> {
        self.get(key)
            .await?
            .map(|v| serde_json::from_str(&v).map_err(StoreError::from))
            .transpose()
    }

    /// Sets `key` to `value` encoded as JSON.
    pub async fn set_json<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.set(key, &serde_json::to_string(value)?, now).await
    }
}
