//! A question's texts in the configured languages. In the questions file
//! `prompt`, `choices` and `help` are each either a plain value (the
//! default language's) or a table of language code to value (TOML dotted
//! keys: `prompt.fr = "…"`). Loading moves the default language's value
//! into the plain field and the others into [`Question::translations`],
//! then checks that every configured language is there.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{Kind, Question, QuestionsError, fold};
use crate::lang::{Lang, Languages};

/// The texts of one question in a language other than the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// In the same order as the default language's: choice `i` here is
    /// choice `i` there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
}

/// The keys that may be written per language.
const LOCALIZED_KEYS: [&str; 3] = ["prompt", "choices", "help"];

/// Whether any question writes a key per language: then the file is
/// rewritten before it is read (and errors carry no line number).
pub(super) fn has_tables(table: &toml::Table) -> bool {
    questions(table).is_some_and(|qs| {
        qs.iter().any(|q| {
            q.as_table().is_some_and(|t| {
                LOCALIZED_KEYS
                    .iter()
                    .any(|k| t.get(*k).is_some_and(toml::Value::is_table))
                    || t.contains_key("translations")
            })
        })
    })
}

fn questions(table: &toml::Table) -> Option<&Vec<toml::Value>> {
    table.get("question").and_then(toml::Value::as_array)
}

/// Moves each per-language table's default entry into the plain key and
/// the rest into `translations`; an error names the key of a language
/// that is not configured, or a table without the default language.
pub(super) fn flatten(
    table: &mut toml::Table,
    languages: &Languages,
    file: &Path,
) -> Result<(), QuestionsError> {
    let default = languages.default_lang();
    let Some(qs) = table
        .get_mut("question")
        .and_then(toml::Value::as_array_mut)
    else {
        return Ok(());
    };
    for (i, q) in qs.iter_mut().enumerate() {
        let Some(q) = q.as_table_mut() else { continue };
        // Named as every error on a question names it (before its id is
        // checked, so as written).
        let id = q
            .get("id")
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_string();
        let invalid = |key: String, message: String| QuestionsError::Invalid {
            file: file.to_path_buf(),
            key: format!("question[{i}].{key}"),
            message: format!("question {} (id `{id}`): {message}", i + 1),
        };
        if q.contains_key("translations") {
            return Err(invalid(
                "translations".into(),
                "unknown key: write `prompt.fr = \"…\"` (and `choices.fr`, `help.fr`) instead"
                    .into(),
            ));
        }
        let mut translations = toml::Table::new();
        for key in LOCALIZED_KEYS {
            let Some(toml::Value::Table(per_lang)) = q.get(key).cloned() else {
                continue;
            };
            let mut own = None;
            for (code, value) in per_lang {
                let lang = Lang::from_code(&code).filter(|l| languages.contains(*l));
                let Some(lang) = lang else {
                    return Err(invalid(
                        format!("{key}.{code}"),
                        format!(
                            "`{code}` is not one of intake.languages ({})",
                            languages
                                .iter()
                                .map(|l| format!("`{l}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                };
                if lang == default {
                    own = Some(value);
                } else {
                    translations
                        .entry(code)
                        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                        .as_table_mut()
                        .map(|t| t.insert(key.to_string(), value));
                }
            }
            match own {
                Some(v) => {
                    q.insert(key.to_string(), v);
                }
                None => {
                    return Err(invalid(
                        format!("{key}.{default}"),
                        format!(
                            "missing: `{default}` is the default language (the first of intake.languages)"
                        ),
                    ));
                }
            }
        }
        if !translations.is_empty() {
            q.insert("translations".into(), toml::Value::Table(translations));
        }
    }
    Ok(())
}

/// Refuses question `i` when a configured language lacks a text the
/// default language has, or has a choices list of another length; the
/// error names the file, the question's id and number and the key.
pub(super) fn check(
    i: usize,
    q: &Question,
    languages: &Languages,
    file: &Path,
) -> Result<(), QuestionsError> {
    let invalid = |key: String, message: String| QuestionsError::Invalid {
        file: file.to_path_buf(),
        key: format!("question[{i}].{key}"),
        message: format!("question {} (id `{}`): {message}", i + 1, q.id),
    };
    let wants_choices = matches!(q.kind, Kind::Choice | Kind::Choices);
    for lang in languages.others() {
        let t = q.translations.get(&lang);
        if t.and_then(|t| t.prompt.as_deref())
            .is_none_or(|p| p.trim().is_empty())
        {
            return Err(invalid(
                format!("prompt.{lang}"),
                format!("missing: intake.languages names `{lang}`"),
            ));
        }
        match (q.help.is_some(), t.and_then(|t| t.help.as_ref()).is_some()) {
            (true, false) => {
                return Err(invalid(
                    format!("help.{lang}"),
                    format!("missing: intake.languages names `{lang}` and the question has help"),
                ));
            }
            (false, true) => {
                return Err(invalid(
                    format!("help.{}", languages.default_lang()),
                    format!("missing: the question has help in `{lang}` only"),
                ));
            }
            _ => {}
        }
        let choices = t.and_then(|t| t.choices.as_ref());
        match choices {
            None if wants_choices => {
                return Err(invalid(
                    format!("choices.{lang}"),
                    format!("missing: intake.languages names `{lang}`"),
                ));
            }
            Some(_) if !wants_choices => {
                return Err(invalid(
                    format!("choices.{lang}"),
                    "only kind = \"choice\" or \"choices\" takes choices".into(),
                ));
            }
            Some(c) if c.len() != q.choices.len() => {
                return Err(invalid(
                    format!("choices.{lang}"),
                    format!(
                        "{} choices, where `{}` has {}: each choice is the same one in every language, in the same order",
                        c.len(),
                        languages.default_lang(),
                        q.choices.len()
                    ),
                ));
            }
            _ => {}
        }
    }
    if wants_choices {
        check_spellings(q, languages).map_err(|(key, message)| invalid(key, message))?;
    }
    Ok(())
}

/// Refuses a translated list (`choices.fr`) with an empty entry, two
/// entries the same ignoring case and accents (as the default list is
/// checked), or an entry spelt like another choice in another language:
/// answers are matched in every language at once, so "Europe" must mean
/// one choice whichever list it comes from. The error is the key and why.
fn check_spellings(q: &Question, languages: &Languages) -> Result<(), (String, String)> {
    let default = languages.default_lang();
    // (language, 0-based index, as written, folded), default list first.
    let mut seen: Vec<(Lang, usize, &str, String)> = q
        .choices
        .iter()
        .enumerate()
        .map(|(i, c)| (default, i, c.as_str(), fold(c)))
        .collect();
    for lang in languages.others() {
        let Some(list) = q.translations.get(&lang).and_then(|t| t.choices.as_ref()) else {
            continue;
        };
        let key = format!("choices.{lang}");
        for (i, c) in list.iter().enumerate() {
            let f = fold(c);
            if f.is_empty() {
                return Err((key, format!("choice {} is empty", i + 1)));
            }
            if let Some((_, _, first, _)) = seen.iter().find(|(l, _, _, g)| *l == lang && *g == f) {
                return Err((
                    key,
                    format!(
                        "`{first}` and `{c}` are the same choice (case and accents are ignored)"
                    ),
                ));
            }
            if let Some((other, j, first, _)) = seen.iter().find(|(_, j, _, g)| *j != i && *g == f)
            {
                return Err((
                    key,
                    format!(
                        "`{c}` is choice {} here but `{first}` is choice {} in `{other}`: an answer `{c}` could not tell them apart (case and accents are ignored)",
                        i + 1,
                        j + 1
                    ),
                ));
            }
            seen.push((lang, i, c, f));
        }
    }
    Ok(())
}

impl Question {
    /// The prompt in `lang`: its translation, else the default language's.
    pub fn prompt_in(&self, lang: Lang) -> &str {
        self.translations
            .get(&lang)
            .and_then(|t| t.prompt.as_deref())
            .unwrap_or(&self.prompt)
    }

    /// The choices in `lang`, in the default language's order.
    pub fn choices_in(&self, lang: Lang) -> &[String] {
        self.translations
            .get(&lang)
            .and_then(|t| t.choices.as_deref())
            .unwrap_or(&self.choices)
    }

    /// A stored (canonical) answer as shown to an applicant written to in
    /// `lang`: a choice, or a `choices` list (joined by `, `), in that
    /// language's words, and `yes` / `no` in its words; anything else, or
    /// a value that is not wholly made of this question's choices (an
    /// answer stored before a choice was renamed), as stored.
    pub fn shown_in(&self, value: &str, lang: Lang) -> String {
        let localized = self.choices_in(lang);
        let one = |v: &str| {
            self.choices
                .iter()
                .position(|c| c == v)
                .and_then(|i| localized.get(i))
                .cloned()
        };
        match self.kind {
            Kind::Choice | Kind::Choices => {
                if let Some(c) = one(value) {
                    return c;
                }
                if self.kind == Kind::Choices {
                    let parts: Option<Vec<String>> = value.split(", ").map(one).collect();
                    if let Some(parts) = parts {
                        return parts.join(", ");
                    }
                }
                value.to_string()
            }
            Kind::Yesno => match value {
                "yes" => lang.words().yes.to_string(),
                "no" => lang.words().no.to_string(),
                _ => value.to_string(),
            },
            // "cv.pdf (PDF, 7,2 Mo)": the type and size in her words.
            Kind::File => crate::files::shown_in(value, lang),
            _ => value.to_string(),
        }
    }

    /// The help line(s) in `lang`, if the question has help.
    pub fn help_in(&self, lang: Lang) -> Option<&str> {
        self.translations
            .get(&lang)
            .and_then(|t| t.help.as_deref())
            .or(self.help.as_deref())
    }

    /// Every prompt: the default language's, then each translation's.
    pub fn prompts(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.prompt.as_str()).chain(
            self.translations
                .values()
                .filter_map(|t| t.prompt.as_deref()),
        )
    }

    /// Every list of choices: the default language's, then each
    /// translation's; choice `i` of each is the same choice.
    pub fn choice_lists(&self) -> impl Iterator<Item = &[String]> {
        std::iter::once(self.choices.as_slice()).chain(
            self.translations
                .values()
                .filter_map(|t| t.choices.as_deref()),
        )
    }
}

/// Translations as stored on a question: by language.
pub type Translations = BTreeMap<Lang, Localized>;
