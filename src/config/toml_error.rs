//! toml's errors as a person reads them: one line naming the key (with its
//! table) or the table, and the line number; never the parser's own
//! rendering, which quotes the file and draws carets under it.

/// The error's message, with the key or table and the line it points at.
pub(crate) fn describe_toml_error(e: &toml::de::Error, text: &str) -> String {
    // Some messages add a second line ("expected `.`, `]`").
    let msg = e
        .message()
        .trim()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    let Some(span) = e.span() else {
        return msg;
    };
    let start = span.start.min(text.len());
    let line_no = text.as_bytes()[..start]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
    if table_header(line).is_some() {
        return format!("table `{line}` (line {line_no}): {msg}");
    }
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !line.starts_with('['));
    let Some(key) = key else {
        return format!("line {line_no}: {msg}");
    };
    let table = text
        .lines()
        .take(line_no)
        .filter_map(|l| table_header(l.trim()))
        .last();
    match table {
        Some(t) => format!("key `{t}.{key}` (line {line_no}): {msg}"),
        None => format!("key `{key}` (line {line_no}): {msg}"),
    }
}

/// The name in a `[table]` or `[[array]]` header line.
fn table_header(line: &str) -> Option<&str> {
    let inner = line.strip_prefix('[')?.strip_suffix(']')?;
    let name = inner
        .strip_prefix('[')
        .and_then(|i| i.strip_suffix(']'))
        .unwrap_or(inner)
        .trim();
    (!name.is_empty() && !name.contains(['[', ']'])).then_some(name)
}
