//! `Authentication-Results` fields (RFC 8601 §2.2): which server checked
//! a mail, and what each method (DMARC, DKIM, SPF, …) gave. Reading only:
//! which fields are believed, and what a result means for the mail, is
//! [`crate::domain::gates`]' to say.
//!
//! No crate reads these fields (Stalwart's mail-auth writes them, and of
//! ARC's copy reads only the instance number), so this is a small parser
//! of our own, strict where a result is read: a result is `method=result`
//! (RFC 5321 keywords) right after a `;` that is neither in a comment nor
//! in a quoted string, so that text a sender chose (a HELO name in a
//! comment, a quoted local part) is never taken for a result.

use std::sync::LazyLock;

use regex::Regex;

/// Most fields kept from one mail, counted from the top. A receiving
/// server adds its field at the top (RFC 8601 §2.1), so a sender's many
/// forged fields further down cannot push it out.
pub const MAX_FIELDS: usize = 16;

/// Most characters kept of one result as written, for staff.
const MAX_TEXT: usize = 200;

/// One `Authentication-Results` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResults {
    /// The authserv-id: who checked, lower-cased (compared ignoring ASCII
    /// case, as the host name it is in practice).
    pub authserv_id: String,
    /// The results, in field order; empty for `none`.
    pub results: Vec<MethodResult>,
}

/// One `method=result` with what follows it (RFC 8601 `resinfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodResult {
    /// Lower-cased, without a version: `dmarc`, `dkim`, `spf`, …
    pub method: String,
    /// Lower-cased: `pass`, `fail`, `none`, `temperror`, `permerror`, …
    pub result: String,
    /// The resinfo as written, comments and properties kept, whitespace
    /// collapsed, control characters dropped, at most 200 characters: for
    /// staff.
    pub text: String,
}

/// `method [/ version] = result`, then the end or a space (a comment
/// reads as a space), in the text with comments taken out.
static METHODSPEC: LazyLock<Regex> = LazyLock::new(|| {
    const KEYWORD: &str = "[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?";
    Regex::new(&format!(
        r"^({KEYWORD})\s*(?:/\s*[0-9]+\s*)?=\s*({KEYWORD})(?:\s|$)"
    ))
    .expect("a valid pattern")
});

/// Reads one field's value (what follows `Authentication-Results:`,
/// folded or not).
///
/// `None` when the field is not RFC 8601's: a comment or quoted string
/// left open, no authserv-id, or a version other than 1 (§2.2: a reader
/// ignores a version it does not know). A result that does not read as
/// `method=result` is left out and the others kept.
pub fn parse(value: &str) -> Option<AuthResults> {
    let mut segments = split(value)?.into_iter();
    let head = segments.next()?;
    let authserv_id = head_id(&head.bare)?;
    let results = segments
        .filter_map(|s| {
            let bare = s.bare.trim();
            let caps = METHODSPEC.captures(bare)?;
            Some(MethodResult {
                method: caps[1].to_ascii_lowercase(),
                result: caps[2].to_ascii_lowercase(),
                text: shown(&s.shown),
            })
        })
        .collect();
    Some(AuthResults {
        authserv_id,
        results,
    })
}

/// A part of the field between two `;`.
struct Segment {
    /// With each comment read as one space.
    bare: String,
    /// As written.
    shown: String,
}

/// The field cut at each `;` outside comments and quoted strings; `None`
/// when a comment or a quoted string is not closed.
fn split(value: &str) -> Option<Vec<Segment>> {
    let mut out = Vec::new();
    let mut bare = String::new();
    let mut shown = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in value.chars() {
        if !escaped && depth == 0 && !quoted && c == ';' {
            out.push(Segment {
                bare: std::mem::take(&mut bare),
                shown: std::mem::take(&mut shown),
            });
            continue;
        }
        shown.push(c);
        let in_comment = depth > 0;
        if escaped {
            escaped = false;
        } else if (in_comment || quoted) && c == '\\' {
            escaped = true;
        } else if !quoted && c == '(' {
            depth += 1;
        } else if in_comment && c == ')' {
            depth -= 1;
            if depth == 0 {
                bare.push(' ');
            }
            continue;
        } else if !in_comment && c == '"' {
            quoted = !quoted;
        }
        if depth == 0 {
            bare.push(c);
        }
    }
    if depth > 0 || quoted || escaped {
        return None;
    }
    out.push(Segment { bare, shown });
    Some(out)
}

/// `authserv-id [version]`: a token or a quoted string, then at most a
/// version, which must be 1.
fn head_id(head: &str) -> Option<String> {
    let head = head.trim();
    let (id, rest) = match head.strip_prefix('"') {
        Some(inner) => {
            let mut id = String::new();
            let mut chars = inner.char_indices();
            let end = loop {
                match chars.next()? {
                    (_, '\\') => id.push(chars.next()?.1),
                    (i, '"') => break i + 1,
                    (_, c) => id.push(c),
                }
            };
            (id, &inner[end..])
        }
        None => {
            let end = head.find(char::is_whitespace).unwrap_or(head.len());
            let id = &head[..end];
            if !id.chars().all(is_token_char) {
                return None;
            }
            (id.to_string(), &head[end..])
        }
    };
    let id = id.trim();
    if id.is_empty() {
        return None;
    }
    match rest.trim() {
        "" => {}
        v if v.bytes().all(|b| b.is_ascii_digit()) && v.trim_start_matches('0') == "1" => {}
        _ => return None,
    }
    Some(id.to_ascii_lowercase())
}

/// A character of an RFC 2045 token: printable ASCII but `tspecials`.
pub fn is_token_char(c: char) -> bool {
    c.is_ascii_graphic() && !"()<>@,;:\\\"/[]?=".contains(c)
}

/// A result as staff read it: one line, at most [`MAX_TEXT`] characters.
fn shown(text: &str) -> String {
    let line = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>();
    if line.chars().count() > MAX_TEXT {
        let mut cut: String = line.chars().take(MAX_TEXT).collect();
        cut.push('…');
        cut
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(method, result)` of each result read.
    fn pairs(r: &AuthResults) -> Vec<(&str, &str)> {
        r.results
            .iter()
            .map(|m| (m.method.as_str(), m.result.as_str()))
            .collect()
    }

    /// The authserv-id and the `(method, result)` pairs a field reads
    /// as; `None`: not read at all.
    type Read<'a> = Option<(&'a str, &'a [(&'a str, &'a str)])>;

    #[test]
    fn fields_read_as_rfc_8601_says() {
        let cases: &[(&str, &str, Read<'_>)] = &[
            (
                "OpenDMARC",
                " mx.example.org; dmarc=fail (p=reject dis=none) header.from=example.net",
                Some(("mx.example.org", &[("dmarc", "fail")])),
            ),
            (
                "folded, several methods, a trailing ;",
                " mx.example.org;\r\n\tdkim=pass header.d=example.net header.s=s1 header.b=AbC/+=;\r\n\tspf=pass (domain of a@example.net designates 192.0.2.1) smtp.mailfrom=a@example.net;\r\n\tdmarc=pass (p=NONE sp=NONE dis=NONE) header.from=example.net;",
                Some((
                    "mx.example.org",
                    &[("dkim", "pass"), ("spf", "pass"), ("dmarc", "pass")],
                )),
            ),
            (
                "the authserv-id in any case, version 1",
                "MX.Example.ORG 1; DMARC=Fail header.from=example.net",
                Some(("mx.example.org", &[("dmarc", "fail")])),
            ),
            (
                "a quoted authserv-id",
                "\"mx.example.org\"; dmarc=fail",
                Some(("mx.example.org", &[("dmarc", "fail")])),
            ),
            (
                "no result",
                "mx.example.org; none",
                Some(("mx.example.org", &[])),
            ),
            (
                "a comment right after the result",
                "mx.example.org; dmarc=pass(p=REJECT) header.from=example.net",
                Some(("mx.example.org", &[("dmarc", "pass")])),
            ),
            (
                "a method version, a comment before the id",
                "(checked) mx.example.org; dkim/1 = pass header.d=example.net",
                Some(("mx.example.org", &[("dkim", "pass")])),
            ),
            (
                "a ; inside a comment is no result",
                "mx.example.org; spf=fail (helo=x; dmarc=pass) smtp.mailfrom=a@example.net",
                Some(("mx.example.org", &[("spf", "fail")])),
            ),
            (
                "a ; inside a quoted local part is no result",
                "mx.example.org; spf=fail smtp.mailfrom=\"a; dmarc=pass\"@example.net; dmarc=fail",
                Some(("mx.example.org", &[("spf", "fail"), ("dmarc", "fail")])),
            ),
            (
                "an escaped ) keeps the comment open",
                "mx.example.org; spf=none (helo=x\\); dmarc=pass) smtp.helo=x",
                Some(("mx.example.org", &[("spf", "none")])),
            ),
            (
                "a part that is no result is left out, the rest read",
                "mx.example.org; header.from=example.net; dmarc=fail; =pass; -x=pass",
                Some(("mx.example.org", &[("dmarc", "fail")])),
            ),
            (
                "Microsoft's field without an authserv-id",
                "spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.net; dmarc=pass action=none header.from=example.net",
                None,
            ),
            ("an unknown version", "mx.example.org 2; dmarc=fail", None),
            (
                "a comment left open",
                "mx.example.org; dmarc=fail (p=reject",
                None,
            ),
            (
                "a quoted string left open",
                "mx.example.org; spf=fail smtp.mailfrom=\"a; dmarc=pass",
                None,
            ),
            ("empty", "  ", None),
            ("no authserv-id before the ;", "; dmarc=fail", None),
        ];
        for (name, value, want) in cases {
            let got = parse(value);
            match (want, &got) {
                (None, None) => {}
                (Some((id, results)), Some(got)) => {
                    assert_eq!(got.authserv_id, *id, "{name}");
                    assert_eq!(pairs(got), *results, "{name}");
                }
                _ => panic!("{name}: got {got:?}"),
            }
        }
    }

    #[test]
    fn authentication_results_are_read_top_first_whoever_wrote_them() {
        let mut raw = String::from(
            "Authentication-Results: mx.example.org; dmarc=fail header.from=example.net\r\n\
             Received: from out.example.net by mx.example.org; Mon, 4 Apr 2022 10:00:01 +0000\r\n\
             Authentication-Results: other.example; dkim=pass\r\n\
             Authentication-Results: broken (\r\n\
             From: a@example.net\r\n",
        );
        // A sender's flood of forged fields below.
        for _ in 0..40 {
            raw.push_str("Authentication-Results: mx.example.org; dmarc=pass\r\n");
        }
        raw.push_str("\r\nHello\r\n");
        let m = crate::ingest::parse(raw.as_bytes()).expect("parses");
        let read: Vec<(&str, &str)> = m
            .auth_results
            .iter()
            .map(|f| (f.authserv_id.as_str(), f.results[0].result.as_str()))
            .collect();
        // The unreadable field counts toward the most kept, and is left out.
        assert_eq!(read.len(), MAX_FIELDS - 1);
        assert_eq!(
            read[..3],
            [
                ("mx.example.org", "fail"),
                ("other.example", "pass"),
                ("mx.example.org", "pass")
            ]
        );
    }

    #[test]
    fn a_result_is_kept_as_written_on_one_line() {
        let r = parse(
            "mx.example.org;\r\n  dmarc=fail (p=reject\r\n  dis=none) header.from=example.net\u{7}",
        )
        .expect("a field");
        assert_eq!(
            r.results[0].text,
            "dmarc=fail (p=reject dis=none) header.from=example.net"
        );
        let long = format!("mx.example.org; dkim=fail header.b={}", "x".repeat(500));
        let r = parse(&long).expect("a field");
        assert_eq!(r.results[0].text.chars().count(), MAX_TEXT + 1);
    }
}
