//! The mailbox over IMAP (RFC 3501): plain, implicit TLS or STARTTLS, with
//! IDLE (RFC 2177) when the server offers it. Every network step has a
//! time limit, so no step can hang.

mod connect;
mod fetch;
mod idle;
#[cfg(test)]
mod tests;

use std::fmt;
use std::time::{Duration, Instant};

use async_imap::types::UnsolicitedResponse;
use tokio::io::{AsyncRead, AsyncWrite};

use super::error::{Kind, MailboxError, Step, says_try_later, server_words};
use super::{Fetched, Source, Wake};
use crate::config::Imap;

pub use self::connect::GREETING_TIMEOUT;
pub use self::idle::IDLE_RENEW;

/// Longest wait for LOGOUT when closing: it is a courtesy.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(2);

trait Stream: AsyncRead + AsyncWrite + Unpin + Send + Sync + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync + fmt::Debug> Stream for T {}

type Session = async_imap::Session<Box<dyn Stream>>;
type IdleHandle = async_imap::extensions::idle::Handle<Box<dyn Stream>>;
type News = async_channel::Receiver<UnsolicitedResponse>;

/// Where the connection stands. Each step moves it out and back, so a step
/// cut short (its future dropped) leaves `Closed`, and the next reconnects.
#[derive(Debug, Default)]
enum Conn {
    #[default]
    Closed,
    Ready(Session),
    /// In IDLE since `since`; `news` sees responses the session queued.
    Idling {
        handle: IdleHandle,
        since: Instant,
        news: News,
    },
}

/// The team mailbox over IMAP. One connection, opened on first use and
/// again after any failure.
#[derive(Debug)]
pub struct ImapMailbox {
    config: Imap,
    conn: Conn,
    /// The server listed IDLE in its capabilities at the last login.
    offers_idle: bool,
    /// The server refused an IDLE once: poll from then on.
    idle_refused: bool,
    /// The log said that the server offers no IDLE.
    said_no_idle: bool,
    /// The folder's UIDVALIDITY at the last [`Source::open`].
    uidvalidity: Option<u32>,
    /// The server reported a change during a FETCH (whose answer this
    /// adapter reads itself, past async-imap's channel for such news).
    news: bool,
}

impl ImapMailbox {
    pub fn new(config: Imap) -> Self {
        Self {
            config,
            conn: Conn::Closed,
            offers_idle: false,
            idle_refused: false,
            said_no_idle: false,
            uidvalidity: None,
            news: false,
        }
    }

    fn err(&self, kind: Kind) -> MailboxError {
        MailboxError::new(format!("{}:{}", self.config.host, self.config.port), kind)
    }

    /// Runs one step within `limit`; a step over time is a timeout error.
    async fn limit<T>(
        &self,
        step: Step,
        limit: Duration,
        work: impl Future<Output = Result<T, MailboxError>>,
    ) -> Result<T, MailboxError> {
        match tokio::time::timeout(limit, work).await {
            Ok(r) => r,
            Err(_) => Err(self.err(Kind::Timeout { step, after: limit })),
        }
    }

    /// An async-imap error during `step`, in our terms.
    fn failed(&self, step: Step, e: async_imap::error::Error) -> MailboxError {
        use async_imap::error::Error as E;
        self.err(match e {
            E::No(s) | E::Bad(s) => {
                let server = server_words(&s);
                match step {
                    Step::Select if !says_try_later(&server) => Kind::Mailbox {
                        name: self.config.mailbox.clone(),
                        server,
                    },
                    Step::Starttls => Kind::Starttls(server),
                    Step::Login => Kind::Login {
                        user: self.config.username.clone(),
                        transient: says_try_later(&server),
                        server,
                    },
                    _ => Kind::Refused { step, server },
                }
            }
            E::Io(io) => Kind::Lost {
                step,
                cause: io.to_string(),
            },
            E::ConnectionLost => Kind::Lost {
                step,
                cause: "closed by the server".into(),
            },
            // A password with a line break cannot be sent: say so, not it.
            E::Validate(_) if step == Step::Login => Kind::Login {
                user: self.config.username.clone(),
                server: "the username or password holds a line break".into(),
                transient: false,
            },
            _ => Kind::Garbled { step },
        })
    }

    /// The session, ready for a command: connected and logged in, out of
    /// IDLE.
    async fn session(&mut self) -> Result<&mut Session, MailboxError> {
        match std::mem::take(&mut self.conn) {
            Conn::Ready(s) => self.conn = Conn::Ready(s),
            Conn::Closed => {
                let (s, offers_idle) = self.connect().await?;
                self.offers_idle = offers_idle;
                self.conn = Conn::Ready(s);
            }
            Conn::Idling { handle, .. } => {
                let s = self
                    .limit(Step::Done, self.config.timeout, async {
                        handle.done().await.map_err(|e| self.failed(Step::Done, e))
                    })
                    .await?;
                self.conn = Conn::Ready(s);
            }
        }
        let missing = self.err(Kind::Lost {
            step: Step::Connect,
            cause: "no session".into(),
        });
        match &mut self.conn {
            Conn::Ready(s) => Ok(s),
            _ => Err(missing),
        }
    }

    /// The outcome of one command run within the time limit. Any failure
    /// drops the connection: the stream may be mid-response.
    fn settle<T>(
        &mut self,
        step: Step,
        outcome: Result<async_imap::error::Result<T>, tokio::time::error::Elapsed>,
    ) -> Result<T, MailboxError> {
        let error = match outcome {
            Ok(Ok(v)) => return Ok(v),
            Ok(Err(e)) => self.failed(step, e),
            Err(_) => self.err(Kind::Timeout {
                step,
                after: self.config.timeout,
            }),
        };
        self.conn = Conn::Closed;
        Err(error)
    }

    /// Drops the connection so the next call reconnects.
    pub fn reset(&mut self) {
        self.conn = Conn::Closed;
    }

    /// Ends IDLE if need be and logs out, briefly: the connection is
    /// closed either way.
    pub async fn logout(&mut self) {
        if matches!(self.conn, Conn::Closed) {
            return;
        }
        let close = async {
            if let Ok(s) = self.session().await {
                let _ = s.logout().await;
            }
        };
        let _ = tokio::time::timeout(LOGOUT_TIMEOUT, close).await;
        self.conn = Conn::Closed;
    }

    /// The session with the folder selected. After a failure mid-turn the
    /// connection is a new one (Dovecot ends it after a message it cannot
    /// read) with no folder selected: it is selected again, and must be
    /// the same generation of it.
    async fn selected(&mut self) -> Result<&mut Session, MailboxError> {
        if matches!(self.conn, Conn::Closed)
            && let Some(before) = self.uidvalidity
        {
            let now = self.open().await?;
            if now != before {
                return Err(self.err(Kind::Rebuilt { before, now }));
            }
        }
        self.session().await
    }
}

impl Source for ImapMailbox {
    async fn open(&mut self) -> Result<u32, MailboxError> {
        let mailbox = self.config.mailbox.clone();
        let limit = self.config.timeout;
        let s = self.session().await?;
        let outcome = tokio::time::timeout(limit, async {
            let r = s.select(&mailbox).await;
            // SELECT's own EXISTS and RECENT are no news.
            while s.unsolicited_responses.try_recv().is_ok() {}
            r
        })
        .await;
        let selected = self.settle(Step::Select, outcome)?;
        // The search after this sees whatever came before.
        self.news = false;
        let uidvalidity = selected
            .uid_validity
            .ok_or_else(|| self.err(Kind::NoUidValidity(mailbox)))?;
        self.uidvalidity = Some(uidvalidity);
        Ok(uidvalidity)
    }

    async fn uids_after(&mut self, after: u32) -> Result<Vec<u32>, MailboxError> {
        let query = format!("UID {}:*", after.saturating_add(1));
        let limit = self.config.timeout;
        let s = self.session().await?;
        let outcome = tokio::time::timeout(limit, s.uid_search(&query)).await;
        let found = self.settle(Step::Search, outcome)?;
        // "n:*" always matches the highest UID, even when it is below n.
        let mut uids: Vec<u32> = found.into_iter().filter(|u| *u > after).collect();
        uids.sort_unstable();
        Ok(uids)
    }

    async fn fetch(&mut self, uid: u32) -> Result<Option<Fetched>, MailboxError> {
        self.fetch_whole(uid).await
    }

    async fn fetch_head(&mut self, uid: u32) -> Result<Option<Fetched>, MailboxError> {
        self.fetch_header(uid).await
    }

    async fn wait(&mut self, poll: Duration) -> Result<Wake, MailboxError> {
        self.wait_for_news(poll).await
    }
}
