//! Why an attached file was not taken, in the applicant's language
//! ([`crate::lang::Refusals`]), and a stored file answer shown in it.

use super::kind::{Detected, Family, FileType, Format};
use super::size::human_in;
use crate::lang::Lang;

/// Why a file question's answer in one mail, or its kept file, was not
/// accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Answered in words, with no file attached for it.
    NoFile,
    /// Over the question's `max_size` (bytes).
    TooLarge { name: String, size: u64, max: u64 },
    /// Its content is not one of the question's `types`.
    WrongType {
        name: String,
        found: Detected,
        types: Vec<FileType>,
    },
    /// The file kept from an earlier mail is of a type the question no
    /// longer takes.
    KeptType {
        found: FileType,
        types: Vec<FileType>,
    },
}

impl Refusal {
    /// In English, as staff read it: "cv.pdf is a PNG image, not one of
    /// pdf, odt, docx, txt".
    pub fn words(&self) -> String {
        self.words_in(Lang::En)
    }

    /// In `lang`: "cv.pdf est une image PNG ; types acceptés : pdf".
    pub fn words_in(&self, lang: Lang) -> String {
        let r = &lang.words().refusals;
        let types = |types: &[FileType]| {
            types
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            Refusal::NoFile => r.no_file.to_string(),
            Refusal::TooLarge { name, size, max } => {
                let (s, m) = (human_in(*size, lang), human_in(*max, lang));
                // Rounded, both may read the same ("5 MB; at most 5 MB").
                let (s, m) = if s == m {
                    let bytes = |n: u64| lang.count(&lang.words().byte, n);
                    (bytes(*size), bytes(*max))
                } else {
                    (s, m)
                };
                r.file_too_large
                    .replace("{name}", name)
                    .replace("{size}", &s)
                    .replace("{max}", &m)
            }
            Refusal::WrongType {
                name,
                found,
                types: t,
            } => r
                .file_wrong_type
                .replace("{name}", name)
                .replace("{what}", &what(found, lang))
                .replace("{types}", &types(t)),
            Refusal::KeptType { found, types: t } => r
                .file_kept_type
                .replace("{what}", &what(&Detected::Type(*found), lang))
                .replace("{types}", &types(t)),
        }
    }
}

/// What a file is, with its article, in `lang`: "a PDF file", "une image
/// PNG", "eine leere Datei".
pub fn what(found: &Detected, lang: Lang) -> String {
    let r = &lang.words().refusals;
    match found {
        Detected::Type(FileType::Txt) => r.text_file.to_string(),
        Detected::Type(t) => r.typed_file.replace("{type}", t.label()),
        Detected::Other(Format::Empty) => r.empty_file.to_string(),
        Detected::Other(Format::Unknown) => r.unknown_data.to_string(),
        Detected::Other(Format::Named { ext, family }) => {
            let f = &r.foreign;
            let phrase = match family {
                Family::Archive => f.archive,
                Family::Image => f.image,
                Family::Audio => f.audio,
                Family::Video => f.video,
                Family::Document => f.document,
                Family::Book => f.book,
                Family::Font => f.font,
                Family::Program => f.program,
                Family::Text => f.text,
                Family::Other => f.other,
            };
            // English reads the letters: "an MP3", "an XLSX", "a ZIP".
            let article = match ext.chars().next() {
                Some(c) if "AEFHILMNORSX".contains(c) => "an",
                _ => "a",
            };
            phrase.replace("{a}", article).replace("{ext}", ext)
        }
    }
}

/// A stored file answer ("cv.pdf (PDF, 7.2 MB)", as
/// [`super::Accepted::value`] writes it) as `lang` writes it: "cv.pdf
/// (PDF, 7,2 Mo)", "cv.txt (Text, 812 Byte)". Any other value is shown
/// as it is.
pub fn shown_in(value: &str, lang: Lang) -> String {
    let parsed = value.rsplit_once(" (").and_then(|(name, tail)| {
        let (label, size) = tail.strip_suffix(')')?.split_once(", ")?;
        let kind = FileType::ALL.into_iter().find(|t| t.label() == label)?;
        Some((name, kind, size_in(size, lang)?))
    });
    match parsed {
        Some((name, kind, size)) => format!("{name} ({}, {size})", kind.label_in(lang)),
        None => value.to_string(),
    }
}

/// A size as [`super::size::human`] writes it in English ("7.2 MB", "812
/// bytes") in `lang`'s units and decimal sign.
fn size_in(size: &str, lang: Lang) -> Option<String> {
    let (number, unit) = size.split_once(' ')?;
    let words = lang.words();
    let i = ["kB", "MB", "GB"].iter().position(|u| *u == unit);
    match i {
        Some(i) => Some(format!("{} {}", lang.decimal(number), words.size_units[i])),
        None if unit == "byte" || unit == "bytes" => {
            Some(lang.count(&words.byte, number.parse().ok()?))
        }
        None => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn png() -> Detected {
        Detected::Other(Format::Named {
            ext: "PNG".into(),
            family: Family::Image,
        })
    }

    #[test]
    fn each_refusal_is_written_in_each_language() {
        let pdf_only = vec![FileType::Pdf];
        let wrong = Refusal::WrongType {
            name: "cv.pdf".into(),
            found: png(),
            types: vec![FileType::Pdf, FileType::Txt],
        };
        let large = Refusal::TooLarge {
            name: "cv.pdf".into(),
            size: 7_250_000,
            max: 5_000_000,
        };
        let close = Refusal::TooLarge {
            name: "cv.pdf".into(),
            size: 5_000_001,
            max: 5_000_000,
        };
        let kept = Refusal::KeptType {
            found: FileType::Txt,
            types: pdf_only.clone(),
        };
        let table: [(Lang, [&str; 5]); 4] = [
            (
                Lang::En,
                [
                    "cv.pdf is a PNG image, not one of pdf, txt",
                    "cv.pdf is 7.2 MB; at most 5 MB",
                    "cv.pdf is 5000001 bytes; at most 5000000 bytes",
                    "the file kept is a text file, not one of pdf",
                    "no file came with it: attach the file to your reply",
                ],
            ),
            (
                Lang::Fr,
                [
                    "cv.pdf est une image PNG ; types acceptés : pdf, txt",
                    "cv.pdf fait 7,2 Mo ; 5 Mo au plus",
                    "cv.pdf fait 5000001 octets ; 5000000 octets au plus",
                    "le fichier conservé est un fichier texte ; types acceptés : pdf",
                    "aucun fichier n'était joint : joignez le fichier à votre réponse",
                ],
            ),
            (
                Lang::Es,
                [
                    "cv.pdf es una imagen PNG; tipos aceptados: pdf, txt",
                    "cv.pdf ocupa 7,2 MB; como máximo 5 MB",
                    "cv.pdf ocupa 5000001 bytes; como máximo 5000000 bytes",
                    "el archivo guardado es un archivo de texto; tipos aceptados: pdf",
                    "no venía ningún archivo: adjunte el archivo a su respuesta",
                ],
            ),
            (
                Lang::De,
                [
                    "cv.pdf ist ein PNG-Bild; erlaubt sind: pdf, txt",
                    "cv.pdf ist 7,2 MB groß; höchstens 5 MB",
                    "cv.pdf ist 5000001 Byte groß; höchstens 5000000 Byte",
                    "die gespeicherte Datei ist eine Textdatei; erlaubt sind: pdf",
                    "es kam keine Datei mit: Hängen Sie die Datei an Ihre Antwort an",
                ],
            ),
        ];
        for (lang, want) in table {
            let got = [&wrong, &large, &close, &kept, &Refusal::NoFile].map(|r| r.words_in(lang));
            assert_eq!(got, want, "{lang}");
        }
        assert_eq!(wrong.words(), wrong.words_in(Lang::En));
    }

    #[test]
    fn what_a_file_is_in_each_language() {
        let mp3 = Detected::Other(Format::Named {
            ext: "MP3".into(),
            family: Family::Audio,
        });
        let zip = Detected::Other(Format::Named {
            ext: "ZIP".into(),
            family: Family::Archive,
        });
        let docx = Detected::Type(FileType::Docx);
        let empty = Detected::Other(Format::Empty);
        let unknown = Detected::Other(Format::Unknown);
        for (lang, want) in [
            (
                Lang::En,
                [
                    "an MP3 audio file",
                    "a ZIP archive",
                    "a DOCX file",
                    "empty",
                    "binary data of no known type",
                ],
            ),
            (
                Lang::Fr,
                [
                    "un fichier audio MP3",
                    "une archive ZIP",
                    "un fichier DOCX",
                    "un fichier vide",
                    "des données binaires de type inconnu",
                ],
            ),
            (
                Lang::Es,
                [
                    "un archivo de audio MP3",
                    "un archivo comprimido ZIP",
                    "un archivo DOCX",
                    "un archivo vacío",
                    "datos binarios de tipo desconocido",
                ],
            ),
            (
                Lang::De,
                [
                    "eine MP3-Audiodatei",
                    "ein ZIP-Archiv",
                    "eine DOCX-Datei",
                    "eine leere Datei",
                    "Binärdaten unbekannter Art",
                ],
            ),
        ] {
            let got = [&mp3, &zip, &docx, &empty, &unknown].map(|d| what(d, lang));
            assert_eq!(got, want, "{lang}");
        }
    }

    #[test]
    fn a_stored_file_answer_is_shown_in_the_applicants_units() {
        let pdf = "cv (2024).pdf (PDF, 7.2 MB)";
        let txt = "notes.txt (text, 812 bytes)";
        let one = "a.txt (text, 1 byte)";
        for (lang, want) in [
            (Lang::En, [pdf, txt, one]),
            (
                Lang::Fr,
                [
                    "cv (2024).pdf (PDF, 7,2 Mo)",
                    "notes.txt (texte, 812 octets)",
                    "a.txt (texte, 1 octet)",
                ],
            ),
            (
                Lang::Es,
                [
                    "cv (2024).pdf (PDF, 7,2 MB)",
                    "notes.txt (texto, 812 bytes)",
                    "a.txt (texto, 1 byte)",
                ],
            ),
            (
                Lang::De,
                [
                    "cv (2024).pdf (PDF, 7,2 MB)",
                    "notes.txt (Text, 812 Byte)",
                    "a.txt (Text, 1 Byte)",
                ],
            ),
        ] {
            assert_eq!([pdf, txt, one].map(|v| shown_in(v, lang)), want, "{lang}");
        }
        // Text kept from when the question was of another kind.
        assert_eq!(shown_in("see my website", Lang::Fr), "see my website");
    }
}
