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
        for r in (0..len).rev() {
            answer_below[r] = answer_below[r + 1] || answer[r];
            nonblank_below[r] = nonblank_below[r + 1] + usize::from(!text[from + r].trim().is_empty());
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
