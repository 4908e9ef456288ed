//! What the decision depends on: the facts of one mail, gathered by the
//! executor inside the mail's transaction.

use chrono::{DateTime, Utc};

use super::NewAnswer;
use crate::answers::Extracted;
use crate::domain::gates::{SendLimits, SentLastHour};
use crate::domain::{Attention, Backfill, Known, Reply};
use crate::ingest::Inbound;
use crate::questions::QuestionSet;

/// What was read of the mail.
#[derive(Debug, Clone, Copy)]
pub enum Reading<'a> {
    /// Parsed: headers, body, and the answers read from it.
    Parsed {
        inbound: &'a Inbound,
        extracted: &'a Extracted,
    },
    /// Not read (too large, unparseable, too complex): why, for staff.
    Unread { reason: Attention, detail: &'a str },
}

/// Everything the decision depends on.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub now: DateTime<Utc>,
    /// Arrival in the mailbox (IMAP INTERNALDATE).
    pub received_at: DateTime<Utc>,
    pub reading: Reading<'a>,
    /// This UID of this mailbox generation is already recorded.
    pub seen: bool,
    /// A mail with the same identity was already acted on.
    pub duplicate: bool,
    /// A mail with the same identity or bytes was erased with its sender.
    pub erased: bool,
    /// The mail's Message-ID is that of this reply of ours (its outbox
    /// id): with the team address as sender, it is the reply's delivery
    /// copy.
    pub own_reply: Option<i64>,
    /// When mailintake first opened the mailbox, and how far back from
    /// then mail is answered.
    pub first_opened: DateTime<Utc>,
    pub backfill: Backfill,
    /// What is known of the sender before this mail.
    pub known: &'a Known,
    pub team_address: &'a str,
    pub closes_at: Option<DateTime<Utc>>,
    /// The questions as they are now: what is required, what is missing.
    pub questions: &'a QuestionSet,
    /// The questions the mail's numbers were read against: those shown by
    /// the mail of ours it replies to, else the current ones. Each answer
    /// is checked against, and stored with the prompt of, its question
    /// there.
    pub asked: &'a QuestionSet,
    /// The mail replies to one of ours sent to its From address (a token
    /// in its In-Reply-To or References, see [`crate::token`]): only the
    /// owner of the address could have read that mail.
    pub vouched: bool,
    /// What this mail confirms, when it (vouched) replies to one of our
    /// requests to confirm: held answers, or a request by mail.
    pub confirms: Option<&'a Confirming>,
    /// Whose `Authentication-Results` are believed
    /// (`security.trusted_authserv_id`); `None` believes none.
    pub trusted_authserv_id: Option<&'a str>,
    /// Replies queued in the last hour, to the sender and in all.
    pub sent: SentLastHour,
    pub limits: SendLimits,
}

/// What a reply to one of our confirm requests confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirming {
    /// Answers held from an unvouched mail (`confirm-address`).
    Answers(Held),
    /// A withdrawal asked for in an unvouched mail (`confirm-withdraw`).
    Withdraw,
    /// A copy of the data, asked for in an unvouched mail
    /// (`confirm-data`).
    MyData,
    /// Deletion of everything stored about the address (`confirm-erase`).
    Delete,
}

impl Confirming {
    /// The confirm request (its reply kind) a mail answers, to what it
    /// confirms; `None` for other kinds.
    pub fn of(kind: Reply) -> Option<fn(Option<Held>) -> Confirming> {
        Some(match kind {
            Reply::ConfirmAddress => |h: Option<Held>| Confirming::Answers(h.unwrap_or_default()),
            Reply::ConfirmWithdraw => |_| Confirming::Withdraw,
            Reply::ConfirmData => |_| Confirming::MyData,
            Reply::ConfirmErase => |_| Confirming::Delete,
            _ => return None,
        })
    }
}

/// Answers held from a mail that replied to none of ours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Held {
    /// The stored mail they came in (its row id).
    pub message: i64,
    pub answers: Vec<NewAnswer>,
}
