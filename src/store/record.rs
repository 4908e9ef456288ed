//! The unit of work for one message: what the executor reads before the
//! decision and writes after it, all inside one [`Tx`].

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Backend, StoreError, Tx, parse_ts, ts};
use crate::answers::{Check, CheckReason};

use crate::domain::{Attention, CurrentAnswers, MessageOutcome, NewAnswer, Reply, Status};

/// A mail as stored: the raw bytes whatever became of it.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub mailbox: &'a str,
    pub uidvalidity: u32,
    pub uid: u32,
    /// The mail's identity for duplicate detection (its Message-ID, or a
    /// content hash): unique among stored mails that were acted on; `None`
    /// for mail that was never read (unparseable, too large) and for
    /// duplicates.
    pub identity: Option<&'a str>,
    pub message_id: Option<&'a str>,
    pub sha256: &'a str,
    pub from_addr: Option<&'a str>,
    pub from_name: Option<&'a str>,
    pub subject: &'a str,
    /// Arrival in the mailbox (IMAP INTERNALDATE).
    pub received_at: DateTime<Utc>,
    pub processed_at: DateTime<Utc>,
    pub raw: &'a [u8],
    pub outcome: MessageOutcome,
    pub attention: Option<Attention>,
    pub detail: Option<&'a str>,
}

/// What became of an insert that a concurrent writer may have raced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// The new row's id.
    Row(i64),
    /// Another writer stored the same message (or mail) first: roll back
    /// and start again.
    Conflict,
}

/// An applicant's application as the decision sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredApplication {
    pub id: i64,
    pub name: Option<String>,
    pub status: Status,
}

/// A reply to queue.
#[derive(Debug, Clone)]
pub struct NewReply<'a> {
    pub message_id: i64,
    pub kind: Reply,
    pub recipient: &'a str,
    pub sender: &'a str,
    pub rfc822_id: &'a str,
    pub body: &'a [u8],
    pub created_at: DateTime<Utc>,
    /// The questions version the reply showed (`question_versions.id`):
    /// a reply to it is read against those questions.
    pub questions_version: Option<i64>,
}

impl Tx {
    /// Serialises work on one sender's application across processes. On
    /// SQLite the transaction already holds the only write lock; on
    /// PostgreSQL a transaction-scoped advisory lock, released at commit or
    /// rollback (and by the server when the process dies).
    pub async fn lock_sender(&mut self, address: &str) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) l")
                .bind(address.to_lowercase())
                .execute(&mut *self.inner)
                .await?;
        }
        Ok(())
    }

    /// Whether this IMAP message (mailbox, UIDVALIDITY, UID) is recorded,
    /// or was and has been erased.
    pub async fn uid_seen(
        &mut self,
        mailbox: &str,
        uidvalidity: u32,
        uid: u32,
    ) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM messages
                     WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3)
                  + (SELECT COUNT(*) FROM erased
                     WHERE mailbox = $4 AND uidvalidity = $5 AND uid = $6)",
        )
        .bind(mailbox)
        .bind(i64::from(uidvalidity))
        .bind(i64::from(uid))
        .bind(mailbox)
        .bind(i64::from(uidvalidity))
        .bind(i64::from(uid))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(n > 0)
    }

    /// Whether a mail with this identity was already acted on (under
    /// another UID, or before the mailbox was rebuilt).
    pub async fn identity_seen(&mut self, identity: &str) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE identity = $1")
            .bind(identity)
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(n > 0)
    }

    /// Records the mail. [`Inserted::Conflict`] when a concurrent writer
    /// recorded the same UID or the same identity first.
    pub async fn insert_message(&mut self, m: &NewMessage<'_>) -> Result<Inserted, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO messages (mailbox, uidvalidity, uid, identity, message_id, sha256,
                from_addr, from_name, subject, received_at, processed_at, size, raw, outcome,
                attention, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
             ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(m.mailbox)
        .bind(i64::from(m.uidvalidity))
        .bind(i64::from(m.uid))
        .bind(m.identity.map(text))
        .bind(m.message_id.map(text))
        .bind(m.sha256)
        .bind(m.from_addr.map(text))
        .bind(m.from_name.map(text))
        .bind(text(m.subject))
        .bind(ts(m.received_at))
        .bind(ts(m.processed_at))
        .bind(m.raw.len() as i64)
        .bind(m.raw)
        .bind(m.outcome.as_str())
        .bind(m.attention.map(Attention::as_str))
        .bind(m.detail.map(text))
        .fetch_optional(&mut *self.inner)
        .await?;
        Ok(id.map_or(Inserted::Conflict, Inserted::Row))
    }

    pub async fn application(
        &mut self,
        email: &str,
    ) -> Result<Option<StoredApplication>, StoreError> {
        let row = sqlx::query("SELECT id, name, status FROM applications WHERE email = $1")
            .bind(email.to_lowercase())
            .fetch_optional(&mut *self.inner)
            .await?;
        row.map(|r| {
            let status: String = r.get("status");
            Ok(StoredApplication {
                id: r.get("id"),
                name: r.get("name"),
                status: Status::parse(&status).ok_or_else(|| StoreError::Unknown {
                    table: "applications",
                    column: "status",
                    value: status.clone(),
                    row: r.get("id"),
                })?,
            })
        })
        .transpose()
    }

    /// The language code stored on `email`'s application; `None` when
    /// there is no application or none was chosen yet.
    pub async fn application_language(
        &mut self,
        email: &str,
    ) -> Result<Option<String>, StoreError> {
        let lang: Option<Option<String>> =
            sqlx::query_scalar("SELECT language FROM applications WHERE email = $1")
                .bind(email.to_lowercase())
                .fetch_optional(&mut *self.inner)
                .await?;
        Ok(lang.flatten())
    }

    /// Stores `lang` on `email`'s application: its first language, or a
    /// switch (`lang::settle` decides which); nothing without an
    /// application.
    pub async fn set_language(
        &mut self,
        email: &str,
        lang: crate::lang::Lang,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE applications SET language = $1 WHERE email = $2")
            .bind(lang.code())
            .bind(email.to_lowercase())
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// Creates the application, dated by the mail that started it.
    pub async fn insert_application(
        &mut self,
        email: &str,
        name: Option<&str>,
        status: Status,
        received_at: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO applications (email, name, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(email.to_lowercase())
        .bind(name)
        .bind(status.as_str())
        .bind(ts(received_at))
        .bind(ts(received_at))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    pub async fn update_application(
        &mut self,
        id: i64,
        name: Option<&str>,
        status: Status,
        received_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE applications SET name = COALESCE($1, name), status = $2, updated_at = $3
             WHERE id = $4",
        )
        .bind(name)
        .bind(status.as_str())
        .bind(ts(received_at))
        .bind(id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// The application's current answers (the newest version per question)
    /// and their checks.
    pub async fn current_answers(
        &mut self,
        application_id: i64,
    ) -> Result<CurrentAnswers, StoreError> {
        let rows = sqlx::query(
            "SELECT id, question_id, value, check_reason, as_written, prompt FROM answers a
             WHERE application_id = $1
             AND id = (SELECT MAX(id) FROM answers b WHERE b.application_id = a.application_id
                       AND b.question_id = a.question_id)",
        )
        .bind(application_id)
        .fetch_all(&mut *self.inner)
        .await?;
        let mut out = CurrentAnswers::default();
        for r in &rows {
            add_answer_row(&mut out, r)?;
        }
        Ok(out)
    }

    /// Stores a new version of an answer, with its check when the reader
    /// had to guess (`None` stores an unmarked answer, clearing a mark).
    pub async fn insert_answer(
        &mut self,
        application_id: i64,
        answer: &NewAnswer,
        message_id: i64,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let check = answer.check.as_ref();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO answers (application_id, question_id, value, check_reason, as_written,
                message_id, created_at, prompt)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(application_id)
        .bind(answer.question_id.as_str())
        .bind(answer.value.as_str())
        .bind(check.map(|c| c.reason.as_str()))
        .bind(check.map(|c| c.as_written.as_str()))
        .bind(message_id)
        .bind(ts(now))
        .bind(answer.prompt.as_deref().map(text))
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// When a reply of `kind` was last queued for `recipient`.
    pub async fn last_reply_at(
        &mut self,
        recipient: &str,
        kind: Reply,
    ) -> Result<Option<DateTime<Utc>>, StoreError> {
        let v: Option<String> = sqlx::query_scalar(
            "SELECT MAX(created_at) FROM outbox WHERE recipient = $1 AND kind = $2",
        )
        .bind(recipient.to_lowercase())
        .bind(kind.as_str())
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(v.as_deref().and_then(parse_ts))
    }

    /// Queues a reply. [`Inserted::Conflict`] when a reply of this kind to
    /// this message is already queued.
    pub async fn queue_reply(&mut self, r: &NewReply<'_>) -> Result<Inserted, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO outbox (message_id, kind, recipient, sender, rfc822_id, body, created_at,
                questions_version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(r.message_id)
        .bind(r.kind.as_str())
        .bind(r.recipient.to_lowercase())
        .bind(r.sender)
        .bind(r.rfc822_id)
        .bind(r.body)
        .bind(ts(r.created_at))
        .bind(r.questions_version)
        .fetch_optional(&mut *self.inner)
        .await?;
        Ok(id.map_or(Inserted::Conflict, Inserted::Row))
    }

    /// When mailintake first opened `mailbox`: the start of the backfill
    /// window. Recorded on the first call; a database from before this
    /// was recorded counts from its first processed mail.
    pub async fn first_opened(
        &mut self,
        mailbox: &str,
        now: DateTime<Utc>,
    ) -> Result<DateTime<Utc>, StoreError> {
        sqlx::query(
            "INSERT INTO mailboxes (name, first_opened_at)
             VALUES ($1, COALESCE((SELECT MIN(processed_at) FROM messages WHERE mailbox = $2), $3))
             ON CONFLICT DO NOTHING",
        )
        .bind(mailbox)
        .bind(mailbox)
        .bind(ts(now))
        .execute(&mut *self.inner)
        .await?;
        let v: String = sqlx::query_scalar("SELECT first_opened_at FROM mailboxes WHERE name = $1")
            .bind(mailbox)
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(parse_ts(&v).unwrap_or(now))
    }
}

/// Adds one stored answer row to `out`, its check parsed at this edge.
/// Text as stored: without NUL, which PostgreSQL refuses in text (a mail
/// can carry one in any header), so that no mail stops the mailbox.
fn text(s: &str) -> String {
    s.replace('\0', "")
}

pub(super) fn add_answer_row(
    out: &mut CurrentAnswers,
    r: &sqlx::any::AnyRow,
) -> Result<(), StoreError> {
    let question_id: String = r.get("question_id");
    let value: String = r.get("value");
    let check = check_of(r, "answers")?;
    out.set(&question_id, &value, check.as_ref());
    let prompt: Option<String> = r.get("prompt");
    match prompt {
        Some(p) => out.prompts.insert(question_id, p),
        None => out.prompts.remove(&question_id),
    };
    Ok(())
}

/// The check stored in a row's `check_reason` and `as_written` columns
/// (of `table`, for the error), if any: the schema stores both or neither.
///
/// # Errors
/// [`StoreError::Unknown`] for a reason this version does not know.
pub(super) fn check_of(
    r: &sqlx::any::AnyRow,
    table: &'static str,
) -> Result<Option<Check>, StoreError> {
    let reason: Option<String> = r.get("check_reason");
    let as_written: Option<String> = r.get("as_written");
    let (Some(reason), Some(as_written)) = (reason, as_written) else {
        return Ok(None);
    };
    let parsed = CheckReason::parse(&reason).ok_or_else(|| StoreError::Unknown {
        table,
        column: "check_reason",
        value: reason.clone(),
        row: r.get("id"),
    })?;
    Ok(Some(Check {
        reason: parsed,
        as_written,
    }))
}
