//! `[imap]` and `[smtp]`: the mail servers, checked only by the commands
//! that reach them, their secrets read only then.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::raw::{RawDeliveryCopy, RawImap, RawSmtp};
use super::{ConfigError, Origin};

/// Who uses the mail servers, for the error when they are not configured.
const NEEDED_BY: &str = "`run`, `once` and `check` need it";

/// Default longest wait for one network step (connect, TLS, login, one
/// IMAP command, one SMTP transaction), in seconds.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 30;

/// A password, or a database URL that may hold one: `imap.password`,
/// `smtp.password` (or their files and environment variables) and
/// `database.url`.
///
/// A [`secrecy::SecretString`] inside: `Debug` prints `Secret([REDACTED])`
/// and never the value, and the memory is zeroed when the value is
/// dropped. Read it with [`ExposeSecret::expose_secret`], only where it is
/// sent to a server or opens the database. Deserializes from a TOML string.
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// A copy of `value`, in a buffer of its exact size (a `String`
    /// shrunk into a box may move, leaving a copy behind unzeroed).
    pub fn new(value: &str) -> Self {
        Self(SecretString::from(value))
    }
}

impl ExposeSecret<str> for Secret {
    fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

/// From a TOML string only. Any other value is refused without its value:
/// serde's usual error quotes it (`invalid type: integer `12345``), and
/// that error is printed.
impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(SecretVisitor)
    }
}

struct SecretVisitor;

impl SecretVisitor {
    fn refuse<E: serde::de::Error>(kind: &str) -> E {
        E::custom(format!(
            "invalid type: {kind}, expected a string in quotes (the value is not shown)"
        ))
    }
}

impl serde::de::Visitor<'_> for SecretVisitor {
    type Value = Secret;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string in quotes")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Secret, E> {
        Ok(Secret::new(v))
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Secret, E> {
        Err(Self::refuse("boolean"))
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Secret, E> {
        Err(Self::refuse("integer"))
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Secret, E> {
        Err(Self::refuse("integer"))
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Secret, E> {
        Err(Self::refuse("float"))
    }
}

/// How a connection to a mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// TLS from the first byte (IMAPS, SMTPS).
    #[default]
    Tls,
    /// A plain connection upgraded with STARTTLS.
    Starttls,
    /// No encryption: only for a server on the same machine.
    None,
}

/// The IMAP mailbox to watch.
#[derive(Debug, Clone)]
pub struct Imap {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: Secret,
    pub mailbox: String,
    /// Extra trust anchors (PEM), for a server with a private CA.
    pub ca_file: Option<PathBuf>,
    /// Longest wait for each network step: connect, TLS handshake, LOGIN,
    /// each command (the greeting waits at most 15 s of it).
    pub timeout: Duration,
    /// Use IDLE (RFC 2177) when the server offers it; else poll.
    pub idle: bool,
}

/// The submission server replies are sent through.
#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, Secret)>,
    /// Extra trust anchors (PEM), for a server with a private CA.
    pub ca_file: Option<PathBuf>,
    /// Longest time one SMTP transaction may take, connection included.
    pub timeout: Duration,
    /// Where each reply's delivery copy goes (`smtp.delivery_copy`): its
    /// arrival in the watched mailbox proves the reply was sent.
    pub delivery_copy: DeliveryCopy,
}

/// `smtp.delivery_copy`: `true` (the default) sends it to the team
/// address, an address sends it there (one that lands in the watched
/// mailbox, when the team address is an alias that reaches others too),
/// `false` sends none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryCopy {
    Off,
    ToTeam,
    To(String),
}

/// Where a server is, as `check --offline` shows it without contacting it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

/// Looks up an environment variable; tests pass their own.
pub type Env<'a> = &'a dyn Fn(&str) -> Option<String>;

/// `[imap]` without its password: everything that can be checked offline.
struct ImapPlace {
    endpoint: Endpoint,
    username: String,
    mailbox: String,
    ca_file: Option<PathBuf>,
    timeout: Duration,
}

fn imap_place(raw: &RawImap, origin: &Origin) -> Result<ImapPlace, ConfigError> {
    let default_port = match raw.security {
        Security::Tls => 993,
        _ => 143,
    };
    Ok(ImapPlace {
        endpoint: Endpoint {
            host: required(raw.host.as_deref(), "imap.host", origin)?,
            port: port(raw.port, default_port, "imap.port", origin)?,
        },
        username: required(raw.username.as_deref(), "imap.username", origin)?,
        mailbox: raw.mailbox.clone().unwrap_or_else(|| "INBOX".into()),
        ca_file: ca_file(raw.ca_file.as_deref(), "imap", origin)?,
        timeout: timeout(raw.timeout_seconds, "imap.timeout_seconds", origin)?,
    })
}

/// `[imap]` checked without its password; `None` when it has no `[imap]`.
pub(super) fn imap_offline(
    raw: Option<&RawImap>,
    origin: &Origin,
) -> Result<Option<Endpoint>, ConfigError> {
    let Some(raw) = raw else { return Ok(None) };
    exclusive_password(
        raw.password.is_some(),
        raw.password_file.is_some(),
        "imap",
        origin,
    )?;
    Ok(Some(imap_place(raw, origin)?.endpoint))
}

pub(super) fn imap(raw: Option<&RawImap>, origin: &Origin, env: Env) -> Result<Imap, ConfigError> {
    let raw = raw.ok_or_else(|| origin.missing_table("imap", NEEDED_BY))?;
    let place = imap_place(raw, origin)?;
    let password = password(
        raw.password.as_ref(),
        raw.password_file.as_deref(),
        "MAILINTAKE_IMAP_PASSWORD",
        "imap",
        origin,
        env,
    )?
    .ok_or_else(|| {
        origin.invalid(
            "imap.password",
            "no password: set imap.password, imap.password_file or MAILINTAKE_IMAP_PASSWORD",
        )
    })?;
    Ok(Imap {
        host: place.endpoint.host,
        port: place.endpoint.port,
        security: raw.security,
        username: place.username,
        password,
        mailbox: place.mailbox,
        ca_file: place.ca_file,
        timeout: place.timeout,
        idle: raw.idle.unwrap_or(true),
    })
}

fn smtp_endpoint(raw: &RawSmtp, origin: &Origin) -> Result<Endpoint, ConfigError> {
    let default_port = match raw.security {
        Security::Tls => 465,
        Security::Starttls => 587,
        Security::None => 25,
    };
    Ok(Endpoint {
        host: required(raw.host.as_deref(), "smtp.host", origin)?,
        port: port(raw.port, default_port, "smtp.port", origin)?,
    })
}

/// `[smtp]` checked without its secrets; `None` when it has no `[smtp]`.
pub(super) fn smtp_offline(
    raw: Option<&RawSmtp>,
    origin: &Origin,
) -> Result<Option<Endpoint>, ConfigError> {
    let Some(raw) = raw else { return Ok(None) };
    exclusive_password(
        raw.password.is_some(),
        raw.password_file.is_some(),
        "smtp",
        origin,
    )?;
    let endpoint = smtp_endpoint(raw, origin)?;
    ca_file(raw.ca_file.as_deref(), "smtp", origin)?;
    timeout(raw.timeout_seconds, "smtp.timeout_seconds", origin)?;
    Ok(Some(endpoint))
}

pub(super) fn smtp(raw: Option<&RawSmtp>, origin: &Origin, env: Env) -> Result<Smtp, ConfigError> {
    let raw = raw.ok_or_else(|| origin.missing_table("smtp", NEEDED_BY))?;
    let endpoint = smtp_endpoint(raw, origin)?;
    let password = password(
        raw.password.as_ref(),
        raw.password_file.as_deref(),
        "MAILINTAKE_SMTP_PASSWORD",
        "smtp",
        origin,
        env,
    )?;
    let username = raw
        .username
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    let credentials = match (username, password) {
        (Some(u), Some(p)) => Some((u.to_string(), p)),
        (None, None) => None,
        (Some(_), None) => {
            return Err(origin.invalid(
                "smtp.password",
                "smtp.username is set but no password: set smtp.password, smtp.password_file or MAILINTAKE_SMTP_PASSWORD",
            ));
        }
        (None, Some(_)) => {
            return Err(origin.invalid("smtp.username", "a password is set but no username"));
        }
    };
    Ok(Smtp {
        host: endpoint.host,
        port: endpoint.port,
        security: raw.security,
        credentials,
        ca_file: ca_file(raw.ca_file.as_deref(), "smtp", origin)?,
        timeout: timeout(raw.timeout_seconds, "smtp.timeout_seconds", origin)?,
        delivery_copy: match &raw.delivery_copy {
            None | Some(RawDeliveryCopy::On(true)) => DeliveryCopy::ToTeam,
            Some(RawDeliveryCopy::On(false)) => DeliveryCopy::Off,
            Some(RawDeliveryCopy::To(a)) => {
                let a = a.trim();
                if a.parse::<lettre::Address>().is_err() {
                    return Err(origin.invalid(
                        "smtp.delivery_copy",
                        format!("`{a}` is neither true, false nor an email address"),
                    ));
                }
                DeliveryCopy::To(a.to_string())
            }
        },
    })
}

/// A key the section cannot do without, trimmed and not empty.
fn required(value: Option<&str>, key: &str, origin: &Origin) -> Result<String, ConfigError> {
    let value = value.ok_or_else(|| origin.missing_key(key, NEEDED_BY))?;
    if value.trim().is_empty() {
        return Err(origin.invalid(key, "must not be empty"));
    }
    Ok(value.trim().to_string())
}

/// A port, `default` when not given; 0 names no port (the system would
/// pick any).
fn port(value: Option<u16>, default: u16, key: &str, origin: &Origin) -> Result<u16, ConfigError> {
    match value.unwrap_or(default) {
        0 => Err(origin.invalid(key, "0 is not a port; use 1 to 65535")),
        p => Ok(p),
    }
}

/// A network timeout in seconds: positive, at most 300 (a server silent
/// for five minutes is down; waiting longer only delays the retry).
fn timeout(seconds: Option<u64>, key: &str, origin: &Origin) -> Result<Duration, ConfigError> {
    match seconds.unwrap_or(DEFAULT_TIMEOUT_SECONDS) {
        0 => Err(origin.invalid(key, "must be positive")),
        s if s > 300 => Err(origin.invalid(key, format!("{s} is over the most, 300"))),
        s => Ok(Duration::from_secs(s)),
    }
}

/// A PEM file of CA certificates, checked now so that a wrong path or a
/// file without a certificate is a config error, not a failure at 3 a.m.
fn ca_file(
    file: Option<&Path>,
    section: &str,
    origin: &Origin,
) -> Result<Option<PathBuf>, ConfigError> {
    let Some(f) = file else {
        return Ok(None);
    };
    let path = origin.path(f);
    let key = format!("{section}.ca_file");
    let certs = crate::tls::load_pem_certs(&path).map_err(|e| origin.invalid(&key, e))?;
    if certs.is_empty() {
        return Err(origin.invalid(
            &key,
            format!("`{}` holds no PEM certificate", path.display()),
        ));
    }
    Ok(Some(path))
}

fn exclusive_password(
    inline: bool,
    file: bool,
    section: &str,
    origin: &Origin,
) -> Result<(), ConfigError> {
    if inline && file {
        return Err(origin.invalid(
            &format!("{section}.password_file"),
            format!("set either {section}.password or {section}.password_file, not both"),
        ));
    }
    Ok(())
}

/// Password from the inline key, a file, or the environment, in that order.
fn password(
    inline: Option<&Secret>,
    file: Option<&Path>,
    env_name: &str,
    section: &str,
    origin: &Origin,
    env: Env,
) -> Result<Option<Secret>, ConfigError> {
    exclusive_password(inline.is_some(), file.is_some(), section, origin)?;
    if let Some(p) = inline {
        return Ok(Some(p.clone()));
    }
    if let Some(f) = file {
        let path = origin.path(f);
        let text = Zeroizing::new(std::fs::read_to_string(&path).map_err(|e| {
            origin.invalid(
                &format!("{section}.password_file"),
                format!("cannot read {}: {e}", path.display()),
            )
        })?);
        // A trailing newline from `echo secret > file` is not part of the password.
        return Ok(Some(Secret::new(text.trim_end_matches(['\r', '\n']))));
    }
    Ok(env(env_name).map(|value| Secret::new(Zeroizing::new(value).as_str())))
}
