//! The report's tests, and the two reports they share: a plain one and a
//! hostile one.

mod csv;
mod html;
mod model;

use std::collections::BTreeMap;
use std::path::Path;

use super::{Application, AttentionItem, EarlierAnswer, Report};
use crate::answers::{Check, CheckReason};
use crate::domain::{Attention, Status};
use crate::questions::QuestionSet;

fn sample() -> (Report, QuestionSet) {
    let q = QuestionSet::parse(
        "[[question]]\nid = \"name\"\nprompt = \"Name?\"\n[[question]]\nid = \"why\"\nprompt = \"Why?\"\nkind = \"paragraph\"\n",
        Path::new("q.toml"),
    )
    .expect("questions");
    let mut answers = BTreeMap::new();
    answers.insert("name".to_string(), "Ada \"the\" Countess".to_string());
    answers.insert(
        "why".to_string(),
        "line one,\nline two <script>".to_string(),
    );
    // Grace's `why` was read with a guessed signature cut, and an answer
    // to a question since removed from the file was read inside an
    // original; her `name` was read cleanly.
    let grace_answers: BTreeMap<String, String> = [("name", "Grace Hopper"), ("why", "To teach.")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut grace_checks = BTreeMap::new();
    grace_checks.insert(
        "why".to_string(),
        Check {
            reason: CheckReason::SignatureGuessed,
            as_written: "To teach.\n\nGrace Hopper\nRear Admiral <USN>\n+1 555 0100".into(),
        },
    );
    grace_checks.insert(
        "old".to_string(),
        Check {
            reason: CheckReason::InsideOriginal,
            as_written: "Navy".into(),
        },
    );
    let r = Report {
        files_href: None,
        applications: vec![
            Application {
                email: "ada@example.net".into(),
                name: Some("Ada".into()),
                status: Status::Complete,
                answers,
                // Ada answered `why` when it read otherwise.
                asked_as: [("why".to_string(), "Why do you apply?".to_string())].into(),
                earlier_questions: BTreeMap::new(),
                checks: BTreeMap::new(),
                missing: vec![],
                files: Default::default(),
                failing: BTreeMap::new(),
                received_at: "2022-04-01T00:00:00.000000Z".into(),
                updated_at: "2022-04-02T00:00:00.000000Z".into(),
                language: None,
            },
            Application {
                email: "grace@example.net".into(),
                name: Some("Grace Hopper".into()),
                status: Status::Complete,
                answers: grace_answers,
                asked_as: BTreeMap::new(),
                earlier_questions: [(
                    "old".to_string(),
                    EarlierAnswer {
                        prompt: Some("Which service?".into()),
                        value: "Navy".into(),
                    },
                )]
                .into(),
                checks: grace_checks,
                missing: vec![],
                files: Default::default(),
                failing: BTreeMap::new(),
                received_at: "2022-04-01T00:00:00.000000Z".into(),
                updated_at: "2022-04-02T00:00:00.000000Z".into(),
                language: None,
            },
        ],
        attention: vec![AttentionItem {
            from: Some("<b>@x".into()),
            subject: "Out of office".into(),
            received_at: "2022-04-03T00:00:00.000000Z".into(),
            reason: Attention::Robot,
            detail: None,
        }],
    };
    (r, q)
}

/// Questions `name`, `Status` and `-x`, answered with formulas in
/// every column a sender controls.
fn hostile() -> (Report, QuestionSet) {
    let q = QuestionSet::parse(
        "[[question]]\nid = \"name\"\nprompt = \"Name?\"\n\
         [[question]]\nid = \"Status\"\nprompt = \"Status?\"\n\
         [[question]]\nid = \"-x\"\nprompt = \"X?\"\n\
         [[question]]\nid = \"why\"\nprompt = \"Why?\"\nkind = \"paragraph\"\n",
        Path::new("q.toml"),
    )
    .expect("questions");
    let answers: BTreeMap<String, String> = [
        ("name", "=HYPERLINK(\"http://x\",\"y\")"),
        ("Status", "+cmd|' /C calc'!A0"),
        ("-x", "@SUM(1)"),
        ("why", "-1\n=2"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let r = Report {
        files_href: None,
        applications: vec![Application {
            email: "=1+1@example.net".into(),
            name: Some("\t=cmd".into()),
            status: Status::Complete,
            answers,
            asked_as: BTreeMap::new(),
            earlier_questions: [(
                "gone".to_string(),
                EarlierAnswer {
                    prompt: Some("Gone?".into()),
                    value: "=1".into(),
                },
            )]
            .into(),
            checks: BTreeMap::new(),
            missing: vec![],
            files: Default::default(),
            failing: BTreeMap::new(),
            received_at: "2022-04-01T00:00:00.000000Z".into(),
            updated_at: "2022-04-02T00:00:00.000000Z".into(),
            language: None,
        }],
        attention: vec![],
    };
    (r, q)
}
