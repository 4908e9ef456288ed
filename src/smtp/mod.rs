//! Sending mail over SMTP (RFC 5321) with lettre: plain, implicit TLS
//! (RFC 8314) or STARTTLS (RFC 3207), with an optional login (RFC 4954).
//! One connection per message, each transaction within
//! `smtp.timeout_seconds`.

use std::fmt;
use std::time::Duration;

use lettre::transport::smtp::client::{Certificate, TlsParameters};

use crate::config::{DeliveryCopy, Security, Smtp};
use crate::outbox::Transport;

mod dial;
mod transaction;

use dial::{Dialer, Wrap};
use transaction::{Envelope, Failed, Hint, Step};

/// One opaque error type for the SMTP adapter. `Display` says what failed
/// and, when a person can fix it, which config key to look at.
#[derive(Debug)]
pub struct SendError {
    host: String,
    message: String,
    class: Class,
    in_doubt: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A 4xx reply to this message (RFC 5321 4.2.1): try it again later.
    Deferred,
    /// No usable answer: refused, timed out, connection lost.
    Unreachable,
    /// A 5xx reply to this message: it will never be taken.
    Rejected,
    /// The login or TLS settings do not fit the server: a person must act.
    Setup,
}

impl SendError {
    fn new(host: &str, message: impl Into<String>, class: Class) -> Self {
        Self {
            host: host.to_string(),
            message: message.into(),
            class,
            in_doubt: false,
        }
    }

    /// The server may have taken the reply all the same: the failure came
    /// after the message was written, before the server's answer to it.
    /// Sending it again may deliver it twice.
    pub fn in_doubt(&self) -> bool {
        self.in_doubt
    }

    /// Worth retrying later: a 4xx reply (OpenSMTPD's 452 "too many
    /// messages" among them), or no connection at all.
    pub fn is_transient(&self) -> bool {
        matches!(self.class, Class::Deferred | Class::Unreachable)
    }

    /// Retrying will not help: the message was refused with a 5xx, or the
    /// login or TLS settings are wrong.
    pub fn is_permanent(&self) -> bool {
        !self.is_transient()
    }

    /// The server or our settings failed, not this message: every other
    /// reply would fail the same way now, so stop trying them.
    pub fn concerns_every_reply(&self) -> bool {
        matches!(self.class, Class::Unreachable | Class::Setup)
    }

    /// A failure while opening the session (connection, greeting, EHLO,
    /// STARTTLS, AUTH).
    fn from_lettre(host: &str, e: &lettre::transport::smtp::Error) -> Self {
        if e.status().is_none()
            && let Some(f) = crate::tls::failure(e, "smtp")
        {
            let class = if f.permanent {
                Class::Setup
            } else {
                Class::Unreachable
            };
            return Self::new(host, f.message, class);
        }
        Self::at(host, Step::Session, Failed::from(e))
    }

    /// A failure judged by the step it happened at
    /// ([`transaction::judge`]), worded for a person.
    fn at(host: &str, step: Step, failed: Failed) -> Self {
        let judged = transaction::judge(step, failed.failure);
        let m = failed.message;
        let message = match judged.hint {
            Hint::None => m,
            Hint::Login => format!("login refused ({m}); check smtp.username and smtp.password"),
            Hint::Settings => format!("{m}; check smtp.security and smtp.username"),
            Hint::Refused => format!("the server refuses this client ({m}); check smtp.host"),
            Hint::Sender => format!(
                "the server refuses the team address as sender ({m}); check intake.address and smtp.username"
            ),
            Hint::Unanswered if step == Step::Session => {
                format!("cannot send ({m}); check smtp.host and smtp.port")
            }
            Hint::Unanswered => format!("no answer ({m})"),
        };
        Self {
            host: host.to_string(),
            message,
            class: judged.class,
            in_doubt: judged.in_doubt,
        }
    }

    /// A refused connection, for the daemon's tests.
    #[cfg(test)]
    pub(crate) fn unreachable_for_tests() -> Self {
        Self::new("scripted", "connection refused", Class::Unreachable)
    }

    /// A 4xx answer to one message, for the daemon's tests.
    #[cfg(test)]
    pub(crate) fn deferred_for_tests() -> Self {
        Self::new("scripted", "452 4.3.1 try again later", Class::Deferred)
    }

    fn timed_out(host: &str, after: Duration) -> Self {
        Self::new(
            host,
            format!(
                "no answer within {} s (connection, greeting or a command); check smtp.port and smtp.security",
                after.as_secs_f32()
            ),
            Class::Unreachable,
        )
    }
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SMTP {}: {}", self.host, self.message)
    }
}

impl std::error::Error for SendError {}

/// Longest wait for the server's answer to QUIT, once the message was
/// taken: a courtesy, and the reply is sent whatever it says.
const QUIT_TIMEOUT: Duration = Duration::from_secs(2);

/// The submission server, as configured.
#[derive(Debug, Clone)]
pub struct SmtpTransport {
    dialer: Dialer,
    timeout: Duration,
    /// Also addressed to this mailbox (the team's): the copy's arrival
    /// proves the server took the reply.
    copy_to: Option<lettre::Address>,
}

impl SmtpTransport {
    /// Errors: the CA file cannot be read or holds no certificate.
    pub fn new(c: &Smtp) -> Result<Self, SendError> {
        let label = format!("{}:{}", c.host, c.port);
        let setup = |e: &dyn fmt::Display| {
            SendError::new(
                &label,
                format!("TLS: {e}; check smtp.ca_file"),
                Class::Setup,
            )
        };
        let wrap = match c.security {
            Security::None => Wrap::Plain,
            Security::Tls => {
                Wrap::Tls(crate::tls::client_config(c.ca_file.as_deref()).map_err(|e| setup(&e))?)
            }
            Security::Starttls => {
                let mut params = TlsParameters::builder(c.host.clone());
                if let Some(path) = &c.ca_file {
                    let pem = std::fs::read(path)
                        .map_err(|e| setup(&format!("cannot read {}: {e}", path.display())))?;
                    params = params
                        .add_root_certificate(Certificate::from_pem(&pem).map_err(|e| setup(&e))?);
                }
                Wrap::Starttls(params.build_rustls().map_err(|e| setup(&e))?)
            }
        };
        Ok(Self {
            dialer: Dialer {
                host: c.host.clone(),
                port: c.port,
                wrap,
                login: c.credentials.clone(),
                label,
            },
            timeout: c.timeout,
            copy_to: None,
        })
    }

    /// The transport `run` and `once` send with: the submission server,
    /// with delivery copies as `smtp.delivery_copy` says. Errors as for
    /// [`SmtpTransport::new`].
    pub fn for_replies(config: &crate::config::Config) -> Result<Self, SendError> {
        let transport = Self::new(&config.smtp)?;
        match &config.smtp.delivery_copy {
            DeliveryCopy::Off => Ok(transport),
            DeliveryCopy::ToTeam => transport.with_delivery_copy(&config.intake.address),
            DeliveryCopy::To(address) => transport.with_delivery_copy(address),
        }
    }

    /// Sends each reply to `address` too, as a second envelope recipient
    /// (a Bcc: no header names it). When that is the mailbox mailintake
    /// watches, the copy's arrival proves the server took the reply, so a
    /// reply whose send was cut off is not sent twice (see
    /// `crate::outbox`). Errors: `address` is not an email address.
    pub fn with_delivery_copy(mut self, address: &str) -> Result<Self, SendError> {
        let parsed = address.parse().map_err(|_| {
            SendError::new(
                &self.dialer.label,
                format!("invalid team address `{address}`; check intake.address"),
                Class::Setup,
            )
        })?;
        self.copy_to = Some(parsed);
        Ok(self)
    }

    /// Opens a connection, says hello (and logs in), asks NOOP and quits,
    /// for `check`. Errors as for [`Transport::send`].
    pub async fn test_connection(&self) -> Result<(), SendError> {
        let label = &self.dialer.label;
        let probe = async {
            let mut conn = self.dialer.dial().await?;
            let answered = conn.test_connected().await;
            conn.abort().await;
            if answered {
                Ok(())
            } else {
                Err(SendError::new(
                    label,
                    "the server did not answer NOOP",
                    Class::Unreachable,
                ))
            }
        };
        tokio::time::timeout(self.timeout, probe)
            .await
            .unwrap_or_else(|_| Err(SendError::timed_out(label, self.timeout)))
    }
}

impl Transport for SmtpTransport {
    /// One SMTP transaction (RFC 5321) on a fresh connection, within
    /// `smtp.timeout_seconds` until the server took the message.
    async fn send(&self, from: &str, to: &str, message: &[u8]) -> Result<(), SendError> {
        let label = &self.dialer.label;
        let bad = |what: &str, v: &str| {
            SendError::new(
                label,
                format!("invalid {what} address `{v}`"),
                Class::Rejected,
            )
        };
        let from_addr: lettre::Address = from.parse().map_err(|_| bad("sender", from))?;
        let to_addr: lettre::Address = to.parse().map_err(|_| bad("recipient", to))?;
        let envelope = Envelope {
            from: &from_addr,
            to: &to_addr,
            copy: self.copy_to.as_ref(),
        };
        let mut step = Step::Session;
        let transaction = async {
            let mut conn = self.dialer.dial().await?;
            let result = transaction::transact(&mut conn, &envelope, message, &mut step).await;
            Ok::<_, SendError>((conn, result))
        };
        let (mut conn, result) = match tokio::time::timeout(self.timeout, transaction).await {
            Ok(done) => done?,
            Err(_) => {
                let failed = Failed {
                    failure: transaction::Failure::Unanswered,
                    message: format!("no answer within {} s", self.timeout.as_secs_f32()),
                };
                return Err(match step {
                    Step::Session => SendError::timed_out(label, self.timeout),
                    step => SendError::at(label, step, failed),
                });
            }
        };
        // Taken or refused, the answer is in: QUIT is not worth waiting on.
        let _ = tokio::time::timeout(QUIT_TIMEOUT, conn.abort()).await;
        match result {
            Ok(copied) => {
                if !copied && self.copy_to.is_some() {
                    tracing::debug!("sent without a delivery copy");
                }
                Ok(())
            }
            Err(failed) => Err(SendError::at(label, step, failed)),
        }
    }

    fn delivery_copy(&self) -> bool {
        self.copy_to.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_classes_answer_the_three_questions() {
        let e = SendError::new("h:25", "452 too many messages", Class::Deferred);
        assert!(e.is_transient() && !e.concerns_every_reply());
        let e = SendError::timed_out("h:25", Duration::from_secs(30));
        assert!(e.is_transient() && e.concerns_every_reply());
        assert!(e.to_string().contains("30 s"), "{e}");
        let e = SendError::new("h:25", "550 no such user", Class::Rejected);
        assert!(e.is_permanent() && !e.concerns_every_reply());
        let e = SendError::new("h:25", "login refused", Class::Setup);
        assert!(e.is_permanent() && e.concerns_every_reply());
    }
}
