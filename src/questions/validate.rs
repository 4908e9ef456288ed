//! Checking one answer against its question: the value to store, or why
//! it was refused.

use super::{Invalid, Kind, Question, fold, number::number, short, yesno::yes_no};

impl Question {
    /// Checks `raw` and returns the value to store (canonical choices).
    pub fn validate(&self, raw: &str) -> Result<String, Invalid> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Invalid("the answer is empty".into()));
        }
        let limit = self.max_chars();
        let chars = value.chars().count();
        if chars > limit {
            return Err(Invalid(format!(
                "the answer is too long ({chars} characters; at most {limit})"
            )));
        }
        match self.kind {
            Kind::Text => Ok(value.split_whitespace().collect::<Vec<_>>().join(" ")),
            Kind::Paragraph => Ok(value.to_string()),
            Kind::Choice => self.match_choice(value).map(str::to_string),
            Kind::Choices => {
                let mut out: Vec<&str> = Vec::new();
                for part in split_list(value) {
                    let c = self.match_choice(part)?;
                    if !out.contains(&c) {
                        out.push(c);
                    }
                }
                if out.is_empty() {
                    return Err(Invalid("no choice given".into()));
                }
                Ok(out.join(", "))
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
                    .map(|a| a.to_string())
                    .ok_or_else(|| Invalid(format!("`{}` is not an email address", short(value))))
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
                        Ok(u.to_string())
                    }
                    _ => Err(Invalid(format!("`{}` is not a web address", short(value)))),
                }
            }
            Kind::Yesno => match yes_no(value) {
                Some(true) => Ok("yes".into()),
                Some(false) => Ok("no".into()),
                None => Err(Invalid(format!("`{}` is not yes or no", short(value)))),
            },
            // Answered by an attached file, never by text: see
            // `crate::files::assign`.
            Kind::File => Err(Invalid(
                "no file came with it: attach the file to your reply".into(),
            )),
            Kind::Number => {
                number(value).ok_or_else(|| Invalid(format!("`{}` is not a number", short(value))))
            }
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

    /// Matches one spelling against the choices: exact (folded), the letter
    /// or number shown in the mail, or a unique prefix.
    fn match_choice(&self, raw: &str) -> Result<&str, Invalid> {
        let f = fold(raw.trim().trim_end_matches(['.', ')']));
        let f = f.trim();
        if let Some(c) = self.choices.iter().find(|c| fold(c) == f) {
            return Ok(c);
        }
        if f.chars().count() == 1
            && let Some(ch) = f.chars().next()
            && ch.is_ascii_lowercase()
        {
            let idx = (ch as u8 - b'a') as usize;
            if let Some(c) = self.choices.get(idx) {
                return Ok(c);
            }
        }
        if let Ok(n) = f.parse::<usize>()
            && let Some(c) = n.checked_sub(1).and_then(|i| self.choices.get(i))
        {
            return Ok(c);
        }
        // "c) Europe" or "c. Europe": the letter shown plus the text.
        if let Some((head, rest)) = f.split_once([')', '.', ' '])
            && head.len() == 1
            && let Some(c) = self.choices.iter().find(|c| fold(c) == rest.trim())
        {
            return Ok(c);
        }
        let matches: Vec<&String> = self
            .choices
            .iter()
            .filter(|c| !f.is_empty() && fold(c).starts_with(f))
            .collect();
        match matches.as_slice() {
            [one] => Ok(one),
            [] => Err(Invalid(format!(
                "`{}` is not one of the choices",
                short(raw.trim())
            ))),
            _ => Err(Invalid(format!(
                "`{}` matches more than one choice",
                short(raw.trim())
            ))),
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
