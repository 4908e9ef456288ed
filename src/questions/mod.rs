//! The questions file and the validation of one answer against its question.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

pub mod condition;
pub mod diff;
mod invalid;
mod localized;
mod number;
pub mod rules;
mod validate;
mod yesno;

use crate::lang::{Lang, Languages};
pub use condition::{Condition, When};
pub use invalid::{Invalid, Wrong};
pub use localized::{Localized, Translations};
pub use number::ascii_digits;
pub use rules::{Broken, Rule};
pub use validate::Taken;

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
    /// A file attached to a reply (see [`crate::files`]).
    File,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
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
    /// `prompt`, `choices` and `help` in each configured language other
    /// than the default (the fields above hold the default's); read with
    /// [`Question::prompt_in`] and its kin. Written in the questions file
    /// as `prompt.fr = "…"`, never as this key.
    #[serde(default, skip_serializing_if = "Translations::is_empty")]
    pub translations: Translations,
    /// `kind = "file"`: the types taken, by content (default all four).
    #[serde(default)]
    pub types: Vec<crate::files::FileType>,
    /// `kind = "file"`: the largest file taken, with its unit (`"5MB"`,
    /// `"512KiB"`; see [`crate::files::size`]); default 5 MB.
    #[serde(default)]
    pub max_size: Option<String>,
    /// Fewest characters (grapheme clusters) of a text or paragraph answer.
    #[serde(default)]
    pub min_length: Option<usize>,
    /// Most characters (grapheme clusters) of a text or paragraph answer.
    #[serde(default)]
    pub max_length: Option<usize>,
    /// A regular expression (Rust `regex` syntax) the whole answer must
    /// match (text, paragraph, email, url).
    #[serde(default)]
    pub pattern: Option<String>,
    /// Smallest number taken (kind = "number"; each end of a range).
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest number taken (kind = "number"; each end of a range).
    #[serde(default)]
    pub max: Option<f64>,
    /// Fewest choices (kind = "choices").
    #[serde(default)]
    pub min_choices: Option<usize>,
    /// Most choices (kind = "choices").
    #[serde(default)]
    pub max_choices: Option<usize>,
    /// The question applies only when earlier answers have these values
    /// (see [`condition`]).
    #[serde(default)]
    pub when: Option<When>,
    /// The rule keys above, read at load ([`rules::read`]).
    #[serde(skip)]
    rules: Vec<Rule>,
    /// `when`, resolved at load ([`condition::resolve`]).
    #[serde(skip)]
    condition: Option<Condition>,
}

impl Question {
    /// The types a file question takes: `types`, or all four.
    pub fn file_types(&self) -> Vec<crate::files::FileType> {
        if self.types.is_empty() {
            crate::files::FileType::ALL.to_vec()
        } else {
            self.types.clone()
        }
    }

    /// The largest file a file question takes, in bytes: `max_size`
    /// (checked when the file is loaded), or 5 MB.
    pub fn max_file_bytes(&self) -> u64 {
        self.max_size
            .as_deref()
            .and_then(|s| crate::files::size::parse(s).ok())
            .unwrap_or(crate::files::DEFAULT_MAX_BYTES)
    }

    /// The validation rules, in the order they are checked.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The condition under which the question applies; `None`: always.
    pub fn condition(&self) -> Option<&Condition> {
        self.condition.as_ref()
    }

    /// Whether the mail shows numbers before the choices rather than
    /// letters: past 26 choices the letters run out.
    pub fn numbers_choices(&self) -> bool {
        self.choices.len() > 26
    }
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
    /// The file's text as parsed: what a stored version keeps, and what
    /// [`QuestionSet::digest`] is taken of.
    source: String,
    /// The languages the file was checked for; the first is the one of
    /// the plain `prompt`, `choices` and `help`.
    languages: Languages,
}

impl QuestionSet {
    /// The file, in English alone.
    pub fn load(file: &Path) -> Result<Self, QuestionsError> {
        Self::load_for(file, &Languages::default())
    }

    /// The file, checked to hold every text in each of `languages`.
    pub fn load_for(file: &Path, languages: &Languages) -> Result<Self, QuestionsError> {
        let text = std::fs::read_to_string(file).map_err(|reason| QuestionsError::Read {
            file: file.to_path_buf(),
            reason,
        })?;
        Self::parse_for(&text, file, languages)
    }

    /// `text` as the file `file`, in English alone.
    pub fn parse(text: &str, file: &Path) -> Result<Self, QuestionsError> {
        Self::parse_for(text, file, &Languages::default())
    }

    /// `text` as the file `file`, checked to hold every text in each of
    /// `languages` (see [`localized`]).
    pub fn parse_for(
        text: &str,
        file: &Path,
        languages: &Languages,
    ) -> Result<Self, QuestionsError> {
        let parse_error = |e: toml::de::Error| QuestionsError::Parse {
            file: file.to_path_buf(),
            message: crate::config::describe_toml_error(&e, text),
        };
        let mut table: toml::Table = toml::from_str(text).map_err(parse_error)?;
        let raw: RawQuestions = if localized::has_tables(&table) {
            localized::flatten(&mut table, languages, file)?;
            // The rewritten file has no text to point into.
            RawQuestions::deserialize(toml::Value::Table(table)).map_err(|e| {
                QuestionsError::Parse {
                    file: file.to_path_buf(),
                    message: e.message().trim().replace('\n', "; "),
                }
            })?
        } else {
            toml::from_str(text).map_err(parse_error)?
        };
        if raw.question.is_empty() {
            return Err(QuestionsError::Invalid {
                file: file.to_path_buf(),
                key: "question".into(),
                message: "no questions: add at least one [[question]]".into(),
            });
        }
        let mut questions = raw.question;
        let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for i in 0..questions.len() {
            // The question by its id and its number as applicants see it,
            // so that the person editing the file finds it either way.
            let invalid = |key: &str, message: String| QuestionsError::Invalid {
                file: file.to_path_buf(),
                key: format!("question[{i}].{key}"),
                message: format!("question {} (id `{}`): {message}", i + 1, questions[i].id),
            };
            let q = &questions[i];
            let id_ok = !q.id.is_empty()
                && q.id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !id_ok {
                return Err(invalid(
                    "id",
                    "must be letters, digits, `_` or `-`".to_string(),
                ));
            }
            if let Some(first) = seen.insert(q.id.clone(), i + 1) {
                return Err(invalid(
                    "id",
                    format!("is used twice: question {first} has it too"),
                ));
            }
            if q.prompt.trim().is_empty() {
                return Err(invalid("prompt", "must not be empty".into()));
            }
            let wants_choices = matches!(q.kind, Kind::Choice | Kind::Choices);
            if wants_choices && q.choices.is_empty() {
                return Err(invalid(
                    "choices",
                    "a choice question needs a list of choices".into(),
                ));
            }
            if !wants_choices && !q.choices.is_empty() {
                return Err(invalid(
                    "choices",
                    format!(
                        "only kind = \"choice\" or \"choices\" takes choices; this one is kind = \"{}\"",
                        rules::kind_name(q.kind)
                    ),
                ));
            }
            let is_file = q.kind == Kind::File;
            if !is_file && !q.types.is_empty() {
                return Err(invalid("types", "only kind = \"file\" takes types".into()));
            }
            if let Some(size) = &q.max_size {
                if !is_file {
                    return Err(invalid(
                        "max_size",
                        "only kind = \"file\" takes max_size".into(),
                    ));
                }
                crate::files::size::parse(size).map_err(|m| invalid("max_size", m))?;
            }
            let mut folded: Vec<(String, &str)> = Vec::new();
            for c in &q.choices {
                let f = fold(c);
                if f.is_empty() {
                    return Err(invalid("choices", "a choice must not be empty".into()));
                }
                if let Some((_, first)) = folded.iter().find(|(g, _)| *g == f) {
                    return Err(invalid(
                        "choices",
                        format!(
                            "`{first}` and `{c}` are the same choice (case and accents are ignored)"
                        ),
                    ));
                }
                folded.push((f, c));
            }
            localized::check(i, q, languages, file)?;
            let read = rules::read(q).map_err(|p| invalid(p.key, p.message))?;
            let condition = match &q.when {
                Some(when) => Some(
                    condition::resolve(when, i, &questions, languages)
                        .map_err(|p| invalid(&p.key, p.message))?,
                ),
                None => None,
            };
            questions[i].rules = read;
            questions[i].condition = condition;
        }
        Ok(Self {
            questions,
            source: text.to_string(),
            languages: languages.clone(),
        })
    }

    /// A stored questions version's `text` (see [`crate::store`]'s
    /// `question_versions`), as `file`: checked for `languages`, or else
    /// for the default language alone, since a version mailed before a
    /// language was added holds no text in it (and was mailed in no
    /// other). The error is the one for `languages`.
    pub fn parse_stored(
        text: &str,
        file: &Path,
        languages: &Languages,
    ) -> Result<Self, QuestionsError> {
        Self::parse_for(text, file, languages).or_else(|e| {
            Languages::from_codes(&[languages.default_lang().code()])
                .ok()
                .and_then(|default| Self::parse_for(text, file, &default).ok())
                .ok_or(e)
        })
    }

    /// Whether `text` (a questions file) writes a text per language
    /// (`prompt.fr = "…"`): such a file is read with the configured
    /// languages. `false` for a file that is not TOML.
    pub fn holds_translations(text: &str) -> bool {
        toml::from_str::<toml::Table>(text).is_ok_and(|t| localized::has_tables(&t))
    }

    /// The languages the questions are written in; the first is the default.
    pub fn languages(&self) -> &Languages {
        &self.languages
    }

    /// The text this set was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// SHA-256 of [`QuestionSet::source`], lower-case hex: one stored
    /// questions version per distinct file content.
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        format!("{:x}", Sha256::digest(self.source.as_bytes()))
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

    /// The line that marks a conditional question in our mails in
    /// `lang`'s words, e.g. "Answer only if you answered Europe or Africa
    /// to 2." (the values as that language lists them); `None` for a
    /// question that always applies.
    pub fn condition_words(&self, q: &Question, lang: Lang) -> Option<String> {
        let c = q.condition()?;
        let words = lang.words();
        let terms: Vec<String> = c
            .terms
            .iter()
            .map(|t| {
                let asked = self.by_id(&t.question);
                let number = self
                    .number_of(&t.question)
                    .map_or_else(|| t.question.clone(), |n| n.to_string());
                let values: Vec<String> = t
                    .values
                    .iter()
                    .map(|v| asked.map_or_else(|| v.clone(), |a| a.shown_in(v, lang)))
                    .collect();
                words
                    .when_term
                    .replace("{values}", &or_list(&values, words.or))
                    .replace("{number}", &number)
            })
            .collect();
        Some(
            words
                .when
                .replace("{terms}", &terms.join(&format!(" {} ", words.and))),
        )
    }

    /// 1-based number of question `id`.
    pub fn number_of(&self, id: &str) -> Option<usize> {
        self.questions
            .iter()
            .position(|q| q.id == id)
            .map(|i| i + 1)
    }
}

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

/// Letter shown before choice `i` in the question mail (a, b, c, ...),
/// for a question with at most 26 choices.
pub fn choice_letter(i: usize) -> char {
    (b'a' + (i % 26) as u8) as char
}

/// What the question mail shows before choice `i` (0-based) of `q`:
/// `c)` while letters last, `[30]` past 26 choices (brackets, so that a
/// copied line is never read as a numbered answer `30) …`).
pub fn choice_mark(q: &Question, i: usize) -> String {
    if q.numbers_choices() {
        format!("[{}]", i + 1)
    } else {
        format!("{})", choice_letter(i))
    }
}

/// "a", "a or b", "a, b or c".
fn or_list(values: &[String], or: &str) -> String {
    match values {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {or} {last}", init.join(", ")),
    }
}

/// A value quoted back to the applicant, kept short.
pub(crate) fn short(s: &str) -> String {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        let cut: String = one_line.chars().take(57).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests;
