//! A handful of the golden reply shapes sent through the real mail stack:
//! the report must show what a person reading the mail would record.

use std::path::Path;

use serde_json::Value;

use super::common::{INTAKE_NAME, Intake, parse_mail, threaded};

fn fixture(name: &str) -> (Vec<u8>, Value) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replies");
    let raw = std::fs::read(dir.join(format!("{name}.eml"))).unwrap();
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap())
            .unwrap();
    (raw, expected)
}

/// The fixture as sent by `who` to `team`: addresses in the header
/// rewritten, the body untouched.
fn as_sent(raw: &[u8], from: &str, who: &str, team: &str) -> Vec<u8> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n"))
        .unwrap();
    let (head, body) = raw.split_at(split);
    let re_from = regex::bytes::Regex::new(&format!("(?i){}", regex::escape(from))).unwrap();
    let head = re_from.replace_all(head, who.as_bytes());
    let re_team = regex::bytes::Regex::new("(?i)ldwg@example\\.org").unwrap();
    let head = re_team.replace_all(&head, team.as_bytes());
    [head.as_ref(), body].concat()
}

/// An intake asking the golden fixtures' questions.
fn intake() -> Intake {
    let intake = Intake::new();
    let questions =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replies/questions.toml");
    std::fs::copy(questions, intake.dir.path().join("questions.toml")).unwrap();
    intake
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_from_many_clients_are_read_right_end_to_end() {
    let intake = intake();
    let shapes = [
        "gm-inline-answers",
        "apple-mac-inline",
        "tb-inline-flowed",
        "outlook-numbered-list",
        "owa-base64-invalid",
        "intl-ja-gmail-iso2022jp",
        "intl-ru-gmail-koi8r",
        "enc-latin9-euro-kmail",
    ];
    // Each applicant first gets the questions, and replies to them.
    let who: Vec<String> = shapes
        .iter()
        .map(|name| intake.stack.address(name, "example.net"))
        .collect();
    let asked = intake
        .questions_for(&who.iter().map(String::as_str).collect::<Vec<_>>())
        .await;
    let mut sent = Vec::new();
    for ((name, who), question) in shapes.into_iter().zip(who).zip(&asked) {
        let (raw, expected) = fixture(name);
        let from = expected["from"].as_str().unwrap();
        let raw = threaded(&as_sent(&raw, from, &who, &intake.team), question);
        intake.receive_raw(&who, &raw).await;
        sent.push((name, who, expected));
    }
    intake.once();
    for (name, who, expected) in &sent {
        let app = intake
            .application(who)
            .unwrap_or_else(|| panic!("{name}: no application"));
        // Accepted answers as a person reads them; an answer the questions
        // refuse is stored as given beside them (and keeps it incomplete).
        let invalid_ids: Vec<&str> = expected["invalid"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let stored = app["answers"].as_object().unwrap();
        for (id, value) in expected["answers"].as_object().unwrap() {
            assert_eq!(stored.get(id), Some(value), "{name}: {id}");
        }
        for id in stored.keys() {
            assert!(
                expected["answers"].get(id).is_some() || invalid_ids.contains(&id.as_str()),
                "{name}: {id} stored but neither accepted nor refused"
            );
        }
        let required_missing = ["name", "region", "languages", "motivation", "time"]
            .iter()
            .any(|id| expected["answers"].get(*id).is_none());
        let invalid = !invalid_ids.is_empty();
        let status = if required_missing || invalid {
            "incomplete"
        } else {
            "complete"
        };
        assert_eq!(app["status"], status, "{name}");
        // The applicant hears back: a confirmation, or what is wrong.
        let reply = parse_mail(&intake.stack.wait_for(who, 2)[1]);
        assert_eq!(reply.from_name.as_deref(), Some(INTAKE_NAME));
        if invalid || required_missing {
            assert!(
                reply.body.contains("Please reply to this mail"),
                "{name}:\n{}",
                reply.body
            );
            for id in expected["invalid"].as_array().unwrap() {
                let n = [
                    "name",
                    "region",
                    "languages",
                    "motivation",
                    "email",
                    "website",
                    "time",
                    "hours",
                ]
                .iter()
                .position(|q| q == id)
                .unwrap()
                    + 1;
                assert!(
                    reply.body.contains(&format!("\n{n}. ")),
                    "{name}: {id} not named:\n{}",
                    reply.body
                );
            }
            assert!(reply.body.contains("Problem: "), "{name}:\n{}", reply.body);
        } else {
            assert!(
                reply.body.contains("is complete"),
                "{name}:\n{}",
                reply.body
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_in_an_attachment_are_not_read_and_the_applicant_is_told() {
    let intake = intake();
    let (raw, expected) = fixture("attach-pdf-gmail");
    let who = intake.stack.address("pdf", "example.net");
    let from = expected["from"].as_str().unwrap();
    intake
        .receive_raw(&who, &as_sent(&raw, from, &who, &intake.team))
        .await;
    intake.once();
    // The one who also answers in the body replies to our questions.
    let (raw2, expected2) = fixture("attach-odt-thunderbird-partial-body");
    let who2 = intake.stack.address("odt", "example.net");
    let asked = intake.questions_for(&[&who2]).await;
    let from2 = expected2["from"].as_str().unwrap();
    let raw2 = threaded(&as_sent(&raw2, from2, &who2, &intake.team), &asked[0]);
    intake.receive_raw(&who2, &raw2).await;
    intake.once();

    let reply = parse_mail(&intake.stack.wait_for(&who, 1)[0]);
    assert!(
        reply.body.contains("We do not read answers"),
        "{}",
        reply.body
    );
    assert!(reply.body.contains("answers.pdf"), "{}", reply.body);
    assert!(
        reply.body.contains("1. What is your name? (required)"),
        "questions included:\n{}",
        reply.body
    );
    // The one who also answered in the body gets those answers stored.
    let app2 = intake.application(&who2).unwrap();
    assert_eq!(app2["answers"], expected2["answers"]);
    let reply2 = parse_mail(&intake.stack.wait_for(&who2, 2)[1]);
    assert!(
        reply2.body.contains("Please reply to this mail"),
        "{}",
        reply2.body
    );

    let att = intake.listed("attachment");
    assert_eq!(att.len(), 2, "{att:#?}");
    assert!(
        att.iter()
            .any(|a| a["from"] == who.as_str() && a["detail"] == "answers.pdf")
    );
    assert!(
        att.iter()
            .any(|a| a["from"] == who2.as_str() && a["detail"] == "answers.odt")
    );
    // A second attachment-only mail the same day is listed, not answered again.
    let again = String::from_utf8(as_sent(&raw, from, &who, &intake.team))
        .unwrap()
        .replacen("Message-ID: <", "Message-ID: <again-", 1)
        .replacen("Message-Id: <", "Message-Id: <again-", 1);
    intake.receive(&who, &again).await;
    intake.once();
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert_eq!(intake.stack.delivered(&who).len(), 1);
}
