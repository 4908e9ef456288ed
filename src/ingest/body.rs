//! Which text of a mail a person reads: its plain parts, or its HTML
//! when the plain parts are blank or only stand in for it.

use mail_parser::{Message, MessagePart, MimeHeaders, PartType};

use super::{html_to_text, unflow};

/// The text a person reads, and which part(s) it came from (for `explain`).
///
/// Every inline `text/plain` part is read, in order: Apple Mail splits the
/// text around an inline image into several parts. When the plain parts
/// hold only whitespace (some clients send an empty one beside the real
/// HTML), or there is none, the HTML parts are read instead.
pub(super) fn body_text(msg: &Message<'_>) -> (String, String) {
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
