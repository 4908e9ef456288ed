//! The mailbox over IMAP (RFC 3501): plain, implicit TLS or STARTTLS, with
//! IDLE (RFC 2177) when the server offers it. Every network step has a
//! time limit, so no step can hang.

use std::fmt;
use std::time::{Duration, Instant};

use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::{AttributeValue, Capability, Response, ResponseCode, Status};
use async_imap::types::UnsolicitedResponse;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::error::{Kind, MailboxError, Step, or_silent, says_try_later, server_words};
use super::{Fetched, Source, Wake};
use crate::config::{Imap, Security};

/// Longest wait for the server's greeting, in seconds' worth; a shorter
/// `imap.timeout_seconds` applies instead. A server that accepts a
/// connection and says nothing is down, or is not speaking plain IMAP.
pub const GREETING_TIMEOUT: Duration = Duration::from_secs(15);

/// An IDLE is ended and issued afresh after this long: RFC 2177 asks
/// clients to do so within 29 minutes, as servers may log them off at 30.
pub const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);

#[cfg(test)]
mod tests;

/// Whether a capability list holds STARTTLS (RFC 3501 6.2.1).
fn lists_starttls(caps: &[Capability<'_>]) -> bool {
    caps.iter()
        .any(|c| matches!(c, Capability::Atom(a) if a.eq_ignore_ascii_case("STARTTLS")))
}

/// Longest wait for LOGOUT when closing: it is a courtesy.
const LOGOUT_TIMEOUT: Duration = Duration::from_secs(2);

/// What is fetched of a message.
const WHOLE: &str = "(UID INTERNALDATE BODY.PEEK[])";

/// What is fetched of a message that cannot be had whole: its header, as
/// much of it as staff could need.
const HEAD: &str = "(UID INTERNALDATE BODY.PEEK[HEADER]<0.262144>)";

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

    async fn connect(&self) -> Result<(Session, bool), MailboxError> {
        let c = &self.config;
        let t = c.timeout;
        let tcp = self
            .limit(Step::Connect, t, async {
                TcpStream::connect((c.host.as_str(), c.port))
                    .await
                    .map_err(|e| self.err(Kind::Connect(e)))
            })
            .await?;
        // Commands are small writes waiting on an answer: Nagle would
        // hold each back for the previous segment's acknowledgement.
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn Stream> = match c.security {
            Security::None => {
                let mut client = async_imap::Client::new(tcp);
                self.greeting(&mut client).await?;
                Box::new(client.into_inner())
            }
            Security::Tls => Box::new(self.tls(tcp).await?),
            Security::Starttls => {
                let mut client = async_imap::Client::new(tcp);
                let greeted = self.greeting(&mut client).await?;
                // Never on in plaintext: a server that does not offer
                // STARTTLS is an error for a person, however it got so.
                let offered = match greeted {
                    Some(offered) => offered,
                    None => self.offers_starttls(&mut client).await?,
                };
                if !offered {
                    return Err(self.err(Kind::NoStarttls));
                }
                self.limit(Step::Starttls, t, async {
                    client
                        .run_command_and_check_ok("STARTTLS", None)
                        .await
                        .map_err(|e| self.failed(Step::Starttls, e))
                })
                .await?;
                Box::new(self.tls(client.into_inner()).await?)
            }
        };
        let mut client = async_imap::Client::new(stream);
        if c.security == Security::Tls {
            self.greeting(&mut client).await?;
        }
        let (mut session, caps) = self
            .limit(Step::Login, t, async {
                client
                    .login_with_capabilities(&c.username, c.password.expose_secret())
                    .await
                    .map_err(|(e, _)| self.failed(Step::Login, e))
            })
            .await?;
        let offers_idle = match caps {
            Some(caps) => caps.has_str("IDLE"),
            None => self
                .limit(Step::Capability, t, async {
                    session
                        .capabilities()
                        .await
                        .map_err(|e| self.failed(Step::Capability, e))
                })
                .await?
                .has_str("IDLE"),
        };
        Ok((session, offers_idle))
    }

    /// Reads the greeting (RFC 3501 7.1); a BYE is an error. Whether it
    /// offers STARTTLS, when it lists its capabilities (a `[CAPABILITY …]`
    /// code, as Dovecot sends); `None` when it does not say.
    async fn greeting<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug>(
        &self,
        client: &mut async_imap::Client<T>,
    ) -> Result<Option<bool>, MailboxError> {
        let limit = self.config.timeout.min(GREETING_TIMEOUT);
        self.limit(Step::Greeting, limit, async {
            let lost = |cause: String| {
                self.err(Kind::Lost {
                    step: Step::Greeting,
                    cause,
                })
            };
            let response = client
                .read_response()
                .await
                .map_err(|e| {
                    // Another service on the port: its first line does not
                    // parse as IMAP.
                    let text = e.to_string();
                    if text.contains("during parsing of") {
                        self.err(Kind::NotImap(super::error::unparsed_line(&text)))
                    } else {
                        lost(text)
                    }
                })?
                .ok_or_else(|| lost("closed by the server".into()))?;
            match response.parsed() {
                Response::Data {
                    status: Status::Bye,
                    outcome,
                } => Err(self.err(Kind::Bye(
                    outcome
                        .information
                        .as_deref()
                        .unwrap_or_default()
                        .to_string(),
                ))),
                Response::Data { outcome, .. } => match &outcome.code {
                    Some(ResponseCode::Capabilities(caps)) => Ok(Some(lists_starttls(caps))),
                    _ => Ok(None),
                },
                _ => Ok(None),
            }
        })
        .await
    }

    /// Asks CAPABILITY before login (RFC 3501 6.1.1): whether the server
    /// offers STARTTLS.
    async fn offers_starttls(
        &self,
        client: &mut async_imap::Client<TcpStream>,
    ) -> Result<bool, MailboxError> {
        let (said, heard) = async_channel::unbounded();
        self.limit(Step::Capability, self.config.timeout, async {
            client
                .run_command_and_check_ok("CAPABILITY", Some(said))
                .await
                .map_err(|e| self.failed(Step::Capability, e))
        })
        .await?;
        while let Ok(response) = heard.try_recv() {
            if let UnsolicitedResponse::Other(data) = response
                && let Response::Capabilities(caps) = data.parsed()
            {
                return Ok(lists_starttls(caps));
            }
        }
        Ok(false)
    }

    async fn tls(
        &self,
        tcp: TcpStream,
    ) -> Result<tokio_rustls::client::TlsStream<TcpStream>, MailboxError> {
        let config_error = |message: String| {
            self.err(Kind::Tls(crate::tls::TlsFailure {
                message: format!("TLS: {message}; check imap.ca_file and imap.host"),
                permanent: true,
            }))
        };
        let cfg =
            crate::tls::client_config(self.config.ca_file.as_deref()).map_err(config_error)?;
        let name = rustls::pki_types::ServerName::try_from(self.config.host.clone())
            .map_err(|e| config_error(e.to_string()))?;
        self.limit(Step::Tls, self.config.timeout, async {
            tokio_rustls::TlsConnector::from(cfg)
                .connect(name, tcp)
                .await
                .map_err(|e| match crate::tls::failure(&e, "imap") {
                    Some(f) => self.err(Kind::Tls(f)),
                    None => self.err(Kind::Lost {
                        step: Step::Tls,
                        cause: e.to_string(),
                    }),
                })
        })
        .await
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

    /// Runs one UID FETCH of `items` for `uid` within the time limit.
    /// Whatever came for the UID is in `got`, however the command ended;
    /// an error is the connection's, or an answer that cannot be read.
    async fn fetch_into(
        &mut self,
        uid: u32,
        items: &str,
        got: &mut Got,
    ) -> Result<Ended, MailboxError> {
        let limit = self.config.timeout;
        let s = self.selected().await?;
        let mut news = false;
        let outcome = tokio::time::timeout(limit, read_fetch(s, uid, items, got, &mut news)).await;
        self.news |= news;
        if let Ok(Err(async_imap::error::Error::Io(e))) = &outcome
            && let Some(why) = unreadable(e)
        {
            self.conn = Conn::Closed;
            let why = why.to_string();
            return Err(self.err(Kind::Unfetchable { uid, why }));
        }
        let ended = self.settle(Step::Fetch, outcome)?;
        if matches!(ended, Ended::Bye(_)) {
            self.conn = Conn::Closed;
        }
        Ok(ended)
    }

    /// Enters IDLE on the current session. `Ok(true)` when news came
    /// before or with the server's go-ahead (look now).
    async fn start_idle(&mut self) -> Result<bool, MailboxError> {
        let limit = self.config.timeout;
        let fetched_news = std::mem::take(&mut self.news);
        let session = self.session().await?;
        let news = session.unsolicited_responses.clone();
        if has_news(&news) || fetched_news {
            return Ok(true);
        }
        let Conn::Ready(session) = std::mem::take(&mut self.conn) else {
            return Ok(true);
        };
        let mut handle = session.idle();
        match tokio::time::timeout(limit, handle.init()).await {
            Ok(Ok(())) => {}
            // async-imap turns a BAD into a ConnectionRefused with the
            // server's words, and the end of the stream into one without.
            Ok(Err(async_imap::error::Error::Io(e)))
                if e.kind() == std::io::ErrorKind::ConnectionRefused
                    && !e.to_string().is_empty() =>
            {
                tracing::warn!(server = %e, "the server refused IDLE; polling instead");
                self.idle_refused = true;
                return Ok(true);
            }
            Ok(Err(e)) => return Err(self.failed(Step::Idle, e)),
            Err(_) => {
                return Err(self.err(Kind::Timeout {
                    step: Step::Idle,
                    after: limit,
                }));
            }
        }
        let news_now = has_news(&news);
        self.conn = Conn::Idling {
            handle,
            since: Instant::now(),
            news,
        };
        Ok(news_now)
    }
}

/// What one UID FETCH brought for its UID.
#[derive(Debug, Default)]
struct Got {
    /// A FETCH response for the UID came.
    seen: bool,
    /// The first body section in it.
    body: Option<Vec<u8>>,
    internal_date: Option<DateTime<Utc>>,
}

/// How one UID FETCH ended.
#[derive(Debug)]
enum Ended {
    Ok,
    /// A tagged NO or BAD, with the server's words.
    Refused(String),
    /// A BYE, with the server's words: the server closed the connection.
    Bye(String),
}

/// Sends `UID FETCH uid items` and reads the answer response by response.
/// async-imap's own fetch ends its stream at the tagged answer and at a
/// BYE alike, and drops both: a NO, a BAD or Dovecot's BYE for a message
/// it cannot read would look like a message that vanished. `news` is set
/// when the server reports a change meanwhile.
async fn read_fetch(
    s: &mut Session,
    uid: u32,
    items: &str,
    got: &mut Got,
    news: &mut bool,
) -> async_imap::error::Result<Ended> {
    let tag = s.run_command(format!("UID FETCH {uid} {items}")).await?;
    loop {
        let Some(response) = s.read_response().await? else {
            return Err(async_imap::error::Error::ConnectionLost);
        };
        match response.parsed() {
            Response::Fetch(_, attributes) => {
                // Another message's flags, changed by another client.
                if !attributes
                    .iter()
                    .any(|a| matches!(a, AttributeValue::Uid(u) if *u == uid))
                {
                    continue;
                }
                got.seen = true;
                for a in attributes {
                    match a {
                        AttributeValue::BodySection { data: Some(d), .. } if got.body.is_none() => {
                            got.body = Some(d.to_vec());
                        }
                        AttributeValue::InternalDate(d) => got.internal_date = internal_date(d),
                        _ => {}
                    }
                }
            }
            Response::Done {
                tag: done,
                status,
                outcome,
            } if *done == tag => {
                let words = outcome.information.as_deref().unwrap_or_default();
                return Ok(match status {
                    Status::Ok => Ended::Ok,
                    _ => Ended::Refused(words.trim().to_string()),
                });
            }
            Response::Data {
                status: Status::Bye,
                outcome,
            } => {
                let words = outcome.information.as_deref().unwrap_or_default();
                return Ok(Ended::Bye(words.trim().to_string()));
            }
            _ => *news = true,
        }
    }
}

/// An IMAP INTERNALDATE (`"30-Nov-2026 03:16:15 +0000"`, the day maybe
/// space-padded).
fn internal_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text.trim(), "%d-%b-%Y %H:%M:%S %z")
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Why an answer async-imap could not take in is this message's own
/// doing, in words for staff; `None` for a failure of the connection.
fn unreadable(e: &std::io::Error) -> Option<&'static str> {
    let text = e.to_string();
    if text.contains("during parsing of") {
        Some("the server's answer for it could not be read as IMAP")
    } else if text == "incoming data too large" {
        Some("it is larger than the IMAP client can take (512 MiB)")
    } else {
        None
    }
}

/// A NO that says the server is short of something for the moment
/// (RFC 5530), not that the message is at fault.
fn says_busy(server: &str) -> bool {
    ["[UNAVAILABLE]", "[INUSE]"]
        .iter()
        .any(|code| server.starts_with(code))
}

/// Whether the session queued word of a change (EXISTS, RECENT, EXPUNGE
/// or other) since last asked: mail may have come in meanwhile.
fn has_news(news: &News) -> bool {
    let mut any = false;
    while news.try_recv().is_ok() {
        any = true;
    }
    any
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
        let mut got = Got::default();
        let ended = self.fetch_into(uid, WHOLE, &mut got).await?;
        let unfetchable = |why: String| self.err(Kind::Unfetchable { uid, why });
        match ended {
            Ended::Ok if !got.seen => Ok(None),
            Ended::Ok => match got.body {
                Some(raw) => Ok(Some(Fetched {
                    uid,
                    raw,
                    internal_date: got.internal_date,
                })),
                None => Err(unfetchable("the server sent no content for it".into())),
            },
            // A server short of a resource says so for any message.
            Ended::Refused(server) if says_busy(&server) => Err(self.err(Kind::Refused {
                step: Step::Fetch,
                server,
            })),
            Ended::Refused(server) => Err(unfetchable(format!(
                "the server refused it: {}",
                or_silent(&server)
            ))),
            Ended::Bye(server) => Err(unfetchable(format!(
                "the server closed the connection in answer: {}",
                or_silent(&server)
            ))),
        }
    }

    async fn fetch_head(&mut self, uid: u32) -> Result<Option<Fetched>, MailboxError> {
        let mut got = Got::default();
        match self.fetch_into(uid, HEAD, &mut got).await {
            Ok(_) => {}
            Err(e) if e.unfetchable_uid() == Some(uid) => {}
            Err(e) => return Err(e),
        }
        Ok(got.seen.then(|| Fetched {
            uid,
            raw: got.body.unwrap_or_default(),
            internal_date: got.internal_date,
        }))
    }

    async fn wait(&mut self, poll: Duration) -> Result<Wake, MailboxError> {
        if matches!(self.conn, Conn::Ready(_) | Conn::Closed) {
            // Connect first: only a logged-in session knows about IDLE,
            // and only one with the folder selected hears of its news.
            self.selected().await?;
            if self.config.idle && !self.offers_idle && !self.said_no_idle {
                self.said_no_idle = true;
                tracing::info!("the server does not offer IDLE; polling instead");
            }
            if !self.config.idle || !self.offers_idle || self.idle_refused {
                tokio::time::sleep(poll).await;
                return Ok(Wake::Elapsed);
            }
            if self.start_idle().await? {
                return Ok(Wake::Changed);
            }
        }
        let host = format!("{}:{}", self.config.host, self.config.port);
        let Conn::Idling {
            handle,
            since,
            news,
        } = &mut self.conn
        else {
            return Ok(Wake::Changed);
        };
        if has_news(news) {
            return Ok(Wake::Changed);
        }
        let Some(left) = IDLE_RENEW.checked_sub(since.elapsed()) else {
            return Ok(Wake::Elapsed);
        };
        // The stop source must live while waiting: dropping it interrupts.
        let (waiting, _stop) = handle.wait_with_timeout(left);
        // async-imap restarts its timer on every response, keep-alives
        // included: hold the whole wait to `left` as well.
        let outcome = tokio::time::timeout(left, waiting).await;
        let lost = |cause: String| {
            MailboxError::new(
                host.clone(),
                Kind::Lost {
                    step: Step::Idle,
                    cause,
                },
            )
        };
        let result = match outcome {
            Err(_) | Ok(Ok(IdleResponse::Timeout)) => return Ok(Wake::Elapsed),
            Ok(Ok(IdleResponse::NewData(_))) => return Ok(Wake::Changed),
            // With the stop source alive, only the end of the stream
            // interrupts.
            Ok(Ok(IdleResponse::ManualInterrupt)) => lost("closed by the server".into()),
            Ok(Err(async_imap::error::Error::Io(e))) => lost(e.to_string()),
            Ok(Err(_)) => lost("an answer that could not be read".into()),
        };
        self.conn = Conn::Closed;
        Err(result)
    }
}
