//! `mailintake explain MAIL.eml`, run as staff run it: the real binary, a
//! mail file, and a questions file, with no configuration, server or
//! database at all.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replies")
}

fn explain(args: &[&str], mail: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    Command::new(env!("CARGO_BIN_EXE_mailintake"))
        // No configuration file exists: explain must not need one.
        .arg("--config")
        .arg(dir.path().join("absent.toml"))
        .arg("explain")
        .arg("--questions")
        .arg(fixtures().join("questions.toml"))
        .args(args)
        .arg(fixtures().join(mail))
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    assert!(
        out.status.success(),
        "explain failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn text_names_the_part_each_cut_each_answer_and_the_check() {
    let out = text(&explain(&[], "sig-en-contact-lines.eml"));
    assert!(out.contains("robot:    no (a person)"), "{out}");
    assert!(out.contains("read:     the text/plain part"), "{out}");
    // The quoted question mail, the attribution above it and the guessed
    // signature, each with its lines.
    assert!(out.contains("  attribution at line "), "{out}");
    assert!(out.contains("  signature (guessed) at line "), "{out}");
    assert!(out.contains("    | M: +44 7700 900 321"), "{out}");
    assert!(
        out.contains("  4. motivation (stored):\n    | I chair a network"),
        "{out}"
    );
    assert!(
        out.contains("check (1):\n  motivation: signature-guessed; as written:"),
        "{out}"
    );
}

#[test]
fn json_gives_the_same_facts() {
    let out = text(&explain(&["--json"], "sig-en-contact-lines.eml"));
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["robot"], Value::Null);
    assert_eq!(v["part"], "the text/plain part");
    let cuts = v["cuts"].as_array().unwrap();
    let sig = cuts
        .iter()
        .find(|c| c["kind"] == "signature")
        .expect("a signature cut");
    assert_eq!(sig["guessed"], true);
    assert!(sig["first_line"].as_u64().unwrap() > 1);
    assert!(
        sig["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l == "M: +44 7700 900 321")
    );
    let motivation = v["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["question"] == "motivation")
        .unwrap();
    assert_eq!(motivation["number"], 4);
    assert!(!motivation["read"].as_str().unwrap().contains("+44"));
    assert_eq!(v["checks"]["motivation"]["reason"], "signature-guessed");
    assert!(
        v["checks"]["motivation"]["as_written"]
            .as_str()
            .unwrap()
            .contains("+44 113 496 0000")
    );
}

#[test]
fn robots_and_split_parts_are_explained() {
    let out = text(&explain(&[], "robot-ooo-automatische-antwort-de.eml"));
    assert!(
        out.contains("robot:    yes, never answered: subject \"Automatische Antwort:"),
        "{out}"
    );
    let out = text(&explain(&[], "body-apple-mixed-image-top-de.eml"));
    assert!(
        out.contains("read:     2 text/plain parts, joined in order"),
        "{out}"
    );
    let out = text(&explain(&[], "body-winmail-only-tnef.eml"));
    assert!(out.contains("attached: winmail.dat"), "{out}");
    assert!(out.contains("answers (0):"), "{out}");
}

#[test]
fn a_refused_answer_says_why() {
    let out = text(&explain(&[], "attr-fi-kirjoitti-top.eml"));
    assert!(
        out.contains("website (refused: `ei ole` is not a web address; stored as given)"),
        "{out}"
    );
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let out = explain(&[], "no-such-mail.eml");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read") && err.contains("no-such-mail.eml"),
        "{err}"
    );
}

/// A questions file with French texts beside the English ones.
const BILINGUAL: &str = r#"
[[question]]
id = "name"
prompt.en = "What is your name?"
prompt.fr = "Quel est votre nom ?"
required = true

[[question]]
id = "region"
prompt.en = "Which region do you live in?"
prompt.fr = "Dans quelle région vivez-vous ?"
kind = "choice"
choices.en = ["Africa", "Europe", "Latin America"]
choices.fr = ["Afrique", "Europe", "Amérique latine"]
"#;

const FRENCH_REPLY: &str = "From: Marie Curie <marie@example.net>\r\n\
To: team@example.org\r\n\
Subject: Candidature\r\n\
Message-ID: <fr-1@example.net>\r\n\
Date: Mon, 4 May 2026 10:00:00 +0200\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
1. Marie Curie\r\n\
2. Amérique latine\r\n";

/// `explain --questions FILE` with a configuration: the file is read
/// with the languages the configuration lists, so a French answer is
/// read as the canonical choice; without a configuration, a file with
/// translations is refused in words that say what to give.
#[test]
fn a_questions_file_with_translations_is_read_with_the_configured_languages() {
    let dir = tempfile::tempdir().unwrap();
    let questions = dir.path().join("new-questions.toml");
    std::fs::write(&questions, BILINGUAL).unwrap();
    let mail = dir.path().join("reply.eml");
    std::fs::write(&mail, FRENCH_REPLY).unwrap();
    // The config names another questions file, which does not exist: the
    // one given on the command line is read in its place.
    let config = dir.path().join("mailintake.toml");
    let write_config = |languages: &str| {
        std::fs::write(
            &config,
            format!(
                "[intake]\naddress = \"team@example.org\"\nname = \"The Group\"\n\
                 questions = \"absent.toml\"\nlanguages = {languages}\n"
            ),
        )
        .unwrap()
    };
    let run = |config: &Path| {
        Command::new(env!("CARGO_BIN_EXE_mailintake"))
            .arg("--config")
            .arg(config)
            .arg("explain")
            .arg("--questions")
            .arg(&questions)
            .arg("--json")
            .arg(&mail)
            .output()
            .unwrap()
    };
    write_config("[\"en\", \"fr\"]");
    let v: Value = serde_json::from_str(&text(&run(&config))).unwrap();
    let region = v["answers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["question"] == "region")
        .unwrap_or_else(|| panic!("no region answer: {v:#}"));
    assert_eq!(region["stored"], "Latin America", "{v:#}");

    // The configuration lists English alone: the French key is named.
    write_config("[\"en\"]");
    let out = run(&config);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "{}: key `question[0].prompt.fr`: question 1 (id `name`): `fr` is not one of intake.languages (`en`)",
            questions.display()
        )),
        "{err}"
    );

    // No configuration at all.
    let absent = dir.path().join("absent-config.toml");
    let out = run(&absent);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("key `question[0].prompt.fr`")
            && err.contains(
                "holds texts per language, which are read with the languages of intake.languages"
            )
            && err.contains(&format!(
                "there is no configuration at {}: give it with --config",
                absent.display()
            )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
}
