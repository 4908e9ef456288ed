//! The questions file and the validation of one answer against its question.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

#[derive(Debug, thiserror::Error)]
pub enum QuestionsError {
    #[error("{file}: cannot read: {reason}")]
    Read {
        file: PathBuf,
        // In the message, so not a `source`: a printed chain would repeat it.
        reason: std::io::Error,
    },
    #[error("{file}: {message}")]
    Parse { file: PathBuf, message: String },
    #[error("{file}: key `{key}`: {message}")]
    Invalid {
        file: PathBuf,
        key: String,
        message: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    #[default]
    Text,
    Paragraph,
    Choice,
    Choices,
    Email,
    Url,
    Yesno,
    Number,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub id: String,
    pub prompt: String,
    #[serde(default)]
    pub kind: Kind,
    #[serde(default)]
    pub choices: Vec<String>,
    #[serde(default)]
    pub required: bool,
    /// Optional extra guidance shown under the prompt.
    #[serde(default)]
    pub help: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestions {
    #[serde(default)]
    question: Vec<Question>,
}

#[derive(Debug, Clone)]
pub struct QuestionSet {
    questions: Vec<Question>,
}

impl QuestionSet {
    pub fn load(file: &Path) -> Result<Self, QuestionsError> {
        let text = std::fs::read_to_string(file).map_err(|reason| QuestionsError::Read {
            file: file.to_path_buf(),
            reason,
        })?;
        Self::parse(&text, file)
    }

    pub fn parse(text: &str, file: &Path) -> Result<Self, QuestionsError> {
        let raw: RawQuestions = toml::from_str(text).map_err(|e| QuestionsError::Parse {
            file: file.to_path_buf(),
            message: crate::config::describe_toml_error(&e, text),
        })?;
        let invalid = |i: usize, key: &str, message: String| QuestionsError::Invalid {
            file: file.to_path_buf(),
            key: format!("question[{i}].{key}"),
            message,
        };
        if raw.question.is_empty() {
            return Err(QuestionsError::Invalid {
                file: file.to_path_buf(),
                key: "question".into(),
                message: "no questions: add at least one [[question]]".into(),
            });
        }
        let mut seen = std::collections::HashSet::new();
        for (i, q) in raw.question.iter().enumerate() {
            let id_ok = !q.id.is_empty()
                && q.id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !id_ok {
                return Err(invalid(
                    i,
                    "id",
                    format!("`{}` must be letters, digits, `_` or `-`", q.id),
                ));
            }
            if !seen.insert(q.id.clone()) {
                return Err(invalid(i, "id", format!("`{}` is used twice", q.id)));
            }
            if q.prompt.trim().is_empty() {
                return Err(invalid(i, "prompt", "must not be empty".into()));
            }
            let wants_choices = matches!(q.kind, Kind::Choice | Kind::Choices);
            if wants_choices && q.choices.is_empty() {
                return Err(invalid(
                    i,
                    "choices",
                    "a choice question needs a list of choices".into(),
                ));
            }
            if !wants_choices && !q.choices.is_empty() {
                return Err(invalid(
                    i,
                    "choices",
                    "only kind = \"choice\" or \"choices\" takes choices".into(),
                ));
            }
            if q.choices.len() > 26 {
                return Err(invalid(i, "choices", "at most 26 choices".into()));
            }
        }
        Ok(Self {
            questions: raw.question,
        })
    }

    pub fn len(&self) -> usize {
        self.questions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.questions.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Question> {
        self.questions.iter()
    }

    /// The question with 1-based number `n`.
    pub fn by_number(&self, n: usize) -> Option<&Question> {
        n.checked_sub(1).and_then(|i| self.questions.get(i))
    }

    pub fn by_id(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// 1-based number of question `id`.
    pub fn number_of(&self, id: &str) -> Option<usize> {
        self.questions
            .iter()
            .position(|q| q.id == id)
            .map(|i| i + 1)
    }
}

/// Why an answer was not accepted, in words for the applicant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub String);

/// Lower-case, accents removed, whitespace collapsed: the form in which
/// people's spellings of a choice are compared.
pub fn fold(s: &str) -> String {
    let stripped: String = s
        .nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    stripped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Letter shown before choice `i` in the question mail (a, b, c, ...).
pub fn choice_letter(i: usize) -> char {
    (b'a' + (i as u8 % 26)) as char
}

impl Question {
    /// Checks `raw` and returns the value to store (canonical choices).
    pub fn validate(&self, raw: &str) -> Result<String, Invalid> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Invalid("the answer is empty".into()));
        }
        let limit = self.max_chars();
        let chars = value.chars().count();
        if chars > limit {
            return Err(Invalid(format!(
                "the answer is too long ({chars} characters; at most {limit})"
            )));
        }
        match self.kind {
            Kind::Text => Ok(value.split_whitespace().collect::<Vec<_>>().join(" ")),
            Kind::Paragraph => Ok(value.to_string()),
            Kind::Choice => self.match_choice(value).map(str::to_string),
            Kind::Choices => {
                let mut out: Vec<&str> = Vec::new();
                for part in split_list(value) {
                    let c = self.match_choice(part)?;
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
                if out.is_empty() {
                    return Err(Invalid("no choice given".into()));
                }
                Ok(out.join(", "))
            }
            Kind::Email => {
                // Also "a@b.org <mailto:a@b.org>", as Outlook shows a link.
                let candidates = std::iter::once(value).chain(value.split_whitespace());
                candidates
                    .map(|c| {
                        c.trim_matches(|c| c == '<' || c == '>')
                            .trim_start_matches("mailto:")
                    })
                    .find_map(|c| {
                        c.parse::<lettre::Address>()
                            .ok()
                            .filter(|a| a.domain().contains('.'))
                    })
                    .map(|a| a.to_string())
                    .ok_or_else(|| Invalid(format!("`{}` is not an email address", short(value))))
            }
            Kind::Url => {
                let candidate = value.trim_matches(|c| c == '<' || c == '>');
                let parsed = url::Url::parse(candidate)
                    .or_else(|_| url::Url::parse(&format!("https://{candidate}")));
                match parsed {
                    // A domain name: "6" would parse as the address 0.0.0.6.
                    Ok(u)
                        if matches!(u.scheme(), "http" | "https")
                            && u.host_str().is_some_and(|h| {
                                // "s.o." (French "not applicable") has no
                                // top-level domain of two letters or more.
                                let tld = h.trim_end_matches('.').rsplit('.').next().unwrap_or("");
                                h.contains('.')
                                    && tld.chars().count() >= 2
                                    && h.chars().any(char::is_alphabetic)
                            })
                            && !candidate.contains(char::is_whitespace) =>
                    {
                        Ok(u.to_string())
                    }
                    _ => Err(Invalid(format!("`{}` is not a web address", short(value)))),
                }
            }
            Kind::Yesno => match yes_no(value) {
                Some(true) => Ok("yes".into()),
                Some(false) => Ok("no".into()),
                None => Err(Invalid(format!("`{}` is not yes or no", short(value)))),
            },
            Kind::Number => {
                number(value).ok_or_else(|| Invalid(format!("`{}` is not a number", short(value))))
            }
        }
    }

    /// Longest answer taken: several pages for a paragraph, a few lines
    /// for anything else. Bounds what is stored and mailed back.
    pub fn max_chars(&self) -> usize {
        match self.kind {
            Kind::Paragraph => 20_000,
            _ => 2_000,
        }
    }

    /// Matches one spelling against the choices: exact (folded), the letter
    /// or number shown in the mail, or a unique prefix.
    fn match_choice(&self, raw: &str) -> Result<&str, Invalid> {
        let f = fold(raw.trim().trim_end_matches(['.', ')']));
        let f = f.trim();
        if let Some(c) = self.choices.iter().find(|c| fold(c) == f) {
            return Ok(c);
        }
        if f.chars().count() == 1
            && let Some(ch) = f.chars().next()
            && ch.is_ascii_lowercase()
        {
            let idx = (ch as u8 - b'a') as usize;
            if let Some(c) = self.choices.get(idx) {
                return Ok(c);
            }
        }
        if let Ok(n) = f.parse::<usize>()
            && let Some(c) = n.checked_sub(1).and_then(|i| self.choices.get(i))
        {
            return Ok(c);
        }
        // "c) Europe" or "c. Europe": the letter shown plus the text.
        if let Some((head, rest)) = f.split_once([')', '.', ' '])
            && head.len() == 1
            && let Some(c) = self.choices.iter().find(|c| fold(c) == rest.trim())
        {
            return Ok(c);
        }
        let matches: Vec<&String> = self
            .choices
            .iter()
            .filter(|c| !f.is_empty() && fold(c).starts_with(f))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(Invalid(format!(
                "`{}` is not one of the choices",
                short(raw.trim())
            ))),
            _ => Err(Invalid(format!(
                "`{}` matches more than one choice",
                short(raw.trim())
            ))),
        }
    }
}

/// Splits a several-choices answer on commas, semicolons, new lines and "and".
fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value
        .split([',', ';', '\n', '/', '+', '&', '、', '，', '،'])
        .flat_map(|p| p.split(" and "))
        .map(|p| p.trim().trim_start_matches(['-', '*', '•']).trim())
        .filter(|p| !p.is_empty())
}

/// Digits of any script as ASCII digits ("٦" and "６" are 6), other
/// characters unchanged.
pub fn ascii_digits(s: &str) -> String {
    // The zero of each run of ten decimal digits in Unicode that people
    // type numbers in (Arabic-Indic, Persian, Devanagari, Bengali, Thai,
    // full-width, ...).
    const ZEROS: &[u32] = &[
        0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
        0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0xFF10,
    ];
    s.chars()
        .map(|c| {
            let cp = c as u32;
            ZEROS
                .iter()
                .find(|z| (**z..**z + 10).contains(&cp))
                .and_then(|z| char::from_digit(cp - z, 10))
                .unwrap_or(c)
        })
        .collect()
}

/// A number as people write it: "6", "6,5", "about 6", "6 hours", "5+",
/// "6-8", digits of any script. The number (or range) as stored, or `None`.
fn number(value: &str) -> Option<String> {
    static SHAPE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?ix)^(?:about|around|approx\.?|approximately|roughly|ca\.?|circa|~|up\s+to|max\.?|maximum|at\s+least|min\.?|etwa|ungefähr|environ|unos|unas|cerca\s+de|aprox\.?|около|примерно|约|大约)?\s*
               (\d+(?:[.,]\d+)?(?:\s*[-–]\s*\d+(?:[.,]\d+)?)?)\s*\+?\s*
               (?:hours?|hrs?\.?|h|std\.?|stunden|horas?|heures?|ore|uur|godzin[ay]?|часов|часа|час|時間|小时|小時|시간|a\s+month|per\s+month|/\s*month|im\s+monat|al\s+mes|par\s+mois|al\s+mese|per\s+maand|\s)*$",
        )
        .expect("valid regex")
    });
    let v = ascii_digits(value.trim()).replace('\u{a0}', " ");
    let caps = SHAPE.captures(v.trim())?;
    let n = caps.get(1)?.as_str().replace(' ', "").replace(',', ".");
    let parts_ok = n
        .split(['-', '–'])
        .all(|p| p.parse::<f64>().is_ok_and(f64::is_finite));
    parts_ok.then_some(n)
}

/// Yes or no in the languages applicants write, compared folded (case
/// and accents ignored, so "Sí", "Có", "Ναι" match), also followed by a
/// few words ("Yes, easily", "No, sorry").
fn yes_no(value: &str) -> Option<bool> {
    if let Some(b) = yes_no_word(value) {
        return Some(b);
    }
    let head = value
        .split([',', ';', '!', '.', '—', '–'])
        .next()
        .unwrap_or("");
    let rest_words = value[head.len()..].split_whitespace().count();
    let first = head.split_whitespace().next().unwrap_or("");
    if rest_words > 5 || head.split_whitespace().count() > 3 {
        return None;
    }
    yes_no_word(head).or_else(|| (head.trim() != first).then(|| yes_no_word(first)).flatten())
}

fn yes_no_word(value: &str) -> Option<bool> {
    let f = fold(value.trim().trim_end_matches(['.', '!', '。', '！']));
    const YES: &[&str] = &[
        "yes",
        "y",
        "true",
        "yes please",
        "sure",
        "of course",
        "ok",
        "okay",
        "ja",
        "jo",
        "oui",
        "si",
        "sim",
        "claro",
        "da",
        "tak",
        "ano",
        "evet",
        "igen",
        "kylla",
        "ya",
        "iya",
        "ναι",
        "co",
        "نعم",
        "بله",
        "آره",
        "כן",
        "हाँ",
        "हां",
        "ใช่",
        "так",
        "да",
        "taip",
        "jā",
        "jah",
        "はい",
        "是",
        "是的",
        "对",
        "對",
        "네",
        "예",
        "oo",
        "ndiyo",
        "yep",
        "yeah",
        "yup",
        "absolutely",
        "certainly",
        "definitely",
        "indeed",
        "haan",
        "დიახ",
        "ஆம்",
        "جی ہاں",
        "ہاں",
        "иә",
        "可以",
        "能",
        "好",
        "好的",
        "ได้",
        "ค่ะ",
        "ครับ",
        "হ্যাঁ",
        "ਹਾਂ",
        "అవును",
        "ಹೌದು",
        "បាទ",
        "ចាស",
        "ဟုတ်ကဲ့",
        "ແມ່ນ",
        "bẹẹni",
        "yebo",
        "bai",
        "áno",
        "այո",
        "አዎ",
        "ได้ครับ",
        "ได้ค่ะ",
        "ใช่ครับ",
        "ใช่ค่ะ",
    ];
    const NO: &[&str] = &[
        "no",
        "n",
        "false",
        "nein",
        "non",
        "nao",
        "nee",
        "nie",
        "ne",
        "nu",
        "nei",
        "nej",
        "hayir",
        "nem",
        "ei",
        "tidak",
        "όχι",
        "khong",
        "لا",
        "نه",
        "خیر",
        "לא",
        "नहीं",
        "ไม่",
        "ні",
        "не",
        "нет",
        "いいえ",
        "否",
        "不",
        "不是",
        "아니요",
        "아니오",
        "hindi",
        "hapana",
        "nope",
        "nah",
        "არა",
        "இல்லை",
        "نہیں",
        "жоқ",
        "不可以",
        "不能",
        "ไม่ได้",
        "না",
        "ਨਹੀਂ",
        "కాదు",
        "ಇಲ್ಲ",
        "ទេ",
        "မဟုတ်ဘူး",
        "ບໍ່",
        "rara",
        "ez",
        "ոչ",
        "አይ",
        "ไม่ครับ",
        "ไม่ค่ะ",
    ];
    let is = |list: &[&str]| list.iter().any(|w| fold(w) == f);
    if is(YES) {
        Some(true)
    } else if is(NO) {
        Some(false)
    } else {
        None
    }
}

/// A value quoted back to the applicant, kept short.
fn short(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn answers_as_people_write_them() {
        let yn = q(Kind::Yesno, &[]);
        for v in ["Yes, easily", "Ναι", "Có", "نعم", "हाँ", "Այո", "ได้ครับ"]
        {
            assert_eq!(yn.validate(v).as_deref(), Ok("yes"), "{v}");
        }
        let n = q(Kind::Number, &[]);
        for (v, want) in [
            ("about 6", "6"),
            ("6 hours", "6"),
            ("6,5", "6.5"),
            ("٦", "6"),
            ("6-8", "6-8"),
        ] {
            assert_eq!(n.validate(v).as_deref(), Ok(want), "{v}");
        }
        let url = q(Kind::Url, &[]);
        for v in ["6", "s.o.", "n/a"] {
            assert!(url.validate(v).is_err(), "{v}");
        }
        assert!(url.validate("example.org/ada").is_ok());
    }

    use super::*;

    fn q(kind: Kind, choices: &[&str]) -> Question {
        Question {
            id: "x".into(),
            prompt: "X?".into(),
            kind,
            choices: choices.iter().map(|s| s.to_string()).collect(),
            required: true,
            help: None,
        }
    }

    const REGIONS: &[&str] = &[
        "Africa",
        "Asia",
        "Europe",
        "Latin America",
        "North America",
        "Oceania",
    ];

    #[test]
    fn choice_matches_case_prefix_letter_number() {
        let q = q(Kind::Choice, REGIONS);
        assert_eq!(q.validate("europe").as_deref(), Ok("Europe"));
        assert_eq!(q.validate("  EUROPE. ").as_deref(), Ok("Europe"));
        assert_eq!(q.validate("north am").as_deref(), Ok("North America"));
        assert_eq!(q.validate("c").as_deref(), Ok("Europe"));
        assert_eq!(q.validate("C)").as_deref(), Ok("Europe"));
        assert_eq!(q.validate("3").as_deref(), Ok("Europe"));
        assert_eq!(q.validate("c) Europe").as_deref(), Ok("Europe"));
        assert!(q.validate("A").is_ok_and(|v| v == "Africa"));
        assert!(q.validate("Antarctica").is_err());
        // "A" alone is the letter; "A..." longer prefixes must be unique.
        assert!(q.validate("Am").is_err());
    }

    #[test]
    fn ambiguous_prefix_is_invalid_with_reason() {
        let q = q(Kind::Choice, &["North America", "North Africa"]);
        let e = q.validate("north").expect_err("ambiguous");
        assert!(e.0.contains("more than one"), "{}", e.0);
    }

    #[test]
    fn accents_are_ignored() {
        let q = q(Kind::Choice, &["Amérique latine", "Europe"]);
        assert_eq!(
            q.validate("amerique latine").as_deref(),
            Ok("Amérique latine")
        );
    }

    #[test]
    fn several_choices() {
        let q = q(Kind::Choices, &["English", "French", "Spanish", "German"]);
        assert_eq!(
            q.validate("english, french and spanish").as_deref(),
            Ok("English, French, Spanish")
        );
        assert_eq!(q.validate("a; b").as_deref(), Ok("English, French"));
        assert!(q.validate("english, klingon").is_err());
    }

    #[test]
    fn yes_no_email_url_number() {
        assert_eq!(q(Kind::Yesno, &[]).validate("Y").as_deref(), Ok("yes"));
        assert_eq!(q(Kind::Yesno, &[]).validate("nein").as_deref(), Ok("no"));
        assert!(q(Kind::Yesno, &[]).validate("maybe").is_err());
        assert_eq!(
            q(Kind::Email, &[]).validate("<ada@example.net>").as_deref(),
            Ok("ada@example.net")
        );
        assert!(q(Kind::Email, &[]).validate("ada at example").is_err());
        assert_eq!(
            q(Kind::Email, &[])
                .validate("ada@example.net <mailto:ada@example.net>")
                .as_deref(),
            Ok("ada@example.net")
        );
        assert!(q(Kind::Url, &[]).validate("example.org/me").is_ok());
        assert!(q(Kind::Url, &[]).validate("not a url").is_err());
        assert_eq!(q(Kind::Number, &[]).validate(" 10 ").as_deref(), Ok("10"));
        assert!(q(Kind::Number, &[]).validate("ten").is_err());
    }

    #[test]
    fn overlong_answers_are_refused_with_the_limit() {
        let e = q(Kind::Paragraph, &[])
            .validate(&"word ".repeat(5_000))
            .expect_err("too long");
        assert!(e.0.contains("at most 20000"), "{}", e.0);
        assert!(
            q(Kind::Paragraph, &[])
                .validate(&"word ".repeat(3_000))
                .is_ok()
        );
        assert!(q(Kind::Text, &[]).validate(&"x".repeat(2_001)).is_err());
    }

    #[test]
    fn text_collapses_whitespace_paragraph_keeps_lines() {
        assert_eq!(
            q(Kind::Text, &[]).validate(" Ada \n Lovelace ").as_deref(),
            Ok("Ada Lovelace")
        );
        assert_eq!(
            q(Kind::Paragraph, &[]).validate("one\n\ntwo").as_deref(),
            Ok("one\n\ntwo")
        );
        assert!(q(Kind::Text, &[]).validate("   ").is_err());
    }

    #[test]
    fn questions_file_errors_name_key() {
        let p = Path::new("/x/questions.toml");
        let e = QuestionSet::parse("[[question]]\nid = \"a b\"\nprompt = \"P\"\n", p)
            .expect_err("bad id")
            .to_string();
        assert!(
            e.contains("question[0].id") && e.contains("questions.toml"),
            "{e}"
        );
        let e = QuestionSet::parse(
            "[[question]]\nid = \"a\"\nprompt = \"P\"\nkind = \"choice\"\n",
            p,
        )
        .expect_err("no choices")
        .to_string();
        assert!(e.contains("question[0].choices"), "{e}");
        let e = QuestionSet::parse(
            "[[question]]\nid = \"a\"\nprompt = \"P\"\nkind = \"colour\"\n",
            p,
        )
        .expect_err("bad kind")
        .to_string();
        assert!(e.contains("colour"), "{e}");
    }
}
