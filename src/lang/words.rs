//! The words our mails build in code rather than in a template: the hint
//! lines of a question block, the required mark, month names, and the
//! example answer. Written by hand for each language; the answer reader
//! learns every language's lines from here (`answers::question_block`).

use super::Lang;

/// One language's words.
#[derive(Debug)]
pub struct Words {
    /// After a required question's prompt, with its parentheses.
    pub required: &'static str,
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
    /// January to December.
    pub months: [&'static str; 12],
}

const EN: Words = Words {
    required: "(required)",
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
