//! The one status rule, table-tested: answers and a question set in; what
//! applies, what is missing, what fails, and the status out.

use std::collections::BTreeMap;

use super::super::*;
use crate::questions::QuestionSet;

const FILE: &str = r#"
[[question]]
id = "name"
prompt = "Name?"
required = true

[[question]]
id = "region"
prompt = "Region?"
kind = "choice"
choices = ["Europe", "Africa", "Asia"]
required = true

[[question]]
id = "visa"
prompt = "Do you need a visa for Europe?"
kind = "yesno"
required = true
when = { region = ["Europe", "Africa"] }

[[question]]
id = "embassy"
prompt = "Which embassy?"
required = true
when = { visa = "yes" }

[[question]]
id = "motivation"
prompt = "Why?"
kind = "paragraph"
min_length = 20
"#;

fn qs(text: &str) -> QuestionSet {
    QuestionSet::parse(text, std::path::Path::new("q.toml")).unwrap()
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// (answers, missing, failing, questions that do not apply, status)
type Row = (
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
    Status,
);

#[test]
fn what_applies_is_missing_or_fails_and_the_status() {
    let q = qs(FILE);
    let table: &[Row] = &[
        (
            &[],
            &["name", "region"],
            &[],
            &["visa", "embassy"],
            Status::Incomplete,
        ),
        (
            &[("name", "Ada"), ("region", "Asia")],
            &[],
            &[],
            &["visa", "embassy"],
            Status::Complete,
        ),
        // Europe: the visa question now applies and is required.
        (
            &[("name", "Ada"), ("region", "Europe")],
            &["visa"],
            &[],
            &["embassy"],
            Status::Incomplete,
        ),
        // A chain: yes to the visa question asks for the embassy.
        (
            &[("name", "Ada"), ("region", "Europe"), ("visa", "yes")],
            &["embassy"],
            &[],
            &[],
            Status::Incomplete,
        ),
        (
            &[("name", "Ada"), ("region", "Africa"), ("visa", "no")],
            &[],
            &[],
            &["embassy"],
            Status::Complete,
        ),
        // Back to Asia: the answers below are kept, not required, and
        // the embassy question falls with the visa one it hangs on.
        (
            &[
                ("name", "Ada"),
                ("region", "Asia"),
                ("visa", "yes"),
                ("embassy", "Paris"),
            ],
            &[],
            &[],
            &["visa", "embassy"],
            Status::Complete,
        ),
        // An optional answer that fails its rule keeps it incomplete.
        (
            &[("name", "Ada"), ("region", "Asia"), ("motivation", "Fun.")],
            &[],
            &["motivation"],
            &["visa", "embassy"],
            Status::Incomplete,
        ),
        // A stored answer no longer a choice fails, and a condition on it
        // does not hold.
        (
            &[("name", "Ada"), ("region", "Mars"), ("visa", "yes")],
            &[],
            &["region"],
            &["visa", "embassy"],
            Status::Incomplete,
        ),
        // An answer to a question no longer in the file changes nothing.
        (
            &[("name", "Ada"), ("region", "Asia"), ("old_id", "x")],
            &[],
            &[],
            &["visa", "embassy"],
            Status::Complete,
        ),
    ];
    for (given, missing, failing, not_applying, status) in table {
        let current = answers(given);
        let a = assess(&current, &q);
        assert_eq!(a.missing, *missing, "{given:?}");
        assert_eq!(
            a.failing.keys().map(String::as_str).collect::<Vec<_>>(),
            *failing,
            "{given:?}"
        );
        assert_eq!(
            a.not_applying
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            {
                let mut v = not_applying.to_vec();
                v.sort();
                v
            },
            "{given:?}"
        );
        assert_eq!(a.status(), *status, "{given:?}");
        // Every caller agrees with the rule.
        assert_eq!(super::super::missing(&current, &q), a.missing);
        assert_eq!(super::super::status(&current, &q), *status);
        assert_eq!(
            standing(Status::Complete, &current, &q),
            *status,
            "a stored status follows the answers"
        );
        assert_eq!(standing(Status::Withdrawn, &current, &q), Status::Withdrawn);
        // Complete exactly when nothing is missing or failing.
        assert_eq!(
            a.status() == Status::Complete,
            a.missing.is_empty() && a.failing.is_empty()
        );
        // Reported: everything but the answers to questions that do not
        // apply; an unknown id (an earlier question) is kept.
        let reported = a.reported(&current);
        for (id, _) in given.iter() {
            assert_eq!(
                reported.contains_key(*id),
                !not_applying.contains(id),
                "{id} in {given:?}"
            );
        }
    }
}

#[test]
fn a_rule_changed_mid_call_applies_to_stored_answers() {
    let current = answers(&[
        ("name", "Ada"),
        ("region", "Asia"),
        ("motivation", "I like to help."),
    ]);
    let before = qs(&FILE.replace("min_length = 20", "min_length = 10"));
    assert_eq!(assess(&current, &before).status(), Status::Complete);
    let after = qs(FILE);
    let a = assess(&current, &after);
    assert_eq!(a.status(), Status::Incomplete);
    assert_eq!(
        a.failing["motivation"].words(5),
        "Your answer to 5 has 15 characters; at least 20 are needed."
    );
}

/// A file question is complete only with a stored file of a type it
/// takes today: a text answer kept from when the same id was a text
/// question (a reply read against the earlier version, or an answer from
/// before the change) is no file, and a file of a type no longer taken
/// fails as any answer re-checked against today's file does.
#[test]
fn a_file_question_counts_only_a_stored_file_of_a_type_it_takes() {
    let text = "[[question]]\nid = \"cv\"\nprompt = \"Your CV\"\nrequired = true\n";
    let file =
        "[[question]]\nid = \"cv\"\nprompt = \"Your CV\"\nrequired = true\nkind = \"file\"\n";
    let link = answers(&[("cv", "see https://example.org/cv")]);
    assert_eq!(assess(&link, &qs(text)).status(), Status::Complete);
    let a = assess(&link, &qs(file));
    assert_eq!(a.status(), Status::Incomplete, "{a:?}");
    assert!(a.failing.contains_key("cv"), "{a:?}");

    let pdf = answers(&[("cv", "Lebenslauf (2024).pdf (PDF, 7.2 kB)")]);
    assert_eq!(assess(&pdf, &qs(file)).status(), Status::Complete);
    let docx_only = format!("{file}types = [\"docx\"]\n");
    let a = assess(&pdf, &qs(&docx_only));
    assert_eq!(a.status(), Status::Incomplete, "{a:?}");
    assert!(a.failing.contains_key("cv"), "{a:?}");
}
