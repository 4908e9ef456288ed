//! Reads for the report, the daemon's resume point, `status` and `backup`.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::record::add_answer_row;
use super::{Backend, Store, StoreError, create_private, ts};
use crate::domain::{Attention, CurrentAnswers, MessageOutcome, Reply, Status};

#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub id: i64,
    pub email: String,
    pub name: Option<String>,
    /// As stored; staff see [`crate::domain::standing`] of it.
    pub status: Status,
    /// When the first mail of the application arrived (RFC 3339 UTC).
    pub created_at: String,
    /// When the mail that last changed it arrived (RFC 3339 UTC).
    pub updated_at: String,
    /// The language code its mails are written in; `None` before the
    /// first reply.
    pub language: Option<String>,
}

/// A mail, or a reply that could not be delivered, that needs a person.
#[derive(Debug, Clone)]
pub struct AttentionRow {
    pub from: Option<String>,
    pub subject: String,
    /// Arrival of the mail (or the time the reply was given up), RFC 3339.
    pub received_at: String,
    pub reason: Attention,
    pub detail: Option<String>,
}

/// Counts for monitoring (`mailintake status`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Mails that arrived since the given time.
    pub received_since: i64,
    /// Applications started since the given time.
    pub applications_since: i64,
    pub applications: i64,
    /// Replies queued and neither sent nor given up.
    pub replies_pending: i64,
    /// Mails and failed replies listed for staff, backlog apart.
    pub waiting_for_staff: i64,
    /// Mail older than the backfill window at the first start: listed, but
    /// apart, so that a full mailbox does not drown the count above.
    pub backlog: i64,
}

fn reason(value: String, row: i64) -> Result<Attention, StoreError> {
    Attention::parse(&value).ok_or(StoreError::Unknown {
        table: "messages",
        column: "attention",
        value,
        row,
    })
}

impl Store {
    /// Records, once, that `mailbox` was opened for the first time at
    /// `now`: the start of the backfill window, whether or not any mail
    /// is processed then.
    pub async fn note_first_open(
        &self,
        mailbox: &str,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, StoreError> {
        let mut tx = self.begin().await?;
        let first = tx.first_opened(mailbox, now).await?;
        tx.commit().await?;
        Ok(first)
    }

    /// Highest UID already recorded for this mailbox generation, erased
    /// mail included.
    pub async fn last_uid(&self, mailbox: &str, uidvalidity: u32) -> Result<u32, StoreError> {
        let v: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(uid) FROM (
                SELECT uid FROM messages WHERE mailbox = $1 AND uidvalidity = $2
                UNION ALL SELECT uid FROM erased WHERE mailbox = $3 AND uidvalidity = $4) seen",
        )
        .bind(mailbox)
        .bind(i64::from(uidvalidity))
        .bind(mailbox)
        .bind(i64::from(uidvalidity))
        .fetch_one(&self.pool)
        .await?;
        Ok(v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0))
    }

    pub async fn applications(&self) -> Result<Vec<ApplicationRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, email, name, status, created_at, updated_at, language FROM applications
             ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let status: String = r.get("status");
                Ok(ApplicationRow {
                    id: r.get("id"),
                    email: r.get("email"),
                    name: r.get("name"),
                    status: Status::parse(&status).ok_or_else(|| StoreError::Unknown {
                        table: "applications",
                        column: "status",
                        value: status.clone(),
                        row: r.get("id"),
                    })?,
                    created_at: r.get("created_at"),
                    updated_at: r.get("updated_at"),
                    language: r.get("language"),
                })
            })
            .collect()
    }

    /// Every application's current answers and checks, by application id.
    pub async fn current_answers_all(&self) -> Result<BTreeMap<i64, CurrentAnswers>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.application_id, a.question_id, a.value, a.check_reason, a.as_written,
                a.prompt
             FROM answers a
             WHERE a.id = (SELECT MAX(b.id) FROM answers b
                           WHERE b.application_id = a.application_id
                           AND b.question_id = a.question_id)",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<i64, CurrentAnswers> = BTreeMap::new();
        for r in rows {
            add_answer_row(out.entry(r.get("application_id")).or_default(), &r)?;
        }
        Ok(out)
    }

    /// Every mail listed for staff, then every reply given up.
    pub async fn attention(&self) -> Result<Vec<AttentionRow>, StoreError> {
        let mut out = Vec::new();
        let rows = sqlx::query(
            "SELECT id, from_addr, subject, received_at, attention, detail FROM messages
             WHERE attention IS NOT NULL ORDER BY received_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            out.push(AttentionRow {
                from: r.get("from_addr"),
                subject: r.get("subject"),
                received_at: r.get("received_at"),
                reason: reason(r.get("attention"), r.get("id"))?,
                detail: r.get("detail"),
            });
        }
        let failed = sqlx::query(
            "SELECT o.id, o.recipient, o.kind, o.failed_at, o.last_error, m.subject FROM outbox o
             LEFT JOIN messages m ON m.id = o.message_id
             WHERE o.failed_at IS NOT NULL ORDER BY o.failed_at, o.id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in failed {
            let kind: String = r.get("kind");
            let kind = Reply::parse(&kind).ok_or_else(|| StoreError::Unknown {
                table: "outbox",
                column: "kind",
                value: kind.clone(),
                row: r.get("id"),
            })?;
            let err: Option<String> = r.get("last_error");
            out.push(AttentionRow {
                from: Some(r.get("recipient")),
                subject: r.get::<Option<String>, _>("subject").unwrap_or_default(),
                received_at: r.get("failed_at"),
                reason: Attention::ReplyFailed,
                detail: Some(format!(
                    "{} reply: {}",
                    kind.as_str(),
                    err.unwrap_or_default()
                )),
            });
        }
        Ok(out)
    }

    /// Counts for monitoring; "since" counts use arrival times.
    pub async fn counts(&self, since: DateTime<Utc>) -> Result<Counts, StoreError> {
        let since = ts(since);
        let one = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
        Ok(Counts {
            // Our own delivery copies are not mail received.
            received_since: one(
                "SELECT COUNT(*) FROM messages WHERE received_at >= $1 AND outcome <> $2",
            )
            .bind(since.as_str())
            .bind(MessageOutcome::DeliveryCopy.as_str())
            .fetch_one(&self.pool)
            .await?,
            applications_since: one("SELECT COUNT(*) FROM applications WHERE created_at >= $1")
                .bind(since.as_str())
                .fetch_one(&self.pool)
                .await?,
            applications: one("SELECT COUNT(*) FROM applications")
                .fetch_one(&self.pool)
                .await?,
            replies_pending: one(
                "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
            )
            .fetch_one(&self.pool)
            .await?,
            waiting_for_staff: one("SELECT (SELECT COUNT(*) FROM messages
                         WHERE attention IS NOT NULL AND attention <> $1)
                      + (SELECT COUNT(*) FROM outbox WHERE failed_at IS NOT NULL)")
            .bind(Attention::Backlog.as_str())
            .fetch_one(&self.pool)
            .await?,
            backlog: one("SELECT COUNT(*) FROM messages WHERE attention = $1")
                .bind(Attention::Backlog.as_str())
                .fetch_one(&self.pool)
                .await?,
        })
    }

    /// Writes a consistent copy of a live SQLite database, its WAL
    /// included, to `target` (which must not exist), with SQLite's own
    /// `VACUUM INTO`: readers and the writer go on meanwhile. The copy has
    /// mode 0600.
    ///
    /// # Errors
    /// [`StoreError::BackupNotSqlite`] on PostgreSQL (use `pg_dump`).
    pub async fn backup(&self, target: &Path) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::BackupNotSqlite);
        }
        // Made here, new, empty and 0600, so that the copy is as private as
        // the database (`VACUUM INTO` would create it 0644 under the usual
        // umask, and it accepts an empty file).
        create_private(target)?;
        let copied = sqlx::query("VACUUM INTO $1")
            .bind(target.display().to_string())
            .execute(&self.pool)
            .await;
        if let Err(e) = copied {
            // No half-made file left behind to be taken for a backup.
            let _ = std::fs::remove_file(target);
            return Err(e.into());
        }
        Ok(())
    }
}
