//! Sending queued replies over SMTP (lettre). A reply is marked sent only
//! after the server accepted it, so a crash resends at most that one reply.

use std::time::Duration;

use chrono::Utc;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::config::{Security, Smtp};
use crate::store::{Lease, OutboxRow, Store, StoreError};

/// After this many transient failures a reply is given up and shown to staff.
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

/// One opaque error type for the SMTP adapter.
#[derive(Debug, thiserror::Error)]
#[error("SMTP: {message}")]
pub struct SendError {
    message: String,
    permanent: bool,
}

impl SendError {
    pub fn is_transient(&self) -> bool {
        !self.permanent
    }
    pub fn is_permanent(&self) -> bool {
        self.permanent
    }
}

impl From<lettre::transport::smtp::Error> for SendError {
    fn from(e: lettre::transport::smtp::Error) -> Self {
        Self {
            permanent: e.is_permanent(),
            message: e.to_string(),
        }
    }
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

#[derive(Debug, Clone)]
pub struct SmtpTransport {
    inner: AsyncSmtpTransport<Tokio1Executor>,
}

impl SmtpTransport {
    pub fn new(c: &Smtp) -> Result<Self, SendError> {
        let tls = |wrap: fn(TlsParameters) -> Tls| -> Result<Tls, SendError> {
            let mut params = TlsParameters::builder(c.host.clone());
            if let Some(path) = &c.ca_file {
                let pem = std::fs::read(path).map_err(|e| SendError {
                    message: format!("cannot read {}: {e}", path.display()),
                    permanent: true,
                })?;
                params = params.add_root_certificate(Certificate::from_pem(&pem)?);
            }
            Ok(wrap(params.build_rustls()?))
        };
        let security = match c.security {
            Security::Tls => tls(Tls::Wrapper)?,
            Security::Starttls => tls(Tls::Required)?,
            Security::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host)
            .tls(security)
            .port(c.port)
            .timeout(Some(Duration::from_secs(60)));
        if let Some((user, pass)) = &c.credentials {
            builder =
                builder.credentials(Credentials::new(user.clone(), pass.expose().to_string()));
        }
        Ok(Self {
            inner: builder.build(),
        })
    }

    /// Opens a connection and says hello, for `check`.
    pub async fn test_connection(&self) -> Result<bool, SendError> {
        Ok(self.inner.test_connection().await?)
    }
}

impl Transport for SmtpTransport {
    async fn send(&self, from: &str, to: &str, message: &[u8]) -> Result<(), SendError> {
        let bad = |what: &str, v: &str| SendError {
            message: format!("invalid {what} address `{v}`"),
            permanent: true,
        };
        let from_addr: lettre::Address = from.parse().map_err(|_| bad("sender", from))?;
        let to_addr: lettre::Address = to.parse().map_err(|_| bad("recipient", to))?;
        let envelope = Envelope::new(Some(from_addr), vec![to_addr]).map_err(|e| SendError {
            message: e.to_string(),
            permanent: true,
        })?;
        self.inner.send_raw(&envelope, message).await?;
        Ok(())
    }
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
}

/// Sends every pending reply once, each under a lease (see [`LEASE`]).
pub async fn flush<T: Transport>(store: &Store, transport: &T) -> Result<Flushed, FlushError> {
    let mut out = Flushed::default();
    for row in store.pending_outbox().await? {
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
                tracing::info!(outbox = row.id, "reply sent");
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
