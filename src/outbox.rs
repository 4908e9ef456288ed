//! Sending queued replies (over SMTP: `crate::smtp`). A reply is marked sent
//! only after the server accepted it, so a crash resends at most that one
//! reply.

use std::time::Duration;

use chrono::Utc;

pub use crate::smtp::{SendError, SmtpTransport};
use crate::store::{Lease, OutboxRow, Store, StoreError};

/// After this many failed attempts, a reply the server keeps deferring
/// (4xx) is given up and shown to staff. Attempts that found no server
/// count too, but never give a reply up.
pub const MAX_ATTEMPTS: i64 = 20;

/// How long a lease on a reply holds unless renewed. A process killed
/// mid-send holds its reply no longer than this; a living one renews every
/// [`LEASE_RENEWAL`] for as long as the SMTP transaction lasts.
const LEASE: chrono::Duration = chrono::Duration::seconds(6);
const LEASE_RENEWAL: Duration = Duration::from_secs(2);

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
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Flushed {
    pub sent: usize,
    pub failed: usize,
    pub deferred: usize,
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

/// Sends every pending reply once, each under a lease (see [`LEASE`]).
/// Stops at the first failure that is the server's or the settings' rather
/// than one reply's ([`SendError::concerns_every_reply`]): the rest would
/// fail alike.
pub async fn flush<T: Transport>(store: &Store, transport: &T) -> Result<Flushed, FlushError> {
    let mut out = Flushed::default();
    let rows = store.pending_outbox().await?;
    let total = rows.len();
    for (i, row) in rows.into_iter().enumerate() {
        // A long queue after an outage is progress, not a stuck loop.
        crate::notify::alive();
        let now = Utc::now();
        let Some(lease) = store.take_lease(row.id, owner(), now, now + LEASE).await? else {
            continue;
        };
        if lease.took_over {
            // Its sender died mid-send: SMTP cannot tell whether the server
            // had accepted it. The same message (same Message-ID) goes again.
            tracing::warn!(
                outbox = row.id,
                "reply may have been sent already by a process that stopped mid-send; sending it again, same Message-ID"
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
                // Not this reply's fault: released for later, never given up.
                store
                    .mark_attempt_failed(&lease, &e.to_string(), false, Utc::now())
                    .await?;
                let unsent = total - i + out.deferred;
                return Err(FlushError::Transport { error: e, unsent });
            }
            Err(e) => {
                let give_up = e.is_permanent() || row.attempts + 1 >= MAX_ATTEMPTS;
                store
                    .mark_attempt_failed(&lease, &e.to_string(), give_up, Utc::now())
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
                if !store.renew_lease(lease, Utc::now() + LEASE).await? {
                    return Ok(None);
                }
            }
        }
    }
}
