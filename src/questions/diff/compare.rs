//! One question as it was against the same id now: its kind, choices,
//! rules and condition. Only what asks more of an answer is named.

use std::collections::BTreeSet;

use super::{Change, Stricter};
use crate::questions::{Condition, Kind, Question, fold};

/// The changes to the question `old` became as `new`, numbered `number`
/// (the new file's): kind, then choices, rules and condition.
pub(super) fn question(old: &Question, new: &Question, number: usize) -> Vec<Change> {
    let id = || new.id.clone();
    let mut out = Vec::new();
    if old.kind != new.kind {
        out.push(Change::KindChanged {
            id: id(),
            number,
            from: old.kind,
            to: new.kind,
        });
    }
    let chooses = |q: &Question| matches!(q.kind, Kind::Choice | Kind::Choices);
    if chooses(old) && chooses(new) {
        out.extend(choices(old, new, number));
    }
    out.extend(stricter(old, new).into_iter().map(|rule| Change::Stricter {
        id: id(),
        number,
        rule,
    }));
    if !same_condition(old.condition(), new.condition()) {
        out.push(Change::ConditionChanged {
            id: id(),
            number,
            from: old.condition().cloned(),
            to: new.condition().cloned(),
        });
    }
    out
}

/// Whether `q` lists `choice` in any language, ignoring case and accents
/// (as answers are matched).
fn lists(q: &Question, choice: &str) -> bool {
    let f = fold(choice);
    q.choice_lists().any(|l| l.iter().any(|c| fold(c) == f))
}

/// The choices of `old` (the default language's: what answers are
/// stored as) that `new` no longer lists in any language: read as
/// another choice now (a prefix of it), renamed in place, or removed.
fn choices(old: &Question, new: &Question, number: usize) -> Vec<Change> {
    let mut out = Vec::new();
    for (i, choice) in old.choices.iter().enumerate() {
        if lists(new, choice) {
            continue;
        }
        let id = new.id.clone();
        let from = choice.clone();
        // As a stored answer is read against today's question.
        if let Ok(to) = new.match_choice(choice) {
            out.push(Change::ChoiceRenamed {
                id,
                number,
                from,
                to: to.to_string(),
                kept: true,
            });
            continue;
        }
        let in_place = new
            .choices
            .get(i)
            .filter(|to| old.choices.len() == new.choices.len() && !lists(old, to));
        out.push(match in_place {
            Some(to) => Change::ChoiceRenamed {
                id,
                number,
                from,
                to: to.clone(),
                kept: false,
            },
            None => Change::ChoiceRemoved {
                id,
                number,
                choice: from,
            },
        });
    }
    out
}

/// The rules of `new` that ask more than those of `old`, in the order
/// of the questions-file reference.
fn stricter(old: &Question, new: &Question) -> Vec<Stricter> {
    let mut out = Vec::new();
    if let Some(to) = new.min_length
        && to > old.min_length.unwrap_or(0)
    {
        out.push(Stricter::MinLength {
            from: old.min_length,
            to,
        });
    }
    // No `max_length` is the longest answer taken.
    if let Some(to) = new.max_length
        && to < old.max_length.unwrap_or_else(|| old.max_chars())
    {
        out.push(Stricter::MaxLength {
            from: old.max_length,
            to,
        });
    }
    if let Some(to) = &new.pattern
        && old.pattern.as_ref() != Some(to)
    {
        out.push(Stricter::Pattern {
            from: old.pattern.clone(),
            to: to.clone(),
        });
    }
    let shown = |x: f64| format!("{x}");
    if let Some(to) = new.min
        && old.min.is_none_or(|from| to > from)
    {
        out.push(Stricter::Min {
            from: old.min.map(shown),
            to: shown(to),
        });
    }
    if let Some(to) = new.max
        && old.max.is_none_or(|from| to < from)
    {
        out.push(Stricter::Max {
            from: old.max.map(shown),
            to: shown(to),
        });
    }
    if let Some(to) = new.min_choices
        && to > old.min_choices.unwrap_or(0)
    {
        out.push(Stricter::MinChoices {
            from: old.min_choices,
            to,
        });
    }
    // No `max_choices` is every choice listed.
    if let Some(to) = new.max_choices
        && to < old.max_choices.unwrap_or(old.choices.len())
    {
        out.push(Stricter::MaxChoices {
            from: old.max_choices,
            to,
        });
    }
    if old.kind == Kind::File && new.kind == Kind::File {
        let now = new.file_types();
        let dropped: Vec<_> = old
            .file_types()
            .into_iter()
            .filter(|t| !now.contains(t))
            .collect();
        if !dropped.is_empty() {
            out.push(Stricter::Types { dropped, now });
        }
        let (from, to) = (old.max_file_bytes(), new.max_file_bytes());
        if to < from {
            out.push(Stricter::MaxSize { from, to });
        }
    }
    out
}

/// Whether two conditions name the same questions with the same values
/// (ignoring case and accents, as answers are compared).
fn same_condition(a: Option<&Condition>, b: Option<&Condition>) -> bool {
    let terms = |c: Option<&Condition>| -> Vec<(String, BTreeSet<String>)> {
        c.map(|c| {
            c.terms
                .iter()
                .map(|t| {
                    (
                        t.question.clone(),
                        t.values.iter().map(|v| fold(v)).collect(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
    };
    terms(a) == terms(b)
}
