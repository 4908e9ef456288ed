//! Where an address occurs in stored text or bytes, as a whole address:
//! what an erase replaces in other people's data. Pure.
//!
//! ASCII letters match whatever their case (addresses are stored and
//! compared lower-case); other characters must match exactly. Only the
//! address as written is found, not an encoded form of it (inside a
//! base64 or quoted-printable part, or an RFC 2047 word).

/// What replaces each occurrence.
pub const MARK: &str = "[erased]";

/// Whether `byte` can be part of an address's local part (RFC 5322
/// `atext`, the dot, or any byte of a non-ASCII character): one before a
/// match means the match is the tail of a longer address.
fn local_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b".!#$%&'*+-/=?^_`{|}~".contains(&byte) || byte >= 0x80
}

/// Whether a match ending at `end` is the whole domain: the next byte does
/// not go on with it (a letter, a digit, a hyphen, a non-ASCII byte, or a
/// dot followed by one of those: `example.net.uk`).
fn domain_ends(haystack: &[u8], end: usize) -> bool {
    let goes_on = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b >= 0x80;
    match haystack.get(end) {
        None => true,
        Some(b'.') => !haystack.get(end + 1).copied().is_some_and(goes_on),
        Some(&b) => !goes_on(b),
    }
}

/// The start of each whole-address occurrence of `address` in `haystack`,
/// in order, none overlapping. An empty address occurs nowhere.
pub fn find(haystack: &[u8], address: &str) -> Vec<usize> {
    let needle = address.trim().as_bytes();
    let mut out = Vec::new();
    if needle.is_empty() || needle.len() > haystack.len() {
        return out;
    }
    let mut i = 0;
    while i + needle.len() <= haystack.len() {
        let candidate = &haystack[i..i + needle.len()];
        if candidate.eq_ignore_ascii_case(needle)
            && (i == 0 || !local_byte(haystack[i - 1]))
            && domain_ends(haystack, i + needle.len())
        {
            out.push(i);
            i += needle.len();
        } else {
            i += 1;
        }
    }
    out
}

/// Whether `haystack` holds `address` as a whole address.
pub fn mentions(haystack: &[u8], address: &str) -> bool {
    !find(haystack, address).is_empty()
}

/// `haystack` with every whole-address occurrence of `address` replaced by
/// [`MARK`]; `None` when there is none.
pub fn redact(haystack: &[u8], address: &str) -> Option<Vec<u8>> {
    let starts = find(haystack, address);
    if starts.is_empty() {
        return None;
    }
    let len = address.trim().len();
    let mut out = Vec::with_capacity(haystack.len());
    let mut from = 0;
    for start in starts {
        out.extend_from_slice(&haystack[from..start]);
        out.extend_from_slice(MARK.as_bytes());
        from = start + len;
    }
    out.extend_from_slice(&haystack[from..]);
    Some(out)
}

/// [`redact`] for text: the result is text again, since the address and
/// the mark are whole characters.
pub fn redact_text(text: &str, address: &str) -> Option<String> {
    redact(text.as_bytes(), address).map(|b| String::from_utf8_lossy(&b).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADA: &str = "ada@example.net";

    #[test]
    fn whole_addresses_are_found_in_any_ascii_case() {
        let cases: &[(&str, bool)] = &[
            ("ada@example.net", true),
            ("To: Ada <ADA@Example.NET>", true),
            ("write to ada@example.net.", true),
            ("ada@example.net, bo@example.net", true),
            ("\"ada@example.net\"", true),
            ("mailto:ada@example.net?subject=x", true),
            // Longer addresses that end or start with it are others'.
            ("linda@example.net", false),
            ("x.ada@example.net", false),
            ("ada@example.network", false),
            ("ada@example.net.uk", false),
            ("ada@example.net-mail.org", false),
            ("ada@sub.example.net", false),
            ("", false),
            ("ada at example.net", false),
        ];
        for (text, expected) in cases {
            assert_eq!(mentions(text.as_bytes(), ADA), *expected, "{text:?}");
        }
    }

    #[test]
    fn each_occurrence_is_replaced_and_the_rest_kept() {
        assert_eq!(
            redact_text(
                "From: Ada <Ada@Example.net>\r\nCc: linda@example.net, ada@example.net",
                ADA
            )
            .as_deref(),
            Some("From: Ada <[erased]>\r\nCc: linda@example.net, [erased]")
        );
        assert_eq!(redact_text("nothing here", ADA), None);
        // Bytes that are not UTF-8 around it stay as they were.
        assert_eq!(
            redact(b"\xff ada@example.net \xfe", ADA),
            Some(b"\xff [erased] \xfe".to_vec())
        );
        // A non-ASCII address matches as written.
        assert!(mentions(
            "An: jürgen@example.de".as_bytes(),
            "jürgen@example.de"
        ));
        assert!(!mentions(
            "An: björn.jürgen@example.de".as_bytes(),
            "jürgen@example.de"
        ));
    }
}
