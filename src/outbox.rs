//! Sending queued replies (over SMTP: `crate::smtp`). A reply is marked sent
//! only after the server accepted it, so a crash resends at most that one
//! reply.

use std::time::Duration;

use chrono::Utc;

use crate::daemon::DEFERRAL;
pub use crate::smtp::{SendError, SmtpTransport};
use crate::store::{Failed, Lease, OutboxRow, Resend, Store, StoreError};

/// After this many failed attempts, a reply the server keeps deferring
/// (4xx) is given up and shown to staff. Only the reply's own failures
/// count: an attempt that found no server (or was refused our settings)
/// does not, however long the outage.
pub const MAX_ATTEMPTS: i64 = 20;

/// How long a lease on a reply holds unless renewed. A process killed
/// mid-send holds its reply no longer than this; a living one renews every
/// [`LEASE_RENEWAL`] for as long as the SMTP transaction lasts.
const LEASE: chrono::Duration = chrono::Duration::seconds(4);
const LEASE_RENEWAL: Duration = Duration::from_secs(1);

/// How long a reply's delivery copy may take to reach the mailbox after
/// the server took the reply: its queue and local delivery, with IMAP
/// IDLE's notice (500 ms on Dovecot). A reply in doubt is sent again only
/// when the mailbox was processed up to this long after its send was cut
/// off and its copy was not in it.
pub const COPY_WAIT: chrono::Duration = chrono::Duration::seconds(3);

/// A send was cut off at most [`LEASE_RENEWAL`] after its lease's last
/// renewal, that is `LEASE - LEASE_RENEWAL` before the lease lapses: the
/// mailbox must be processed up to this long after the lapse to have given
/// the copy [`COPY_WAIT`] (zero with today's values).
fn copy_wait_after_lapse() -> chrono::Duration {
    COPY_WAIT + chrono::Duration::from_std(LEASE_RENEWAL).unwrap_or_default() - LEASE
}

/// This process's name on the leases it takes: one per process, so that a
/// lease never outlives the process that took it by more than [`LEASE`].
fn owner() -> &'static str {
    static OWNER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    OWNER.get_or_init(|| format!("{}-{}", std::process::id(), uuid::Uuid::new_v4()))
}

/// Where replies go. Narrow, so that tests and other transports fit.
pub trait Transport {
    fn send(
        &self,
        from: &str,
        to: &str,
        message: &[u8],
    ) -> impl Future<Output = Result<(), SendError>> + Send;

    /// Whether each reply is also sent to the watched mailbox, whose copy
    /// proves delivery (`SmtpTransport::with_delivery_copy`). Without it,
    /// a reply in doubt is sent again at once.
    fn delivery_copy(&self) -> bool {
        false
    }
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Flushed {
    pub sent: usize,
    pub failed: usize,
    /// Tried and not sent, to be tried again: deferred by the server
    /// (4xx), or left to another sender that took its lease over.
    pub deferred: usize,
    /// Replies in doubt that wait for their delivery copy: the mailbox
    /// must be looked at again for them to be settled.
    pub in_doubt: usize,
    /// Not tried: deferred earlier, their next attempt not due yet.
    pub waiting: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum FlushError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The server could not be reached or refuses our settings: the
    /// replies not sent yet (`unsent`) wait in the queue.
    #[error("{error}")]
    Transport { error: SendError, unsent: usize },
}

/// Sends every pending reply once, each under a lease (see [`LEASE`]);
/// one the server deferred waits for its own next attempt, later after
/// each deferral ([`DEFERRAL`]), by the database's clock. Stops at the
/// first failure that is the server's or the settings' rather than one
/// reply's ([`SendError::concerns_every_reply`]): the rest would fail
/// alike.
pub async fn flush<T: Transport>(
    store: &Store,
    transport: &T,
    mailbox: &str,
) -> Result<Flushed, FlushError> {
    let mut out = Flushed::default();
    let now = store.clock().await?;
    let rows = store.pending_outbox(now).await?;
    out.waiting = store.outbox_not_due(now).await?;
    // With copies, a reply is resent only past its copy's wait in the
    // watched mailbox, including one that comes into doubt during this
    // flush (another process killed mid-send).
    let resend = if transport.delivery_copy() {
        Resend::AfterMailboxUpTo(store.caught_up(mailbox).await?)
    } else {
        Resend::Now
    };
    let total = rows.len();
    for (i, row) in rows.into_iter().enumerate() {
        // A long queue after an outage is progress, not a stuck loop.
        crate::notify::alive(crate::notify::Loop::Sender);
        let now = store.clock().await?;
        let taken = store
            .take_lease(
                row.id,
                owner(),
                now,
                now + LEASE,
                resend,
                copy_wait_after_lapse(),
            )
            .await?;
        let Some(lease) = taken else {
            if row.in_doubt {
                out.in_doubt += 1;
            }
            continue;
        };
        // The take may have waited on a busy database after `now` was
        // read, and been written already lapsed: renewed from a fresh
        // reading of the clock before anything is sent, or let go if
        // another sender took it meanwhile.
        let fresh = store.clock().await?;
        if !store.renew_lease(&lease, fresh + LEASE).await? {
            out.deferred += 1;
            continue;
        }
        if lease.in_doubt {
            // Cut off mid-send, and no delivery copy arrived in time (or
            // none is sent): the server did not take it, as far as can be
            // known. The same message (same Message-ID) goes again.
            tracing::warn!(
                outbox = row.id,
                took_over = lease.took_over,
                copy = transport.delivery_copy(),
                "a reply whose send was cut off goes again, same Message-ID: no delivery copy of it arrived"
            );
        }
        let Some(result) = send_leased(store, transport, &lease, &row).await? else {
            // The lease lapsed mid-send (this process stalled): another
            // sender may have the reply now, so this one lets it go.
            tracing::warn!(
                outbox = row.id,
                "lease on a reply lost mid-send; left to its new holder"
            );
            out.deferred += 1;
            continue;
        };
        match result {
            Ok(()) => {
                store.mark_sent(&lease, Utc::now()).await?;
                out.sent += 1;
                tracing::debug!(outbox = row.id, "reply sent");
            }
            Err(e) if e.concerns_every_reply() => {
                // Not this reply's fault: released for later, neither
                // given up nor counted, so that a long outage cannot use
                // up its attempts.
                store
                    .mark_attempt_failed(
                        &lease,
                        &e.to_string(),
                        Failed::NotCounted,
                        in_doubt(&e, store.clock().await?),
                    )
                    .await?;
                let unsent = total - i + out.deferred + out.waiting;
                return Err(FlushError::Transport { error: e, unsent });
            }
            Err(e) => {
                // Given up in doubt, it is still marked sent if its delivery
                // copy comes after all.
                let attempts = row.attempts + 1;
                let give_up = e.is_permanent() || attempts >= MAX_ATTEMPTS;
                let now = store.clock().await?;
                let failed = if give_up {
                    Failed::GivenUp { at: now }
                } else {
                    // This reply's own backoff, whoever sends next.
                    let wait = DEFERRAL.wait(u32::try_from(attempts).unwrap_or(u32::MAX));
                    let wait = chrono::Duration::from_std(wait).unwrap_or_default();
                    Failed::Deferred {
                        retry_at: now + wait,
                    }
                };
                store
                    .mark_attempt_failed(&lease, &e.to_string(), failed, in_doubt(&e, now))
                    .await?;
                if give_up {
                    out.failed += 1;
                    tracing::error!(outbox = row.id, error = %e, "reply could not be delivered; listed for staff");
                } else {
                    out.deferred += 1;
                    tracing::warn!(outbox = row.id, error = %e, "reply deferred; will retry");
                }
            }
        }
    }
    Ok(out)
}

/// For a send that failed in doubt: the lapse its lease stands for, as
/// if it had been cut off by a kill at `now`, by the database's clock (see
/// [`copy_wait_after_lapse`]).
fn in_doubt(e: &SendError, now: chrono::DateTime<Utc>) -> Option<chrono::DateTime<Utc>> {
    e.in_doubt()
        .then(|| now + LEASE - chrono::Duration::from_std(LEASE_RENEWAL).unwrap_or_default())
}

/// Sends one reply, renewing its lease while the transaction lasts.
/// `None` when the lease was lost: the send is abandoned (dropped before
/// its end, when it had not ended yet).
async fn send_leased<T: Transport>(
    store: &Store,
    transport: &T,
    lease: &Lease,
    row: &OutboxRow,
) -> Result<Option<Result<(), SendError>>, FlushError> {
    let send = transport.send(&row.sender, &row.recipient, &row.body);
    tokio::pin!(send);
    let mut renew = tokio::time::interval(LEASE_RENEWAL);
    renew.tick().await;
    loop {
        tokio::select! {
            result = &mut send => return Ok(Some(result)),
            _ = renew.tick() => {
                let now = store.clock().await?;
                if !store.renew_lease(lease, now + LEASE).await? {
                    return Ok(None);
                }
            }
        }
    }
}
