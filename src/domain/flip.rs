//! What a mail's changed answers did to which questions apply: the
//! questions that now apply and still have no answer (the follow-up asks
//! them, optional ones too, else an applicant never learns they exist),
//! and those that no longer apply but keep an answer (the follow-up says
//! it is kept but no longer needed). Pure: both sides are assessed by the
//! one status rule ([`assess`]) against the same questions, so that only
//! the mail's own changes count, never a questions file changed mid-call.

use std::collections::BTreeMap;

use super::assess;
use crate::questions::QuestionSet;

/// The questions a mail's changes made apply or stop applying, each list
/// in question order (ids).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flip {
    /// The questions whose answer this mail changed (or gave) and that a
    /// condition of a question in `now_apply` or `no_longer` names: the
    /// follow-up says the change is why.
    pub because: Vec<String>,
    /// Questions that apply after the mail, did not before it, and have
    /// no answer: asked in the follow-up, required or not.
    pub now_apply: Vec<String>,
    /// Questions that applied before the mail, do not after it, and keep
    /// an answer: kept, no longer needed.
    pub no_longer: Vec<String>,
}

impl Flip {
    /// Nothing flipped: the follow-up says nothing of it.
    pub fn is_empty(&self) -> bool {
        self.now_apply.is_empty() && self.no_longer.is_empty()
    }
}

/// What changed in which questions of `questions` apply between the
/// answers `before` a mail and `after` it (question id to stored value).
pub fn flip(
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
    questions: &QuestionSet,
) -> Flip {
    let was = assess(before, questions);
    let is = assess(after, questions);
    let now_apply: Vec<String> = is
        .applies
        .iter()
        .filter(|id| !was.applies.contains(id) && !after.contains_key(*id))
        .cloned()
        .collect();
    let no_longer: Vec<String> = was
        .applies
        .iter()
        .filter(|id| is.not_applying.contains(*id) && after.contains_key(*id))
        .cloned()
        .collect();
    let changed = |id: &str| before.get(id) != after.get(id);
    let because = questions
        .iter()
        .filter(|q| changed(&q.id))
        .filter(|q| {
            now_apply.iter().chain(&no_longer).any(|flipped| {
                questions
                    .by_id(flipped)
                    .and_then(|f| f.condition())
                    .is_some_and(|c| c.terms.iter().any(|t| t.question == q.id))
            })
        })
        .map(|q| q.id.clone())
        .collect();
    Flip {
        because,
        now_apply,
        no_longer,
    }
}
