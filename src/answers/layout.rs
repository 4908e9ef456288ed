//! Where each line of a reply belongs: the applicant's text, a quote, or a
//! block cut away (attribution, header block, signature, footer, sign-off,
//! disclaimer), and where an unquoted original starts.
//!
//! The order of the passes matters:
//! 1. quote markers (`>`), and lines that are copies of our own mails;
//! 2. the first place an older message starts: a decorated separator, an
//!    older message's header block in any language, or an attribution
//!    (shape first, words as a fallback), and the paragraph right above the
//!    first block of our own text;
//! 3. below an unquoted original's start, whole header blocks of older
//!    messages are cut; other text that is not ours is kept, marked as read
//!    inside the original;
//! 4. in the applicant's text above it: signatures, footers, sign-offs and
//!    disclaimers top-down, then from the end upward device lines, one
//!    signature block and one closing phrase, by shape (a guess).

use super::numbered::numbered;
use super::shape::{self, decorated, is_rule, is_sig_dashes};
use super::{CutKind, Extractor};

/// One line of the body, as the reader placed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Line {
    /// Quoted by the client (`>`, `depth` markers deep), a copy of our own
    /// text, or a blank or header line inside an unquoted original (depth 0).
    Quoted { text: String, depth: usize },
    /// The applicant's text; `original` when it sits inside an unquoted
    /// original (Outlook, Yahoo), where it counts less and is a guess.
    Text { text: String, original: bool },
    /// Not read: what it was, and whether cutting it was a guess.
    Cut { kind: CutKind, guessed: bool },
}

/// The body's lines and where each went, index for index.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    /// The lines as read (invisible characters removed, glued attributions
    /// split off), each with its 1-based line number in the body.
    pub source: Vec<(usize, String)>,
    pub lines: Vec<Line>,
}

/// Where the passes have placed a line so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mark {
    Open,
    Quoted,
    Ours,
    Cut(CutKind, bool),
}

impl Extractor {
    /// Places every line of `body`. `sender` is the From display name, the
    /// start of a signature block.
    pub(super) fn layout(&self, body: &str, sender: Option<&str>) -> Layout {
        let source = split_lines(body);
        let text: Vec<String> = source.iter().map(|(_, l)| l.clone()).collect();
        let n = text.len();
        let mut marks = vec![Mark::Open; n];
        let mut quoted: Vec<Option<String>> = vec![None; n];
        for i in 0..n {
            if let Some(content) = quote_content(&text[i]) {
                marks[i] = Mark::Quoted;
                quoted[i] = Some(content);
            } else if self.is_ours_line(&text[i])
                || (self.known_raw.contains(text[i].trim())
                    && prev_nonblank(&text, i).is_some_and(|p| marks[p] == Mark::Ours))
            {
                // A short line of ours ("a) Africa", "Yes or no.") only
                // among other unquoted lines of ours: typed under a quote,
                // it is the applicant's answer.
                marks[i] = Mark::Ours;
            }
        }

        self.own_quotes(&text, &mut marks);
        let original = self.find_original(&text, &mut marks);
        let end = original.unwrap_or(n);
        // Older messages' header blocks further down the original; a single
        // `Label: value` line there may be the applicant's answer.
        let mut i = end;
        while i < n {
            match (marks[i] == Mark::Open)
                .then(|| self.header_block(&text, i))
                .flatten()
            {
                Some(e) => {
                    for m in &mut marks[i..e] {
                        *m = Mark::Cut(CutKind::HeaderBlock, false);
                    }
                    i = e;
                }
                None => i += 1,
            }
        }
        self.cut_signatures(&text, &mut marks, end, sender);

        let mut lines = Vec::with_capacity(n);
        for i in 0..n {
            let line = &text[i];
            let in_original = i >= end;
            lines.push(match marks[i] {
                Mark::Cut(kind, guessed) => Line::Cut { kind, guessed },
                Mark::Quoted => Line::Quoted {
                    text: quoted[i].clone().unwrap_or_default(),
                    depth: quote_depth(line),
                },
                Mark::Ours => Line::Quoted {
                    text: line.clone(),
                    depth: 0,
                },
                Mark::Open if in_original => {
                    if line.trim().is_empty() || self.is_ours(line) {
                        Line::Quoted {
                            text: line.clone(),
                            depth: 0,
                        }
                    } else if is_sig_dashes(line) || is_rule(line) || decorated(line).is_some() {
                        // Separators of older messages further down.
                        Line::Quoted {
                            text: String::new(),
                            depth: 0,
                        }
                    } else {
                        Line::Text {
                            text: line.clone(),
                            original: true,
                        }
                    }
                }
                Mark::Open => Line::Text {
                    text: line.clone(),
                    original: false,
                },
            });
        }
        Layout { source, lines }
    }

    /// A short `>` quote inside the applicant's own text ("a volunteer
    /// wrote to me:\n> I never knew…\nThat is the gap…") is part of it: at
    /// most three quoted lines, none of ours, between lines of their text
    /// above any other quote, the line above naming no date or address as
    /// an attribution would.
    fn own_quotes(&self, text: &[String], marks: &mut [Mark]) {
        let mut i = 0;
        while i < text.len() {
            if matches!(marks[i], Mark::Ours) {
                return;
            }
            if marks[i] != Mark::Quoted {
                i += 1;
                continue;
            }
            let start = i;
            while i < text.len() && marks[i] == Mark::Quoted {
                i += 1;
            }
            let run = start..i;
            let lines: Vec<String> = run
                .clone()
                .filter_map(|k| quote_content(&text[k]))
                .filter(|c| !c.trim().is_empty())
                .collect();
            let above = prev_nonblank(text, start);
            let below = next_nonblank(text, i);
            let own = lines.len() <= 3
                && lines.iter().all(|c| !self.is_ours(c))
                && above.is_some_and(|a| {
                    marks[a] == Mark::Open
                        && !shape::has_date(&text[a])
                        && !shape::has_address(&text[a])
                })
                && below.is_some_and(|b| marks[b] == Mark::Open);
            if !own {
                // Below a real quote, quotes are someone else's.
                return;
            }
            for m in &mut marks[run] {
                *m = Mark::Open;
            }
        }
    }

    /// A copy of a line of ours outside any quote: exact, or a long piece
    /// of our text (a client re-wrapped it).
    fn is_ours_line(&self, line: &str) -> bool {
        let t = line.trim();
        t.chars().count() >= 20 && self.is_ours(t)
    }

    /// Whether line `i` is an answer line: numbered with one of our
    /// numbers, or labelled with one of our questions.
    pub(super) fn is_answer_line(&self, line: &str) -> bool {
        numbered(line).is_some_and(|(n, _)| self.questions.by_number(n).is_some())
            || self.labelled(line).is_some()
    }
}

/// The body's lines, invisible characters removed, with an attribution a
/// client glued to the end of the last line of the reply split off.
fn split_lines(body: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, raw) in body.lines().enumerate() {
        let line: String = if shape::is_blank(raw) {
            String::new()
        } else {
            raw.trim_end_matches('\r')
                .chars()
                .filter(|c| !shape::is_invisible(*c))
                .collect()
        };
        if quote_content(&line).is_none()
            && let Some(at) =
                shape::glued_attribution(&line).or_else(|| shape::glued_separator(&line))
        {
            let head =
                line[..at].trim_end_matches(|c: char| shape::is_rule_char(c) || c.is_whitespace());
            out.push((i + 1, head.to_string()));
            out.push((i + 1, line[at..].trim_start().to_string()));
        } else {
            out.push((i + 1, line));
        }
    }
    out
}

/// The text after a line's quote markers (`>`, `> >`), keeping its own
/// indentation after one separating space, or `None` when the line is not
/// quoted. A line framed by `>>>` and `<<<` is decoration, not a quote.
pub(super) fn quote_content(line: &str) -> Option<String> {
    static QUOTE_PREFIX: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^[ \t]*(?:>[ \t]?)+").expect("valid regex")
    });
    let m = QUOTE_PREFIX.find(line)?;
    if line.trim_end().ends_with("<<<") {
        return None;
    }
    Some(line[m.end()..].to_string())
}

/// How many `>` markers open a line.
fn quote_depth(line: &str) -> usize {
    line.chars()
        .take_while(|c| matches!(c, '>' | ' ' | '\t'))
        .filter(|c| *c == '>')
        .count()
}

pub(super) fn next_nonblank(text: &[String], from: usize) -> Option<usize> {
    (from..text.len()).find(|k| !text[*k].trim().is_empty())
}

pub(super) fn next_nonblank_within(text: &[String], from: usize, blanks: usize) -> Option<usize> {
    (from..text.len().min(from + blanks + 1)).find(|k| !text[*k].trim().is_empty())
}

pub(super) fn prev_nonblank(text: &[String], before: usize) -> Option<usize> {
    (0..before).rev().find(|k| !text[*k].trim().is_empty())
}

pub(super) fn join(text: &[String], idx: &[usize]) -> String {
    idx.iter()
        .map(|k| text[*k].trim())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn join_range(text: &[String], from: usize, to: usize) -> String {
    (from..=to)
        .map(|k| text[k].trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
