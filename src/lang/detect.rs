//! The language of an applicant's mails: on her first mail, what its
//! Content-Language header (RFC 3282) says, else what its text looks like
//! to `whatlang`, else the default; on a later mail that replies to one
//! of ours, a switch when the header names another configured language
//! or her own lines are long and clearly in another. Pure: facts in, a
//! language out.

use super::{Lang, Languages};

/// Fewest letters of the applicant's own text worth detecting from: a
/// "Hi" or a bare name says nothing about a language.
const MIN_LETTERS: usize = 20;

/// Least `whatlang` confidence (0 to 1) taken; below it the default wins.
const MIN_CONFIDENCE: f64 = 0.5;

/// A stored language is switched by text only when `whatlang` is surer
/// than a first mail needs. Measured with the four languages allowed: a
/// sentence of 24 to 57 letters ("Merci, je préfère le français.",
/// "Danke, bitte schreiben Sie mir auf Deutsch.") scores 1.00, an English
/// one 0.87; a reply of bare answers ("1. Marie Curie", "2. Europe", "4.
/// oui") 0.05 to 0.68, a thank-you ("Merci beaucoup, bonne journée",
/// "Here is my CV, thank you.") at most 0.66: those must not flip the
/// language she chose by writing.
const SWITCH_LETTERS: usize = MIN_LETTERS;
const SWITCH_CONFIDENCE: f64 = 0.8;

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
    match in_text(body, languages, MIN_LETTERS, MIN_CONFIDENCE) {
        Some(l) => Detected::Text(l),
        None => Detected::Default(languages.default_lang()),
    }
}

/// The configured language `body`'s own lines (not the `>`-quoted ones)
/// are in, when they hold `letters` letters or more and `whatlang` is at
/// least `confidence` sure; `None` with one language configured.
fn in_text(body: &str, languages: &Languages, letters: usize, confidence: f64) -> Option<Lang> {
    languages.others().next()?;
    let own: String = body
        .lines()
        .filter(|l| !l.trim_start().starts_with('>'))
        .collect::<Vec<_>>()
        .join("\n");
    if own.chars().filter(|c| c.is_alphabetic()).count() < letters {
        return None;
    }
    let allow = languages.iter().map(Lang::whatlang).collect();
    let info = whatlang::Detector::with_allowlist(allow).detect(&own)?;
    languages
        .iter()
        .find(|l| l.whatlang() == info.lang())
        .filter(|_| info.confidence() >= confidence)
}

/// What a mail does to its sender's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Write in the stored language; store nothing.
    Keep(Lang),
    /// Store this language and write in it: the first mail's, or a
    /// switch (how it was found).
    Store(Detected),
}

impl Settled {
    /// The language to write in.
    pub fn lang(self) -> Lang {
        match self {
            Settled::Keep(l) => l,
            Settled::Store(d) => d.lang(),
        }
    }
}

/// The language of the application whose stored language is `stored` (a
/// code; `None` before its first answered mail), on a mail with `header`
/// (its Content-Language) and `own` (the text the sender wrote: quotes,
/// our own text and signatures cut).
///
/// - No stored language, or one no longer configured: this mail's
///   ([`choose`]), stored.
/// - A mail that replies to none of ours (`vouched` false) changes
///   nothing: anyone can write in someone's name.
/// - Otherwise a Content-Language naming another configured language
///   switches to it (as it decides a first mail), and so do own lines of
///   [`SWITCH_LETTERS`] letters or more, clearly ([`SWITCH_CONFIDENCE`])
///   in another configured language; a header naming the stored
///   language keeps it, whatever the text.
pub fn settle(
    stored: Option<&str>,
    vouched: bool,
    header: Option<&str>,
    own: &str,
    languages: &Languages,
) -> Settled {
    let Some(current) = stored
        .and_then(Lang::from_code)
        .filter(|l| languages.contains(*l))
    else {
        return Settled::Store(choose(header, own, languages));
    };
    if !vouched {
        return Settled::Keep(current);
    }
    let switch = match header.and_then(|h| content_language(h, languages)) {
        Some(h) => Some(Detected::Header(h)),
        None => in_text(own, languages, SWITCH_LETTERS, SWITCH_CONFIDENCE).map(Detected::Text),
    };
    match switch {
        Some(d) if d.lang() != current => Settled::Store(d),
        _ => Settled::Keep(current),
    }
}
