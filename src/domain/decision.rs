//! The decision for one mail: facts in, a [`Decision`] out, no I/O. The
//! executor ([`crate::pipeline`]) gathers the facts inside the mail's
//! transaction and applies the decision in the same transaction.
//!
//! The gates come in a fixed order, each a small check that may end the
//! decision: already recorded, erased, unreadable, duplicate, our own
//! reply's delivery copy, no usable sender, robot, backlog, DMARC failed
//! ([`gates::dmarc`]); then the person's mail: a reply saying no to one of
//! our confirm requests, a request by mail ([`request`]), then the plan
//! (closed, answers, attachment, questions), answers counting only in a
//! mail that replies to one of ours to its sender and held otherwise;
//! last, a reply over the send limits is withheld ([`gates::send_limit`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::gates::{self, SendLimits, SentLastHour};
use super::request::{self, Request};
use super::{
    Attention, Backfill, CurrentAnswers, Known, MessageOutcome, Plan, Reply, Status, assess, check,
    due, plan,
};
use crate::answers::{Check, Extracted};
use crate::files::{Accepted, Assignment, FileAnswer};
use crate::ingest::{Inbound, Sender};
use crate::questions::{Invalid, QuestionSet, Taken};
use crate::robot;

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

/// What to do with the mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Recorded before (a second look at the same UID): nothing to do.
    AlreadyProcessed,
    /// Record the mail, maybe change the application, maybe reply.
    Record(Box<Written>),
}

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
    fn listed(attention: Attention, detail: impl Into<String>, identity: bool) -> Self {
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
    let mut written = person(f, inbound, extracted, sender);
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

/// The decision for a person's mail.
fn person(f: &Facts<'_>, inbound: &Inbound, extracted: &Extracted, sender: &Sender) -> Written {
    let known = f.known;
    let file_questions = f
        .questions
        .iter()
        .any(|q| q.kind == crate::questions::Kind::File);
    // A file counts only in a mail that replies to one of ours, as
    // answers do; in any other it is kept with the mail, for staff, and
    // is no reason to ask for answers in the body: the question mail says
    // to attach it to a reply.
    let unvouched_files = file_questions && !f.vouched && !inbound.files.is_empty();
    // Files answering file questions are answers; the other documents
    // are for staff, as without file questions.
    let files = if unvouched_files {
        Assignment::default()
    } else {
        crate::files::assign(
            f.questions,
            &extracted.answers,
            &inbound.files,
            &known.current.values,
        )
    };
    let documents: Vec<String> = files
        .leftover
        .iter()
        .filter_map(|&i| inbound.files.get(i))
        .filter(|a| a.document)
        .map(|a| a.name.clone())
        .collect();
    let has_documents = !documents.is_empty();
    // Staff look at what was attached, whatever else happens.
    let (attention, detail) = if unvouched_files {
        let names: Vec<&str> = inbound.files.iter().map(|a| a.name.as_str()).collect();
        (
            Some(Attention::Attachment),
            Some(format!(
                "{} (not taken: files count only in a reply to one of our mails)",
                names.join(", ")
            )),
        )
    } else if has_documents {
        (Some(Attention::Attachment), Some(documents.join(", ")))
    } else {
        (None, None)
    };
    let name_hint = known.name.clone().or_else(|| sender.name.clone());
    let mut w = Written {
        outcome: MessageOutcome::Listed,
        identity: true,
        attention,
        detail,
        application: ApplicationChange::Ensure,
        reply: None,
        note: None,
        delivery_of: None,
        release: None,
        erase: false,
        files: Vec::new(),
    };
    let own = request::own_text(&inbound.body, &extracted.cuts);
    // A reply that says no to what we asked to confirm ("No! I did not ask
    // for this") confirms nothing: a person reads it.
    // Answers are no refusal ("5. No" answers a yes/no question).
    if f.confirms.is_some() && extracted.is_empty() && request::refuses(&own) {
        w.outcome = MessageOutcome::Message;
        w.application = ApplicationChange::Untouched;
        w.attention = Some(Attention::Message);
        w.detail = Some("says no to our request to confirm: nothing changed".into());
        return w;
    }
    let held = match f.confirms {
        Some(Confirming::Answers(h)) if !h.answers.is_empty() => Some(h),
        _ => None,
    };
    if extracted.is_empty() && held.is_none() && files.answers.is_empty() {
        let asked = match f.confirms {
            Some(Confirming::Withdraw) => Some(Request::Withdraw),
            Some(Confirming::MyData) => Some(Request::MyData),
            Some(Confirming::Delete) => Some(Request::Delete),
            _ => request::read(&inbound.subject, &own),
        };
        if let Some(asked) = asked {
            return by_request(w, f, asked, name_hint);
        }
        // Someone who has answered and writes again without answers (a
        // thank-you, a question) is read by a person, never sent the
        // questions again.
        if !known.current.values.is_empty() {
            w.outcome = MessageOutcome::Message;
            w.application = ApplicationChange::Untouched;
            w.attention = w.attention.or(Some(Attention::Message));
            w.detail = w
                .detail
                .or_else(|| Some("neither answers nor a request: for a person to read".into()));
            return w;
        }
    }
    match plan(
        known,
        !extracted.is_empty() || held.is_some() || !files.answers.is_empty(),
        has_documents,
        f.now,
        f.closes_at,
    ) {
        Plan::Closed { send } => {
            w.attention = Some(Attention::Closed);
            w.application = ApplicationChange::Untouched;
            w.reply = send.then_some(ReplyText::Closed { name: name_hint });
        }
        Plan::Attachment { send } => {
            w.outcome = MessageOutcome::Attachment;
            w.reply = send.then(|| ReplyText::Attachment {
                name: name_hint,
                files: documents.clone(),
            });
        }
        Plan::Questions { send, attention } => {
            w.outcome = if attention.is_some() {
                MessageOutcome::NoAnswers
            } else {
                MessageOutcome::Questions
            };
            // A file not taken (a mail that replies to none of ours)
            // stays listed, with why.
            w.attention = w.attention.or(attention);
            w.detail = w
                .detail
                .or_else(|| attention.map(|_| "no answers found in the mail".to_string()));
            w.reply = send.then_some(ReplyText::Questions {
                name: name_hint,
                again: known.applicant,
            });
        }
        Plan::Answers if !f.vouched => hold(&mut w, f, extracted),
        Plan::Answers => {
            w.outcome = MessageOutcome::Answers;
            let mut checked = check(extracted, f.asked);
            // A refused answer to a question no longer asked is not worth
            // a mail: nothing can be done about it.
            checked
                .refused
                .retain(|id, _| f.questions.by_id(id).is_some());
            let refused = take_files(&mut w, &mut checked, &files);
            let mut current: CurrentAnswers = known.current.clone();
            let mut new = Vec::new();
            // Held answers first, so that this mail's own answer to the
            // same question is the newer version.
            if let Some(held) = held {
                w.release = Some(held.message);
                for a in &held.answers {
                    if !checked.stored.contains_key(&a.question_id)
                        && !current.is_current(&a.question_id, &a.value, a.check.as_ref())
                    {
                        current.set(&a.question_id, &a.value, a.check.as_ref());
                        new.push(a.clone());
                    }
                }
            }
            for (qid, taken) in &checked.stored {
                // A guessed reading is stored with its mark for staff; a
                // new version also when only the mark changes, so that a
                // later clean reply of the same value clears it. A file is
                // a new version always: the same name and size may hold
                // other bytes.
                let value = &taken.value;
                let file = w.files.iter().any(|n| &n.question_id == qid);
                // A file is what was attached: the reader guessed nothing.
                let mark = extracted.checks.get(qid).filter(|_| !file);
                if file || !current.is_current(qid, value, mark) {
                    current.set(qid, value, mark);
                    new.push(NewAnswer {
                        question_id: qid.clone(),
                        value: value.clone(),
                        check: mark.cloned(),
                        prompt: prompt_of(f.asked, qid),
                    });
                }
            }
            let values = current.values;
            let name = applicant_name(&values, f.questions).or_else(|| sender.name.clone());
            // The one status rule: what applies, what is missing, what
            // fails, and so the status, from all current answers.
            let assessed = assess(&values, f.questions);
            let mut invalid = assessed.failing.clone();
            invalid.extend(checked.refused);
            let accepted = checked
                .stored
                .keys()
                .filter(|id| !assessed.failing.contains_key(*id))
                .count();
            let name_for_mail = name.clone().or(name_hint);
            let shown = assessed.reported(&values);
            let status = assessed.status();
            w.reply = Some(if assessed.missing.is_empty() && invalid.is_empty() {
                ReplyText::Confirmation {
                    name: name_for_mail,
                    complete: status == Status::Complete,
                    current: shown,
                }
            } else {
                ReplyText::Problems {
                    name: name_for_mail,
                    current: shown,
                    stored: accepted,
                    missing: assessed.missing,
                    invalid,
                }
            });
            w.application = ApplicationChange::Answers { new, name, status };
            // A refused file keeps the mail listed for staff.
            if !refused.is_empty() {
                w.attention = Some(Attention::FileRefused);
                w.detail = Some(match w.detail.take() {
                    Some(other) => format!("{}; also attached: {other}", refused.join("; ")),
                    None => refused.join("; "),
                });
            }
        }
    }
    w
}

/// Puts the file questions' answers with the checked text answers: a
/// taken file is a valid answer (its value names it with its size) and a
/// file to store; a refused one an invalid answer. Returns the refusals,
/// for staff.
fn take_files(w: &mut Written, checked: &mut super::Checked, files: &Assignment) -> Vec<String> {
    let mut refused = Vec::new();
    for (qid, answer) in &files.answers {
        match answer {
            FileAnswer::Accepted(a) => {
                checked.stored.insert(
                    qid.clone(),
                    Taken {
                        value: a.value(),
                        failing: None,
                    },
                );
                w.files.push(NewFile {
                    question_id: qid.clone(),
                    accepted: a.clone(),
                });
            }
            FileAnswer::Refused(why) => {
                checked
                    .refused
                    .insert(qid.clone(), Invalid::Kind(why.clone()));
                refused.push(why.clone());
            }
        }
    }
    refused
}

/// A request by mail. Whatever changes the application or sends its data
/// needs the mail to reply to one of ours (vouched); otherwise the address
/// is asked, at most daily, to confirm by replying. Deletion is always
/// confirmed first. From an address with no application, a request asks
/// for nothing we hold: a person reads it, and no mail goes to an address
/// that may never have written.
fn by_request(mut w: Written, f: &Facts<'_>, asked: Request, name: Option<String>) -> Written {
    let known = f.known;
    let confirmed = |c: Confirming| f.confirms == Some(&c);
    let ask = |kind: Reply, text: ReplyText| {
        due(known.last_reply_at.get(&kind).copied(), f.now).then_some(text)
    };
    w.outcome = MessageOutcome::Request;
    w.application = ApplicationChange::Untouched;
    if !known.applicant {
        w.outcome = MessageOutcome::Message;
        w.attention = Some(Attention::Message);
        w.detail = Some(format!(
            "asks to {}, but has no application",
            match asked {
                Request::Withdraw => "withdraw",
                Request::MyData => "see their data",
                Request::Delete => "delete their data",
            }
        ));
        return w;
    }
    match asked {
        Request::Delete if confirmed(Confirming::Delete) => w.erase = true,
        Request::Delete => w.reply = ask(Reply::ConfirmErase, ReplyText::ConfirmErase),
        Request::MyData if f.vouched => w.reply = Some(ReplyText::DataCopy),
        Request::MyData => w.reply = ask(Reply::ConfirmData, ReplyText::ConfirmData),
        Request::Withdraw if f.vouched => {
            w.application = ApplicationChange::Withdraw;
            w.reply = Some(ReplyText::Withdrawn { name });
        }
        Request::Withdraw => {
            w.reply = ask(Reply::ConfirmWithdraw, ReplyText::ConfirmWithdraw);
        }
    }
    w
}

/// Answers in a mail that replies to none of ours: its From may be forged,
/// so they are held, change no application, and count only when the
/// address confirms by replying to our request (sent at most daily).
fn hold(w: &mut Written, f: &Facts<'_>, extracted: &Extracted) {
    // Stored as given, like a vouched mail's: checked when taken in.
    let answers: Vec<NewAnswer> = check(extracted, f.asked)
        .stored
        .into_iter()
        .map(|(question_id, taken)| NewAnswer {
            check: extracted.checks.get(&question_id).cloned(),
            prompt: prompt_of(f.asked, &question_id),
            question_id,
            value: taken.value,
        })
        .collect();
    // What was attached stays in the detail for staff.
    let attached = w
        .attention
        .filter(|a| *a == Attention::Attachment)
        .and(w.detail.take())
        .map(|files| format!("; also attached: {files}"));
    w.outcome = MessageOutcome::Unconfirmed;
    w.attention = Some(Attention::Unconfirmed);
    w.detail = Some(format!(
        "{} answer(s) held: the mail replies to none of ours, so its From may be forged; they count when the address confirms by replying{}",
        answers.len(),
        attached.unwrap_or_default()
    ));
    w.application = ApplicationChange::Hold { answers };
    w.reply = due(f.known.last_confirm_request_at, f.now).then_some(ReplyText::ConfirmAddress);
}

/// The prompt of question `id` in `questions`, as the applicant read it.
fn prompt_of(questions: &QuestionSet, id: &str) -> Option<String> {
    questions.by_id(id).map(|q| q.prompt.trim().to_string())
}

/// The applicant's name from a question with id `name`, if there is one.
fn applicant_name(current: &BTreeMap<String, String>, questions: &QuestionSet) -> Option<String> {
    questions
        .by_id("name")
        .and_then(|q| current.get(&q.id))
        .map(|n| n.lines().next().unwrap_or_default().trim().to_string())
        .filter(|n| !n.is_empty())
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
