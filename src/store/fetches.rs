//! Messages the mail server would not hand over, counted over turns.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, ts};

impl Store {
    /// Counts one more failed fetch of this message (mailbox, UIDVALIDITY,
    /// UID), keeping the newest error, and returns how many there have
    /// been, by any process sharing the database.
    pub async fn count_fetch_failure(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        uid: u32,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<u32, StoreError> {
        let tries: i64 = sqlx::query_scalar(
            "INSERT INTO fetch_failures (mailbox, uidvalidity, uid, tries, last_error, first_at,
                last_at)
             VALUES ($1, $2, $3, 1, $4, $5, $5)
             ON CONFLICT (mailbox, uidvalidity, uid) DO UPDATE
             SET tries = fetch_failures.tries + 1, last_error = excluded.last_error,
                 last_at = excluded.last_at
             RETURNING tries",
        )
        .bind(mailbox)
        .bind(i64::from(uidvalidity))
        .bind(i64::from(uid))
        .bind(error)
        .bind(ts(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(u32::try_from(tries).unwrap_or(u32::MAX))
    }
}
