//! What single lines, or a few lines joined, look like: dates, addresses,
//! attribution and header-block shapes, separators, footers, sign-offs,
//! contact lines. Pure predicates, no state.
//!
//! The shapes are language-independent where they can be (a line holding
//! an address and a date and ending in a colon is an attribution in any
//! language); the word lists are the fallback, gathered from what mail
//! clients write in the languages they ship (Outlook, Gmail, Apple Mail,
//! Thunderbird, phone clients).

use std::sync::LazyLock;

use regex::Regex;

use crate::questions::fold;

mod endings;

pub(crate) use endings::*;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid regex")
}

static ADDRESS: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)[\w.+'-]+@[\w-]+(?:\.[\w-]+)+|mailto:"));

/// A clock time (`10:18`, `17.45`, `10h30`), a numeric date
/// (`2016-03-03`, `30.09.2017`, `2011/4/7`), a year, or an English month
/// or weekday name, capitalised ("I may learn" is not a date).
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)
        \b\d{1,2}\s?[:h]\s?\d{2}\b
      | \b\d{1,2}\.\d{2}\b(?:\s|$|,)
      | \b\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\b
      | \b(?:19|20)\d{2}\b
      | (?-i:\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|January|February|March|April|June|July|August|September|October|November|December
           |Mon|Tue|Wed|Thu|Fri|Sat|Sun|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)")
});

/// "wrote" and its translations: the verb of an attribution line.
static WROTE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)
        \b(?:wrote|writes|schrieb|schreef|geschreven|escribió|escreveu|scritto|scrisse|skrev|skriver
           |napisał(?:\(a\))?|napisała|napisal|napsal|napísal|pisze|написал(?:\(а\))?|написала|написав|писал
           |kirjoitti|írta|yazdı|έγραψε|scrie|napisao|napisala|rašė|rakstīja|kirjutas|wrote\s+on)\b
      | a\s+écrit | ha\s+scritto | het\s+volgende\s+geschreven | đã\s+viết | 写道 | 寫道 | 書きました | 작성 | เขียน")
});

/// Attribution openers, used to find where an attribution starts when a
/// client glued it to the end of the reply's last line.
static OPENER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|\s|-{2,}\s*|\d)((?:On|Am|Le|El|Em|Op|Il|Den|Dne|Dnia|W dniu|In data|På|Pada|Vào|Στις|在|В|เมื่อ)\s+\S)",
    )
});

/// The characters separators are drawn with: hyphens and dashes of every
/// kind, box drawing, underscores, equals signs, asterisks, tildes.
pub(super) fn is_rule_char(c: char) -> bool {
    matches!(
        c,
        '\u{2e3a}' | '\u{2e3b}' | '\u{ff0d}' | '\u{ff1d}' | '\u{ff3f}' | '\u{ffe3}' | '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{2500}'..='\u{257f}' | '_' | '=' | '*' | '~' | '•' | '·' | '#' | '+'
    )
}

/// A line drawn only with separator characters: `-----`, `____`, `====`,
/// `—————`, or a single em or en dash (some signatures start with `—`).
pub(super) fn is_rule(line: &str) -> bool {
    let t = line.trim();
    let n = t.chars().count();
    n >= 1 && t.chars().all(is_rule_char) && (n >= 2 || matches!(t, "—" | "–" | "\u{2015}"))
}

/// `-- ` (RFC 3676 §4.3) and the forms clients actually send (`--`, `__`).
/// Not `---`: people draw that as a divider inside an answer.
pub(super) fn is_sig_dashes(line: &str) -> bool {
    matches!(line.trim_end(), "--" | "-- " | "__")
}

/// The text between decorations, for `-----Original Message-----`,
/// `‐‐‐‐‐‐‐ Original Message ‐‐‐‐‐‐‐`, `*-------- Original Message --------*`,
/// `---- John Smith wrote ----`, `------On 12/29/1987, Julius wrote-----`.
/// Both sides need at least two separator characters.
pub(super) fn decorated(line: &str) -> Option<&str> {
    let t = line.trim();
    let lead = t.chars().take_while(|c| is_rule_char(*c)).count();
    let trail = t.chars().rev().take_while(|c| is_rule_char(*c)).count();
    if lead < 2 || trail < 2 || lead + trail >= t.chars().count() {
        return None;
    }
    let start = t.char_indices().nth(lead).map_or(t.len(), |(i, _)| i);
    let end = t.char_indices().rev().nth(trail - 1).map_or(0, |(i, _)| i);
    let inner = t.get(start..end)?.trim();
    let words = inner.split_whitespace().count();
    (words >= 1 && inner.chars().count() <= 160).then_some(inner)
}

/// The separator phrase Outlook and webmail write above an original, in
/// the languages they ship (`-----Original Message-----` and its
/// translations), and the forwarded/reply variants.
static ORIGINAL_PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)^(?:
        original\s+message|forwarded\s+message|reply\s+message|original\s+mail|message\s+d'origine|message\s+original|message\s+transféré
      | ursprüngliche\s+nachricht|antwort\s+nachricht|weitergeleitete\s+nachricht|originalnachricht
      | mensaje\s+original|mensaje\s+reenviado|mensagem\s+original|mensagem\s+encaminhada|missatge\s+original
      | messaggio\s+originale|messaggio\s+inoltrato|oorspronkelijk\s+bericht|origineel\s+bericht|doorgestuurd\s+bericht
      | oprindelig\s+meddelelse|oprindelig\s+besked|opprinnelig\s+melding|originalmeddelande|ursprungligt\s+meddelande|vidarebefordrat\s+meddelande
      | alkuperäinen\s+viesti|välitetty\s+viesti|upprunaleg\s+skilaboð|algne\s+kiri|sākotnējā\s+ziņa|pradinis\s+laiškas
      | wiadomość\s+oryginalna|oryginalna\s+wiadomość|přeposlaná\s+zpráva|původní\s+zpráva|pôvodná\s+správa|eredeti\s+üzenet|továbbított\s+üzenet
      | izvorna\s+poruka|originalna\s+poruka|izvirno\s+sporočilo|оригинална\s+порука|оригинално\s+съобщение|mesaj\s+original|mesajul\s+original
      | исходное\s+сообщение|пересылаемое\s+сообщение|оригінальне\s+повідомлення|вихідне\s+повідомлення|αρχικό\s+μήνυμα|orijinal\s+ileti|özgün\s+ileti|iletilen\s+ileti
      | pesan\s+asli|mesej\s+asal|tin\s+nhắn\s+gốc|ข้อความต้นฉบับ|원본\s*메시지|元のメッセージ|原始邮件|原始郵件|転送メッセージ|转发的邮件
      | الرسالة\s+الأصلية|ההודעה\s+המקורית|پیام\s+اصلی|मूल\s+संदेश
    )\b")
});

/// Whether a decorated separator's text says an older message follows:
/// the phrase in any language Outlook ships, or an attribution inside
/// the dashes (`---- John Smith wrote ----`).
pub(super) fn is_original_separator(inner: &str) -> bool {
    let t = inner
        .trim()
        .trim_matches(|c: char| c == '*' || c.is_whitespace());
    ORIGINAL_PHRASE.is_match(t) || has_wrote(t) || strong_attribution(t)
}

pub(super) fn has_address(s: &str) -> bool {
    ADDRESS.is_match(s)
}

pub(super) fn has_date(s: &str) -> bool {
    DATE.is_match(s)
}

pub(super) fn has_wrote(s: &str) -> bool {
    WROTE.is_match(s)
}

/// Ends the way attributions end: a colon, `>:`, or the "wrote" verb
/// (some clients write no colon; Zoho and Android wrap it in dashes).
pub(super) fn ends_like_attribution(s: &str) -> bool {
    // Right-to-left clients wrap the line in direction marks.
    let t = s.trim_end_matches(|c: char| {
        is_rule_char(c)
            || c.is_whitespace()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    });
    if t.ends_with(':') || t.ends_with('：') {
        return true;
    }
    let tail: String = t
        .chars()
        .rev()
        .take(40)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    WROTE
        .find_iter(&tail)
        .last()
        .is_some_and(|m| tail[m.end()..].trim().is_empty())
}

/// Whether `text` (one line or a few joined) is shaped like an attribution
/// on its own, whatever follows it: it ends like one and holds an address
/// and a date, or the "wrote" verb with an address or a date.
pub(super) fn strong_attribution(text: &str) -> bool {
    let t = text.trim();
    t.chars().count() <= 400
        && ends_like_attribution(t)
        && ((has_address(t) && has_date(t)) || (has_wrote(t) && (has_address(t) || has_date(t))))
}

/// Whether a line starts the way attributions start: an opener word
/// ("On", "Am", "Le", "W dniu", …), a date within its first two words
/// ("ср, 30 апр.", "2016-03-03 17:21", "pe 20. lokakuuta"), a name and
/// an address ("Team <team@example.org> schrieb"), or a rule of dashes.
pub(super) fn starts_like_attribution(line: &str) -> bool {
    static NAME_ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
        re(r#"^["'\p{L}][\p{L}\p{M} .'"-]{0,60}\s*[<(\[]\s*(?:mailto:)?[\w.+-]+@"#)
    });
    let t = line.trim_start_matches(|c: char| c.is_whitespace() || is_mark(c) || c == '*');
    if t.starts_with(is_rule_char) {
        return true;
    }
    let opener = OPENER
        .captures(t)
        .and_then(|c| c.get(0))
        .is_some_and(|m| m.start() == 0);
    // A date right at the start: "2016-03-03", "ср, 30 апр.", "tir. 18."
    // ("In March 2023 I wrote" starts a sentence instead).
    let dated = t
        .split_whitespace()
        .take(2)
        .any(|w| w.chars().any(|c| c.is_ascii_digit()));
    opener || dated || NAME_ADDRESS.is_match(t) || t.starts_with(['<', '"'])
}

/// Whether a kept line looks like an attribution: staff should check it.
pub(super) fn looks_like_attribution(line: &str) -> bool {
    let t = line.trim();
    // No \b: in Japanese or Chinese a clock time sits between letters.
    static CLOCK: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|\D)\d{1,2}:\d{2}(?:\D|$)"));
    t.chars().count() <= 300
        && ((ends_like_attribution(t) && (has_address(t) || CLOCK.is_match(t)))
            || (has_wrote(t) && ends_like_attribution(t)))
}

/// Where a separator glued to the end of a line starts (AOL writes
/// `6-----Original Message-----` after the last answer): the byte offset
/// of its first dash, or `None` when the line is not such.
pub(super) fn glued_separator(line: &str) -> Option<usize> {
    let mut prev_rule = true;
    for (i, c) in line.char_indices() {
        let rule = is_rule_char(c);
        if rule && !prev_rule && !line[..i].trim().is_empty() {
            let rest = &line[i..];
            if decorated(rest).is_some_and(is_original_separator) {
                return Some(i);
            }
        }
        prev_rule = rule;
    }
    None
}

/// Where an attribution glued to the end of a line starts: `reply On Wed,
/// Apr 4, 2012 at 3:59 PM, bob@example.com wrote:` splits before `On`,
/// `reply--- On …` before the dashes. `None` when the line is not such.
pub(super) fn glued_attribution(line: &str) -> Option<usize> {
    if !strong_attribution(line) {
        return None;
    }
    for m in OPENER.captures_iter(line) {
        let opener = m.get(1)?;
        let head =
            line[..opener.start()].trim_end_matches(|c: char| is_rule_char(c) || c.is_whitespace());
        // "8. 5El mar, … escribió:": the answer's own digits stay with it.
        if head.is_empty() || has_date(head.trim_end_matches(|c: char| c.is_ascii_digit())) {
            continue;
        }
        if strong_attribution(&line[opener.start()..]) {
            return Some(opener.start());
        }
    }
    None
}

static LABEL_LINE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^\s*\*{0,2}([\p{L}][\p{L}\p{M}.' -]{0,24}?)\*{0,2}[\s\u{a0}]*\*{0,2}[:：]\*{0,2}(.*)$")
});

/// The labels of a mail's header block in the languages clients write
/// them ("From", "Sent", "Od", "Poslano", "发件人", …), folded.
pub(super) fn is_header_word(label: &str) -> bool {
    const WORDS: &[&str] = &[
        "from",
        "to",
        "cc",
        "bcc",
        "date",
        "sent",
        "subject",
        "reply-to",
        "von",
        "an",
        "gesendet",
        "betreff",
        "datum",
        "de",
        "a",
        "envoye",
        "envoye le",
        "objet",
        "para",
        "enviado",
        "asunto",
        "fecha",
        "da",
        "inviato",
        "oggetto",
        "data",
        "van",
        "aan",
        "verzonden",
        "onderwerp",
        "od",
        "do",
        "wyslano",
        "temat",
        "poslano",
        "prima",
        "predmet",
        "odeslano",
        "komu",
        "fran",
        "till",
        "skickat",
        "amne",
        "fra",
        "til",
        "sendt",
        "emne",
        "dato",
        "lahettaja",
        "lahetetty",
        "vastaanottaja",
        "aihe",
        "от",
        "кому",
        "отправлено",
        "тема",
        "дата",
        "kimden",
        "kime",
        "gonderildi",
        "konu",
        "tarih",
        "felado",
        "cimzett",
        "elkuldve",
        "targy",
        "发件人",
        "收件人",
        "发送时间",
        "主题",
        "日期",
        "寄件者",
        "收件者",
        "主旨",
        "差出人",
        "宛先",
        "送信日時",
        "件名",
        "보낸 사람",
        "받는 사람",
        "보낸 날짜",
        "제목",
        "message du",
        "copie a",
        "sujet",
        "de la",
        "catre",
        "trimis",
        "subiect",
        "απο",
        "προς",
        "ημερομηνια",
        "θεμα",
        "від",
        "надіслано",
        "тема",
        "מאת",
        "אל",
        "נשלח",
        "נושא",
        "من",
        "إلى",
        "التاريخ",
        "الموضوع",
        "dari",
        "kepada",
        "tanggal",
        "perihal",
        "subjek",
        "tu",
        "đa gui",
        "đen",
        "chu đe",
        "ngay",
        "nuo",
        "issiusta",
        "kam",
        "no",
        "nosutits",
        "saatja",
        "saadetud",
        "adressaat",
        "teema",
        "za",
        "zadeva",
        "од",
        "послато",
        "за",
        "изпратено",
        "до",
        "относно",
        "odoslane",
        "daripada",
        "dihantar",
        "จาก",
        "ส่ง",
        "ถึง",
        "เรื่อง",
        "प्रेषक",
        "भेजा गया",
        "प्रति",
        "विषय",
        "از",
        "ارسال شده",
        "به",
        "موضوع",
        "enviat",
        "per a",
        "assumpte",
        "poslato",
    ];
    WORDS.contains(&label)
}

/// `Label: value` as in an older message's header block, in any language
/// (`From:`, `Od:`, `Envoyé le :`, `*Sent:*`): the label, and the value.
pub(super) fn header_label(line: &str) -> Option<(String, &str)> {
    let line = line.trim_start_matches(|c: char| c.is_whitespace() || is_mark(c));
    let caps = LABEL_LINE.captures(line)?;
    let label = caps.get(1)?.as_str().trim();
    let value = caps.get(2).map_or("", |m| m.as_str());
    // `https://…` is an address, not a label.
    if label.split_whitespace().count() > 3 || label.is_empty() || value.starts_with("//") {
        return None;
    }
    Some((fold(label), value))
}

/// Zero-width joiners and direction marks: invisible, but not removed from
/// text (emoji and some scripts need them); ignored when judging a shape.
pub(super) fn is_mark(c: char) -> bool {
    matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters that show as nothing and carry nothing: zero-width space,
/// word joiner, byte-order mark, soft hyphen, and U+1427 (the dot some
/// mail trackers add). Joiners and direction marks are not among them:
/// emoji and some scripts need them inside text.
pub(super) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200b}' | '\u{2060}'
            ..='\u{2064}' | '\u{feff}' | '\u{1427}' | '\u{00ad}' | '\u{034f}' | '\u{180e}'
    )
}

/// A line of nothing but whitespace and invisible marks (joiners and
/// direction marks included) is a blank line.
pub(crate) fn is_blank(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_whitespace() || is_invisible(c) || matches!(c, '\u{200c}'..='\u{200f}'))
}

#[cfg(test)]
mod tests;
