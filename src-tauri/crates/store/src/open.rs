//! Opening the database: file permissions, connection pragmas, migrations.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::migrate::{MigrateError, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::Store;
use crate::audit::AuditKey;
use crate::error::{Result, StoreError, is_busy_error};

/// The embedded migrations (`migrations/`, append-only). A database that has a migration this
/// build does not know was written by a newer Paysync and is refused ([`crate::StoreError::SchemaTooNew`]).
pub(crate) static MIGRATOR: Migrator = sqlx::migrate!();

/// How long a connection waits for another writer's lock before failing with `SQLITE_BUSY`.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections in a file-backed pool (SQLite allows many readers and one writer at a time in WAL).
const MAX_CONNECTIONS: u32 = 4;

/// Each connection's page cache, in KiB (`PRAGMA cache_size` takes a negative number as KiB).
/// SQLite's default of 2 MiB is smaller than one busy sync transaction: a page of inbox events
/// then spills dirty pages to the WAL before commit and re-reads recent rows from the file.
const CACHE_KIB: i64 = 32 * 1024;

/// Where the database lives and the key that chains its audit log.
#[derive(Debug)]
pub struct StoreOptions {
    /// The database file; created (owner-only, 0600 on Unix) if missing.
    pub path: PathBuf,
    /// The audit-log HMAC key (from the OS keychain).
    pub audit_key: AuditKey,
}

impl StoreOptions {
    /// Options for the database at `path`.
    pub fn new(path: impl Into<PathBuf>, audit_key: AuditKey) -> Self {
        Self {
            path: path.into(),
            audit_key,
        }
    }
}

/// The durability-relevant pragmas of a live connection, for startup assertions and status pages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Pragmas {
    /// `PRAGMA journal_mode`: `wal` for a file database (`memory` for an in-memory one).
    pub journal_mode: String,
    /// `PRAGMA synchronous`: 0 off, 1 normal, 2 full, 3 extra. The store uses 2 (full).
    pub synchronous: i64,
    /// `PRAGMA foreign_keys`.
    pub foreign_keys: bool,
}

impl Pragmas {
    /// Whether the connection is as durable as money and the queue require: WAL, `synchronous`
    /// at least FULL, foreign keys enforced.
    pub fn is_durable(&self) -> bool {
        self.journal_mode.eq_ignore_ascii_case("wal") && self.synchronous >= 2 && self.foreign_keys
    }
}

impl Store {
    /// Opens (creating if missing) the database file: owner-only permissions, WAL,
    /// `synchronous=FULL`, foreign keys on, a 5 s busy timeout, then every pending migration.
    pub async fn open(opts: StoreOptions) -> Result<Store> {
        restrict_permissions(&opts.path)?;
        let connect = SqliteConnectOptions::new()
            .filename(&opts.path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("cache_size", (-CACHE_KIB).to_string());
        let pool = connect_pool(connect).await?;
        let store = Store {
            pool,
            audit_key: Arc::new(opts.audit_key),
        };
        if let Err(err) = store.prepare(&opts.path).await {
            store.close().await;
            return Err(err);
        }
        // The -wal and -shm files now exist; SQLite created them with the database file's mode, but
        // tighten them anyway in case they were left behind by an older, laxer process.
        restrict_permissions(&opts.path)?;
        tracing::debug!(path = %opts.path.display(), "Store opened.");
        Ok(store)
    }

    /// Migrates, then fails closed unless the connection is durable (WAL, `synchronous=FULL`,
    /// foreign keys): e.g. a file system without WAL support silently keeps another journal mode.
    async fn prepare(&self, path: &Path) -> Result<()> {
        let lock = migration_lock(path).await?;
        let migrated = migrate(self.pool()).await;
        drop(lock);
        migrated?;
        let pragmas = self.pragmas().await?;
        if !pragmas.is_durable() {
            return Err(StoreError::InvalidState {
                what: format!(
                    "the database is not durable enough for money and the queue: journal_mode={}, \
                     synchronous={}, foreign_keys={}",
                    pragmas.journal_mode, pragmas.synchronous, pragmas.foreign_keys
                ),
            });
        }
        Ok(())
    }

    /// A private in-memory database with every migration applied, for unit tests. It lives in a
    /// single connection that is never recycled, and disappears with the last clone of the store.
    pub async fn open_in_memory(audit_key: AuditKey) -> Result<Store> {
        let connect = SqliteConnectOptions::new()
            .in_memory(true)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT);
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(connect)
            .await?;
        migrate(&pool).await?;
        Ok(Store {
            pool,
            audit_key: Arc::new(audit_key),
        })
    }

    /// The durability pragmas as a pooled connection sees them.
    pub async fn pragmas(&self) -> Result<Pragmas> {
        let row = sqlx::query_file!("queries/meta/pragmas.sql")
            .fetch_one(self.pool())
            .await?;
        Ok(Pragmas {
            journal_mode: row.journal_mode,
            synchronous: row.synchronous,
            foreign_keys: row.foreign_keys != 0,
        })
    }
}

/// Opens the file-backed pool. Switching a new database to WAL needs an exclusive lock that
/// SQLite does not wait for, so when several processes create the database at once the losers get
/// `SQLITE_BUSY` at connect: retry for up to [`BUSY_TIMEOUT`].
async fn connect_pool(connect: SqliteConnectOptions) -> Result<SqlitePool> {
    const RETRY_EVERY: Duration = Duration::from_millis(25);
    let max_retries = BUSY_TIMEOUT.as_millis() / RETRY_EVERY.as_millis();
    let mut retries = 0;
    loop {
        match SqlitePoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .connect_with(connect.clone())
            .await
        {
            Ok(pool) => return Ok(pool),
            Err(err) if retries < max_retries && is_busy_error(&err) => {
                retries += 1;
                tokio::time::sleep(RETRY_EVERY).await;
            }
            Err(err) => return Err(err.into()),
        }
    }
}

/// Applies pending migrations. SQLite's migrator takes no lock, so when two processes open a new
/// database at once one of them can fail on a migration the other just applied; a second run
/// then finds it applied and succeeds. A database from a newer build fails both times.
/// Holds an exclusive lock on `<database>.migrate-lock` while migrations run: SQLite has no
/// advisory lock and sqlx's migrator assumes it runs alone, so two processes (or two opens in one
/// process) starting on a new build would otherwise race to apply the same migration.
async fn migration_lock(db: &Path) -> Result<std::fs::File> {
    let mut name = db.as_os_str().to_owned();
    name.push(".migrate-lock");
    let path = PathBuf::from(name);
    let file = tokio::task::spawn_blocking(move || {
        let mut options = std::fs::OpenOptions::new();
        options.create(true).write(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&path)?;
        file.lock()?;
        Ok::<_, std::io::Error>(file)
    })
    .await
    .map_err(std::io::Error::other)??;
    Ok(file)
}

async fn migrate(pool: &SqlitePool) -> Result<()> {
    match MIGRATOR.run(pool).await {
        Ok(()) => Ok(()),
        Err(err @ (MigrateError::VersionMissing(_) | MigrateError::VersionMismatch(_))) => Err(err.into()),
        Err(first) => {
            tracing::debug!(error = %first, "Migration failed; retrying once in case another process raced us.");
            Ok(MIGRATOR.run(pool).await?)
        }
    }
}

/// Makes the database file (pre-creating it if missing) and any `-wal`/`-shm`/`-journal` beside it
/// owner-only. SQLite creates files 0644 by default and gives its side files the database file's
/// mode, so the file must be 0600 before SQLite first opens it.
#[cfg(unix)]
fn restrict_permissions(path: &Path) -> std::io::Result<()> {
    use std::fs::{DirBuilder, OpenOptions, Permissions};
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        DirBuilder::new().recursive(true).mode(0o700).create(parent)?;
    }
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(Permissions::from_mode(0o600))?;
    for side in side_files(path) {
        match std::fs::set_permissions(&side, Permissions::from_mode(0o600)) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
    }
    Ok(())
}

/// On other platforms the file is created in the user's profile directory, whose ACL is already
/// user-only; only make sure it exists.
#[cfg(not(unix))]
fn restrict_permissions(path: &Path) -> std::io::Result<()> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    Ok(())
}

/// The files SQLite keeps next to the database.
#[cfg(unix)]
fn side_files(path: &Path) -> [PathBuf; 3] {
    ["-wal", "-shm", "-journal"].map(|suffix| {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    })
}
