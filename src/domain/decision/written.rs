//! What the decision writes for a mail: the record, the change to the
//! application, and what the reply says.

use std::collections::BTreeMap;

use crate::answers::Check;
use crate::domain::{Attention, Flip, MessageOutcome, Reply, Status};
use crate::files::Accepted;
use crate::questions::Invalid;

/// What to write for a mail, all in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub outcome: MessageOutcome,
    /// Record the mail's identity, so that a copy under another UID is a
    /// duplicate. False for mail never read and for duplicates.
    pub identity: bool,
    pub attention: Option<Attention>,
    /// Details for staff (the robot tell, the attached files, …).
    pub detail: Option<String>,
    pub application: ApplicationChange,
    pub reply: Option<ReplyText>,
    /// Worth a log line: a robot tell overruled by answers.
    pub note: Option<String>,
    /// The mail is the delivery copy of this queued reply (its outbox
    /// id): the reply is marked delivered.
    pub delivery_of: Option<i64>,
    /// The held answers of this stored mail were taken in: they are
    /// dropped from the held list, and the mail from the staff list.
    pub release: Option<i64>,
    /// The address confirmed that everything stored about it is to be
    /// deleted: the executor erases it, this mail included.
    pub erase: bool,
    /// Attached files taken as answers: each is stored with the new answer
    /// version of its question (in `application`'s new answers).
    pub files: Vec<NewFile>,
}

/// An attached file taken as the answer to a file question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFile {
    pub question_id: String,
    pub accepted: Accepted,
}

/// What happens to the sender's application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationChange {
    Untouched,
    /// Created (incomplete, no answers) if the sender has none yet.
    Ensure,
    /// Created if needed; these new answer versions stored, then its name
    /// (when one was given) and status set.
    Answers {
        new: Vec<NewAnswer>,
        name: Option<String>,
        status: Status,
    },
    /// Answers held for this mail until the address confirms; an
    /// application is created (unconfirmed) only if the sender has none.
    /// A held answer never changes an application.
    Hold {
        answers: Vec<NewAnswer>,
    },
    /// The application (there is one) is withdrawn.
    Withdraw,
}

/// One new version of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnswer {
    pub question_id: String,
    pub value: String,
    /// Set when the reader had to guess; `None` clears an earlier mark.
    pub check: Option<Check>,
    /// The prompt the question had in the mail the answer replied to (or
    /// in the current file, for a mail that replied to none of ours).
    pub prompt: Option<String>,
}

/// What the reply says; the executor renders it with the templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyText {
    Questions {
        name: Option<String>,
        /// Sent before: the text says so.
        again: bool,
    },
    Closed {
        name: Option<String>,
    },
    Attachment {
        name: Option<String>,
        files: Vec<String>,
    },
    Confirmation {
        name: Option<String>,
        /// The answers that count: those to questions that apply.
        current: BTreeMap<String, String>,
        complete: bool,
        /// What the mail's changes made apply or stop applying: asked,
        /// or said to be kept but no longer needed.
        flip: Flip,
    },
    Problems {
        name: Option<String>,
        /// The answers that count: those to questions that apply.
        current: BTreeMap<String, String>,
        /// How many answers this mail stored that its questions accept.
        stored: usize,
        /// Required questions that apply and have no answer.
        missing: Vec<String>,
        /// Question id to why its answer is not accepted: the stored
        /// answers that fail (this mail's or earlier ones, checked against
        /// today's questions), and this mail's answers that could not be
        /// stored at all.
        invalid: BTreeMap<String, Invalid>,
        /// What the mail's changes made apply or stop applying; the
        /// questions that now apply are asked there, not again among the
        /// missing ones.
        flip: Flip,
    },
    /// Asks the address to reply to confirm answers it may not have sent.
    /// Carries no name and nothing of the mail: its From may be forged,
    /// and the stranger's words must not reach the address's owner.
    ConfirmAddress,
    /// Asks the address to reply to confirm a withdrawal.
    ConfirmWithdraw,
    /// Asks the address to reply to receive a copy of its data.
    ConfirmData,
    /// Asks the address to reply to confirm the deletion of its data.
    ConfirmErase,
    /// Confirms the withdrawal.
    Withdrawn {
        name: Option<String>,
    },
    /// Everything stored about the address, as text and attached JSON.
    DataCopy,
}

impl ReplyText {
    pub fn kind(&self) -> Reply {
        match self {
            ReplyText::Questions { .. } => Reply::Questions,
            ReplyText::Closed { .. } => Reply::Closed,
            ReplyText::Attachment { .. } => Reply::Attachment,
            ReplyText::Confirmation { .. } => Reply::Confirmation,
            ReplyText::Problems { .. } => Reply::Problems,
            ReplyText::ConfirmAddress => Reply::ConfirmAddress,
            ReplyText::ConfirmWithdraw => Reply::ConfirmWithdraw,
            ReplyText::ConfirmData => Reply::ConfirmData,
            ReplyText::ConfirmErase => Reply::ConfirmErase,
            ReplyText::Withdrawn { .. } => Reply::Withdrawn,
            ReplyText::DataCopy => Reply::DataCopy,
        }
    }
}

impl Written {
    pub(super) fn listed(attention: Attention, detail: impl Into<String>, identity: bool) -> Self {
        Written {
            outcome: MessageOutcome::Listed,
            identity,
            attention: Some(attention),
            detail: Some(detail.into()),
            application: ApplicationChange::Untouched,
            reply: None,
            note: None,
            delivery_of: None,
            release: None,
            erase: false,
            files: Vec::new(),
        }
    }
}
