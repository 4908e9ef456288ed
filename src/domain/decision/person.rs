//! A person's mail, past the gates: a reply saying no to one of our
//! confirm requests, a request by mail, then the plan (closed,
//! attachment, questions, answers held or taken).

use super::{ApplicationChange, Confirming, Facts, ReplyText, Written, answers, holding, requests};
use crate::answers::Extracted;
use crate::domain::request::{self, Request};
use crate::domain::{Attention, MessageOutcome, Plan, plan};
use crate::files::Assignment;
use crate::ingest::{Inbound, Sender};

/// The decision for a person's mail.
pub(super) fn person(
    f: &Facts<'_>,
    inbound: &Inbound,
    extracted: &Extracted,
    sender: &Sender,
) -> Written {
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
            return requests::by_request(w, f, asked, name_hint);
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
        Plan::Answers if !f.vouched => holding::hold(&mut w, f, extracted),
        Plan::Answers => answers::take(&mut w, f, extracted, &files, held, sender, name_hint),
    }
    w
}
