//! HTML mail as a reader sees it.

use std::sync::LazyLock;

use regex::Regex;

/// Block quotes beyond which HTML is rendered flat.
const MAX_HTML_QUOTES: usize = 64;
/// HTML larger than this is rendered flat.
const MAX_HTML_BYTES: usize = 2 * 1024 * 1024;

static P_OPEN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<p(\s[^>]*)?>").expect("valid regex"));
/// Links and images: their text is kept, their markup (which html2text
/// would show as `[...]`) is not.
static LINK_OR_IMAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</?a\b[^>]*>|<img\b[^>]*>").expect("valid regex"));
/// Containers in which clients put the original below a reply without
/// quoting it: Outlook's header block (`divRplyFwdMsg`, the border-top
/// `div`), Yahoo's `yahoo_quoted`, Proton's `protonmail_quote`. A
/// separator line is put before them so the reader knows the original starts.
static ORIGINAL_CONTAINER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)<div\b[^>]*(?:id="?(?:divRplyFwdMsg|x_divRplyFwdMsg)\b|class="?[^">]*\b(?:yahoo_quoted|protonmail_quote)\b|style="?[^">]*border-top:\s*solid\s+#(?:E1E1E1|B5C4DF))[^>]*>"#,
    )
    .expect("valid regex")
});
/// The separator put before such a container (see [`ORIGINAL_CONTAINER`]).
const ORIGINAL_MARK: &str = "<div>-----Original Message (HTML quote container)-----</div>$0";
static P_CLOSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)</p\s*>").expect("valid regex"));

/// HTML as a reader sees it, block quotes as `> ` lines. Paragraphs become
/// single line breaks: mail clients (Outlook above all) set their margins
/// to zero, and an empty paragraph is how they show a blank line.
pub fn html_to_text(html: &str) -> String {
    // Quote depth multiplies the output: past any real thread's depth, or
    // for very large HTML, fall back to mail-parser's flat, linear rendering.
    let quotes = html.matches("<blockquote").count() + html.matches("<BLOCKQUOTE").count();
    if quotes > MAX_HTML_QUOTES || html.len() > MAX_HTML_BYTES {
        return mail_parser::decoders::html::html_to_text(html);
    }
    let pre = ORIGINAL_CONTAINER.replace_all(html, ORIGINAL_MARK);
    let pre = LINK_OR_IMAGE.replace_all(&pre, "");
    let pre = P_OPEN.replace_all(&pre, "");
    let pre = P_CLOSE.replace_all(&pre, "<br>");
    html2text::config::plain_no_decorate()
        .raw_mode(true)
        .string_from_read(pre.as_bytes(), 1_000_000)
        .unwrap_or_default()
        .replace('\u{a0}', " ")
        .lines()
        .map(str::trim_end)
        .collect::<Vec<_>>()
        .join("\n")
}
