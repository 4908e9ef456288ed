//! Numbers as people write them, in any script.

/// Digits of any script as ASCII digits ("٦" and "６" are 6), other
/// characters unchanged.
pub fn ascii_digits(s: &str) -> String {
    // The zero of each run of ten decimal digits in Unicode that people
    // type numbers in (Arabic-Indic, Persian, Devanagari, Bengali, Thai,
    // full-width, ...).
    const ZEROS: &[u32] = &[
        0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66, 0xDE6,
        0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0xFF10,
    ];
    s.chars()
        .map(|c| {
            let cp = c as u32;
            ZEROS
                .iter()
                .find(|z| (**z..**z + 10).contains(&cp))
                .and_then(|z| char::from_digit(cp - z, 10))
                .unwrap_or(c)
        })
        .collect()
}

/// A number as people write it: "6", "6,5", "about 6", "6 hours", "5+",
/// "6-8", digits of any script. The number (or range) as stored, or `None`.
pub(super) fn number(value: &str) -> Option<String> {
    static SHAPE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?ix)^(?:about|around|approx\.?|approximately|roughly|ca\.?|circa|~|up\s+to|max\.?|maximum|at\s+least|min\.?|etwa|ungefähr|environ|unos|unas|cerca\s+de|aprox\.?|около|примерно|约|大约)?\s*
               (\d+(?:[.,]\d+)?(?:\s*[-–]\s*\d+(?:[.,]\d+)?)?)\s*\+?\s*
               (?:hours?|hrs?\.?|h|std\.?|stunden|horas?|heures?|ore|uur|godzin[ay]?|часов|часа|час|時間|小时|小時|시간|a\s+month|per\s+month|/\s*month|im\s+monat|al\s+mes|par\s+mois|al\s+mese|per\s+maand|\s)*$",
        )
        .expect("valid regex")
    });
    let v = ascii_digits(value.trim()).replace('\u{a0}', " ");
    let caps = SHAPE.captures(v.trim())?;
    let n = caps.get(1)?.as_str().replace(' ', "").replace(',', ".");
    let parts_ok = n
        .split(['-', '–'])
        .all(|p| p.parse::<f64>().is_ok_and(f64::is_finite));
    parts_ok.then_some(n)
}
