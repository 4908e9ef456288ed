//! How the applicant's text ends: device and app footers, sign-offs in
//! any script, signed names, legal notices, and the contact lines and
//! names of a signature block.

use std::sync::LazyLock;

use regex::Regex;

use super::{has_address, is_mark, re};

/// A device or app footer: "Sent from my iPhone", "Envoyé de mon iPhone",
/// "Get Outlook for iOS", "Sent with Proton Mail secure email.",
/// "Gesendet von Outlook für Android<https://aka.ms/…>".
pub(crate) fn is_device_footer(line: &str) -> bool {
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
pub(crate) fn is_device_line(line: &str) -> bool {
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
pub(crate) fn is_sent_line(line: &str) -> bool {
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
pub(crate) fn is_sign_off(line: &str) -> bool {
    SIGN_OFF.is_match(line.trim_end_matches(|c: char| c.is_whitespace() || is_mark(c)))
}

/// A short closing phrase in any language or script, by its shape alone:
/// one to four words of letters (combining marks allowed, as in Devanagari
/// or Thai), maybe opened by `¡`/`¿` and closed by a comma, `،`, `!` or a
/// full stop. Taken as a sign-off only at the end of the applicant's text,
/// followed by a name (see the signature pass).
pub(crate) fn is_closing_phrase(line: &str) -> bool {
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
pub(crate) fn is_dash_name(line: &str) -> bool {
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
pub(crate) fn is_disclaimer(line: &str) -> bool {
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
pub(crate) fn is_contact_line(line: &str) -> bool {
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
pub(crate) fn is_list_item(line: &str) -> bool {
    let mut c = line.trim_start().chars();
    c.next()
        .is_some_and(|b| matches!(b, '-' | '*' | '•' | '–' | '·'))
        && c.next().is_some_and(char::is_whitespace)
}

/// A hard contact line: a phone number, a web or mail address, a handle.
pub(crate) fn is_hard_contact(line: &str) -> bool {
    let t = line.trim();
    PHONE.is_match(t) || WEB.is_match(t) || has_address(t) || HANDLE.is_match(t)
}

/// A name on a line of its own: one to four capitalised words, no
/// sentence punctuation ("Ada Lovelace", "Dr. Jane van Dijk").
pub(crate) fn is_name_line(line: &str) -> bool {
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
