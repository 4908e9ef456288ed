//! Every built-in mail in every language, with every fact of a
//! deployment and every reason a problems mail gives: nothing left
//! unfilled, and no English in a French, Spanish or German mail.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::domain::Status;
use crate::files::{Detected, FileType, Refusal};
use crate::privacy::export::Application;
use crate::questions::{Broken, Wrong};

const QUESTIONS: &str = r#"
[[question]]
id = "name"
prompt.en = "Name?"
prompt.fr = "Nom ?"
prompt.es = "¿Nombre?"
prompt.de = "Name?"
required = true
min_length = 2
max_length = 1

[[question]]
id = "langs"
prompt.en = "Languages?"
prompt.fr = "Langues ?"
prompt.es = "¿Idiomas?"
prompt.de = "Sprachen?"
kind = "choices"
choices.en = ["Arabic", "Hindi"]
choices.fr = ["arabe", "hindi"]
choices.es = ["árabe", "hindi"]
choices.de = ["Arabisch", "Hindi"]
min_choices = 1
max_choices = 1

[[question]]
id = "hours"
prompt.en = "Hours?"
prompt.fr = "Heures ?"
prompt.es = "¿Horas?"
prompt.de = "Stunden?"
kind = "number"
min = 0.5
max = 1.5

[[question]]
id = "cv"
prompt.en = "CV?"
prompt.fr = "CV ?"
prompt.es = "¿CV?"
prompt.de = "Lebenslauf?"
kind = "file"
types = ["pdf", "txt"]
max_size = "2.5MB"
"#;

/// Settings in four languages; `facts` adds to the config (files on
/// disk, a delivery copy elsewhere, retention).
fn settings(dir: &Path, facts: &str) -> Settings {
    // Rules that no answer can meet are refused at load: min_length over
    // max_length is one; keep them apart.
    let questions = QUESTIONS.replace("min_length = 2\nmax_length = 1", "max_length = 1");
    std::fs::write(dir.join("q.toml"), questions).expect("write");
    let text = format!(
        "[intake]\naddress = \"t@example.org\"\nname = \"Mondial\"\nquestions = \"q.toml\"\n\
         languages = [\"en\", \"fr\", \"es\", \"de\"]\ncloses_at = \"2030-04-10T23:59:59Z\"\n\
         [imap]\nhost = \"h\"\nusername = \"u\"\npassword = \"p\"\n\
         [database]\nurl = \"postgres://u@db.example.org/intake\"\n{facts}"
    );
    Settings::from_str_at(&text, &dir.join("c.toml")).expect("config")
}

const ALL_FACTS: &str = "[smtp]\nhost = \"h\"\ndelivery_copy = \"copies@example.org\"\n\
                         [files]\ndirectory = \"files\"\n[privacy]\nretention_days = 30\n";

/// Every reason a problems mail can give.
fn every_reason() -> BTreeMap<String, Invalid> {
    BTreeMap::from([
        (
            "name".to_string(),
            Invalid::Rule(Broken::TooLong { has: 2, most: 1 }),
        ),
        (
            "langs".to_string(),
            Invalid::Kind(Wrong::NotAChoice("Klingon".into())),
        ),
        (
            "hours".to_string(),
            Invalid::Rule(Broken::TooLarge {
                value: "2.5".into(),
                most: "1.5".into(),
            }),
        ),
        (
            "cv".to_string(),
            Invalid::File(Refusal::WrongType {
                name: "cv.pdf".into(),
                found: Detected::Type(FileType::Docx),
                types: vec![FileType::Pdf, FileType::Txt],
            }),
        ),
    ])
}

/// Every mail of `lang`, with stored answers and every reason.
fn every_mail(c: &Composer<'_>) -> Vec<String> {
    let stored = BTreeMap::from([
        ("langs".to_string(), "Arabic".to_string()),
        ("cv".to_string(), "cv.pdf (PDF, 1.2 MB)".to_string()),
    ]);
    // A branch flip's lines too (the flip's part of the follow-up).
    let flip = crate::domain::flip::Flip {
        because: vec!["langs".into()],
        now_apply: vec!["hours".into()],
        no_longer: vec!["cv".into()],
    };
    let mut out = c.texts_of_one_language().expect("texts");
    out.push(
        c.problems_text(
            Some("Zoë"),
            &stored,
            1,
            &["name".into()],
            &every_reason(),
            &flip,
        )
        .expect("problems"),
    );
    out.push(
        c.confirmation_text(None, &stored, true, &flip)
            .expect("confirmation"),
    );
    for status in [
        Status::Complete,
        Status::Incomplete,
        Status::Unconfirmed,
        Status::Withdrawn,
    ] {
        let export = Export {
            application: Some(Application {
                name: None,
                status,
                created_at: String::new(),
                updated_at: String::new(),
                language: None,
                answers: stored.clone(),
                checks: BTreeMap::new(),
            }),
            ..Export::default()
        };
        out.push(c.data_copy_text(&export).expect("data copy"));
    }
    out
}

/// English that has no place in a French, Spanish or German mail (whole
/// words, lower case).
const ENGLISH: &[&str] = &[
    "your",
    "the",
    "answer",
    "answers",
    "is",
    "are",
    "not",
    "of",
    "at",
    "most",
    "least",
    "characters",
    "choices",
    "bytes",
    "file",
    "required",
    "withdraw",
    "delete",
    "my data",
    "complete",
    "incomplete",
    "unconfirmed",
    "withdrawn",
    "kept",
    "only",
    "reply",
    "days",
];

fn words(text: &str) -> String {
    let lower: String = text
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '@' || c == '.' {
                c
            } else {
                ' '
            }
        })
        .collect();
    format!(
        " {} ",
        lower.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

#[test]
fn every_mail_in_every_language_is_filled_in_and_in_that_language() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = settings(dir.path(), ALL_FACTS);
    let templates = Templates::load(None).expect("templates");
    for lang in Lang::ALL {
        let c = Composer {
            config: &config,
            templates: &templates,
            lang,
        };
        for text in every_mail(&c) {
            if std::env::var_os("SHOW_MAILS").is_some() {
                eprintln!("==== {lang}\n{text}");
            }
            assert!(!text.contains(['{', '}']), "unfilled in {lang}:\n{text}");
            if lang == Lang::En {
                continue;
            }
            // The team's and applicant's own words aside.
            let said = words(&text.replace("Mondial", "").replace("Klingon", ""));
            for english in ENGLISH {
                assert!(
                    !said.contains(&format!(" {english} ")),
                    "{english:?} in {lang}:\n{text}"
                );
            }
        }
    }
}

#[test]
fn the_privacy_line_says_what_the_deployment_does() {
    let dir = tempfile::tempdir().expect("tempdir");
    let templates = Templates::load(None).expect("templates");
    let plain = settings(dir.path(), "");
    let full = settings(dir.path(), ALL_FACTS);
    // (language, what each fact adds, what the line says without them)
    let table: [(Lang, [&str; 4], &str); 4] = [
        (
            Lang::En,
            [
                "Files you attach are kept in a folder on the machine that reads the mailbox.",
                "A copy of each of our replies to you also goes to copies@example.org.",
                "deleted 30 days\nafter applications close",
                "your current answers are kept until you or the\nteam delete them.",
            ],
            "They are kept until you or the team delete them.",
        ),
        (
            Lang::Fr,
            [
                "Les fichiers que vous joignez sont conservés dans un dossier",
                "Une copie de chacune de nos réponses va aussi à copies@example.org.",
                "effacés\n30 jours après la clôture des candidatures",
                "vos réponses\nactuelles sont conservées",
            ],
            "Elles sont conservées jusqu'à ce que vous ou l'équipe les effaciez.",
        ),
        (
            Lang::Es,
            [
                "Los archivos que adjunte se guardan en una carpeta",
                "va también a copies@example.org.",
                "se borran 30 días\ndespués del cierre de la convocatoria",
                "sus respuestas actuales se\nguardan",
            ],
            "Se guardan hasta que usted o el equipo las borren.",
        ),
        (
            Lang::De,
            [
                "Dateien, die Sie anhängen, liegen in einem Ordner",
                "geht auch an copies@example.org.",
                "werden 30 Tage nach\ndem Bewerbungsschluss gelöscht",
                "Ihre aktuellen Antworten bleiben\ngespeichert",
            ],
            "Sie bleiben gespeichert, bis Sie oder das Team sie löschen.",
        ),
    ];
    for (lang, facts, kept) in table {
        let with = |s: &Settings| {
            Composer {
                config: s,
                templates: &templates,
                lang,
            }
            .questions_text(None, false)
            .expect("questions")
        };
        let (full_text, plain_text) = (with(&full), with(&plain));
        for fact in facts {
            assert!(full_text.contains(fact), "{fact:?} in {lang}:\n{full_text}");
            assert!(
                !plain_text.contains(fact),
                "{fact:?} in {lang}:\n{plain_text}"
            );
        }
        assert!(plain_text.contains(kept), "{lang}:\n{plain_text}");
        assert!(!full_text.contains(kept), "{lang}:\n{full_text}");
        // The database is named, by host, in both; and that the
        // mailbox's copies outlive retention and DELETE (README: they are
        // the team's to clean).
        let mailbox = match lang {
            Lang::En => {
                "The mailbox keeps its own copies of your mails until the team deletes them."
            }
            Lang::Fr => {
                "La boîte aux lettres garde ses propres copies de vos messages jusqu'à ce\nque l'équipe les efface."
            }
            Lang::Es => {
                "El buzón guarda sus propias copias de sus correos hasta que el equipo\nlas borre."
            }
            Lang::De => {
                "Das Postfach behält seine eigenen Kopien Ihrer E-Mails, bis das Team\nsie löscht."
            }
        };
        for t in [&full_text, &plain_text] {
            assert!(t.contains("db.example.org"), "{lang}:\n{t}");
            assert!(t.contains("t@example.org"), "{lang}:\n{t}");
            assert!(t.contains(mailbox), "{lang}:\n{t}");
        }
    }
    // A delivery copy to the team's own address is the mailbox already
    // named: not said twice.
    let to_team = settings(
        dir.path(),
        "[smtp]\nhost = \"h\"\ndelivery_copy = \"T@example.org\"\n",
    );
    let text = Composer {
        config: &to_team,
        templates: &templates,
        lang: Lang::En,
    }
    .questions_text(None, false)
    .expect("questions");
    assert!(!text.contains("A copy of each"), "{text}");
}

/// A quoted copy of the question mail as earlier versions wrote it is
/// still ours: its lines are among the texts the reader knows.
#[test]
fn the_earlier_privacy_lines_are_still_known_as_ours() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = settings(dir.path(), "");
    let templates = Templates::load(None).expect("templates");
    let c = Composer {
        config: &config,
        templates: &templates,
        lang: Lang::En,
    };
    let ours = c.our_texts().expect("texts").join("\n");
    for line in [
        "Your answers are kept only in the mailbox t@example.org",
        "and in the database of the Mondial (PostgreSQL on db.example.org). Reply to this mail with one word to:",
        "Vos réponses sont conservées uniquement dans la boîte aux lettres t@example.org",
        "- WITHDRAW : retirer votre candidature ;",
        "candidatures sont closes le 10 avril 2030, 23:59 UTC.",
        "- MY DATA: recibir una copia de todo lo que guardamos sobre usted;",
        "- DELETE: alles löschen zu lassen (wir bitten Sie vorher um Bestätigung).",
    ] {
        assert!(ours.lines().any(|l| l == line), "{line:?} not known");
    }
}
