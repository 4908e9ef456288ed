//! What a changed questions file would do to the applications stored:
//! each is assessed ([`assess`], the one status rule) against the file
//! its status follows now and against the new one, and the applications
//! whose status would change are counted, with the questions that turn
//! complete ones incomplete. Pure; `mailintake check` prints it.

use std::collections::BTreeMap;

use super::{Status, assess};
use crate::questions::QuestionSet;

/// The applications whose status a new questions file would change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Impact {
    /// Applications whose status follows from their answers (stored as
    /// complete or incomplete); unconfirmed and withdrawn ones keep theirs
    /// whatever the file says, and are not counted.
    pub assessed: usize,
    /// Of those, the ones complete under the old file.
    pub complete: usize,
    /// Complete under the old file, incomplete under the new.
    pub to_incomplete: usize,
    /// Incomplete under the old file, complete under the new.
    pub to_complete: usize,
    /// Why the applications counted in `to_incomplete` turn incomplete,
    /// by question of the new file, in its order.
    pub causes: Vec<Cause>,
}

/// One question that turns complete applications incomplete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    pub id: String,
    /// Its number in the new file, counted from 1.
    pub number: usize,
    /// Applications turning incomplete that would have no answer to it
    /// (it is required and applies to them now).
    pub missing: usize,
    /// Applications turning incomplete whose answer to it would fail its
    /// kind or a rule.
    pub failing: usize,
}

/// Assesses each application, given as its stored status and current
/// answers (question id to stored value), against `old` and `new`.
pub fn impact<'a>(
    applications: impl IntoIterator<Item = (Status, &'a BTreeMap<String, String>)>,
    old: &QuestionSet,
    new: &QuestionSet,
) -> Impact {
    let mut out = Impact::default();
    // Question id to (missing, failing).
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (stored, answers) in applications {
        if matches!(stored, Status::Unconfirmed | Status::Withdrawn) {
            continue;
        }
        out.assessed += 1;
        let before = assess(answers, old);
        let after = assess(answers, new);
        match (before.status(), after.status()) {
            (Status::Complete, Status::Incomplete) => {
                out.complete += 1;
                out.to_incomplete += 1;
                // Complete before: all that is missing or failing is new.
                for q in new.iter() {
                    let missing = usize::from(after.missing.contains(&q.id));
                    let failing = usize::from(after.failing.contains_key(&q.id));
                    if missing + failing > 0 {
                        let entry = counts.entry(q.id.as_str()).or_default();
                        entry.0 += missing;
                        entry.1 += failing;
                    }
                }
            }
            (Status::Complete, _) => out.complete += 1,
            (Status::Incomplete, Status::Complete) => out.to_complete += 1,
            _ => {}
        }
    }
    out.causes = new
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            counts.get(q.id.as_str()).map(|(missing, failing)| Cause {
                id: q.id.clone(),
                number: i + 1,
                missing: *missing,
                failing: *failing,
            })
        })
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const BEFORE: &str = r#"
[[question]]
id = "name"
prompt = "Name?"
required = true

[[question]]
id = "region"
prompt = "Region?"
kind = "choice"
choices = ["Africa", "Europe", "Latin America"]
required = true

[[question]]
id = "motivation"
prompt = "Why?"
kind = "paragraph"
min_length = 10
required = true
"#;

    fn set(text: &str) -> QuestionSet {
        QuestionSet::parse(text, Path::new("q.toml")).expect("questions")
    }

    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The stored applications of every test: (status, answers).
    fn stored() -> Vec<(Status, BTreeMap<String, String>)> {
        let long = "I want to help new leaders grow in my region.";
        vec![
            // Complete, a long motivation.
            (
                Status::Complete,
                answers(&[("name", "Ada"), ("region", "Europe"), ("motivation", long)]),
            ),
            // Complete, a short one (12 characters).
            (
                Status::Complete,
                answers(&[
                    ("name", "Grace"),
                    ("region", "Latin America"),
                    ("motivation", "To help out."),
                ]),
            ),
            // Incomplete: no region.
            (
                Status::Incomplete,
                answers(&[("name", "Alan"), ("motivation", long)]),
            ),
            // Withdrawn and unconfirmed keep their status: never counted.
            (
                Status::Withdrawn,
                answers(&[("name", "Kurt"), ("region", "Africa")]),
            ),
            (Status::Unconfirmed, answers(&[])),
        ]
    }

    fn of(after: &str) -> Impact {
        let apps = stored();
        impact(apps.iter().map(|(s, a)| (*s, a)), &set(BEFORE), &set(after))
    }

    #[test]
    fn the_applications_whose_status_would_change_are_counted_with_why() {
        let cause = |id: &str, number, missing, failing| Cause {
            id: id.into(),
            number,
            missing,
            failing,
        };
        // What changed, the new file, the impact.
        let cases: Vec<(&str, String, Impact)> = vec![
            (
                "the same file",
                BEFORE.into(),
                Impact {
                    assessed: 3,
                    complete: 2,
                    ..Impact::default()
                },
            ),
            (
                "min_length raised over the short motivation",
                BEFORE.replace("min_length = 10", "min_length = 20"),
                Impact {
                    assessed: 3,
                    complete: 2,
                    to_incomplete: 1,
                    causes: vec![cause("motivation", 3, 0, 1)],
                    ..Impact::default()
                },
            ),
            (
                "a choice renamed (Grace chose it), and a required question added in front",
                format!(
                    "[[question]]\nid = \"phone\"\nprompt = \"Phone?\"\nrequired = true\n{}",
                    BEFORE.replace("\"Latin America\"", "\"South America\"")
                ),
                Impact {
                    assessed: 3,
                    complete: 2,
                    to_incomplete: 2,
                    causes: vec![cause("phone", 1, 2, 0), cause("region", 3, 0, 1)],
                    ..Impact::default()
                },
            ),
            (
                "a required question asked only of Europe: Ada lacks it, Grace is not asked",
                format!(
                    "{BEFORE}\n[[question]]\nid = \"visa\"\nprompt = \"Visa?\"\nkind = \"yesno\"\n\
                     required = true\nwhen = {{ region = \"Europe\" }}\n"
                ),
                Impact {
                    assessed: 3,
                    complete: 2,
                    to_incomplete: 1,
                    causes: vec![cause("visa", 4, 1, 0)],
                    ..Impact::default()
                },
            ),
            (
                "the region no longer required: the incomplete one completes",
                BEFORE.replace("Latin America\"]\nrequired = true", "Latin America\"]"),
                Impact {
                    assessed: 3,
                    complete: 2,
                    to_complete: 1,
                    ..Impact::default()
                },
            ),
        ];
        for (what, after, want) in cases {
            assert_eq!(of(&after), want, "{what}");
        }
    }
}
