//! What a reading returns: the answers found, the marks on the answers
//! the reader guessed about, and every block it cut.

use std::collections::BTreeMap;

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
    /// The answer was typed inside the quoted question mail, under its
    /// question, and carries the quote marker (Apple Mail, Gmail).
    InsideQuote,
    /// Its label named no question; its value fits exactly one
    /// (`Sprachen: German, English` taken for the languages question).
    LabelGuessed,
}

impl CheckReason {
    /// The stored and reported name (`signature-guessed`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            CheckReason::SignatureGuessed => "signature-guessed",
            CheckReason::InsideOriginal => "inside-original",
            CheckReason::AttributionKept => "attribution-kept",
            CheckReason::InsideQuote => "inside-quote",
            CheckReason::LabelGuessed => "label-guessed",
        }
    }

    /// The inverse of [`CheckReason::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [
            CheckReason::SignatureGuessed,
            CheckReason::InsideOriginal,
            CheckReason::AttributionKept,
            CheckReason::InsideQuote,
            CheckReason::LabelGuessed,
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
    /// `On <date>, <name> wrote:` in any language and shape.
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
    /// Whether the mail holds answers a person clearly gave: any answer
    /// not placed by its value alone. What outweighs a robot's content
    /// tells (a helpdesk's "Web: https://…" line is no answer).
    pub fn holds_answers(&self) -> bool {
        self.answers.keys().any(|id| {
            self.checks
                .get(id)
                .is_none_or(|c| c.reason != CheckReason::LabelGuessed)
        })
    }

    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }
}
