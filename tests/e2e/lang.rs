//! Languages through the real mail stack: a French applicant who writes in
//! French is asked, answered and confirmed in French, her French choices
//! stored as the default language's; an English applicant in the same
//! intake still gets English; a misspelt template override stops `check`,
//! `once` and `run` before any mail.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::common::{Intake, mail};

const FR_QUESTIONS: &str = r#"
[[question]]
id = "name"
prompt.en = "What is your name?"
prompt.fr = "Quel est votre nom ?"
required = true
max_length = 60

[[question]]
id = "region"
prompt.en = "Which region do you live in?"
prompt.fr = "Dans quelle région vivez-vous ?"
kind = "choice"
choices.en = ["Africa", "Asia", "Europe", "Latin America"]
choices.fr = ["Afrique", "Asie", "Europe", "Amérique latine"]
required = true

[[question]]
id = "languages"
prompt.en = "Which languages can you work in?"
prompt.fr = "Dans quelles langues pouvez-vous travailler ?"
kind = "choices"
choices.en = ["English", "French", "German", "Spanish"]
choices.fr = ["anglais", "français", "allemand", "espagnol"]
help.en = "All those you can write a report in."
help.fr = "Toutes celles dans lesquelles vous pouvez écrire un rapport."
required = true

[[question]]
id = "time"
prompt.en = "Can you commit about 5 hours a month?"
prompt.fr = "Pouvez-vous consacrer environ 5 heures par mois ?"
kind = "yesno"
required = true

[[question]]
id = "visa"
prompt.en = "Do you need a visa to travel to Brussels?"
prompt.fr = "Avez-vous besoin d'un visa pour venir à Bruxelles ?"
kind = "yesno"
required = true
when = { region = ["Europe", "Africa"] }
"#;

fn french_intake() -> Intake {
    let intake = Intake::with(|c| {
        *c = c.replace(
            "questions = \"questions.toml\"",
            "questions = \"questions.toml\"\nlanguages = [\"en\", \"fr\"]",
        );
    });
    intake.write_questions(FR_QUESTIONS);
    intake
}

fn contains_all(body: &str, lines: &[&str]) {
    for line in lines {
        assert!(body.contains(line), "{line:?} in:\n{body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_french_applicant_is_answered_in_french_and_her_choices_stored_canonically() {
    let intake = french_intake();
    let marie = intake.stack.address("marie-fr", "example.net");
    let ada = intake.stack.address("ada-en", "example.net");
    // No Content-Language: the language is read from her own sentences.
    intake
        .receive(
            &marie,
            &mail(
                &marie,
                "Marie Curie",
                &intake.team,
                "Candidature",
                "",
                "Bonjour,\n\nJ'ai lu votre appel à candidatures et je voudrais \
                 rejoindre le groupe de travail. Pourriez-vous m'envoyer les \
                 questions, s'il vous plaît ?\n\nMerci beaucoup et bonne journée,\nMarie",
            ),
        )
        .await;
    intake
        .receive(
            &ada,
            &mail(
                &ada,
                "Ada Lovelace",
                &intake.team,
                "Applying",
                "",
                "Hello,\n\nI read your call for applications and would like to \
                 join the working group. Could you send me the questions, \
                 please?\n\nThank you and have a nice day,\nAda",
            ),
        )
        .await;
    intake.once();

    let q = intake.mails_to(&marie, 1).remove(0);
    contains_all(
        &q.body,
        &[
            "Bonjour Marie Curie,",
            "Pour postuler, répondez à ce message.",
            "comme\ndans « 2. Europe »",
            // The rule and the condition in French too.
            "1. Quel est votre nom ? (obligatoire)\n   Au plus 60 caractères.\n",
            "5. Avez-vous besoin d'un visa pour venir à Bruxelles ? (obligatoire)\n   \
             Répondez seulement si vous avez répondu Europe ou Afrique à 2.\n   \
             Oui ou non.\n",
            "2. Dans quelle région vivez-vous ? (obligatoire)\n   \
             Choisissez-en un (la lettre ou le nom) :\n   \
             a) Afrique\n   b) Asie\n   c) Europe\n   d) Amérique latine\n",
            "3. Dans quelles langues pouvez-vous travailler ? (obligatoire)\n   \
             Toutes celles dans lesquelles vous pouvez écrire un rapport.\n   \
             Choisissez-en un ou plusieurs, séparés par des virgules :\n   \
             a) anglais\n   b) français\n   c) allemand\n   d) espagnol\n",
            "4. Pouvez-vous consacrer environ 5 heures par mois ? (obligatoire)\n   \
             Oui ou non.\n",
        ],
    );
    for english in [
        "Which region",
        "Latin America",
        "(required)",
        "Choose one",
        "Hello",
    ] {
        assert!(!q.body.contains(english), "{english:?} in:\n{}", q.body);
    }
    assert_eq!(
        intake.application(&marie).unwrap()["language"],
        "fr",
        "stored with the first mail"
    );
    // Her client is told the mail's language (RFC 3282).
    assert_eq!(
        q.headers.get("content-language").map(String::as_str),
        Some("fr")
    );

    // Ada, in the same run, in English.
    let qa = intake.mails_to(&ada, 1).remove(0);
    assert_eq!(
        qa.headers.get("content-language").map(String::as_str),
        Some("en")
    );
    contains_all(
        &qa.body,
        &[
            "2. Which region do you live in? (required)\n   \
             Choose one (the letter or the name):\n   a) Africa\n",
            "d) Latin America\n",
            "1. What is your name? (required)\n   At most 60 characters.\n",
            "5. Do you need a visa to travel to Brussels? (required)\n   \
             Answer only if you answered Europe or Africa to 2.\n   Yes or no.\n",
        ],
    );
    for french in [
        "Quel est",
        "obligatoire",
        "Amérique",
        "Bonjour",
        "Répondez",
        "Au plus",
    ] {
        assert!(!qa.body.contains(french), "{french:?} in:\n{}", qa.body);
    }

    // Marie answers in French, choices by their French names.
    let confirmation = intake
        .answer(
            &marie,
            "Marie Curie",
            &q,
            "1. Marie Curie\n\
         2. Amérique latine\n\
         3. anglais, espagnol\n\
         4. oui",
            2,
        )
        .await;
    contains_all(
        &confirmation.body,
        &[
            "Bonjour Marie Curie,",
            "votre candidature auprès de",
            "est complète.",
            // Her answers as she gave them, in French.
            "1. Quel est votre nom ?\n   Marie Curie\n",
            "2. Dans quelle région vivez-vous ?\n   Amérique latine\n",
            "3. Dans quelles langues pouvez-vous travailler ?\n   anglais, espagnol\n",
            "4. Pouvez-vous consacrer environ 5 heures par mois ?\n   oui\n",
            "Pour modifier une réponse, répondez à ce message",
        ],
    );
    for english in ["is complete", "Latin America", "English", "yes"] {
        assert!(
            !confirmation.body.contains(english),
            "{english:?} in:\n{}",
            confirmation.body
        );
    }

    // Ada answers in English and is confirmed in English.
    let confirmation = intake
        .answer(
            &ada,
            "Ada Lovelace",
            &qa,
            "1. Ada Lovelace\n2. Asia\n3. English, German\n4. yes",
            2,
        )
        .await;
    assert!(
        confirmation.body.contains("is complete"),
        "{}",
        confirmation.body
    );

    // The report: the canonical (English) choices, and each one's language.
    let app = intake.application(&marie).unwrap();
    assert_eq!(app["status"], "complete", "{app}");
    assert_eq!(app["language"], "fr", "{app}");
    assert_eq!(app["answers"]["region"], "Latin America", "{app}");
    assert_eq!(app["answers"]["languages"], "English, Spanish", "{app}");
    assert_eq!(app["answers"]["time"], "yes", "{app}");
    let app = intake.application(&ada).unwrap();
    assert_eq!(app["language"], "en", "{app}");
    assert_eq!(app["answers"]["languages"], "English, German", "{app}");

    let out = intake.cmd(&["report", "--format", "csv"]);
    assert!(out.status.success(), "{out:?}");
    let mut csv = csv::Reader::from_reader(out.stdout.as_slice());
    let header = csv.headers().unwrap().clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column in {header:?}"))
    };
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    let row = |who: &str| {
        rows.iter()
            .find(|r| &r[col("email")] == who)
            .unwrap_or_else(|| panic!("{who} not in the CSV"))
    };
    assert_eq!(&row(&marie)[col("language")], "fr");
    assert_eq!(&row(&ada)[col("language")], "en");
    let marie_row: Vec<&str> = row(&marie).iter().collect();
    assert!(
        marie_row.contains(&"Latin America") && marie_row.contains(&"English, Spanish"),
        "canonical choices in {marie_row:?}"
    );
    assert!(
        !marie_row
            .iter()
            .any(|c| c.contains("Amérique") || c.contains("espagnol")),
        "{marie_row:?}"
    );
}

/// A French applicant's answers that break the question's rules and
/// kind: each reason in French, in the problems mail in French; her
/// question mail names the French request words and a privacy line
/// that says what this deployment does.
#[tokio::test(flavor = "multi_thread")]
async fn a_french_applicant_is_told_in_french_why_an_answer_is_refused() {
    let intake = french_intake();
    let marie = intake.stack.address("marie-rule", "example.net");
    let first = mail(
        &marie,
        "Marie Curie",
        &intake.team,
        "Candidature",
        "",
        "Bonjour,\n\nJe souhaite poser ma candidature pour rejoindre votre \
         groupe de travail. Pouvez-vous m'envoyer les questions ?\n\nMerci,\nMarie",
    );
    let q = intake.exchange(&marie, first, 1).await;
    contains_all(
        &q.body,
        &[
            "- RETIRER : retirer votre candidature ;",
            "- MES DONNÉES : recevoir une copie",
            "- SUPPRIMER : faire tout effacer",
            "Vos réponses sont conservées dans la boîte aux lettres",
            "Elles sont conservées jusqu'à ce que vous ou l'équipe les effaciez.",
        ],
    );
    for english in ["WITHDRAW", "MY DATA", "DELETE", "uniquement"] {
        assert!(!q.body.contains(english), "{english:?} in:\n{}", q.body);
    }

    let long_name = "Marie Salomea Skłodowska-Curie, deux fois lauréate du prix Nobel";
    let problems = intake
        .answer(
            &marie,
            "Marie Curie",
            &q,
            &format!("1. {long_name}\n2. Mars\n3. anglais\n4. peut-être"),
            2,
        )
        .await;
    contains_all(
        &problems.body,
        &[
            "Ces réponses n'ont pas pu être acceptées :",
            "   Problème : Votre réponse à la question 1 compte 64 caractères ; \
             on en accepte 60 au plus.\n",
            "   Problème : « Mars » ne fait pas partie des choix\n",
            "   Problème : « peut-être » n'est ni oui ni non\n",
        ],
    );
    for english in [
        "Your answer",
        "is not one of the choices",
        "is not yes or no",
        "characters",
        "Problem:",
    ] {
        assert!(
            !problems.body.contains(english),
            "{english:?} in:\n{}",
            problems.body
        );
    }
    // Stored as given, failing, for staff.
    let app = intake.application(&marie).unwrap();
    assert_eq!(app["status"], "incomplete", "{app}");
    assert_eq!(app["answers"]["name"], long_name, "{app}");
    // Staff read why in the words she was given (README: `failing`).
    assert_eq!(
        app["failing"]["name"],
        "Votre réponse à la question 1 compte 64 caractères ; on en accepte 60 au plus.",
        "{app}"
    );
}

/// A first mail too short to tell a language by gets the default
/// (English); a reply written in French switches her to French for good,
/// and a cold mail in another language changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn an_applicant_whose_short_first_mail_got_english_switches_by_writing_french() {
    let intake = french_intake();
    let jeanne = intake.stack.address("jeanne-switch", "example.net");
    let first = mail(
        &jeanne,
        "Jeanne Martin",
        &intake.team,
        "Candidature",
        "",
        "Bonjour",
    );
    let q = intake.exchange(&jeanne, first, 1).await;
    assert!(q.body.starts_with("Hello Jeanne Martin,"), "{}", q.body);
    assert_eq!(intake.application(&jeanne).unwrap()["language"], "en");

    // She answers one question and writes, in French, above it.
    let problems = intake
        .answer(
            &jeanne,
            "Jeanne Martin",
            &q,
            "Bonjour, je préfère recevoir vos messages en français, s'il vous \
         plaît. Je réponds déjà à la première question.\n\n1. Jeanne Martin",
            2,
        )
        .await;
    contains_all(
        &problems.body,
        &[
            "Bonjour Jeanne Martin,",
            "Ces questions attendent encore une réponse :",
            "2. Dans quelle région vivez-vous ? (obligatoire)",
        ],
    );
    assert!(!problems.body.contains("Hello"), "{}", problems.body);
    assert_eq!(intake.application(&jeanne).unwrap()["language"], "fr");

    // A later reply of bare answers keeps French (too little to go by).
    let confirmation = intake
        .answer(
            &jeanne,
            "Jeanne Martin",
            &problems,
            "2. Asie\n3. anglais\n4. oui",
            3,
        )
        .await;
    assert!(
        confirmation.body.contains("est complète."),
        "{}",
        confirmation.body
    );
    assert_eq!(intake.application(&jeanne).unwrap()["language"], "fr");
}

/// A templates folder whose `questons.txt` would be silently ignored.
fn misspelt_override() -> Intake {
    let intake = Intake::with(|c| {
        *c = c.replace(
            "questions = \"questions.toml\"",
            "questions = \"questions.toml\"\ntemplates = \"templates\"",
        );
    });
    let folder = intake.dir.path().join("templates");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(
        folder.join("questons.txt"),
        "Hello {{ applicant_name }}, our questions:\n{% for block in blocks %}{{ block }}\n{% endfor %}",
    )
    .unwrap();
    intake
}

fn refused_naming_the_known_names(what: &str, out: &std::process::Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let said = format!("{stdout}{stderr}");
    assert!(!out.status.success(), "{what} succeeded:\n{said}");
    assert!(
        said.contains("questons.txt"),
        "{what} names the file:\n{said}"
    );
    for known in [
        "questions.txt",
        "confirmation.txt",
        "problems.txt",
        "report.html",
    ] {
        assert!(said.contains(known), "{what} lists {known}:\n{said}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_misspelt_template_override_stops_check_once_and_run_before_any_mail() {
    let intake = misspelt_override();
    let ada = intake.stack.address("ada-tpl", "example.net");
    intake
        .receive(
            &ada,
            &mail(&ada, "Ada", &intake.team, "Applying", "", "How do I apply?"),
        )
        .await;

    refused_naming_the_known_names("check", &intake.cmd(&["check"]));
    refused_naming_the_known_names("once", &intake.cmd(&["once"]));
    // `run` stops at start by itself, rather than running on.
    let mut run = Command::new(env!("CARGO_BIN_EXE_mailintake"))
        .arg("--config")
        .arg(&intake.config)
        .arg("run")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    while run.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(20) {
            run.kill().unwrap();
            panic!("run did not stop at start over a misspelt template");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    refused_naming_the_known_names("run", &run.wait_with_output().unwrap());

    // Nothing was mailed, and the mail is still waiting, unread.
    std::thread::sleep(Duration::from_secs(1));
    super::common::smtpd_idle();
    assert!(intake.stack.delivered(&ada).is_empty(), "mailed Ada");
    assert_eq!(intake.inbound().len(), 1);

    // Mended, the same mail is answered with the questions.
    std::fs::rename(
        intake.dir.path().join("templates/questons.txt"),
        intake.dir.path().join("templates/questions.txt"),
    )
    .unwrap();
    let out = intake.cmd(&["check"]);
    assert!(out.status.success(), "{out:?}");
    intake.once();
    let q = intake.mails_to(&ada, 1).remove(0);
    assert!(
        q.body.starts_with("Hello Ada, our questions:"),
        "{}",
        q.body
    );
}
