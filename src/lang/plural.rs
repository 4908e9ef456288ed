//! Counted words and numbers as each language writes them: "1 choice",
//! "2 choices", French "0 choix" and "1 caractère" (French takes the
//! singular for 0 and 1, CLDR plural rules), and a decimal comma in
//! French, Spanish and German ("6,5").

use super::Lang;

/// A phrase in its singular and plural forms; `{n}` is the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plural {
    pub one: &'static str,
    pub other: &'static str,
}

impl Lang {
    /// Whether `n` takes the singular: 1 in English, Spanish and German;
    /// 0 and 1 in French (CLDR: French `one` is i = 0,1).
    pub fn singular(self, n: u64) -> bool {
        match self {
            Lang::Fr => n <= 1,
            Lang::En | Lang::Es | Lang::De => n == 1,
        }
    }

    /// The form of `p` for `n`, its `{n}` left as it is (for a sentence
    /// whose verb agrees with a number written elsewhere in it).
    pub fn pick(self, p: &Plural, n: u64) -> &'static str {
        if self.singular(n) { p.one } else { p.other }
    }

    /// `p` for `n`, with `{n}` filled in: "1 character", "12 caractères".
    pub fn count(self, p: &Plural, n: u64) -> String {
        self.pick(p, n).replace("{n}", &n.to_string())
    }

    /// A number written with a decimal point (`6.5`, as stored and as
    /// Rust prints it) as this language writes it: a decimal comma in
    /// French, Spanish and German (`6,5`; for Spanish, the comma of Spain
    /// and of ISO 80000-1, which the RAE also accepts), the point in
    /// English.
    pub fn decimal(self, number: &str) -> String {
        match self {
            Lang::En => number.to_string(),
            Lang::Fr | Lang::Es | Lang::De => number.replace('.', ","),
        }
    }
}
