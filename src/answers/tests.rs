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
        for l in question_block(question, i + 1, q, crate::lang::Lang::En) {
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
        for l in question_block(question, i + 1, &q, crate::lang::Lang::En) {
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

/// One reply body per shape: the motivation a person records, and the
/// mark the reader must set when it guessed. Each kind has shapes in
/// several languages and the look-alikes that must be kept.
#[test]
fn reading_by_kind_table() {
    let q = qs();
    let quote = quoted_questions(&q);
    let cases: Vec<(&str, String, &str, Option<CheckReason>)> = vec![
        // Attributions by shape, any language, wrapped, glued, no colon.
        (
            "attribution, Dutch, unquoted original below",
            "3. I care.\n\nOp 4 apr. 2022 om 10:00 heeft Team <team@example.org> het volgende geschreven:\n\nHello,\nold text\n".into(),
            "I care.",
            None,
        ),
        (
            "attribution wrapped over three lines",
            format!("3. I care.\n\nOn Apr 4, 2022, at 10:00,\nTeam\n<team@example.org>\nwrote:\n\n{quote}"),
            "I care.",
            None,
        ),
        (
            "attribution glued to the answer line",
            format!("3. I care. On Mon, Apr 4, 2022 at 10:00 AM, team@example.org wrote:\n{quote}"),
            "I care.",
            None,
        ),
        (
            "attribution without a colon, Korean date",
            "3. I care.\n\n2022년 4월 4일 (월) 오전 10:00, Team <team@example.org>님이 작성:\n\n> Hello\n".into(),
            "I care.",
            None,
        ),
        (
            "Russian attribution with the address on the next line",
            "3. Мне это важно.\n\n4 апр. 2022 г., в 10:00, Team <\nteam@example.org> написал:\n\nHello\n".into(),
            "Мне это важно.",
            None,
        ),
        // Header blocks and separators in any language.
        (
            "Outlook header block in Czech after underscores",
            "3. I care.\n\n________________________________\nOd: Team <team@example.org>\nOdesláno: pondělí 4. dubna 2022 10:00\nKomu: Ada <ada@example.net>\nPředmět: Přihláška\n\nHello,\n".into(),
            "I care.",
            None,
        ),
        (
            "separator of U+2014 dashes with a translated phrase",
            "3. I care.\n\n—————— Messaggio originale ——————\nold text\n".into(),
            "I care.",
            None,
        ),
        (
            "a banner between dashes is text, not a separator",
            "3. Feedback follows.\n\n------ Enter Feedback Below ------\n\nIt was great.\n".into(),
            "Feedback follows.\n\n------ Enter Feedback Below ------\n\nIt was great.",
            None,
        ),
        // Footers, sign-offs, signatures.
        (
            "device footer in Swedish",
            "3. I care.\n\nSkickat från min iPhone\n".into(),
            "I care.",
            None,
        ),
        (
            "sign-off in Chinese with full-width punctuation",
            "3. 我很关心。\n\n此致敬礼！\n王芳\n".into(),
            "我很关心。",
            None,
        ),
        (
            "company block without `-- ` is cut and marked",
            "3. I care.\n\nJane Roe\nProgramme Manager\nExample Foundation\n+49 30 1234567\nwww.example.org\n".into(),
            "I care.",
            Some(CheckReason::SignatureGuessed),
        ),
        (
            "a sentence that starts like a footer stays",
            "3. I care.\n\nSent from my desk, which is easier than my phone.\n".into(),
            "I care.\n\nSent from my desk, which is easier than my phone.",
            None,
        ),
        (
            "an underlined table head stays",
            "3. My plan:\n\nMonth Task\n----------\nMay Training\n".into(),
            "My plan:\n\nMonth Task\n----------\nMay Training",
            None,
        ),
        (
            "a line that only looks like an attribution is kept and marked",
            "3. Last year our chair wrote:\nwe need new leaders.\n".into(),
            "Last year our chair wrote:\nwe need new leaders.",
            Some(CheckReason::AttributionKept),
        ),
        (
            "zero-width and tracker characters make blank lines",
            "3. I care.\n\u{200b}\n\u{1427}\n\nSent from my iPhone\n".into(),
            "I care.",
            None,
        ),
    ];
    let more: Vec<(&str, String, &str, Option<CheckReason>)> = vec![
        (
            "device footer in a language no list names",
            "3. I care.\n\nDikirim dari iPhone saya\n".into(),
            "I care.",
            None,
        ),
        (
            "closing phrase in Devanagari, then a name",
            "3. मुझे परवाह है।\n\nशुभकामनाओं सहित,\nरवि\n".into(),
            "मुझे परवाह है।",
            Some(CheckReason::SignatureGuessed),
        ),
        (
            "closing phrase over the sender's own name is no guess",
            "3. I care.\n\nCu drag,\nJane\n".into(),
            "I care.",
            None,
        ),
        (
            "a divider of three dashes inside a paragraph answer",
            "3. First part.\n\n---\n\nSecond part, after the divider, with more words in it.\n".into(),
            "First part.\n\n---\n\nSecond part, after the divider, with more words in it.",
            None,
        ),
        (
            "mid-sentence \"I wrote:\" with a date is the applicant's text",
            format!("3. When the board asked, on Monday I wrote:\n\"Trust people early.\"\nThat is my view.\n\nOn Tue, Apr 5, 2022 at 9:00 AM Team <team@example.org> wrote:\n{quote}"),
            "When the board asked, on Monday I wrote:\n\"Trust people early.\"\nThat is my view.",
            Some(CheckReason::AttributionKept),
        ),
        (
            "a bullet list ending in a year above the attribution",
            format!("3. What I did:\n- Treasurer, 2022\n- Trainer, WikiCon 2023\n\nOn Tue, Apr 5, 2022 at 9:00 AM Team <team@example.org> wrote:\n{quote}"),
            "What I did:\n- Treasurer, 2022\n- Trainer, WikiCon 2023",
            None,
        ),
        (
            "a separator glued to the last answer",
            "3. I care.-----Original Message-----\nFrom: Team <team@example.org>\nSent: Monday, April 4, 2022 10:00\n".into(),
            "I care.",
            None,
        ),
    ];
    let cases: Vec<_> = cases.into_iter().chain(more).collect();
    let mut wrong = Vec::new();
    for (kind, body, want, mark) in &cases {
        let e = q_extractor(&q).read(body, Some("Jane Roe"));
        let got = e.answers.get("motivation").map(String::as_str);
        let got_mark = e.checks.get("motivation").map(|c| c.reason);
        if got != Some(*want) || got_mark != *mark {
            wrong.push(format!("{kind}: got {got:?} {got_mark:?}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(cases.len() >= 22);
}

#[test]
fn answers_typed_inside_the_quote_are_read_and_marked() {
    let q = qs();
    // Apple Mail: the applicant typed in the quote bar, under each question.
    let mut body = String::from(
        "Answers are in your mail below.\n\nOn 4 Apr 2022, at 10:00, Team <team@example.org> wrote:\n\n",
    );
    for line in quoted_questions(&q).lines() {
        body.push_str(line);
        body.push('\n');
        if line.starts_with("> 1. ") {
            body.push_str("> Ada Lovelace\n");
        }
        if line.starts_with(">    f) Oceania") {
            body.push_str("> Latin America\n");
        }
    }
    let e = q_extractor(&q).read(&body, None);
    assert_eq!(
        e.answers.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
    assert_eq!(
        e.answers.get("region").map(String::as_str),
        Some("Latin America")
    );
    assert_eq!(
        e.checks.get("region").map(|c| c.reason),
        Some(CheckReason::InsideQuote)
    );
    assert!(!e.answers.contains_key("motivation"), "{e:?}");
    // An answer below the quoted question, outside the quote, wins.
    let body = body.replace("> Ada Lovelace\n", "> Ada Lovelace\nAda King\n");
    let e = q_extractor(&q).read(&body, None);
    assert_eq!(e.answers.get("name").map(String::as_str), Some("Ada King"));
}

#[test]
fn labels_as_people_write_them() {
    let q = qs();
    let body = "Full name: Ada Lovelace\nMy region: Europe\nWhy I would join: I care.\nPhone: +44 20 1234 5678\n";
    let e = q_extractor(&q).read(body, None);
    assert_eq!(
        e.answers.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
    assert_eq!(e.answers.get("region").map(String::as_str), Some("Europe"));
    assert_eq!(
        e.answers.get("motivation").map(String::as_str),
        Some("I care.")
    );
    // Inside a numbered paragraph answer, a loose label is the answer's text.
    let e = q_extractor(&q).read("3. Two things.\nGroup work: I love it.\n", None);
    assert_eq!(
        e.answers.get("motivation").map(String::as_str),
        Some("Two things.\nGroup work: I love it.")
    );
}

#[test]
fn a_short_answer_is_its_first_paragraph() {
    let q = qs();
    let e = q_extractor(&q).read(
        "1. Ada Lovelace\n\nI look forward to hearing from you.\n",
        None,
    );
    assert_eq!(
        e.answers.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
}

#[test]
fn answers_typed_inside_an_unquoted_original_are_marked() {
    let q = qs();
    let mut body = String::from(
        "Answers are below.\n\n-----Izvorna poruka-----\nOd: Team <team@example.org>\nPoslano: 4. travnja 2022. 10:00\nPrima: Ada <ada@example.net>\nPredmet: Prijava\n\n",
    );
    for line in quoted_questions(&q).lines() {
        let plain = line.trim_start_matches('>').trim_start();
        body.push_str(plain);
        body.push('\n');
        if plain.starts_with("1. ") {
            body.push_str("Ada Lovelace\n");
        }
    }
    let e = q_extractor(&q).read(&body, None);
    assert_eq!(
        e.answers.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
    let check = e.checks.get("name").expect("marked");
    assert_eq!(check.reason, CheckReason::InsideOriginal);
    assert_eq!(check.as_written, "Ada Lovelace");
    assert!(
        e.cuts
            .iter()
            .any(|c| c.kind == CutKind::HeaderBlock
                && c.lines.iter().any(|l| l.starts_with("Poslano:"))),
        "{:?}",
        e.cuts
    );
}

#[test]
fn a_labelled_reply_is_not_a_header_block() {
    let q = qs();
    let body = "Name: Ada Lovelace\nEmail: ada@example.net\nPhone: +44 20 1234 5678\nStart date: 1 May 2025\nRegion: Europe\n";
    let e = q_extractor(&q).read(body, None);
    assert_eq!(
        e.answers.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
    assert_eq!(e.answers.get("region").map(String::as_str), Some("Europe"));
}

fn q_extractor(q: &QuestionSet) -> Extractor {
    Extractor::new(q, &[])
}

#[test]
fn a_label_we_cannot_name_is_placed_by_its_value_and_marked() {
    let q = qs();
    let e = q_extractor(&q).read("Vollständiger Name: Ada Lovelace\nWohnort: Europe\n", None);
    assert_eq!(e.answers.get("region").map(String::as_str), Some("Europe"));
    let check = e.checks.get("region").expect("marked");
    assert_eq!(check.reason, CheckReason::LabelGuessed);
    assert_eq!(check.as_written, "Europe");
    // Free text under an unknown label is not placed anywhere.
    let e = q_extractor(&q).read("Wohnort: somewhere nice\n", None);
    assert!(e.answers.is_empty(), "{e:?}");
}

#[test]
fn a_value_that_breaks_a_rule_still_reaches_its_question() {
    // The reader places an answer by its kind; the rule is judged after,
    // so the applicant is told (stored as given) rather than not read.
    let q = QuestionSet::parse(
        "[[question]]\nid = \"name\"\nprompt = \"What is your name?\"\n\
         [[question]]\nid = \"languages\"\nprompt = \"Which languages do you speak?\"\n\
         kind = \"choices\"\nchoices = [\"English\", \"French\"]\nmin_choices = 2\n",
        Path::new("q.toml"),
    )
    .expect("questions");
    let languages = q.by_id("languages").expect("languages");
    assert!(languages.validate("English").is_err());
    assert!(languages.fits_kind("English"));
    let e = q_extractor(&q).read("Sprachen: English\n", None);
    assert_eq!(
        e.answers.get("languages").map(String::as_str),
        Some("English"),
        "{e:?}"
    );
}

#[test]
fn numbering_as_people_type_it() {
    let q = qs();
    for body in [
        "١. Ada Lovelace\n٢. Europe\n",
        "１．Ada Lovelace\n２．Europe\n",
        "1、Ada Lovelace\n2、Europe\n",
        "1- Ada Lovelace\n2- Europe\n",
        "1.Ada Lovelace\n2.Europe\n",
        "1. Answer: Ada Lovelace\n2. - Europe\n",
    ] {
        let e = q_extractor(&q).read(body, None);
        assert_eq!(
            e.answers.get("name").map(String::as_str),
            Some("Ada Lovelace"),
            "{body}"
        );
        assert_eq!(
            e.answers.get("region").map(String::as_str),
            Some("Europe"),
            "{body}"
        );
    }
    // Not numbering: a decimal, a clock time, a compound word.
    for body in [
        "1.5 hours a week\n",
        "10:00 every Monday\n",
        "3-day workshops\n",
    ] {
        assert!(q_extractor(&q).read(body, None).is_empty(), "{body}");
    }
}

#[test]
fn a_sub_list_stays_inside_the_paragraph_answer() {
    let q = qs();
    let body = "1. Ada\n2. Europe\n3. Three reasons:\n   1) I train people\n   2) I write guides\n";
    let e = q_extractor(&q).read(body, None);
    assert_eq!(e.answers.get("name").map(String::as_str), Some("Ada"));
    assert_eq!(
        e.answers.get("motivation").map(String::as_str),
        Some("Three reasons:\n1) I train people\n2) I write guides")
    );
}

#[test]
fn the_applicants_own_short_quote_is_part_of_the_answer() {
    let q = qs();
    let body = format!(
        "3. A volunteer told me after quitting:\n\n> I never knew what was expected of me.\n\nThat is the gap I want to close.\n\nOn Tue, Apr 5, 2022 at 9:00 AM Team <team@example.org> wrote:\n{}",
        quoted_questions(&q)
    );
    let e = q_extractor(&q).read(&body, None);
    assert_eq!(
        e.answers.get("motivation").map(String::as_str),
        Some(
            "A volunteer told me after quitting:\n\n> I never knew what was expected of me.\n\nThat is the gap I want to close."
        )
    );
}

#[test]
fn no_answer_words_are_no_answer() {
    let q = qs();
    let e = q_extractor(&q).read("1. Ada\n2. N/A\n", None);
    assert!(!e.answers.contains_key("region"), "{e:?}");
}

#[test]
fn circled_numbers_and_labels_in_the_applicants_language() {
    let q = qs();
    let e = q_extractor(&q).read("① Ada Lovelace\n② Europe\n", None);
    assert_eq!(
        e.answers.get("name").map(String::as_str),
        Some("Ada Lovelace")
    );
    assert_eq!(e.answers.get("region").map(String::as_str), Some("Europe"));
    // Labels in the applicant's language with an address and a date are a
    // labelled reply, not an older message's header block.
    let body = "Здравствуйте,\n\nИмя: Анна Петрова\nПочта: anna@example.ru\nДата рождения: 1990-05-01\nРегион: Europe\n";
    let e = q_extractor(&q).read(body, None);
    assert!(
        e.cuts.iter().all(|c| c.kind != CutKind::HeaderBlock),
        "{:?}",
        e.cuts
    );
    assert_eq!(e.answers.get("region").map(String::as_str), Some("Europe"));
}
