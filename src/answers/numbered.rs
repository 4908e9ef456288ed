//! Answers in the applicant's own text: numbered (`1.`, `1)`, `(1)`,
//! `Q1:`, `#1`), labelled (`Region: Europe`), or under a quoted question;
//! and how an answer's text is tidied (indentation, a repeated prompt).

use std::sync::LazyLock;

use regex::Regex;

use super::Extractor;
use crate::questions::{Kind, Question, QuestionSet, fold};

static NUMBERED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^\s*(?:[(（](\d{1,2})[)）]|(?:[Qq]|#)\s?(\d{1,2})\s*[.):]?|(\d{1,2})\s*([.):、．：）]|[-–]))(\s*)(.*)$",
    )
    .expect("valid regex")
});
static LABELLED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([\p{L}][\p{L}\p{M}' -]{0,40}?)\s*[:：]\s*(.*)$").expect("valid regex")
});
static QUESTION_HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,2})[.)]\s+(.+)$").expect("valid regex"));

impl Extractor {
    /// Answers in a run of text outside any quoted question: numbered or
    /// labelled lines, each followed by its continuation lines.
    /// Each answer found: its question, its lines, and whether the
    /// question was guessed from the value alone (a label we could not name).
    pub(super) fn numbered_answers<'a>(
        &self,
        seg: &[&'a str],
    ) -> Vec<(&Question, Vec<&'a str>, bool)> {
        let mut out: Vec<(&Question, Vec<&'a str>, bool)> = Vec::new();
        let mut open = false;
        let mut by_label = false;
        let mut open_indent = 0;
        let indent = |l: &str| l.chars().take_while(|c| c.is_whitespace()).count();
        for line in seg {
            let loose = !open || by_label;
            // A numbered list inside a paragraph answer: indented under it,
            // or numbers going back to questions already answered above.
            let number = numbered(line);
            let sub_list = open
                && !by_label
                && out
                    .last()
                    .is_some_and(|(q, _, _)| q.kind == Kind::Paragraph)
                && number.is_some_and(|(n, _)| {
                    indent(line) > open_indent
                        || self
                            .questions
                            .by_number(n)
                            .is_some_and(|q| out.iter().any(|(f, _, _)| f.id == q.id))
                });
            if sub_list && let Some(last) = out.last_mut() {
                last.1.push(line);
            } else if let Some((n, rest)) = number {
                open_indent = indent(line);
                match self.questions.by_number(n) {
                    Some(q) => {
                        out.push((q, vec![rest], false));
                        open = true;
                        by_label = false;
                    }
                    // A number beyond the questions ends the answer above.
                    None => open = false,
                }
            } else if let Some((q, rest)) = self
                .labelled(line)
                .or_else(|| loose.then(|| self.labelled_loosely(line)).flatten())
            {
                // A loose label ("Full name:") only where no numbered answer
                // is open: inside a paragraph answer, "Group work: …" is text.
                out.push((q, vec![rest], false));
                open = true;
                by_label = true;
            } else if loose && let Some((q, rest)) = self.labelled_by_value(line, &out) {
                out.push((q, vec![rest], true));
                open = true;
                by_label = true;
            } else if by_label
                && (loose_label(line).is_some()
                    || out
                        .last()
                        .is_some_and(|(q, _, _)| q.kind != Kind::Paragraph))
            {
                // "Phone: …" under "Name: Ada" is another field of a
                // labelled reply, one we did not ask for; only a paragraph
                // answer goes on over several lines.
                open = false;
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

    /// `Full name: Ada`, `E-mail: …`, `Why I want to join: …`: a label as
    /// people write it, naming one question by the words it shares with
    /// that question's id and prompt (at least half of its own words, more
    /// than with any other question).
    pub(super) fn labelled_loosely<'a>(&self, line: &'a str) -> Option<(&Question, &'a str)> {
        let (label, rest) = loose_label(line)?;
        let label = words(label);
        if label.is_empty() || label.len() > 6 {
            return None;
        }
        let mut scored: Vec<(usize, &Question)> = self
            .questions
            .iter()
            .zip(&self.labels)
            .map(|(q, l)| (label.iter().filter(|w| names(&l.words, w)).count(), q))
            .filter(|(n, _)| *n > 0 && n * 2 >= label.len())
            .collect();
        scored.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
        let best = scored.first()?.0;
        let top: Vec<&Question> = scored
            .iter()
            .filter(|(n, _)| *n == best)
            .map(|(_, q)| *q)
            .collect();
        // A tie ("Hours per month: 6" names two questions) goes to the one
        // question that accepts the value.
        match top.as_slice() {
            [q] => Some((q, rest)),
            tied => {
                let fits: Vec<&&Question> = tied.iter().filter(|q| q.fits_kind(rest)).collect();
                match fits.as_slice() {
                    [q] => Some((q, rest)),
                    _ => None,
                }
            }
        }
    }

    /// `Sprachen: German, English`: a label we cannot name, whose value
    /// carries its own kind (an address, a web address, yes or no, one of
    /// a question's choices) that exactly one question not yet answered
    /// here accepts. A guess: the answer is marked for staff.
    pub(super) fn labelled_by_value<'a>(
        &self,
        line: &'a str,
        found: &[(&Question, Vec<&str>, bool)],
    ) -> Option<(&Question, &'a str)> {
        let (_, rest) = loose_label(line)?;
        let value = rest.trim();
        if value.is_empty() {
            return None;
        }
        // A choice only by a name: "8" or "h" would pick the eighth choice.
        let worded = value.chars().filter(|c| c.is_alphabetic()).count() >= 2;
        let fits: Vec<&Question> = self
            .questions
            .iter()
            .filter(|q| {
                let kind_fits = match q.kind {
                    Kind::Email | Kind::Url | Kind::Yesno => true,
                    Kind::Choice | Kind::Choices => worded,
                    _ => false,
                };
                kind_fits && !found.iter().any(|(f, _, _)| f.id == q.id) && q.fits_kind(value)
            })
            .collect();
        match fits.as_slice() {
            [q] => Some((q, rest)),
            _ => None,
        }
    }

    /// `Region: Europe`: a label naming one question by its id, its prompt,
    /// or a word or phrase found in exactly one prompt.
    pub(super) fn labelled<'a>(&self, line: &'a str) -> Option<(&Question, &'a str)> {
        let caps = LABELLED.captures(line)?;
        let label = fold(caps.get(1)?.as_str());
        let rest = caps.get(2).map_or("", |m| m.as_str());
        if label.is_empty() || label.split(' ').count() > 4 {
            return None;
        }
        let by_id = self
            .questions
            .iter()
            .zip(&self.labels)
            .find(|(_, l)| l.id == label);
        if let Some((q, _)) = by_id {
            return Some((q, rest));
        }
        let padded = format!(" {label} ");
        let hits: Vec<&Question> = self
            .questions
            .iter()
            .zip(&self.labels)
            .filter(|(_, l)| {
                l.prompts
                    .iter()
                    .any(|(p, pad)| *p == label || pad.contains(&padded))
            })
            .map(|(q, _)| q)
            .collect();
        match hits.as_slice() {
            [one] if label.chars().count() >= 3 => Some((one, rest)),
            _ => None,
        }
    }
}

/// `Label: value` as people write labels: the label (letters, digits,
/// `/`, `&`, at most 40 characters) and the value.
fn loose_label(line: &str) -> Option<(&str, &str)> {
    // Labels may hold a number here: "5 hours a month: yes".
    static LOOSE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*([\p{L}\p{N}][\p{L}\p{M}\p{N}' /&-]{0,40}?)\s*[:：]\s*(.*)$")
            .expect("valid regex")
    });
    let caps = LOOSE.captures(line)?;
    Some((
        caps.get(1)?.as_str(),
        caps.get(2).map_or("", |m| m.as_str()),
    ))
}

/// Whether a label's word names one of a question's words: the same word,
/// or a compound that starts with it ("emailadresse", "webseite").
fn names(question: &[String], label_word: &str) -> bool {
    question
        .iter()
        .any(|w| w == label_word || (w.chars().count() >= 3 && label_word.starts_with(w.as_str())))
}

/// The content words of a label or prompt, folded, hyphens joined
/// ("E-mail" is "email"), without the small words every question has.
pub(super) fn words(s: &str) -> Vec<String> {
    const SMALL: &[&str] = &[
        "a", "an", "the", "your", "you", "my", "i", "me", "we", "our", "of", "per", "to", "in",
        "on", "for", "and", "or", "is", "are", "be", "do", "does", "what", "which", "who", "how",
        "why", "when", "where", "can", "could", "would", "should", "will", "about", "any", "if",
        "it", "this", "that", "with", "want", "like", "give", "use", "many", "much", "optional",
        "required",
    ];
    fold(&s.replace('-', ""))
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !SMALL.contains(w))
        .map(str::to_string)
        .collect()
}

/// Number of the question a quoted line introduces, if it is one of ours.
pub(super) fn quoted_header(text: &str, questions: &QuestionSet) -> Option<usize> {
    let caps = QUESTION_HEADER.captures(text)?;
    let n: usize = caps.get(1)?.as_str().parse().ok()?;
    let q = questions.by_number(n)?;
    let rest = fold(caps.get(2)?.as_str());
    // In any of its languages; the quoting client may have wrapped a long
    // prompt: compare the start.
    q.prompts()
        .any(|p| {
            let probe: String = fold(p).chars().take(rest.chars().count().min(24)).collect();
            !probe.is_empty() && rest.starts_with(&probe)
        })
        .then_some(n)
}

/// `(number, rest of line)` for a line that starts with an answer number.
/// Numbers in any script (`١.`, `１．`, `1、`), and with a dash (`1- `);
/// with no space after the mark only before a letter (`1.Rohit`), never
/// before a digit (`1.5 hours`, `10:00`).
pub(super) fn numbered(line: &str) -> Option<(usize, &str)> {
    // Circled numbers, ① to ⑳, as East Asian input methods offer them.
    let t = line.trim_start();
    if let Some(c) = t.chars().next()
        && ('\u{2460}'..='\u{2473}').contains(&c)
    {
        let n = c as usize - 0x2460 + 1;
        return Some((n, t[c.len_utf8()..].trim_start()));
    }
    let caps = NUMBERED.captures(line)?;
    let n = crate::questions::ascii_digits(
        caps.get(1)
            .or_else(|| caps.get(2))
            .or_else(|| caps.get(3))?
            .as_str(),
    )
    .parse()
    .ok()?;
    let mark = caps.get(4).map_or("", |m| m.as_str());
    let space = caps.get(5).map_or("", |m| m.as_str());
    let rest = caps.get(6).map_or("", |m| m.as_str());
    // "1- Ana" but not "3-day"; "1.5 hours" and "10:00" are no numbering,
    // while a Japanese or Chinese mark needs no space ("８．５", "1、Ana").
    let wide = matches!(mark, "、" | "．" | "：" | "）");
    if (matches!(mark, "-" | "–") && space.is_empty())
        || (space.is_empty() && !wide && rest.chars().next().is_some_and(|c| !c.is_alphabetic()))
    {
        return None;
    }
    Some((n, rest))
}

/// Trims each line's end, drops blank lines at both ends and keeps at most
/// one blank line between paragraphs. When the first line is what followed
/// an answer number, the hanging indent of the lines below it is removed.
pub(super) fn tidy(lines: &[&str], first_is_rest: bool) -> String {
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
pub(super) fn strip_prompt(answer: &str, q: &Question) -> String {
    let (first, rest) = match answer.split_once('\n') {
        Some((f, r)) => (f, Some(r)),
        None => (answer, None),
    };
    let folded_first = fold(first);
    let mut new_first: Option<String> = None;
    for prompt in q.prompts().map(str::trim) {
        let folded_prompt = fold(prompt);
        if !folded_prompt.is_empty() && folded_first.starts_with(&folded_prompt) {
            let skip = prompt.chars().count();
            let remainder: String = first.trim_start().chars().skip(skip).collect();
            let mut remainder = remainder.trim_start();
            for lang in crate::lang::Lang::ALL {
                let words = lang.words();
                for mark in [words.required, words.optional] {
                    remainder = remainder.strip_prefix(mark).unwrap_or(remainder);
                }
            }
            new_first = Some(remainder.trim_start_matches([':', '-', ' ']).to_string());
            break;
        }
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
