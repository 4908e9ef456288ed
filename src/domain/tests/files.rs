//! File questions in the decision: a file attached to a reply answers
//! its question, a refused one is named to the applicant and listed for
//! staff, and one in an unvouched mail is held back with it.

use base64::Engine;

use super::*;
use crate::files::kind::samples::{pdf, png};

fn file_questions() -> QuestionSet {
    QuestionSet::parse(
        r#"
[[question]]
id = "name"
prompt = "Your name?"
required = true

[[question]]
id = "cv"
prompt = "Your CV"
kind = "file"
types = ["pdf", "odt", "docx", "txt"]
max_size = "1kB"
required = true
"#,
        std::path::Path::new("q.toml"),
    )
    .unwrap()
}

/// A reply with `body` and one attached file.
fn with_file(body: &str, name: &str, bytes: &[u8]) -> Case {
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    let raw = format!(
        "From: Ada Lovelace <ada@example.net>\r\nTo: {TEAM}\r\nSubject: Re: Apply\r\n\
         Message-ID: <2@example.net>\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
         --b\r\nContent-Type: text/plain\r\n\r\n{body}\r\n\
         --b\r\nContent-Type: application/pdf; name=\"{name}\"\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{b64}\r\n--b--\r\n"
    );
    let inbound = ingest::parse(raw.as_bytes()).unwrap();
    let extracted =
        Extractor::new(&file_questions(), &[]).read(&inbound.body, Some("Ada Lovelace"));
    Case {
        mail: inbound,
        extracted,
    }
}

fn decide_files(case: &Case, vouched: bool) -> Written {
    decide_known(case, vouched, applicant(&[("name", "Ada Lovelace")]))
}

fn decide_known(case: &Case, vouched: bool, known: Known) -> Written {
    let now = Utc::now();
    let qs = file_questions();
    written(decide(&Facts {
        now,
        received_at: now,
        reading: Reading::Parsed {
            inbound: &case.mail,
            extracted: &case.extracted,
        },
        seen: false,
        duplicate: false,
        erased: false,
        own_reply: None,
        first_opened: now - Duration::days(1),
        backfill: Backfill::default(),
        known: &known,
        team_address: TEAM,
        closes_at: None,
        questions: &qs,
        asked: &qs,
        vouched,
        confirms: None,
        trusted_authserv_id: None,
        sent: SentLastHour::default(),
        limits: SendLimits::default(),
    }))
}

#[test]
fn an_attached_pdf_answers_the_file_question_and_completes_the_application() {
    let w = decide_files(&with_file("Here it is.", "cv.pdf", &pdf()), true);
    let size = pdf().len();
    assert_eq!(w.outcome, MessageOutcome::Answers);
    assert_eq!(w.attention, None, "a taken file needs no person");
    assert_eq!(w.files.len(), 1);
    assert_eq!(w.files[0].question_id, "cv");
    let ApplicationChange::Answers { new, status, .. } = &w.application else {
        panic!("answers: {:?}", w.application);
    };
    assert_eq!(*status, Status::Complete);
    assert_eq!(new[0].question_id, "cv");
    assert_eq!(new[0].value, format!("cv.pdf (PDF, {size} bytes)"));
    let Some(ReplyText::Confirmation { current, .. }) = &w.reply else {
        panic!("a confirmation: {:?}", w.reply);
    };
    assert_eq!(current["cv"], format!("cv.pdf (PDF, {size} bytes)"));
}

#[test]
fn a_png_named_cv_pdf_is_refused_in_words_and_listed_for_staff() {
    let w = decide_files(&with_file("Here it is.", "cv.pdf", &png()), true);
    let why = "cv.pdf is a PNG image, not one of pdf, odt, docx, txt";
    assert!(w.files.is_empty());
    assert_eq!(w.attention, Some(Attention::FileRefused));
    assert_eq!(w.detail.as_deref(), Some(why));
    let ApplicationChange::Answers { new, status, .. } = &w.application else {
        panic!("answers: {:?}", w.application);
    };
    assert!(new.is_empty());
    assert_eq!(*status, Status::Incomplete);
    let Some(ReplyText::Problems { invalid, .. }) = &w.reply else {
        panic!("problems: {:?}", w.reply);
    };
    assert_eq!(invalid["cv"].words(1), why);
}

#[test]
fn an_oversize_file_is_refused_with_its_size() {
    let mut big = pdf();
    big.resize(2_500, b' ');
    let w = decide_files(&with_file("", "cv.pdf", &big), true);
    let Some(ReplyText::Problems { invalid, .. }) = &w.reply else {
        panic!("problems: {:?}", w.reply);
    };
    assert_eq!(invalid["cv"].words(1), "cv.pdf is 2.5 kB; at most 1 kB");
    assert_eq!(w.attention, Some(Attention::FileRefused));
}

#[test]
fn a_file_in_a_mail_that_replies_to_none_of_ours_is_not_taken() {
    // With answers: they are held, the file is named for staff.
    let w = decide_files(&with_file("1. Ada Lovelace", "cv.pdf", &pdf()), false);
    assert!(w.files.is_empty());
    assert_eq!(w.attention, Some(Attention::Unconfirmed));
    let ApplicationChange::Hold { answers } = &w.application else {
        panic!("held: {:?}", w.application);
    };
    assert_eq!(answers.len(), 1, "the name only");
    assert!(
        w.detail.as_deref().is_some_and(|d| d.ends_with(
            "also attached: cv.pdf (not taken: files count only in a reply to one of our mails)"
        )),
        "{:?}",
        w.detail
    );
    // The file alone, from an applicant who has answered: for staff.
    let w = decide_files(&with_file("", "cv.pdf", &pdf()), false);
    assert!(w.files.is_empty());
    assert_eq!(w.attention, Some(Attention::Attachment));
    assert_eq!(w.reply, None);
}

#[test]
fn a_first_mail_with_a_cv_gets_the_questions_and_the_file_is_listed() {
    // Not a reply to one of ours: the question mail tells how to send it.
    let w = decide_known(&with_file("", "cv.pdf", &pdf()), false, Known::default());
    assert!(w.files.is_empty());
    assert!(
        matches!(w.reply, Some(ReplyText::Questions { .. })),
        "{:?}",
        w.reply
    );
    assert_eq!(w.attention, Some(Attention::Attachment));
    assert_eq!(
        w.detail.as_deref(),
        Some("cv.pdf (not taken: files count only in a reply to one of our mails)")
    );
}

#[test]
fn without_file_questions_an_attachment_still_asks_for_answers_in_the_body() {
    let case = with_file("", "cv.pdf", &pdf());
    let w = written(decide_with(&case, &World::default()));
    assert_eq!(w.outcome, MessageOutcome::Attachment);
    assert_eq!(w.attention, Some(Attention::Attachment));
    assert!(w.files.is_empty());
}
