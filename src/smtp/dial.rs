//! Opening an SMTP session for lettre over a socket of our own, with
//! TCP_NODELAY: lettre writes a message and its final "." in two writes,
//! and Nagle's algorithm would hold the second until the server's delayed
//! acknowledgement, some 40 ms on every reply (measured against OpenSMTPD).

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::{ClientId, Extension};
use secrecy::ExposeSecret;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use super::{Class, SendError};
use crate::config::Secret;

/// How to reach the server, as configured.
#[derive(Clone)]
pub(super) enum Wrap {
    Plain,
    /// Implicit TLS (RFC 8314) with our rustls configuration.
    Tls(Arc<rustls::ClientConfig>),
    /// STARTTLS (RFC 3207), done by lettre.
    Starttls(TlsParameters),
}

impl std::fmt::Debug for Wrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Wrap::Plain => "Plain",
            Wrap::Tls(_) => "Tls",
            Wrap::Starttls(_) => "Starttls",
        })
    }
}

#[derive(Debug, Clone)]
pub(super) struct Dialer {
    pub host: String,
    pub port: u16,
    pub wrap: Wrap,
    pub login: Option<(String, Secret)>,
    /// `host:port`, for errors.
    pub label: String,
}

impl Dialer {
    /// Connects, says hello, upgrades to TLS and logs in as configured.
    pub async fn dial(&self) -> Result<AsyncSmtpConnection, SendError> {
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| {
                SendError::new(
                    &self.label,
                    format!("cannot connect ({e}); check smtp.host and smtp.port"),
                    Class::Unreachable,
                )
            })?;
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn AsyncTokioStream> = match &self.wrap {
            Wrap::Tls(config) => Box::new(self.tls(config.clone(), tcp).await?),
            Wrap::Plain | Wrap::Starttls(_) => Box::new(tcp),
        };
        let lettre = |e: lettre::transport::smtp::Error| SendError::from_lettre(&self.label, &e);
        let hello = ClientId::default();
        let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &hello)
            .await
            .map_err(lettre)?;
        if let Wrap::Starttls(params) = &self.wrap {
            // Checked here, not left to lettre: with security = "starttls"
            // a server that does not offer it gets nothing more, never the
            // login or a reply in plaintext.
            if !conn.server_info().supports_feature(Extension::StartTls) {
                conn.abort().await;
                return Err(SendError::new(
                    &self.label,
                    "the server does not offer STARTTLS (RFC 3207), and nothing is sent unencrypted; check smtp.security (\"tls\" is TLS from the first byte, usually on port 465) and smtp.port",
                    Class::Setup,
                ));
            }
            conn.starttls(params.clone(), &hello)
                .await
                .map_err(lettre)?;
        }
        if let Some((user, password)) = &self.login {
            let credentials = Credentials::new(user.clone(), password.expose_secret().to_string());
            conn.auth(DEFAULT_MECHANISMS, &credentials)
                .await
                .map_err(lettre)?;
        }
        Ok(conn)
    }

    async fn tls(
        &self,
        config: Arc<rustls::ClientConfig>,
        tcp: TcpStream,
    ) -> Result<TlsStream, SendError> {
        let name = rustls::pki_types::ServerName::try_from(self.host.clone()).map_err(|e| {
            SendError::new(
                &self.label,
                format!("TLS: {e}; check smtp.host"),
                Class::Setup,
            )
        })?;
        tokio_rustls::TlsConnector::from(config)
            .connect(name, tcp)
            .await
            .map(TlsStream)
            .map_err(|e| match crate::tls::failure(&e, "smtp") {
                Some(f) if f.permanent => SendError::new(&self.label, f.message, Class::Setup),
                Some(f) => SendError::new(&self.label, f.message, Class::Unreachable),
                None => SendError::new(
                    &self.label,
                    format!("connection lost during the TLS handshake ({e})"),
                    Class::Unreachable,
                ),
            })
    }
}

/// A TLS stream as lettre takes one (it asks for the peer's address).
#[derive(Debug)]
pub(super) struct TlsStream(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for TlsStream {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for TlsStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for TlsStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}
