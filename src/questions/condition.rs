//! Conditional questions: `when = { region = ["Europe", "Africa"] }` or
//! `when = { member = "yes" }`. A question with a condition applies only
//! when the answer to each named (earlier) question is one of the values
//! given: a choice of a `choice` or `choices` question (for `choices`,
//! any one of the chosen), or yes or no for a `yesno` question; compared
//! folded ([`super::fold`]: case and accents ignored). A value may be
//! written in any configured language (`"Amérique latine"`, `"oui"`): it
//! is resolved at load to the canonical choice, or `yes` / `no`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Kind, Question, fold};
use crate::lang::Languages;

/// The value of one `when` key as written: one value or a list.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn values(&self) -> Vec<String> {
        match self {
            OneOrMany::One(v) => vec![v.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// A `when` table as written: question id to the value(s) it must have.
pub type When = BTreeMap<String, OneOrMany>;

/// One term of a condition, resolved at load: the question it depends on
/// and the values (canonical spelling: the choice as listed, or `yes` /
/// `no`) any of which makes it hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub question: String,
    pub values: Vec<String>,
}

/// A question's condition: every term must hold.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Condition {
    pub terms: Vec<Term>,
}

impl Condition {
    /// Whether the condition holds for `selected`: the values chosen in
    /// the current answer to each question (question id to its canonical
    /// values; a question without a valid answer is absent).
    pub fn holds(&self, selected: &BTreeMap<String, Vec<String>>) -> bool {
        self.terms.iter().all(|t| {
            selected.get(&t.question).is_some_and(|chosen| {
                chosen
                    .iter()
                    .any(|c| t.values.iter().any(|v| fold(v) == fold(c)))
            })
        })
    }
}

/// What is wrong with a `when`: the key under `question[i].` and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhenProblem {
    pub key: String,
    pub message: String,
}

/// Resolves `when` of the question at 0-based `index` against the
/// questions before it, refusing a term that names an unknown question,
/// the question itself or a later one, a question of a kind with no
/// values to name, or a value that question does not have. A choice is
/// looked up in the question's list in every language (the questions
/// before `index` hold their translations already) and kept as the
/// default language's; yes and no are taken in English and in the words
/// of each of `languages` (`oui`, `sí`, `nein`).
pub fn resolve(
    when: &When,
    index: usize,
    all: &[Question],
    languages: &Languages,
) -> Result<Condition, WhenProblem> {
    let mut terms = Vec::new();
    if when.is_empty() {
        return Err(WhenProblem {
            key: "when".into(),
            message: "names no question: write when = { id = \"value\" }".into(),
        });
    }
    for (id, wanted) in when {
        let key = format!("when.{id}");
        let bad = |message: String| WhenProblem {
            key: key.clone(),
            message,
        };
        let Some(pos) = all.iter().position(|q| &q.id == id) else {
            return Err(bad(format!("`{id}` is not the id of any question")));
        };
        if pos >= index {
            return Err(bad(format!(
                "`{id}` is question {}: a condition may only name a question before this one",
                pos + 1
            )));
        }
        let dep = &all[pos];
        let values = wanted.values();
        if values.is_empty() {
            return Err(bad("lists no value".into()));
        }
        let mut canonical = Vec::new();
        for v in &values {
            let found = match dep.kind {
                Kind::Choice | Kind::Choices => dep
                    .choice_lists()
                    .find_map(|list| list.iter().position(|c| fold(c) == fold(v)))
                    .and_then(|i| dep.choices.get(i))
                    .cloned(),
                Kind::Yesno => yes_no_words(languages)
                    .into_iter()
                    .find(|(word, _)| fold(word) == fold(v))
                    .map(|(_, canonical)| canonical.to_string()),
                _ => {
                    return Err(bad(format!(
                        "`{id}` is a {} question: a condition can name a choice or yesno question only",
                        super::rules::kind_name(dep.kind)
                    )));
                }
            };
            match found {
                Some(c) => canonical.push(c),
                None if dep.kind == Kind::Yesno => {
                    let words: Vec<String> = yes_no_words(languages)
                        .into_iter()
                        .map(|(w, _)| format!("`{w}`"))
                        .collect();
                    return Err(bad(format!(
                        "`{v}`: a yesno question is answered yes or no ({})",
                        words.join(", ")
                    )));
                }
                None => {
                    return Err(bad(format!(
                        "`{v}` is not one of the choices of `{id}` (question {})",
                        pos + 1
                    )));
                }
            }
        }
        terms.push(Term {
            question: id.clone(),
            values: canonical,
        });
    }
    // Shown and checked in question order, whatever order the file wrote.
    terms.sort_by_key(|t| all.iter().position(|q| q.id == t.question));
    Ok(Condition { terms })
}

/// The words a `when` may give for a yesno answer, each with the value it
/// stands for: English `yes` and `no`, then each configured language's
/// (as its mails write them), once each.
fn yes_no_words(languages: &Languages) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![("yes", "yes"), ("no", "no")];
    for lang in languages.iter() {
        let w = lang.words();
        for pair in [(w.yes, "yes"), (w.no, "no")] {
            if !out.iter().any(|(seen, _)| fold(seen) == fold(pair.0)) {
                out.push(pair);
            }
        }
    }
    out
}
