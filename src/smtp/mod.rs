//! Sending mail over SMTP (RFC 5321) with lettre: plain, implicit TLS
//! (RFC 8314) or STARTTLS (RFC 3207), with an optional login (RFC 4954).
//! One connection per message, each transaction within
//! `smtp.timeout_seconds`.

use std::fmt;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::client::{Certificate, TlsParameters};

use crate::config::{Security, Smtp};
use crate::outbox::Transport;

mod dial;

use dial::{Dialer, Wrap};

/// One opaque error type for the SMTP adapter. `Display` says what failed
/// and, when a person can fix it, which config key to look at.
#[derive(Debug)]
pub struct SendError {
    host: String,
    message: String,
    class: Class,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
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
        }
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

    fn from_lettre(host: &str, e: &lettre::transport::smtp::Error) -> Self {
        if let Some(code) = e.status() {
            // 530, 534, 535, 538: authentication refused (RFC 4954).
            let login = matches!(u16::from(code), 530 | 534 | 535 | 538);
            return match (e.is_permanent(), login) {
                (true, true) => Self::new(
                    host,
                    format!("login refused ({e}); check smtp.username and smtp.password"),
                    Class::Setup,
                ),
                (true, false) => Self::new(host, e.to_string(), Class::Rejected),
                (false, _) => Self::new(host, e.to_string(), Class::Deferred),
            };
        }
        if let Some(f) = crate::tls::failure(e, "smtp") {
            let class = if f.permanent {
                Class::Setup
            } else {
                Class::Unreachable
            };
            return Self::new(host, f.message, class);
        }
        if e.is_client() {
            // lettre's own refusals: no authentication mechanism in
            // common, most often (no login offered without TLS).
            return Self::new(
                host,
                format!("{e}; check smtp.security and smtp.username"),
                Class::Setup,
            );
        }
        Self::new(
            host,
            format!("cannot send ({e}); check smtp.host and smtp.port"),
            Class::Unreachable,
        )
    }

    /// A refused connection, for the daemon's tests.
    #[cfg(test)]
    pub(crate) fn unreachable_for_tests() -> Self {
        Self::new("scripted", "connection refused", Class::Unreachable)
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
        })
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
        let envelope = Envelope::new(Some(from_addr), vec![to_addr])
            .map_err(|e| SendError::new(label, e.to_string(), Class::Rejected))?;
        let transaction = async {
            let mut conn = self.dialer.dial().await?;
            let taken = conn.send(&envelope, message).await;
            Ok::<_, SendError>((conn, taken))
        };
        let (mut conn, taken) = tokio::time::timeout(self.timeout, transaction)
            .await
            .unwrap_or_else(|_| Err(SendError::timed_out(label, self.timeout)))?;
        // Taken or refused, the answer is in: QUIT is not worth waiting on.
        let _ = tokio::time::timeout(QUIT_TIMEOUT, conn.abort()).await;
        taken
            .map(|_| ())
            .map_err(|e| SendError::from_lettre(label, &e))
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
