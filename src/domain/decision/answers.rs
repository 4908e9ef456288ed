//! A vouched mail's answers: checked against the questions the mail
//! replied to, merged with the current ones (held answers first), then
//! assessed by the one status rule, and the reply written from that.

use std::collections::BTreeMap;

use super::{ApplicationChange, Facts, Held, NewAnswer, NewFile, ReplyText, Written};
use crate::answers::Extracted;
use crate::domain::{
    Attention, Checked, CurrentAnswers, MessageOutcome, Status, assess, check, flip,
};
use crate::files::{Assignment, FileAnswer};
use crate::ingest::Sender;
use crate::questions::{Invalid, QuestionSet, Taken};

/// Takes in a vouched mail's answers (and the held ones it confirms):
/// the new answer versions, the files to store, the status, and the
/// confirmation or the list of problems.
pub(super) fn take(
    w: &mut Written,
    f: &Facts<'_>,
    extracted: &Extracted,
    files: &Assignment,
    held: Option<&Held>,
    sender: &Sender,
    name_hint: Option<String>,
) {
    let known = f.known;
    w.outcome = MessageOutcome::Answers;
    let mut checked = check(extracted, f.asked);
    // A refused answer to a question no longer asked is not worth
    // a mail: nothing can be done about it.
    checked
        .refused
        .retain(|id, _| f.questions.by_id(id).is_some());
    let refused = take_files(w, &mut checked, files);
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
    // Against the same questions before and after, so that only this
    // mail's changes (and the held answers it confirms) flip anything.
    let flip = flip(&known.current.values, &values, f.questions);
    w.reply = Some(if assessed.missing.is_empty() && invalid.is_empty() {
        ReplyText::Confirmation {
            name: name_for_mail,
            complete: status == Status::Complete,
            current: shown,
            flip,
        }
    } else {
        ReplyText::Problems {
            name: name_for_mail,
            current: shown,
            stored: accepted,
            missing: assessed.missing,
            invalid,
            flip,
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

/// Puts the file questions' answers with the checked text answers: a
/// taken file is a valid answer (its value names it with its size) and a
/// file to store; a refused one an invalid answer. Returns the refusals,
/// for staff.
fn take_files(w: &mut Written, checked: &mut Checked, files: &Assignment) -> Vec<String> {
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
                    .insert(qid.clone(), Invalid::File(why.clone()));
                // Staff read it in English.
                refused.push(why.words());
            }
        }
    }
    refused
}

/// The prompt of question `id` in `questions`, as the applicant read it.
pub(super) fn prompt_of(questions: &QuestionSet, id: &str) -> Option<String> {
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
