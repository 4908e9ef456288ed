//! Answers held from unvouched mail (table `held_answers`), and what a
//! reply of ours was about, to find the held answers a confirmation is for.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::record::check_of;
use super::{StoreError, Tx, ts};
use crate::domain::{Held, NewAnswer, Reply};

impl Tx {
    /// Holds `answer`, read from the stored mail `message_id`, until the
    /// address confirms.
    pub async fn hold_answer(
        &mut self,
        message_id: i64,
        answer: &NewAnswer,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let check = answer.check.as_ref();
        sqlx::query(
            "INSERT INTO held_answers (message_id, question_id, value, check_reason, as_written,
                created_at, prompt)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(message_id)
        .bind(answer.question_id.as_str())
        .bind(answer.value.as_str())
        .bind(check.map(|c| c.reason.as_str()))
        .bind(check.map(|c| c.as_written.as_str()))
        .bind(ts(now))
        .bind(answer.prompt.as_deref().map(|p| p.replace('\0', "")))
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }

    /// The answers held for the mail `message_id`, in question order of
    /// their storing; empty when none are (left).
    pub async fn held_answers(&mut self, message_id: i64) -> Result<Held, StoreError> {
        let rows = sqlx::query(
            "SELECT id, question_id, value, check_reason, as_written, prompt FROM held_answers
             WHERE message_id = $1 ORDER BY id",
        )
        .bind(message_id)
        .fetch_all(&mut *self.inner)
        .await?;
        let mut answers = Vec::with_capacity(rows.len());
        for r in &rows {
            let check = check_of(r, "held_answers")?;
            answers.push(NewAnswer {
                question_id: r.get("question_id"),
                value: r.get("value"),
                check,
                prompt: r.get("prompt"),
            });
        }
        Ok(Held {
            message: message_id,
            answers,
        })
    }

    /// The newest stored mail from `address` (any case) whose answers are
    /// still held.
    pub async fn newest_held_from(&mut self, address: &str) -> Result<Option<i64>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(h.message_id) FROM held_answers h
             JOIN messages m ON m.id = h.message_id
             WHERE lower(m.from_addr) = $1",
        )
        .bind(address.to_lowercase())
        .fetch_one(&mut *self.inner)
        .await?;
        Ok(id)
    }

    /// The held answers of `message_id` were taken in: their rows go, and
    /// the mail leaves the staff list.
    pub async fn release_held(&mut self, message_id: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM held_answers WHERE message_id = $1")
            .bind(message_id)
            .execute(&mut *self.inner)
            .await?;
        sqlx::query("UPDATE messages SET attention = NULL WHERE id = $1 AND attention = $2")
            .bind(message_id)
            .bind(crate::domain::Attention::Unconfirmed.as_str())
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }

    /// A reply of ours to `recipient` by its Message-ID (without angle
    /// brackets): its kind, and the stored mail it answered.
    pub async fn reply_to(
        &mut self,
        rfc822_id: &str,
        recipient: &str,
    ) -> Result<Option<(Reply, Option<i64>)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, kind, message_id FROM outbox WHERE rfc822_id = $1
             AND lower(recipient) = $2",
        )
        .bind(rfc822_id)
        .bind(recipient.to_lowercase())
        .fetch_optional(&mut *self.inner)
        .await?;
        row.map(|r| {
            let kind: String = r.get("kind");
            let parsed = Reply::parse(&kind).ok_or_else(|| StoreError::Unknown {
                table: "outbox",
                column: "kind",
                value: kind.clone(),
                row: r.get("id"),
            })?;
            Ok((parsed, r.get("message_id")))
        })
        .transpose()
    }
}

impl Tx {
    /// Sets the application's status (a standing the applicant chose,
    /// such as `withdrawn`), dated by the mail that asked.
    pub async fn set_status(
        &mut self,
        application_id: i64,
        status: crate::domain::Status,
        received_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE applications SET status = $1, updated_at = $2 WHERE id = $3")
            .bind(status.as_str())
            .bind(ts(received_at))
            .bind(application_id)
            .execute(&mut *self.inner)
            .await?;
        Ok(())
    }
}
