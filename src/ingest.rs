//! Raw message bytes to an [`Inbound`] record. Never panics, whatever the input.

use chrono::{DateTime, Utc};
use mail_parser::{HeaderValue, MessageParser, MimeHeaders};

/// The sender of a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// Lower-cased address.
    pub address: String,
    pub name: Option<String>,
}

/// Header facts that tell a robot from a person (RFC 3834 and practice).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderFacts {
    pub auto_submitted: Option<String>,
    pub precedence: Option<String>,
    pub has_list_headers: bool,
    pub empty_return_path: bool,
    pub is_report: bool,
    pub auto_response_suppress: bool,
}

/// What the pipeline needs of one inbound mail.
#[derive(Debug, Clone, Default)]
pub struct Inbound {
    /// Message-ID without angle brackets.
    pub message_id: Option<String>,
    pub from: Option<Sender>,
    pub subject: String,
    pub date: Option<DateTime<Utc>>,
    /// Message-IDs this mail answers (In-Reply-To then References).
    pub parent_ids: Vec<String>,
    /// The References chain as received, for threading our reply.
    pub references: Vec<String>,
    /// Plain text of the body (HTML converted), for answer extraction.
    pub body: String,
    /// Names or types of attached files.
    pub attachments: Vec<String>,
    pub facts: HeaderFacts,
}

/// Why a mail could not be read as an applicant's mail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    #[error("the message could not be parsed")]
    Unparseable,
}

/// Parses raw bytes. Only returns an error when nothing usable is there.
pub fn parse(raw: &[u8]) -> Result<Inbound, IngestError> {
    if raw.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IngestError::Unparseable);
    }
    let msg = MessageParser::default()
        .parse(raw)
        .ok_or(IngestError::Unparseable)?;
    // A parse that found no header at all was not a mail.
    if msg.headers().is_empty() {
        return Err(IngestError::Unparseable);
    }

    let from = msg.from().and_then(|a| a.first()).and_then(|addr| {
        let address = addr.address()?.trim().to_lowercase();
        if address.is_empty() {
            return None;
        }
        let name = addr
            .name()
            .map(|n| n.trim().trim_matches('"').trim().to_string())
            .filter(|n| !n.is_empty());
        Some(Sender { address, name })
    });

    let subject = msg
        .subject()
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();

    let message_id = msg
        .message_id()
        .map(|s| s.trim().trim_matches(['<', '>']).to_string())
        .filter(|s| !s.is_empty());

    let date = msg
        .date()
        .and_then(|d| DateTime::parse_from_rfc3339(&d.to_rfc3339()).ok())
        .map(|d| d.with_timezone(&Utc));

    let in_reply_to = ids(msg.in_reply_to());
    let references = ids(msg.references());
    let mut parent_ids = in_reply_to.clone();
    parent_ids.extend(references.iter().rev().cloned());

    let raw_header = |name: &str| {
        msg.header_raw(name)
            .map(|v| v.trim().to_ascii_lowercase())
            .filter(|v| !v.is_empty())
    };
    let content_type = msg.root_part().content_type();
    let facts = HeaderFacts {
        auto_submitted: raw_header("Auto-Submitted"),
        precedence: raw_header("Precedence"),
        has_list_headers: msg.header_raw("List-Id").is_some()
            || msg.header_raw("List-Unsubscribe").is_some(),
        empty_return_path: msg.header_raw("Return-Path").is_some_and(|v| {
            let v: String = v.chars().filter(|c| !c.is_whitespace()).collect();
            v == "<>" || v.is_empty()
        }),
        is_report: content_type.is_some_and(|ct| {
            ct.ctype().eq_ignore_ascii_case("multipart")
                && ct
                    .subtype()
                    .is_some_and(|s| s.eq_ignore_ascii_case("report"))
        }),
        auto_response_suppress: msg.header_raw("X-Auto-Response-Suppress").is_some(),
    };

    let body = msg
        .body_text(0)
        .map(|b| b.into_owned())
        .unwrap_or_default()
        .replace("\r\n", "\n")
        .replace('\0', "");

    let attachments = msg
        .attachments()
        .map(|p| {
            p.attachment_name()
                .map(str::to_string)
                .or_else(|| {
                    p.content_type().map(|ct| match ct.subtype() {
                        Some(s) => format!("{}/{}", ct.ctype(), s),
                        None => ct.ctype().to_string(),
                    })
                })
                .unwrap_or_else(|| "attachment".to_string())
        })
        .collect();

    Ok(Inbound {
        message_id,
        from,
        subject,
        date,
        parent_ids,
        references,
        body,
        attachments,
        facts,
    })
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<String> = match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    };
    list.into_iter()
        .map(|s| s.trim().trim_matches(['<', '>']).to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_basics() {
        let raw = b"From: \"Ada L.\" <Ada@Example.NET>\r\nTo: team@example.org\r\nSubject: =?UTF-8?Q?Bewerbung_f=C3=BCr?= LDWG\r\nMessage-ID: <abc@x>\r\nIn-Reply-To: <q1@example.org>\r\nReferences: <q0@example.org> <q1@example.org>\r\n\r\nHello\r\n";
        let m = parse(raw).expect("parses");
        let from = m.from.expect("from");
        assert_eq!(from.address, "ada@example.net");
        assert_eq!(from.name.as_deref(), Some("Ada L."));
        assert_eq!(m.subject, "Bewerbung für LDWG");
        assert_eq!(m.message_id.as_deref(), Some("abc@x"));
        assert_eq!(
            m.parent_ids.first().map(String::as_str),
            Some("q1@example.org")
        );
        assert_eq!(m.references, vec!["q0@example.org", "q1@example.org"]);
        assert_eq!(m.body.trim(), "Hello");
    }

    #[test]
    fn robot_headers_are_seen() {
        let raw = b"From: a@b.c\r\nReturn-Path: <>\r\nAuto-Submitted: Auto-Replied\r\nPrecedence: bulk\r\nList-Id: <x.y>\r\nX-Auto-Response-Suppress: All\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n";
        let m = parse(raw).expect("parses");
        assert_eq!(m.facts.auto_submitted.as_deref(), Some("auto-replied"));
        assert_eq!(m.facts.precedence.as_deref(), Some("bulk"));
        assert!(m.facts.has_list_headers);
        assert!(m.facts.empty_return_path);
        assert!(m.facts.is_report);
        assert!(m.facts.auto_response_suppress);
    }

    #[test]
    fn garbage_does_not_panic() {
        assert!(parse(b"").is_err());
        assert!(parse(b"\r\n\r\n").is_err());
        for input in [
            &b"\0\0\0\xff\xfe"[..],
            b"From:\r\n\r\n",
            b"Content-Type: multipart/mixed; boundary=\r\n\r\n--\r\n--",
            b"Subject: \xff\xfe\r\n\r\nbody",
        ] {
            let _ = parse(input);
        }
    }

    #[test]
    fn html_only_becomes_text() {
        let raw = b"From: a@b.c\r\nContent-Type: text/html\r\n\r\n<p>1. Ada</p><p>2. Europe</p>";
        let m = parse(raw).expect("parses");
        assert!(m.body.contains("1. Ada"), "{}", m.body);
        assert!(m.body.contains("2. Europe"), "{}", m.body);
    }
}
