//! Questions versions (table `question_versions`): each distinct questions
//! file a process used, and which one each of our replies showed.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreError, parse_ts, ts};

/// A stored questions version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub id: i64,
    /// SHA-256 of `questions`, lower-case hex.
    pub digest: String,
    /// The questions file's text as it was used.
    pub questions: String,
    /// When a process first took it into use.
    pub first_used_at: Option<DateTime<Utc>>,
}

impl Store {
    /// The id of the version with this `digest`, stored with `questions`
    /// (its text) when it is new. Safe against another process recording
    /// the same version at the same time.
    pub async fn record_version(
        &self,
        digest: &str,
        questions: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        sqlx::query(
            "INSERT INTO question_versions (digest, questions, first_used_at)
             VALUES ($1, $2, $3) ON CONFLICT (digest) DO NOTHING",
        )
        .bind(digest)
        .bind(questions.replace('\0', ""))
        .bind(ts(now))
        .execute(&self.pool)
        .await?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM question_versions WHERE digest = $1")
            .bind(digest)
            .fetch_one(&self.pool)
            .await?;
        Ok(id)
    }

    /// The stored version `id`, if there is one.
    pub async fn version(&self, id: i64) -> Result<Option<StoredVersion>, StoreError> {
        let row = sqlx::query(
            "SELECT id, digest, questions, first_used_at FROM question_versions WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(stored))
    }

    /// Every stored version, oldest first.
    pub async fn versions(&self) -> Result<Vec<StoredVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, digest, questions, first_used_at FROM question_versions ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(stored).collect())
    }

    /// The version shown by the mail a reply from `recipient` replies to:
    /// the first of `parent_ids` (its In-Reply-To, then its References
    /// from the newest) that is one of our replies to that address.
    /// `None` when none is, or that reply was queued before versions were
    /// recorded.
    pub async fn version_shown(
        &self,
        parent_ids: &[String],
        recipient: &str,
    ) -> Result<Option<i64>, StoreError> {
        for id in parent_ids {
            let row = sqlx::query(
                "SELECT questions_version FROM outbox WHERE rfc822_id = $1 AND recipient = $2",
            )
            .bind(id.as_str())
            .bind(recipient.to_lowercase())
            .fetch_optional(&self.pool)
            .await?;
            if let Some(r) = row {
                return Ok(r.get("questions_version"));
            }
        }
        Ok(None)
    }

    /// The version applicants last saw: the one shown by the newest reply
    /// that records one. `None` before any such reply.
    pub async fn last_shown_version(&self) -> Result<Option<StoredVersion>, StoreError> {
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT questions_version FROM outbox WHERE questions_version IS NOT NULL
             ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        .flatten();
        match id {
            Some(id) => self.version(id).await,
            None => Ok(None),
        }
    }
}

fn stored(r: &sqlx::any::AnyRow) -> StoredVersion {
    let first: String = r.get("first_used_at");
    StoredVersion {
        id: r.get("id"),
        digest: r.get("digest"),
        questions: r.get("questions"),
        first_used_at: parse_ts(&first),
    }
}
