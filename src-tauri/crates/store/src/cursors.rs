//! Poll cursors: how far each flow has read each source (e.g. the last Stripe event id).

use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::time::ms;
use crate::{Store, require};

/// The poll cursors of a [`Store`].
#[derive(Debug, Clone, Copy)]
pub struct Cursors<'a> {
    store: &'a Store,
}

impl<'a> Cursors<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// The cursor of `flow` on `source`, if one was saved.
    pub async fn get(&self, flow: &str, source: &str) -> Result<Option<String>> {
        Ok(sqlx::query_file_scalar!("queries/cursors/get.sql", flow, source)
            .fetch_optional(self.store.pool())
            .await?)
    }

    /// Saves the cursor of `flow` on `source`.
    pub async fn set(&self, flow: &str, source: &str, cursor: &str, now: DateTime<Utc>) -> Result<()> {
        require("flow", flow)?;
        require("source", source)?;
        sqlx::query_file!("queries/cursors/set.sql", flow, source, cursor, ms(now))
            .execute(self.store.pool())
            .await?;
        Ok(())
    }
}
