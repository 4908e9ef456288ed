//! The IMAP adapter's one error type, classified for the daemon (retry or
//! stop) and worded for a person (what failed, which config key to check).
//! Never shows the password, nor a parser's internal Debug output.

use std::fmt;
use std::time::Duration;

use crate::tls::TlsFailure;

/// One network step of an IMAP session, named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    Connect,
    Greeting,
    Tls,
    Starttls,
    Login,
    Capability,
    Select,
    Search,
    Fetch,
    Idle,
    Done,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Connect => "connect",
            Step::Greeting => "greeting",
            Step::Tls => "TLS handshake",
            Step::Starttls => "STARTTLS",
            Step::Login => "LOGIN",
            Step::Capability => "CAPABILITY",
            Step::Select => "SELECT",
            Step::Search => "UID SEARCH",
            Step::Fetch => "UID FETCH",
            Step::Idle => "IDLE",
            Step::Done => "DONE (end of IDLE)",
        })
    }
}

/// One opaque error type for the IMAP adapter. `Display` says what failed
/// and, when a person can fix it, which config key to look at.
#[derive(Debug)]
pub struct MailboxError {
    host: String,
    kind: Kind,
}

#[derive(Debug)]
pub(crate) enum Kind {
    Connect(std::io::Error),
    Timeout {
        step: Step,
        after: Duration,
    },
    Tls(TlsFailure),
    /// The server ended or broke the connection during `step`.
    Lost {
        step: Step,
        cause: String,
    },
    /// The server answered `* BYE` to a new connection (busy, shutting down).
    Bye(String),
    Login {
        user: String,
        server: String,
        transient: bool,
    },
    Starttls(String),
    /// `security = "starttls"` and the server does not offer it.
    NoStarttls,
    Mailbox {
        name: String,
        server: String,
    },
    NoUidValidity(String),
    /// A NO or BAD to a command that is not a configuration problem.
    Refused {
        step: Step,
        server: String,
    },
    /// A response that could not be read.
    Garbled {
        step: Step,
    },
    /// The greeting is not IMAP's: another service listens on the port
    /// (its first line, when it could be read).
    NotImap(String),
    /// The server would not hand over one message (`why`), while the
    /// connection worked for the commands before: that message's failure,
    /// not the mailbox's.
    Unfetchable {
        uid: u32,
        why: String,
    },
    /// The folder was rebuilt (its UIDVALIDITY changed) while a turn
    /// reconnected to it.
    Rebuilt {
        before: u32,
        now: u32,
    },
}

impl MailboxError {
    pub(crate) fn new(host: String, kind: Kind) -> Self {
        Self { host, kind }
    }

    /// The server could not be reached (for other `Source`s than IMAP too).
    pub fn unreachable(host: &str, error: std::io::Error) -> Self {
        Self::new(host.to_string(), Kind::Connect(error))
    }

    /// The server refused the login (for other `Source`s than IMAP too).
    pub fn login_refused(host: &str, user: &str, server: &str) -> Self {
        Self::new(
            host.to_string(),
            Kind::Login {
                user: user.to_string(),
                server: server.to_string(),
                transient: false,
            },
        )
    }

    /// The server would not hand over message `uid` (for other `Source`s
    /// than IMAP too); `why` says how, for staff.
    pub fn unfetchable(host: &str, uid: u32, why: &str) -> Self {
        Self::new(
            host.to_string(),
            Kind::Unfetchable {
                uid,
                why: why.to_string(),
            },
        )
    }

    /// The UID of the one message this error is about, when it is about
    /// one message and not the connection or the server: a NO or BAD to
    /// its FETCH, a BYE in answer to it (Dovecot's way of saying it cannot
    /// read a message), or an answer to it that cannot be read. Trying
    /// again later helps only if the server changes its mind.
    pub fn unfetchable_uid(&self) -> Option<u32> {
        match &self.kind {
            Kind::Unfetchable { uid, .. } => Some(*uid),
            _ => None,
        }
    }

    /// Worth retrying later (network, server busy, a timeout), as opposed
    /// to a refusal only a person can fix.
    pub fn is_transient(&self) -> bool {
        !self.is_permanent()
    }

    /// Needs a person to fix: wrong credentials, missing mailbox folder,
    /// an untrusted certificate, TLS settings that do not fit the server.
    pub fn is_permanent(&self) -> bool {
        match &self.kind {
            Kind::Tls(f) => f.permanent,
            Kind::Login { transient, .. } => !transient,
            Kind::Starttls(_)
            | Kind::NoStarttls
            | Kind::Mailbox { .. }
            | Kind::NoUidValidity(_)
            | Kind::NotImap(_) => true,
            Kind::Connect(_)
            | Kind::Timeout { .. }
            | Kind::Lost { .. }
            | Kind::Bye(_)
            | Kind::Refused { .. }
            | Kind::Garbled { .. }
            | Kind::Unfetchable { .. }
            | Kind::Rebuilt { .. } => false,
        }
    }
}

impl std::error::Error for MailboxError {}

impl fmt::Display for MailboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IMAP {}: ", self.host)?;
        match &self.kind {
            Kind::Connect(e) => write!(f, "cannot connect ({e}); check imap.host and imap.port"),
            Kind::Timeout {
                step: Step::Greeting,
                after,
            } => write!(
                f,
                "no greeting within {} s: the server accepted the connection but said nothing; check imap.port and imap.security",
                after.as_secs_f32()
            ),
            Kind::Timeout { step, after } => {
                write!(f, "{step} timed out after {} s", after.as_secs_f32())?;
                if matches!(step, Step::Tls | Step::Starttls) {
                    f.write_str("; check imap.security and imap.port")?;
                }
                Ok(())
            }
            Kind::Tls(t) => f.write_str(&t.message),
            // async-imap reports an unreadable response as an I/O error
            // holding the parser's dump of the buffer: never shown.
            Kind::Lost { step, cause } if cause.contains("during parsing of") => write!(
                f,
                "the answer to {step} could not be read as IMAP; check imap.port and imap.security"
            ),
            Kind::Lost { step, cause } => write!(f, "connection lost during {step} ({cause})"),
            Kind::Bye(server) => write!(f, "the server turned the connection away: {server}"),
            Kind::Login { user, server, .. } => write!(
                f,
                "login refused for `{user}`: {}; check imap.username and imap.password",
                or_silent(server)
            ),
            Kind::Starttls(server) => write!(
                f,
                "the server refused STARTTLS: {}; check imap.security",
                or_silent(server)
            ),
            Kind::NoStarttls => f.write_str(
                "the server does not offer STARTTLS, and nothing is sent unencrypted; check imap.security (\"tls\" is TLS from the first byte, usually on port 993) and imap.port",
            ),
            Kind::Mailbox { name, server } => write!(
                f,
                "cannot open the folder `{name}`: {}; check imap.mailbox",
                or_silent(server)
            ),
            Kind::NoUidValidity(name) => write!(
                f,
                "the folder `{name}` has no UIDVALIDITY, so processed mail cannot be tracked; check imap.mailbox"
            ),
            Kind::Refused { step, server } => {
                write!(f, "the server refused {step}: {}", or_silent(server))
            }
            Kind::Garbled { step } => {
                write!(f, "the answer to {step} could not be read")
            }
            Kind::NotImap(said) if said.is_empty() => {
                f.write_str("the server's greeting is not IMAP; check imap.port and imap.security")
            }
            Kind::NotImap(said) => write!(
                f,
                "the server's greeting is not IMAP (it said \"{said}\"); check imap.port and imap.security"
            ),
            Kind::Unfetchable { uid, why } => write!(f, "UID {uid} could not be fetched: {why}"),
            Kind::Rebuilt { before, now } => write!(
                f,
                "the folder was rebuilt meanwhile (UIDVALIDITY {before}, now {now}); looking at it afresh"
            ),
        }
    }
}

pub(crate) fn or_silent(server: &str) -> &str {
    if server.is_empty() {
        "(no reason given)"
    } else {
        server
    }
}

/// The line a server sent where an IMAP greeting was expected, from
/// async-imap's parse error (`… during parsing of "220 host ESMTP\r\n"`),
/// printable and short; empty when the shape is not that.
pub(crate) fn unparsed_line(rendered: &str) -> String {
    let Some((_, rest)) = rendered.split_once("during parsing of \"") else {
        return String::new();
    };
    let line = rest.rsplit_once('"').map_or(rest, |(l, _)| l);
    let line = line.split("\\r").next().unwrap_or_default();
    let line = line.split("\\n").next().unwrap_or_default();
    line.chars().filter(|c| !c.is_control()).take(120).collect()
}

/// The server's own words in an async-imap NO or BAD error, which carries
/// them only in a Debug rendering: `code: None, info: Some("[X] words")`,
/// or `outcome: Outcome { code: None, information: Some("[X] words") }`.
/// Empty when the shape is neither (rather than show the rendering).
pub(crate) fn server_words(rendered: &str) -> String {
    let Some((_, quoted)) = ["info: Some(\"", "information: Some(\""]
        .iter()
        .find_map(|open| rendered.split_once(open))
    else {
        return String::new();
    };
    let Some(end) = quoted.rfind("\")") else {
        return String::new();
    };
    let mut out = String::new();
    let mut chars = quoted[..end].chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'r' | 't') => out.push(' '),
            Some('u') => {
                // \u{XXXX}
                let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    out.push(c);
                }
            }
            Some(other) => out.push(other),
            None => {}
        }
    }
    // The sentence goes inside ours: its own full stop would be in the way.
    let out = out.trim();
    out.strip_suffix('.').unwrap_or(out).to_string()
}

/// An RFC 5530 response code that says "try again later".
pub(crate) fn says_try_later(server: &str) -> bool {
    ["[UNAVAILABLE]", "[INUSE]", "[LIMIT]", "[SERVERBUG]"]
        .iter()
        .any(|code| server.starts_with(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_parser_dump_is_never_shown() {
        let e = MailboxError::new(
            "h:143".into(),
            Kind::Lost {
                step: Step::Fetch,
                cause: "Error(Error { input: [42, 32], code: Tag }) during parsing of \"* 1 FETCH (BODY[] {5}\\r\\nsecret\"".into(),
            },
        );
        let shown = e.to_string();
        assert!(
            !shown.contains("secret") && !shown.contains("input"),
            "{shown}"
        );
        assert!(shown.contains("could not be read as IMAP"), "{shown}");
    }

    #[test]
    fn another_service_on_the_port_is_named_by_its_first_line() {
        let rendered = "Error(Error { input: [50, 50, 48], code: Tag }) during parsing of \"220 vm ESMTP OpenSMTPD\\r\\n\"";
        assert_eq!(unparsed_line(rendered), "220 vm ESMTP OpenSMTPD");
        let e = MailboxError::new("h:143".into(), Kind::NotImap(unparsed_line(rendered)));
        assert_eq!(
            e.to_string(),
            "IMAP h:143: the server's greeting is not IMAP (it said \"220 vm ESMTP OpenSMTPD\"); check imap.port and imap.security"
        );
        assert!(e.is_permanent(), "a wrong port is for a person to fix");
        assert_eq!(unparsed_line("connection reset"), "");
    }

    #[test]
    fn the_servers_words_come_out_of_the_debug_rendering() {
        let r = r#"code: None, info: Some("[NONEXISTENT] Mailbox doesn't exist: \"Nope\" (0.001 secs).")"#;
        assert_eq!(
            server_words(r),
            r#"[NONEXISTENT] Mailbox doesn't exist: "Nope" (0.001 secs)"#
        );
        let r = r#"outcome: Outcome { code: None, information: Some("[NONEXISTENT] Mailbox doesn't exist: Nope") }"#;
        assert_eq!(server_words(r), "[NONEXISTENT] Mailbox doesn't exist: Nope");
        assert_eq!(server_words("code: None, info: None"), "");
        assert_eq!(server_words("something else"), "");
        assert_eq!(
            server_words(r#"code: None, info: Some("caf\u{e9}\ttab")"#),
            "café tab"
        );
    }

    #[test]
    fn refusals_a_person_must_fix_are_permanent_and_name_the_key() {
        let host = "mail.example.org:993".to_string();
        let cases = [
            (
                Kind::Login {
                    user: "team".into(),
                    server: "[AUTHENTICATIONFAILED] Authentication failed.".into(),
                    transient: false,
                },
                "imap.password",
            ),
            (
                Kind::Mailbox {
                    name: "Apply".into(),
                    server: "[NONEXISTENT] Mailbox doesn't exist".into(),
                },
                "imap.mailbox",
            ),
            (Kind::Starttls("BAD".into()), "imap.security"),
            (Kind::NoStarttls, "imap.security"),
        ];
        for (kind, key) in cases {
            let e = MailboxError::new(host.clone(), kind);
            assert!(e.is_permanent(), "{e}");
            assert!(e.to_string().contains(key), "{e}");
            assert!(!e.to_string().contains("Some("), "{e}");
        }
    }

    #[test]
    fn outages_are_transient_and_name_the_step() {
        let e = MailboxError::new(
            "h:143".into(),
            Kind::Timeout {
                step: Step::Greeting,
                after: Duration::from_secs(15),
            },
        );
        assert!(e.is_transient());
        assert!(e.to_string().contains("no greeting within 15 s"), "{e}");
        let e = MailboxError::new(
            "h:143".into(),
            Kind::Login {
                user: "u".into(),
                server: "[UNAVAILABLE] Temporary authentication failure.".into(),
                transient: true,
            },
        );
        assert!(e.is_transient());
        let e = MailboxError::new(
            "h:143".into(),
            Kind::Lost {
                step: Step::Idle,
                cause: "closed by the server".into(),
            },
        );
        assert!(e.is_transient());
        assert!(e.to_string().contains("IDLE"), "{e}");
    }
}
