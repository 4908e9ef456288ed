//! The language of an applicant's first mail: what its Content-Language
//! header (RFC 3282) says, else what its text looks like to `whatlang`,
//! else the default. Pure: facts in, a language out.

use super::{Lang, Languages};

/// Fewest letters of the applicant's own text worth detecting from: a
/// "Hi" or a bare name says nothing about a language.
const MIN_LETTERS: usize = 20;

/// Least `whatlang` confidence (0 to 1) taken; below it the default wins.
const MIN_CONFIDENCE: f64 = 0.5;

/// A mail's language and how it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    /// Named by the mail's Content-Language header.
    Header(Lang),
    /// Recognised in the applicant's own text.
    Text(Lang),
    /// Neither said: the default language.
    Default(Lang),
}

impl Detected {
    pub fn lang(self) -> Lang {
        match self {
            Detected::Header(l) | Detected::Text(l) | Detected::Default(l) => l,
        }
    }
}

/// The first configured language a Content-Language value names
/// (`fr-CA`, `de, en`), if any.
pub fn content_language(value: &str, languages: &Languages) -> Option<Lang> {
    value
        .split(',')
        .filter_map(Lang::from_tag)
        .find(|l| languages.contains(*l))
}

/// The language to write to the sender of a mail with `header` (its
/// Content-Language, if any) and `body` (its plain text): the header's
/// when it names a configured language, else the body's own lines' (not
/// the `>`-quoted ones) when they are long enough and clear, else the
/// default.
pub fn choose(header: Option<&str>, body: &str, languages: &Languages) -> Detected {
    if let Some(l) = header.and_then(|h| content_language(h, languages)) {
        return Detected::Header(l);
    }
    let fallback = Detected::Default(languages.default_lang());
    let others: Vec<Lang> = languages.others().collect();
    if others.is_empty() {
        return fallback;
    }
    let own: String = body
        .lines()
        .filter(|l| !l.trim_start().starts_with('>'))
        .collect::<Vec<_>>()
        .join("\n");
    if own.chars().filter(|c| c.is_alphabetic()).count() < MIN_LETTERS {
        return fallback;
    }
    let allow = languages.iter().map(Lang::whatlang).collect();
    let Some(info) = whatlang::Detector::with_allowlist(allow).detect(&own) else {
        return fallback;
    };
    match languages
        .iter()
        .find(|l| l.whatlang() == info.lang())
        .filter(|_| info.confidence() >= MIN_CONFIDENCE)
    {
        Some(l) => Detected::Text(l),
        None => fallback,
    }
}
