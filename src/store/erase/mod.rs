//! Erasing one address (issue 10): everything stored about it goes, and
//! only keyed hashes stay, so that mail already processed stays processed.
//!
//! What goes, table by table ([`TABLES`] lists every table of the schema,
//! and a test fails when one is missing, so that a new table is placed):
//!
//! - `applications`: the address's application.
//! - `answers`: every version of its answers (the history too).
//! - `files`: the files of those answers, and their files on disk
//!   (`[files] directory`), removed once the erase commits.
//! - `messages`: deleted whole, each leaving a tombstone in `erased`:
//!   every mail from the address; the delivery copies of our replies to
//!   it; and robots' mail that names it (bounces, auto-replies and read
//!   receipts about our mails to it), which belongs to no other person.
//! - `outbox`: every reply to the address, and any reply to a mail
//!   deleted above; each leaves the keyed hash of its Message-ID, so that
//!   its delivery copy, arriving later, is known too.
//! - `held_answers`: the answers held from those mails until the address
//!   confirmed (mail that replied to none of ours).
//! - `fetch_failures`: the counts for the messages deleted above.
//! - Everywhere else the address is named (another person's mail, our
//!   replies to them, their answers or name, a staff detail, a server's
//!   error), it is replaced by [`crate::privacy::mention::MARK`]: other
//!   people's data stays theirs.
//!
//! On SQLite the file is then rebuilt ([`Store::scrub`]), so that no free
//! page or WAL frame keeps a copy of what was deleted.

mod plan;
mod tombstone;

use std::time::Duration;

use sqlx::{Executor, Row};

use super::{Backend, Store, StoreError, Tx};
use crate::token::Key;
use plan::{apply, plan};

/// Every table of the schema and what an erase does in it. A new table
/// (the answers of unconfirmed mail, say) must be added here, and to
/// `plan` when it can hold an address; a test compares this list with
/// the schema.
pub const TABLES: &[(&str, &str)] = &[
    ("applications", "the address's application deleted"),
    ("answers", "every version of its answers deleted"),
    (
        "files",
        "the files of its answers deleted, on disk too once committed",
    ),
    (
        "messages",
        "its mails, delivery copies of our replies to it and robots' mail naming it deleted",
    ),
    ("outbox", "every reply to it deleted"),
    (
        "held_answers",
        "answers held from its deleted mails deleted (unconfirmed mail)",
    ),
    ("fetch_failures", "the counts for its deleted mails deleted"),
    (
        "erased",
        "gains the tombstones: keyed hashes and places only",
    ),
    ("mailboxes", "holds no address"),
    ("server_key", "holds no address"),
    (
        "question_versions",
        "holds no address: questions files as used",
    ),
];

/// What an erase removed (or, as a preview, would remove), by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Erased {
    /// 1 when the address had an application, else 0.
    pub applications: u64,
    /// Answer versions, the current ones and the history.
    pub answers: u64,
    /// Files attached as answers (in the database or on disk).
    pub files: u64,
    /// Answers held from its mail until it confirmed (unvouched mail).
    pub held_answers: u64,
    /// Stored mails deleted whole (each leaves a tombstone).
    pub mails: u64,
    /// Our replies (outbox rows) deleted.
    pub replies: u64,
    /// Counts of failed fetches of its deleted mails.
    pub fetch_failures: u64,
    /// Rows of other people's data in which the address was replaced.
    pub redacted: u64,
}

/// "1 application, 4 answer versions, …": each count with its noun.
impl std::fmt::Display for Erased {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = |count: u64, one: &str, many: &str| {
            format!("{count} {}", if count == 1 { one } else { many })
        };
        write!(
            f,
            "{}, {}, {}, {}, {}, {}, {}; the address named in {} of other people's data",
            n(self.applications, "application", "applications"),
            n(self.answers, "answer version", "answer versions"),
            n(self.files, "file", "files"),
            n(self.held_answers, "held answer", "held answers"),
            n(self.mails, "mail", "mails"),
            n(self.replies, "reply", "replies"),
            n(
                self.fetch_failures,
                "failed-fetch count",
                "failed-fetch counts"
            ),
            n(self.redacted, "row", "rows"),
        )
    }
}

impl Erased {
    /// Nothing was (or would be) touched.
    pub fn is_empty(&self) -> bool {
        *self == Erased::default()
    }
}
impl Tx {
    /// Erases everything stored about `address` (lower-case) inside this
    /// transaction, the sender's lock already held: what a confirmed
    /// "delete my data" mail does, its own record included. The caller
    /// commits, then calls [`Store::scrub`].
    ///
    /// # Errors
    /// A database error.
    pub async fn erase(&mut self, address: &str, key: &Key) -> Result<Erased, StoreError> {
        let plan = plan(&mut self.inner, address).await?;
        // Before the answers they belong to.
        let files = match plan.application() {
            Some(app) => {
                super::files::delete_files_of(
                    self,
                    "SELECT id FROM answers WHERE application_id = $1",
                    super::files::Bind::Int(app),
                )
                .await?
            }
            None => 0,
        };
        apply(&mut self.inner, &plan, key).await?;
        Ok(Erased {
            files,
            ..plan.counts()
        })
    }
}

impl Store {
    /// What [`Store::erase`] would remove for `address` (any case), without
    /// changing anything.
    pub async fn erase_preview(&self, address: &str) -> Result<Erased, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let plan = plan(&mut conn, &address.trim().to_lowercase()).await?;
        let files: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM files f JOIN answers a ON a.id = f.answer_id
             WHERE a.application_id = $1",
        )
        .bind(plan.application().unwrap_or(-1))
        .fetch_one(&mut *conn)
        .await?;
        Ok(Erased {
            files: files as u64,
            ..plan.counts()
        })
    }

    /// Erases everything stored about `address` (any case), in one
    /// transaction (see the module's documentation for what goes), then,
    /// on SQLite, rebuilds the file ([`Store::scrub`]). Returns what was
    /// removed; all zero when nothing was stored.
    ///
    /// # Errors
    /// A database error; [`StoreError::Scrub`] when the rows are gone but
    /// the file could not be rebuilt (traces may stay in free pages or
    /// the WAL until a later erase or purge, or a `VACUUM`, succeeds).
    pub async fn erase(&self, address: &str) -> Result<Erased, StoreError> {
        let address = address.trim().to_lowercase();
        let key = self.key().await?;
        let mut tx = self.begin().await?;
        // The pipeline works on one sender at a time under this lock: no
        // mail of theirs is half-processed while they are erased.
        tx.lock_sender(&address).await?;
        let erased = tx.erase(&address, &key).await?;
        tx.commit().await?;
        if !erased.is_empty() {
            self.scrub()
                .await
                .map_err(|e| StoreError::Scrub(e.to_string()))?;
        }
        Ok(erased)
    }

    /// On SQLite, rebuilds the database file from its live rows (`VACUUM`)
    /// and empties the WAL (`wal_checkpoint(TRUNCATE)`): what was deleted
    /// or overwritten, in this process or long before, is then in no free
    /// page, page slack or WAL frame. Both are needed, as the test of the
    /// files' bytes shows: `VACUUM` alone leaves the old pages in the WAL;
    /// a checkpoint alone, even with `secure_delete` on for the erase,
    /// leaves the copies made before it (a reply's row rewritten each time
    /// it is leased, an answer replaced) in free pages. Writers wait
    /// meanwhile. Nothing on PostgreSQL, whose deleted rows stay in its
    /// files until it reuses the space (see README).
    ///
    /// # Errors
    /// A database error, or [`StoreError::Sqlx`] with a busy error when
    /// readers held the WAL for 30 s.
    pub async fn scrub(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        let mut conn = self.pool.acquire().await?;
        conn.execute("VACUUM").await?;
        // A reader in the middle of a query holds the WAL's frames; the
        // checkpoint is tried again until none does.
        for _ in 0..300 {
            let busy: i64 = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .fetch_one(&mut *conn)
                .await?
                .get(0);
            if busy == 0 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(StoreError::Scrub(
            "readers held the WAL for 30 s; it still holds the deleted data".into(),
        ))
    }
}
