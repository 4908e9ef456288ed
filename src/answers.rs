//! Extracting answers from an ordinary reply.
//!
//! Two shapes are read, as people really write them:
//! - inline: answers written under the quoted questions (`> 2. Which region...`);
//! - numbered: `1. ...`, `1) ...`, `1: ...` lines, usually above the quote.
//!
//! The quoted original, attribution lines and signatures are not answers.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::questions::{Kind, Question, QuestionSet, choice_letter, fold};

/// The lines that present question `number` in our mails, without indentation
/// markers. The extractor recognises quoted copies of exactly these lines.
pub fn question_block(q: &Question, number: usize) -> Vec<String> {
    let mut lines = vec![format!(
        "{number}. {}{}",
        q.prompt.trim(),
        if q.required { " (required)" } else { "" }
    )];
    let mut hint = |s: String| lines.push(format!("   {s}"));
    if let Some(help) = &q.help {
        for l in help.lines().filter(|l| !l.trim().is_empty()) {
            hint(l.trim().to_string());
        }
    }
    match q.kind {
        Kind::Text => {}
        Kind::Paragraph => hint("Several sentences or paragraphs are welcome.".into()),
        Kind::Choice => hint("Choose one (the letter or the name):".into()),
        Kind::Choices => hint("Choose one or more, separated by commas:".into()),
        Kind::Email => hint("An email address.".into()),
        Kind::Url => hint("A web address.".into()),
        Kind::Yesno => hint("Yes or no.".into()),
        Kind::Number => hint("A number.".into()),
    }
    for (i, c) in q.choices.iter().enumerate() {
        hint(format!("{}) {c}", choice_letter(i)));
    }
    lines
}

/// Raw answers found in one mail, by question id, not yet validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    pub answers: BTreeMap<String, String>,
}

impl Extracted {
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

static QUOTE_PREFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[ \t]*(?:>[ \t]?)+").expect("valid regex"));
static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:\((\d{1,2})\)|(?:[Qq]|#)\s?(\d{1,2})\s*[.):]?|(\d{1,2})\s*[.):])(?:\s+|$)(.*)$",
    )
    .expect("valid regex")
});
static QUESTION_HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,2})[.)]\s+(.+)$").expect("valid regex"));
static ATTRIBUTION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\s*on\s.+\bwrote:\s*$").expect("valid regex"));
static ORIGINAL_MESSAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*-{2,}\s*(original message|forwarded message)\s*-{2,}\s*$")
        .expect("valid regex")
});
static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(best|regards|kind regards|best regards|warm regards|warmly|thanks|thank you|many thanks|thanks again|cheers|sincerely|yours|yours sincerely|all the best|greetings|saludos|un saludo|atentamente|cordialement|bien à vous|amitiés|grüße|viele grüße|liebe grüße|mit freundlichen grüßen|lg|mfg|saluti|cordiali saluti|abraços|atenciosamente|с уважением)\s*[,.!]*\s*$",
    )
    .expect("valid regex")
});
static MOBILE_SIGNATURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(sent from my \w+|get outlook for \w+|sent from (outlook|mail) for \w+)")
        .expect("valid regex")
});

#[derive(Debug)]
enum Line<'a> {
    Quoted(&'a str),
    Text(&'a str),
}

/// Extracts raw answers from a plain-text reply body.
pub fn extract(body: &str, questions: &QuestionSet) -> Extracted {
    let lines = classify(body);
    let blocks: Vec<(usize, String)> = questions
        .iter()
        .enumerate()
        .map(|(i, q)| (i + 1, fold(&question_block(q, i + 1).join(" "))))
        .collect();

    // Walk the mail; each run of unquoted text belongs to the quoted question
    // above it, if that question's block is still what is being quoted.
    let mut owner: Option<usize> = None;
    let mut segments: Vec<(Option<usize>, Vec<&str>)> = vec![(None, Vec::new())];
    for line in &lines {
        match line {
            Line::Quoted(text) => {
                let t = text.trim();
                if let Some(n) = quoted_header(t, questions) {
                    owner = Some(n);
                    segments.push((owner, Vec::new()));
                    continue;
                }
                // Blank and indented quoted lines sit under the question
                // (hints, choices, a copy of the stored answer).
                let keeps = t.is_empty()
                    || text.starts_with([' ', '\t', '\u{a0}'])
                    || owner.is_some_and(|n| {
                        blocks
                            .iter()
                            .any(|(bn, block)| *bn == n && block.contains(&fold(t)))
                    });
                if !keeps && owner.is_some() {
                    owner = None;
                    segments.push((None, Vec::new()));
                }
            }
            Line::Text(text) => {
                if let Some(last) = segments.last_mut() {
                    if last.0 != owner {
                        segments.push((owner, vec![text]));
                    } else {
                        last.1.push(text);
                    }
                }
            }
        }
    }

    let mut out = Extracted::default();
    for (owner, seg) in segments {
        match owner {
            Some(n) => {
                let Some(q) = questions.by_number(n) else {
                    continue;
                };
                let mut seg = seg;
                let mut first_is_rest = false;
                // "1. Ada" written under a quoted question 1.
                if let Some(first) = seg.first()
                    && let Some((num, rest)) = numbered(first)
                    && num == n
                {
                    seg[0] = rest;
                    first_is_rest = true;
                }
                put(&mut out, q, &seg, first_is_rest);
            }
            None => {
                for (n, answer_lines) in numbered_answers(&seg) {
                    if let Some(q) = questions.by_number(n) {
                        put(&mut out, q, &answer_lines, true);
                    }
                }
            }
        }
    }
    out
}

fn put(out: &mut Extracted, q: &Question, lines: &[&str], first_is_rest: bool) {
    let text = strip_prompt(&tidy(lines, first_is_rest), q);
    if !text.is_empty() {
        out.answers.insert(q.id.clone(), text);
    }
}

/// Number of the question a quoted line introduces, if it is one of ours.
fn quoted_header(text: &str, questions: &QuestionSet) -> Option<usize> {
    let caps = QUESTION_HEADER.captures(text)?;
    let n: usize = caps.get(1)?.as_str().parse().ok()?;
    let q = questions.by_number(n)?;
    let rest = fold(caps.get(2)?.as_str());
    let prompt = fold(&q.prompt);
    // The quoting client may have wrapped a long prompt: compare the start.
    let probe: String = prompt.chars().take(rest.chars().count().min(24)).collect();
    (!probe.is_empty() && rest.starts_with(&probe)).then_some(n)
}

/// Splits the body into quoted and unquoted lines, dropping signatures,
/// attribution lines and forwarded originals.
fn classify(body: &str) -> Vec<Line<'_>> {
    let raw: Vec<&str> = body.lines().collect();
    let mut out = Vec::with_capacity(raw.len());
    let mut in_signature = false;
    let mut i = 0;
    while i < raw.len() {
        let line = raw[i].trim_end_matches('\r');
        i += 1;
        if let Some(m) = QUOTE_PREFIX.find(line) {
            // A signature ends where the quoted original begins.
            in_signature = false;
            out.push(Line::Quoted(&line[m.end()..]));
            continue;
        }
        if in_signature {
            continue;
        }
        let trimmed = line.trim_end();
        if trimmed == "--"
            || trimmed == "__"
            || MOBILE_SIGNATURE.is_match(line)
            || SIGN_OFF.is_match(line)
        {
            in_signature = true;
            continue;
        }
        if ORIGINAL_MESSAGE.is_match(line) {
            // Everything after an Outlook-style separator is the original.
            break;
        }
        if ATTRIBUTION.is_match(line) {
            continue;
        }
        // "On Mon, 4 Apr 2022 at 10:00, Team" / "<team@example.org> wrote:"
        if line.trim_start().to_lowercase().starts_with("on ")
            && raw
                .get(i)
                .is_some_and(|next| next.trim_end().to_lowercase().ends_with("wrote:"))
        {
            i += 1;
            continue;
        }
        out.push(Line::Text(line));
    }
    out
}

/// `(number, rest of line)` for a line that starts with an answer number.
fn numbered(line: &str) -> Option<(usize, &str)> {
    let caps = NUMBERED.captures(line)?;
    let n = caps
        .get(1)
        .or_else(|| caps.get(2))
        .or_else(|| caps.get(3))?
        .as_str()
        .parse()
        .ok()?;
    Some((n, caps.get(4).map_or("", |m| m.as_str())))
}

fn numbered_answers<'a>(seg: &[&'a str]) -> Vec<(usize, Vec<&'a str>)> {
    let mut out: Vec<(usize, Vec<&'a str>)> = Vec::new();
    for line in seg {
        if let Some((n, rest)) = numbered(line) {
            out.push((n, vec![rest]));
        } else if let Some(last) = out.last_mut() {
            last.1.push(line);
        }
    }
    out
}

/// Trims each line's end, drops blank lines at both ends and keeps at most
/// one blank line between paragraphs. When the first line is what followed
/// an answer number, the hanging indent of the lines below it is removed.
fn tidy(lines: &[&str], first_is_rest: bool) -> String {
    let mut out: Vec<&str> = Vec::new();
    for l in lines {
        let l = l.trim_end();
        let l = l.strip_prefix('\u{a0}').unwrap_or(l);
        if l.trim().is_empty() {
            if out.last().is_some_and(|p| !p.is_empty()) {
                out.push("");
            }
        } else {
            out.push(l.trim_end());
        }
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    // Indentation common to every line is presentation, not content.
    let skip = usize::from(first_is_rest && lines.first().is_some_and(|l| !l.trim().is_empty()));
    let indent = out
        .iter()
        .skip(skip)
        .filter(|l| !l.is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    out.iter()
        .enumerate()
        .map(|(i, l)| {
            if i < skip {
                l.trim_start()
            } else {
                strip_indent(l, indent)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Removes leading whitespace up to `bytes` bytes, never splitting a character.
fn strip_indent(line: &str, bytes: usize) -> &str {
    let cut = line
        .char_indices()
        .find(|(i, c)| *i >= bytes || !c.is_whitespace())
        .map_or(line.len(), |(i, _)| i);
    &line[cut..]
}

/// Drops a repeated prompt ("What is your name? Ada" or "Name: Ada").
fn strip_prompt(answer: &str, q: &Question) -> String {
    let (first, rest) = match answer.split_once('\n') {
        Some((f, r)) => (f, Some(r)),
        None => (answer, None),
    };
    let prompt = q.prompt.trim();
    let folded_first = fold(first);
    let folded_prompt = fold(prompt);
    let mut new_first: Option<String> = None;
    if !folded_prompt.is_empty() && folded_first.starts_with(&folded_prompt) {
        let skip = prompt.chars().count();
        let remainder: String = first.trim_start().chars().skip(skip).collect();
        let remainder = remainder.trim_start();
        let remainder = remainder
            .strip_prefix("(required)")
            .unwrap_or(remainder)
            .trim_start_matches([':', '-', ' ']);
        new_first = Some(remainder.to_string());
    }
    match new_first {
        None => answer.to_string(),
        Some(f) => {
            let mut joined = f;
            if let Some(r) = rest {
                if !joined.is_empty() {
                    joined.push('\n');
                }
                joined.push_str(r);
            }
            joined.trim().to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn qs() -> QuestionSet {
        QuestionSet::parse(
            r#"
[[question]]
id = "name"
prompt = "What is your full name?"
required = true
[[question]]
id = "region"
prompt = "Which region do you live in?"
kind = "choice"
choices = ["Africa", "Asia", "Europe", "Latin America", "North America", "Oceania"]
required = true
[[question]]
id = "motivation"
prompt = "Why do you want to join the Leadership Development Working Group, and what would you bring to it?"
kind = "paragraph"
required = true
"#,
            Path::new("q.toml"),
        )
        .expect("questions")
    }

    fn quoted_questions(q: &QuestionSet) -> String {
        let mut s = String::from("> Hello,\n>\n> To apply, reply to this mail.\n>\n");
        for (i, question) in q.iter().enumerate() {
            for l in question_block(question, i + 1) {
                s.push_str(&format!("> {l}\n"));
            }
            s.push_str(">\n");
        }
        s.push_str("> -- \n> Leadership Development Working Group\n");
        s
    }

    #[test]
    fn inline_answers_under_quoted_questions() {
        let q = qs();
        let quoted = quoted_questions(&q);
        // Insert answers after each question block.
        let mut body = String::from(
            "Hi, here are my answers.\n\nOn Mon, 4 Apr 2022, Team <team@example.org> wrote:\n",
        );
        for line in quoted.lines() {
            body.push_str(line);
            body.push('\n');
            if line.starts_with("> 1. ") {
                body.push_str("Ada Lovelace\n");
            }
            if line.starts_with(">    f) Oceania") {
                body.push_str("\neurope\n\n");
            }
            if line.starts_with(">    Several") {
                body.push_str("I like it.\n\nSecond paragraph\nstill second.\n");
            }
        }
        body.push_str("\nBest,\nAda\n-- \nAda Lovelace, Analytical Engines Ltd\n");
        let e = extract(&body, &q);
        assert_eq!(
            e.answers.get("name").map(String::as_str),
            Some("Ada Lovelace")
        );
        assert_eq!(e.answers.get("region").map(String::as_str), Some("europe"));
        assert_eq!(
            e.answers.get("motivation").map(String::as_str),
            Some("I like it.\n\nSecond paragraph\nstill second.")
        );
    }

    #[test]
    fn closing_words_after_the_quote_are_not_an_answer() {
        let q = qs();
        let quoted = quoted_questions(&q);
        let body = quoted.replace(
            "> 1. What is your full name? (required)\n",
            "> 1. What is your full name? (required)\nAda\n",
        ) + "\nThanks!\n";
        let e = extract(&body, &q);
        assert_eq!(e.answers.get("name").map(String::as_str), Some("Ada"));
        assert_eq!(e.answers.len(), 1, "{e:?}");
    }

    #[test]
    fn wrapped_quoted_prompt_still_owns_the_answer() {
        let q = qs();
        let body = "> 3. Why do you want to join the Leadership Development Working\n> Group, and what would you bring to it? (required)\n> Several sentences or paragraphs are welcome.\nBecause.\n";
        let e = extract(body, &q);
        assert_eq!(
            e.answers.get("motivation").map(String::as_str),
            Some("Because.")
        );
    }

    #[test]
    fn top_posted_numbered_answers_in_every_style() {
        let q = qs();
        for (a, b, c) in [
            ("1.", "2.", "3."),
            ("1)", "2)", "3)"),
            ("1:", "2:", "3:"),
            ("(1)", "(2)", "(3)"),
            ("Q1:", "Q2:", "Q3:"),
            ("#1", "#2", "#3"),
        ] {
            let body = format!(
                "{a} Ada Lovelace\n{b} Europe\n{c} Because I care.\nAnd more.\n\nOn Tue, Apr 5, 2022 at 9:00 AM Team <team@example.org> wrote:\n{}",
                quoted_questions(&q)
            );
            let e = extract(&body, &q);
            assert_eq!(
                e.answers.get("name").map(String::as_str),
                Some("Ada Lovelace"),
                "{a}"
            );
            assert_eq!(
                e.answers.get("region").map(String::as_str),
                Some("Europe"),
                "{b}"
            );
            assert_eq!(
                e.answers.get("motivation").map(String::as_str),
                Some("Because I care.\nAnd more."),
                "{c}"
            );
        }
    }

    #[test]
    fn numbered_answer_on_next_line_and_repeated_prompt() {
        let q = qs();
        let body = "1.\nAda\n2. Which region do you live in? Europe\n";
        let e = extract(body, &q);
        assert_eq!(e.answers.get("name").map(String::as_str), Some("Ada"));
        assert_eq!(e.answers.get("region").map(String::as_str), Some("Europe"));
    }

    #[test]
    fn signatures_and_wrapped_attribution_are_dropped() {
        let q = qs();
        let body = "1. Ada\n2. Asia\n\nSent from my iPhone\n\nOn Tue, Apr 5, 2022 at 9:00 AM Leadership Team <\nteam@example.org> wrote:\n> 1. What is your full name?\n";
        let e = extract(body, &q);
        assert_eq!(e.answers.get("region").map(String::as_str), Some("Asia"));
        let body2 = "1. Ada\n2. Asia\n-- \n3. not an answer\n";
        let e2 = extract(body2, &q);
        assert!(!e2.answers.contains_key("motivation"), "{e2:?}");
    }

    #[test]
    fn sign_off_ends_the_last_numbered_answer() {
        let q = qs();
        let e = extract("1. Ada\n2. Asia\n\nBest,\nAda\n", &q);
        assert_eq!(e.answers.get("region").map(String::as_str), Some("Asia"));
        let e = extract("2. Asia\nKind regards\nAda\n", &q);
        assert_eq!(e.answers.get("region").map(String::as_str), Some("Asia"));
    }

    #[test]
    fn a_signature_above_the_quote_does_not_hide_inline_answers() {
        let q = qs();
        let body =
            "Answers below.\n-- \nAda\n\n> 1. What is your full name? (required)\nAda Lovelace\n";
        let e = extract(body, &q);
        assert_eq!(
            e.answers.get("name").map(String::as_str),
            Some("Ada Lovelace")
        );
    }

    #[test]
    fn indented_quoted_lines_stay_with_their_question() {
        let q = qs();
        let body = "> 1. What is your full name? (required)\n>    Ada L.\n>    Problem: too short\nAda Lovelace\n> Thanks\nNot an answer\n";
        let e = extract(body, &q);
        assert_eq!(
            e.answers.get("name").map(String::as_str),
            Some("Ada Lovelace")
        );
    }

    #[test]
    fn hanging_indent_under_a_numbered_answer_is_removed() {
        let q = qs();
        let e = extract(
            "3. I edit and\n   help run things.\n\n   Second paragraph.\n",
            &q,
        );
        assert_eq!(
            e.answers.get("motivation").map(String::as_str),
            Some("I edit and\nhelp run things.\n\nSecond paragraph.")
        );
    }

    #[test]
    fn mixed_unicode_indentation_does_not_panic() {
        let q = qs();
        let body = "3. a\n \u{a0}b\n\u{a0}\u{3000}c\n\u{3000}d\n> 1. What is your full name?\n\u{a0}x\n \u{2003}y\n";
        let e = extract(body, &q);
        assert!(e.answers.contains_key("motivation"));
        assert!(e.answers.contains_key("name"));
    }

    #[test]
    fn a_plain_first_mail_has_no_answers() {
        let q = qs();
        assert!(
            extract(
                "Hello, I would like to apply. Please send the questions.\n\nThanks, Ada",
                &q
            )
            .is_empty()
        );
        assert!(extract("", &q).is_empty());
    }

    #[test]
    fn numbers_beyond_the_questions_are_ignored() {
        let q = qs();
        let e = extract("7. something\n1. Ada\n", &q);
        assert_eq!(e.answers.len(), 1);
    }
}
