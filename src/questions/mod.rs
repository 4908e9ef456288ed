//! The questions file and the validation of one answer against its question.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

mod number;
mod validate;
mod yesno;

pub use number::ascii_digits;

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
    /// `kind = "file"`: the types taken, by content (default all four).
    #[serde(default)]
    pub types: Vec<crate::files::FileType>,
    /// `kind = "file"`: the largest file taken, with its unit (`"5MB"`,
    /// `"512KiB"`; see [`crate::files::size`]); default 5 MB.
    #[serde(default)]
    pub max_size: Option<String>,
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
            let file = q.kind == Kind::File;
            if !file && !q.types.is_empty() {
                return Err(invalid(
                    i,
                    "types",
                    "only kind = \"file\" takes types".into(),
                ));
            }
            if let Some(size) = &q.max_size {
                if !file {
                    return Err(invalid(
                        i,
                        "max_size",
                        "only kind = \"file\" takes max_size".into(),
                    ));
                }
                crate::files::size::parse(size).map_err(|m| invalid(i, "max_size", m))?;
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
