//! The words our mails build in code rather than in a template: the hint
//! lines of a question block, the required mark, month names, and the
//! example answer. Written by hand for each language; the answer reader
//! learns every language's lines from here (`answers::question_block`).

use super::refusals::{self, Refusals};
use super::{Lang, Plural};

/// One language's words.
#[derive(Debug)]
pub struct Words {
    /// After a required question's prompt, with its parentheses.
    pub required: &'static str,
    /// After an optional question's prompt where optional ones are set
    /// apart: a follow-up asking the questions that now apply.
    pub optional: &'static str,
    pub paragraph: &'static str,
    pub choice: &'static str,
    /// The same past 26 choices, which are numbered rather than lettered.
    pub choice_by_number: &'static str,
    pub choices: &'static str,
    pub email: &'static str,
    pub url: &'static str,
    pub yesno: &'static str,
    pub number: &'static str,
    /// A file question's hint; `{types}` and `{size}` are filled in.
    pub file: &'static str,
    /// "yes", as an example answer to a yes-or-no question.
    pub yes: &'static str,
    /// "no", as a stored `no` is shown in a confirmation.
    pub no: &'static str,
    /// An example answer when no question offers choices or yes and no.
    pub answer: &'static str,
    /// A conditional question's line; `{terms}` is the terms joined by
    /// `and`, each `term` with `{values}` (joined by `or`) and `{number}`.
    pub when: &'static str,
    pub when_term: &'static str,
    pub or: &'static str,
    pub and: &'static str,
    /// Rule hints; `{n}`, `{low}`, `{high}` are numbers, the last one
    /// followed by its unit when it has one.
    pub exactly: &'static str,
    pub from_to: &'static str,
    pub at_least: &'static str,
    pub at_most: &'static str,
    /// Counted characters and choices: "1 character", "12 characters".
    pub character: Plural,
    pub choice_count: Plural,
    /// Sizes: bytes counted, then kilo-, mega- and gigabytes (SI units:
    /// 1000, 1000², 1000³ bytes) as the language abbreviates them.
    pub byte: Plural,
    pub size_units: [&'static str; 3],
    /// The text file type as applicants read it (the others are their
    /// names in capitals: PDF, ODT, DOCX).
    pub text_type: &'static str,
    /// An application's status as the applicant is told it (the data
    /// copy): complete, incomplete, unconfirmed, withdrawn.
    pub statuses: [&'static str; 4],
    /// Why an answer or a file was not accepted.
    pub refusals: Refusals,
    /// January to December.
    pub months: [&'static str; 12],
}

const EN: Words = Words {
    required: "(required)",
    optional: "(optional)",
    paragraph: "Several sentences or paragraphs are welcome.",
    choice: "Choose one (the letter or the name):",
    choice_by_number: "Choose one (the number or the name):",
    choices: "Choose one or more, separated by commas:",
    email: "An email address.",
    url: "A web address.",
    yesno: "Yes or no.",
    number: "A number.",
    file: "Attach the file to your reply: {types}; at most {size}.",
    yes: "yes",
    no: "no",
    answer: "your answer",
    when: "Answer only if you answered {terms}.",
    when_term: "{values} to {number}",
    or: "or",
    and: "and",
    exactly: "Exactly {n}.",
    from_to: "From {low} to {high}.",
    at_least: "At least {n}.",
    at_most: "At most {n}.",
    character: Plural {
        one: "{n} character",
        other: "{n} characters",
    },
    choice_count: Plural {
        one: "{n} choice",
        other: "{n} choices",
    },
    byte: Plural {
        one: "{n} byte",
        other: "{n} bytes",
    },
    size_units: ["kB", "MB", "GB"],
    text_type: "text",
    statuses: ["complete", "incomplete", "unconfirmed", "withdrawn"],
    refusals: refusals::EN,
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

const FR: Words = Words {
    required: "(obligatoire)",
    optional: "(facultative)",
    paragraph: "Plusieurs phrases ou paragraphes sont les bienvenus.",
    choice: "Choisissez-en un (la lettre ou le nom) :",
    choice_by_number: "Choisissez-en un (le numéro ou le nom) :",
    choices: "Choisissez-en un ou plusieurs, séparés par des virgules :",
    email: "Une adresse e-mail.",
    url: "Une adresse web.",
    yesno: "Oui ou non.",
    number: "Un nombre.",
    file: "Joignez le fichier à votre réponse : {types} ; {size} au plus.",
    yes: "oui",
    no: "non",
    answer: "votre réponse",
    when: "Répondez seulement si vous avez répondu {terms}.",
    when_term: "{values} à {number}",
    or: "ou",
    and: "et",
    exactly: "Exactement {n}.",
    from_to: "De {low} à {high}.",
    at_least: "Au moins {n}.",
    at_most: "Au plus {n}.",
    character: Plural {
        one: "{n} caractère",
        other: "{n} caractères",
    },
    choice_count: Plural {
        one: "{n} choix",
        other: "{n} choix",
    },
    // Octets: "ko", "Mo", "Go" are what French writes (Office québécois
    // de la langue française, and French software), not "kB".
    byte: Plural {
        one: "{n} octet",
        other: "{n} octets",
    },
    size_units: ["ko", "Mo", "Go"],
    text_type: "texte",
    statuses: ["complète", "incomplète", "non confirmée", "retirée"],
    refusals: refusals::FR,
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
};

const ES: Words = Words {
    required: "(obligatoria)",
    optional: "(opcional)",
    paragraph: "Puede escribir varias frases o párrafos.",
    choice: "Elija una opción (la letra o el nombre):",
    choice_by_number: "Elija una opción (el número o el nombre):",
    choices: "Elija una o más opciones, separadas por comas:",
    email: "Una dirección de correo electrónico.",
    url: "Una dirección web.",
    yesno: "Sí o no.",
    number: "Un número.",
    file: "Adjunte el archivo a su respuesta: {types}; como máximo {size}.",
    yes: "sí",
    no: "no",
    answer: "su respuesta",
    when: "Responda solo si respondió {terms}.",
    when_term: "{values} a la {number}",
    or: "o",
    and: "y",
    exactly: "Exactamente {n}.",
    from_to: "De {low} a {high}.",
    at_least: "Al menos {n}.",
    at_most: "Como máximo {n}.",
    character: Plural {
        one: "{n} carácter",
        other: "{n} caracteres",
    },
    choice_count: Plural {
        one: "{n} opción",
        other: "{n} opciones",
    },
    byte: Plural {
        one: "{n} byte",
        other: "{n} bytes",
    },
    size_units: ["kB", "MB", "GB"],
    text_type: "texto",
    statuses: ["completa", "incompleta", "sin confirmar", "retirada"],
    refusals: refusals::ES,
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
};

const DE: Words = Words {
    required: "(Pflichtfrage)",
    optional: "(freiwillig)",
    paragraph: "Gern mehrere Sätze oder Absätze.",
    choice: "Wählen Sie eine Antwort (Buchstabe oder Name):",
    choice_by_number: "Wählen Sie eine Antwort (Nummer oder Name):",
    choices: "Wählen Sie eine oder mehrere, durch Kommas getrennt:",
    email: "Eine E-Mail-Adresse.",
    url: "Eine Webadresse.",
    yesno: "Ja oder nein.",
    number: "Eine Zahl.",
    file: "Hängen Sie die Datei an Ihre Antwort an: {types}; höchstens {size}.",
    yes: "ja",
    no: "nein",
    answer: "Ihre Antwort",
    when: "Nur beantworten, wenn Sie {terms} geantwortet haben.",
    when_term: "bei {number} {values}",
    or: "oder",
    and: "und",
    exactly: "Genau {n}.",
    from_to: "Von {low} bis {high}.",
    at_least: "Mindestens {n}.",
    at_most: "Höchstens {n}.",
    character: Plural {
        one: "{n} Zeichen",
        other: "{n} Zeichen",
    },
    choice_count: Plural {
        one: "{n} Option",
        other: "{n} Optionen",
    },
    // "Byte" is also the plural after a number (Duden).
    byte: Plural {
        one: "{n} Byte",
        other: "{n} Byte",
    },
    size_units: ["kB", "MB", "GB"],
    text_type: "Text",
    statuses: [
        "vollständig",
        "unvollständig",
        "unbestätigt",
        "zurückgezogen",
    ],
    refusals: refusals::DE,
    months: [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
};

pub(super) fn of(lang: Lang) -> &'static Words {
    match lang {
        Lang::En => &EN,
        Lang::Fr => &FR,
        Lang::Es => &ES,
        Lang::De => &DE,
    }
}
