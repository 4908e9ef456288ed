//! Persistence behind one face: SQLite (embedded, the default) or
//! PostgreSQL, chosen at run time from the URL (`sqlite://…`,
//! `postgres://…`), with one migrations folder per backend
//! (`migrations/sqlite`, `migrations/postgres`). No backend type leaks out:
//! callers see [`Store`], [`Tx`] and the domain's own types.
//!
//! Times are stored as RFC 3339 UTC text with a fixed width (microseconds,
//! `Z`), on both backends, so that they sort as text and read the same.
//!
//! Exactly-once is the database's job, not the caller's care: a message's
//! IMAP identity (mailbox, UIDVALIDITY, UID) and its mail identity
//! (Message-ID, or a content hash) are unique, and so is a reply per source
//! message and kind. A writer that loses a race gets [`Inserted::Conflict`]
//! and starts the message again, seeing what the winner wrote.

mod erase;
mod export;
mod fetches;
mod files;
mod held;
mod key;
mod outbox;
mod purge;
mod reads;
mod record;
#[cfg(test)]
mod tests;
mod versions;

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

pub use erase::{Erased, TABLES as ERASE_TABLES};
pub use export::{AnswerVersion, HeldAnswer, MailRow, ReplyRow, StoredApplicationFull};
pub use files::{FileError, FileRow};
pub use outbox::{Failed, Lease, OutboxRow, Resend};
pub use purge::Purged;
pub use reads::{ApplicationRow, AttentionRow, Counts};
pub use record::{Inserted, NewMessage, NewReply, StoredApplication};
pub use versions::StoredVersion;

/// Errors of the store. `is_conflict()` says the work should simply be
/// tried again (another writer won a race, or the database was busy).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // The cause is in the message and not also a `source`, so that a
    // chain printer does not say it twice.
    #[error("database: {0}")]
    Sqlx(sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(sqlx::migrate::MigrateError),
    /// `database.url` names a scheme this build cannot open.
    #[error("database.url: unsupported scheme in `{0}` (use sqlite://FILE or postgres://…)")]
    Scheme(String),
    /// A stored value of a typed column that this version does not know
    /// (the database was written by a newer mailintake, or by hand).
    #[error("database: {table}.{column} holds an unknown value {value:?} (row {row})")]
    Unknown {
        table: &'static str,
        column: &'static str,
        value: String,
        row: i64,
    },
    /// A SQLite file, or a backup, could not be created.
    #[error("database: cannot create {path}: {error}")]
    Create { path: String, error: std::io::Error },
    /// Rows were erased or purged, but the SQLite file could not be
    /// rebuilt: copies may stay in free pages or the WAL until a later
    /// erase or purge (or a `VACUUM`) succeeds.
    #[error(
        "database: the rows are gone, but the file still holds copies of them ({0}); run the command again"
    )]
    Scrub(String),
    /// `backup` is for SQLite; PostgreSQL has `pg_dump`.
    #[error("backup: the database is PostgreSQL; back it up with pg_dump (see README)")]
    BackupNotSqlite,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Sqlx(e)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(e)
    }
}

impl StoreError {
    /// Worth trying the same work again at once: a unique constraint lost
    /// to a concurrent writer, SQLite busy or locked, or a PostgreSQL
    /// serialization failure or deadlock.
    pub fn is_conflict(&self) -> bool {
        let StoreError::Sqlx(sqlx::Error::Database(db)) = self else {
            return false;
        };
        if db.is_unique_violation() {
            return true;
        }
        matches!(
            db.code().as_deref(),
            // SQLite: BUSY, LOCKED, BUSY_SNAPSHOT; PostgreSQL: serialization
            // failure, deadlock detected, lock wait timed out.
            Some("5" | "6" | "517" | "40001" | "40P01" | "55P03")
        )
    }
}

/// Which database the URL named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend for a `database.url`, by its scheme.
    ///
    /// # Errors
    /// [`StoreError::Scheme`] for any other scheme.
    pub fn of_url(url: &str) -> Result<Self, StoreError> {
        let scheme = url.split(':').next().unwrap_or_default();
        match scheme {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            _ => Err(StoreError::Scheme(crate::config::printable_url(url))),
        }
    }
}

/// Fixed-width RFC 3339 UTC text, the stored form of every time.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Creates `file`, which must not exist, empty and with mode 0600 (owner
/// read and write only). SQLite would create it 0644 under the usual umask,
/// readable by every local user, and it holds applicants' answers. An empty
/// file is a valid empty database, and SQLite gives the `-wal` and `-shm`
/// files it makes beside it the database file's mode.
pub(crate) fn create_private(file: &std::path::Path) -> Result<(), StoreError> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .map(drop)
        .map_err(|error| StoreError::Create {
            path: file.display().to_string(),
            error,
        })
}

/// How long a writer waits for a busy SQLite database before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// One unit of work: everything done to one message commits together or
/// not at all. Dropping it without [`Tx::commit`] rolls back.
#[derive(Debug)]
pub struct Tx {
    inner: sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    /// Files written or doomed by this unit of work (file questions).
    files: files::FileGuard,
}

impl Tx {
    /// Commits; then the files of rows it deleted are removed from disk,
    /// and those it wrote are kept (a transaction dropped uncommitted
    /// removes them).
    pub async fn commit(self) -> Result<(), StoreError> {
        let Tx { inner, files, .. } = self;
        inner.commit().await?;
        files.committed();
        Ok(())
    }
}

/// Settings every connection gets.
async fn prepare(conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    if backend == Backend::Sqlite {
        // First, so that the settings below wait for a busy file instead
        // of failing with "database is locked".
        conn.execute(sqlx::AssertSqlSafe(format!(
            "PRAGMA busy_timeout = {}",
            BUSY_TIMEOUT.as_millis()
        )))
        .await?;
        // WAL: readers (the report) never block the writer. Switching a
        // new file to WAL fails at once (no busy wait) while another
        // process has it open, so that is tried again for a while.
        let mut tries = 0;
        loop {
            match conn.execute("PRAGMA journal_mode = WAL").await {
                Ok(_) => break,
                Err(sqlx::Error::Database(e))
                    if e.code().as_deref() == Some("5") && tries < 100 =>
                {
                    tries += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => return Err(e),
            }
        }
        // With WAL, a commit survives the process being killed without
        // waiting for fsync (only a power loss can undo the last commits):
        // it keeps short the window between SMTP accepting a reply and its
        // being recorded as sent.
        conn.execute("PRAGMA synchronous = NORMAL").await?;
        conn.execute("PRAGMA foreign_keys = ON").await?;
    }
    Ok(())
}

impl Store {
    /// Opens the database named by `url` (a SQLite file is created when
    /// missing) and runs that backend's migrations.
    ///
    /// # Errors
    /// [`StoreError::Scheme`] for an unknown scheme; a connection or
    /// migration error otherwise.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            // Create the file when missing, as an embedded default should.
            Backend::Sqlite if !url.contains("mode=") && !url.contains(":memory:") => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}mode=rwc")
            }
            _ => url.to_string(),
        };
        if backend == Backend::Sqlite && url.contains("mode=rwc") {
            let file = sqlx::sqlite::SqliteConnectOptions::from_str(&url)?
                .get_filename()
                .to_path_buf();
            match create_private(&file) {
                // Another process made it first, or it was there: its
                // mode stays as it is.
                Err(StoreError::Create { error, .. })
                    if error.kind() == std::io::ErrorKind::AlreadyExists => {}
                other => other?,
            }
        }
        let opts = AnyConnectOptions::from_str(&url)?;
        // One connection first: a pool that cannot connect reports only
        // that it timed out; this says why (no such host, disk I/O error).
        let mut probe = opts.connect().await?;
        prepare(&mut probe, backend).await?;
        probe.close().await?;
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(move |conn, _| Box::pin(prepare(conn, backend)))
            .connect_with(opts)
            .await?;
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        // PostgreSQL migrations take a lock; SQLite's do not, so two
        // processes starting at once on a new file can both try the first
        // migration. The loser tries again and finds it applied.
        let mut tries = 0;
        loop {
            match migrator.run(&pool).await {
                Ok(()) => break,
                Err(e) if backend == Backend::Sqlite && tries < 5 => {
                    tries += 1;
                    tracing::debug!(error = %e, "migrations raced another process; again");
                    tokio::time::sleep(Duration::from_millis(200 * tries)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Self { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts the unit of work for one message. On SQLite it takes the
    /// write lock at once (`BEGIN IMMEDIATE`), so that two processes on one
    /// file queue up instead of failing at their first write; PostgreSQL
    /// locks per sender instead ([`Tx::lock_sender`]).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let inner = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => {
                let mut tx = self.pool.begin().await?;
                // A peer stalled mid-transaction holding a sender's lock
                // must not hold this process for ever: give up, and try
                // the mail again later (55P03 is a conflict).
                sqlx::query("SET LOCAL lock_timeout = '30s'")
                    .execute(&mut *tx)
                    .await?;
                tx
            }
        };
        Ok(Tx {
            inner,
            backend: self.backend,
            files: files::FileGuard::default(),
        })
    }

    /// Checks that the database answers and can be written: a write
    /// transaction is begun and rolled back (a read-only SQLite file
    /// fails here, not at the first mail).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE mailboxes SET name = name WHERE 1 = 0")
            .execute(&mut *tx.inner)
            .await?;
        drop(tx);
        Ok(())
    }
}
