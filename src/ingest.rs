//! Raw message bytes to an [`Inbound`] record. Never panics, whatever the input.

pub mod authres;

use chrono::{DateTime, Utc};
use std::sync::LazyLock;

use mail_parser::{HeaderValue, Message, MessageParser, MessagePart, MimeHeaders, PartType};
use regex::Regex;

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
/// Block quotes beyond which HTML is rendered flat.
const MAX_HTML_QUOTES: usize = 64;
/// HTML larger than this is rendered flat.
const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;

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

/// The text a person reads, and which part(s) it came from (for `explain`).
///
/// Every inline `text/plain` part is read, in order: Apple Mail splits the
/// text around an inline image into several parts. When the plain parts
/// hold only whitespace (some clients send an empty one beside the real
/// HTML), or there is none, the HTML parts are read instead.
fn body_text(msg: &Message<'_>) -> (String, String) {
    let parts = |ids: &[u32]| -> Vec<(u32, &MessagePart<'_>)> {
        ids.iter()
            .filter_map(|id| msg.part(*id).map(|p| (*id, p)))
            .filter(|(_, p)| {
                !p.content_disposition()
                    .is_some_and(|d| d.ctype().eq_ignore_ascii_case("attachment"))
            })
            .collect()
    };
    let mut plain: Vec<String> = Vec::new();
    let mut plain_ids: Vec<u32> = Vec::new();
    for (id, part) in parts(&msg.text_body) {
        if let PartType::Text(text) = &part.body {
            plain.push(plain_text(part, text));
            plain_ids.push(id);
        }
    }
    let plain_text = plain.join("\n");
    if !crate::answers::shows_nothing(&plain_text) && !is_placeholder(&plain_text, msg) {
        let source = match plain.len() {
            1 => "the text/plain part".to_string(),
            n => format!("{n} text/plain parts, joined in order"),
        };
        return (plain_text, source);
    }
    let mut html: Vec<String> = Vec::new();
    let mut seen: Vec<u32> = Vec::new();
    for (id, part) in parts(&msg.html_body)
        .into_iter()
        .chain(parts(&msg.text_body))
    {
        if let PartType::Html(h) = &part.body
            && !seen.contains(&id)
        {
            seen.push(id);
            html.push(html_to_text(h));
        }
    }
    let html_text = html.join("\n");
    if html.is_empty() {
        let source = if plain.is_empty() {
            "no text part"
        } else {
            "the text/plain part (blank)"
        };
        return (plain_text, source.to_string());
    }
    let source = match (plain.is_empty(), html.len()) {
        (true, 1) => "the text/html part".to_string(),
        (true, n) => format!("{n} text/html parts, joined in order"),
        (false, _) if crate::answers::shows_nothing(&plain_text) => {
            "the text/html part (the text/plain part is blank)".to_string()
        }
        (false, _) => {
            "the text/html part (the text/plain part only says to read the HTML)".to_string()
        }
    };
    (html_text, source)
}

/// Whether a short plain part only stands in for the HTML part ("This
/// message is in HTML format"): a few lines, none of them in the HTML's
/// text, which holds far more.
fn is_placeholder(plain: &str, msg: &Message<'_>) -> bool {
    let lines: Vec<&str> = plain.lines().filter(|l| !l.trim().is_empty()).collect();
    if lines.len() > 4 || plain.chars().count() > 300 {
        return false;
    }
    let html: String = msg
        .html_body
        .iter()
        .filter_map(|id| msg.part(*id))
        .filter_map(|p| match &p.body {
            PartType::Html(h) => Some(html_to_text(h)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let fold = |s: &str| crate::questions::fold(s);
    let html_folded = fold(&html);
    let weight = |s: &str| s.chars().filter(|c| !c.is_whitespace()).count();
    weight(&html) >= 3 * weight(plain).max(1)
        && lines.iter().all(|l| !html_folded.contains(&fold(l)))
}

/// One `text/plain` part's text, RFC 3676 `format=flowed` joined.
fn plain_text(part: &MessagePart<'_>, text: &str) -> String {
    let ct = part.content_type();
    let param = |name: &str, want: &str| {
        ct.and_then(|c| c.attribute(name))
            .is_some_and(|v| v.eq_ignore_ascii_case(want))
    };
    if param("format", "flowed") {
        unflow(text, param("delsp", "yes"))
    } else {
        text.to_string()
    }
}

static P_OPEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<p(\s[^>]*)?>").expect("valid regex"));
/// Links and images: their text is kept, their markup (which html2text
/// would show as `[...]`) is not.
static LINK_OR_IMAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</?a\b[^>]*>|<img\b[^>]*>").expect("valid regex"));
/// Containers in which clients put the original below a reply without
/// quoting it: Outlook's header block (`divRplyFwdMsg`, the border-top
/// `div`), Yahoo's `yahoo_quoted`, Proton's `protonmail_quote`. A
/// separator line is put before them so the reader knows the original starts.
static ORIGINAL_CONTAINER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)<div\b[^>]*(?:id="?(?:divRplyFwdMsg|x_divRplyFwdMsg)\b|class="?[^">]*\b(?:yahoo_quoted|protonmail_quote)\b|style="?[^">]*border-top:\s*solid\s+#(?:E1E1E1|B5C4DF))[^>]*>"#,
    )
    .expect("valid regex")
});
/// The separator put before such a container (see [`ORIGINAL_CONTAINER`]).
const ORIGINAL_MARK: &str = "<div>-----Original Message (HTML quote container)-----</div>$0";
static P_CLOSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</p\s*>").expect("valid regex"));

/// HTML as a reader sees it, block quotes as `> ` lines. Paragraphs become
/// single line breaks: mail clients (Outlook above all) set their margins
/// to zero, and an empty paragraph is how they show a blank line.
pub fn html_to_text(html: &str) -> String {
    // Quote depth multiplies the output: past any real thread's depth, or
    // for very large HTML, fall back to mail-parser's flat, linear rendering.
    let quotes = html.matches("<blockquote").count() + html.matches("<BLOCKQUOTE").count();
    if quotes > MAX_HTML_QUOTES || html.len() > MAX_HTML_BYTES {
        return mail_parser::decoders::html::html_to_text(html);
    }
    let pre = ORIGINAL_CONTAINER.replace_all(html, ORIGINAL_MARK);
    let pre = LINK_OR_IMAGE.replace_all(&pre, "");
    let pre = P_OPEN.replace_all(&pre, "");
    let pre = P_CLOSE.replace_all(&pre, "<br>");
    html2text::config::plain_no_decorate()
        .raw_mode(true)
        .string_from_read(pre.as_bytes(), 1_000_000)
        .unwrap_or_default()
        .replace('\u{a0}', " ")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Decodes RFC 3676 `format=flowed` text: a line ending in a space
/// continues on the next line of the same quote depth; one leading space
/// is stuffing. Quoted lines come back with `> ` markers.
pub fn unflow(text: &str, delsp: bool) -> String {
    fn render(depth: usize, s: &str) -> String {
        if depth == 0 {
            s.to_string()
        } else {
            format!("{} {s}", ">".repeat(depth))
        }
    }
    let mut out: Vec<String> = Vec::new();
    let mut para: Option<(usize, String)> = None;
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let depth = line.bytes().take_while(|b| *b == b'>').count();
        let content = &line[depth..];
        let content = content.strip_prefix(' ').unwrap_or(content);
        // The signature separator is the one line that is never flowed.
        let soft = content.ends_with(' ') && content != "-- ";
        let piece = if soft && delsp {
            &content[..content.len() - 1]
        } else {
            content
        };
        match para.take() {
            Some((d, mut acc)) if d == depth => {
                acc.push_str(piece);
                if soft {
                    para = Some((d, acc));
                } else {
                    out.push(render(d, &acc));
                }
            }
            other => {
                if let Some((d, acc)) = other {
                    out.push(render(d, &acc));
                }
                if soft {
                    para = Some((depth, piece.to_string()));
                } else {
                    out.push(render(depth, piece));
                }
            }
        }
    }
    if let Some((d, acc)) = para {
        out.push(render(d, &acc));
    }
    out.join("\n")
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
        assert!(m.facts.autoreply_headers.is_empty());
        assert!(m.facts.helpdesk_headers.is_empty());
    }

    #[test]
    fn autoresponder_and_helpdesk_headers_are_recorded() {
        let raw = b"From: a@b.c\r\nSubject: Hi\r\nX-Autoreply: yes\r\nx-autorespond: Mailbox\r\n Rules Agent\r\nX-Vacation: no\r\nX-Zendesk-From-Account-Id: 4821\r\nRT-Ticket: rt.example.org #48213\r\nX-Mailer: Outlook\r\nThread-Topic: Hi\r\n\r\nbody\r\n";
        let m = parse(raw).expect("parses");
        assert_eq!(
            m.facts.autoreply_headers,
            vec![
                "X-Autoreply: yes",
                "x-autorespond: Mailbox Rules Agent",
                "X-Vacation: no"
            ]
        );
        assert_eq!(
            m.facts.helpdesk_headers,
            vec![
                "X-Zendesk-From-Account-Id: 4821",
                "RT-Ticket: rt.example.org #48213"
            ]
        );
        assert!(!m.facts.auto_response_suppress);

        // A mail made of such headers keeps a bounded number of them.
        let mut many = String::from("From: a@b.c\r\n");
        for i in 0..1000 {
            many.push_str(&format!("X-Autoreply: {}\r\n", "y".repeat(i)));
        }
        many.push_str("\r\nbody\r\n");
        let m = parse(many.as_bytes()).expect("parses");
        assert_eq!(m.facts.autoreply_headers.len(), MAX_FACT_HEADERS);
        assert!(
            m.facts
                .autoreply_headers
                .iter()
                .all(|h| h.chars().count() <= "X-Autoreply: ".len() + MAX_FACT_VALUE)
        );
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
    fn flowed_text_is_joined_per_quote_depth() {
        let t = "1. Ada \n Lovelace\n3. I like \nit.\n-- \nsig\n> 1. What is \n> your name?\n>> old \n>> text\n";
        assert_eq!(
            unflow(t, false),
            "1. Ada Lovelace\n3. I like it.\n-- \nsig\n> 1. What is your name?\n>> old text\n"
        );
        assert_eq!(unflow("abc \ndef", true), "abcdef");
    }

    #[test]
    fn flowed_body_is_decoded_in_parse() {
        let raw = b"From: a@b.c\r\nContent-Type: text/plain; charset=UTF-8; format=flowed\r\n\r\n4. Because I \r\nreally care.\r\n";
        let m = parse(raw).expect("parses");
        assert!(m.body.contains("4. Because I really care."), "{}", m.body);
    }

    #[test]
    fn html_quotes_become_quote_markers() {
        let t = html_to_text(
            "<div>1. Ada</div><div class=\"gmail_quote\">On Mon wrote:<br><blockquote class=\"gmail_quote\"><p>1. What is your name?</p></blockquote></div>",
        );
        assert!(t.contains("1. Ada"), "{t}");
        assert!(
            t.lines().any(|l| l.starts_with("> 1. What is your name?")),
            "{t}"
        );
    }

    #[test]
    fn outlook_paragraphs_are_lines() {
        let t = html_to_text(
            "<p class=MsoNormal>1. Jonas<o:p></o:p></p><p class=MsoNormal>2. Europe<o:p></o:p></p><p class=MsoNormal>&nbsp;</p><p class=MsoNormal>Best</p>",
        );
        assert_eq!(t.trim(), "1. Jonas\n2. Europe\n\nBest", "{t:?}");
    }

    #[test]
    fn documents_are_listed_images_are_not() {
        let raw = b"From: a@b.c\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--x\r\nContent-Type: application/pdf; name=answers.pdf\r\nContent-Disposition: attachment; filename=answers.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--x\r\nContent-Type: image/png; name=logo.png\r\nContent-Disposition: inline; filename=logo.png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--x--\r\n";
        let m = parse(raw).expect("parses");
        assert_eq!(m.attachments, vec!["answers.pdf"]);
        assert!(m.body.contains("See attached."));
    }

    #[test]
    fn too_many_parts_or_too_deep_is_refused() {
        let mut raw =
            String::from("From: a@b.c\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
        for _ in 0..(MAX_PARTS + 5) {
            raw.push_str("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n");
        }
        raw.push_str("--b--\r\n");
        assert!(matches!(
            parse(raw.as_bytes()),
            Err(IngestError::TooComplex(_))
        ));
        let mut deep = String::from("From: a@b.c\r\n");
        for i in 0..(MAX_DEPTH + 5) {
            deep.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=b{i}\r\n\r\n--b{i}\r\n"
            ));
        }
        deep.push_str("Content-Type: text/plain\r\n\r\nhi\r\n");
        assert!(
            matches!(parse(deep.as_bytes()), Err(IngestError::TooComplex(_))),
            "deep nesting"
        );
    }

    #[test]
    fn html_only_becomes_text() {
        let raw = b"From: a@b.c\r\nContent-Type: text/html\r\n\r\n<p>1. Ada</p><p>2. Europe</p>";
        let m = parse(raw).expect("parses");
        assert!(m.body.contains("1. Ada"), "{}", m.body);
        assert!(m.body.contains("2. Europe"), "{}", m.body);
    }

    #[test]
    fn a_plain_placeholder_gives_way_to_the_html() {
        let raw = b"From: a@b.c\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nThis message is in HTML format. Please use an HTML mail reader.\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>1. Ada Lovelace</p><p>2. Europe</p><p>4. I organise editing workshops in my town every month.</p><blockquote>Hello, thank you for your interest in the working group. To apply, reply to this mail and write each answer under its question.</blockquote>\r\n--x--\r\n";
        let m = parse(raw).expect("parses");
        assert!(m.body.contains("1. Ada Lovelace"), "{}", m.body);
        assert!(m.body_source.contains("text/html"), "{}", m.body_source);
        // A short real reply whose words are in the HTML stays plain.
        let raw = b"From: a@b.c\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n1. Ada\r\n--x\r\nContent-Type: text/html\r\n\r\n<p>1. Ada</p><blockquote>Hello, thank you for your interest in the working group and all of its many activities.</blockquote>\r\n--x--\r\n";
        let m = parse(raw).expect("parses");
        assert_eq!(m.body_source, "the text/plain part");
    }

    /// Found by review, now fixed: `"ada"@example.net` is the same mailbox as
    /// `ada@example.net` (RFC 5321 4.1.2: quoting changes nothing), and our
    /// reply goes there, but the address is kept quoted: the daily limit
    /// per kind, the per-address send limit and the application are all
    /// keyed by the string, so a forger gets a second full set of mails
    /// (questions, confirm requests) to the same victim each day, and a
    /// second application for the same person.
    #[test]
    fn a_quoted_local_part_is_the_same_sender_as_the_plain_one() {
        let raw = b"From: Ada <\"ada\"@example.net>\r\nSubject: x\r\n\r\nDELETE\r\n";
        let m = parse(raw).expect("parses");
        let address = m.from.map(|f| f.address);
        assert_eq!(address.as_deref(), Some("ada@example.net"));
    }
}
