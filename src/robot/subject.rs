//! The subject's tells: out-of-office openings in many languages, read
//! receipts and calendar replies, helpdesk acknowledgements and ticket tags.

use std::sync::LazyLock;

use regex::Regex;

use super::{fold, fold_all};

/// Subjects of read receipts and calendar replies, which some clients send
/// as ordinary mail ("Read: Application", "Accepted: Interview").
pub(super) const RECEIPTS_SOURCE: &[&str] = &[
    "Read:",
    "Read :",
    "Lu :",
    "Lu:",
    "Gelesen:",
    "Leído:",
    "Leido:",
    "Letto:",
    "Lido:",
    "Lidos:",
    "Gelezen:",
    "Läst:",
    "Læst:",
    "Lest:",
    "Luettu:",
    "Przeczytano:",
    "Přečteno:",
    "Olvasott:",
    "Прочитано:",
    "Прочитане:",
    "Okundu:",
    "已读:",
    "已讀:",
    "読み取り:",
    "Accepted:",
    "Declined:",
    "Tentative:",
    "Tentatively accepted:",
    "Angenommen:",
    "Abgelehnt:",
    "Mit Vorbehalt angenommen:",
    "Accepté :",
    "Accepté:",
    "Refusé :",
    "Refusé:",
    "Aceptado:",
    "Rechazado:",
    "Accettato:",
    "Rifiutato:",
    "Geaccepteerd:",
    "Geweigerd:",
    "Aceito:",
    "Recusado:",
    "Zaakceptowano:",
    "Odrzucono:",
    "Принято:",
    "Отклонено:",
];
pub(super) static RECEIPTS: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(RECEIPTS_SOURCE));

/// Reply and forward prefixes a client may put before a robot's subject.
pub(super) static REPLY_PREFIXES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:re|aw|sv|antw|antwort|vs|odp|ynt|r|ref|rif|fw|fwd|wg|tr|rv|enc|doorst|vl|ha|res|回复|回覆|答复)(?:\[\d+\])?\s?:\s*)+",
    )
    .expect("valid regex")
});

/// The subject as compared: folded, reply prefixes removed.
pub(super) fn subject_key(subject: &str) -> String {
    let folded = fold(subject);
    REPLY_PREFIXES.replace(&folded, "").trim().to_string()
}

/// Words that may follow an out-of-office phrase directly, as in
/// "Out of office until 3 May" or "Abwesend bis 12.7.".
pub(super) const CONTINUATIONS: &[&str] = &[
    "until",
    "till",
    "back",
    "returning",
    "from",
    "bis",
    "ab",
    "vom",
    "jusqu'au",
    "jusqu",
    "du",
    "hasta",
    "desde",
    "ate",
    "fino",
    "dal",
    "tot",
    "van",
    "do",
    "od",
    "tills",
    "til",
    "asti",
];

/// `phrase` opens `key` as a whole phrase: followed by nothing, by
/// punctuation (`:`, `-`, `(`, …), or by a word of [`CONTINUATIONS`]; so
/// "Out of office: …" matches and "Out of office hours volunteering" does
/// not. A phrase ending in punctuation ("auto:") needs no such check.
pub(super) fn phrase_at_start(key: &str, phrase: &str) -> bool {
    let Some(rest) = key.strip_prefix(phrase) else {
        return false;
    };
    if phrase.ends_with(|c: char| !c.is_alphanumeric()) {
        return true;
    }
    let rest = rest.trim_start();
    let Some(first) = rest.chars().next() else {
        return true;
    };
    if !first.is_alphanumeric() {
        return true;
    }
    let word = rest
        .split(|c: char| c.is_whitespace() || (c.is_ascii_punctuation() && c != '\''))
        .next()
        .unwrap_or("");
    CONTINUATIONS.contains(&word)
}

/// Out-of-office subject openings, as written; compared folded.
pub(super) const OUT_OF_OFFICE_SOURCE: &[&str] = &[
    // English (Exchange, Outlook, Gmail-style, Sieve vacation, Notes)
    "Automatic reply",
    "Automatic response",
    "Odpowiedź automatyczna",
    "Automatyczna odpowiedź",
    "Автовідповідь",
    "Автоматична відповідь",
    "Автоответ",
    "Автоматический ответ",
    "Avtomatski odgovor",
    "Automatski odgovor",
    "Αυτόματη απάντηση",
    "自动回复",
    "自動回覆",
    "自動応答",
    "자동 회신",
    "자동 응답",
    "【受付完了】",
    "【自動返信】",
    "自動返信",
    "【自动回复】",
    "受付完了",
    "Automated reply",
    "Automated response",
    "Auto reply",
    "Auto-reply",
    "AutoReply",
    "Auto response",
    "Auto-response",
    "AutoResponse",
    "Auto:",
    "Out of Office",
    "Out of the Office",
    "Out-of-Office",
    "Out of Office AutoReply",
    "Out of Office Reply",
    "OOO:",
    "Away from the office",
    "Away from office",
    "Vacation reply",
    "Vacation response",
    "Vacation autoreply",
    "Vacation auto-reply",
    "Vacation notice",
    "Holiday autoreply",
    "Holiday auto-reply",
    "On vacation",
    "On leave",
    "On holiday",
    // German
    "Automatische Antwort",
    "Automatische Abwesenheitsnotiz",
    "Abwesenheitsnotiz",
    "Abwesenheitsmeldung",
    "Abwesend",
    "Nicht im Büro",
    "Urlaubsabwesenheit",
    // French
    "Réponse automatique",
    "Réponse automatique d'absence du bureau",
    "Absence du bureau",
    "Absent du bureau",
    "Absente du bureau",
    "Message d'absence",
    // Spanish, Catalan
    "Respuesta automática",
    "Respuesta automática de fuera de la oficina",
    "Fuera de la oficina",
    "Fuera de oficina",
    "Fora de l'oficina",
    // Portuguese
    "Resposta automática",
    "Fora do escritório",
    "Ausente do escritório",
    "Ausência temporária",
    // Italian
    "Risposta automatica",
    "Fuori sede",
    "Fuori ufficio",
    "Risposta non al computer",
    "Non al computer",
    // Dutch
    "Automatisch antwoord",
    "Automatische reactie",
    "Afwezig",
    "Afwezigheidsmelding",
    "Afwezigheidsbericht",
    "Niet op kantoor",
    // Nordic
    "Automatiskt svar",
    "Automatisk svar",
    "Autosvar",
    "Frånvaro",
    "Fraværende",
    "Ikke på kontoret",
    "Ikke til stede",
    "Automaattinen vastaus",
    "Poissa toimistolta",
    "Poissaoloilmoitus",
    // Central and eastern Europe
    "Automatyczna odpowiedź",
    "Autoodpowiedź",
    "Poza biurem",
    "Nieobecność",
    "Automatikus válasz",
    "Házon kívül",
    "Automatická odpověď",
    "Automatická odpoveď",
    "Mimo kancelář",
    "Mimo kancelárie",
    "Răspuns automat",
    "În afara biroului",
    "Automatski odgovor",
    "Van ureda",
    "Samodejni odgovor",
    "Automaatne vastus",
    "Automātiskā atbilde",
    "Automatinis atsakymas",
    "Αυτόματη απάντηση",
    "Εκτός γραφείου",
    "Otomatik yanıt",
    "Otomatik cevap",
    "Ofis dışında",
    // Cyrillic
    "Автоматический ответ",
    "Автоответ",
    "Вне офиса",
    "Автоматична відповідь",
    "Поза офісом",
    "Автоматичен отговор",
    // Asia, Middle East
    "自動返信",
    "自動応答",
    "不在",
    "自动回复",
    "自動回覆",
    "自动答复",
    "自動回復",
    "자동 회신",
    "자동 응답",
    "부재중",
    "תשובה אוטומטית",
    "رد تلقائي",
    "Balasan otomatis",
    "Balasan automatik",
    "Trả lời tự động",
    "ตอบกลับอัตโนมัติ",
];

pub(super) static OUT_OF_OFFICE: LazyLock<Vec<String>> =
    LazyLock::new(|| fold_all(OUT_OF_OFFICE_SOURCE));

/// Ticket tags at the start of a subject (folded): `[#48213]`,
/// `[Ticket #123]`, `[Ticket#2024010110000012]`, `[rt.example.org #123]`,
/// `[Request ID :##RE-12345##]`; and unbracketed `Case 123456`,
/// `Ticket #1234`, `Ticket no. 123`.
pub(super) static ACK_SUBJECT_TAGS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    [
        r"^\[[^\]]{0,80}#\s?[a-z]{0,4}-?\d{3,}[^\]]{0,40}\]",
        r"^\[(?:ticket|case|request|incident|req|sr|inc)\s?(?:no\.?|nr\.?|id)?\s?:?\s?[a-z]{0,4}-?\d{3,}\]",
        r"^(?:ticket|case|request|incident|anfrage|vorgang|ticketnummer|demande|dossier|solicitud|caso|chamado|richiesta|melding)\s?(?:(?:#|no\.?|nr\.?|n[o°]\.?|number|id|nummer|numero)\s?:?\s?#?\s?[a-z]{0,4}-?\d{3,}|:?\s?[a-z]{0,4}-?\d{5,})\b",
    ]
    .iter()
    .map(|p| Regex::new(p).expect("valid regex"))
    .collect()
});

/// Acknowledgement subjects, whole phrases as in [`phrase_at_start`].
pub(super) const ACK_SUBJECTS_SOURCE: &[&str] = &[
    "Ticket received",
    "Request received",
    "Support request received",
    "Ticket created",
    "Ticket opened",
    "Support ticket opened",
    "New ticket",
    "Case created",
    "Case opened",
    "Ticket erhalten",
    "Anfrage erhalten",
    "Anfrage eingegangen",
    "Eingangsbestätigung",
    "Empfangsbestätigung",
    "Demande reçue",
    "Accusé de réception",
    "Solicitud recibida",
    "Acuse de recibo",
    "Confirmación de recepción",
    "Solicitação recebida",
    "Confirmação de recebimento",
    "Richiesta ricevuta",
    "Conferma di ricezione",
    "Ontvangstbevestiging",
    "Verzoek ontvangen",
    "Aanvraag ontvangen",
];

pub(super) static ACK_SUBJECTS: LazyLock<Vec<String>> =
    LazyLock::new(|| fold_all(ACK_SUBJECTS_SOURCE));

/// Acknowledgement subject openings, matched as plain prefixes.
pub(super) const ACK_SUBJECT_LEADS_SOURCE: &[&str] = &[
    "We have received your",
    "We've received your",
    "We received your",
    "Your request has been received",
    "Your ticket has been",
    "Thank you for contacting",
    "Thanks for contacting",
    "Wir haben Ihre",
    "Ihre Anfrage ist eingegangen",
    "Ihre Anfrage wurde",
    "Nous avons bien reçu",
    "Nous avons reçu votre",
    "Votre demande a été",
    "Hemos recibido su",
    "Hemos recibido tu",
    "Recebemos sua",
    "Recebemos a sua",
    "Recebemos seu",
    "Abbiamo ricevuto",
    "Wij hebben uw",
    "We hebben je",
    "We hebben uw",
];

pub(super) static ACK_SUBJECT_LEADS: LazyLock<Vec<String>> =
    LazyLock::new(|| fold_all(ACK_SUBJECT_LEADS_SOURCE));
