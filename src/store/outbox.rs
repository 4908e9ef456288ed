//! The outbox: replies queued with the change that caused them, sent
//! under a lease so that exactly one process sends each, and a process
//! that dies mid-send holds nothing for longer than a lease.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Backend, Store, StoreError, Tx, parse_ts, ts};
use crate::domain::gates::{self, SentLastHour};

/// A queued reply, ready to send.
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    pub recipient: String,
    pub sender: String,
    pub body: Vec<u8>,
    pub attempts: i64,
    /// A send of this reply was cut off after the message may have been
    /// taken (its process died, or the server's answer never came): the
    /// reply is in doubt until its delivery copy arrives or the wait for
    /// it is over (see [`Store::take_lease`]).
    pub in_doubt: bool,
}

/// What a failed attempt means for its reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failed {
    /// Not this reply's failure (no server, or our settings refused): it
    /// does not count toward the reply's attempts, and the reply may go
    /// again as soon as the server is back.
    NotCounted,
    /// The server deferred it (4xx): counted; it waits until `retry_at`.
    Deferred { retry_at: DateTime<Utc> },
    /// Refused for good, or deferred once too often: counted, and given
    /// up at `at`, which lists it for staff.
    GivenUp { at: DateTime<Utc> },
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
    /// A send before this one was cut off, and no delivery copy arrived.
    pub in_doubt: bool,
}

/// When a reply in doubt may be sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resend {
    /// No delivery copy is sent: at once.
    Now,
    /// Only once the mailbox was processed up to this time: a reply whose
    /// send was cut off (or whose lease lapsed) before it, and whose copy
    /// was not seen by then, was not taken by the server. `None`: the
    /// mailbox was never processed to the end.
    AfterMailboxUpTo(Option<DateTime<Utc>>),
}

impl Store {
    /// Replies neither sent nor given up and due at `now` (by
    /// [`Store::clock`]): a reply the server deferred waits until its next
    /// attempt. Oldest first, whatever their lease: [`Store::take_lease`]
    /// decides who sends.
    pub async fn pending_outbox(&self, now: DateTime<Utc>) -> Result<Vec<OutboxRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, recipient, sender, body, attempts, sending_since, lease_expires_at FROM outbox
             WHERE sent_at IS NULL AND failed_at IS NULL
             AND (next_attempt_at IS NULL OR next_attempt_at <= $1) ORDER BY id",
        )
        .bind(ts(now))
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
                // Cut off: a send began and its lease lapsed (a live
                // sender's is not in doubt).
                in_doubt: r.get::<Option<String>, _>("sending_since").is_some()
                    && r.get::<Option<String>, _>("lease_expires_at")
                        .is_none_or(|t| t < ts(now)),
            })
            .collect())
    }

    /// How many replies the server deferred wait for a next attempt that
    /// is not due at `now`.
    pub async fn outbox_not_due(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox
             WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at > $1",
        )
        .bind(ts(now))
        .fetch_one(&self.pool)
        .await?;
        Ok(usize::try_from(n).unwrap_or_default())
    }

    /// Takes the lease on a pending reply until `until`, to send it.
    /// `None` when another owner holds a lease that has not lapsed at
    /// `now`, the reply was sent or given up meanwhile, or it is in doubt
    /// and `resend` says not yet: its lease lapsed (or its send failed in
    /// doubt) after `wait` before the time the mailbox was processed up to.
    pub async fn take_lease(
        &self,
        id: i64,
        owner: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        resend: Resend,
        wait: chrono::Duration,
    ) -> Result<Option<Lease>, StoreError> {
        let held = sqlx::query("SELECT lease_owner, sending_since FROM outbox WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let (held, doubt) = held.map_or((None, false), |r| {
            (
                r.get::<Option<String>, _>("lease_owner"),
                r.get::<Option<String>, _>("sending_since").is_some(),
            )
        });
        let took_over = held.is_some_and(|o| o != owner);
        // Text timestamps compare in time order (`ts`): "" is before all,
        // "~" after all.
        let cutoff = match resend {
            Resend::Now => "~".to_string(),
            Resend::AfterMailboxUpTo(None) => String::new(),
            Resend::AfterMailboxUpTo(Some(t)) => ts(t - wait),
        };
        let done = sqlx::query(
            "UPDATE outbox SET lease_owner = $1, lease_expires_at = $2, sending_since = $3
             WHERE id = $4 AND sent_at IS NULL AND failed_at IS NULL
             AND (lease_expires_at IS NULL OR lease_expires_at < $5 OR lease_owner = $6)
             AND (sending_since IS NULL OR lease_expires_at <= $7)",
        )
        .bind(owner)
        .bind(ts(until))
        .bind(ts(now))
        .bind(id)
        .bind(ts(now))
        .bind(owner)
        .bind(cutoff)
        .execute(&self.pool)
        .await?;
        Ok((done.rows_affected() == 1).then(|| Lease {
            outbox_id: id,
            owner: owner.to_string(),
            took_over,
            in_doubt: doubt,
        }))
    }

    /// How many replies sent before `before` have had no delivery copy
    /// arrive, and how many copies arrived at all: many of the first and
    /// none of the second means the copies do not reach the watched
    /// mailbox.
    pub async fn delivery_copies(&self, before: DateTime<Utc>) -> Result<(i64, i64), StoreError> {
        let missing: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE sent_at < $1 AND copy_seen_at IS NULL",
        )
        .bind(ts(before))
        .fetch_one(&self.pool)
        .await?;
        let seen: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE copy_seen_at IS NOT NULL")
                .fetch_one(&self.pool)
                .await?;
        Ok((missing, seen))
    }

    /// The time up to which `mailbox` has been processed
    /// ([`Store::note_caught_up`]); `None` before its first full look.
    pub async fn caught_up(&self, mailbox: &str) -> Result<Option<DateTime<Utc>>, StoreError> {
        let v: Option<Option<String>> =
            sqlx::query_scalar("SELECT caught_up_at FROM mailboxes WHERE name = $1")
                .bind(mailbox)
                .fetch_optional(&self.pool)
                .await?;
        Ok(v.flatten().as_deref().and_then(parse_ts))
    }

    /// Records that every mail in `mailbox` that was there at `at` has
    /// been processed. Never moves back.
    pub async fn note_caught_up(&self, mailbox: &str, at: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE mailboxes SET caught_up_at = $1
             WHERE name = $2 AND (caught_up_at IS NULL OR caught_up_at < $3)",
        )
        .bind(ts(at))
        .bind(mailbox)
        .bind(ts(at))
        .execute(&self.pool)
        .await?;
        Ok(())
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
            "UPDATE outbox SET sent_at = COALESCE(sent_at, $1), attempts = attempts + 1,
             last_error = NULL, lease_owner = NULL, lease_expires_at = NULL, sending_since = NULL
             WHERE id = $2 AND lease_owner = $3",
        )
        .bind(ts(now))
        .bind(lease.outbox_id)
        .bind(lease.owner.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a failed attempt as `failed` says, and gives the lease
    /// back. A failure in doubt ([`crate::outbox::SendError::in_doubt`])
    /// leaves the reply in doubt, its lease counted as lapsed at
    /// `in_doubt` (see [`Store::take_lease`]).
    pub async fn mark_attempt_failed(
        &self,
        lease: &Lease,
        error: &str,
        failed: Failed,
        in_doubt: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let (counted, next_attempt_at, failed_at) = match failed {
            Failed::NotCounted => (false, None, None),
            Failed::Deferred { retry_at } => (true, Some(ts(retry_at)), None),
            Failed::GivenUp { at } => (true, None, Some(ts(at))),
        };
        sqlx::query(
            "UPDATE outbox SET attempts = CASE WHEN $1 THEN attempts + 1 ELSE attempts END,
             last_error = $2, lease_owner = NULL,
             lease_expires_at = CASE WHEN $3 THEN $4 ELSE NULL END,
             sending_since = CASE WHEN $5 THEN sending_since ELSE NULL END,
             next_attempt_at = $6, failed_at = $7
             WHERE id = $8 AND lease_owner = $9 AND sent_at IS NULL",
        )
        .bind(counted)
        .bind(error)
        .bind(in_doubt.is_some())
        .bind(in_doubt.map(ts))
        .bind(in_doubt.is_some())
        .bind(next_attempt_at)
        .bind(failed_at)
        .bind(lease.outbox_id)
        .bind(lease.owner.as_str())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The database's time now: the one clock that every process sharing
    /// the database reads alike, whatever its host's clock says. Leases
    /// and retry times are taken from it.
    pub async fn clock(&self) -> Result<DateTime<Utc>, StoreError> {
        let text: String = sqlx::query_scalar(clock_sql(self.backend))
            .fetch_one(&self.pool)
            .await?;
        clock_reading(&text)
    }
}

/// The query that reads the database's clock: each backend says it in RFC
/// 3339 UTC.
fn clock_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        Backend::Postgres => {
            "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
        }
    }
}

/// The clock's text parsed back, so that `ts` writes it in the stored
/// width (SQLite knows only milliseconds).
fn clock_reading(text: &str) -> Result<DateTime<Utc>, StoreError> {
    parse_ts(text).ok_or_else(|| {
        StoreError::Sqlx(sqlx::Error::Decode(
            format!("the database's clock reads {text:?}, not a time").into(),
        ))
    })
}

impl Tx {
    /// Replies queued in the [`gates::WINDOW`] before the database's clock
    /// (outbox rows, whatever became of them): to `recipient` (any case),
    /// and in all. The window ends at the database's clock, as leases do,
    /// so that processes on several hosts count alike (`created_at` is the
    /// queueing process's clock: a few seconds' skew moves the hour's
    /// edge by as much).
    pub async fn replies_last_hour(&mut self, recipient: &str) -> Result<SentLastHour, StoreError> {
        let text: String = sqlx::query_scalar(clock_sql(self.backend))
            .fetch_one(&mut *self.inner)
            .await?;
        let since = ts(clock_reading(&text)? - gates::WINDOW);
        let to_sender: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND created_at > $2",
        )
        .bind(recipient.to_lowercase())
        .bind(since.as_str())
        .fetch_one(&mut *self.inner)
        .await?;
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE created_at > $1")
            .bind(since.as_str())
            .fetch_one(&mut *self.inner)
            .await?;
        Ok(SentLastHour {
            to_sender: u64::try_from(to_sender).unwrap_or_default(),
            total: u64::try_from(total).unwrap_or_default(),
        })
    }

    /// The reply whose Message-ID (no angle brackets) this is, if it is
    /// one of ours.
    pub async fn reply_by_rfc822_id(&mut self, rfc822_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT id FROM outbox WHERE rfc822_id = $1")
                .bind(rfc822_id)
                .fetch_optional(&mut *self.inner)
                .await?,
        )
    }

    /// The reply's delivery copy arrived in the mailbox: the server took
    /// it, so it is sent, whatever its sender recorded or will record.
    pub async fn note_delivery_copy(
        &mut self,
        outbox_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE outbox SET copy_seen_at = COALESCE(copy_seen_at, $1),
             sent_at = COALESCE(sent_at, $2), failed_at = NULL WHERE id = $3",
        )
        .bind(ts(now))
        .bind(ts(now))
        .bind(outbox_id)
        .execute(&mut *self.inner)
        .await?;
        Ok(())
    }
}
