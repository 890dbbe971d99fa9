//! [`StoreError`]: every way a store operation can fail.

use crate::audit::AuditError;

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// SQLite or the connection pool failed (I/O, lock timeout, constraint, corrupt file).
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// Applying the embedded migrations failed.
    #[error("migration error: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// The database was migrated by a newer Paysync; this build refuses to touch it.
    #[error(
        "the database has migration {version}, which this build does not know: it was written by a newer \
         Paysync; upgrade the app instead of opening the database with an older one"
    )]
    SchemaTooNew {
        /// The unknown migration version found in the database.
        version: i64,
    },
    /// A JSON document could not be encoded or decoded.
    #[error("json error: {0}")]
    Json(#[from] serde_json::Error),
    /// An argument was rejected before anything was written.
    #[error("invalid {field}: {message}")]
    Validation {
        /// The argument (or field of an argument) that was rejected.
        field: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// The addressed row does not exist.
    #[error("{what} {id} not found")]
    NotFound {
        /// The kind of row ("job", "dead letter", …).
        what: &'static str,
        /// Its id.
        id: String,
    },
    /// The row exists but is not in a state that allows the operation.
    #[error("invalid state: {what}")]
    InvalidState {
        /// What state the row is in and what was attempted.
        what: String,
    },
    /// The write would break a uniqueness rule (e.g. a second live job for one record).
    #[error("conflict: {what}")]
    Conflict {
        /// What clashed with what.
        what: String,
    },
    /// The audit log failed verification or its head anchor is inconsistent.
    #[error("audit log: {0}")]
    Audit(#[from] AuditError),
    /// Preparing the database file failed (creating it, setting its permissions).
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
    /// A stored value could not be understood (an unknown status name, an out-of-range number).
    #[error("corrupt stored data: {what}")]
    Corrupt {
        /// Which value, and why it was rejected.
        what: String,
    },
}

impl StoreError {
    /// Whether the failure was lock contention (`SQLITE_BUSY`/`SQLITE_LOCKED` after the busy
    /// timeout, or a pool timeout): the operation changed nothing and may simply be retried.
    pub fn is_busy(&self) -> bool {
        matches!(self, Self::Database(err) if is_busy_error(err))
    }

    pub(crate) fn corrupt(what: impl Into<String>) -> Self {
        Self::Corrupt { what: what.into() }
    }

    pub(crate) fn validation(field: &'static str, message: impl Into<String>) -> Self {
        Self::Validation {
            field,
            message: message.into(),
        }
    }
}

/// Whether `err` is lock contention (see [`StoreError::is_busy`]).
pub(crate) fn is_busy_error(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| is_busy_code(&c)),
        _ => false,
    }
}

/// SQLite primary result code 5 is `SQLITE_BUSY`, 6 is `SQLITE_LOCKED`; extended codes keep the
/// primary code in their low byte.
fn is_busy_code(code: &str) -> bool {
    code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(err: sqlx::migrate::MigrateError) -> Self {
        match err {
            sqlx::migrate::MigrateError::VersionMissing(version) => Self::SchemaTooNew { version },
            other => Self::Migrate(other),
        }
    }
}

/// Whether `err` is a SQLite uniqueness violation (used to turn races into [`StoreError::Conflict`]).
pub(crate) fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_codes() {
        assert!(is_busy_code("5"));
        assert!(is_busy_code("517")); // SQLITE_BUSY_SNAPSHOT
        assert!(is_busy_code("6"));
        assert!(!is_busy_code("19")); // SQLITE_CONSTRAINT
        assert!(!is_busy_code("2067")); // SQLITE_CONSTRAINT_UNIQUE
    }
}
