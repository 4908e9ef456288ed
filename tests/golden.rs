//! Golden fixtures: real-looking replies from many mail clients
//! (`tests/fixtures/replies/*.eml`) and, beside each, what a careful person
//! reading it would record (`*.json`, written by hand). Every fixture is
//! read as the daemon reads mail: parsed, answers extracted and validated.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mailintake::answers::Extractor;
use mailintake::config::Config;
use mailintake::domain;
use mailintake::ingest;
use mailintake::render::Templates;
use mailintake::robot;
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replies")
}

/// The extractor exactly as `mailintake::open` builds it, for the fixture questions.
fn extractor() -> Extractor {
    let dir = fixtures();
    let text = r#"
[intake]
address = "ldwg@example.org"
name = "Leadership Development Working Group"
questions = "questions.toml"
[imap]
host = "imap.example.org"
username = "ldwg@example.org"
password = "unused"
[smtp]
host = "smtp.example.org"
[database]
url = "sqlite://unused.db"
"#;
    let config = Config::from_str_at(text, &dir.join("mailintake.toml"), &|_| None).unwrap();
    let templates = Templates::load(None).unwrap();
    mailintake::extractor(&config, &templates).unwrap()
}

fn actual(raw: &[u8], extractor: &Extractor) -> Value {
    let inbound = ingest::parse(raw).expect("fixture parses");
    let from = inbound.from.as_ref();
    let extracted = extractor.read(&inbound.body, from.and_then(|f| f.name.as_deref()));
    let checked = domain::check(&extracted, extractor.questions());
    // What a person records: the answers the questions accept, and the
    // ids of those they do not (stored as given, or not at all).
    let valid: BTreeMap<String, String> = checked
        .stored
        .iter()
        .filter(|(_, t)| t.failing.is_none())
        .map(|(id, t)| (id.clone(), t.value.clone()))
        .collect();
    let mut refused: Vec<&String> = checked
        .stored
        .iter()
        .filter(|(_, t)| t.failing.is_some())
        .map(|(id, _)| id)
        .chain(checked.refused.keys())
        .collect();
    refused.sort();
    // Marks on accepted answers; a refused answer is named anyway.
    let checks: Vec<&String> = extracted
        .checks
        .keys()
        .filter(|id| valid.contains_key(*id))
        .collect();
    // As the pipeline decides: a content tell loses to answers.
    let verdict = robot::verdict(
        &inbound.facts,
        from,
        "ldwg@example.org",
        &inbound.subject,
        &inbound.body,
    );
    let robot = matches!(
        robot::decide(&verdict, extracted.holds_answers()),
        robot::Decision::Robot { .. }
    );
    // A robot's mail is stored and listed, never read for answers.
    let (checks, valid, invalid) = if robot {
        (Vec::new(), BTreeMap::new(), Vec::new())
    } else {
        (checks, valid, refused)
    };
    json!({
        "checks": checks,
        "robot": robot,
        "from": from.map(|f| f.address.clone()),
        "from_name": from.and_then(|f| f.name.clone()),
        "subject": inbound.subject,
        "answers": valid,
        "invalid": invalid,
        "attachments": inbound.attachments,
    })
}

#[test]
fn reply_fixtures_match_what_a_person_reads() {
    let extractor = extractor();
    let mut names: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    names.sort();
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    for eml in &names {
        let name = eml.file_stem().unwrap().to_string_lossy().into_owned();
        let expected_path = eml.with_extension("json");
        let Ok(expected_text) = std::fs::read_to_string(&expected_path) else {
            failures.insert(name, "no expected .json beside it".into());
            continue;
        };
        let expected: Value = match serde_json::from_str(&expected_text) {
            Ok(v) => v,
            Err(e) => {
                failures.insert(name, format!("expected .json is not JSON: {e}"));
                continue;
            }
        };
        let mut expected = expected;
        // Fixtures written before these keys existed: no marks, a person.
        expected
            .as_object_mut()
            .map(|o| {
                o.entry("checks").or_insert(json!([]));
                o.entry("robot").or_insert(json!(false));
            })
            .unwrap();
        let got = actual(&std::fs::read(eml).unwrap(), &extractor);
        if got != expected {
            let mut diff = String::new();
            for key in [
                "robot",
                "checks",
                "from",
                "from_name",
                "subject",
                "answers",
                "invalid",
                "attachments",
            ] {
                if got[key] != expected[key] {
                    diff.push_str(&format!(
                        "\n  {key}:\n    expected {}\n    got      {}",
                        expected[key], got[key]
                    ));
                }
            }
            failures.insert(name, diff);
        }
    }
    if !failures.is_empty() {
        let report: String = failures.iter().map(|(n, d)| format!("\n{n}:{d}")).collect();
        panic!(
            "{} of {} fixtures differ:{report}",
            failures.len(),
            names.len()
        );
    }
    assert!(
        names.len() >= 40,
        "the golden suite ran {} fixtures; it should have at least 40",
        names.len()
    );
    eprintln!("{} reply fixtures matched", names.len());
}
