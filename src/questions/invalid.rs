//! Why an answer was not accepted, and the reason in the applicant's
//! language ([`crate::lang::Refusals`]): what a problems mail says under
//! the question.

use super::rules::Broken;
use crate::files::Refusal;
use crate::lang::Lang;

/// Why an answer was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invalid {
    /// It is no answer of the question's kind (not one of the choices,
    /// not a number, …), or empty, or over the longest answer taken.
    Kind(Wrong),
    /// It breaks one of the question's rules ([`super::rules`]).
    Rule(Broken),
    /// A file question's file was not taken.
    File(Refusal),
}

/// How an answer is no answer of its question's kind. A value is the
/// applicant's, shortened as it is quoted back ([`super::short`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wrong {
    Empty,
    /// Over the longest answer taken (`Question::max_chars`).
    TooLong {
        has: usize,
        most: usize,
    },
    NotEmail(String),
    NotUrl(String),
    NotYesno(String),
    NotNumber(String),
    NotAChoice(String),
    /// A prefix of more than one choice.
    SeveralChoices(String),
    NoChoice,
}

impl Invalid {
    /// The reason in English (staff's report and the tests); `number` is
    /// the question's number in the mail (rule reasons name it).
    pub fn words(&self, number: usize) -> String {
        self.words_in(number, Lang::En)
    }

    /// The reason in `lang`, for the applicant: "Your answer to 5 has 12
    /// characters; at least 50 are needed.", "« Mars » ne fait pas partie
    /// des choix".
    pub fn words_in(&self, number: usize, lang: Lang) -> String {
        match self {
            Invalid::Kind(w) => w.words_in(lang),
            Invalid::Rule(b) => b.words_in(number, lang),
            Invalid::File(r) => r.words_in(lang),
        }
    }
}

impl Wrong {
    pub fn words_in(&self, lang: Lang) -> String {
        let words = lang.words();
        let r = &words.refusals;
        let quoting = |template: &str, value: &str| template.replace("{value}", value);
        match self {
            Wrong::Empty => r.empty.to_string(),
            Wrong::TooLong { has, most } => r
                .too_long_for_kind
                .replace("{has}", &lang.count(&words.character, *has as u64))
                .replace("{most}", &most.to_string()),
            Wrong::NotEmail(v) => quoting(r.not_email, v),
            Wrong::NotUrl(v) => quoting(r.not_url, v),
            Wrong::NotYesno(v) => quoting(r.not_yesno, v),
            Wrong::NotNumber(v) => quoting(r.not_number, v),
            Wrong::NotAChoice(v) => quoting(r.not_a_choice, v),
            Wrong::SeveralChoices(v) => quoting(r.several_choices, v),
            Wrong::NoChoice => r.no_choice.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every_reason() -> Vec<Invalid> {
        let v = || "Mars".to_string();
        let mut out: Vec<Invalid> = [
            Wrong::Empty,
            Wrong::TooLong {
                has: 2_001,
                most: 2_000,
            },
            Wrong::NotEmail(v()),
            Wrong::NotUrl(v()),
            Wrong::NotYesno(v()),
            Wrong::NotNumber(v()),
            Wrong::NotAChoice(v()),
            Wrong::SeveralChoices(v()),
            Wrong::NoChoice,
        ]
        .into_iter()
        .map(Invalid::Kind)
        .collect();
        for has in [0, 1, 2, 12] {
            for bound in [1, 2, 50] {
                out.extend(
                    [
                        Broken::TooShort { has, need: bound },
                        Broken::TooLong { has, most: bound },
                        Broken::TooFewChoices { has, need: bound },
                        Broken::TooManyChoices { has, most: bound },
                    ]
                    .map(Invalid::Rule),
                );
            }
        }
        out.extend(
            [
                Broken::NoMatch,
                Broken::TooSmall {
                    value: "1.5".into(),
                    least: "2.5".into(),
                },
                Broken::TooLarge {
                    value: "60".into(),
                    most: "40".into(),
                },
            ]
            .map(Invalid::Rule),
        );
        out.extend(
            [
                Refusal::NoFile,
                Refusal::TooLarge {
                    name: "cv.pdf".into(),
                    size: 7_200_000,
                    max: 5_000_000,
                },
                Refusal::WrongType {
                    name: "cv.pdf".into(),
                    found: crate::files::Detected::Type(crate::files::FileType::Docx),
                    types: vec![crate::files::FileType::Pdf],
                },
                Refusal::KeptType {
                    found: crate::files::FileType::Txt,
                    types: vec![crate::files::FileType::Pdf],
                },
            ]
            .map(Invalid::File),
        );
        out
    }

    /// English words that never belong in a French, Spanish or German
    /// reason (padded: whole words).
    const ENGLISH: [&str; 14] = [
        " the ",
        " answer ",
        " is ",
        " are ",
        " has ",
        " not ",
        " one ",
        " of ",
        " choices ",
        " characters ",
        " file ",
        " at most ",
        " least ",
        " your ",
    ];

    #[test]
    fn every_reason_is_written_in_every_language_with_nothing_left_unfilled() {
        for why in every_reason() {
            let en = why.words_in(5, Lang::En);
            assert_eq!(en, why.words(5));
            for lang in Lang::ALL {
                let text = why.words_in(5, lang);
                assert!(!text.is_empty(), "{why:?} in {lang}");
                assert!(
                    !text.contains('{') && !text.contains('}'),
                    "{text} ({lang})"
                );
                if lang == Lang::En {
                    continue;
                }
                assert_ne!(text, en, "{why:?} is English in {lang}");
                let padded = format!(
                    " {} ",
                    text.to_lowercase()
                        .replace([';', ',', '.', '(', ')', ':'], " ")
                );
                for word in ENGLISH {
                    assert!(!padded.contains(word), "{word:?} in {lang}: {text}");
                }
            }
        }
    }

    #[test]
    fn rule_reasons_agree_with_their_numbers() {
        use Broken::*;
        let table: [(Broken, Lang, &str); 14] = [
            (
                TooShort { has: 12, need: 50 },
                Lang::En,
                "Your answer to 5 has 12 characters; at least 50 are needed.",
            ),
            (
                TooShort {
                    has: 1,
                    need: 1 + 1,
                },
                Lang::En,
                "Your answer to 5 has 1 character; at least 2 are needed.",
            ),
            (
                TooFewChoices { has: 0, need: 1 },
                Lang::En,
                "Your answer to 5 has 0 choices; at least 1 is needed.",
            ),
            (
                TooManyChoices { has: 2, most: 1 },
                Lang::En,
                "Your answer to 5 has 2 choices; at most 1 is taken.",
            ),
            (
                TooShort { has: 12, need: 50 },
                Lang::Fr,
                "Votre réponse à la question 5 compte 12 caractères ; il en faut au moins 50.",
            ),
            // French takes the singular for 0 and 1.
            (
                TooFewChoices { has: 0, need: 1 },
                Lang::Fr,
                "Votre réponse à la question 5 compte 0 choix ; il en faut au moins 1.",
            ),
            (
                TooShort { has: 1, need: 2 },
                Lang::Fr,
                "Votre réponse à la question 5 compte 1 caractère ; il en faut au moins 2.",
            ),
            (
                TooSmall {
                    value: "1.5".into(),
                    least: "2.5".into(),
                },
                Lang::Fr,
                "Votre réponse à la question 5 est 1,5 ; le plus petit nombre accepté est 2,5.",
            ),
            (
                TooShort { has: 1, need: 50 },
                Lang::Es,
                "Su respuesta a la pregunta 5 tiene 1 carácter; se necesitan al menos 50.",
            ),
            (
                TooFewChoices { has: 0, need: 1 },
                Lang::Es,
                "Su respuesta a la pregunta 5 tiene 0 opciones; se necesita al menos 1.",
            ),
            (
                TooManyChoices { has: 3, most: 2 },
                Lang::Es,
                "Su respuesta a la pregunta 5 tiene 3 opciones; se aceptan como máximo 2.",
            ),
            (
                TooFewChoices { has: 1, need: 2 },
                Lang::De,
                "Ihre Antwort auf Frage 5 hat 1 Option; nötig sind mindestens 2.",
            ),
            (
                TooLong { has: 2, most: 1 },
                Lang::De,
                "Ihre Antwort auf Frage 5 hat 2 Zeichen; erlaubt ist höchstens 1.",
            ),
            (
                TooLarge {
                    value: "60".into(),
                    most: "40.5".into(),
                },
                Lang::De,
                "Ihre Antwort auf Frage 5 ist 60; die größte erlaubte Zahl ist 40,5.",
            ),
        ];
        for (broken, lang, want) in table {
            assert_eq!(broken.words_in(5, lang), want, "{broken:?} {lang}");
        }
    }

    #[test]
    fn kind_reasons_quote_the_answer_in_each_languages_marks() {
        let not = Invalid::Kind(Wrong::NotAChoice("Mars".into()));
        assert_eq!(not.words(2), "`Mars` is not one of the choices");
        assert_eq!(
            not.words_in(2, Lang::Fr),
            "« Mars » ne fait pas partie des choix"
        );
        assert_eq!(
            not.words_in(2, Lang::Es),
            "«Mars» no es ninguna de las opciones"
        );
        assert_eq!(not.words_in(2, Lang::De), "„Mars“ ist keine der Optionen");
        let long = Invalid::Kind(Wrong::TooLong {
            has: 20_001,
            most: 20_000,
        });
        assert_eq!(
            long.words(1),
            "the answer is too long (20001 characters; at most 20000)"
        );
    }
}
