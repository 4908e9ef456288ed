//! Retention (`privacy.retention_days`): raw mail, finished replies'
//! bodies and superseded answer versions older than a cutoff are purged.
//! Which cutoff is [`crate::privacy::Retention::cutoff`]'s decision.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, ts};
use crate::domain::MessageOutcome;

/// What one purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Purged {
    /// Mails whose raw bytes were removed.
    pub mails: u64,
    /// Sent or given-up replies whose body was removed.
    pub replies: u64,
    /// Superseded answer versions deleted.
    pub answers: u64,
    /// Files of those versions deleted (on disk too).
    pub files: u64,
    /// Answers held from unvouched mail, never confirmed, deleted.
    pub held_answers: u64,
}

/// "raw bytes of 3 mails, bodies of 2 replies, 1 superseded answer version".
impl std::fmt::Display for Purged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = |count: u64| if count == 1 { "" } else { "s" };
        write!(
            f,
            "raw bytes of {} mail{}, bodies of {} repl{}, {} superseded answer version{}, {} file{} of them, {} held answer{}",
            self.mails,
            s(self.mails),
            self.replies,
            if self.replies == 1 { "y" } else { "ies" },
            self.answers,
            s(self.answers),
            self.files,
            s(self.files),
            self.held_answers,
            s(self.held_answers),
        )
    }
}

impl Purged {
    /// Nothing was purged.
    pub fn is_empty(&self) -> bool {
        *self == Purged::default()
    }
}

impl Store {
    /// Purges, at `now`, what dates from `cutoff` or before. A mail is
    /// dated by its arrival, and so are our reply to it (and the reply's
    /// delivery copy, which arrives later) and the answers read from it:
    /// they go together.
    ///
    /// - each such mail's raw bytes (`raw` becomes empty and
    ///   `raw_purged_at` is set). The row stays, with its sender, subject,
    ///   outcome and reason for staff: the mail stays processed (a copy
    ///   seen again is still a duplicate) and still listed;
    /// - each such reply's body, once sent or given up (it repeats the
    ///   answers of its time). A reply still to be sent keeps it;
    /// - each such answer version that is no longer current (a later one
    ///   replaced it). Current answers, the application and its status
    ///   stay: they are what staff decide on. A file question's answer
    ///   goes with its file (from disk too, once committed); a current
    ///   one stays, as the answer it is;
    /// - the answers held from such mail that its address never confirmed
    ///   (mail that replied to none of ours).
    ///
    /// Then, when anything was purged, the SQLite file is rebuilt
    /// ([`Store::scrub`]), so that the purged bytes are gone from it.
    ///
    /// # Errors
    /// A database error, or [`StoreError::Scrub`] (see [`Store::erase`]).
    pub async fn purge(
        &self,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Purged, StoreError> {
        let (cutoff, now) = (ts(cutoff), ts(now));
        let mut tx = self.begin().await?;
        let mails = sqlx::query(
            "UPDATE messages SET raw = $1, raw_purged_at = $2
             WHERE raw_purged_at IS NULL AND (received_at <= $3
                OR (outcome = $4 AND message_id IN (
                    SELECT o.rfc822_id FROM outbox o JOIN messages m ON m.id = o.message_id
                    WHERE m.received_at <= $5)))",
        )
        .bind(Vec::<u8>::new())
        .bind(now.as_str())
        .bind(cutoff.as_str())
        .bind(MessageOutcome::DeliveryCopy.as_str())
        .bind(cutoff.as_str())
        .execute(&mut *tx.inner)
        .await?
        .rows_affected();
        let replies = sqlx::query(
            "UPDATE outbox SET body = $1, body_purged_at = $2
             WHERE body_purged_at IS NULL AND (sent_at IS NOT NULL OR failed_at IS NOT NULL)
             AND message_id IN (SELECT id FROM messages WHERE received_at <= $3)",
        )
        .bind(Vec::<u8>::new())
        .bind(now.as_str())
        .bind(cutoff.as_str())
        .execute(&mut *tx.inner)
        .await?
        .rows_affected();
        let files = super::files::delete_files_of(
            &mut tx,
            "SELECT a.id FROM answers a
             WHERE a.message_id IN (SELECT id FROM messages WHERE received_at <= $1)
             AND a.id < (SELECT MAX(b.id) FROM answers b
                         WHERE b.application_id = a.application_id
                         AND b.question_id = a.question_id)",
            super::files::Bind::Text(cutoff.clone()),
        )
        .await?;
        let answers = sqlx::query(
            "DELETE FROM answers
             WHERE message_id IN (SELECT id FROM messages WHERE received_at <= $1)
             AND id < (SELECT MAX(b.id) FROM answers b
                       WHERE b.application_id = answers.application_id
                       AND b.question_id = answers.question_id)",
        )
        .bind(cutoff.as_str())
        .execute(&mut *tx.inner)
        .await?
        .rows_affected();
        let held_answers = sqlx::query(
            "DELETE FROM held_answers
             WHERE message_id IN (SELECT id FROM messages WHERE received_at <= $1)",
        )
        .bind(cutoff.as_str())
        .execute(&mut *tx.inner)
        .await?
        .rows_affected();
        tx.commit().await?;
        let purged = Purged {
            mails,
            replies,
            answers,
            files,
            held_answers,
        };
        if !purged.is_empty() {
            self.scrub()
                .await
                .map_err(|e| StoreError::Scrub(e.to_string()))?;
        }
        Ok(purged)
    }
}
