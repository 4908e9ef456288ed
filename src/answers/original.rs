//! Where an older message starts in the applicant's text: a decorated
//! separator (`-----Original Message-----` in any language), an older
//! message's header block (`From:/Sent:/To:/Subject:` in any language),
//! an attribution line found by its shape (an address, a date, the
//! "wrote" verb as a fallback), or the paragraph right above the first
//! block of our own text.

use super::layout::{
    Mark, join, join_range, next_nonblank, next_nonblank_within, prev_nonblank, quote_content,
};
use super::numbered::numbered;
use super::shape::{self, decorated, is_rule, is_sig_dashes};
use super::{CutKind, Extractor};

impl Extractor {
    /// A line of an older message's header block (`From:`, `Poslano:`),
    /// not one of our questions' labels.
    pub(super) fn is_header_line(&self, line: &str) -> bool {
        shape::header_label(line)
            .is_some_and(|(_, value)| !value.trim().is_empty() || line.trim_end().ends_with(':'))
            && self.labelled(line).is_none()
            && numbered(line).is_none()
    }

    /// The end (exclusive) of an older message's header block starting at
    /// `i`: two or more `Label: value` lines in any language (a wrapped
    /// value may take one more line), holding an address and a date, or
    /// four labels. `None` when there is none.
    pub(super) fn header_block(&self, text: &[String], i: usize) -> Option<usize> {
        if !self.is_header_line(&text[i]) {
            return None;
        }
        // "Name: Ada / Email: … / Phone: …" is a labelled reply, not an
        // older message's header: one of our labels in the paragraph says so.
        // Within a few lines: a header block is short, and a long
        // paragraph must not make every line scan all of it.
        let mut p = i;
        while p > 0 && p + 12 > i && !text[p - 1].trim().is_empty() {
            p -= 1;
        }
        if (p..text.len().min(i + 12))
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
        // Right under a line of the applicant's text, only a block that
        // names a sender or a date the way mail headers do ("From:",
        // "Od:", "Date:") is one; "Start: … / Venue: … / Contact: …" in a
        // paragraph answer is the answer.
        let opens = i == 0
            || text[i - 1].trim().is_empty()
            || shape::is_rule(&text[i - 1])
            || decorated(&text[i - 1]).is_some();
        let headers = (i..end)
            .filter(|k| {
                shape::header_label(&text[*k]).is_some_and(|(l, _)| shape::is_header_word(&l))
            })
            .count();
        // At a paragraph's start one header word is enough ("Od:"), a reply
        // labelled in the applicant's own words ("Имя: …") has none.
        (labels >= 2 && shaped && headers >= if opens { 1 } else { 2 }).then_some(end)
    }

    /// Finds where an older message starts in the applicant's text and
    /// marks the separators, header blocks and attributions on the way.
    /// Returns the first line of an unquoted original, if there is one.
    pub(super) fn find_original(&self, text: &[String], marks: &mut [Mark]) -> Option<usize> {
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
                let start = self.original_after(text, marks, i + 1);
                return unquoted(start, text, marks);
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
                let start = self.original_after(text, marks, end);
                return unquoted(start, text, marks);
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
        // Without a quote below, an attribution ends like one: cheap to
        // test first, and most lines fail it.
        if !followed_by_quote && !shape::ends_like_attribution(&text[e]) {
            return None;
        }
        // Between quotes (under a quoted question) a line is an inline
        // answer, whatever it holds.
        let inline = followed_by_quote && region_follows_quote(marks, e);
        // The smallest window of lines ending at `e` that has the shape.
        let mut window: Vec<usize> = Vec::new();
        let mut k = e as isize;
        let mut accepted: Option<usize> = None;
        while k >= 0 && window.len() < 4 {
            let idx = k as usize;
            // A list item is the applicant's text, never an attribution.
            if marks[idx] != Mark::Open
                || self.is_answer_line(&text[idx])
                || shape::is_list_item(&text[idx])
            {
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
            let sentence = text[e].trim_end().ends_with(['.', '!', '?']);
            let near_quote = followed_by_quote
                && !inline
                && !sentence
                && (shape::has_date(&joined)
                    || shape::has_address(&joined)
                    || (joined.trim_end().ends_with(':')
                        && joined.chars().any(|c| c.is_ascii_digit())));
            // Shaped on its own, with no quote below: it must start the way
            // attributions start, not in the middle of a sentence.
            let strong = shape::strong_attribution(&joined)
                && (followed_by_quote || shape::starts_like_attribution(&text[idx]));
            if near_quote || strong {
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
            if fragment || dated {
                start = p;
                lines += 1;
                continue;
            }
            // A short name line ("Team") between the date and the address,
            // taken only together with the dated piece right above it.
            let short = l.split_whitespace().count() <= 3 && !shape::has_date(&joined);
            let above = p.checked_sub(1).filter(|a| {
                let a_line = text[*a].trim();
                marks[*a] == Mark::Open
                    && !a_line.is_empty()
                    && !self.is_answer_line(a_line)
                    && shape::has_date(a_line)
                    && !a_line.ends_with(['.', '!', '?'])
            });
            match above {
                Some(a) if short && lines + 2 <= 5 => {
                    start = a;
                    lines += 2;
                }
                _ => break,
            }
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
}

/// Whether the applicant's text around line `at` sits right below a quote
/// or a copy of our text (blank lines between allowed): an inline answer.
/// Looks back at most 200 lines: an inline answer is never longer, and a
/// 9 MB body must not be scanned once per line.
fn region_follows_quote(marks: &[Mark], at: usize) -> bool {
    marks[at.saturating_sub(200)..at]
        .iter()
        .rev()
        .find(|m| **m != Mark::Open)
        .is_some_and(|m| matches!(m, Mark::Quoted | Mark::Ours))
}

/// An original that starts with `>`-quoted lines (Zimbra writes its
/// `----- Mail original -----` block above a quote) is a quote, read as
/// one, not an unquoted original.
fn unquoted(start: Option<usize>, text: &[String], marks: &[Mark]) -> Option<usize> {
    let j = start?;
    let first = next_nonblank(text, j)?;
    (marks[first] != Mark::Quoted).then_some(j)
}
