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
    let condition = when("member", &["yes"]);
    assert_eq!(
        diff(&before, &after),
        [
            Change::NewlyRequired {
                id: "since".into(),
                number: 2
            },
            Change::ConditionChanged {
                id: "since".into(),
                number: 2,
                from: condition.clone(),
                to: None,
            }
        ]
    );
    // Gaining a condition asks less: only the condition is named.
    assert_eq!(
        diff(&after, &before),
        [Change::ConditionChanged {
            id: "since".into(),
            number: 2,
            from: None,
            to: condition,
        }]
    );
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

/// Every kind of question, with a rule of each kind and a condition.
/// Numbers: region 1, member 2, motivation 3, code 4, age 5, langs 6,
/// cv 7, visa 8.
const RULED: &str = r#"
[[question]]
id = "region"
prompt = "Region?"
kind = "choice"
choices = ["Africa", "Europe", "Latin America"]

[[question]]
id = "member"
prompt = "Member?"
kind = "yesno"

[[question]]
id = "motivation"
prompt = "Why?"
kind = "paragraph"
min_length = 20
max_length = 500
required = true

[[question]]
id = "code"
prompt = "Code?"
pattern = '[A-Z]+'

[[question]]
id = "age"
prompt = "Age?"
kind = "number"
min = 16
max = 99

[[question]]
id = "langs"
prompt = "Languages?"
kind = "choices"
choices = ["English", "French", "Spanish"]
max_choices = 3

[[question]]
id = "cv"
prompt = "CV"
kind = "file"
types = ["pdf", "docx", "odt"]
max_size = "5MB"

[[question]]
id = "visa"
prompt = "Visa?"
kind = "yesno"
when = { region = ["Europe", "Africa"] }
"#;

fn stricter(id: &str, number: usize, rule: Stricter) -> Change {
    Change::Stricter {
        id: id.into(),
        number,
        rule,
    }
}

fn when(question: &str, values: &[&str]) -> Option<Condition> {
    Some(Condition {
        terms: vec![crate::questions::condition::Term {
            question: question.into(),
            values: values.iter().map(|v| v.to_string()).collect(),
        }],
    })
}

/// Each change that can turn a complete application incomplete is named
/// with the question's id and number; what asks less is not.
#[test]
fn each_stricter_choice_kind_and_condition_change_is_named() {
    use crate::files::FileType;
    let parse = |text: &str| QuestionSet::parse(text, Path::new("q.toml")).expect("questions");
    let renamed = |from: &str, to: &str, kept: bool| Change::ChoiceRenamed {
        id: "region".into(),
        number: 1,
        from: from.into(),
        to: to.into(),
        kept,
    };
    /// What changed, the text replaced and its replacement, the changes.
    type Case<'a> = (&'a str, &'a str, &'a str, Vec<Change>);
    let cases: Vec<Case<'_>> = vec![
        (
            "min_length raised",
            "min_length = 20",
            "min_length = 50",
            vec![stricter(
                "motivation",
                3,
                Stricter::MinLength {
                    from: Some(20),
                    to: 50,
                },
            )],
        ),
        (
            "min_length lowered",
            "min_length = 20",
            "min_length = 5",
            vec![],
        ),
        (
            "max_length lowered",
            "max_length = 500",
            "max_length = 300",
            vec![stricter(
                "motivation",
                3,
                Stricter::MaxLength {
                    from: Some(500),
                    to: 300,
                },
            )],
        ),
        (
            "max_length where there was none",
            "pattern = '[A-Z]+'",
            "pattern = '[A-Z]+'\nmax_length = 10",
            vec![stricter(
                "code",
                4,
                Stricter::MaxLength { from: None, to: 10 },
            )],
        ),
        (
            "max_length at the longest answer taken asks nothing more",
            "pattern = '[A-Z]+'",
            "pattern = '[A-Z]+'\nmax_length = 2000",
            vec![],
        ),
        (
            "pattern changed",
            "pattern = '[A-Z]+'",
            "pattern = '[A-Z]{3}'",
            vec![stricter(
                "code",
                4,
                Stricter::Pattern {
                    from: Some("[A-Z]+".into()),
                    to: "[A-Z]{3}".into(),
                },
            )],
        ),
        ("pattern removed", "pattern = '[A-Z]+'", "", vec![]),
        (
            "min raised",
            "min = 16",
            "min = 18",
            vec![stricter(
                "age",
                5,
                Stricter::Min {
                    from: Some("16".into()),
                    to: "18".into(),
                },
            )],
        ),
        (
            "max lowered",
            "max = 99",
            "max = 65.5",
            vec![stricter(
                "age",
                5,
                Stricter::Max {
                    from: Some("99".into()),
                    to: "65.5".into(),
                },
            )],
        ),
        ("max raised", "max = 99", "max = 120", vec![]),
        (
            "min_choices where there was none",
            "max_choices = 3",
            "max_choices = 3\nmin_choices = 2",
            vec![stricter(
                "langs",
                6,
                Stricter::MinChoices { from: None, to: 2 },
            )],
        ),
        (
            "max_choices lowered",
            "max_choices = 3",
            "max_choices = 2",
            vec![stricter(
                "langs",
                6,
                Stricter::MaxChoices {
                    from: Some(3),
                    to: 2,
                },
            )],
        ),
        ("max_choices removed", "max_choices = 3", "", vec![]),
        (
            "types narrowed",
            r#"types = ["pdf", "docx", "odt"]"#,
            r#"types = ["pdf"]"#,
            vec![stricter(
                "cv",
                7,
                Stricter::Types {
                    dropped: vec![FileType::Docx, FileType::Odt],
                    now: vec![FileType::Pdf],
                },
            )],
        ),
        (
            "types widened to all",
            r#"types = ["pdf", "docx", "odt"]"#,
            "",
            vec![],
        ),
        (
            "max_size lowered",
            r#"max_size = "5MB""#,
            r#"max_size = "2 MiB""#,
            vec![stricter(
                "cv",
                7,
                Stricter::MaxSize {
                    from: 5_000_000,
                    to: 2 * 1024 * 1024,
                },
            )],
        ),
        (
            "max_size left out is the default, 5 MB",
            r#"max_size = "5MB""#,
            "",
            vec![],
        ),
        (
            "kind changed",
            "kind = \"number\"\nmin = 16\nmax = 99",
            "kind = \"text\"",
            vec![Change::KindChanged {
                id: "age".into(),
                number: 5,
                from: Kind::Number,
                to: Kind::Text,
            }],
        ),
        (
            "a choice removed",
            r#"["Africa", "Europe", "Latin America"]"#,
            r#"["Africa", "Europe"]"#,
            vec![Change::ChoiceRemoved {
                id: "region".into(),
                number: 1,
                choice: "Latin America".into(),
            }],
        ),
        (
            "a choice renamed in its place",
            r#"["Africa", "Europe", "Latin America"]"#,
            r#"["Africa", "Europe", "South America"]"#,
            vec![renamed("Latin America", "South America", false)],
        ),
        (
            "a choice lengthened: stored answers read as the longer one",
            r#"["Africa", "Europe", "Latin America"]"#,
            r#"["Africa", "Europe", "Latin America and the Caribbean", "Oceania"]"#,
            vec![renamed(
                "Latin America",
                "Latin America and the Caribbean",
                true,
            )],
        ),
        (
            "case and accents, order, an added choice: nothing for answers",
            r#"["Africa", "Europe", "Latin America"]"#,
            r#"["Oceania", "LATIN AMÉRICA", "europe", "Africa"]"#,
            vec![],
        ),
        (
            "several choices narrowed to one",
            "kind = \"choices\"\nchoices = [\"English\", \"French\", \"Spanish\"]\nmax_choices = 3",
            "kind = \"choice\"\nchoices = [\"English\", \"French\", \"Spanish\"]",
            vec![Change::KindChanged {
                id: "langs".into(),
                number: 6,
                from: Kind::Choices,
                to: Kind::Choice,
            }],
        ),
        (
            "a condition narrowed",
            r#"when = { region = ["Europe", "Africa"] }"#,
            r#"when = { region = "europe" }"#,
            vec![Change::ConditionChanged {
                id: "visa".into(),
                number: 8,
                from: when("region", &["Europe", "Africa"]),
                to: when("region", &["Europe"]),
            }],
        ),
        (
            "a condition written otherwise",
            r#"when = { region = ["Europe", "Africa"] }"#,
            r#"when = { region = ["AFRICA", "Europe"] }"#,
            vec![],
        ),
        (
            "a condition added",
            "kind = \"yesno\"\n\n[[question]]\nid = \"motivation\"",
            "kind = \"yesno\"\nwhen = { region = \"Africa\" }\n\n[[question]]\nid = \"motivation\"",
            vec![Change::ConditionChanged {
                id: "member".into(),
                number: 2,
                from: None,
                to: when("region", &["Africa"]),
            }],
        ),
    ];
    let before = parse(RULED);
    for (what, from, to, want) in cases {
        assert!(RULED.contains(from), "{what}: no {from:?} in the file");
        let after = parse(&RULED.replacen(from, to, 1));
        assert_eq!(diff(&before, &after), want, "{what}");
    }
}

#[test]
fn stricter_rules_read_as_staff_need_them() {
    let parse = |text: &str| QuestionSet::parse(text, Path::new("q.toml")).expect("questions");
    let after = RULED
        .replace("min_length = 20", "min_length = 50")
        .replace("pattern = '[A-Z]+'", "pattern = '[A-Z]+'\nmax_length = 10")
        .replace(r#"types = ["pdf", "docx", "odt"]"#, r#"types = ["pdf"]"#)
        .replace(r#"max_size = "5MB""#, r#"max_size = "2MB""#)
        .replace("kind = \"number\"\nmin = 16\nmax = 99", "kind = \"text\"")
        .replace(
            r#"["Africa", "Europe", "Latin America"]"#,
            r#"["Africa", "Europe", "South America", "Latin America and the Caribbean"]"#,
        )
        .replace(r#"when = { region = ["Europe", "Africa"] }"#, "");
    let changes = diff(&parse(RULED), &parse(&after));
    let lines: Vec<String> = changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "choice renamed: `region` (1): `Latin America` -> `Latin America and the Caribbean` (answers of `Latin America` are read as `Latin America and the Caribbean`)",
            "stricter: `motivation` (3): answers must now have at least 50 characters (was 20)",
            "stricter: `code` (4): answers must now have at most 10 characters (no such rule before)",
            "kind changed: `age` (5): number -> text (answers kept are checked as text answers)",
            "stricter: `cv` (7): files must now be one of pdf (docx, odt no longer taken)",
            "stricter: `cv` (7): files must now be at most 2 MB (was 5 MB; files already kept are not measured again)",
            "condition changed: `visa` (8): now always asked (was: asked only if `region` is Europe or Africa)",
        ]
    );
    let reasons: Vec<Option<String>> = changes.iter().map(Change::reason).collect();
    assert_eq!(
        reasons[1].as_deref(),
        Some("answers must now have at least 50 characters (was 20)")
    );
    assert_eq!(
        reasons[3].as_deref(),
        Some("now a text question (was number)")
    );
    let removed = diff(
        &parse(RULED),
        &parse(&RULED.replace(r#""Europe", "Latin America"]"#, r#""Europe"]"#)),
    );
    assert_eq!(
        removed.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["choice removed: `region` (1): `Latin America` (answers choosing it fail)"]
    );
    let in_place = diff(
        &parse(RULED),
        &parse(&RULED.replace("\"Latin America\"]", "\"South America\"]")),
    );
    assert_eq!(
        in_place.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "choice renamed: `region` (1): `Latin America` -> `South America` (answers stored as `Latin America` fail)"
        ]
    );
}

/// A question removed and one added under the same prompt read as a
/// renamed id; another prompt, or an id still in the file, does not.
#[test]
fn a_removed_and_an_added_question_with_one_prompt_look_renamed() {
    let file = |qs: &[(&str, &str)]| {
        let text: String = qs
            .iter()
            .map(|(id, prompt)| format!("[[question]]\nid = \"{id}\"\nprompt = \"{prompt}\"\n"))
            .collect();
        QuestionSet::parse(&text, Path::new("q.toml")).expect("questions")
    };
    let old = file(&[
        ("name", "Name?"),
        ("hours", "Hours a week?"),
        ("why", "Why?"),
    ]);
    /// What changed, the new file, the pairs expected.
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<(&'a str, &'a str)>);
    let cases: Vec<Case<'_>> = vec![
        (
            "an id renamed, a question inserted before it",
            vec![
                ("name", "Name?"),
                ("email", "Email?"),
                ("weekly_hours", " hours a week? "),
                ("why", "Why?"),
            ],
            vec![("hours", "weekly_hours")],
        ),
        (
            "removed, and another question added",
            vec![("name", "Name?"), ("city", "City?"), ("why", "Why?")],
            vec![],
        ),
        (
            "a new question with the prompt of one still in the file",
            vec![
                ("name", "Name?"),
                ("hours", "Hours a week?"),
                ("why", "Why?"),
                ("again", "Why?"),
            ],
            vec![],
        ),
        (
            "the same file",
            vec![
                ("name", "Name?"),
                ("hours", "Hours a week?"),
                ("why", "Why?"),
            ],
            vec![],
        ),
    ];
    for (what, new, expected) in cases {
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(likely_renames(&old, &file(&new)), expected, "{what}");
    }
}
