//! The team mailbox over IMAP (async-imap over tokio, TLS by tokio-rustls).
//!
//! Messages are read with `BODY.PEEK[]` so that the \Seen flag, which staff
//! use, is left alone; which messages were processed is kept in the database.

use std::fmt;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use crate::config::{Imap, Security};

/// One opaque error type for the IMAP adapter.
#[derive(Debug, thiserror::Error)]
#[error("IMAP {host}: {kind}")]
pub struct MailboxError {
    host: String,
    kind: MailboxErrorKind,
}

#[derive(Debug, thiserror::Error)]
enum MailboxErrorKind {
    #[error("cannot connect: {0}")]
    Connect(std::io::Error),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("login refused for {user}: {message}")]
    Login { user: String, message: String },
    #[error("mailbox {0}: has no UIDVALIDITY")]
    NoUidValidity(String),
    #[error("{0}")]
    Protocol(async_imap::error::Error),
}

impl MailboxError {
    /// The server could not be reached (for other `Source`s than IMAP too).
    pub fn unreachable(host: &str, error: std::io::Error) -> Self {
        Self {
            host: host.to_string(),
            kind: MailboxErrorKind::Connect(error),
        }
    }

    /// Worth retrying later (network, server busy), as opposed to a refusal.
    pub fn is_transient(&self) -> bool {
        !self.is_permanent()
    }
    /// Needs a person to fix: wrong credentials, missing mailbox.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self.kind,
            MailboxErrorKind::Login { .. } | MailboxErrorKind::NoUidValidity(_)
        )
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send + Sync + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + Sync + fmt::Debug> Stream for T {}

type Session = async_imap::Session<Box<dyn Stream>>;

/// A fetched message.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub uid: u32,
    pub raw: Vec<u8>,
    pub internal_date: Option<DateTime<Utc>>,
}

/// What the pipeline needs of a mailbox. Narrow, so that it can be replaced.
pub trait Source {
    /// Selects the mailbox and returns its UIDVALIDITY.
    fn open(&mut self) -> impl Future<Output = Result<u32, MailboxError>> + Send;
    /// UIDs above `after`, ascending.
    fn uids_after(
        &mut self,
        after: u32,
    ) -> impl Future<Output = Result<Vec<u32>, MailboxError>> + Send;
    /// The whole message, or `None` if it vanished meanwhile.
    fn fetch(
        &mut self,
        uid: u32,
    ) -> impl Future<Output = Result<Option<Fetched>, MailboxError>> + Send;
}

#[derive(Debug)]
pub struct ImapMailbox {
    config: Imap,
    session: Option<Session>,
}

impl ImapMailbox {
    pub fn new(config: Imap) -> Self {
        Self {
            config,
            session: None,
        }
    }

    fn err(&self, kind: MailboxErrorKind) -> MailboxError {
        MailboxError {
            host: format!("{}:{}", self.config.host, self.config.port),
            kind,
        }
    }

    async fn connect(&self) -> Result<Session, MailboxError> {
        let c = &self.config;
        let tcp = TcpStream::connect((c.host.as_str(), c.port))
            .await
            .map_err(|e| self.err(MailboxErrorKind::Connect(e)))?;
        let proto = |e| self.err(MailboxErrorKind::Protocol(e));
        let stream: Box<dyn Stream> = match c.security {
            Security::None => {
                let mut client = async_imap::Client::new(tcp);
                greeting(&mut client).await.map_err(proto)?;
                Box::new(client.into_inner())
            }
            Security::Tls => Box::new(self.tls(tcp).await?),
            Security::Starttls => {
                let mut client = async_imap::Client::new(tcp);
                greeting(&mut client).await.map_err(proto)?;
                client
                    .run_command_and_check_ok("STARTTLS", None)
                    .await
                    .map_err(proto)?;
                Box::new(self.tls(client.into_inner()).await?)
            }
        };
        let mut client = async_imap::Client::new(stream);
        if c.security == Security::Tls {
            greeting(&mut client).await.map_err(proto)?;
        }
        client
            .login(&c.username, c.password.expose())
            .await
            .map_err(|(e, _)| {
                self.err(match e {
                    async_imap::error::Error::No(message)
                    | async_imap::error::Error::Bad(message) => MailboxErrorKind::Login {
                        user: c.username.clone(),
                        message,
                    },
                    other => MailboxErrorKind::Protocol(other),
                })
            })
    }

    async fn tls(
        &self,
        tcp: TcpStream,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, MailboxError> {
        let cfg = crate::tls::client_config(self.config.ca_file.as_deref())
            .map_err(|e| self.err(MailboxErrorKind::Tls(e)))?;
        let name = rustls::pki_types::ServerName::try_from(self.config.host.clone())
            .map_err(|e| self.err(MailboxErrorKind::Tls(e.to_string())))?;
        tokio_rustls::TlsConnector::from(cfg)
            .connect(name, tcp)
            .await
            .map_err(|e| self.err(MailboxErrorKind::Tls(e.to_string())))
    }

    async fn session(&mut self) -> Result<&mut Session, MailboxError> {
        if self.session.is_none() {
            self.session = Some(self.connect().await?);
        }
        let err = self.err(MailboxErrorKind::Protocol(
            async_imap::error::Error::ConnectionLost,
        ));
        self.session.as_mut().ok_or(err)
    }

    /// Drops the connection so the next call reconnects.
    pub fn reset(&mut self) {
        self.session = None;
    }

    pub async fn logout(&mut self) {
        if let Some(mut s) = self.session.take() {
            let _ = s.logout().await;
        }
    }

    fn wrap<T>(&mut self, r: async_imap::error::Result<T>) -> Result<T, MailboxError> {
        r.map_err(|e| {
            // A failed command may leave the stream mid-response: start afresh.
            self.session = None;
            self.err(MailboxErrorKind::Protocol(e))
        })
    }
}

async fn greeting<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug>(
    client: &mut async_imap::Client<T>,
) -> async_imap::error::Result<()> {
    match client.read_response().await? {
        Some(_) => Ok(()),
        None => Err(async_imap::error::Error::ConnectionLost),
    }
}

impl Source for ImapMailbox {
    async fn open(&mut self) -> Result<u32, MailboxError> {
        let mailbox = self.config.mailbox.clone();
        let s = self.session().await?;
        let r = s.select(&mailbox).await;
        // Unsolicited responses queue up in a bounded channel: drain them.
        while s.unsolicited_responses.try_recv().is_ok() {}
        let selected = self.wrap(r)?;
        selected
            .uid_validity
            .ok_or_else(|| self.err(MailboxErrorKind::NoUidValidity(mailbox)))
    }

    async fn uids_after(&mut self, after: u32) -> Result<Vec<u32>, MailboxError> {
        let s = self.session().await?;
        let r = s
            .uid_search(format!("UID {}:*", after.saturating_add(1)))
            .await;
        let found = self.wrap(r)?;
        // "n:*" always matches the highest UID, even when it is below n.
        let mut uids: Vec<u32> = found.into_iter().filter(|u| *u > after).collect();
        uids.sort_unstable();
        Ok(uids)
    }

    async fn fetch(&mut self, uid: u32) -> Result<Option<Fetched>, MailboxError> {
        let s = self.session().await?;
        let r = match s
            .uid_fetch(uid.to_string(), "(UID INTERNALDATE BODY.PEEK[])")
            .await
        {
            Ok(stream) => stream.try_collect::<Vec<_>>().await,
            Err(e) => Err(e),
        };
        let fetches = self.wrap(r)?;
        Ok(fetches
            .iter()
            .find(|f| f.uid == Some(uid))
            .map(|f| Fetched {
                uid,
                raw: f.body().map(<[u8]>::to_vec).unwrap_or_default(),
                internal_date: f.internal_date().map(|d| d.with_timezone(&Utc)),
            }))
    }
}
