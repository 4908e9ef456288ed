//! What changed for applicants between two questions files: the one
//! they were last mailed (a stored version) and the file as it is now.
//! Pure: `mailintake check` prints it, tests table it.

use super::QuestionSet;

/// One change that affects applicants, by question id. Numbers are as
/// applicants see them, counted from 1.
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
        }
    }
}

/// The changes from `old` to `new`, in this order: removed (by old
/// number), then for each question of `new` in file order its
/// renumbering, being newly required, or being added. Prompt, help and
/// choice wording are not compared: answers are kept by id, and the
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A questions file from `(id, required)` pairs, in order.
    fn set(questions: &[(&str, bool)]) -> QuestionSet {
        let text: String = questions
            .iter()
            .map(|(id, required)| {
                format!("[[question]]\nid = \"{id}\"\nprompt = \"{id}?\"\nrequired = {required}\n")
            })
            .collect();
        QuestionSet::parse(&text, Path::new("q.toml")).expect("questions")
    }

    fn renumbered(id: &str, from: usize, to: usize) -> Change {
        Change::Renumbered {
            id: id.into(),
            from,
            to,
        }
    }

    #[test]
    fn each_change_that_affects_applicants_is_named() {
        let base = [("name", true), ("region", true), ("heard", false)];
        /// What changed, the new file, the changes named.
        type Case<'a> = (&'a str, Vec<(&'a str, bool)>, Vec<Change>);
        let cases: Vec<Case<'_>> = vec![
            ("the same file", base.to_vec(), vec![]),
            (
                "a question inserted at 2 moves the rest down",
                vec![
                    ("name", true),
                    ("email", false),
                    ("region", true),
                    ("heard", false),
                ],
                vec![
                    Change::Added {
                        id: "email".into(),
                        number: 2,
                        required: false,
                    },
                    renumbered("region", 2, 3),
                    renumbered("heard", 3, 4),
                ],
            ),
            (
                "a renamed id is the old one removed and a new one added",
                vec![("name", true), ("home_region", true), ("heard", false)],
                vec![
                    Change::Removed {
                        id: "region".into(),
                        number: 2,
                    },
                    Change::Added {
                        id: "home_region".into(),
                        number: 2,
                        required: true,
                    },
                ],
            ),
            (
                "an optional question made required",
                vec![("name", true), ("region", true), ("heard", true)],
                vec![Change::NewlyRequired {
                    id: "heard".into(),
                    number: 3,
                }],
            ),
            (
                "a required question made optional affects no one",
                vec![("name", false), ("region", true), ("heard", false)],
                vec![],
            ),
            (
                "the first removed moves the others up",
                vec![("region", true), ("heard", false)],
                vec![
                    Change::Removed {
                        id: "name".into(),
                        number: 1,
                    },
                    renumbered("region", 2, 1),
                    renumbered("heard", 3, 2),
                ],
            ),
            (
                "two swapped, one of them now required",
                vec![("name", true), ("heard", true), ("region", true)],
                vec![
                    renumbered("heard", 3, 2),
                    Change::NewlyRequired {
                        id: "heard".into(),
                        number: 2,
                    },
                    renumbered("region", 2, 3),
                ],
            ),
        ];
        for (what, new, want) in cases {
            assert_eq!(diff(&set(&base), &set(&new)), want, "{what}");
        }
    }

    /// A required question that loses its `when` is required of every
    /// applicant now, also of those it did not apply to.
    #[test]
    fn a_required_question_losing_its_condition_is_newly_required() {
        let parse = |text: &str| QuestionSet::parse(text, Path::new("q.toml")).expect("questions");
        let head = "[[question]]\nid = \"member\"\nprompt = \"Member?\"\nkind = \"yesno\"\n\
                    [[question]]\nid = \"since\"\nprompt = \"Since when?\"\nrequired = true\n";
        let before = parse(&format!("{head}when = {{ member = \"yes\" }}\n"));
        let after = parse(head);
        assert_eq!(
            diff(&before, &after),
            [Change::NewlyRequired {
                id: "since".into(),
                number: 2
            }]
        );
        // Gaining a condition asks less of applicants: nothing to name.
        assert_eq!(diff(&after, &before), []);
    }

    #[test]
    fn changes_read_as_staff_need_them() {
        let lines: Vec<String> = diff(
            &set(&[("name", true), ("region", true)]),
            &set(&[("email", true), ("name", true), ("phone", false)]),
        )
        .iter()
        .map(ToString::to_string)
        .collect();
        assert_eq!(
            lines,
            [
                "removed: `region` (was 2; its answers are kept and reported under earlier questions)",
                "added: `email` (1, required)",
                "renumbered: `name` 1 -> 2",
                "added: `phone` (3)",
            ]
        );
    }

    #[test]
    fn the_digest_follows_the_text() {
        let a = set(&[("name", true)]);
        let b = set(&[("name", true)]);
        let c = set(&[("name", false)]);
        assert_eq!(a.digest(), b.digest());
        assert_ne!(a.digest(), c.digest());
        assert_eq!(a.digest().len(), 64);
    }
}
