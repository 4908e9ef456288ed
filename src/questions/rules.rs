//! Validation rules on a question (`min_length`, `max_length`, `pattern`,
//! `min`, `max`, `min_choices`, `max_choices`): read from the questions
//! file into [`Rule`]s once, at load, and checked against an answer by
//! the pure [`check`].

use unicode_segmentation::UnicodeSegmentation;

use super::{Kind, Question};
use crate::lang::Lang;

/// One rule on a question, as data. Lengths count grapheme clusters
/// (characters as a person counts them: "é" written as e + accent is one,
/// a flag emoji is one; Unicode UAX #29).
#[derive(Debug, Clone)]
pub enum Rule {
    /// At least this many characters.
    MinLength(usize),
    /// At most this many characters.
    MaxLength(usize),
    /// The whole answer (as stored) matches this regular expression.
    /// Held compiled as `^(?:…)$`; `source` is the file's text.
    Pattern { regex: regex::Regex, source: String },
    /// A number (each end of a range) at least this.
    Min(f64),
    /// A number (each end of a range) at most this.
    Max(f64),
    /// At least this many choices.
    MinChoices(usize),
    /// At most this many choices.
    MaxChoices(usize),
}

/// What an answer is, for the rules: its text as stored, and how many
/// choices it holds when its question takes several.
#[derive(Debug, Clone, Copy)]
pub struct Shape<'a> {
    pub value: &'a str,
    pub choices: usize,
}

/// Why an answer breaks a rule: the numbers the applicant is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    TooShort { has: usize, need: usize },
    TooLong { has: usize, most: usize },
    NoMatch,
    TooSmall { value: String, least: String },
    TooLarge { value: String, most: String },
    TooFewChoices { has: usize, need: usize },
    TooManyChoices { has: usize, most: usize },
}

impl Broken {
    /// The reason in English, naming the question by its number as the
    /// applicant's mail shows it: "Your answer to 5 has 12 characters;
    /// at least 50 are needed."
    pub fn words(&self, number: usize) -> String {
        self.words_in(number, Lang::En)
    }

    /// The reason in `lang`'s words, its counted words agreeing with
    /// their numbers ("1 character", French "0 choix") and numbers with
    /// the language's decimal sign.
    pub fn words_in(&self, number: usize, lang: Lang) -> String {
        let words = lang.words();
        let r = &words.refusals;
        let count = |p, n: usize| lang.count(p, n as u64);
        let least = |unit, has: usize, need: usize| {
            lang.pick(&r.at_least_needed, need as u64)
                .replace("{has}", &count(unit, has))
                .replace("{need}", &need.to_string())
        };
        let most = |unit, has: usize, most: usize| {
            lang.pick(&r.at_most_taken, most as u64)
                .replace("{has}", &count(unit, has))
                .replace("{most}", &most.to_string())
        };
        let text = match self {
            Broken::TooShort { has, need } => least(&words.character, *has, *need),
            Broken::TooLong { has, most: m } => most(&words.character, *has, *m),
            Broken::NoMatch => r.no_match.to_string(),
            Broken::TooSmall { value, least } => r
                .too_small
                .replace("{value}", &lang.decimal(value))
                .replace("{least}", &lang.decimal(least)),
            Broken::TooLarge { value, most } => r
                .too_large
                .replace("{value}", &lang.decimal(value))
                .replace("{most}", &lang.decimal(most)),
            Broken::TooFewChoices { has, need } => least(&words.choice_count, *has, *need),
            Broken::TooManyChoices { has, most: m } => most(&words.choice_count, *has, *m),
        };
        text.replace("{number}", &number.to_string())
    }
}

/// Characters as a person counts them (extended grapheme clusters).
pub fn graphemes(s: &str) -> usize {
    s.graphemes(true).count()
}

/// A number as the applicant is told it: `6`, not `6.0`.
fn shown(x: f64) -> String {
    format!("{x}")
}

/// Checks `shape` against every rule, in the order they are listed; the
/// first broken one. Pure: the same answer and rules give the same result
/// wherever it is asked (storing, the status rule, the report).
pub fn check(rules: &[Rule], shape: Shape<'_>) -> Result<(), Broken> {
    for rule in rules {
        match rule {
            Rule::MinLength(need) => {
                let has = graphemes(shape.value);
                if has < *need {
                    return Err(Broken::TooShort { has, need: *need });
                }
            }
            Rule::MaxLength(most) => {
                let has = graphemes(shape.value);
                if has > *most {
                    return Err(Broken::TooLong { has, most: *most });
                }
            }
            Rule::Pattern { regex, .. } => {
                if !regex.is_match(shape.value) {
                    return Err(Broken::NoMatch);
                }
            }
            Rule::Min(least) => {
                if let Some(low) = ends(shape.value).into_iter().find(|x| x < least) {
                    return Err(Broken::TooSmall {
                        value: shown(low),
                        least: shown(*least),
                    });
                }
            }
            Rule::Max(most) => {
                if let Some(high) = ends(shape.value).into_iter().find(|x| x > most) {
                    return Err(Broken::TooLarge {
                        value: shown(high),
                        most: shown(*most),
                    });
                }
            }
            Rule::MinChoices(need) => {
                if shape.choices < *need {
                    return Err(Broken::TooFewChoices {
                        has: shape.choices,
                        need: *need,
                    });
                }
            }
            Rule::MaxChoices(most) => {
                if shape.choices > *most {
                    return Err(Broken::TooManyChoices {
                        has: shape.choices,
                        most: *most,
                    });
                }
            }
        }
    }
    Ok(())
}

/// The numbers of a stored number answer: `6.5` or both ends of `6-8`.
fn ends(value: &str) -> Vec<f64> {
    value
        .split(['-', '–'])
        .filter_map(|p| p.trim().parse::<f64>().ok())
        .collect()
}

/// A broken rule in the questions file: the key (under `question[i].`)
/// and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    pub key: &'static str,
    pub message: String,
}

fn problem(key: &'static str, message: impl Into<String>) -> FileProblem {
    FileProblem {
        key,
        message: message.into(),
    }
}

/// Longest regular expression source taken, and the compiled size limit:
/// a questions file is trusted, but a typo must not make every answer slow.
const PATTERN_MAX_BYTES: usize = 1_000;
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Reads the rule keys of `q` into [`Rule`]s, refusing a rule that is
/// broken: one on a kind it does not fit, a minimum over its maximum, a
/// bad regular expression, a limit no answer could meet.
pub fn read(q: &Question) -> Result<Vec<Rule>, FileProblem> {
    let kinds = |key: &'static str, fits: &[Kind], names: &str| -> Result<(), FileProblem> {
        if fits.contains(&q.kind) {
            Ok(())
        } else {
            Err(problem(
                key,
                format!(
                    "only {names} questions take `{key}`; this one is kind = \"{}\"",
                    kind_name(q.kind)
                ),
            ))
        }
    };
    let mut rules = Vec::new();
    let texts = [Kind::Text, Kind::Paragraph];
    let texts_named = "kind = \"text\" or \"paragraph\"";
    if let Some(n) = q.min_length {
        kinds("min_length", &texts, texts_named)?;
        let hard = q.max_chars();
        if n > hard {
            return Err(problem(
                "min_length",
                format!("{n} is over the longest answer taken for this kind ({hard})"),
            ));
        }
        rules.push(Rule::MinLength(n));
    }
    if let Some(n) = q.max_length {
        kinds("max_length", &texts, texts_named)?;
        if n == 0 {
            return Err(problem("max_length", "must be at least 1"));
        }
        let hard = q.max_chars();
        if n > hard {
            return Err(problem(
                "max_length",
                format!("{n} is over the longest answer taken for this kind ({hard})"),
            ));
        }
        if let Some(min) = q.min_length
            && min > n
        {
            return Err(problem(
                "min_length",
                format!("min_length = {min} is greater than max_length = {n}"),
            ));
        }
        rules.push(Rule::MaxLength(n));
    }
    if let Some(source) = &q.pattern {
        kinds(
            "pattern",
            &[Kind::Text, Kind::Paragraph, Kind::Email, Kind::Url],
            "kind = \"text\", \"paragraph\", \"email\" or \"url\"",
        )?;
        if source.len() > PATTERN_MAX_BYTES {
            return Err(problem(
                "pattern",
                format!("longer than {PATTERN_MAX_BYTES} bytes"),
            ));
        }
        // Anchored: the whole answer must match, not a piece of it.
        let regex = regex::RegexBuilder::new(&format!("^(?:{source})$"))
            .size_limit(PATTERN_SIZE_LIMIT)
            .build()
            .map_err(|e| {
                problem(
                    "pattern",
                    format!(
                        "not a valid regular expression: {}",
                        e.to_string().lines().last().unwrap_or("").trim()
                    ),
                )
            })?;
        rules.push(Rule::Pattern {
            regex,
            source: source.clone(),
        });
    }
    for (key, bound) in [("min", q.min), ("max", q.max)] {
        if let Some(x) = bound {
            kinds(key, &[Kind::Number], "kind = \"number\"")?;
            if !x.is_finite() {
                return Err(problem(key, "must be a finite number"));
            }
        }
    }
    if let (Some(min), Some(max)) = (q.min, q.max)
        && min > max
    {
        return Err(problem(
            "min",
            format!("min = {} is greater than max = {}", shown(min), shown(max)),
        ));
    }
    rules.extend(q.min.map(Rule::Min));
    rules.extend(q.max.map(Rule::Max));
    let several = [Kind::Choices];
    let several_named = "kind = \"choices\"";
    if let Some(n) = q.min_choices {
        kinds("min_choices", &several, several_named)?;
        if n > q.choices.len() {
            return Err(problem(
                "min_choices",
                format!("{n} is more than the {} choices listed", q.choices.len()),
            ));
        }
        rules.push(Rule::MinChoices(n));
    }
    if let Some(n) = q.max_choices {
        kinds("max_choices", &several, several_named)?;
        if n == 0 {
            return Err(problem("max_choices", "must be at least 1"));
        }
        if let Some(min) = q.min_choices
            && min > n
        {
            return Err(problem(
                "min_choices",
                format!("min_choices = {min} is greater than max_choices = {n}"),
            ));
        }
        rules.push(Rule::MaxChoices(n));
    }
    Ok(rules)
}

/// The kind's name as written in the questions file.
pub fn kind_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Text => "text",
        Kind::Paragraph => "paragraph",
        Kind::Choice => "choice",
        Kind::Choices => "choices",
        Kind::Email => "email",
        Kind::Url => "url",
        Kind::Yesno => "yesno",
        Kind::Number => "number",
        Kind::File => "file",
    }
}

/// The rules as short lines for the question mail in `lang`'s words
/// ("At least 50 characters.", "Au moins 50 caractères."); the pattern
/// is left to the question's `help`, since a regular expression is no
/// sentence for an applicant.
pub fn hints(rules: &[Rule], lang: Lang) -> Vec<String> {
    let words = lang.words();
    let find = |f: fn(&Rule) -> Option<f64>| rules.iter().find_map(f);
    let mut out = Vec::new();
    // A number in the language's decimal sign; with a unit, counted in
    // the form its number takes ("1 character", "50 characters").
    let range = |low: Option<f64>, high: Option<f64>, unit: Option<&crate::lang::Plural>| {
        let plain = |x: f64| lang.decimal(&shown(x));
        let with_unit = |x: f64| match unit {
            // Units count whole things (lengths, choices).
            Some(p) => lang.pick(p, x as u64).replace("{n}", &plain(x)),
            None => plain(x),
        };
        match (low, high) {
            (Some(l), Some(h)) if l == h => Some(words.exactly.replace("{n}", &with_unit(l))),
            (Some(l), Some(h)) => Some(
                words
                    .from_to
                    .replace("{low}", &plain(l))
                    .replace("{high}", &with_unit(h)),
            ),
            (Some(l), None) => Some(words.at_least.replace("{n}", &with_unit(l))),
            (None, Some(h)) => Some(words.at_most.replace("{n}", &with_unit(h))),
            (None, None) => None,
        }
    };
    out.extend(range(
        find(|r| match r {
            Rule::MinLength(n) if *n > 0 => Some(*n as f64),
            _ => None,
        }),
        find(|r| match r {
            Rule::MaxLength(n) => Some(*n as f64),
            _ => None,
        }),
        Some(&words.character),
    ));
    out.extend(range(
        find(|r| match r {
            Rule::Min(x) => Some(*x),
            _ => None,
        }),
        find(|r| match r {
            Rule::Max(x) => Some(*x),
            _ => None,
        }),
        None,
    ));
    out.extend(range(
        find(|r| match r {
            Rule::MinChoices(n) if *n > 0 => Some(*n as f64),
            _ => None,
        }),
        find(|r| match r {
            Rule::MaxChoices(n) => Some(*n as f64),
            _ => None,
        }),
        Some(&words.choice_count),
    ));
    out
}
