//! The decision for one mail: facts in, a [`Decision`] out, no I/O. The
//! executor ([`crate::pipeline`]) gathers the facts inside the mail's
//! transaction and applies the decision in the same transaction.
//!
//! The gates come in a fixed order, each a small check that may end the
//! decision: already recorded, erased, unreadable, duplicate, our own
//! reply's delivery copy, no usable sender, robot, backlog, DMARC failed
//! ([`gates::dmarc`]); then the person's mail: a reply saying no to one of
//! our confirm requests, a request by mail ([`super::request`]), then the plan
//! (closed, answers, attachment, questions), answers counting only in a
//! mail that replies to one of ours to its sender and held otherwise;
//! last, a reply over the send limits is withheld ([`gates::send_limit`]).
//!
//! The parts, by concept: [`facts`] (what the decision depends on),
//! [`written`] (what it decides: what to write and what to reply),
//! `person` (a person's mail: refusals, requests, the plan), `answers`
//! (a vouched mail's answers merged and assessed, and the reply),
//! `holding` (answers in a mail that replies to none of ours) and
//! `requests` (a request by mail).

mod answers;
pub mod facts;
mod holding;
mod person;
mod requests;
pub mod written;

pub use facts::{Confirming, Facts, Held, Reading};
pub use written::{ApplicationChange, NewAnswer, NewFile, ReplyText, Written};

use super::gates;
use super::{Attention, MessageOutcome};
use crate::ingest::{Inbound, Sender};
use crate::robot;

/// What to do with the mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Recorded before (a second look at the same UID): nothing to do.
    AlreadyProcessed,
    /// Record the mail, maybe change the application, maybe reply.
    Record(Box<Written>),
}

/// Decides what to do with one mail.
pub fn decide(f: &Facts<'_>) -> Decision {
    if f.seen {
        return Decision::AlreadyProcessed;
    }
    // A copy of an erased person's mail: processed before, and nothing of
    // it may be stored again, readable or not.
    if f.erased {
        return Decision::record(Written {
            outcome: MessageOutcome::Erased,
            identity: false,
            attention: None,
            detail: None,
            application: ApplicationChange::Untouched,
            reply: None,
            note: None,
            delivery_of: None,
            release: None,
            erase: false,
            files: Vec::new(),
        });
    }
    let (inbound, extracted) = match f.reading {
        Reading::Unread { reason, detail } => {
            return Decision::record(Written::listed(reason, detail, false));
        }
        Reading::Parsed { inbound, extracted } => (inbound, extracted),
    };
    if f.duplicate {
        return Decision::record(Written {
            outcome: MessageOutcome::Duplicate,
            identity: false,
            attention: None,
            detail: None,
            application: ApplicationChange::Untouched,
            reply: None,
            note: None,
            delivery_of: None,
            release: None,
            erase: false,
            files: Vec::new(),
        });
    }
    // Our own reply, sent to the team mailbox too as proof that the server
    // took it: recorded, never answered, never listed.
    if let Some(outbox_id) = f.own_reply
        && inbound
            .from
            .as_ref()
            .is_some_and(|s| s.address.eq_ignore_ascii_case(f.team_address))
    {
        return Decision::record(Written {
            outcome: MessageOutcome::DeliveryCopy,
            identity: true,
            attention: None,
            detail: None,
            application: ApplicationChange::Untouched,
            reply: None,
            note: None,
            delivery_of: Some(outbox_id),
            release: None,
            erase: false,
            files: Vec::new(),
        });
    }
    // An address no reply can go to is as good as none: listed, and never
    // an error that would stop the mailbox at this message.
    let Some(sender) = usable_sender(inbound) else {
        return Decision::record(Written::listed(
            Attention::NoSender,
            "no usable From address",
            true,
        ));
    };
    let verdict = robot::verdict(
        &inbound.facts,
        Some(sender),
        f.team_address,
        &inbound.subject,
        &inbound.body,
    );
    let note = match robot::decide(&verdict, extracted.holds_answers()) {
        robot::Decision::Person => None,
        robot::Decision::PersonDespite { tell } => Some(format!(
            "looks machine-made ({tell}) but holds answers: processed as a person's mail"
        )),
        robot::Decision::Robot { reason } => {
            return Decision::record(Written::listed(Attention::Robot, reason, true));
        }
    };
    if f.backfill.is_backlog(f.received_at, f.first_opened) {
        return Decision::record(Written::listed(
            Attention::Backlog,
            format!(
                "arrived {}, before the backfill window of the first start ({})",
                f.received_at.format("%Y-%m-%d %H:%M UTC"),
                f.first_opened.format("%Y-%m-%d %H:%M UTC")
            ),
            true,
        ));
    }
    // Possibly forged: no reply to an address that may not have written,
    // and no answers stored as theirs.
    if let Some(detail) = gates::dmarc(&inbound.auth_results, f.trusted_authserv_id) {
        return Decision::record(Written::listed(Attention::DmarcFail, detail, true));
    }
    let mut written = person::person(f, inbound, extracted, sender);
    written.note = note;
    if written.reply.is_some()
        && let Some(why) = gates::send_limit(f.sent, f.limits)
    {
        gates::withhold_reply(&mut written, why);
    }
    Decision::record(written)
}

/// The sender, when a reply can go to it.
fn usable_sender(inbound: &Inbound) -> Option<&Sender> {
    inbound
        .from
        .as_ref()
        .filter(|f| f.address.parse::<lettre::Address>().is_ok())
}

impl Decision {
    fn record(w: Written) -> Self {
        Decision::Record(Box::new(w))
    }

    /// What the caller is told became of the mail.
    pub fn outcome(&self) -> super::Outcome {
        use super::Outcome;
        match self {
            Decision::AlreadyProcessed => Outcome::AlreadyProcessed,
            Decision::Record(w) => match (&w.reply, w.attention, w.outcome) {
                (Some(r), _, _) => Outcome::Replied(r.kind()),
                (None, Some(a), _) => Outcome::Attention(a),
                (None, None, MessageOutcome::Duplicate | MessageOutcome::Erased) => {
                    Outcome::Duplicate
                }
                (None, None, MessageOutcome::DeliveryCopy) => Outcome::DeliveryCopy,
                (None, None, _) => Outcome::Quiet,
            },
        }
    }
}
