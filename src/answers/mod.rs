//! Extracting answers from an ordinary reply.
//!
//! The shapes people really write are read:
//! - inline: answers written under the quoted questions (`> 2. Which region...`),
//!   also inside an unquoted Outlook original;
//! - numbered: `1. ...`, `1) ...`, `1: ...`, `(1)`, `Q1:`, `#1`, usually above
//!   the quote, and labelled: `Region: Europe`.
//!
//! The quoted original, attribution lines (in many languages), sign-offs,
//! signatures and disclaimers are not answers.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use crate::questions::{Kind, Question, QuestionSet, choice_letter, fold};

mod layout;
mod shape;

use layout::{Layout, Line};

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

/// Raw answers found in one mail, by question id, not yet validated, with
/// what the reader cut and where it had to guess.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extracted {
    pub answers: BTreeMap<String, String>,
    /// Answers the reader guessed about, by question id: staff should look.
    pub checks: BTreeMap<String, Check>,
    /// Every block of the body that was not read as an answer, in order.
    pub cuts: Vec<Cut>,
}

/// Why an answer is marked `check` for staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckReason {
    /// A trailing block was cut as a signature only because of its shape
    /// (the sender's name, contact lines), with no `-- ` line above it.
    SignatureGuessed,
    /// The answer was read from inside an unquoted original (Outlook, Yahoo).
    InsideOriginal,
    /// A line that looks like an attribution was kept in the answer.
    AttributionKept,
}

impl CheckReason {
    /// The stored and reported name (`signature-guessed`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckReason::SignatureGuessed => "signature-guessed",
            CheckReason::InsideOriginal => "inside-original",
            CheckReason::AttributionKept => "attribution-kept",
        }
    }

    /// The inverse of [`CheckReason::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            CheckReason::SignatureGuessed,
            CheckReason::InsideOriginal,
            CheckReason::AttributionKept,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// A guessed answer: the reason, and the applicant's text as written
/// (before the guessed cut), kept beside the stored answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    pub reason: CheckReason,
    pub as_written: String,
}

/// What kind of text a [`Cut`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CutKind {
    /// `>`-quoted lines, or an unquoted copy of our own mail.
    Quote,
    /// "On <date>, <name> wrote:" in any language and shape.
    Attribution,
    /// An older message's `From:/Sent:/To:/Subject:` block, or a
    /// separator (`-----Original Message-----`, a rule of dashes).
    HeaderBlock,
    /// After `-- `, or a trailing name/contact block.
    Signature,
    /// A mail client's footer ("Sent from my iPhone").
    Footer,
    /// "Best regards,\nAda".
    SignOff,
    /// A legal notice.
    Disclaimer,
    /// The original below an attribution or header block.
    Original,
}

/// A block of lines the reader did not take as an answer, and whether that
/// was a guess.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Cut {
    pub kind: CutKind,
    /// 1-based number of the first line in the body read.
    pub first_line: usize,
    pub lines: Vec<String>,
    pub guessed: bool,
}

impl Extracted {
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}

static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:\((\d{1,2})\)|(?:[Qq]|#)\s?(\d{1,2})\s*[.):]?|(\d{1,2})\s*[.):])(?:\s+|$)(.*)$",
    )
    .expect("valid regex")
});
static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([\p{L}][\p{L}\p{M}' -]{0,40}?)\s*[:：]\s*(.*)$").expect("valid regex")
});
static QUESTION_HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,2})[.)]\s+(.+)$").expect("valid regex"));

/// What the extractor knows of our own mails: the question blocks and the
/// template text, so that a copy of it is never taken for an answer.
#[derive(Debug, Clone)]
pub struct Extractor {
    questions: QuestionSet,
    /// Folded text of each question's block, by number.
    blocks: Vec<(usize, String)>,
    known_lines: HashSet<String>,
    /// The same lines as written, trimmed: a cheap exact test.
    known_raw: HashSet<String>,
    known_text: String,
}

impl Extractor {
    /// `ours` are texts of mails we send (rendered templates).
    pub fn new(questions: &QuestionSet, ours: &[String]) -> Self {
        let blocks: Vec<(usize, String)> = questions
            .iter()
            .enumerate()
            .map(|(i, q)| (i + 1, fold(&question_block(q, i + 1).join(" "))))
            .collect();
        let mut known_lines = HashSet::new();
        let mut known_raw = HashSet::new();
        let mut known_text = String::new();
        let block_lines = questions
            .iter()
            .enumerate()
            .flat_map(|(i, q)| question_block(q, i + 1));
        for line in ours
            .iter()
            .flat_map(|t| t.lines().map(str::to_string))
            .chain(block_lines)
        {
            let f = fold(&line);
            if !f.is_empty() && f != "--" {
                known_text.push_str(&f);
                known_text.push(' ');
                known_lines.insert(f);
                known_raw.insert(line.trim().to_string());
            }
        }
        Self {
            questions: questions.clone(),
            blocks,
            known_lines,
            known_raw,
            known_text,
        }
    }

    /// Whether a line (maybe wrapped by a client) is text of ours.
    fn is_ours(&self, line: &str) -> bool {
        let f = fold(line);
        !f.is_empty()
            && (self.known_lines.contains(&f)
                || (f.chars().count() >= 16 && self.known_text.contains(&f)))
    }

    pub fn questions(&self) -> &QuestionSet {
        &self.questions
    }

    /// Extracts raw answers from a plain-text reply body.
    pub fn extract(&self, body: &str) -> Extracted {
        self.read(body, None)
    }

    /// Extracts raw answers from a plain-text reply body whose sender's
    /// display name is `sender` (a signature block may start with it).
    /// Also returns what was cut, and which answers were guesses.
    pub fn read(&self, body: &str, sender: Option<&str>) -> Extracted {
        let layout = self.layout(body, sender);
        let questions = &self.questions;

        // Walk the mail; each run of unquoted text belongs to the quoted
        // question above it while that question's block is what is quoted.
        let mut owner: Option<usize> = None;
        let mut segments: Vec<Segment<'_>> = vec![Segment::new(None, false)];
        for (k, line) in layout.lines.iter().enumerate() {
            match line {
                Line::Quoted(text) => {
                    let t = text.trim();
                    if let Some(n) = quoted_header(t, questions) {
                        owner = Some(n);
                        segments.push(Segment::new(owner, false));
                        continue;
                    }
                    // Blank and indented quoted lines sit under the question
                    // (hints, choices, a copy of the stored answer).
                    let keeps = t.is_empty()
                        || text.starts_with([' ', '\t', '\u{a0}'])
                        || owner.is_some_and(|n| {
                            self.blocks
                                .iter()
                                .any(|(bn, block)| *bn == n && block.contains(&fold(t)))
                        });
                    if !keeps || owner.is_none() {
                        // Text after someone else's quote is not the
                        // continuation of an answer above it.
                        owner = None;
                        if segments.last().is_none_or(|s| !s.is_empty()) {
                            segments.push(Segment::new(None, false));
                        }
                    }
                }
                Line::Cut { guessed, kind } => {
                    if *guessed && *kind == CutKind::Signature {
                        if let Some(last) = segments.last_mut() {
                            last.tail.push(layout.source[k].1.as_str());
                        }
                    } else if owner.is_none()
                        && matches!(kind, CutKind::Attribution | CutKind::HeaderBlock)
                        && segments.last().is_none_or(|s| !s.is_empty())
                    {
                        segments.push(Segment::new(None, false));
                    }
                }
                Line::Text { text, original } => {
                    if let Some(last) = segments.last_mut()
                        && last.owner == owner
                        && last.original == *original
                        && last.tail.is_empty()
                    {
                        last.lines.push(text);
                    } else {
                        let mut seg = Segment::new(owner, *original);
                        seg.lines.push(text);
                        segments.push(seg);
                    }
                }
            }
        }

        let mut out = Extracted {
            cuts: cuts(&layout),
            ..Extracted::default()
        };
        let mut from_original: HashSet<String> = HashSet::new();
        let mut put =
            |q: &Question, lines: &[&str], first_is_rest: bool, original: bool, tail: &[&str]| {
                let text = strip_prompt(&tidy(lines, first_is_rest), q);
                if text.is_empty() {
                    return;
                }
                // What the applicant wrote above an unquoted original wins over
                // what is found inside it (often an old copy of an answer).
                if original && out.answers.contains_key(&q.id) && !from_original.contains(&q.id) {
                    return;
                }
                if original {
                    from_original.insert(q.id.clone());
                } else {
                    from_original.remove(&q.id);
                }
                let check = if !tail.is_empty() {
                    Some(Check {
                        reason: CheckReason::SignatureGuessed,
                        as_written: format!("{text}\n\n{}", tidy(tail, false)),
                    })
                } else if original {
                    Some(Check {
                        reason: CheckReason::InsideOriginal,
                        as_written: text.clone(),
                    })
                } else if text.lines().any(shape::looks_like_attribution) {
                    Some(Check {
                        reason: CheckReason::AttributionKept,
                        as_written: text.clone(),
                    })
                } else {
                    None
                };
                match check {
                    Some(c) => out.checks.insert(q.id.clone(), c),
                    None => out.checks.remove(&q.id),
                };
                out.answers.insert(q.id.clone(), text);
            };
        for seg in segments {
            match seg.owner {
                Some(n) => {
                    let Some(q) = questions.by_number(n) else {
                        continue;
                    };
                    let mut lines = seg.lines;
                    let mut first_is_rest = false;
                    // "1. Ada" written under a quoted question 1.
                    if let Some(first) = lines.first()
                        && let Some((num, rest)) = numbered(first)
                        && num == n
                    {
                        lines[0] = rest;
                        first_is_rest = true;
                    }
                    put(q, &lines, first_is_rest, seg.original, &seg.tail);
                }
                None => {
                    let found = self.numbered_answers(&seg.lines);
                    let last = found.len().saturating_sub(1);
                    for (i, (q, answer_lines)) in found.into_iter().enumerate() {
                        let tail: &[&str] = if i == last { &seg.tail } else { &[] };
                        put(q, &answer_lines, true, seg.original, tail);
                    }
                }
            }
        }
        out
    }

    /// Answers in a run of text outside any quoted question: numbered or
    /// labelled lines, each followed by its continuation lines.
    fn numbered_answers<'a>(&self, seg: &[&'a str]) -> Vec<(&Question, Vec<&'a str>)> {
        let mut out: Vec<(&Question, Vec<&'a str>)> = Vec::new();
        let mut open = false;
        for line in seg {
            if let Some((n, rest)) = numbered(line) {
                match self.questions.by_number(n) {
                    Some(q) => {
                        out.push((q, vec![rest]));
                        open = true;
                    }
                    // A number beyond the questions ends the answer above.
                    None => open = false,
                }
            } else if let Some((q, rest)) = self.labelled(line) {
                out.push((q, vec![rest]));
                open = true;
            } else if open
                && !self.known_raw.contains(line.trim())
                && let Some(last) = out.last_mut()
            {
                // Our own hint lines, pasted back with the questions, are
                // never part of an answer.
                last.1.push(line);
            }
        }
        out
    }

    /// `Region: Europe`: a label naming one question by its id, its prompt,
    /// or a word or phrase found in exactly one prompt.
    fn labelled<'a>(&self, line: &'a str) -> Option<(&Question, &'a str)> {
        let caps = LABELLED.captures(line)?;
        let label = fold(caps.get(1)?.as_str());
        let rest = caps.get(2).map_or("", |m| m.as_str());
        if label.is_empty() || label.split(' ').count() > 4 {
            return None;
        }
        let by_id = self
            .questions
            .iter()
            .find(|q| fold(&q.id.replace(['_', '-'], " ")) == label);
        if by_id.is_some() {
            return by_id.map(|q| (q, rest));
        }
        let padded = format!(" {label} ");
        let hits: Vec<&Question> = self
            .questions
            .iter()
            .filter(|q| {
                let p = fold(q.prompt.trim_end_matches(['?', ':', '.']));
                p == label
                    || format!(" {} ", p.replace(['?', ',', '(', ')'], " ")).contains(&padded)
            })
            .collect();
        match hits.as_slice() {
            [one] if label.chars().count() >= 3 => Some((one, rest)),
            _ => None,
        }
    }
}

/// A run of the applicant's text: the question it answers (when it sits
/// under a quoted question), whether it is inside an unquoted original,
/// and the lines cut below it as a guessed signature.
#[derive(Debug)]
struct Segment<'a> {
    owner: Option<usize>,
    original: bool,
    lines: Vec<&'a str>,
    tail: Vec<&'a str>,
}

impl Segment<'_> {
    fn new(owner: Option<usize>, original: bool) -> Self {
        Self {
            owner,
            original,
            lines: Vec::new(),
            tail: Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.tail.is_empty()
    }
}

/// The cuts of a layout: runs of lines of one kind, quotes included.
fn cuts(layout: &Layout) -> Vec<Cut> {
    let mut out: Vec<Cut> = Vec::new();
    for (k, line) in layout.lines.iter().enumerate() {
        let (kind, guessed) = match line {
            Line::Cut { kind, guessed } => (*kind, *guessed),
            Line::Quoted(_) => (CutKind::Quote, false),
            Line::Text { .. } => continue,
        };
        let (number, text) = &layout.source[k];
        match out.last_mut() {
            Some(c)
                if c.kind == kind
                    && c.guessed == guessed
                    && c.first_line + c.lines.len() >= *number =>
            {
                c.lines.push(text.clone());
            }
            _ => out.push(Cut {
                kind,
                first_line: *number,
                lines: vec![text.clone()],
                guessed,
            }),
        }
    }
    // A quote that is only blank lines says nothing.
    out.retain(|c| c.lines.iter().any(|l| !l.trim().is_empty()));
    out
}

/// Extracts raw answers knowing only the question blocks.
pub fn extract(body: &str, questions: &QuestionSet) -> Extracted {
    Extractor::new(questions, &[]).extract(body)
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
    fn any_short_closing_ends_the_answers() {
        let q = qs();
        let e = extract("1. Ada\n2. Asia\n\nMerci beaucoup,\nAmélie\n", &q);
        assert_eq!(e.answers.get("region").map(String::as_str), Some("Asia"));
        let e = extract("3. First,\nI care.\n", &q);
        assert_eq!(
            e.answers.get("motivation").map(String::as_str),
            Some("First,\nI care.")
        );
    }

    #[test]
    fn answers_under_questions_pasted_without_quoting() {
        let q = qs();
        let mut body = String::from("Here you go:\n\n");
        for (i, question) in q.iter().enumerate() {
            for l in question_block(question, i + 1) {
                body.push_str(&l);
                body.push('\n');
            }
            body.push_str(["Ada Lovelace\n", "europe\n", "Because.\n"][i]);
            body.push('\n');
        }
        let e = extract(&body, &q);
        assert_eq!(
            e.answers.get("name").map(String::as_str),
            Some("Ada Lovelace")
        );
        assert_eq!(e.answers.get("region").map(String::as_str), Some("europe"));
        assert_eq!(
            e.answers.get("motivation").map(String::as_str),
            Some("Because.")
        );
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
