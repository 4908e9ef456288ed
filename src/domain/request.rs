//! What a person asks for in a mail without answers: to withdraw, to get
//! a copy of their data, to have it deleted (GDPR articles 15 and 17 in
//! the applicant's words), in the languages applicants write.
//!
//! Read from the subject and from the text the person wrote (the body
//! less every block the answer reader cut: quotes, our own mail quoted
//! back, attributions, signatures), folded (case and accents ignored), so
//! that the instructions in a quoted question mail never count.

use crate::answers::Cut;
use crate::questions::fold;

/// A request by mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Take my application back.
    Withdraw,
    /// Send me what you stored about me.
    MyData,
    /// Delete what you stored about me.
    Delete,
}

/// Folded phrases for each request, in the order they are tried: deletion
/// first ("withdraw and delete my data" asks for both; deleting does
/// both), then withdrawal, then a copy ("delete my data" names the data
/// too). Each is matched as whole words.
const PHRASES: [(Request, &[&str]); 3] = [
    (
        Request::Delete,
        &[
            // The word our question mail asks for, and English.
            "delete",
            "erase",
            "forget me",
            "remove my data",
            "remove my application",
            "remove me",
            "right to erasure",
            // German, French, Spanish, Portuguese, Italian, Dutch, Polish, Russian.
            "loschen",
            "losche",
            "loscht",
            "supprimer",
            "supprimez",
            "effacer",
            "effacez",
            "borrar",
            "borren",
            "eliminar mis datos",
            "eliminen mis datos",
            "suprimir mis datos",
            "apagar",
            "apaguem",
            "excluir meus dados",
            "cancellare",
            "cancellate",
            "eliminare i miei dati",
            "verwijder",
            "verwijderen",
            "usunac",
            "usuncie",
            "usun",
            "удалить",
            "удалите",
        ],
    ),
    (
        Request::Withdraw,
        &[
            // The words our question mails ask for (English, French,
            // Spanish; German "zurückziehen" is below), then phrases.
            "withdraw",
            "retirer",
            "retirar",
            "withdrawing",
            "withdrawal",
            "no longer interested",
            "cancel my application",
            "retract my application",
            "zuruckziehen",
            "zuruckzuziehen",
            "ziehe meine bewerbung zuruck",
            "retirer ma candidature",
            "je retire ma candidature",
            "annuler ma candidature",
            "retirar mi candidatura",
            "retirar mi solicitud",
            "retiro mi candidatura",
            "retirar minha candidatura",
            "desisto",
            "desistir",
            "ritirare la mia candidatura",
            "ritiro la mia candidatura",
            "intrekken",
            "trek mijn aanmelding in",
            "wycofac",
            "wycofuje",
            "отозвать",
            "отзываю",
        ],
    ),
    (
        Request::MyData,
        &[
            "my data",
            "what you stored",
            "what you have stored",
            "what have you stored",
            "data you hold",
            "copy of my application",
            "meine daten",
            "auskunft",
            "mes donnees",
            "mis datos",
            "meus dados",
            "i miei dati",
            "mijn gegevens",
            "moje dane",
            "мои данные",
        ],
    ),
];

/// The request in a mail, if any: the person's own `text`, or a
/// `subject` that is nothing but a request ("MY DATA", "Re: Withdraw"): a
/// subject only names a topic ("my data science background").
pub fn read(subject: &str, text: &str) -> Option<Request> {
    let said = format!(" {} ", words(text));
    let subject = words(&crate::domain::reply_subject(subject, ""));
    let subject = subject.strip_prefix("re ").unwrap_or(&subject);
    PHRASES
        .iter()
        .find(|(_, phrases)| {
            phrases
                .iter()
                .any(|p| said.contains(&format!(" {p} ")) || subject == *p)
        })
        .map(|(r, _)| *r)
}

/// Folded words that say no to what we asked to confirm, in the
/// languages of [`PHRASES`]: "No, I did not ask for this", "Nein",
/// "I didn't send that". Matched as whole words among the first
/// [`REFUSAL_WORDS`] words only: a refusal says so at once, while "not" or
/// Polish "nie" further on is ordinary speech ("Yes, delete it, I do not
/// want more mail").
const REFUSALS: &[&str] = &[
    "no", "not", "nope", "never", "didn t", "didnt", "don t", "dont", "do not", "nein", "nicht",
    "non", "jamais", "nunca", "nao", "niet", "nie", "нет", "не",
];

/// How many of the first words a refusal is looked for in.
const REFUSAL_WORDS: usize = 3;

/// Whether the person's own `text` opens by refusing what a confirm
/// request asked.
pub fn refuses(text: &str) -> bool {
    let opening: Vec<&str> = text.split_whitespace().take(REFUSAL_WORDS).collect();
    let said = format!(" {} ", words(&opening.join(" ")));
    REFUSALS.iter().any(|r| said.contains(&format!(" {r} ")))
}

/// Folded words with punctuation turned into spaces.
fn words(s: &str) -> String {
    let f: String = fold(s)
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    f.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The lines of `body` the person wrote: every block the answer reader
/// cut (`cuts`, 1-based line numbers) left out.
pub fn own_text(body: &str, cuts: &[Cut]) -> String {
    body.lines()
        .enumerate()
        .filter(|(i, _)| {
            let n = i + 1;
            !cuts
                .iter()
                .any(|c| n >= c.first_line && n < c.first_line + c.lines.len())
        })
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_read_in_the_words_people_use() {
        use Request::*;
        let table: [(&str, &str, Option<Request>); 25] = [
            ("Re: Questions", "WITHDRAW", Some(Withdraw)),
            ("Withdrawal", "", Some(Withdraw)),
            (
                "Re: Call",
                "I am no longer interested, sorry.",
                Some(Withdraw),
            ),
            (
                "",
                "Ich möchte meine Bewerbung zurückziehen.",
                Some(Withdraw),
            ),
            ("", "Je souhaite retirer ma candidature.", Some(Withdraw)),
            ("", "Quiero retirar mi candidatura.", Some(Withdraw)),
            ("", "Chciałabym wycofać zgłoszenie.", Some(Withdraw)),
            ("Re: Questions", "DELETE", Some(Delete)),
            ("", "Please delete my data.", Some(Delete)),
            ("", "Bitte löschen Sie meine Daten.", Some(Delete)),
            ("", "Merci de supprimer mes données.", Some(Delete)),
            ("", "Por favor, borren mis datos.", Some(Delete)),
            ("", "Удалите, пожалуйста, мои данные.", Some(Delete)),
            ("", "Withdraw me and erase everything.", Some(Delete)),
            ("Re: Questions", "MY DATA", Some(MyData)),
            ("", "What have you stored about me?", Some(MyData)),
            ("", "Können Sie mir meine Daten schicken?", Some(MyData)),
            ("", "Pourriez-vous m'envoyer mes données ?", Some(MyData)),
            // Thanks and questions ask for nothing of these.
            ("Re: Confirmation", "Thank you so much!", None),
            ("", "When will you decide? Best, Ada", None),
            // Words inside other words do not count.
            ("", "I deleted the old draft and rewrote it.", None),
            ("", "Undeleted and unwithdrawn.", None),
            // A subject names a topic; only a subject that is nothing but
            // a request counts.
            ("Application - my data science background", "Hello", None),
            ("Re: Withdraw", "", Some(Withdraw)),
            // German "wissen" is "to know", not Dutch "erase".
            ("", "Ich würde gerne wissen, wann Sie entscheiden.", None),
        ];
        for (subject, text, want) in table {
            assert_eq!(read(subject, text), want, "{subject:?} {text:?}");
        }
    }

    /// The runs of capitalised words in `text` ("MY DATA", "LÖSCHEN"):
    /// the request words our mails print.
    fn capitals(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for line in text.lines() {
            let mut run: Vec<&str> = Vec::new();
            for w in line.split([' ', ':', ',', '.', '(', ')']) {
                let caps = w.chars().count() >= 2 && w.chars().all(|c| c.is_uppercase());
                if caps {
                    run.push(w);
                } else if !w.is_empty() && !run.is_empty() {
                    out.push(run.join(" "));
                    run.clear();
                }
            }
            if !run.is_empty() {
                out.push(run.join(" "));
            }
        }
        out
    }

    /// Every request word printed in each language's mails is read as the
    /// request it names, alone in the text or as the subject.
    #[test]
    fn every_word_our_mails_print_is_understood() {
        use crate::compose::Composer;
        use crate::lang::Lang;
        let questions = crate::questions::QuestionSet::parse(
            "[[question]]\nid = \"name\"\nprompt = \"Name?\"\n",
            std::path::Path::new("q.toml"),
        )
        .expect("questions");
        let settings = crate::config::Settings::without_file(questions);
        let templates = crate::render::Templates::load(None).expect("templates");
        for lang in Lang::ALL {
            let c = Composer {
                config: &settings,
                templates: &templates,
                lang,
            };
            let asked = capitals(&c.questions_text(None, false).expect("questions"));
            assert_eq!(asked.len(), 3, "{lang}: {asked:?}");
            for (word, want) in
                asked
                    .iter()
                    .zip([Request::Withdraw, Request::MyData, Request::Delete])
            {
                assert_eq!(read("", word), Some(want), "{lang}: {word}");
                assert_eq!(read(word, ""), Some(want), "{lang}: subject {word}");
                assert_eq!(read("Re: Questions", &word.to_lowercase()), Some(want));
            }
            // The notices name the word for deleting.
            let notices = [
                c.simple_text("withdrawn.txt", None).expect("withdrawn"),
                c.data_copy_text(&crate::privacy::export::Export::default())
                    .expect("data copy"),
            ];
            for text in notices {
                assert_eq!(capitals(&text), [asked[2].clone()], "{lang}:\n{text}");
            }
            if lang != Lang::En {
                for english in ["WITHDRAW", "MY DATA", "DELETE"] {
                    assert!(!asked.iter().any(|w| w == english), "{lang}: {asked:?}");
                }
            }
        }
    }

    #[test]
    fn a_refusal_is_read_in_the_words_people_use() {
        for no in [
            "No! I did not ask for this. Please keep my application.",
            "Nein, bitte nicht.",
            "Non, je n'ai rien demandé.",
            "I didn't send that.",
            "Нет",
        ] {
            assert!(refuses(no), "{no}");
        }
        for yes in [
            "",
            "Yes, that was me.",
            "Ja, bitte.",
            "Oui",
            "ok",
            "DELETE",
            "Yes, delete it, I do not want to be contacted again.",
            "Tak, to ja. Nie mam pytań.",
            "Please keep me posted.",
        ] {
            assert!(!refuses(yes), "{yes}");
        }
    }

    #[test]
    fn only_the_persons_own_lines_count() {
        let body = "Thanks!\n\nOn Mon, Team wrote:\n> To have it deleted, reply DELETE.\n";
        let cuts = vec![Cut {
            kind: crate::answers::CutKind::Quote,
            first_line: 3,
            lines: vec![
                "On Mon, Team wrote:".into(),
                "> To have it deleted, reply DELETE.".into(),
            ],
            guessed: false,
        }];
        let own = own_text(body, &cuts);
        assert_eq!(own.trim(), "Thanks!");
        assert_eq!(read("Re: Questions", &own), None);
        assert_eq!(read("Re: Questions", body), Some(Request::Delete));
    }
}
