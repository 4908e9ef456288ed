//! The languages mailintake writes in: the four with built-in mail texts,
//! the configured list (`[intake] languages`, the first the default), and
//! the choice of a mail's language ([`detect`]).

use std::fmt;

use serde::{Deserialize, Serialize};

mod detect;
mod plural;
mod refusals;
mod words;

pub use detect::{Detected, Settled, choose, content_language, settle};
pub use plural::Plural;
pub use refusals::{Foreign, Refusals};
pub use words::Words;

/// A language with built-in mail texts, by its ISO 639-1 code.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
    Es,
    De,
}

impl Lang {
    /// Every language with built-in texts, in the order the README lists them.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Fr, Lang::Es, Lang::De];

    /// The ISO 639-1 code: `en`, `fr`, `es`, `de`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
            Lang::De => "de",
        }
    }

    /// The language of an exact code (lower case, as in the config and the
    /// questions file); `None` for any other text.
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language of a BCP 47 tag as mail headers carry it (RFC 3282):
    /// its primary subtag, any case (`fr-CA`, `DE`).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::from_code(&primary)
    }

    /// The codes of every built-in language, for error messages.
    pub fn known_codes() -> String {
        Lang::ALL
            .iter()
            .map(|l| format!("`{}`", l.code()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(crate) fn whatlang(self) -> whatlang::Lang {
        match self {
            Lang::En => whatlang::Lang::Eng,
            Lang::Fr => whatlang::Lang::Fra,
            Lang::Es => whatlang::Lang::Spa,
            Lang::De => whatlang::Lang::Deu,
        }
    }

    /// The words our mails use in this language.
    pub fn words(self) -> &'static Words {
        words::of(self)
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The configured languages (`[intake] languages`): never empty, no
/// language twice, the first the default (the one the plain `prompt`,
/// `choices` and `help` of the questions file are written in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Languages(Vec<Lang>);

impl Default for Languages {
    /// English alone, as before languages could be configured.
    fn default() -> Self {
        Languages(vec![Lang::En])
    }
}

impl Languages {
    /// The list from its codes; an error in words for the key when it is
    /// empty, names an unknown code or names one twice.
    pub fn from_codes<S: AsRef<str>>(codes: &[S]) -> Result<Self, String> {
        let mut out = Vec::new();
        for c in codes {
            let c = c.as_ref();
            let lang = Lang::from_code(c).ok_or_else(|| {
                format!(
                    "`{c}` is not a language with built-in texts; use {}",
                    Lang::known_codes()
                )
            })?;
            if out.contains(&lang) {
                return Err(format!("`{c}` is named twice"));
            }
            out.push(lang);
        }
        if out.is_empty() {
            return Err(format!(
                "no language: name at least one of {}",
                Lang::known_codes()
            ));
        }
        Ok(Languages(out))
    }

    /// The default language: the first configured.
    pub fn default_lang(&self) -> Lang {
        self.0[0]
    }

    pub fn iter(&self) -> impl Iterator<Item = Lang> + '_ {
        self.0.iter().copied()
    }

    /// The configured languages other than the default.
    pub fn others(&self) -> impl Iterator<Item = Lang> + '_ {
        self.0.iter().skip(1).copied()
    }

    pub fn contains(&self, lang: Lang) -> bool {
        self.0.contains(&lang)
    }

    /// `lang` when configured, else the default: a stored language no
    /// longer in the list falls back rather than failing.
    pub fn or_default(&self, lang: Option<Lang>) -> Lang {
        lang.filter(|l| self.contains(*l))
            .unwrap_or(self.default_lang())
    }
}

#[cfg(test)]
mod tests;
