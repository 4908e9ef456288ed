//! Signatures, device footers, sign-offs and disclaimers at the end of
//! the applicant's text, and trailing name or contact blocks cut by their
//! shape alone (a guess, marked `check`).

use super::layout::{Mark, next_nonblank, prev_nonblank};
use super::shape::{self, is_rule, is_sig_dashes};
use super::{CutKind, Extractor};

impl Extractor {
    /// Signatures, footers, sign-offs and disclaimers in the applicant's
    /// text above `end`, region by region (a region ends at a quote, a cut
    /// or a copy of our text).
    pub(super) fn cut_signatures(
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
        // Facts about what follows each line, counted once from the end
        // (a region can be a 9 MB body): is an answer line below it, and
        // how many non-blank lines.
        let len = to - from;
        let answer: Vec<bool> = (from..to).map(|k| self.is_answer_line(&text[k])).collect();
        let mut answer_below = vec![false; len + 1];
        let mut nonblank_below = vec![0usize; len + 1];
        let mut prose_below = vec![false; len + 1];
        for r in (0..len).rev() {
            let line = &text[from + r];
            answer_below[r] = answer_below[r + 1] || answer[r];
            nonblank_below[r] = nonblank_below[r + 1] + usize::from(!line.trim().is_empty());
            prose_below[r] = prose_below[r + 1]
                || (line.split_whitespace().count() > 8 && !shape::is_hard_contact(line));
        }
        let answers_after = |k: usize| {
            (inline && (Some(k) == first || !text[k - 1].trim().is_empty()))
                || answer_below[k - from + 1]
        };
        let last_line = |k: usize| nonblank_below[k - from + 1] == 0;
        let mut cut: Option<(CutKind, bool)> = None;
        for k in from..to {
            if let Some(c) = cut {
                marks[k] = Mark::Cut(c.0, c.1);
                continue;
            }
            let line = &text[k];
            if line.trim().is_empty() || answer[k - from] {
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
                && nonblank_below[k - from + 1] <= 12
                && !prose_below[k - from + 1]
            {
                // A rule right under a line of text underlines it (a table
                // head); after a blank line, above short lines only, it
                // opens a signature. Above prose it divides an answer.
                Some((CutKind::Signature, true))
            } else if shape::is_sent_line(line) && last_line(k) {
                Some((CutKind::Footer, false))
            } else if shape::is_sign_off(line) {
                Some((CutKind::SignOff, false))
            } else {
                None
            };
            if let Some(c) = starts {
                marks[k] = Mark::Cut(c.0, c.1);
                cut = Some(c);
            }
        }
        if !inline {
            let open_end = (from..to)
                .find(|k| matches!(marks[*k], Mark::Cut(..)))
                .unwrap_or(to);
            self.cut_trailing(text, marks, from, open_end, sender);
        }
    }

    /// From the end of the applicant's text upward, in the order mail ends:
    /// device lines in any language, then at most one signature block (or
    /// a bare name after a blank line), then at most one closing phrase
    /// followed by a name.
    fn cut_trailing(
        &self,
        text: &[String],
        marks: &mut [Mark],
        from: usize,
        mut to: usize,
        sender: Option<&str>,
    ) {
        let mut signature_seen = false;
        loop {
            let Some(last) = (from..to).rev().find(|k| !text[*k].trim().is_empty()) else {
                return;
            };
            if self.is_answer_line(&text[last]) {
                return;
            }
            if shape::is_device_line(&text[last]) {
                marks[last] = Mark::Cut(CutKind::Footer, false);
                to = last;
                continue;
            }
            let mut start = last;
            while start > from
                && !text[start - 1].trim().is_empty()
                && !self.is_answer_line(&text[start - 1])
            {
                start -= 1;
            }
            let above = (from..start).any(|k| !text[k].trim().is_empty());
            if !above {
                return;
            }
            let block: Vec<&str> = (start..=last).map(|k| text[k].trim()).collect();
            let after_blank = text[start - 1].trim().is_empty();
            // A closing phrase over the sender's own name is no guess.
            let signed = |b: &[&str]| {
                sender.is_some_and(|name| b.iter().skip(1).any(|l| starts_with_name(l, name)))
            };
            let cut = if block.len() == 1 && shape::is_dash_name(block[0]) {
                Some((CutKind::SignOff, false))
            } else if closing_block(&block) {
                Some((CutKind::SignOff, !signed(&block)))
            } else if !signature_seen && self.signature_block(&block, sender, after_blank) {
                Some((CutKind::Signature, true))
            } else {
                None
            };
            let Some((kind, guessed)) = cut else {
                return;
            };
            for m in &mut marks[start..=last] {
                *m = Mark::Cut(kind, guessed);
            }
            if kind == CutKind::SignOff {
                return;
            }
            signature_seen = true;
            to = start;
        }
    }

    /// A trailing block that is a signature by its shape alone (a guess):
    /// at most six short lines, starting with the sender's name, made mostly
    /// of contact lines (phone, web or mail address, title, organisation),
    /// a name over contact lines, or a bare name of one to three words.
    fn signature_block(&self, block: &[&str], sender: Option<&str>, after_blank: bool) -> bool {
        if block.is_empty()
            || block.len() > 6
            || block.iter().any(|l| {
                // A list, or a line opening one, is the applicant's text.
                shape::is_list_item(l)
                    || l.trim_end().ends_with(':')
                    || l.chars().count() > 80
                    || (l.split_whitespace().count() > 8 && !shape::is_hard_contact(l))
                    || self.is_answer_line(l)
                    || self.labelled_loosely(l).is_some()
                    || self.labelled_by_value(l, &[]).is_some()
            })
        {
            return false;
        }
        let by_name = sender.is_some_and(|name| starts_with_name(block[0], name));
        let contacts = block.iter().filter(|l| shape::is_contact_line(l)).count();
        let hard = block.iter().any(|l| shape::is_hard_contact(l));
        let bare_name = after_blank
            && block.len() == 1
            && block[0].split_whitespace().count() <= 3
            && shape::is_name_line(block[0]);
        by_name
            || (contacts >= 2 && contacts * 2 >= block.len())
            || (block.len() >= 2 && hard && shape::is_name_line(block[0]))
            || bare_name
    }
}

/// A closing phrase in any script followed by a name or two ("Hezký den /
/// Jana", "مع خالص التحية، / أحمد", "Terima kasih. / Salam hangat / Rina"),
/// or a closing phrase alone that ends in a comma.
fn closing_block(block: &[&str]) -> bool {
    let Some((first, names)) = block.split_first() else {
        return false;
    };
    // A name: letters only (any script), at most four words.
    let name_like = |l: &&str| {
        l.split_whitespace().count() <= 4
            && l.chars().count() <= 40
            && l.chars().any(char::is_alphabetic)
            && l.chars().all(|c| {
                c.is_alphabetic()
                    || unicode_normalization::char::is_combining_mark(c)
                    || c.is_whitespace()
                    || shape::is_mark(c)
                    || matches!(c, '.' | '\'' | '’' | '-' | ',' | '\u{fe0f}')
                    || (!c.is_ascii() && !c.is_alphanumeric() && c as u32 >= 0x2600)
            })
            && !l.trim_end().ends_with(['?', ':', ';'])
    };
    let starts_with_letter = |l: &str| {
        l.trim_start_matches(['¡', '¿'])
            .chars()
            .next()
            .is_some_and(char::is_alphabetic)
    };
    shape::is_closing_phrase(first)
        && starts_with_letter(first)
        && names.iter().all(|n| starts_with_letter(n))
        && block.len() <= 4
        && if names.is_empty() {
            first
                .trim_end_matches(|c: char| c.is_whitespace() || shape::is_mark(c))
                .ends_with([',', '،', '，'])
        } else {
            names.iter().all(name_like)
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
    // Any part of the name: given names come first or last ("NGUYEN Van An").
    let head = line.split([' ', ',']).next().unwrap_or("");
    line.split_whitespace().count() <= 3
        && name
            .split_whitespace()
            .any(|part| part.chars().count() >= 2 && part == head)
}
