//! The domain: the states a mail, an application and a reply can be in,
//! and the pure decision of what to do with one mail
//! ([`decision::decide`]: facts in, a [`Decision`] out, no I/O). Who is a
//! robot is decided in [`crate::robot`], how answers are read in
//! [`crate::answers`].
//!
//! Every state is an enum; its stored and shown name is given once, by
//! its `as_str`, and read back by its `parse`, at the store's edge.

pub mod assessment;
pub mod backfill;
pub mod decision;
pub mod flip;
pub mod gates;
pub mod impact;
pub mod request;
#[cfg(test)]
mod tests;

pub use assessment::{Assessment, assess};
pub use backfill::Backfill;
pub use decision::{
    ApplicationChange, Confirming, Decision, Facts, Held, NewAnswer, NewFile, Reading, ReplyText,
    Written, decide,
};
pub use flip::{Flip, flip};
pub use gates::{SendLimits, SentLastHour};
pub use impact::{Cause, Impact, impact};

/// What became of a message, as the caller (the daemon, a test) sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    AlreadyProcessed,
    Duplicate,
    Attention(Attention),
    Replied(Reply),
    /// Stored, nothing sent (a notice or the questions went out recently).
    Quiet,
    /// The delivery copy of one of our replies: it is marked delivered.
    DeliveryCopy,
}

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::answers::{Check, Extracted};
use crate::questions::{Invalid, QuestionSet, Taken};

/// How often an applicant can be sent the questions again, or a notice.
pub const RESEND_INTERVAL: Duration = Duration::hours(24);

/// Why a mail is listed for staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attention {
    Robot,
    NoAnswers,
    Closed,
    Unparseable,
    TooLarge,
    NoSender,
    Duplicate,
    Attachment,
    TooComplex,
    /// Older than the backfill window at the first start: never answered.
    Backlog,
    /// A reply that could not be delivered (from the outbox, not a mail).
    ReplyFailed,
    /// The mail server would not hand the message over, try after try:
    /// recorded with what could be had of it, so that the mail after it
    /// goes on.
    Unfetchable,
    /// Answers in a mail that replies to none of ours (its From may be
    /// forged): held until the address confirms by replying.
    Unconfirmed,
    /// An applicant who has answered wrote without answers or a request
    /// (a thank-you, a question): for a person to read, never answered
    /// with the questions.
    Message,
    /// Our own mail server found that the From domain did not authorize
    /// the mail (`dmarc=fail` in its `Authentication-Results`): it may be
    /// forged, so it is not answered and its answers are not stored.
    DmarcFail,
    /// A reply was due but the hourly send limits (`[limits]`) were
    /// reached: the mail is stored, its answers kept, and not answered.
    SendLimit,
    /// An attached file was refused for a file question (its type by
    /// content, or its size): the applicant was told why.
    FileRefused,
}

impl Attention {
    const ALL: [Attention; 17] = [
        Attention::Robot,
        Attention::NoAnswers,
        Attention::Closed,
        Attention::Unparseable,
        Attention::TooLarge,
        Attention::NoSender,
        Attention::Duplicate,
        Attention::Attachment,
        Attention::TooComplex,
        Attention::Backlog,
        Attention::ReplyFailed,
        Attention::Unfetchable,
        Attention::Unconfirmed,
        Attention::Message,
        Attention::DmarcFail,
        Attention::SendLimit,
        Attention::FileRefused,
    ];

    /// The reason as read back from its [`Attention::as_str`] name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// The reason's name, as stored and shown to staff (kebab-case).
    pub fn as_str(self) -> &'static str {
        match self {
            Attention::Robot => "robot",
            Attention::NoAnswers => "no-answers",
            Attention::Closed => "closed",
            Attention::Unparseable => "unparseable",
            Attention::TooLarge => "too-large",
            Attention::NoSender => "no-sender",
            Attention::Duplicate => "duplicate",
            Attention::Attachment => "attachment",
            Attention::TooComplex => "too-complex",
            Attention::Backlog => "backlog",
            Attention::ReplyFailed => "reply-failed",
            Attention::Unfetchable => "unfetchable",
            Attention::Unconfirmed => "unconfirmed",
            Attention::Message => "message",
            Attention::DmarcFail => "dmarc-fail",
            Attention::SendLimit => "send-limit",
            Attention::FileRefused => "file-refused",
        }
    }
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every required question that applies has an answer, and no answer
    /// to a question that applies fails it ([`assess`]).
    Complete,
    /// Some required answer is missing, or an answer fails its question.
    Incomplete,
    /// Made by a mail that replied to none of ours: its answers are held
    /// until the address confirms, and none count yet.
    Unconfirmed,
    /// The applicant took the application back (by mail).
    Withdrawn,
}

impl Status {
    pub fn parse(s: &str) -> Option<Self> {
        [
            Status::Complete,
            Status::Incomplete,
            Status::Unconfirmed,
            Status::Withdrawn,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Incomplete => "incomplete",
            Status::Unconfirmed => "unconfirmed",
            Status::Withdrawn => "withdrawn",
        }
    }
}

/// The subject of our reply: `Re: <theirs>` without stacking prefixes.
pub fn reply_subject(theirs: &str, fallback: &str) -> String {
    let mut s = theirs.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let stripped = ["re:", "aw:", "sv:", "antw:", "vs:", "odp:", "ynt:", "r:"]
            .iter()
            .find(|p| lower.starts_with(**p))
            .map(|p| s[p.len()..].trim_start());
        match stripped {
            Some(rest) => s = rest,
            None => break,
        }
    }
    let s: String = s.chars().filter(|c| !c.is_control()).collect();
    if s.trim().is_empty() {
        format!("Re: {fallback}")
    } else {
        format!("Re: {}", s.trim())
    }
}

/// What kind of reply to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reply {
    Questions,
    Confirmation,
    Problems,
    Closed,
    Attachment,
    /// Asks the address to confirm, by replying, answers sent in a mail
    /// that replied to none of ours.
    ConfirmAddress,
    /// Asks the address to reply to confirm a withdrawal it may not have
    /// sent.
    ConfirmWithdraw,
    /// Asks the address to reply to receive a copy of its data.
    ConfirmData,
    /// Asks the address to reply to confirm that everything stored about
    /// it is to be deleted (always asked, vouched or not).
    ConfirmErase,
    /// The application is withdrawn.
    Withdrawn,
    /// Everything stored about the address, as text and as JSON.
    DataCopy,
}

impl Reply {
    pub fn parse(s: &str) -> Option<Self> {
        [
            Reply::Questions,
            Reply::Confirmation,
            Reply::Problems,
            Reply::Closed,
            Reply::Attachment,
            Reply::ConfirmAddress,
            Reply::ConfirmWithdraw,
            Reply::ConfirmData,
            Reply::ConfirmErase,
            Reply::Withdrawn,
            Reply::DataCopy,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Reply::Questions => "questions",
            Reply::Confirmation => "confirmation",
            Reply::Problems => "problems",
            Reply::Closed => "closed",
            Reply::Attachment => "attachment",
            Reply::ConfirmAddress => "confirm-address",
            Reply::ConfirmWithdraw => "confirm-withdraw",
            Reply::ConfirmData => "confirm-data",
            Reply::ConfirmErase => "confirm-erase",
            Reply::Withdrawn => "withdrawn",
            Reply::DataCopy => "data-copy",
        }
    }
}

/// What became of a stored mail (the `outcome` of its row).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageOutcome {
    /// A first mail: the questions were sent (or had just been).
    Questions,
    /// A known applicant wrote without answers.
    NoAnswers,
    /// Answers were read and stored.
    Answers,
    /// No answers in the body, a document attached.
    Attachment,
    /// The same mail was already processed under another UID.
    Duplicate,
    /// Not answered and listed for staff (robot, closed, unreadable, …).
    Listed,
    /// The team mailbox's copy of one of our replies: proof it was sent.
    DeliveryCopy,
    /// Answers from a mail that replied to none of ours: held until the
    /// address confirms.
    Unconfirmed,
    /// A copy of a mail whose sender was erased: only its place and keyed
    /// hashes are recorded (table `erased`), never the mail.
    Erased,
    /// A request by mail (withdraw, my data, delete) or its confirmation.
    Request,
    /// An applicant's mail with neither answers nor a request: for staff.
    Message,
}

impl MessageOutcome {
    pub fn parse(s: &str) -> Option<Self> {
        [
            MessageOutcome::Questions,
            MessageOutcome::NoAnswers,
            MessageOutcome::Answers,
            MessageOutcome::Attachment,
            MessageOutcome::Duplicate,
            MessageOutcome::Listed,
            MessageOutcome::DeliveryCopy,
            MessageOutcome::Unconfirmed,
            MessageOutcome::Erased,
            MessageOutcome::Request,
            MessageOutcome::Message,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MessageOutcome::Questions => "questions",
            MessageOutcome::NoAnswers => "no-answers",
            MessageOutcome::Answers => "answers",
            MessageOutcome::Attachment => "attachment",
            MessageOutcome::Duplicate => "duplicate",
            // The name rows were written with before the enum existed.
            MessageOutcome::Listed => "attention",
            MessageOutcome::DeliveryCopy => "delivery-copy",
            MessageOutcome::Unconfirmed => "unconfirmed",
            MessageOutcome::Erased => "erased",
            MessageOutcome::Request => "request",
            MessageOutcome::Message => "message",
        }
    }
}

/// An application's current answers (the newest version per question) and
/// the marks on those the reader had to guess about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CurrentAnswers {
    /// Question id to the stored value.
    pub values: BTreeMap<String, String>,
    /// Question id to its check, only for current answers that carry one.
    pub checks: BTreeMap<String, Check>,
    /// Question id to the prompt the current answer was given under, for
    /// answers stored with one.
    pub prompts: BTreeMap<String, String>,
}

impl CurrentAnswers {
    /// Whether `value` with `check` is already the current answer to
    /// `question_id`: same value and same mark (or none on both sides).
    pub fn is_current(&self, question_id: &str, value: &str, check: Option<&Check>) -> bool {
        self.values.get(question_id).map(String::as_str) == Some(value)
            && self.checks.get(question_id) == check
    }

    /// Makes `value` with `check` the current answer to `question_id`.
    pub fn set(&mut self, question_id: &str, value: &str, check: Option<&Check>) {
        self.values
            .insert(question_id.to_string(), value.to_string());
        match check {
            Some(c) => {
                self.checks.insert(question_id.to_string(), c.clone());
            }
            None => {
                self.checks.remove(question_id);
            }
        }
    }
}

/// What is known about the sender before this mail.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// The sender has an application.
    pub applicant: bool,
    /// Its stored status (the decision recomputes complete or incomplete
    /// from the answers; see [`standing`]).
    pub status: Option<Status>,
    /// The name on it, when known.
    pub name: Option<String>,
    /// Its current answers.
    pub current: CurrentAnswers,
    pub last_questions_at: Option<DateTime<Utc>>,
    pub last_closed_notice_at: Option<DateTime<Utc>>,
    pub last_attachment_notice_at: Option<DateTime<Utc>>,
    pub last_confirm_request_at: Option<DateTime<Utc>>,
    /// When each kind of request reply was last queued for the sender
    /// (confirm requests are sent at most daily).
    pub last_reply_at: BTreeMap<Reply, DateTime<Utc>>,
}

/// The decision for a mail from a person, before answers are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Store these answers, then confirm or name what is missing.
    Answers,
    /// Send the questions (or not, when sent recently); maybe list for staff.
    Questions {
        send: bool,
        attention: Option<Attention>,
    },
    /// The call is closed: notice (at most daily) and list for staff.
    Closed { send: bool },
    /// No answers in the body but a document attached: ask for answers in
    /// the body (at most daily) and list for staff.
    Attachment { send: bool },
}

pub(crate) fn due(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_none_or(|t| now - t >= RESEND_INTERVAL)
}

pub fn plan(
    known: &Known,
    has_answers: bool,
    has_documents: bool,
    now: DateTime<Utc>,
    closes_at: Option<DateTime<Utc>>,
) -> Plan {
    if closes_at.is_some_and(|c| now > c) {
        return Plan::Closed {
            send: due(known.last_closed_notice_at, now),
        };
    }
    if has_answers {
        return Plan::Answers;
    }
    if has_documents {
        return Plan::Attachment {
            send: due(known.last_attachment_notice_at, now),
        };
    }
    if !known.applicant {
        return Plan::Questions {
            send: true,
            attention: None,
        };
    }
    Plan::Questions {
        send: due(known.last_questions_at, now),
        attention: Some(Attention::NoAnswers),
    }
}

/// The result of checking one mail's answers against the questions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// Question id to what is stored: the canonical value, or the answer
    /// as given when it fails its question (stored all the same, and the
    /// application stays incomplete).
    pub stored: BTreeMap<String, Taken>,
    /// Question id to why its answer could not be stored at all (empty,
    /// or over the longest answer taken).
    pub refused: BTreeMap<String, Invalid>,
}

pub fn check(extracted: &Extracted, questions: &QuestionSet) -> Checked {
    let mut out = Checked::default();
    for (id, raw) in &extracted.answers {
        let Some(q) = questions.by_id(id) else {
            continue;
        };
        // Answered by the attached files (`crate::files::assign`): the
        // text only names one.
        if q.kind == crate::questions::Kind::File {
            continue;
        }
        match q.take(raw) {
            Ok(t) => {
                out.stored.insert(id.clone(), t);
            }
            Err(e) => {
                out.refused.insert(id.clone(), e);
            }
        }
    }
    out
}

/// Required questions that apply and have no stored answer, in question
/// order ([`assess`]).
pub fn missing(current: &BTreeMap<String, String>, questions: &QuestionSet) -> Vec<String> {
    assess(current, questions).missing
}

/// The status staff see for an application stored as `stored` with these
/// current answers: a standing the applicant chose or has yet to confirm
/// is kept; otherwise it follows from the answers ([`assess`]).
pub fn standing(
    stored: Status,
    current: &BTreeMap<String, String>,
    questions: &QuestionSet,
) -> Status {
    assess(current, questions).standing(stored)
}

/// Complete when nothing that applies is missing or failing, incomplete
/// otherwise ([`assess`]).
pub fn status(current: &BTreeMap<String, String>, questions: &QuestionSet) -> Status {
    assess(current, questions).status()
}
