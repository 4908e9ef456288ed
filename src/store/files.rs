//! Files taken as answers to file questions: stored with their answer
//! version, in the database or in `[files] directory`.
//!
//! A file on disk is written before its row, inside the mail's
//! transaction: [`FileGuard`] removes it again when the transaction does
//! not commit (a lost race, a crash of the statement after it), and
//! removes the files of deleted rows (erase, retention) only once their
//! deletion has committed.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreError, Tx, ts};
use crate::files::{FileType, disk, sha256_hex};

/// What a transaction did on disk, undone or finished at its end.
#[derive(Debug, Default)]
pub(super) struct FileGuard {
    /// Written by this transaction: removed unless it commits.
    written: Vec<PathBuf>,
    /// Rows deleted by this transaction: their files go once it commits.
    doomed: Vec<PathBuf>,
}

impl FileGuard {
    pub(super) fn doom(&mut self, paths: impl IntoIterator<Item = String>) {
        self.doomed.extend(paths.into_iter().map(PathBuf::from));
    }

    /// The transaction committed: the new files stay, the deleted rows'
    /// files go.
    pub(super) fn committed(mut self) {
        self.written.clear();
        for failure in disk::remove(&std::mem::take(&mut self.doomed)) {
            tracing::warn!("an erased or purged file stays on disk: {failure}");
        }
    }
}

impl Drop for FileGuard {
    fn drop(&mut self) {
        // Not committed: nothing refers to these.
        for failure in disk::remove(&self.written) {
            tracing::warn!("a file of a rolled-back mail stays on disk: {failure}");
        }
    }
}

/// A stored file, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRow {
    /// The id staff give `mailintake attachment`.
    pub id: i64,
    /// The applicant's address.
    pub email: String,
    pub question_id: String,
    /// The applicant's name for it (display only).
    pub name: String,
    pub kind: FileType,
    pub size: i64,
    pub sha256: String,
    /// Where it is on disk; `None` when it is in the database.
    pub path: Option<String>,
    /// When it was stored, RFC 3339 UTC.
    pub created_at: String,
    /// It is the current answer to its question.
    pub current: bool,
}

/// The columns [`file_row`] reads, over `files f`, `answers a`,
/// `applications p`.
const COLUMNS: &str = "f.id, p.email, a.question_id, f.name, f.kind, f.size, f.sha256, f.path,
    f.created_at, (a.id = (SELECT MAX(b.id) FROM answers b
        WHERE b.application_id = a.application_id AND b.question_id = a.question_id)) AS current";

const FROM: &str = "FROM files f JOIN answers a ON a.id = f.answer_id
    JOIN applications p ON p.id = a.application_id";

fn file_row(r: &sqlx::any::AnyRow) -> Result<FileRow, StoreError> {
    let kind: String = r.get("kind");
    let id: i64 = r.get("id");
    // SQLite gives a comparison as an integer, PostgreSQL as a boolean.
    let current = r
        .try_get::<bool, _>("current")
        .or_else(|_| r.try_get::<i64, _>("current").map(|n| n != 0))?;
    Ok(FileRow {
        id,
        email: r.get("email"),
        question_id: r.get("question_id"),
        name: r.get("name"),
        kind: FileType::parse(&kind).ok_or_else(|| StoreError::Unknown {
            table: "files",
            column: "kind",
            value: kind.clone(),
            row: id,
        })?,
        size: r.get("size"),
        sha256: r.get("sha256"),
        path: r.get("path"),
        created_at: r.get("created_at"),
        current,
    })
}

/// Why a stored file could not be had.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("no file with id {0}")]
    NoSuchFile(i64),
    #[error("file {id}: {reason}")]
    Disk { id: i64, reason: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Tx {
    /// Stores `bytes` as the file of answer version `answer_id`: in the
    /// database, or written into `dir` ([`disk::write`]) with its path.
    /// Returns the file's id.
    ///
    /// # Errors
    /// A database error, or [`StoreError::Create`] when the file cannot
    /// be written.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_file(
        &mut self,
        answer_id: i64,
        name: &str,
        kind: FileType,
        bytes: &[u8],
        dir: Option<&Path>,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let sha256 = sha256_hex(bytes);
        let (content, path) = match dir {
            Some(dir) => {
                let path = disk::write(dir, kind, bytes).map_err(|e| StoreError::Create {
                    path: dir.display().to_string(),
                    error: std::io::Error::other(e),
                })?;
                self.files.written.push(path.clone());
                (&[][..], Some(path.display().to_string()))
            }
            None => (bytes, None),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO files (answer_id, name, kind, size, sha256, content, path, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(answer_id)
        .bind(name.replace('\0', ""))
        .bind(kind.as_str())
        .bind(bytes.len() as i64)
        .bind(sha256)
        .bind(content)
        .bind(path)
        .bind(ts(now))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }
}

impl Store {
    /// One stored file's record.
    pub async fn file(&self, id: i64) -> Result<Option<FileRow>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} {FROM} WHERE f.id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(file_row).transpose()
    }

    /// The bytes of stored file `id`, from the database or from disk
    /// (checked against its SHA-256).
    ///
    /// # Errors
    /// [`FileError::NoSuchFile`], [`FileError::Disk`] when its file on disk
    /// is missing or changed, or a database error.
    pub async fn file_bytes(&self, id: i64) -> Result<(FileRow, Vec<u8>), FileError> {
        let row = self.file(id).await?.ok_or(FileError::NoSuchFile(id))?;
        let bytes = match &row.path {
            Some(path) => disk::read(Path::new(path), &row.sha256)
                .map_err(|reason| FileError::Disk { id, reason })?,
            None => sqlx::query_scalar("SELECT content FROM files WHERE id = $1")
                .bind(id)
                .fetch_one(&self.pool)
                .await
                .map_err(StoreError::from)?,
        };
        Ok((row, bytes))
    }

    /// Every stored file, current or superseded, of every application
    /// (`email` given: of that address only), oldest first.
    pub async fn files(&self, email: Option<&str>) -> Result<Vec<FileRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} {FROM} WHERE ($1 = '' OR p.email = $2) ORDER BY f.id"
        )))
        .bind(email.unwrap_or(""))
        .bind(email.unwrap_or("").to_lowercase())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(file_row).collect()
    }
}

/// The one value bound to `$1` in [`delete_files_of`]'s selection.
#[derive(Debug, Clone)]
pub(super) enum Bind {
    Int(i64),
    Text(String),
}

/// Deletes the file rows of the answer rows `answers` selects (a query of
/// their ids, with one parameter, `$1`): for an erase or a purge, inside
/// its transaction. Their files on disk go once it commits.
pub(super) async fn delete_files_of(
    tx: &mut Tx,
    answers: &str,
    bind: Bind,
) -> Result<u64, StoreError> {
    let select = format!("SELECT path FROM files WHERE answer_id IN ({answers})");
    let delete = format!("DELETE FROM files WHERE answer_id IN ({answers})");
    let (paths, n): (Vec<Option<String>>, u64) = match bind {
        Bind::Int(v) => (
            sqlx::query_scalar(sqlx::AssertSqlSafe(select))
                .bind(v)
                .fetch_all(&mut *tx.inner)
                .await?,
            sqlx::query(sqlx::AssertSqlSafe(delete))
                .bind(v)
                .execute(&mut *tx.inner)
                .await?
                .rows_affected(),
        ),
        Bind::Text(v) => (
            sqlx::query_scalar(sqlx::AssertSqlSafe(select))
                .bind(v.clone())
                .fetch_all(&mut *tx.inner)
                .await?,
            sqlx::query(sqlx::AssertSqlSafe(delete))
                .bind(v)
                .execute(&mut *tx.inner)
                .await?
                .rows_affected(),
        ),
    };
    tx.files.doom(paths.into_iter().flatten());
    Ok(n)
}
