//! TLS client configuration shared by the IMAP and SMTP adapters.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Certificates in a PEM file, in words for the config error when not.
pub fn load_pem_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("`{}` is not a PEM certificate file: {e}", path.display()))
}

/// A rustls client config trusting the public web roots and, if given, the
/// certificates of `ca_file`.
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = ca_file {
        for cert in load_pem_certs(path)? {
            roots
                .add(cert)
                .map_err(|e| format!("`{}`: {e}", path.display()))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(cfg))
}

/// A failed TLS handshake, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFailure {
    /// What went wrong, ending with the config key to look at.
    pub message: String,
    /// A certificate or protocol mismatch: retrying will not help.
    pub permanent: bool,
}

/// Describes a handshake error (rustls, possibly wrapped in `io::Error`s
/// and other errors) for the config section `section` (`imap` or `smtp`).
/// `None` when no TLS error is in the chain: the connection itself failed.
pub fn failure(error: &(dyn std::error::Error + 'static), section: &str) -> Option<TlsFailure> {
    let tls = find_rustls(error)?;
    let cert = |what: &str, key: &str| TlsFailure {
        message: format!("TLS: the server's certificate {what}; {key}"),
        permanent: true,
    };
    use rustls::CertificateError as C;
    Some(match tls {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => cert(
            "is not trusted (its issuer is unknown)",
            &format!("set {section}.ca_file to the CA that signed it"),
        ),
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => cert(
            "is not valid for this host name",
            &format!("set {section}.host to a name the certificate holds"),
        ),
        rustls::Error::InvalidCertificate(
            C::Expired | C::ExpiredContext { .. } | C::NotValidYet | C::NotValidYetContext { .. },
        ) => cert(
            "is expired or not yet valid",
            "renew it on the server, or check this machine's clock",
        ),
        rustls::Error::InvalidCertificate(other) => cert(
            &format!("is refused ({other})"),
            &format!("check {section}.ca_file"),
        ),
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
            TlsFailure {
                message: format!(
                    "TLS: the server does not speak TLS on this port; check {section}.security and {section}.port"
                ),
                permanent: true,
            }
        }
        rustls::Error::General(_) | rustls::Error::Other(_) => TlsFailure {
            message: format!("TLS handshake failed ({tls}); check {section}.security"),
            permanent: false,
        },
        other => TlsFailure {
            message: format!("TLS handshake failed ({other}); check {section}.security"),
            permanent: true,
        },
    })
}

/// The rustls error in a chain of sources. `io::Error` hides its payload
/// from `source()` (it returns the payload's source), so look inside.
fn find_rustls<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        next = e.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_issuer_names_the_ca_file_key_even_inside_io_errors() {
        let tls = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let io = std::io::Error::new(std::io::ErrorKind::InvalidData, tls);
        let f = failure(&io, "imap").expect("a TLS failure");
        assert!(f.permanent);
        assert!(f.message.contains("imap.ca_file"), "{}", f.message);
        assert!(f.message.contains("certificate"), "{}", f.message);
    }

    #[test]
    fn a_plain_server_names_the_security_key() {
        let tls = rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType);
        let f = failure(&tls, "smtp").expect("a TLS failure");
        assert!(f.permanent);
        assert!(f.message.contains("smtp.security"), "{}", f.message);
    }

    #[test]
    fn a_connection_error_is_no_tls_failure() {
        let io = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
        assert_eq!(failure(&io, "imap"), None);
    }
}
