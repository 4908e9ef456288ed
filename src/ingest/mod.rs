//! Raw message bytes to an [`Inbound`] record. Never panics, whatever the input.
//!
//! [`parse`] reads the headers and the attachments here; which part's text
//! a person reads is the `body` module's to say, with HTML rendered by
//! `html` and `format=flowed` text joined by `flowed`.

pub mod authres;
mod body;
mod flowed;
mod html;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

use mail_parser::{HeaderValue, Message, MessageParser, MessagePart, MimeHeaders};

use self::body::body_text;
pub use self::flowed::unflow;
pub use self::html::html_to_text;

/// The sender of a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// Lower-cased address.
    pub address: String,
    pub name: Option<String>,
}

/// Header facts that tell a robot from a person (RFC 3834 and practice).
/// Facts only: [`crate::robot::verdict`] decides what they mean.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeaderFacts {
    /// `Auto-Submitted`, lower-cased.
    pub auto_submitted: Option<String>,
    /// `Precedence`, lower-cased.
    pub precedence: Option<String>,
    pub has_list_headers: bool,
    pub empty_return_path: bool,
    pub is_report: bool,
    /// `X-Auto-Response-Suppress` is present. Recorded, never decisive:
    /// Exchange adds it to people's mail too.
    pub auto_response_suppress: bool,
    /// Non-standard autoresponder headers present, whatever their value,
    /// as `"Name: value"` (see [`crate::robot::AUTOREPLY_HEADERS`]).
    pub autoreply_headers: Vec<String>,
    /// Headers helpdesk software adds, as `"Name: value"`
    /// (see [`crate::robot::is_helpdesk_header`]).
    pub helpdesk_headers: Vec<String>,
}

/// Most headers of one kind kept in [`HeaderFacts`].
const MAX_FACT_HEADERS: usize = 8;
/// Characters of a header value kept in [`HeaderFacts`].
const MAX_FACT_VALUE: usize = 120;

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
    /// Which MIME part(s) `body` was read from, in words for staff.
    pub body_source: String,
    /// The Content-Language header (RFC 3282), as written, if any.
    pub content_language: Option<String>,
    /// File names of attached documents (not images or inline parts).
    pub attachments: Vec<String>,
    /// Every attached file, with its bytes: the documents of
    /// `attachments` and any other part sent as an attachment
    /// (`Content-Disposition: attachment`), in the mail's order. What file
    /// questions are answered with ([`crate::files::assign`]).
    pub files: Vec<Attached>,
    pub facts: HeaderFacts,
    /// The `Authentication-Results` fields that read as RFC 8601's, top
    /// first, at most [`authres::MAX_FIELDS`] from the top, whoever added
    /// them: [`crate::domain::gates`] decides which to believe.
    pub auth_results: Vec<authres::AuthResults>,
}

/// One attached file.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Attached {
    /// The name the sender gave it (`attachment` when none), NULs
    /// removed; shown only through [`crate::files::display_name`].
    pub name: String,
    /// Its decoded content.
    pub bytes: Vec<u8>,
    /// A document (see `attachments`), not an image or other part sent
    /// as an attachment.
    pub document: bool,
}

/// Names and sizes only: the bytes would flood a log.
impl std::fmt::Debug for Attached {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attached")
            .field("name", &self.name)
            .field("bytes", &self.bytes.len())
            .field("document", &self.document)
            .finish()
    }
}

/// Why a mail could not be read as an applicant's mail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    #[error("the message could not be parsed")]
    Unparseable,
    #[error("the message is too complex: {0}")]
    TooComplex(String),
}

/// Most MIME parts read from one mail; more is not a person's reply.
pub const MAX_PARTS: usize = 500;
/// Deepest multipart nesting read from one mail.
pub const MAX_DEPTH: usize = 24;
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
        let address = unquoted(&no_nul(addr.address()?).trim().to_lowercase());
        if address.is_empty() {
            return None;
        }
        let name = addr
            .name()
            .map(|n| no_nul(n).trim().trim_matches('"').trim().to_string())
            .filter(|n| !n.is_empty());
        Some(Sender { address, name })
    });

    let subject = msg
        .subject()
        .map(|s| no_nul(s).split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();

    let message_id = msg
        .message_id()
        .map(|s| no_nul(s).trim().trim_matches(['<', '>']).to_string())
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
    let mut facts = HeaderFacts {
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
        autoreply_headers: Vec::new(),
        helpdesk_headers: Vec::new(),
    };
    for (name, value) in msg.headers_raw() {
        let list = if crate::robot::is_autoreply_header(name) {
            &mut facts.autoreply_headers
        } else if crate::robot::is_helpdesk_header(name) {
            &mut facts.helpdesk_headers
        } else {
            continue;
        };
        if list.len() < MAX_FACT_HEADERS {
            let value: String = value
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .chars()
                .filter(|c| !c.is_control())
                .take(MAX_FACT_VALUE)
                .collect();
            list.push(format!("{name}: {value}"));
        }
    }

    let auth_results = msg
        .headers_raw()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Authentication-Results"))
        .take(authres::MAX_FIELDS)
        .filter_map(|(_, value)| authres::parse(value))
        .collect();

    check_structure(&msg)?;
    let (body, body_source) = body_text(&msg);
    let body = body.replace("\r\n", "\n").replace('\0', "");
    let name = |p: &MessagePart<'_>| {
        p.attachment_name()
            .map(no_nul)
            .unwrap_or_else(|| "attachment".to_string())
    };
    let attachments = msg
        .attachments()
        .filter(|p| is_document(p))
        .map(name)
        .collect();
    let files = msg
        .attachments()
        .filter_map(|p| {
            let document = is_document(p);
            let attached = p
                .content_disposition()
                .is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"));
            (document || attached).then(|| Attached {
                name: name(p),
                bytes: p.contents().to_vec(),
                document,
            })
        })
        .collect();

    // On the message, or on the text part read (a client may tag the part).
    let content_language = msg
        .header_raw("Content-Language")
        .map(str::to_string)
        .or_else(|| {
            use mail_parser::{HeaderValue, MimeHeaders};
            match msg.text_part(0)?.content_language() {
                HeaderValue::Text(t) => Some(t.to_string()),
                HeaderValue::TextList(l) => Some(l.join(", ")),
                _ => None,
            }
        })
        .map(|v| no_nul(v.trim()))
        .filter(|v| !v.is_empty());

    Ok(Inbound {
        message_id,
        from,
        subject,
        date,
        parent_ids,
        references,
        body,
        body_source,
        content_language,
        attachments,
        files,
        facts,
        auth_results,
    })
}

/// `s` without NUL characters: an encoded word (RFC 2047) can carry one,
/// and PostgreSQL refuses NUL in text, which would stop the mailbox at
/// that mail.
fn no_nul(s: &str) -> String {
    s.replace('\0', "")
}

/// `"ada"@example.net` as `ada@example.net` when the quotes are not
/// needed (the quoted part is a dot-atom, RFC 5322 3.4.1): the same
/// mailbox, so the same applicant and the same limits.
fn unquoted(address: &str) -> String {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return address.to_string();
    };
    let Some(inner) = local.strip_prefix('"').and_then(|l| l.strip_suffix('"')) else {
        return address.to_string();
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let dot_atom = !inner.is_empty()
        && inner
            .split('.')
            .all(|part| !part.is_empty() && part.chars().all(atext));
    if dot_atom {
        format!("{inner}@{domain}")
    } else {
        address.to_string()
    }
}

/// Refuses mail whose MIME tree is larger or deeper than any reply.
fn check_structure(msg: &Message<'_>) -> Result<(), IngestError> {
    if msg.parts.len() > MAX_PARTS {
        return Err(IngestError::TooComplex(format!(
            "{} MIME parts, over the limit of {MAX_PARTS}",
            msg.parts.len()
        )));
    }
    // Depth-first over the part tree, iteratively: no recursion to exhaust.
    let mut stack: Vec<(u32, usize)> = vec![(0, 1)];
    let mut visited = 0usize;
    while let Some((id, depth)) = stack.pop() {
        visited += 1;
        if depth > MAX_DEPTH {
            return Err(IngestError::TooComplex(format!(
                "MIME parts nested deeper than {MAX_DEPTH}"
            )));
        }
        if visited > MAX_PARTS * 4 {
            break;
        }
        if let Some(children) = msg.part(id).and_then(MessagePart::sub_parts) {
            stack.extend(children.iter().map(|c| (*c, depth + 1)));
        }
    }
    Ok(())
}

/// An attached document (where answers might hide), not an image or a
/// signature logo.
fn is_document(part: &MessagePart<'_>) -> bool {
    const EXTENSIONS: &[&str] = &[
        "txt", "text", "md", "rtf", "doc", "docx", "odt", "ott", "pdf", "pages", "wpd", "htm",
        "html", "xls", "xlsx", "ods", "csv",
    ];
    // Outlook's rich text travels whole in winmail.dat (MS-TNEF): the
    // answers are in there, as in any attached document.
    if part.content_type().is_some_and(|ct| {
        ct.ctype().eq_ignore_ascii_case("application")
            && ct.subtype().is_some_and(|s| {
                s.eq_ignore_ascii_case("ms-tnef") || s.eq_ignore_ascii_case("vnd.ms-tnef")
            })
    }) || part
        .attachment_name()
        .is_some_and(|n| n.eq_ignore_ascii_case("winmail.dat"))
    {
        return true;
    }
    if let Some(name) = part.attachment_name()
        && let Some((_, ext)) = name.rsplit_once('.')
    {
        return EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str());
    }
    part.content_type().is_some_and(|ct| {
        let t = ct.ctype().to_ascii_lowercase();
        let sub = ct.subtype().unwrap_or("").to_ascii_lowercase();
        (t == "application"
            && (sub == "pdf"
                || sub == "msword"
                || sub == "rtf"
                || sub.starts_with("vnd.openxmlformats")
                || sub.starts_with("vnd.oasis.opendocument")
                || sub.starts_with("vnd.ms-")))
            || (t == "text"
                && part
                    .content_disposition()
                    .is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment")))
    })
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    let list: Vec<String> = match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    };
    list.into_iter()
        .map(|s| no_nul(&s).trim().trim_matches(['<', '>']).to_string())
        .filter(|s| !s.is_empty())
        .collect()
}
