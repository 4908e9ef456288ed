//! The outbox: replies queued with the change that caused them, sent
//! under a lease so that exactly one process sends each, and a process
//! that dies mid-send holds nothing for longer than a lease.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Store, StoreError, ts};

/// A queued reply, ready to send.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub recipient: String,
    pub sender: String,
    pub body: Vec<u8>,
    pub attempts: i64,
}

/// The right to send one reply: held by `owner` (one id per process)
/// until `expires_at`, renewed while the send lasts. A lease that is not
/// renewed (its process died) lapses, and another sender takes the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub outbox_id: i64,
    pub owner: String,
    /// Taken over from an owner whose lease lapsed mid-send: that owner
    /// may have had the reply accepted before it died.
    pub took_over: bool,
}

impl Store {
    /// Replies neither sent nor given up, oldest first, whatever their
    /// lease: [`Store::take_lease`] decides who sends.
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

    /// Takes the lease on a pending reply until `until`. `None` when another
    /// owner holds a lease that has not lapsed at `now`, or the reply was
    /// sent or given up meanwhile.
    pub async fn take_lease(
        &self,
        id: i64,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Option<Lease>, StoreError> {
        let held: Option<Option<String>> =
            sqlx::query_scalar("SELECT lease_owner FROM outbox WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        let took_over = held.flatten().is_some_and(|o| o != owner);
        let done = sqlx::query(
            "UPDATE outbox SET lease_owner = $1, lease_expires_at = $2
             WHERE id = $3 AND sent_at IS NULL AND failed_at IS NULL
             AND (lease_expires_at IS NULL OR lease_expires_at < $4 OR lease_owner = $5)",
        )
        .bind(owner)
        .bind(ts(until))
        .bind(id)
        .bind(ts(now))
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok((done.rows_affected() == 1).then(|| Lease {
            outbox_id: id,
            owner: owner.to_string(),
            took_over,
        }))
    }

    /// Extends a lease this owner still holds. False when it was lost (it
    /// lapsed and another owner took it, or the reply is done).
    pub async fn renew_lease(
        &self,
        lease: &Lease,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE outbox SET lease_expires_at = $1
             WHERE id = $2 AND lease_owner = $3 AND sent_at IS NULL AND failed_at IS NULL",
        )
        .bind(ts(until))
        .bind(lease.outbox_id)
        .bind(lease.owner.as_str())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks the reply sent. Only the lease's holder can: a sender whose
    /// lease was taken over changes nothing (the new holder's lease stands).
    pub async fn mark_sent(&self, lease: &Lease, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = NULL,
             lease_owner = NULL, lease_expires_at = NULL WHERE id = $2 AND lease_owner = $3",
        )
        .bind(ts(now))
        .bind(lease.outbox_id)
        .bind(lease.owner.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a failed attempt and gives the lease back; `permanent`
    /// gives the reply up, which lists it for staff.
    pub async fn mark_attempt_failed(
        &self,
        lease: &Lease,
        error: &str,
        permanent: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1,
             lease_owner = NULL, lease_expires_at = NULL,
             failed_at = CASE WHEN $2 THEN $3 ELSE NULL END WHERE id = $4 AND lease_owner = $5",
        )
        .bind(error)
        .bind(permanent)
        .bind(ts(now))
        .bind(lease.outbox_id)
        .bind(lease.owner.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
