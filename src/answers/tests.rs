//! Table tests of the whole reader on small bodies, kind by kind.

use super::*;
use std::path::Path;

fn qs() -> QuestionSet {
    QuestionSet::parse(
        r#"
[[question]]
id = "name"
prompt = "What is your full name?"
required = true
[[question]]
id = "region"
prompt = "Which region do you live in?"
kind = "choice"
choices = ["Africa", "Asia", "Europe", "Latin America", "North America", "Oceania"]
required = true
[[question]]
id = "motivation"
prompt = "Why do you want to join the Leadership Development Working Group, and what would you bring to it?"
kind = "paragraph"
required = true
"#,
        Path::new("q.toml"),
    )
    .expect("questions")
}

fn quoted_questions(q: &QuestionSet) -> String {
    let mut s = String::from("> Hello,\n>\n> To apply, reply to this mail.\n>\n");
    for (i, question) in q.iter().enumerate() {
        for l in question_block(question, i + 1) {
            s.push_str(&format!("> {l}\n"));
        }
        s.push_str(">\n");
    }
    s.push_str("> -- \n> Leadership Development Working Group\n");
    s
}

#[test]
fn inline_answers_under_quoted_questions() {
    let q = qs();
    let quoted = quoted_questions(&q);
    // Insert answers after each question block.
    let mut body = String::from(
        "Hi, here are my answers.\n\nOn Mon, 4 Apr 2022, Team <team@example.org> wrote:\n",
    );
    for line in quoted.lines() {
        body.push_str(line);
        body.push('\n');
        if line.starts_with("> 1. ") {
            body.push_str("Ada Lovelace\n");
        }
        if line.starts_with(">    f) Oceania") {
            body.push_str("\neurope\n\n");
        }
        if line.starts_with(">    Several") {
            body.push_str("I like it.\n\nSecond paragraph\nstill second.\n");
        }
    }
    body.push_str("\nBest,\nAda\n-- \nAda Lovelace, Analytical Engines Ltd\n");
    let e = extract(&body, &q);
    assert_eq!(
        e.answers.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
    assert_eq!(e.answers.get("region").map(String::as_str), Some("europe"));
    assert_eq!(
        e.answers.get("motivation").map(String::as_str),
        Some("I like it.\n\nSecond paragraph\nstill second.")
    );
}

#[test]
fn closing_words_after_the_quote_are_not_an_answer() {
    let q = qs();
    let quoted = quoted_questions(&q);
    let body = quoted.replace(
        "> 1. What is your full name? (required)\n",
        "> 1. What is your full name? (required)\nAda\n",
    ) + "\nThanks!\n";
    let e = extract(&body, &q);
    assert_eq!(e.answers.get("name").map(String::as_str), Some("Ada"));
    assert_eq!(e.answers.len(), 1, "{e:?}");
}

#[test]
fn wrapped_quoted_prompt_still_owns_the_answer() {
    let q = qs();
    let body = "> 3. Why do you want to join the Leadership Development Working\n> Group, and what would you bring to it? (required)\n> Several sentences or paragraphs are welcome.\nBecause.\n";
    let e = extract(body, &q);
    assert_eq!(
        e.answers.get("motivation").map(String::as_str),
        Some("Because.")
    );
}

#[test]
fn top_posted_numbered_answers_in_every_style() {
    let q = qs();
    for (a, b, c) in [
        ("1.", "2.", "3."),
        ("1)", "2)", "3)"),
        ("1:", "2:", "3:"),
        ("(1)", "(2)", "(3)"),
        ("Q1:", "Q2:", "Q3:"),
        ("#1", "#2", "#3"),
    ] {
        let body = format!(
            "{a} Ada Lovelace\n{b} Europe\n{c} Because I care.\nAnd more.\n\nOn Tue, Apr 5, 2022 at 9:00 AM Team <team@example.org> wrote:\n{}",
            quoted_questions(&q)
        );
        let e = extract(&body, &q);
        assert_eq!(
            e.answers.get("name").map(String::as_str),
            Some("Ada Lovelace"),
            "{a}"
        );
        assert_eq!(
            e.answers.get("region").map(String::as_str),
            Some("Europe"),
            "{b}"
        );
        assert_eq!(
            e.answers.get("motivation").map(String::as_str),
            Some("Because I care.\nAnd more."),
            "{c}"
        );
    }
}

#[test]
fn numbered_answer_on_next_line_and_repeated_prompt() {
    let q = qs();
    let body = "1.\nAda\n2. Which region do you live in? Europe\n";
    let e = extract(body, &q);
    assert_eq!(e.answers.get("name").map(String::as_str), Some("Ada"));
    assert_eq!(e.answers.get("region").map(String::as_str), Some("Europe"));
}

#[test]
fn signatures_and_wrapped_attribution_are_dropped() {
    let q = qs();
    let body = "1. Ada\n2. Asia\n\nSent from my iPhone\n\nOn Tue, Apr 5, 2022 at 9:00 AM Leadership Team <\nteam@example.org> wrote:\n> 1. What is your full name?\n";
    let e = extract(body, &q);
    assert_eq!(e.answers.get("region").map(String::as_str), Some("Asia"));
    let body2 = "1. Ada\n2. Asia\n-- \n3. not an answer\n";
    let e2 = extract(body2, &q);
    assert!(!e2.answers.contains_key("motivation"), "{e2:?}");
}

#[test]
fn sign_off_ends_the_last_numbered_answer() {
    let q = qs();
    let e = extract("1. Ada\n2. Asia\n\nBest,\nAda\n", &q);
    assert_eq!(e.answers.get("region").map(String::as_str), Some("Asia"));
    let e = extract("2. Asia\nKind regards\nAda\n", &q);
    assert_eq!(e.answers.get("region").map(String::as_str), Some("Asia"));
}

#[test]
fn a_signature_above_the_quote_does_not_hide_inline_answers() {
    let q = qs();
    let body =
        "Answers below.\n-- \nAda\n\n> 1. What is your full name? (required)\nAda Lovelace\n";
    let e = extract(body, &q);
    assert_eq!(
        e.answers.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
}

#[test]
fn indented_quoted_lines_stay_with_their_question() {
    let q = qs();
    let body = "> 1. What is your full name? (required)\n>    Ada L.\n>    Problem: too short\nAda Lovelace\n> Thanks\nNot an answer\n";
    let e = extract(body, &q);
    assert_eq!(
        e.answers.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
}

#[test]
fn hanging_indent_under_a_numbered_answer_is_removed() {
    let q = qs();
    let e = extract(
        "3. I edit and\n   help run things.\n\n   Second paragraph.\n",
        &q,
    );
    assert_eq!(
        e.answers.get("motivation").map(String::as_str),
        Some("I edit and\nhelp run things.\n\nSecond paragraph.")
    );
}

#[test]
fn mixed_unicode_indentation_does_not_panic() {
    let q = qs();
    let body = "3. a\n \u{a0}b\n\u{a0}\u{3000}c\n\u{3000}d\n> 1. What is your full name?\n\u{a0}x\n \u{2003}y\n";
    let e = extract(body, &q);
    assert!(e.answers.contains_key("motivation"));
    assert!(e.answers.contains_key("name"));
}

#[test]
fn any_short_closing_ends_the_answers() {
    let q = qs();
    let e = extract("1. Ada\n2. Asia\n\nMerci beaucoup,\nAmélie\n", &q);
    assert_eq!(e.answers.get("region").map(String::as_str), Some("Asia"));
    let e = extract("3. First,\nI care.\n", &q);
    assert_eq!(
        e.answers.get("motivation").map(String::as_str),
        Some("First,\nI care.")
    );
}

#[test]
fn answers_under_questions_pasted_without_quoting() {
    let q = qs();
    let mut body = String::from("Here you go:\n\n");
    for (i, question) in q.iter().enumerate() {
        for l in question_block(question, i + 1) {
            body.push_str(&l);
            body.push('\n');
        }
        body.push_str(["Ada Lovelace\n", "europe\n", "Because.\n"][i]);
        body.push('\n');
    }
    let e = extract(&body, &q);
    assert_eq!(
        e.answers.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
    assert_eq!(e.answers.get("region").map(String::as_str), Some("europe"));
    assert_eq!(
        e.answers.get("motivation").map(String::as_str),
        Some("Because.")
    );
}

#[test]
fn a_plain_first_mail_has_no_answers() {
    let q = qs();
    assert!(
        extract(
            "Hello, I would like to apply. Please send the questions.\n\nThanks, Ada",
            &q
        )
        .is_empty()
    );
    assert!(extract("", &q).is_empty());
}

#[test]
fn numbers_beyond_the_questions_are_ignored() {
    let q = qs();
    let e = extract("7. something\n1. Ada\n", &q);
    assert_eq!(e.answers.len(), 1);
}
