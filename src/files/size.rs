//! File sizes: `max_size = "5MB"` in the questions file, and sizes in
//! words for applicants ("7.2 MB").
//!
//! Decimal units are SI (IEC 80000-13): `kB` and `KB` are 1000 bytes,
//! `MB` 1000², `GB` 1000³, as file managers on Linux and macOS and disk
//! makers count; binary units are IEC: `KiB` 1024, `MiB` 1024², `GiB`
//! 1024³. Units are read in any case (`5mb`), with or without a space.
//! Sizes are written in each language's units: French writes octets
//! (`ko`, `Mo`, `Go`) with a decimal comma, Spanish and German `kB`,
//! `MB`, `GB` (the SI symbols their software shows) with a decimal comma.

use crate::lang::Lang;

/// Bytes in `text` (`"5MB"`, `"512 KiB"`, `"1.5 MB"`, `"300000"`, `"20 B"`).
///
/// # Errors
/// A sentence saying what is wrong, naming the units taken.
pub fn parse(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = (t[..split].trim(), t[split..].trim());
    let factor: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "kib" => 1024,
        "mib" => 1024 * 1024,
        "gib" => 1024 * 1024 * 1024,
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}`; use B, KB (1000 bytes), MB, GB, KiB (1024 bytes), MiB or GiB"
            ));
        }
    };
    let bad = || format!("`{text}` is not a size; write it like \"5MB\" or \"512 KiB\"");
    if number.is_empty() || number.matches('.').count() > 1 {
        return Err(bad());
    }
    let value: f64 = number.parse().map_err(|_| bad())?;
    let bytes = value * factor as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes > u64::MAX as f64 / 2.0 {
        return Err(format!("`{text}` must be at least 1 byte"));
    }
    Ok(bytes.round() as u64)
}

/// A size in English words: `812 bytes`, `40.5 kB`, `7.2 MB`, `1.1 GB`
/// (SI units, one decimal, rounded down so that a file just over a limit
/// never reads as over by more than it is). What a stored file answer
/// holds ([`super::Accepted::value`]).
pub fn human(bytes: u64) -> String {
    human_in(bytes, Lang::En)
}

/// A size in `lang`'s words: the same rounding, the language's units
/// and decimal sign (`7,2 Mo` in French; `7,2 MB` in Spanish and German).
pub fn human_in(bytes: u64, lang: Lang) -> String {
    let words = lang.words();
    const FACTORS: [u64; 3] = [1000, 1000 * 1000, 1000 * 1000 * 1000];
    for (i, factor) in FACTORS.into_iter().enumerate().rev() {
        if bytes >= factor {
            let unit = words.size_units[i];
            let tenths = bytes / (factor / 10);
            return if tenths.is_multiple_of(10) {
                format!("{} {unit}", tenths / 10)
            } else {
                let number = format!("{}.{}", tenths / 10, tenths % 10);
                format!("{} {unit}", lang.decimal(&number))
            };
        }
    }
    lang.count(&words.byte, bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_decimal_and_binary_units() {
        for (text, bytes) in [
            ("5MB", 5_000_000),
            ("5 MB", 5_000_000),
            ("5mb", 5_000_000),
            ("1.5MB", 1_500_000),
            ("200KB", 200_000),
            ("200kB", 200_000),
            ("512KiB", 524_288),
            ("2 MiB", 2_097_152),
            ("1GB", 1_000_000_000),
            ("1GiB", 1_073_741_824),
            ("300", 300),
            ("20 B", 20),
        ] {
            assert_eq!(parse(text), Ok(bytes), "{text}");
        }
    }

    #[test]
    fn bad_sizes_are_refused_in_words() {
        for text in [
            "", "MB", "5 MBs", "5 TB", "-5MB", "1.2.3MB", "0", "0.1 B", "five MB",
        ] {
            let err = parse(text).expect_err(text);
            assert!(
                err.contains(text.trim()) || text.is_empty(),
                "{text}: {err}"
            );
        }
        assert!(parse("5 TB").unwrap_err().contains("unknown unit `TB`"));
        assert!(parse("0").unwrap_err().contains("at least 1 byte"));
    }

    #[test]
    fn sizes_in_words_round_down_to_one_decimal() {
        assert_eq!(human(0), "0 bytes");
        assert_eq!(human(1), "1 byte");
        assert_eq!(human(999), "999 bytes");
        assert_eq!(human(1000), "1 kB");
        assert_eq!(human(40_560), "40.5 kB");
        assert_eq!(human(7_200_000), "7.2 MB");
        assert_eq!(human(7_299_999), "7.2 MB");
        assert_eq!(human(5_000_000), "5 MB");
        assert_eq!(human(1_100_000_000), "1.1 GB");
    }

    #[test]
    fn sizes_in_words_in_each_language() {
        for (lang, want) in [
            (Lang::En, ["0 bytes", "1 byte", "40.5 kB", "7.2 MB", "1 GB"]),
            (
                Lang::Fr,
                ["0 octet", "1 octet", "40,5 ko", "7,2 Mo", "1 Go"],
            ),
            (Lang::Es, ["0 bytes", "1 byte", "40,5 kB", "7,2 MB", "1 GB"]),
            (Lang::De, ["0 Byte", "1 Byte", "40,5 kB", "7,2 MB", "1 GB"]),
        ] {
            let got = [0, 1, 40_560, 7_200_000, 1_000_000_000].map(|b| human_in(b, lang));
            assert_eq!(got, want, "{lang}");
        }
    }
}
