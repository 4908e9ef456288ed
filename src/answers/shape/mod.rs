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
      | a\s+écrit | ha\s+scritto | het\s+volgende\s+geschreven | đã\s+viết | 写道 | 寫道 | 書きました | 작성")
});

/// Attribution openers, used to find where an attribution starts when a
/// client glued it to the end of the reply's last line.
static OPENER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|\s|-{2,}\s*|\d)((?:On|Am|Le|El|Em|Op|Il|Den|Dne|Dnia|W dniu|In data|På|Pada|Vào|Στις|在|В)\s+\S)",
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

/// A device or app footer: "Sent from my iPhone", "Envoyé de mon iPhone",
/// "Get Outlook for iOS", "Sent with Proton Mail secure email.",
/// "Gesendet von Outlook für Android<https://aka.ms/…>".
pub(super) fn is_device_footer(line: &str) -> bool {
    let t = strip_links(line);
    let words = t.split_whitespace().count();
    // "Sent from my desk, is much easier…" goes on as a sentence.
    let sentence = t
        .trim()
        .trim_end_matches(['.', '!'])
        .contains([',', ';', '!', '?']);
    if words == 0 || words > 12 || t.chars().count() > 100 || sentence {
        return false;
    }
    // Otherwise a device name and a sending word at either end of a short
    // line: "Securely sent with Tutanota", "iPhone'umdan gönderildi".
    let ends = || {
        let w: Vec<&str> = t.split_whitespace().collect();
        let head = w.iter().take(2).copied().collect::<Vec<_>>().join(" ");
        let tail = w.last().copied().unwrap_or("");
        SENT_ANYWHERE.is_match(&head) || SENT_ANYWHERE.is_match(tail)
    };
    DEVICE_FOOTER.is_match(&t) || (words <= 7 && DEVICE.is_match(&t) && ends())
}

/// A short line naming a phone or a mail app, in any language: "Galaxy
/// 스마트폰에서 보냈습니다.", "Dikirim dari iPhone saya", "Изтеглете Outlook
/// за Android". Only taken for a footer as the last line of the text.
pub(super) fn is_device_line(line: &str) -> bool {
    let t = strip_links(line);
    let t = t.trim().trim_matches(is_mark);
    let words = t.split_whitespace().count();
    (1..=8).contains(&words)
        && t.chars().count() <= 80
        && !t
            .trim_end_matches(['.', '!', '。'])
            .contains([',', ';', '?', ':'])
        && DEVICE.is_match(t)
}

/// A short line starting with "Sent" (in some language) and no sentence
/// after it: "Sent from a magnificent torch of pixels". Only taken for a
/// footer as the last line before a quote, an original or the end.
pub(super) fn is_sent_line(line: &str) -> bool {
    let t = strip_links(line);
    let t = t.trim();
    SENT_WORD.is_match(t)
        && t.split_whitespace().count() <= 8
        && !t.trim_end_matches('.').contains([',', '.', ';', '!', '?'])
}

fn strip_links(line: &str) -> String {
    static LINK: LazyLock<Regex> =
        LazyLock::new(|| re(r"<[^>\s]*>|\(https?://[^)\s]*\)|https?://\S+"));
    LINK.replace_all(line, " ").into_owned()
}

static SENT_WORD: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:sent|envoyé|enviado|enviada|gesendet|inviato|verzonden|verstuurd|skickat|sendt|lähetetty|wysłane|wysłano|odesláno|odoslané|отправлено|надіслано|trimis|poslano|poslato|küldve|gönderildi|elküldve|発信|发自|寄自|來自|从我的|從我的|get|obtenir|obtén|holen sie|baixe|scarica|download)\b",
    )
});
/// A sending or getting word anywhere in a short line: "iPhone'umdan
/// gönderildi", "Securely sent with Tutanota", "Holen Sie sich Outlook".
static SENT_ANYWHERE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:sent|envoyé|enviado|enviada|gesendet|inviato|verzonden|verstuurd|skickat|sendt|lähetetty|wysłane|wysłano|odesláno|odoslané|отправлено|надіслано|trimis|poslano|poslato|küldve|gönderildi|get|obtenir|obtener|obtén|holen|baixe|scarica|télécharger|download|skaffa|hent|pobierz|stáhnout|получить|letöltés)\b|から送信|发自|寄自|來自|从我的|從我的",
    )
});
static DEVICE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:iphone|ipad|ipod|android|outlook|blackberry|samsung|galaxy|huawei|xiaomi|honor|pixel|nokia|motorola|proton\s?mail|tutanota|tuta|yahoo|aol|gmail|hotmail|windows\s?mail|mail\s+(?:for|für|pour|para|per)\s+windows|typeapp|spark|airmail|acompli|sparrow|bluemail|edison|newton|superhuman|k-9|fairemail|thunderbird|mobile|mobil|móvil|movil|celular|cellulare|smartphone|handy|телефон|телефона|mail\s+app)\b|iphone|ipad|android",
    )
});
static DEVICE_FOOTER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(?:sent\s+(?:from|with|via|using)\s+(?:my\s+)?\S|get\s+outlook\s+for|von\s+meinem\s+\S+\s+gesendet|gesendet\s+(?:von|mit)\s|envoyé\s+(?:de|depuis|à\s+partir\s+de)\s|enviado\s+(?:desde|do|de|a\s+partir\s+de)\s|inviato\s+da\s|verzonden\s+(?:vanaf|met|van)\s|verstuurd\s+(?:vanaf|met)\s|skickat\s+från\s|sendt\s+fra\s|lähetetty\s+|wysłane\s+z\s|odesláno\s+z\s|отправлено\s+(?:с|из)\s|надіслано\s+з\s|poslano\s+(?:s|sa|iz)\s|küldve\s|\S+から送信|发自我的|寄自我的|從我的|从我的|來自我的)",
    )
});

static SIGN_OFF: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)^\s*(?:
        [¡¿]?(?:best|best\s+regards|kind\s+regards|regards|warm\s+regards|warmest\s+regards|warmly|many\s+thanks|thanks|thank\s+you|thanks\s+again|thanks\s+so\s+much|thanks\s+a\s+lot|thx|cheers|sincerely|yours|yours\s+sincerely|yours\s+truly|all\s+the\s+best|greetings|best\s+wishes|with\s+thanks|take\s+care|talk\s+soon|respectfully
      | saludos|un\s+saludo|saludos\s+cordiales|atentamente|un\s+abrazo|abrazos|muchas\s+gracias|gracias
      | cordialement|bien\s+cordialement|bien\s+à\s+vous|amitiés|merci|merci\s+d'avance|merci\s+beaucoup|bonne\s+journée|salutations|sincères\s+salutations
      | grüße|viele\s+grüße|liebe\s+grüße|beste\s+grüße|freundliche\s+grüße|mit\s+freundlichen\s+grüßen|mit\s+besten\s+grüßen|herzliche\s+grüße|schöne\s+grüße|gruß|lg|mfg|vg|danke|vielen\s+dank
      | saluti|cordiali\s+saluti|distinti\s+saluti|un\s+saluto|grazie|a\s+presto
      | abraços|um\s+abraço|atenciosamente|att|obrigado|obrigada|cumprimentos|melhores\s+cumprimentos
      | met\s+vriendelijke\s+groet(?:en)?|vriendelijke\s+groet(?:en)?|groeten|groetjes|hartelijke\s+groet(?:en)?|bedankt
      | pozdrawiam|pozdrawiam\s+serdecznie|serdecznie\s+pozdrawiam|z\s+poważaniem|dziękuję
      | s\s+pozdravem|s\s+pozdravom|srdečně|děkuji|pozdrav|lijep\s+pozdrav|srdačan\s+pozdrav|srdačno|hvala|lp
      | med\s+vänliga\s+hälsningar|vänliga\s+hälsningar|hälsningar|mvh|med\s+venlig\s+hilsen|venlig\s+hilsen|hilsen|med\s+vennlig\s+hilsen|vennlig\s+hilsen|tack|takk|tak
      | ystävällisin\s+terveisin|terveisin|kiitos|üdvözlettel|tisztelettel|köszönöm
      | saygılarımla|iyi\s+çalışmalar|teşekkürler|χαιρετώ|με\s+εκτίμηση|ευχαριστώ
      | с\s+уважением|всего\s+доброго|спасибо|з\s+повагою|дякую
      | hezký\s+den|s\s+přáním\s+hezkého\s+dne|cu\s+respect|cu\s+stimă|toate\s+cele\s+bune|mulțumesc|multumesc
      | terima\s+kasih|salam|salam\s+hangat|hormat\s+saya|trân\s+trọng|thân\s+mến|cảm\s+ơn|ขอแสดงความนับถือ|ขอบคุณ(?:ครับ|ค่ะ)?
      | धन्यवाद|सादर|با\s+احترام|با\s+سپاس|سپاس|مع\s+خالص\s+التحية|مع\s+أطيب\s+التحيات|تحياتي|بكل\s+احترام|בברכה|בתודה|תודה\s+רבה
      | 드림|올림|감사합니다|고맙습니다|拝|よろしく|よろしくお願いします|よろしくお願いいたします|敬具|草々|谢谢|謝謝|此致|此致敬礼|祝好|顺祝商祺|敬上
      | με\s+εκτίμηση|φιλικά|з\s+найкращими\s+побажаннями|всього\s+найкращого|поздрави|с\s+поздрав|pozdrowienia|üdv|üdvözlet|ciao|tschüss|bis\s+bald
      | مع\s+التحية|شكرا|תודה
    ))[\s\p{P}\p{So}\p{Sk}\p{Cn}\u{fe0f}\u{200d}~]*$")
});

/// A sign-off on a line of its own: "Best regards,", "Mit freundlichen
/// Grüßen", "С уважением,", "Cheers 🎉".
pub(super) fn is_sign_off(line: &str) -> bool {
    SIGN_OFF.is_match(line.trim_end_matches(|c: char| c.is_whitespace() || is_mark(c)))
}

/// Zero-width joiners and direction marks: invisible, but not removed from
/// text (emoji and some scripts need them); ignored when judging a shape.
pub(super) fn is_mark(c: char) -> bool {
    matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A short closing phrase in any language or script, by its shape alone:
/// one to four words of letters (combining marks allowed, as in Devanagari
/// or Thai), maybe opened by `¡`/`¿` and closed by a comma, `،`, `!` or a
/// full stop. Taken as a sign-off only at the end of the applicant's text,
/// followed by a name (see the signature pass).
pub(super) fn is_closing_phrase(line: &str) -> bool {
    static EMOJI: LazyLock<Regex> =
        LazyLock::new(|| re(r"[\p{So}\p{Sk}\u{fe0f}\u{200d}\u{20e3}]+"));
    let without = EMOJI.replace_all(line, " ");
    let t = without
        .trim()
        .trim_matches(is_mark)
        .trim_start_matches(['¡', '¿'])
        .trim_end_matches([',', '،', '!', '.', '。', '！', '、', '…', '，', ' ']);
    let words = t.split_whitespace().filter(|w| *w != "/").count();
    (1..=4).contains(&words)
        && t.chars().count() <= 40
        && t.chars().all(|c| {
            c.is_alphabetic()
                || unicode_normalization::char::is_combining_mark(c)
                || c.is_whitespace()
                || matches!(c, '\'' | '’' | '-' | '/' | '!' | '\u{200c}' | '\u{200d}')
        })
}

/// A name signed with a dash: "—Wanjiru", "- Ada Lovelace", "~Sam".
pub(super) fn is_dash_name(line: &str) -> bool {
    static DASH_NAME: LazyLock<Regex> = LazyLock::new(|| {
        re(r"^\s*[-–—~]\s?\p{L}[\p{L}\p{M}.'’-]*(?:\s+\p{L}[\p{L}\p{M}.'’-]*){0,2}\s*$")
    });
    DASH_NAME.is_match(line)
}

/// Contact words of scripts written without spaces, where `\b` finds no
/// word edge: titles, "mobile", "WeChat", "address", organisations.
static CJK_CONTACT: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"经理|主任|总监|负责人|协调员|手机|电话|微信|地址|邮箱|网址|中心|基金会|协会|大学|公司|部长|電話|携帯|住所|株式会社|担当|대표|팀장|전화|휴대폰|주소|재단",
    )
});

static DISCLAIMER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)^\s*(\*+\s*)?(aviso\s+(de\s+)?confidencialidade?|aviso\s+legal|avis\s+de\s+confidentialit[ée]|vertraulichkeitshinweis|avviso\s+di\s+riservatezza|vertrouwelijkheidsverklaring|klauzula\s+poufno[śs]ci|upozorn[ěe]n[íi]\s*:|уведомление\s+о\s+конфиденциальности|confidentiality\s+(notice|note|warning)|confidential\s*:|privileged\s+(and|&)\s+confidential|this (e-?mail|message) has been (checked|scanned) for viruses|virus-free\.|(this (e-?mail|message|communication)\b.{0,80}\b(confidential|intended (solely )?for)|confidentiality notice|disclaimer\s*:|the information (contained )?in this (e-?mail|message)|if you (are not the intended|have received this (e-?mail|message) in error)|diese (e-?mail|nachricht) (enthält|ist) vertraulich|ce (message|courriel|mail) (est|et ses pièces)|este (mensaje|correo) (es|y sus anexos) confidencial|le informazioni contenute in questo messaggio))",
    )
});

/// The first line of a legal notice.
pub(super) fn is_disclaimer(line: &str) -> bool {
    DISCLAIMER.is_match(line)
}

static PHONE: LazyLock<Regex> = LazyLock::new(|| re(r"(?:^|[\s:(])\+?\(?\d[\d\s().\-/]{6,}\d\b"));
static WEB: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)https?://|\bwww\.|\b[\w-]+\.(?:com|org|net|de|fr|io|eu|uk)\b"));
static HANDLE: LazyLock<Regex> = LazyLock::new(|| re(r"^\s*@\w{2,}\s*$"));
static TITLE_OR_ORG: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?ix)\b(?:
        ceo|cto|cfo|coo|founder|co-founder|president|vice\s+president|vp|director|manager|head\s+of|lead|coordinator|officer|engineer|developer|consultant|specialist|assistant|secretary|chair|chairman|chairwoman|professor|prof\.|dr\.|phd|lecturer|librarian|editor|advisor|adviser|analyst|executive|partner|associate|intern|volunteer|treasurer|board\s+member
      | inc\.?|ltd\.?|llc|gmbh|ag|sarl|s\.a\.|s\.l\.|b\.v\.|plc|corp\.?|co\.|company|university|universität|université|universidad|institute|foundation|stiftung|association|e\.v\.|user\s+group|chapter|ngo
      | geschäftsführer|leiter(?:in)?|directeur|directrice|responsable|gerente|jefe|direttore|responsabile|kierownik|dyrektor|директор|руководитель
      | tel\.?|phone|mobile|mob\.?|fax|cell|m:|t:|e:|w:|tél\.?|telefon|téléphone|teléfono|telefone|телефон|tlf\.?
    )")
});

/// A line of a signature's contact block: a phone number, a web or mail
/// address, a handle, a job title or an organisation.
pub(super) fn is_contact_line(line: &str) -> bool {
    let t = line.trim();
    t.chars().count() <= 80
        && (PHONE.is_match(t)
            || WEB.is_match(t)
            || has_address(t)
            || HANDLE.is_match(t)
            || TITLE_OR_ORG.is_match(t)
            || CJK_CONTACT.is_match(t))
}

/// A list item: a bullet (`-`, `*`, `•`, `–`, `·`) and a space.
pub(super) fn is_list_item(line: &str) -> bool {
    let mut c = line.trim_start().chars();
    c.next()
        .is_some_and(|b| matches!(b, '-' | '*' | '•' | '–' | '·'))
        && c.next().is_some_and(char::is_whitespace)
}

/// A hard contact line: a phone number, a web or mail address, a handle.
pub(super) fn is_hard_contact(line: &str) -> bool {
    let t = line.trim();
    PHONE.is_match(t) || WEB.is_match(t) || has_address(t) || HANDLE.is_match(t)
}

/// A name on a line of its own: one to four capitalised words, no
/// sentence punctuation ("Ada Lovelace", "Dr. Jane van Dijk").
pub(super) fn is_name_line(line: &str) -> bool {
    let t = line.trim().trim_end_matches(',');
    let words: Vec<&str> = t.split_whitespace().collect();
    (1..=4).contains(&words.len())
        && !t.contains(['!', '?', ':', ';'])
        && words
            .iter()
            .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
            .all(|w| {
                w.chars().next().is_some_and(char::is_uppercase)
                    || matches!(
                        *w,
                        "van"
                            | "von"
                            | "de"
                            | "da"
                            | "di"
                            | "der"
                            | "den"
                            | "la"
                            | "le"
                            | "bin"
                            | "al"
                    )
            })
        && words
            .first()
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
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
pub(super) fn is_blank(line: &str) -> bool {
    line.chars()
        .all(|c| c.is_whitespace() || is_invisible(c) || matches!(c, '\u{200c}'..='\u{200f}'))
}

#[cfg(test)]
mod tests;
