//! Checking one answer against its question: the value to store, or why
//! it was refused.

use super::rules::{self, Shape};
use super::{Invalid, Kind, Question, Wrong, fold, number::number, short, yesno::yes_no};

/// An answer as it is stored: the canonical value when it passes, else
/// the text as given (trimmed) and why it fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub value: String,
    pub failing: Option<Invalid>,
}

impl Question {
    /// Checks `raw` against the question's kind, then its rules
    /// ([`rules::check`]); the value to store (canonical choices, yes/no,
    /// numbers) or why it was refused. Idempotent: a value it returns
    /// passes again unchanged, so a stored answer can be checked anew
    /// against the current questions.
    pub fn validate(&self, raw: &str) -> Result<String, Invalid> {
        let (value, choices) = self.canonical(raw)?;
        rules::check(
            &self.rules,
            Shape {
                value: &value,
                choices,
            },
        )
        .map_err(Invalid::Rule)?;
        Ok(value)
    }

    /// Whether `raw` is an answer of the question's kind (one of the
    /// choices, a number, …), its rules aside: what the reader asks when
    /// a value must pick its question, so that an answer breaking a rule
    /// still reaches its question (stored as given, the rule named).
    pub fn fits_kind(&self, raw: &str) -> bool {
        self.canonical(raw).is_ok()
    }

    /// What to store for `raw`: the canonical value when it passes; an
    /// answer that fails is stored as given (trimmed), with why. `Err` for
    /// what is never stored: an empty answer, or one over the longest
    /// taken ([`Question::max_chars`]).
    pub fn take(&self, raw: &str) -> Result<Taken, Invalid> {
        let value = raw.trim();
        self.bounds(value)?;
        Ok(match self.validate(value) {
            Ok(v) => Taken {
                value: v,
                failing: None,
            },
            Err(why) => Taken {
                value: value.to_string(),
                failing: Some(why),
            },
        })
    }

    fn bounds(&self, value: &str) -> Result<(), Invalid> {
        if value.is_empty() {
            return Err(Invalid::Kind(Wrong::Empty));
        }
        let limit = self.max_chars();
        let chars = value.chars().count();
        if chars > limit {
            return Err(Invalid::Kind(Wrong::TooLong {
                has: chars,
                most: limit,
            }));
        }
        Ok(())
    }

    /// The canonical value of `raw` for the question's kind, and how many
    /// choices it holds (0 for kinds without choices).
    fn canonical(&self, raw: &str) -> Result<(String, usize), Invalid> {
        let value = raw.trim();
        self.bounds(value)?;
        let one = |v: String| Ok((v, 0));
        match self.kind {
            Kind::Text => one(value.split_whitespace().collect::<Vec<_>>().join(" ")),
            Kind::Paragraph => one(value.to_string()),
            Kind::Choice => self.match_choice(value).map(|c| (c.to_string(), 1)),
            Kind::Choices => {
                // As stored ("Research, development, Europe"): choices may
                // hold commas.
                if let Some(listed) = self.as_listed(value) {
                    let n = listed.len();
                    return Ok((listed.join(", "), n));
                }
                let mut out: Vec<&str> = Vec::new();
                for part in split_list(value) {
                    let c = self.match_choice(part)?;
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
                if out.is_empty() {
                    return Err(Invalid::Kind(Wrong::NoChoice));
                }
                let n = out.len();
                Ok((out.join(", "), n))
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
                    .map(|a| (a.to_string(), 0))
                    .ok_or_else(|| Invalid::Kind(Wrong::NotEmail(short(value))))
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
                        one(u.to_string())
                    }
                    _ => Err(Invalid::Kind(Wrong::NotUrl(short(value)))),
                }
            }
            Kind::Yesno => match yes_no(value) {
                Some(true) => one("yes".into()),
                Some(false) => one("no".into()),
                None => Err(Invalid::Kind(Wrong::NotYesno(short(value)))),
            },
            // Answered by an attached file, never by text: see
            // `crate::files::assign`.
            Kind::File => Err(Invalid::File(crate::files::Refusal::NoFile)),
            Kind::Number => number(value)
                .map(|n| (n, 0))
                .ok_or_else(|| Invalid::Kind(Wrong::NotNumber(short(value)))),
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

    /// The choices in a stored several-choices answer, as listed.
    pub fn chosen(&self, stored: &str) -> Vec<String> {
        self.as_listed(stored)
            .unwrap_or_default()
            .into_iter()
            .map(str::to_string)
            .collect()
    }

    /// The choices of a several-choices answer written as we store it:
    /// choices as listed (folded), separated by commas; `None` otherwise.
    fn as_listed(&self, value: &str) -> Option<Vec<&str>> {
        let mut out: Vec<&str> = Vec::new();
        let mut acc = String::new();
        for piece in value.split(',') {
            if !acc.is_empty() {
                acc.push_str(", ");
            }
            acc.push_str(piece.trim());
            let f = fold(&acc);
            if let Some(c) = self.choices.iter().find(|c| fold(c) == f) {
                if !out.contains(&c.as_str()) {
                    out.push(c);
                }
                acc.clear();
            }
        }
        (acc.is_empty() && !out.is_empty()).then_some(out)
    }

    /// Matches one spelling against the choices in every language:
    /// exact (folded), the letter or number shown in the mail, or a prefix
    /// unique among the choices; returns the canonical (default-language)
    /// choice, so "Amérique latine" is stored as "Latin America".
    pub(super) fn match_choice(&self, raw: &str) -> Result<&str, Invalid> {
        let f = fold(
            raw.trim()
                .trim_start_matches('[')
                .trim_end_matches(['.', ')', ']']),
        );
        let f = f.trim();
        let canonical = |i: usize| self.choices.get(i).map(String::as_str);
        // (index, folded spelling) for every language's list.
        let spellings: Vec<(usize, String)> = self
            .choice_lists()
            .flat_map(|list| list.iter().enumerate().map(|(i, c)| (i, fold(c))))
            .collect();
        if let Some(c) = spellings
            .iter()
            .find(|(_, c)| c == f)
            .and_then(|(i, _)| canonical(*i))
        {
            return Ok(c);
        }
        if !self.numbers_choices()
            && f.chars().count() == 1
            && let Some(ch) = f.chars().next()
            && ch.is_ascii_lowercase()
            && let Some(c) = canonical((ch as u8 - b'a') as usize)
        {
            return Ok(c);
        }
        if let Ok(n) = f.parse::<usize>()
            && let Some(c) = n.checked_sub(1).and_then(canonical)
        {
            return Ok(c);
        }
        // "c) Europe" or "c. Europe": the letter shown plus the text;
        // "[30] Germany" or "30) Germany" past 26 choices.
        if let Some((head, rest)) = f.split_once([')', '.', ' ', ']'])
            && (head.len() == 1 || (head.len() <= 4 && head.chars().all(|c| c.is_ascii_digit())))
            && let Some(c) = spellings
                .iter()
                .find(|(_, c)| c == rest.trim())
                .and_then(|(i, _)| canonical(*i))
        {
            return Ok(c);
        }
        let mut matches: Vec<usize> = spellings
            .iter()
            .filter(|(_, c)| !f.is_empty() && c.starts_with(f))
            .map(|(i, _)| *i)
            .collect();
        matches.sort_unstable();
        matches.dedup();
        match matches.as_slice() {
            [one] => {
                canonical(*one).ok_or_else(|| Invalid::Kind(Wrong::NotAChoice(short(raw.trim()))))
            }
            [] => Err(Invalid::Kind(Wrong::NotAChoice(short(raw.trim())))),
            _ => Err(Invalid::Kind(Wrong::SeveralChoices(short(raw.trim())))),
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
