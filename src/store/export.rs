//! Reads of everything stored about one address, for an export
//! ([`crate::privacy::export`]). Addresses compare as stored: lower-case.

use sqlx::{AnyConnection, Row};

use super::record::add_answer_row;
use super::record::check_of;
use super::{Store, StoreError};
use crate::answers::Check;
use crate::domain::{Attention, CurrentAnswers, MessageOutcome, Reply, Status};

/// An application as stored, with its current answers.
#[derive(Debug, Clone)]
pub struct StoredApplicationFull {
    pub id: i64,
    pub email: String,
    pub name: Option<String>,
    pub status: Status,
    /// Arrival of its first mail, RFC 3339 UTC.
    pub created_at: String,
    /// Arrival of the mail that last changed it, RFC 3339 UTC.
    pub updated_at: String,
    /// The language code its mails are written in, once chosen.
    pub language: Option<String>,
    pub current: CurrentAnswers,
}

/// One stored version of one answer.
#[derive(Debug, Clone)]
pub struct AnswerVersion {
    pub question_id: String,
    pub value: String,
    pub check: Option<Check>,
    /// When it was stored, RFC 3339 UTC.
    pub created_at: String,
    /// The newest version for its question: the answer staff see.
    pub current: bool,
}

/// An answer held from a mail until its address confirms (the mail
/// replied to none of ours).
#[derive(Debug, Clone)]
pub struct HeldAnswer {
    pub question_id: String,
    pub value: String,
    pub check: Option<Check>,
    /// When it was held, RFC 3339 UTC.
    pub created_at: String,
}

/// A stored mail.
#[derive(Debug, Clone)]
pub struct MailRow {
    pub mailbox: String,
    pub uidvalidity: i64,
    pub uid: i64,
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub from_addr: Option<String>,
    pub from_name: Option<String>,
    pub subject: String,
    /// Arrival in the mailbox (IMAP INTERNALDATE), RFC 3339 UTC.
    pub received_at: String,
    pub processed_at: String,
    /// Bytes of the mail as received (also after its raw bytes were purged).
    pub size: i64,
    pub outcome: MessageOutcome,
    pub attention: Option<Attention>,
    pub detail: Option<String>,
    /// The mail as received; `None` once purged by retention.
    pub raw: Option<Vec<u8>>,
    pub raw_purged_at: Option<String>,
}

/// One of our replies (an outbox row).
#[derive(Debug, Clone)]
pub struct ReplyRow {
    pub kind: Reply,
    /// Its Message-ID, without angle brackets.
    pub rfc822_id: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    /// When it was given up (listed for staff as `reply-failed`).
    pub failed_at: Option<String>,
    /// The whole message as sent; `None` once purged by retention.
    pub body: Option<Vec<u8>>,
    pub body_purged_at: Option<String>,
}

fn unknown(table: &'static str, column: &'static str, value: String, row: i64) -> StoreError {
    StoreError::Unknown {
        table,
        column,
        value,
        row,
    }
}

/// The ids of the mails whose From address is `address` (lower-case),
/// compared after lower-casing as applications are (SQLite's `LOWER`
/// folds ASCII only), oldest first.
pub(super) async fn mail_ids_from(
    conn: &mut AnyConnection,
    address: &str,
) -> Result<Vec<i64>, StoreError> {
    let rows =
        sqlx::query("SELECT id, from_addr FROM messages WHERE from_addr IS NOT NULL ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows
        .iter()
        .filter(|r| r.get::<String, _>("from_addr").trim().to_lowercase() == address)
        .map(|r| r.get("id"))
        .collect())
}

impl Store {
    /// The application of `address` (any case), with its current answers;
    /// `None` when it has none.
    pub async fn application_of(
        &self,
        address: &str,
    ) -> Result<Option<StoredApplicationFull>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let Some(r) = sqlx::query(
            "SELECT id, email, name, status, created_at, updated_at, language FROM applications
             WHERE email = $1",
        )
        .bind(address.trim().to_lowercase())
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let id: i64 = r.get("id");
        let status: String = r.get("status");
        let status =
            Status::parse(&status).ok_or_else(|| unknown("applications", "status", status, id))?;
        let mut current = CurrentAnswers::default();
        let rows = sqlx::query(
            "SELECT id, question_id, value, check_reason, as_written, prompt FROM answers a
             WHERE application_id = $1
             AND id = (SELECT MAX(id) FROM answers b WHERE b.application_id = a.application_id
                       AND b.question_id = a.question_id)",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            add_answer_row(&mut current, row)?;
        }
        Ok(Some(StoredApplicationFull {
            id,
            email: r.get("email"),
            name: r.get("name"),
            status,
            created_at: r.get("created_at"),
            updated_at: r.get("updated_at"),
            language: r.get("language"),
            current,
        }))
    }

    /// Every stored version of every answer of the application, by
    /// question and then oldest first.
    pub async fn answer_history(
        &self,
        application_id: i64,
    ) -> Result<Vec<AnswerVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, question_id, value, check_reason, as_written, created_at,
                (id = (SELECT MAX(b.id) FROM answers b WHERE b.application_id = a.application_id
                       AND b.question_id = a.question_id)) AS current
             FROM answers a WHERE application_id = $1 ORDER BY question_id, id",
        )
        .bind(application_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let check = check_of(r, "answers")?;
                Ok(AnswerVersion {
                    question_id: r.get("question_id"),
                    value: r.get("value"),
                    check,
                    created_at: r.get("created_at"),
                    // SQLite gives the comparison as an integer,
                    // PostgreSQL as a boolean.
                    current: r
                        .try_get::<bool, _>("current")
                        .or_else(|_| r.try_get::<i64, _>("current").map(|v| v != 0))?,
                })
            })
            .collect()
    }

    /// Every stored mail from `address` (any case), in arrival order.
    pub async fn mails_from(&self, address: &str) -> Result<Vec<MailRow>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let ids = mail_ids_from(&mut conn, &address.trim().to_lowercase()).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let r = sqlx::query(
                "SELECT id, mailbox, uidvalidity, uid, message_id, from_addr, from_name, subject,
                    received_at, processed_at, size, outcome, attention, detail, raw, raw_purged_at
                 FROM messages WHERE id = $1",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            let outcome: String = r.get("outcome");
            let attention: Option<String> = r.get("attention");
            let raw_purged_at: Option<String> = r.get("raw_purged_at");
            out.push(MailRow {
                mailbox: r.get("mailbox"),
                uidvalidity: r.get("uidvalidity"),
                uid: r.get("uid"),
                message_id: r.get("message_id"),
                from_addr: r.get("from_addr"),
                from_name: r.get("from_name"),
                subject: r.get("subject"),
                received_at: r.get("received_at"),
                processed_at: r.get("processed_at"),
                size: r.get("size"),
                outcome: MessageOutcome::parse(&outcome)
                    .ok_or_else(|| unknown("messages", "outcome", outcome.clone(), id))?,
                attention: match attention {
                    Some(a) => Some(
                        Attention::parse(&a)
                            .ok_or_else(|| unknown("messages", "attention", a.clone(), id))?,
                    ),
                    None => None,
                },
                detail: r.get("detail"),
                raw: raw_purged_at.is_none().then(|| r.get("raw")),
                raw_purged_at,
            });
        }
        out.sort_by(|a, b| a.received_at.cmp(&b.received_at));
        Ok(out)
    }

    /// The answers held from mails of `address` (any case) until it
    /// confirms, in the order they were held.
    pub async fn held_from(&self, address: &str) -> Result<Vec<HeldAnswer>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let ids = mail_ids_from(&mut conn, &address.trim().to_lowercase()).await?;
        let mut out = Vec::new();
        for message in ids {
            let rows = sqlx::query(
                "SELECT id, question_id, value, check_reason, as_written, created_at
                 FROM held_answers WHERE message_id = $1 ORDER BY id",
            )
            .bind(message)
            .fetch_all(&mut *conn)
            .await?;
            for r in &rows {
                let check = check_of(r, "held_answers")?;
                out.push(HeldAnswer {
                    question_id: r.get("question_id"),
                    value: r.get("value"),
                    check,
                    created_at: r.get("created_at"),
                });
            }
        }
        Ok(out)
    }

    /// Every reply queued for `address` (any case), oldest first.
    pub async fn replies_to(&self, address: &str) -> Result<Vec<ReplyRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, kind, rfc822_id, created_at, sent_at, failed_at, body, body_purged_at
             FROM outbox WHERE recipient = $1 ORDER BY created_at, id",
        )
        .bind(address.trim().to_lowercase())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.get("kind");
                let body_purged_at: Option<String> = r.get("body_purged_at");
                Ok(ReplyRow {
                    kind: Reply::parse(&kind)
                        .ok_or_else(|| unknown("outbox", "kind", kind.clone(), r.get("id")))?,
                    rfc822_id: r.get("rfc822_id"),
                    created_at: r.get("created_at"),
                    sent_at: r.get("sent_at"),
                    failed_at: r.get("failed_at"),
                    body: body_purged_at.is_none().then(|| r.get("body")),
                    body_purged_at,
                })
            })
            .collect()
    }
}
