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
//! 3. in the applicant's text above it: signatures, footers, sign-offs,
//!    disclaimers, then a trailing name or contact block (a guess);
//! 4. below an unquoted original's start, only text that is not ours and
//!    not a header is kept, marked as read inside the original.

use super::shape::{self, decorated, is_rule, is_sig_dashes};
use super::{CutKind, Extractor, numbered};

/// One line of the body, as the reader placed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Line {
    /// Quoted by the client (`>`), a copy of our own text, or a blank or
    /// header line inside an unquoted original.
    Quoted(String),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
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

        let original = self.find_original(&text, &mut marks);
        let end = original.unwrap_or(n);
        self.cut_signatures(&text, &mut marks, end, sender);

        let mut lines = Vec::with_capacity(n);
        for i in 0..n {
            let line = &text[i];
            let in_original = i >= end;
            lines.push(match marks[i] {
                Mark::Cut(kind, guessed) => Line::Cut { kind, guessed },
                Mark::Quoted => Line::Quoted(quoted[i].clone().unwrap_or_default()),
                Mark::Ours => Line::Quoted(line.clone()),
                Mark::Open if in_original => {
                    if line.trim().is_empty() || line.starts_with([' ', '\t']) || self.is_ours(line)
                    {
                        Line::Quoted(line.clone())
                    } else if is_sig_dashes(line)
                        || is_rule(line)
                        || decorated(line).is_some()
                        || self.is_header_line(line)
                    {
                        // The header blocks of older messages further down.
                        Line::Quoted(String::new())
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

    /// A copy of a line of ours outside any quote: exact, or a long piece
    /// of our text (a client re-wrapped it).
    fn is_ours_line(&self, line: &str) -> bool {
        let t = line.trim();
        t.chars().count() >= 20 && self.is_ours(t)
    }

    /// Whether line `i` is an answer line: numbered with one of our
    /// numbers, or labelled with one of our questions.
    fn is_answer_line(&self, line: &str) -> bool {
        numbered(line).is_some_and(|(n, _)| self.questions.by_number(n).is_some())
            || self.labelled(line).is_some()
    }

    /// A line of an older message's header block (`From:`, `Poslano:`),
    /// not one of our questions' labels.
    fn is_header_line(&self, line: &str) -> bool {
        shape::header_label(line)
            .is_some_and(|(_, value)| !value.trim().is_empty() || line.trim_end().ends_with(':'))
            && self.labelled(line).is_none()
            && numbered(line).is_none()
    }

    /// The end (exclusive) of an older message's header block starting at
    /// `i`: two or more `Label: value` lines in any language (a wrapped
    /// value may take one more line), holding an address and a date, or
    /// four labels. `None` when there is none.
    fn header_block(&self, text: &[String], i: usize) -> Option<usize> {
        if !self.is_header_line(&text[i]) {
            return None;
        }
        // "Name: Ada / Email: … / Phone: …" is a labelled reply, not an
        // older message's header: one of our labels in the paragraph says so.
        let mut p = i;
        while p > 0 && !text[p - 1].trim().is_empty() {
            p -= 1;
        }
        if (p..text.len())
            .take_while(|k| !text[*k].trim().is_empty())
            .any(|k| self.labelled(&text[k]).is_some())
        {
            return None;
        }
        let mut labels = 0;
        let mut j = i;
        let mut joined = String::new();
        let mut gap = 0;
        while j < text.len() && j < i + 10 {
            let l = &text[j];
            if l.trim().is_empty() {
                break;
            }
            if self.is_header_line(l) {
                labels += 1;
                gap = 0;
            } else if gap == 0 && labels > 0 && !self.is_answer_line(l) {
                gap += 1;
            } else {
                break;
            }
            joined.push_str(l);
            joined.push(' ');
            j += 1;
        }
        let end = j - gap;
        let shaped = (shape::has_address(&joined) && shape::has_date(&joined)) || labels >= 4;
        (labels >= 2 && shaped).then_some(end)
    }

    /// Finds where an older message starts in the applicant's text and
    /// marks the separators, header blocks and attributions on the way.
    /// Returns the first line of an unquoted original, if there is one.
    fn find_original(&self, text: &[String], marks: &mut [Mark]) -> Option<usize> {
        let n = text.len();
        let mut first_ours_seen = false;
        let mut i = 0;
        while i < n {
            match marks[i] {
                Mark::Quoted | Mark::Ours => {
                    let ours = marks[i] == Mark::Ours
                        || quote_content(&text[i]).is_some_and(|c| self.is_ours(&c));
                    if ours && !first_ours_seen {
                        first_ours_seen = true;
                        self.cut_paragraph_above(text, marks, i);
                    }
                    i += 1;
                    continue;
                }
                Mark::Cut(..) => {
                    i += 1;
                    continue;
                }
                Mark::Open => {}
            }
            let line = &text[i];
            if line.trim().is_empty() {
                i += 1;
                continue;
            }
            let separator = decorated(line).is_some_and(|inner| {
                shape::is_original_separator(inner)
                    || next_nonblank(text, i + 1).is_some_and(|j| {
                        marks[j] == Mark::Open && self.header_block(text, j).is_some()
                    })
            });
            if separator && !self.is_answer_line(line) {
                marks[i] = Mark::Cut(CutKind::HeaderBlock, false);
                return self.original_after(text, marks, i + 1);
            }
            if is_rule(line) && !is_sig_dashes(line) {
                let next = next_nonblank(text, i + 1);
                if next.is_some_and(|j| {
                    marks[j] == Mark::Open
                        && (self.header_block(text, j).is_some()
                            || decorated(&text[j]).is_some_and(shape::is_original_separator)
                            || self.attribution_end(text, marks, j).is_some())
                }) {
                    marks[i] = Mark::Cut(CutKind::HeaderBlock, false);
                    i += 1;
                    continue;
                }
            }
            if let Some(end) = self.header_block(text, i) {
                for m in &mut marks[i..end] {
                    *m = Mark::Cut(CutKind::HeaderBlock, false);
                }
                return self.original_after(text, marks, end);
            }
            if let Some(start) = self.attribution_ending_at(text, marks, i) {
                for m in &mut marks[start..=i] {
                    if *m == Mark::Open {
                        *m = Mark::Cut(CutKind::Attribution, false);
                    }
                }
                let next = next_nonblank(text, i + 1);
                match next {
                    Some(j) if matches!(marks[j], Mark::Quoted | Mark::Ours) => {}
                    Some(j) => return Some(j),
                    None => return None,
                }
            }
            i += 1;
        }
        None
    }

    /// Where an unquoted original starts after a separator at `from`: at
    /// the next header block or attribution if there is one (cut too).
    fn original_after(&self, text: &[String], marks: &mut [Mark], from: usize) -> Option<usize> {
        let j = next_nonblank(text, from)?;
        if marks[j] == Mark::Open {
            if let Some(end) = self.header_block(text, j) {
                for m in &mut marks[j..end] {
                    *m = Mark::Cut(CutKind::HeaderBlock, false);
                }
                return Some(end.min(text.len()));
            }
            if let Some(end) = self.attribution_end(text, marks, j)
                && let Some(start) = self.attribution_ending_at(text, marks, end)
                && start == j
            {
                for m in &mut marks[j..=end] {
                    *m = Mark::Cut(CutKind::Attribution, false);
                }
                return Some(end + 1);
            }
        }
        Some(j)
    }

    /// The last line of an attribution that starts at `j`, if any (an
    /// attribution may be wrapped over up to four lines).
    fn attribution_end(&self, text: &[String], marks: &[Mark], j: usize) -> Option<usize> {
        (j..(j + 5).min(text.len()))
            .take_while(|k| !text[*k].trim().is_empty() || *k == j)
            .find(|k| self.attribution_ending_at(text, marks, *k) == Some(j))
    }

    /// The first line of an attribution whose last line is `e`, if `e`
    /// ends one. Accepted shapes:
    /// - right above a quote or a copy of our text (not between quotes),
    ///   holding a date or an address, or ending in a colon with a digit;
    /// - anywhere: ending like an attribution, with an address and a date,
    ///   or with the "wrote" verb and an address or a date.
    fn attribution_ending_at(&self, text: &[String], marks: &[Mark], e: usize) -> Option<usize> {
        if marks[e] != Mark::Open || text[e].trim().is_empty() || self.is_answer_line(&text[e]) {
            return None;
        }
        let followed_by_quote = next_nonblank_within(text, e + 1, 2)
            .is_some_and(|k| matches!(marks[k], Mark::Quoted | Mark::Ours));
        // The smallest window of lines ending at `e` that has the shape.
        let mut window: Vec<usize> = Vec::new();
        let mut k = e as isize;
        let mut accepted: Option<usize> = None;
        while k >= 0 && window.len() < 4 {
            let idx = k as usize;
            if marks[idx] != Mark::Open || self.is_answer_line(&text[idx]) {
                break;
            }
            if text[idx].trim().is_empty() {
                break;
            }
            window.insert(0, idx);
            let joined = join(text, &window);
            if joined.chars().count() > 400 {
                break;
            }
            let above_is_quote = prev_nonblank(text, idx).is_some_and(|p| marks[p] == Mark::Quoted);
            let near_quote = followed_by_quote
                && !above_is_quote
                && (shape::has_date(&joined)
                    || shape::has_address(&joined)
                    || (joined.trim_end().ends_with(':')
                        && joined.chars().any(|c| c.is_ascii_digit())));
            if near_quote || shape::strong_attribution(&joined) {
                accepted = Some(idx);
                break;
            }
            k -= 1;
        }
        let mut start = accepted?;
        // Grow upward over the pieces of a wrapped attribution: a line
        // ending in a comma or an open bracket, or, while no date has been
        // seen, a line holding one (across one blank line at most).
        let mut lines = e + 1 - start;
        let mut crossed_blank = false;
        while lines < 5 && start > 0 {
            let mut p = start - 1;
            let joined = join_range(text, start, e);
            if text[p].trim().is_empty() {
                if crossed_blank || shape::has_date(&joined) || p == 0 {
                    break;
                }
                p -= 1;
                if text[p].trim().is_empty() {
                    break;
                }
                crossed_blank = true;
            }
            let l = text[p].trim();
            if marks[p] != Mark::Open || self.is_answer_line(l) || l.ends_with(['.', '!', '?']) {
                break;
            }
            let fragment = l.ends_with([',', '<', '(']) || l == "<";
            let dated = !shape::has_date(&joined) && shape::has_date(l);
            if !(fragment || dated) {
                break;
            }
            start = p;
            lines += 1;
        }
        Some(start)
    }

    /// The paragraph right above the first block of our own text is an
    /// attribution or a header block, in whatever language, when it holds
    /// no answer: at most four lines after a blank line.
    fn cut_paragraph_above(&self, text: &[String], marks: &mut [Mark], first_ours: usize) {
        let Some(last) = prev_nonblank(text, first_ours) else {
            return;
        };
        if first_ours - last > 3 || marks[last] != Mark::Open {
            return;
        }
        let mut start = last;
        while start > 0 && !text[start - 1].trim().is_empty() {
            start -= 1;
        }
        let para = start..=last;
        if last + 1 - start > 4
            || para
                .clone()
                .any(|k| marks[k] != Mark::Open || self.is_answer_line(&text[k]))
            || join_range(text, start, last).chars().count() > 400
        {
            return;
        }
        // A paragraph with only answers above it could be the last answer's
        // second paragraph: only a shaped one is cut then.
        let text_above = (0..start).any(|k| marks[k] == Mark::Open && !text[k].trim().is_empty());
        let joined = join_range(text, start, last);
        let shaped =
            shape::has_date(&joined) || shape::has_address(&joined) || shape::has_wrote(&joined);
        if text_above && !shaped {
            return;
        }
        for m in &mut marks[para] {
            *m = Mark::Cut(CutKind::Attribution, false);
        }
    }

    /// Signatures, footers, sign-offs and disclaimers in the applicant's
    /// text above `end`, region by region (a region ends at a quote, a cut
    /// or a copy of our text).
    fn cut_signatures(
        &self,
        text: &[String],
        marks: &mut [Mark],
        end: usize,
        sender: Option<&str>,
    ) {
        let mut i = 0;
        while i < end {
            if marks[i] != Mark::Open {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < end && marks[j] == Mark::Open {
                j += 1;
            }
            self.cut_region(text, marks, i, j, sender);
            i = j;
        }
    }

    fn cut_region(
        &self,
        text: &[String],
        marks: &mut [Mark],
        from: usize,
        to: usize,
        sender: Option<&str>,
    ) {
        // Between two quotes the text is an inline answer: a sign-off or a
        // name there is the answer itself ("tak"), unless a blank line
        // separates it from text above.
        let quoted =
            |m: Option<usize>| m.is_some_and(|m| matches!(marks[m], Mark::Quoted | Mark::Ours));
        let inline = quoted(prev_nonblank(text, from)) && quoted(next_nonblank(text, to));
        let first = (from..to).find(|k| !text[*k].trim().is_empty());
        let answers_after = |k: usize| {
            (inline && (Some(k) == first || !text[k - 1].trim().is_empty()))
                || (k + 1..to).any(|m| self.is_answer_line(&text[m]))
        };
        let last_line = |k: usize| next_nonblank(text, k + 1).is_none_or(|m| m >= to);
        let mut cut: Option<(CutKind, bool)> = None;
        for k in from..to {
            if let Some(c) = cut {
                marks[k] = Mark::Cut(c.0, c.1);
                continue;
            }
            let line = &text[k];
            if line.trim().is_empty() || self.is_answer_line(line) {
                continue;
            }
            let starts = if is_sig_dashes(line) {
                Some((CutKind::Signature, false))
            } else if shape::is_device_footer(line) {
                Some((CutKind::Footer, false))
            } else if shape::is_disclaimer(line) {
                Some((CutKind::Disclaimer, false))
            } else if answers_after(k) {
                None
            } else if is_rule(line)
                && (k == from || text[k - 1].trim().is_empty())
                && (k + 1..to).filter(|m| !text[*m].trim().is_empty()).count() <= 12
            {
                // A rule right under a line of text underlines it (a table
                // head); after a blank line it opens a signature.
                Some((CutKind::Signature, true))
            } else if shape::is_sent_line(line) && last_line(k) {
                Some((CutKind::Footer, false))
            } else if shape::is_sign_off(line) || shape::is_closing(text, k) {
                Some((CutKind::SignOff, false))
            } else {
                None
            };
            if let Some(c) = starts {
                marks[k] = Mark::Cut(c.0, c.1);
                cut = Some(c);
            }
        }
        if cut.is_none() && !inline {
            self.cut_signature_block(text, marks, from, to, sender);
        }
    }

    /// A trailing block cut as a signature by its shape alone (a guess):
    /// the last paragraph of the applicant's text, at most six short lines,
    /// below other text, starting with the sender's name or made mostly of
    /// contact lines (phone, web or mail address, title, organisation).
    fn cut_signature_block(
        &self,
        text: &[String],
        marks: &mut [Mark],
        from: usize,
        to: usize,
        sender: Option<&str>,
    ) {
        let Some(last) = (from..to).rev().find(|k| !text[*k].trim().is_empty()) else {
            return;
        };
        let mut start = last;
        while start > from
            && !text[start - 1].trim().is_empty()
            && !self.is_answer_line(&text[start - 1])
        {
            start -= 1;
        }
        // Right under an answer line with no blank line between, only the
        // sender's name or contact lines make it a signature (checked below).
        let above = (from..start).any(|k| !text[k].trim().is_empty());
        let block: Vec<&str> = (start..=last).map(|k| text[k].trim()).collect();
        if !above
            || block.len() > 6
            || block.iter().any(|l| {
                l.chars().count() > 80
                    || (l.split_whitespace().count() > 8 && !shape::is_hard_contact(l))
                    || self.is_answer_line(l)
            })
        {
            return;
        }
        let by_name = sender.is_some_and(|name| starts_with_name(block[0], name));
        let contacts = block.iter().filter(|l| shape::is_contact_line(l)).count();
        let hard = block.iter().any(|l| shape::is_hard_contact(l));
        let by_contacts = (contacts >= 2 && contacts * 2 >= block.len())
            || (block.len() >= 2 && hard && shape::is_name_line(block[0]));
        if by_name || by_contacts {
            for m in &mut marks[start..=last] {
                *m = Mark::Cut(CutKind::Signature, true);
            }
        }
    }
}

/// Whether a line starts with the sender's display name (or, for a line
/// of at most three words, their first name).
fn starts_with_name(line: &str, name: &str) -> bool {
    let line = crate::questions::fold(line);
    let name = crate::questions::fold(name.trim_matches(['"', '\'']));
    if name.chars().count() < 3 {
        return false;
    }
    if line.starts_with(&name) {
        return true;
    }
    let first = name.split_whitespace().next().unwrap_or("");
    first.chars().count() >= 3
        && line.split_whitespace().count() <= 3
        && line.split([' ', ',']).next() == Some(first)
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
            && let Some(at) = shape::glued_attribution(&line)
        {
            let head = line[..at].trim_end();
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

fn next_nonblank(text: &[String], from: usize) -> Option<usize> {
    (from..text.len()).find(|k| !text[*k].trim().is_empty())
}

fn next_nonblank_within(text: &[String], from: usize, blanks: usize) -> Option<usize> {
    (from..text.len().min(from + blanks + 1)).find(|k| !text[*k].trim().is_empty())
}

fn prev_nonblank(text: &[String], before: usize) -> Option<usize> {
    (0..before).rev().find(|k| !text[*k].trim().is_empty())
}

fn join(text: &[String], idx: &[usize]) -> String {
    idx.iter()
        .map(|k| text[*k].trim())
        .collect::<Vec<_>>()
        .join(" ")
}

fn join_range(text: &[String], from: usize, to: usize) -> String {
    (from..=to)
        .map(|k| text[k].trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}
