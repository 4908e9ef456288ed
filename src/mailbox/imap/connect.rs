//! Connecting and logging in: plain, implicit TLS or STARTTLS (never on
//! in plaintext when STARTTLS is asked for), each step within its limit.

use std::fmt;
use std::time::Duration;

use async_imap::imap_proto::{Capability, Response, ResponseCode, Status};
use async_imap::types::UnsolicitedResponse;
use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

use super::{ImapMailbox, Session, Stream};
use crate::config::Security;
use crate::mailbox::error::{Kind, MailboxError, Step};

/// Longest wait for the server's greeting, in seconds' worth; a shorter
/// `imap.timeout_seconds` applies instead. A server that accepts a
/// connection and says nothing is down, or is not speaking plain IMAP.
pub const GREETING_TIMEOUT: Duration = Duration::from_secs(15);

/// Whether a capability list holds STARTTLS (RFC 3501 6.2.1).
fn lists_starttls(caps: &[Capability<'_>]) -> bool {
    caps.iter()
        .any(|c| matches!(c, Capability::Atom(a) if a.eq_ignore_ascii_case("STARTTLS")))
}

impl ImapMailbox {
    pub(super) async fn connect(&self) -> Result<(Session, bool), MailboxError> {
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
                        self.err(Kind::NotImap(crate::mailbox::error::unparsed_line(&text)))
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
}
