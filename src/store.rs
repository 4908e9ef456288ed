//! Persistence (sqlx, SQLite). Times are stored as RFC 3339 UTC text with a
//! fixed width so that they sort as text.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Row, SqliteConnection, SqlitePool};

use crate::answers::{Check, CheckReason};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored check reason this version does not know (the database was
    /// written by a newer mailintake).
    #[error("database: answer {answer} has an unknown check reason {reason:?}")]
    UnknownCheckReason { answer: i64, reason: String },
}

pub type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;

pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// A mail as stored.
#[derive(Debug, Clone)]
pub struct NewMessage<'a> {
    pub mailbox: &'a str,
    pub uidvalidity: u32,
    pub uid: u32,
    pub message_id: Option<&'a str>,
    pub sha256: &'a str,
    pub from_addr: Option<&'a str>,
    pub from_name: Option<&'a str>,
    pub subject: &'a str,
    pub received_at: DateTime<Utc>,
    pub processed_at: DateTime<Utc>,
    pub raw: &'a [u8],
    pub outcome: &'a str,
    pub attention: Option<&'a str>,
    pub detail: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub id: i64,
    pub email: String,
    pub name: Option<String>,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

/// An application's current answers (the newest version per question) and
/// the marks on those the reader had to guess about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrentAnswers {
    /// Question id to the stored value.
    pub values: BTreeMap<String, String>,
    /// Question id to its check, only for current answers that carry one.
    pub checks: BTreeMap<String, Check>,
}

impl CurrentAnswers {
    /// Whether `value` with `check` is already the current answer to
    /// `question_id`: same value and same mark (or none on both sides).
    pub fn is_current(&self, question_id: &str, value: &str, check: Option<&Check>) -> bool {
        self.values.get(question_id).map(String::as_str) == Some(value)
            && self.checks.get(question_id) == check
    }

    /// Makes `value` with `check` the current answer to `question_id`.
    pub fn set(&mut self, question_id: &str, value: &str, check: Option<&Check>) {
        self.values
            .insert(question_id.to_string(), value.to_string());
        match check {
            Some(c) => {
                self.checks.insert(question_id.to_string(), c.clone());
            }
            None => {
                self.checks.remove(question_id);
            }
        }
    }

    /// Adds one stored answer row (`check_reason`, `as_written` as stored).
    fn add_row(&mut self, r: &sqlx::sqlite::SqliteRow) -> Result<(), StoreError> {
        let question_id: String = r.get("question_id");
        let value: String = r.get("value");
        let reason: Option<String> = r.get("check_reason");
        let as_written: Option<String> = r.get("as_written");
        let check = match (reason, as_written) {
            (Some(reason), Some(as_written)) => Some(Check {
                reason: CheckReason::parse(&reason).ok_or_else(|| {
                    StoreError::UnknownCheckReason {
                        answer: r.get("id"),
                        reason: reason.clone(),
                    }
                })?,
                as_written,
            }),
            // The schema stores both or neither.
            _ => None,
        };
        self.set(&question_id, &value, check.as_ref());
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub recipient: String,
    pub sender: String,
    pub body: Vec<u8>,
    pub attempts: i64,
}

#[derive(Debug, Clone)]
pub struct AttentionRow {
    pub from: Option<String>,
    pub subject: String,
    pub received_at: String,
    pub reason: String,
    pub detail: Option<String>,
}

/// A reply to queue.
#[derive(Debug, Clone)]
pub struct NewReply<'a> {
    pub message_id: i64,
    pub kind: &'a str,
    pub recipient: &'a str,
    pub sender: &'a str,
    pub rfc822_id: &'a str,
    pub body: &'a [u8],
    pub created_at: DateTime<Utc>,
}

impl Store {
    /// Opens (creating if needed) the database and runs migrations.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let opts = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(opts)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self { pool })
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(self.pool.begin().await?)
    }

    /// Highest UID already recorded for this mailbox generation.
    pub async fn last_uid(&self, mailbox: &str, uidvalidity: u32) -> Result<u32, StoreError> {
        let v: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(uid) FROM messages WHERE mailbox = ? AND uidvalidity = ?",
        )
        .bind(mailbox)
        .bind(i64::from(uidvalidity))
        .fetch_one(&self.pool)
        .await?;
        Ok(v.and_then(|v| u32::try_from(v).ok()).unwrap_or(0))
    }

    pub async fn pending_outbox(&self) -> Result<Vec<OutboxRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, recipient, sender, body, attempts FROM outbox
             WHERE sent_at IS NULL AND failed_at IS NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| OutboxRow {
                id: r.get("id"),
                recipient: r.get("recipient"),
                sender: r.get("sender"),
                body: r.get("body"),
                attempts: r.get("attempts"),
            })
            .collect())
    }

    /// Claims a pending reply for sending. False when another process holds
    /// a fresh claim on it or it was sent meanwhile. A claim older than
    /// `stale_before` is taken over (its holder died mid-send).
    pub async fn claim(
        &self,
        id: i64,
        now: DateTime<Utc>,
        stale_before: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE outbox SET claimed_at = ? WHERE id = ? AND sent_at IS NULL AND failed_at IS NULL
             AND (claimed_at IS NULL OR claimed_at < ?)",
        )
        .bind(ts(now))
        .bind(id)
        .bind(ts(stale_before))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn mark_sent(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?")
            .bind(ts(now))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn mark_attempt_failed(
        &self,
        id: i64,
        error: &str,
        permanent: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?, claimed_at = NULL,
             failed_at = CASE WHEN ? THEN ? ELSE NULL END WHERE id = ?",
        )
        .bind(error)
        .bind(permanent)
        .bind(ts(now))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn applications(&self) -> Result<Vec<ApplicationRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, email, name, status, created_at, updated_at FROM applications ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(app_row).collect())
    }

    /// Every application's current answers and checks, by application id.
    pub async fn current_answers_all(&self) -> Result<BTreeMap<i64, CurrentAnswers>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.application_id, a.question_id, a.value, a.check_reason, a.as_written
             FROM answers a
             WHERE a.id = (SELECT MAX(b.id) FROM answers b
                           WHERE b.application_id = a.application_id AND b.question_id = a.question_id)",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<i64, CurrentAnswers> = BTreeMap::new();
        for r in rows {
            out.entry(r.get("application_id"))
                .or_default()
                .add_row(&r)?;
        }
        Ok(out)
    }

    pub async fn attention(&self) -> Result<Vec<AttentionRow>, StoreError> {
        let mut rows: Vec<AttentionRow> = sqlx::query(
            "SELECT from_addr, subject, received_at, attention, detail FROM messages
             WHERE attention IS NOT NULL ORDER BY received_at, id",
        )
        .fetch_all(&self.pool)
        .await?
        .into_iter()
        .map(|r| AttentionRow {
            from: r.get("from_addr"),
            subject: r.get("subject"),
            received_at: r.get("received_at"),
            reason: r.get("attention"),
            detail: r.get("detail"),
        })
        .collect();
        // Replies that could not be delivered need a person too.
        let failed = sqlx::query(
            "SELECT o.recipient, o.kind, o.failed_at, o.last_error, m.subject FROM outbox o
             LEFT JOIN messages m ON m.id = o.message_id
             WHERE o.failed_at IS NOT NULL ORDER BY o.failed_at, o.id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in failed {
            let kind: String = r.get("kind");
            let err: Option<String> = r.get("last_error");
            rows.push(AttentionRow {
                from: Some(r.get("recipient")),
                subject: r.get::<Option<String>, _>("subject").unwrap_or_default(),
                received_at: r.get("failed_at"),
                reason: "reply-failed".into(),
                detail: Some(format!("{kind} reply: {}", err.unwrap_or_default())),
            });
        }
        Ok(rows)
    }

    /// Counts for `check` and logs.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

fn app_row(r: sqlx::sqlite::SqliteRow) -> ApplicationRow {
    ApplicationRow {
        id: r.get("id"),
        email: r.get("email"),
        name: r.get("name"),
        status: r.get("status"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
    }
}

// Work inside one message's transaction.

pub async fn uid_seen(
    c: &mut SqliteConnection,
    mailbox: &str,
    uidvalidity: u32,
    uid: u32,
) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE mailbox = ? AND uidvalidity = ? AND uid = ?",
    )
    .bind(mailbox)
    .bind(i64::from(uidvalidity))
    .bind(i64::from(uid))
    .fetch_one(c)
    .await?;
    Ok(n > 0)
}

/// Whether the same mail was already processed under another UID: by
/// Message-ID, or by content when it has none.
pub async fn is_duplicate(
    c: &mut SqliteConnection,
    message_id: Option<&str>,
    sha256: &str,
) -> Result<bool, StoreError> {
    let n: i64 = match message_id {
        Some(id) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM messages WHERE message_id = ? AND outcome <> 'duplicate'",
            )
            .bind(id)
            .fetch_one(c)
            .await?
        }
        None => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM messages WHERE sha256 = ? AND outcome <> 'duplicate'",
            )
            .bind(sha256)
            .fetch_one(c)
            .await?
        }
    };
    Ok(n > 0)
}

pub async fn insert_message(
    c: &mut SqliteConnection,
    m: &NewMessage<'_>,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (mailbox, uidvalidity, uid, message_id, sha256, from_addr, from_name,
            subject, received_at, processed_at, size, raw, outcome, attention, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(m.mailbox)
    .bind(i64::from(m.uidvalidity))
    .bind(i64::from(m.uid))
    .bind(m.message_id)
    .bind(m.sha256)
    .bind(m.from_addr)
    .bind(m.from_name)
    .bind(m.subject)
    .bind(ts(m.received_at))
    .bind(ts(m.processed_at))
    .bind(m.raw.len() as i64)
    .bind(m.raw)
    .bind(m.outcome)
    .bind(m.attention)
    .bind(m.detail)
    .fetch_one(c)
    .await?;
    Ok(id)
}

pub async fn application(
    c: &mut SqliteConnection,
    email: &str,
) -> Result<Option<ApplicationRow>, StoreError> {
    let row = sqlx::query(
        "SELECT id, email, name, status, created_at, updated_at FROM applications WHERE email = ?",
    )
    .bind(email.to_lowercase())
    .fetch_optional(c)
    .await?;
    Ok(row.map(app_row))
}

pub async fn insert_application(
    c: &mut SqliteConnection,
    email: &str,
    name: Option<&str>,
    status: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO applications (email, name, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(email.to_lowercase())
    .bind(name)
    .bind(status)
    .bind(ts(now))
    .bind(ts(now))
    .fetch_one(c)
    .await?;
    Ok(id)
}

pub async fn update_application(
    c: &mut SqliteConnection,
    id: i64,
    name: Option<&str>,
    status: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE applications SET name = COALESCE(?, name), status = ?, updated_at = ? WHERE id = ?",
    )
    .bind(name)
    .bind(status)
    .bind(ts(now))
    .bind(id)
    .execute(c)
    .await?;
    Ok(())
}

/// The application's current answers and checks.
pub async fn current_answers(
    c: &mut SqliteConnection,
    application_id: i64,
) -> Result<CurrentAnswers, StoreError> {
    let rows = sqlx::query(
        "SELECT id, question_id, value, check_reason, as_written FROM answers a
         WHERE application_id = ?
         AND id = (SELECT MAX(id) FROM answers b WHERE b.application_id = a.application_id
                   AND b.question_id = a.question_id)",
    )
    .bind(application_id)
    .fetch_all(c)
    .await?;
    let mut out = CurrentAnswers::default();
    for r in &rows {
        out.add_row(r)?;
    }
    Ok(out)
}

/// Stores a new version of an answer, with its check when the reader had
/// to guess (`None` stores an unmarked answer, clearing an earlier mark).
pub async fn insert_answer(
    c: &mut SqliteConnection,
    application_id: i64,
    question_id: &str,
    value: &str,
    check: Option<&Check>,
    message_id: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO answers (application_id, question_id, value, check_reason, as_written,
            message_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(application_id)
    .bind(question_id)
    .bind(value)
    .bind(check.map(|c| c.reason.as_str()))
    .bind(check.map(|c| c.as_written.as_str()))
    .bind(message_id)
    .bind(ts(now))
    .execute(c)
    .await?;
    Ok(())
}

/// When a reply of `kind` was last queued for `recipient`.
pub async fn last_reply_at(
    c: &mut SqliteConnection,
    recipient: &str,
    kind: &str,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let v: Option<String> =
        sqlx::query_scalar("SELECT MAX(created_at) FROM outbox WHERE recipient = ? AND kind = ?")
            .bind(recipient.to_lowercase())
            .bind(kind)
            .fetch_one(c)
            .await?;
    Ok(v.as_deref().and_then(parse_ts))
}

pub async fn queue_reply(c: &mut SqliteConnection, r: &NewReply<'_>) -> Result<i64, StoreError> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO outbox (message_id, kind, recipient, sender, rfc822_id, body, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(r.message_id)
    .bind(r.kind)
    .bind(r.recipient.to_lowercase())
    .bind(r.sender)
    .bind(r.rfc822_id)
    .bind(r.body)
    .bind(ts(r.created_at))
    .fetch_one(c)
    .await?;
    Ok(id)
}

pub async fn set_attention(
    c: &mut SqliteConnection,
    message_id: i64,
    reason: &str,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE messages SET attention = ?, detail = COALESCE(?, detail) WHERE id = ?")
        .bind(reason)
        .bind(detail)
        .bind(message_id)
        .execute(c)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn test_store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.expect("db");
        (dir, store)
    }

    async fn stored_mail(c: &mut SqliteConnection, uid: u32, now: DateTime<Utc>) -> i64 {
        let sha = format!("sha-{uid}");
        insert_message(
            c,
            &NewMessage {
                mailbox: "INBOX",
                uidvalidity: 1,
                uid,
                message_id: None,
                sha256: &sha,
                from_addr: Some("ada@example.net"),
                from_name: None,
                subject: "Re: Apply",
                received_at: now,
                processed_at: now,
                raw: b"raw",
                outcome: "answers",
                attention: None,
                detail: None,
            },
        )
        .await
        .expect("message")
    }

    #[tokio::test]
    async fn a_check_is_stored_read_back_and_cleared_by_a_later_clean_answer() {
        let (_dir, store) = test_store().await;
        let now = Utc::now();
        let guessed = Check {
            reason: CheckReason::SignatureGuessed,
            as_written: "A colleague\n\nAda Lovelace\nAnalytical Engines Ltd".into(),
        };

        // First mail: `heard` read with a guessed signature cut, `region` clean.
        let mut tx = store.begin().await.expect("tx");
        let m1 = stored_mail(&mut tx, 1, now).await;
        let app = insert_application(&mut tx, "ada@example.net", None, "incomplete", now)
            .await
            .expect("application");
        let mut current = current_answers(&mut tx, app).await.expect("current");
        assert_eq!(current, CurrentAnswers::default());
        assert!(!current.is_current("heard", "A colleague", Some(&guessed)));
        insert_answer(
            &mut tx,
            app,
            "heard",
            "A colleague",
            Some(&guessed),
            m1,
            now,
        )
        .await
        .expect("answer");
        current.set("heard", "A colleague", Some(&guessed));
        insert_answer(&mut tx, app, "region", "Europe", None, m1, now)
            .await
            .expect("answer");
        current.set("region", "Europe", None);
        let read = current_answers(&mut tx, app).await.expect("current");
        assert_eq!(read, current, "what was written is what is read");
        tx.commit().await.expect("commit");

        let all = store.current_answers_all().await.expect("all");
        let got = &all[&app];
        assert_eq!(got.values["heard"], "A colleague");
        assert_eq!(got.checks.get("heard"), Some(&guessed));
        assert_eq!(got.values["region"], "Europe");
        assert!(!got.checks.contains_key("region"), "{got:?}");
        // The same reading again is not a new version.
        assert!(got.is_current("heard", "A colleague", Some(&guessed)));
        assert!(got.is_current("region", "Europe", None));

        // A later reply gives the same value, read without guessing: the
        // value is unchanged but the mark is not, so a new version clears it.
        assert!(!got.is_current("heard", "A colleague", None));
        let mut tx = store.begin().await.expect("tx");
        let m2 = stored_mail(&mut tx, 2, now).await;
        insert_answer(&mut tx, app, "heard", "A colleague", None, m2, now)
            .await
            .expect("answer");
        let read = current_answers(&mut tx, app).await.expect("current");
        assert_eq!(read.values["heard"], "A colleague");
        assert!(read.checks.is_empty(), "{read:?}");
        tx.commit().await.expect("commit");
        let all = store.current_answers_all().await.expect("all");
        assert!(all[&app].checks.is_empty(), "{all:?}");

        // Every version is kept, the mark with the one it belongs to.
        let history: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT value, check_reason, as_written FROM answers WHERE question_id = 'heard' ORDER BY id",
        )
        .fetch_all(&store.pool)
        .await
        .expect("history");
        assert_eq!(
            history,
            vec![
                (
                    "A colleague".to_string(),
                    Some("signature-guessed".to_string()),
                    Some(guessed.as_written.clone())
                ),
                ("A colleague".to_string(), None, None),
            ]
        );
    }

    #[tokio::test]
    async fn an_unknown_stored_check_reason_is_an_error_not_a_lost_mark() {
        let (_dir, store) = test_store().await;
        let now = Utc::now();
        let mut tx = store.begin().await.expect("tx");
        let m = stored_mail(&mut tx, 1, now).await;
        let app = insert_application(&mut tx, "ada@example.net", None, "incomplete", now)
            .await
            .expect("application");
        sqlx::query(
            "INSERT INTO answers (application_id, question_id, value, check_reason, as_written,
                message_id, created_at) VALUES (?, 'heard', 'x', 'from-the-future', 'x y', ?, ?)",
        )
        .bind(app)
        .bind(m)
        .bind(ts(now))
        .execute(&mut *tx)
        .await
        .expect("insert");
        let err = current_answers(&mut tx, app)
            .await
            .expect_err("unknown reason");
        assert!(
            matches!(&err, StoreError::UnknownCheckReason { reason, .. } if reason == "from-the-future"),
            "{err}"
        );
        // A reason without the text as written is refused by the schema.
        let half = sqlx::query(
            "INSERT INTO answers (application_id, question_id, value, check_reason,
                message_id, created_at) VALUES (?, 'heard', 'x', 'signature-guessed', ?, ?)",
        )
        .bind(app)
        .bind(m)
        .bind(ts(now))
        .execute(&mut *tx)
        .await;
        assert!(half.is_err(), "a mark without its text was stored");
    }

    #[tokio::test]
    async fn a_reply_is_claimed_by_one_sender_at_a_time() {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let store = Store::connect(&url).await.expect("db");
        let now = Utc::now();
        let mut tx = store.begin().await.expect("tx");
        let m = insert_message(
            &mut tx,
            &NewMessage {
                mailbox: "INBOX",
                uidvalidity: 1,
                uid: 1,
                message_id: Some("a@b"),
                sha256: "x",
                from_addr: Some("a@b.c"),
                from_name: None,
                subject: "s",
                received_at: now,
                processed_at: now,
                raw: b"raw",
                outcome: "questions",
                attention: None,
                detail: None,
            },
        )
        .await
        .expect("message");
        let id = queue_reply(
            &mut tx,
            &NewReply {
                message_id: m,
                kind: "questions",
                recipient: "a@b.c",
                sender: "t@b.c",
                rfc822_id: "r@b.c",
                body: b"body",
                created_at: now,
            },
        )
        .await
        .expect("reply");
        tx.commit().await.expect("commit");

        let stale = now - chrono::Duration::minutes(10);
        assert!(store.claim(id, now, stale).await.expect("claim"));
        assert!(
            !store.claim(id, now, stale).await.expect("claim"),
            "claimed twice"
        );
        // A claim left by a sender that died is taken over later.
        let later = now + chrono::Duration::minutes(11);
        assert!(
            store
                .claim(id, later, later - chrono::Duration::minutes(10))
                .await
                .expect("claim")
        );
        store.mark_sent(id, later).await.expect("sent");
        assert!(
            !store
                .claim(
                    id,
                    later + chrono::Duration::hours(1),
                    later + chrono::Duration::minutes(50)
                )
                .await
                .expect("claim"),
            "sent replies are never claimed"
        );
        assert!(store.pending_outbox().await.expect("pending").is_empty());
    }
}
