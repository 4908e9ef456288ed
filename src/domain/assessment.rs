//! The one status rule: for an application's current answers and a
//! question set, which questions apply (their conditions), which of those
//! that are required have no answer, which answers fail the question's
//! kind or rules, and from that the status. The decision, the mails, the
//! report and the data copy all ask [`assess`], so that a status can never
//! disagree with the missing list, and a rule or condition changed
//! mid-call is applied the same way everywhere.

use std::collections::{BTreeMap, BTreeSet};

use super::Status;
use crate::files::Refusal;
use crate::questions::{Invalid, Kind, QuestionSet};

/// Where an application's answers stand against a question set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assessment {
    /// Ids of the questions that apply (condition holds, or none), in
    /// question order.
    pub applies: Vec<String>,
    /// Ids of the questions that do not apply now (their condition does
    /// not hold): their answers are kept, not required, not reported.
    pub not_applying: BTreeSet<String>,
    /// Required questions that apply and have no answer, in question order.
    pub missing: Vec<String>,
    /// Questions that apply whose current answer fails its kind or a rule,
    /// with why.
    pub failing: BTreeMap<String, Invalid>,
}

impl Assessment {
    /// Complete when nothing that applies is missing or failing.
    pub fn status(&self) -> Status {
        if self.missing.is_empty() && self.failing.is_empty() {
            Status::Complete
        } else {
            Status::Incomplete
        }
    }

    /// The status staff see for an application stored as `stored`: a
    /// standing the applicant chose or has yet to confirm is kept;
    /// otherwise it follows from the answers ([`Assessment::status`]).
    pub fn standing(&self, stored: Status) -> Status {
        match stored {
            Status::Unconfirmed | Status::Withdrawn => stored,
            Status::Complete | Status::Incomplete => self.status(),
        }
    }

    /// The answers to report (in a mail or to staff): all but those to a
    /// question of the set that does not apply now. An answer whose id the
    /// set does not know is kept: it belongs to an earlier question.
    pub fn reported(&self, current: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        current
            .iter()
            .filter(|(id, _)| !self.not_applying.contains(*id))
            .map(|(id, v)| (id.clone(), v.clone()))
            .collect()
    }
}

/// Assesses `current` (question id to the stored answer) against
/// `questions`. Pure. A stored answer is checked anew against today's
/// question ([`crate::questions::Question::validate`] is idempotent on
/// what it stores); a condition holds on the valid answers of the
/// questions before it that themselves apply.
pub fn assess(current: &BTreeMap<String, String>, questions: &QuestionSet) -> Assessment {
    let mut out = Assessment::default();
    // Question id to its chosen values, for the conditions after it.
    let mut selected: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for q in questions.iter() {
        if q.condition().is_some_and(|c| !c.holds(&selected)) {
            out.not_applying.insert(q.id.clone());
            continue;
        }
        out.applies.push(q.id.clone());
        match current.get(&q.id) {
            None => {
                if q.required {
                    out.missing.push(q.id.clone());
                }
            }
            // An accepted file's value names it with its type
            // (`crate::files`); it passes while today's question takes that
            // type. A value that names no file is text kept from when the
            // id was another kind of question: no file came.
            Some(value) if q.kind == Kind::File => {
                let types = q.file_types();
                let why = match crate::files::stored_type(value) {
                    Some(t) if types.contains(&t) => None,
                    Some(found) => Some(Refusal::KeptType { found, types }),
                    None => Some(Refusal::NoFile),
                };
                if let Some(why) = why {
                    out.failing.insert(q.id.clone(), Invalid::File(why));
                }
            }
            Some(value) => match q.validate(value) {
                Ok(v) => {
                    let values = match q.kind {
                        Kind::Choices => q.chosen(&v),
                        _ => vec![v],
                    };
                    selected.insert(q.id.clone(), values);
                }
                Err(why) => {
                    out.failing.insert(q.id.clone(), why);
                }
            },
        }
    }
    out
}
