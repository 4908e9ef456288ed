//! Why an answer or a file was not accepted, in each language's words:
//! the reasons a problems mail gives under a question. Written by hand;
//! rendered by `questions::Invalid::words_in` and
//! `files::Refusal::words_in`.
//!
//! Placeholders: `{number}` the question's number as the mail shows it;
//! `{has}` a counted phrase ("12 characters", from `Words::character` or
//! `Words::choice_count`); `{need}`, `{most}`, `{least}` numbers;
//! `{value}` the applicant's answer, shortened; `{name}` a file's name;
//! `{size}`, `{max}` sizes in words; `{what}` what a file is; `{types}`
//! the types a question takes; `{type}` a type's label; `{ext}` a file
//! format's usual extension in capitals; `{a}` (English only) "a" or
//! "an" as the letters of `{ext}` are read.

use super::Plural;

/// One language's reasons.
#[derive(Debug)]
pub struct Refusals {
    /// An answer with fewer characters or choices than a rule asks; the
    /// form agrees with `{need}`.
    pub at_least_needed: Plural,
    /// With more than a rule takes; the form agrees with `{most}`.
    pub at_most_taken: Plural,
    /// Not in the form of the question's `pattern`.
    pub no_match: &'static str,
    /// A number under `min`, over `max`.
    pub too_small: &'static str,
    pub too_large: &'static str,
    pub empty: &'static str,
    /// Over the longest answer taken for the kind (`{has}`, `{most}`).
    pub too_long_for_kind: &'static str,
    pub not_email: &'static str,
    pub not_url: &'static str,
    pub not_yesno: &'static str,
    pub not_number: &'static str,
    pub not_a_choice: &'static str,
    pub several_choices: &'static str,
    pub no_choice: &'static str,
    /// A file question answered without a file.
    pub no_file: &'static str,
    pub file_too_large: &'static str,
    pub file_wrong_type: &'static str,
    /// A kept file of a type the question no longer takes.
    pub file_kept_type: &'static str,
    /// A file of one of the four types, with its article: "a PDF file".
    pub typed_file: &'static str,
    /// The same for the text type.
    pub text_file: &'static str,
    /// Any other file, by what it is, with its article.
    pub foreign: Foreign,
    pub empty_file: &'static str,
    pub unknown_data: &'static str,
}

/// Words for files of other formats: "a PNG image", "ein ZIP-Archiv".
#[derive(Debug)]
pub struct Foreign {
    pub archive: &'static str,
    pub image: &'static str,
    pub audio: &'static str,
    pub video: &'static str,
    pub document: &'static str,
    pub book: &'static str,
    pub font: &'static str,
    pub program: &'static str,
    /// Text, but in another encoding than UTF-8.
    pub text: &'static str,
    pub other: &'static str,
}

pub(super) const EN: Refusals = Refusals {
    at_least_needed: Plural {
        one: "Your answer to {number} has {has}; at least {need} is needed.",
        other: "Your answer to {number} has {has}; at least {need} are needed.",
    },
    at_most_taken: Plural {
        one: "Your answer to {number} has {has}; at most {most} is taken.",
        other: "Your answer to {number} has {has}; at most {most} are taken.",
    },
    no_match: "Your answer to {number} is not in the form the question asks for (see the note under it).",
    too_small: "Your answer to {number} is {value}; the smallest number taken is {least}.",
    too_large: "Your answer to {number} is {value}; the largest number taken is {most}.",
    empty: "the answer is empty",
    too_long_for_kind: "the answer is too long ({has}; at most {most})",
    not_email: "`{value}` is not an email address",
    not_url: "`{value}` is not a web address",
    not_yesno: "`{value}` is not yes or no",
    not_number: "`{value}` is not a number",
    not_a_choice: "`{value}` is not one of the choices",
    several_choices: "`{value}` matches more than one choice",
    no_choice: "no choice given",
    no_file: "no file came with it: attach the file to your reply",
    file_too_large: "{name} is {size}; at most {max}",
    file_wrong_type: "{name} is {what}, not one of {types}",
    file_kept_type: "the file kept is {what}, not one of {types}",
    typed_file: "a {type} file",
    text_file: "a text file",
    foreign: Foreign {
        archive: "{a} {ext} archive",
        image: "{a} {ext} image",
        audio: "{a} {ext} audio file",
        video: "{a} {ext} video",
        document: "{a} {ext} document",
        book: "{a} {ext} e-book",
        font: "{a} {ext} font",
        program: "{a} {ext} program",
        text: "{a} {ext} text file, not UTF-8",
        other: "{a} {ext} file",
    },
    empty_file: "empty",
    unknown_data: "binary data of no known type",
};

pub(super) const FR: Refusals = Refusals {
    at_least_needed: Plural {
        one: "Votre réponse à la question {number} compte {has} ; il en faut au moins {need}.",
        other: "Votre réponse à la question {number} compte {has} ; il en faut au moins {need}.",
    },
    at_most_taken: Plural {
        one: "Votre réponse à la question {number} compte {has} ; on en accepte {most} au plus.",
        other: "Votre réponse à la question {number} compte {has} ; on en accepte {most} au plus.",
    },
    no_match: "Votre réponse à la question {number} n'a pas la forme demandée (voir la note sous la question).",
    too_small: "Votre réponse à la question {number} est {value} ; le plus petit nombre accepté est {least}.",
    too_large: "Votre réponse à la question {number} est {value} ; le plus grand nombre accepté est {most}.",
    empty: "la réponse est vide",
    too_long_for_kind: "la réponse est trop longue ({has} ; {most} au plus)",
    not_email: "« {value} » n'est pas une adresse e-mail",
    not_url: "« {value} » n'est pas une adresse web",
    not_yesno: "« {value} » n'est ni oui ni non",
    not_number: "« {value} » n'est pas un nombre",
    not_a_choice: "« {value} » ne fait pas partie des choix",
    several_choices: "« {value} » correspond à plusieurs choix",
    no_choice: "aucun choix n'est indiqué",
    no_file: "aucun fichier n'était joint : joignez le fichier à votre réponse",
    file_too_large: "{name} fait {size} ; {max} au plus",
    file_wrong_type: "{name} est {what} ; types acceptés : {types}",
    file_kept_type: "le fichier conservé est {what} ; types acceptés : {types}",
    typed_file: "un fichier {type}",
    text_file: "un fichier texte",
    foreign: Foreign {
        archive: "une archive {ext}",
        image: "une image {ext}",
        audio: "un fichier audio {ext}",
        video: "une vidéo {ext}",
        document: "un document {ext}",
        book: "un livre numérique {ext}",
        font: "une police de caractères {ext}",
        program: "un programme {ext}",
        text: "un fichier texte {ext} qui n'est pas en UTF-8",
        other: "un fichier {ext}",
    },
    empty_file: "un fichier vide",
    unknown_data: "des données binaires de type inconnu",
};

pub(super) const ES: Refusals = Refusals {
    at_least_needed: Plural {
        one: "Su respuesta a la pregunta {number} tiene {has}; se necesita al menos {need}.",
        other: "Su respuesta a la pregunta {number} tiene {has}; se necesitan al menos {need}.",
    },
    at_most_taken: Plural {
        one: "Su respuesta a la pregunta {number} tiene {has}; se acepta como máximo {most}.",
        other: "Su respuesta a la pregunta {number} tiene {has}; se aceptan como máximo {most}.",
    },
    no_match: "Su respuesta a la pregunta {number} no tiene la forma que pide la pregunta (vea la nota debajo de ella).",
    too_small: "Su respuesta a la pregunta {number} es {value}; el número más bajo que se acepta es {least}.",
    too_large: "Su respuesta a la pregunta {number} es {value}; el número más alto que se acepta es {most}.",
    empty: "la respuesta está vacía",
    too_long_for_kind: "la respuesta es demasiado larga ({has}; como máximo {most})",
    not_email: "«{value}» no es una dirección de correo electrónico",
    not_url: "«{value}» no es una dirección web",
    not_yesno: "«{value}» no es ni sí ni no",
    not_number: "«{value}» no es un número",
    not_a_choice: "«{value}» no es ninguna de las opciones",
    several_choices: "«{value}» coincide con más de una opción",
    no_choice: "no se ha indicado ninguna opción",
    no_file: "no venía ningún archivo: adjunte el archivo a su respuesta",
    file_too_large: "{name} ocupa {size}; como máximo {max}",
    file_wrong_type: "{name} es {what}; tipos aceptados: {types}",
    file_kept_type: "el archivo guardado es {what}; tipos aceptados: {types}",
    typed_file: "un archivo {type}",
    text_file: "un archivo de texto",
    foreign: Foreign {
        archive: "un archivo comprimido {ext}",
        image: "una imagen {ext}",
        audio: "un archivo de audio {ext}",
        video: "un vídeo {ext}",
        document: "un documento {ext}",
        book: "un libro electrónico {ext}",
        font: "una fuente tipográfica {ext}",
        program: "un programa {ext}",
        text: "un archivo de texto {ext} que no está en UTF-8",
        other: "un archivo {ext}",
    },
    empty_file: "un archivo vacío",
    unknown_data: "datos binarios de tipo desconocido",
};

pub(super) const DE: Refusals = Refusals {
    at_least_needed: Plural {
        one: "Ihre Antwort auf Frage {number} hat {has}; nötig ist mindestens {need}.",
        other: "Ihre Antwort auf Frage {number} hat {has}; nötig sind mindestens {need}.",
    },
    at_most_taken: Plural {
        one: "Ihre Antwort auf Frage {number} hat {has}; erlaubt ist höchstens {most}.",
        other: "Ihre Antwort auf Frage {number} hat {has}; erlaubt sind höchstens {most}.",
    },
    no_match: "Ihre Antwort auf Frage {number} hat nicht die Form, die die Frage verlangt (siehe den Hinweis darunter).",
    too_small: "Ihre Antwort auf Frage {number} ist {value}; die kleinste erlaubte Zahl ist {least}.",
    too_large: "Ihre Antwort auf Frage {number} ist {value}; die größte erlaubte Zahl ist {most}.",
    empty: "die Antwort ist leer",
    too_long_for_kind: "die Antwort ist zu lang ({has}; höchstens {most})",
    not_email: "„{value}“ ist keine E-Mail-Adresse",
    not_url: "„{value}“ ist keine Webadresse",
    not_yesno: "„{value}“ ist weder ja noch nein",
    not_number: "„{value}“ ist keine Zahl",
    not_a_choice: "„{value}“ ist keine der Optionen",
    several_choices: "„{value}“ passt zu mehr als einer Option",
    no_choice: "keine Option angegeben",
    no_file: "es kam keine Datei mit: Hängen Sie die Datei an Ihre Antwort an",
    file_too_large: "{name} ist {size} groß; höchstens {max}",
    file_wrong_type: "{name} ist {what}; erlaubt sind: {types}",
    file_kept_type: "die gespeicherte Datei ist {what}; erlaubt sind: {types}",
    typed_file: "eine {type}-Datei",
    text_file: "eine Textdatei",
    foreign: Foreign {
        archive: "ein {ext}-Archiv",
        image: "ein {ext}-Bild",
        audio: "eine {ext}-Audiodatei",
        video: "ein {ext}-Video",
        document: "ein {ext}-Dokument",
        book: "ein {ext}-E-Book",
        font: "eine {ext}-Schriftart",
        program: "ein {ext}-Programm",
        text: "eine {ext}-Textdatei, nicht in UTF-8",
        other: "eine {ext}-Datei",
    },
    empty_file: "eine leere Datei",
    unknown_data: "Binärdaten unbekannter Art",
};
