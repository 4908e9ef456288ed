//! Which attached file answers which file question, and whether it is
//! taken: pure, table-tested.
//!
//! - A file named in the answer to a file question ("4. cv.pdf", "4. my
//!   CV is cv.pdf") answers that question.
//! - The other attached files, in the order the mail holds them, answer
//!   the file questions still without one in this mail, in question order:
//!   first those the mail answers in words, then those without a kept
//!   file, then those whose file it replaces, then those that do not
//!   apply now. So with one file question, any attachment answers it.
//! - A file question answered in words with no file left for it is
//!   refused: the file must be attached.
//! - Files left over (more files than file questions) answer nothing and
//!   are listed for staff as before.
//!
//! A file is taken when its content (not its name) is one of the
//! question's `types` and it is at most `max_size`.

use std::collections::BTreeMap;

use super::kind::{Detected, FileType, detect};
use super::refusal::Refusal;
use super::size::human;
use crate::ingest::Attached;
use crate::questions::{Kind, QuestionSet};

/// A file taken as the answer to a file question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Index into [`crate::ingest::Inbound::files`].
    pub file: usize,
    /// The applicant's name for it, made safe to show ([`display_name`]).
    pub name: String,
    pub kind: FileType,
    /// Bytes.
    pub size: u64,
}

impl Accepted {
    /// The stored answer as applicants and staff read it:
    /// "cv.pdf (PDF, 7.2 MB)".
    pub fn value(&self) -> String {
        format!(
            "{} ({}, {})",
            self.name,
            self.kind.label(),
            human(self.size)
        )
    }
}

/// The type of a stored file answer, read back from its value as
/// [`Accepted::value`] writes it ("cv (2024).pdf (PDF, 7.2 kB)"); `None`
/// for a value that is no file answer (text kept from when the question
/// was of another kind).
pub fn stored_type(value: &str) -> Option<FileType> {
    let (_, tail) = value.rsplit_once(" (")?;
    let (label, _size) = tail.strip_suffix(')')?.split_once(", ")?;
    FileType::ALL.into_iter().find(|t| t.label() == label)
}

/// What became of one file question in one mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAnswer {
    Accepted(Accepted),
    /// Why not: put in words for the applicant in her language ("cv.pdf
    /// is a PNG image, not one of pdf, odt, docx, txt").
    Refused(Refusal),
}

/// The file questions' answers in one mail, and the files that answer
/// none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assignment {
    /// Question id to its answer; only file questions this mail answers.
    pub answers: BTreeMap<String, FileAnswer>,
    /// Indexes of attached files that answer no question.
    pub leftover: Vec<usize>,
}

/// Maps `files` to the file questions of `questions`; `written` is the
/// text answers read from the mail (question id to text), where a file
/// may be named; `current` the answers kept before this mail (question id
/// to value): an unnamed file goes to a file question without one first.
pub fn assign(
    questions: &QuestionSet,
    written: &BTreeMap<String, String>,
    files: &[Attached],
    current: &BTreeMap<String, String>,
) -> Assignment {
    let file_questions: Vec<_> = questions.iter().filter(|q| q.kind == Kind::File).collect();
    let mut out = Assignment::default();
    if file_questions.is_empty() {
        out.leftover = (0..files.len()).collect();
        return out;
    }
    let names: Vec<String> = files.iter().map(|f| display_name(&f.name)).collect();
    let mut taken = vec![false; files.len()];
    let mut chosen: BTreeMap<&str, usize> = BTreeMap::new();
    for q in &file_questions {
        let Some(text) = written.get(&q.id) else {
            continue;
        };
        let text = text.to_lowercase();
        if let Some(i) =
            (0..files.len()).find(|&i| !taken[i] && text.contains(&names[i].to_lowercase()))
        {
            taken[i] = true;
            chosen.insert(&q.id, i);
        }
    }
    let untaken: Vec<usize> = (0..files.len()).filter(|&i| !taken[i]).collect();
    let mut free = untaken.into_iter();
    // Questions answered in words in this mail first (the file is meant
    // for them), then those still without a file (one added mid-call, or
    // not yet answered), then those whose file an unnamed one replaces,
    // and last those that do not apply now (their condition).
    let not_applying = crate::domain::assess(current, questions).not_applying;
    let mut in_turn = file_questions.clone();
    in_turn.sort_by_key(|q| {
        (
            !written.contains_key(&q.id),
            not_applying.contains(&q.id),
            current.contains_key(&q.id),
        )
    });
    for q in &in_turn {
        if chosen.contains_key(q.id.as_str()) {
            continue;
        }
        if let Some(i) = free.next() {
            taken[i] = true;
            chosen.insert(&q.id, i);
        } else if written.contains_key(&q.id) {
            out.answers
                .insert(q.id.clone(), FileAnswer::Refused(Refusal::NoFile));
        }
    }
    out.leftover = (0..files.len()).filter(|&i| !taken[i]).collect();
    for q in &file_questions {
        let Some(&i) = chosen.get(q.id.as_str()) else {
            continue;
        };
        let name = names[i].clone();
        let size = files[i].bytes.len() as u64;
        let types = q.file_types();
        let answer = match detect(&files[i].bytes) {
            _ if size > q.max_file_bytes() => FileAnswer::Refused(Refusal::TooLarge {
                name,
                size,
                max: q.max_file_bytes(),
            }),
            Detected::Type(kind) if types.contains(&kind) => FileAnswer::Accepted(Accepted {
                file: i,
                name,
                kind,
                size,
            }),
            found => FileAnswer::Refused(Refusal::WrongType {
                name,
                found,
                types: types.to_vec(),
            }),
        };
        out.answers.insert(q.id.clone(), answer);
    }
    out
}

/// An attached file's name as it may be shown and stored: its last path
/// part (a client may send `C:\Users\ada\cv.pdf`), without control
/// characters, at most 100 characters; `attachment` when nothing is left.
/// Never used as a name on disk.
pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(100)
        .collect();
    if clean.is_empty() || clean == "." || clean == ".." {
        "attachment".into()
    } else {
        clean
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::kind::samples::{docx, odt, pdf, png};
    use super::*;
    use std::path::Path;

    fn parse(text: &str) -> QuestionSet {
        QuestionSet::parse(text, Path::new("q.toml")).expect("questions")
    }

    /// A name and a required CV (pdf, odt, docx or txt; at most 1 kB),
    /// then `extra`.
    fn questions(extra: &str) -> QuestionSet {
        parse(&format!(
            r#"
[[question]]
id = "name"
prompt = "Your name"

[[question]]
id = "cv"
prompt = "Your CV"
kind = "file"
types = ["pdf", "odt", "docx", "txt"]
max_size = "1kB"
required = true
{extra}"#
        ))
    }

    /// A file question to add after the CV: a letter, required.
    const LETTER: &str = r#"
[[question]]
id = "letter"
prompt = "A motivation letter"
kind = "file"
required = true
"#;

    fn file(name: &str, bytes: Vec<u8>) -> Attached {
        Attached {
            name: name.into(),
            bytes,
            document: true,
        }
    }

    /// A refusal's English words (what staff read); `None` for an
    /// accepted file.
    fn refused(answer: &FileAnswer) -> Option<String> {
        match answer {
            FileAnswer::Refused(r) => Some(r.words()),
            FileAnswer::Accepted(_) => None,
        }
    }

    fn none() -> BTreeMap<String, String> {
        BTreeMap::new()
    }

    /// Answers by question id.
    fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(id, value)| (id.to_string(), value.to_string()))
            .collect()
    }

    /// `files` assigned to the name-and-CV questions, with nothing written
    /// and nothing stored before.
    fn assign_to_cv(files: &[Attached]) -> Assignment {
        assign(&questions(""), &none(), files, &none())
    }

    #[test]
    fn with_one_file_question_any_attachment_answers_it() {
        let a = assign_to_cv(&[file("Lebenslauf.pdf", pdf())]);
        assert_eq!(
            a.answers["cv"],
            FileAnswer::Accepted(Accepted {
                file: 0,
                name: "Lebenslauf.pdf".into(),
                kind: FileType::Pdf,
                size: pdf().len() as u64,
            })
        );
        assert!(a.leftover.is_empty());
        let FileAnswer::Accepted(ok) = &a.answers["cv"] else {
            panic!("accepted");
        };
        assert_eq!(
            ok.value(),
            format!("Lebenslauf.pdf (PDF, {} bytes)", pdf().len())
        );
    }

    #[test]
    fn each_type_is_taken_by_content_and_a_lying_name_is_refused() {
        for (bytes, kind) in [
            (pdf(), FileType::Pdf),
            (odt(), FileType::Odt),
            (docx(), FileType::Docx),
            (b"my cv in plain text".to_vec(), FileType::Txt),
        ] {
            // Named wrongly on purpose: the content decides.
            let a = assign_to_cv(&[file("cv.bin", bytes)]);
            assert!(
                matches!(&a.answers["cv"], FileAnswer::Accepted(x) if x.kind == kind),
                "{kind:?}: {:?}",
                a.answers
            );
        }
        let a = assign_to_cv(&[file("cv.pdf", png())]);
        assert_eq!(
            refused(&a.answers["cv"]).as_deref(),
            Some("cv.pdf is a PNG image, not one of pdf, odt, docx, txt")
        );
    }

    #[test]
    fn a_type_the_question_does_not_take_is_refused_in_words() {
        let q = parse(
            "[[question]]\nid = \"cv\"\nprompt = \"CV\"\nkind = \"file\"\ntypes = [\"pdf\"]\n",
        );
        let a = assign(&q, &none(), &[file("cv.docx", docx())], &none());
        assert_eq!(
            refused(&a.answers["cv"]).as_deref(),
            Some("cv.docx is a DOCX file, not one of pdf")
        );
    }

    #[test]
    fn an_oversize_file_is_refused_with_both_sizes() {
        let mut big = pdf();
        big.resize(7_200, b' ');
        let a = assign_to_cv(&[file("cv.pdf", big)]);
        assert_eq!(
            refused(&a.answers["cv"]).as_deref(),
            Some("cv.pdf is 7.2 kB; at most 1 kB")
        );
    }

    #[test]
    fn a_named_file_answers_its_question_and_the_rest_go_in_order() {
        let q = questions(
            r#"
[[question]]
id = "letter"
prompt = "A motivation letter"
kind = "file"
"#,
        );
        let files = [file("letter.odt", odt()), file("cv.pdf", pdf())];
        // In order, the letter would answer "cv": the named one wins.
        let written = answers(&[("cv", "CV.pdf attached")]);
        let a = assign(&q, &written, &files, &none());
        assert!(matches!(&a.answers["cv"], FileAnswer::Accepted(x) if x.file == 1));
        assert!(matches!(&a.answers["letter"], FileAnswer::Accepted(x) if x.file == 0));
        // Without names: in the mail's order, to the questions in theirs.
        let a = assign(&q, &none(), &files, &none());
        assert!(matches!(&a.answers["cv"], FileAnswer::Accepted(x) if x.file == 0));
        assert!(matches!(&a.answers["letter"], FileAnswer::Accepted(x) if x.file == 1));
    }

    #[test]
    fn a_file_question_answered_in_words_alone_is_refused() {
        let written = answers(&[("cv", "see my website")]);
        let a = assign(&questions(""), &written, &[], &none());
        assert_eq!(
            refused(&a.answers["cv"]).as_deref(),
            Some("no file came with it: attach the file to your reply")
        );
        // Nothing written and nothing attached: nothing said.
        assert!(assign_to_cv(&[]).answers.is_empty());
    }

    #[test]
    fn extra_files_and_files_without_file_questions_are_left_over() {
        let files = [file("cv.pdf", pdf()), file("photo.pdf", pdf())];
        let a = assign_to_cv(&files);
        assert_eq!(a.leftover, vec![1]);
        let plain = parse("[[question]]\nid = \"a\"\nprompt = \"A\"\n");
        let a = assign(&plain, &none(), &files, &none());
        assert!(a.answers.is_empty());
        assert_eq!(a.leftover, vec![0, 1]);
    }

    #[test]
    fn shown_names_are_never_paths_or_control_characters() {
        assert_eq!(display_name("C:\\Users\\ada\\cv.pdf"), "cv.pdf");
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("cv\r\n.pdf"), "cv.pdf");
        assert_eq!(display_name(".."), "attachment");
        assert_eq!(display_name(""), "attachment");
        assert_eq!(display_name(&"x".repeat(300)).chars().count(), 100);
    }

    /// A required file question added mid-call: an applicant whose CV is
    /// kept sends the one file still missing, unnamed. It answers the
    /// question without a file, not the CV (which it would replace,
    /// leaving the new question missing).
    #[test]
    fn an_unnamed_file_answers_a_file_question_still_unanswered_first() {
        let q = questions(LETTER);
        let kept = answers(&[("cv", "cv.pdf (PDF, 1 kB)")]);
        let a = assign(&q, &none(), &[file("letter.odt", odt())], &kept);
        assert!(
            matches!(&a.answers["letter"], FileAnswer::Accepted(x) if x.file == 0),
            "{:?}",
            a.answers
        );
        assert!(!a.answers.contains_key("cv"), "{:?}", a.answers);
        // All answered: an unnamed file replaces the first, as before.
        let both = answers(&[
            ("cv", "cv.pdf (PDF, 1 kB)"),
            ("letter", "letter.odt (ODT, 1 kB)"),
        ]);
        let a = assign(&q, &none(), &[file("new.pdf", pdf())], &both);
        assert!(matches!(&a.answers["cv"], FileAnswer::Accepted(x) if x.file == 0));
        // A question that does not apply now comes last.
        let q = questions(
            r#"
[[question]]
id = "member"
prompt = "Member?"
kind = "yesno"

[[question]]
id = "card"
prompt = "Your member card"
kind = "file"
when = { member = "yes" }
"#,
        );
        let not_member = answers(&[("member", "no"), ("cv", "cv.pdf (PDF, 1 kB)")]);
        let a = assign(&q, &none(), &[file("new.pdf", pdf())], &not_member);
        assert!(matches!(&a.answers["cv"], FileAnswer::Accepted(x) if x.file == 0));
        let q = questions(LETTER);
        // A mail that answers the CV in words means its file for it.
        let written = answers(&[("cv", "my new CV")]);
        let a = assign(&q, &written, &[file("new.pdf", pdf())], &kept);
        assert!(matches!(&a.answers["cv"], FileAnswer::Accepted(x) if x.file == 0));
        assert!(!a.answers.contains_key("letter"), "{:?}", a.answers);
    }
}
