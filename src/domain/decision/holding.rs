//! Answers in a mail that replies to none of ours: held until the address
//! confirms.

use super::answers::prompt_of;
use super::{ApplicationChange, Facts, NewAnswer, ReplyText, Written};
use crate::answers::Extracted;
use crate::domain::{Attention, MessageOutcome, check, due};

/// Answers in a mail that replies to none of ours: its From may be forged,
/// so they are held, change no application, and count only when the
/// address confirms by replying to our request (sent at most daily).
pub(super) fn hold(w: &mut Written, f: &Facts<'_>, extracted: &Extracted) {
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
