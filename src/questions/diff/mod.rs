//! What changed for applicants between two questions files: the one
//! they were last mailed (a stored version) and the file as it is now.
//! Pure: `mailintake check` prints it, tests table it.
//!
//! Answers are re-checked against today's file wherever they are used
//! ([`crate::domain::assess`]), so besides numbers and required questions
//! every change that can turn a complete application incomplete is named:
//! a removed or renamed choice, a stricter rule, a changed kind, a changed
//! `when`. Changes that ask less (a rule made looser, a choice added) and
//! wording (prompt, help, translations) are not.

mod compare;

use super::{Condition, Kind, QuestionSet};
use crate::files::FileType;

/// One change that affects applicants, by question id. Numbers are as
/// applicants see them, counted from 1: the old file's for a removed
/// question, the new file's otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The question moved: a reply to the earlier mail answers it by
    /// `from`, the file now numbers it `to`.
    Renumbered { id: String, from: usize, to: usize },
    /// No longer in the file (or its id changed): its answers stay in the
    /// database and the report lists them under "earlier questions".
    Removed { id: String, number: usize },
    /// Optional before (or required only under a `when` it no longer
    /// has), required now: applications that lack it turn incomplete.
    NewlyRequired { id: String, number: usize },
    /// New in the file (or a new id for an old question).
    Added {
        id: String,
        number: usize,
        required: bool,
    },
    /// `kind` changed: answers kept are checked as answers of the new kind.
    KindChanged {
        id: String,
        number: usize,
        from: Kind,
        to: Kind,
    },
    /// A choice of the default language's list is gone, and an answer
    /// holding it matches no choice now: such answers fail.
    ChoiceRemoved {
        id: String,
        number: usize,
        choice: String,
    },
    /// A choice is spelt otherwise. `kept`: an answer stored as `from`
    /// still matches a choice (a prefix of `to`), and is read as `to`;
    /// otherwise (`to` took `from`'s place in a list of the same length)
    /// such answers fail.
    ChoiceRenamed {
        id: String,
        number: usize,
        from: String,
        to: String,
        kept: bool,
    },
    /// A rule asks more than it did (or is new).
    Stricter {
        id: String,
        number: usize,
        rule: Stricter,
    },
    /// `when` changed: the question applies to other applicants than
    /// before. `None`: no condition (it always applies).
    ConditionChanged {
        id: String,
        number: usize,
        from: Option<Condition>,
        to: Option<Condition>,
    },
}

/// A rule that asks more than before, with the value it had (`None`: no
/// such rule). Numbers of `min` and `max` as the file writes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stricter {
    /// `min_length` raised (characters as a person counts them).
    MinLength { from: Option<usize>, to: usize },
    /// `max_length` lowered.
    MaxLength { from: Option<usize>, to: usize },
    /// `pattern` new or different: whether it is stricter cannot be told.
    Pattern { from: Option<String>, to: String },
    /// `min` raised.
    Min { from: Option<String>, to: String },
    /// `max` lowered.
    Max { from: Option<String>, to: String },
    /// `min_choices` raised.
    MinChoices { from: Option<usize>, to: usize },
    /// `max_choices` lowered.
    MaxChoices { from: Option<usize>, to: usize },
    /// File types no longer taken (`types` narrowed): a kept file of one
    /// of them fails.
    Types {
        dropped: Vec<FileType>,
        now: Vec<FileType>,
    },
    /// `max_size` lowered (bytes). Kept files are not measured again, so
    /// this asks more only of files sent from now on.
    MaxSize { from: u64, to: u64 },
}

impl Change {
    /// The question's id.
    pub fn id(&self) -> &str {
        match self {
            Change::Renumbered { id, .. }
            | Change::Removed { id, .. }
            | Change::NewlyRequired { id, .. }
            | Change::Added { id, .. }
            | Change::KindChanged { id, .. }
            | Change::ChoiceRemoved { id, .. }
            | Change::ChoiceRenamed { id, .. }
            | Change::Stricter { id, .. }
            | Change::ConditionChanged { id, .. } => id,
        }
    }

    /// Why this change can turn an application incomplete, in a few plain
    /// words for the line that counts them ("answers must now have at
    /// least 50 characters (was 20)"); `None` for a change that cannot
    /// (a renumbering, a removal).
    pub fn reason(&self) -> Option<String> {
        Some(match self {
            Change::Renumbered { .. } | Change::Removed { .. } => return None,
            Change::NewlyRequired { .. } => "now required".into(),
            Change::Added { required, .. } => {
                if *required {
                    "a new required question".into()
                } else {
                    "a new question".into()
                }
            }
            Change::KindChanged { from, to, .. } => format!(
                "now a {} question (was {})",
                super::rules::kind_name(*to),
                super::rules::kind_name(*from)
            ),
            Change::ChoiceRemoved { choice, .. } => format!("`{choice}` is no longer a choice"),
            Change::ChoiceRenamed {
                from,
                to,
                kept: true,
                ..
            } => format!("`{from}` is now read as `{to}`"),
            Change::ChoiceRenamed { from, to, .. } => format!("`{from}` is now `{to}`"),
            Change::Stricter { rule, .. } => rule.to_string(),
            Change::ConditionChanged { from, to, .. } => condition_change(from, to),
        })
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Renumbered { id, from, to } => write!(f, "renumbered: `{id}` {from} -> {to}"),
            Change::Removed { id, number } => write!(
                f,
                "removed: `{id}` (was {number}; its answers are kept and reported under earlier questions)"
            ),
            Change::NewlyRequired { id, number } => write!(
                f,
                "newly required: `{id}` ({number}; applications without it are incomplete)"
            ),
            Change::Added {
                id,
                number,
                required,
            } => write!(
                f,
                "added: `{id}` ({number}{})",
                if *required { ", required" } else { "" }
            ),
            Change::KindChanged {
                id,
                number,
                from,
                to,
            } => {
                let (from, to) = (super::rules::kind_name(*from), super::rules::kind_name(*to));
                write!(
                    f,
                    "kind changed: `{id}` ({number}): {from} -> {to} (answers kept are checked as {to} answers)"
                )
            }
            Change::ChoiceRemoved { id, number, choice } => write!(
                f,
                "choice removed: `{id}` ({number}): `{choice}` (answers choosing it fail)"
            ),
            Change::ChoiceRenamed {
                id,
                number,
                from,
                to,
                kept,
            } => {
                write!(f, "choice renamed: `{id}` ({number}): `{from}` -> `{to}` ")?;
                if *kept {
                    write!(f, "(answers of `{from}` are read as `{to}`)")
                } else {
                    write!(f, "(answers stored as `{from}` fail)")
                }
            }
            Change::Stricter { id, number, rule } => {
                write!(f, "stricter: `{id}` ({number}): {rule}")
            }
            Change::ConditionChanged {
                id,
                number,
                from,
                to,
            } => write!(
                f,
                "condition changed: `{id}` ({number}): {}",
                condition_change(from, to)
            ),
        }
    }
}

impl std::fmt::Display for Stricter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn was<T: std::fmt::Display>(from: &Option<T>) -> String {
            match from {
                Some(v) => format!("was {v}"),
                None => "no such rule before".into(),
            }
        }
        match self {
            Stricter::MinLength { from, to } => write!(
                f,
                "answers must now have at least {to} characters ({})",
                was(from)
            ),
            Stricter::MaxLength { from, to } => write!(
                f,
                "answers must now have at most {to} characters ({})",
                was(from)
            ),
            Stricter::Pattern { from, to } => write!(
                f,
                "answers must now match the pattern `{to}` ({})",
                was(&from.as_ref().map(|p| format!("`{p}`")))
            ),
            Stricter::Min { from, to } => {
                write!(f, "answers must now be at least {to} ({})", was(from))
            }
            Stricter::Max { from, to } => {
                write!(f, "answers must now be at most {to} ({})", was(from))
            }
            Stricter::MinChoices { from, to } => write!(
                f,
                "answers must now have at least {to} choices ({})",
                was(from)
            ),
            Stricter::MaxChoices { from, to } => write!(
                f,
                "answers must now have at most {to} choices ({})",
                was(from)
            ),
            Stricter::Types { dropped, now } => {
                let names =
                    |t: &[FileType]| t.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ");
                write!(
                    f,
                    "files must now be one of {} ({} no longer taken)",
                    names(now),
                    names(dropped)
                )
            }
            Stricter::MaxSize { from, to } => write!(
                f,
                "files must now be at most {} (was {}; files already kept are not measured again)",
                crate::files::size::human(*to),
                crate::files::size::human(*from)
            ),
        }
    }
}

/// "now asked only if `region` is Europe (was: always asked)".
fn condition_change(from: &Option<Condition>, to: &Option<Condition>) -> String {
    let words = |c: &Option<Condition>| match c {
        None => "always asked".to_string(),
        Some(c) => format!("asked only if {}", condition_words(c)),
    };
    format!("now {} (was: {})", words(to), words(from))
}

/// A condition for staff, by question id: "`region` is Europe or
/// Africa and `member` is yes".
fn condition_words(c: &Condition) -> String {
    c.terms
        .iter()
        .map(|t| format!("`{}` is {}", t.question, t.values.join(" or ")))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The changes from `old` to `new`, in this order: removed (by old
/// number), then for each question of `new` in file order its
/// renumbering, being newly required, its kind, its choices, its rules
/// and its condition ([`compare`]), or its being added. Prompt, help and
/// translations are not compared: answers are kept by id, and the
/// report shows the prompt each answer was given under.
pub fn diff(old: &QuestionSet, new: &QuestionSet) -> Vec<Change> {
    let mut out = Vec::new();
    for (i, q) in old.iter().enumerate() {
        if new.by_id(&q.id).is_none() {
            out.push(Change::Removed {
                id: q.id.clone(),
                number: i + 1,
            });
        }
    }
    for (i, q) in new.iter().enumerate() {
        let to = i + 1;
        match (old.number_of(&q.id), old.by_id(&q.id)) {
            (Some(from), Some(before)) => {
                if from != to {
                    out.push(Change::Renumbered {
                        id: q.id.clone(),
                        from,
                        to,
                    });
                }
                // Required now where it was not before: optional before,
                // or asked before only when a condition held.
                let lost_condition = before.condition().is_some() && q.condition().is_none();
                if q.required && (!before.required || lost_condition) {
                    out.push(Change::NewlyRequired {
                        id: q.id.clone(),
                        number: to,
                    });
                }
                out.extend(compare::question(before, q, to));
            }
            _ => out.push(Change::Added {
                id: q.id.clone(),
                number: to,
                required: q.required,
            }),
        }
    }
    out
}

/// Pairs `(old id, new id)` of a question removed from `old` and one
/// added in `new` with the same default-language prompt (ignoring case
/// and surrounding space): most likely one question whose id was
/// renamed. Answers are kept by id, so such a rename files earlier
/// answers under "earlier questions" and asks applicants again; `check`
/// warns of it. Each id is paired at most once, in file order.
pub fn likely_renames(old: &QuestionSet, new: &QuestionSet) -> Vec<(String, String)> {
    let same = |a: &str, b: &str| a.trim().to_lowercase() == b.trim().to_lowercase();
    let mut taken: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for gone in old.iter().filter(|q| new.by_id(&q.id).is_none()) {
        let twin = new.iter().find(|q| {
            old.by_id(&q.id).is_none()
                && !taken.contains(&q.id.as_str())
                && same(&q.prompt, &gone.prompt)
        });
        if let Some(twin) = twin {
            taken.push(&twin.id);
            out.push((gone.id.clone(), twin.id.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests;
