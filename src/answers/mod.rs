//! Extracting answers from an ordinary reply, by the kind of thing each
//! part of it is rather than by a list of known clients.
//!
//! The shapes people really write are read:
//! - inline: answers written under the quoted questions (`> 2. Which
//!   region...`), inside the quote itself, or inside an unquoted original;
//! - numbered: `1. ...`, `1) ...`, `1: ...`, `(1)`, `Q1:`, `#1`, usually above
//!   the quote, and labelled: `Region: Europe`, `Full name: Ada`.
//!
//! The files follow the reading: `layout` places every line (quote, our
//! own text, the applicant's), `original` finds where an older message
//! starts (separators, header blocks, attributions), `signature` cuts the
//! end of the applicant's text (footers, signatures, sign-offs), `shape`
//! holds the line shapes and word lists they use, and `numbered` turns the
//! applicant's text into answers. What the reader guessed is returned as a
//! [`Check`] beside the answer; everything it cut, as [`Cut`]s.

use std::collections::{BTreeMap, HashSet};

use crate::lang::Lang;
use crate::questions::{Kind, Question, QuestionSet, choice_mark, fold, rules};

mod extracted;
mod layout;
mod numbered;
mod original;
mod shape;
mod signature;

pub use extracted::{Check, CheckReason, Cut, CutKind, Extracted};
use layout::{Layout, Line};
use numbered::{numbered, quoted_header, strip_prompt, tidy};

/// The lines that present question `number` of `set` in our mails
/// written in `lang`, without indentation markers: the prompt, choices and
/// help in that language, the hint in its words ([`crate::lang::Words`]).
/// The extractor recognises quoted copies of exactly these lines, in every
/// configured language.
pub fn question_block(q: &Question, number: usize, set: &QuestionSet, lang: Lang) -> Vec<String> {
    let words = lang.words();
    let mut lines = vec![format!(
        "{number}. {}{}",
        q.prompt_in(lang).trim(),
        if q.required {
            format!(" {}", words.required)
        } else {
            String::new()
        }
    )];
    let mut hint = |s: String| lines.push(format!("   {s}"));
    if let Some(when) = set.condition_words(q, lang) {
        hint(when);
    }
    if let Some(help) = q.help_in(lang) {
        for l in help.lines().filter(|l| !l.trim().is_empty()) {
            hint(l.trim().to_string());
        }
    }
    let kind_hint = match q.kind {
        Kind::Text => None,
        Kind::Paragraph => Some(words.paragraph.to_string()),
        Kind::Choice if q.numbers_choices() => Some(words.choice_by_number.to_string()),
        Kind::Choice => Some(words.choice.to_string()),
        Kind::Choices => Some(words.choices.to_string()),
        Kind::Email => Some(words.email.to_string()),
        Kind::Url => Some(words.url.to_string()),
        Kind::Yesno => Some(words.yesno.to_string()),
        Kind::Number => Some(words.number.to_string()),
        Kind::File => {
            let types: Vec<&str> = q.file_types().iter().map(|t| t.as_str()).collect();
            Some(words.file.replace("{types}", &types.join(", ")).replace(
                "{size}",
                &crate::files::size::human_in(q.max_file_bytes(), lang),
            ))
        }
    };
    if let Some(h) = kind_hint {
        hint(h);
    }
    for h in rules::hints(q.rules(), lang) {
        hint(h);
    }
    for (i, c) in q.choices_in(lang).iter().enumerate() {
        hint(format!("{} {c}", choice_mark(q, i)));
    }
    lines
}

/// What the extractor knows of our own mails: the question blocks and the
/// template text, so that a copy of it is never taken for an answer.
#[derive(Debug, Clone)]
pub struct Extractor {
    questions: QuestionSet,
    /// Folded lines of each question's block in every language, by
    /// number, and each language's block joined (separated by ` | `).
    blocks: Vec<(usize, Vec<String>, String)>,
    known_lines: HashSet<String>,
    /// The same lines as written, trimmed: a cheap exact test.
    known_raw: HashSet<String>,
    known_text: String,
    /// Every word of `known_text`: a line with a word not in here is not
    /// a piece of our text, found without searching all of it.
    known_words: HashSet<String>,
    /// How each question may be named in a label, in question order,
    /// folded once here rather than for every line read.
    labels: Vec<Labels>,
}

/// The folded forms a label is compared with, for one question.
#[derive(Debug, Clone)]
struct Labels {
    /// The id with `_` and `-` as spaces.
    id: String,
    /// In each language: the prompt without its closing `?`, `:` or `.`,
    /// and its words between spaces, for a phrase search.
    prompts: Vec<(String, String)>,
    /// The id's and every prompt's content words.
    words: Vec<String>,
}

impl Extractor {
    /// `ours` are texts of mails we send (rendered templates).
    pub fn new(questions: &QuestionSet, ours: &[String]) -> Self {
        let blocks: Vec<(usize, Vec<String>, String)> = questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let mut lines: Vec<String> = Vec::new();
                let mut joined: Vec<String> = Vec::new();
                for lang in questions.languages().iter() {
                    let block: Vec<String> = question_block(q, i + 1, questions, lang)
                        .iter()
                        .map(|l| fold(l))
                        .collect();
                    joined.push(block.join(" "));
                    lines.extend(block);
                }
                (i + 1, lines, joined.join(" | "))
            })
            .collect();
        let mut known_lines = HashSet::new();
        let mut known_raw = HashSet::new();
        let mut known_text = String::new();
        let block_lines = questions.iter().enumerate().flat_map(|(i, q)| {
            questions
                .languages()
                .iter()
                .flat_map(move |lang| question_block(q, i + 1, questions, lang))
        });
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
            known_words: known_text.split(' ').map(str::to_string).collect(),
            labels: questions
                .iter()
                .map(|q| Labels {
                    id: fold(&q.id.replace(['_', '-'], " ")),
                    prompts: q
                        .prompts()
                        .map(|p| {
                            let prompt = fold(p.trim_end_matches(['?', ':', '.']));
                            let padded = format!(" {} ", prompt.replace(['?', ',', '(', ')'], " "));
                            (prompt, padded)
                        })
                        .collect(),
                    words: numbered::words(&format!(
                        "{} {}",
                        q.id.replace(['_', '-'], " "),
                        q.prompts().collect::<Vec<_>>().join(" ")
                    )),
                })
                .collect(),
            known_text,
        }
    }

    /// Whether quoted text under question `n` is a piece of that question's
    /// block as a client re-wrapped it: a whole line, the end of a line, or
    /// a long piece. The bare name of a choice is not: our mail writes
    /// "d) Latin America", so "Latin America" was typed by the applicant.
    fn in_block(&self, n: usize, t: &str) -> bool {
        let f = fold(t);
        let Some((_, lines, joined)) = self.blocks.iter().find(|(bn, _, _)| *bn == n) else {
            return false;
        };
        if self
            .questions
            .by_number(n)
            .is_some_and(|q| q.choice_lists().flatten().any(|c| fold(c) == f))
        {
            return false;
        }
        lines
            .iter()
            .any(|l| *l == f || (l.len() > f.len() && l.ends_with(&f)))
            || (f.chars().count() >= 16 && joined.contains(&f))
    }

    /// Whether a line (maybe wrapped by a client) is text of ours.
    fn is_ours(&self, line: &str) -> bool {
        let f = fold(line);
        !f.is_empty()
            && (self.known_lines.contains(&f)
                || (f.chars().count() >= 16
                    && f.split(' ').all(|w| self.known_words.contains(w))
                    && self.known_text.contains(&f)))
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
        let mut owner: Option<(usize, usize)> = None;
        let mut segments: Vec<Segment<'_>> = vec![Segment::new(None, Place::Own)];
        for (k, line) in layout.lines.iter().enumerate() {
            match line {
                Line::Quoted { text, depth } => {
                    let t = text.trim();
                    if let Some(n) = quoted_header(t, questions) {
                        owner = Some((n, *depth));
                        segments.push(Segment::new(Some(n), Place::Own));
                        continue;
                    }
                    // Blank and indented quoted lines sit under the question
                    // (hints, choices, a copy of the stored answer).
                    let keeps = t.is_empty()
                        || text.starts_with([' ', '\t', '\u{a0}'])
                        || owner.is_some_and(|(n, _)| self.in_block(n, t));
                    if keeps && let Some((n, d)) = owner {
                        // A blank line inside an answer typed in the quote or
                        // in an unquoted original is its paragraph break.
                        if t.is_empty()
                            && let Some(last) = segments.last_mut()
                            && last.owner == Some(n)
                            && ((last.place == Place::Quote && *depth == d)
                                || (last.place == Place::Original && *depth == 0))
                        {
                            last.lines.push("");
                        }
                        continue;
                    }
                    // Text that is not ours, at the question's own quote
                    // depth, was typed inside the quote under the question
                    // (unless the applicant already answered it below the
                    // quoted question, outside the quote).
                    if let Some((n, d)) = owner
                        && *depth == d
                        && d > 0
                        && !self.is_ours(t)
                        && !shape::is_sig_dashes(t)
                        && !shape::is_rule(t)
                        && !segments.last().is_some_and(|s| {
                            s.owner == Some(n) && s.place == Place::Own && !s.lines.is_empty()
                        })
                    {
                        push(&mut segments, Some(n), Place::Quote, text.as_str());
                        continue;
                    }
                    // Text after someone else's quote is not the
                    // continuation of an answer above it.
                    owner = None;
                    if segments.last().is_none_or(|s| !s.is_empty()) {
                        segments.push(Segment::new(None, Place::Own));
                    }
                }
                Line::Cut { guessed, kind } => {
                    if *guessed && matches!(kind, CutKind::Signature | CutKind::SignOff) {
                        if let Some(last) = segments.last_mut() {
                            last.tail.push(layout.source[k].1.as_str());
                        }
                    } else if owner.is_none()
                        && matches!(kind, CutKind::Attribution | CutKind::HeaderBlock)
                        && segments.last().is_none_or(|s| !s.is_empty())
                    {
                        segments.push(Segment::new(None, Place::Own));
                    }
                }
                Line::Text { text, original } => {
                    let place = if *original {
                        Place::Original
                    } else {
                        Place::Own
                    };
                    push(&mut segments, owner.map(|(n, _)| n), place, text.as_str());
                }
            }
        }

        let mut out = Extracted {
            cuts: cuts(&layout),
            ..Extracted::default()
        };
        // Where each answer came from: the applicant's own text wins over
        // what is found inside an original or a quote (often an old copy).
        let mut found_in: BTreeMap<String, Place> = BTreeMap::new();
        let mut put = |q: &Question,
                       lines: &[&str],
                       first_is_rest: bool,
                       place: Place,
                       tail: &[&str],
                       label_guessed: bool| {
            let mut text = strip_prompt(&tidy(lines, first_is_rest), q);
            text = strip_answer_mark(&text, q.kind != Kind::Paragraph || !text.contains('\n'));
            if is_no_answer(&text) {
                return;
            }
            // Only a paragraph question takes more than one paragraph:
            // "6\n\nI look forward to hearing from you." answers with "6".
            if q.kind != Kind::Paragraph
                && let Some((first, _)) = text.split_once("\n\n")
            {
                text = first.trim_end().to_string();
            }
            if text.is_empty() {
                return;
            }
            if place != Place::Own && found_in.get(&q.id).is_some_and(|p| *p == Place::Own) {
                return;
            }
            found_in.insert(q.id.clone(), place);
            let check = if !tail.is_empty() {
                Some(Check {
                    reason: CheckReason::SignatureGuessed,
                    as_written: format!("{text}\n\n{}", tidy(tail, false)),
                })
            } else if place == Place::Original {
                Some(Check {
                    reason: CheckReason::InsideOriginal,
                    as_written: text.clone(),
                })
            } else if label_guessed {
                Some(Check {
                    reason: CheckReason::LabelGuessed,
                    as_written: lines.join("\n").trim().to_string(),
                })
            } else if place == Place::Quote {
                Some(Check {
                    reason: CheckReason::InsideQuote,
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
                    put(q, &lines, first_is_rest, seg.place, &seg.tail, false);
                }
                None => {
                    let found = self.numbered_answers(&seg.lines);
                    let last = found.len().saturating_sub(1);
                    for (i, (q, answer_lines, guessed)) in found.into_iter().enumerate() {
                        let tail: &[&str] = if i == last { &seg.tail } else { &[] };
                        put(q, &answer_lines, true, seg.place, tail, guessed);
                    }
                }
            }
        }
        out
    }
}

/// Removes what people put before an answer: "Answer:", "R:", "->", and
/// for a short answer a bullet ("- Ahmed Hassan", "- 5" is 5).
fn strip_answer_mark(text: &str, bullet: bool) -> String {
    static MARK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)^(?:(?:answer|antwort|respuesta|réponse|reponse|risposta|resposta|odpowiedź|ответ|відповідь|回答|答|a|r)\s*[:：]\s*|[-=]>\s*|→\s*)",
        )
        .expect("valid regex")
    });
    let t = MARK.replace(text, "");
    let t = if bullet && shape::is_list_item(&t) {
        t.trim_start()
            .trim_start_matches(['-', '*', '•', '–', '·'])
            .trim_start()
            .to_string()
    } else {
        t.into_owned()
    };
    t.trim().to_string()
}

/// "N/A", "none", "-": the applicant says there is no answer.
fn is_no_answer(text: &str) -> bool {
    matches!(
        fold(text).trim_end_matches('.'),
        "n/a"
            | "na"
            | "n.a"
            | "none"
            | "-"
            | "--"
            | "—"
            | "nothing"
            | "not applicable"
            | "keine"
            | "keines"
            | "ninguna"
            | "ninguno"
            | "nada"
            | "aucun"
            | "aucune"
            | "nessuno"
            | "nenhum"
            | "nenhuma"
            | "brak"
            | "нет"
            | "無"
            | "无"
            | "なし"
            | "없음"
    )
}

/// Adds a line of the applicant's text to the current run, or starts one.
fn push<'a>(segments: &mut Vec<Segment<'a>>, owner: Option<usize>, place: Place, text: &'a str) {
    if let Some(last) = segments.last_mut()
        && last.owner == owner
        && last.place == place
        && last.tail.is_empty()
    {
        last.lines.push(text);
    } else {
        let mut seg = Segment::new(owner, place);
        seg.lines.push(text);
        segments.push(seg);
    }
}

/// Where a run of the applicant's text sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Their own text, outside any quote or original.
    Own,
    /// Inside an unquoted original (Outlook, Yahoo).
    Original,
    /// Inside the `>`-quoted question mail, under a question.
    Quote,
}

/// A run of the applicant's text: the question it answers (when it sits
/// under a quoted question), where it sits, and the lines cut below it by
/// a guess (a signature or sign-off by its shape).
#[derive(Debug)]
struct Segment<'a> {
    owner: Option<usize>,
    place: Place,
    lines: Vec<&'a str>,
    tail: Vec<&'a str>,
}

impl Segment<'_> {
    fn new(owner: Option<usize>, place: Place) -> Self {
        Self {
            owner,
            place,
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
            Line::Quoted { .. } => (CutKind::Quote, false),
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

/// Whether text shows nothing: whitespace and invisible marks only
/// (zero-width characters, joiners, direction marks, the byte-order mark).
/// The one definition the reader and the choice of MIME part share.
pub fn shows_nothing(text: &str) -> bool {
    shape::is_blank(text)
}

/// Extracts raw answers knowing only the question blocks.
pub fn extract(body: &str, questions: &QuestionSet) -> Extracted {
    Extractor::new(questions, &[]).extract(body)
}

#[cfg(test)]
mod tests;
