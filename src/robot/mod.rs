//! Who wrote a mail: a person, or a robot that must never be answered.
//!
//! One pure decision, facts in and a [`Verdict`] out, in two strengths:
//!
//! - [`Certainty::Header`]: the sender says it is a machine, in the ways
//!   mail protocols and long practice define: `Auto-Submitted` with any
//!   value but `no` (RFC 3834, "Recommendations for Automatic Responses to
//!   Electronic Mail", section 5); `Precedence: bulk | list | junk` (never
//!   standardised, but what list servers and vacation programs have long
//!   set and honoured) and `auto_reply`; mailing-list headers (`List-Id`,
//!   RFC 2919; `List-Unsubscribe`, RFC 2369), since RFC 3834 asks responders
//!   not to answer list mail; the empty envelope sender (`Return-Path: <>`,
//!   RFC 5321) of bounces and reports; delivery and read reports
//!   (`multipart/report`, RFC 6522); our own address; and the senders kept
//!   for machines (`MAILER-DAEMON`, `postmaster`, `no-reply` and its
//!   spellings).
//! - [`Certainty::Subject`]: the subject opens with a robot's own words
//!   ("Automatic reply:", "[#12345]", "Read:") with no reply prefix before
//!   them: the machine wrote it. Never answered, answers or not.
//! - [`Certainty::Content`]: the mail looks machine-made but says so in no
//!   standard way. Exchange out-of-office replies, for one, often carry no
//!   RFC 3834 header at all, only a localized subject prefix. These tells
//!   are the subject, non-standard autoresponder headers, helpdesk
//!   software's headers, and the first lines of the body. A person could
//!   write any of them, so answers in the mail outweigh them ([`decide`]).
//!
//! `X-Auto-Response-Suppress` decides nothing: Exchange and Outlook add it
//! to people's ordinary mail too (it asks *others* not to auto-reply).
//!
//! Where the lists come from (facts learned, no code copied):
//! - out-of-office subjects: the prefixes Microsoft Exchange and Outlook put
//!   on automatic replies in their display languages ("Automatic reply:",
//!   "Automatische Antwort:", "Réponse automatique :", "自動応答:", …), the
//!   older Outlook "Out of Office AutoReply:" family ("Abwesend:",
//!   "Absence du bureau", "Fuori sede", "Risposta non al computer", …),
//!   other autoresponders' defaults (Sieve vacation "Auto-Reply:", Lotus
//!   Notes "Auto:", "Autosvar"), and the subject lists that other projects'
//!   auto-reply checks use; the real Exchange reply that started this
//!   module had no RFC 3834 header, only "Automatische Antwort:";
//! - autoresponder headers: those that vacation and autoresponder programs
//!   add instead of `Auto-Submitted`, as listed by other projects' mail-loop
//!   checks, and Exchange's `X-MS-Exchange-Generated-Message-Source` (set to
//!   "Mailbox Rules Agent" on replies its inbox rules generate);
//! - helpdesk headers: Request Tracker's (`RT-Ticket`, `RT-Originator`,
//!   `X-RT-Loop-Prevention`, added by its `SendEmail` action), and the
//!   `X-Zendesk-*`, `X-Freshdesk-*`, `X-OTRS-*`/`X-Znuny-*`, `X-Zammad-*`,
//!   `X-HelpScout-*`, `X-Kayako-*` and `X-JIRA-FingerPrint` families those
//!   products use;
//! - helpdesk acknowledgements: the default subjects and opening sentences
//!   of "we have received your request" mails, ticket tags such as
//!   `[#12345]`, `[Ticket#2024…]` (OTRS) and `[host #123]` (RT), and the
//!   "this is an automated message / do not reply" sentences of no-reply
//!   mail, in English, German, French, Spanish, Portuguese, Italian and
//!   Dutch.

use std::sync::LazyLock;

use regex::Regex;

use crate::ingest::{HeaderFacts, Sender};

/// How sure a robot verdict is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Certainty {
    /// A protocol tell: the sender declares itself a machine.
    Header,
    /// The subject opens with a robot's own words ("Automatic reply:",
    /// "[#58310] …", "Read: …") and no reply prefix: the machine wrote the
    /// subject, so numbered lines in its text are not an applicant's.
    Subject,
    /// A content tell: a machine by all appearances, but a person could
    /// have written it.
    Content,
}

/// Who wrote a mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Person,
    Robot {
        /// Why, in words for staff: `header X-Autoreply: yes`,
        /// `subject "Automatische Antwort: …" (out-of-office)`.
        reason: String,
        certainty: Certainty,
    },
}

/// What the pipeline does with a mail, given its verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// A person's mail: processed and answered.
    Person,
    /// Content tells, but the mail holds answers: processed and answered as
    /// a person's. `tell` is the robot reason that was overruled, for logs.
    PersonDespite { tell: String },
    /// Listed for staff as `robot`, never answered.
    Robot { reason: String },
}

/// The rule: a protocol tell always makes a robot; a content tell only
/// when no answers were found in the mail, because answers are what a
/// person writes and losing them is worse than one reply to a machine.
pub fn decide(verdict: &Verdict, answers_found: bool) -> Decision {
    // Only a content tell outside the robot's own subject loses to answers.
    match verdict {
        Verdict::Person => Decision::Person,
        Verdict::Robot {
            reason,
            certainty: Certainty::Content,
        } if answers_found => Decision::PersonDespite {
            tell: reason.clone(),
        },
        Verdict::Robot { reason, .. } if answers_found => Decision::Robot {
            reason: format!("{reason}; it holds answers, not stored"),
        },
        Verdict::Robot { reason, .. } => Decision::Robot {
            reason: reason.clone(),
        },
    }
}

/// Person or robot, from the header facts, the sender, the subject and the
/// plain-text body (of which only the first [`BODY_LINES`] lines are read,
/// up to the first quoted line).
pub fn verdict(
    facts: &HeaderFacts,
    from: Option<&Sender>,
    team_address: &str,
    subject: &str,
    body: &str,
) -> Verdict {
    if let Some(reason) = protocol_tell(facts, from, team_address) {
        return Verdict::Robot {
            reason,
            certainty: Certainty::Header,
        };
    }
    match content_tell(facts, subject, body) {
        Some((reason, own_subject)) => Verdict::Robot {
            reason,
            certainty: if own_subject {
                Certainty::Subject
            } else {
                Certainty::Content
            },
        },
        None => Verdict::Person,
    }
}

/// The tells of [`Certainty::Header`].
fn protocol_tell(facts: &HeaderFacts, from: Option<&Sender>, team: &str) -> Option<String> {
    if let Some(v) = &facts.auto_submitted
        && v.split(';').next().map(str::trim) != Some("no")
    {
        return Some(format!("header Auto-Submitted: {v}"));
    }
    if let Some(p) = &facts.precedence
        && matches!(p.as_str(), "bulk" | "list" | "junk" | "auto_reply")
    {
        return Some(format!("header Precedence: {p}"));
    }
    if facts.has_list_headers {
        return Some("mailing-list headers (List-Id or List-Unsubscribe)".into());
    }
    if facts.empty_return_path {
        return Some("empty envelope sender (Return-Path: <>)".into());
    }
    if facts.is_report {
        return Some("delivery or read report (multipart/report)".into());
    }
    let from = from?;
    if from.address.eq_ignore_ascii_case(team) {
        return Some("sent from the team address".into());
    }
    let local = from
        .address
        .split('@')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let machine = matches!(
        local.as_str(),
        "mailer-daemon" | "mailer_daemon" | "mailerdaemon" | "postmaster"
    ) || [
        "no-reply",
        "noreply",
        "no_reply",
        "no.reply",
        "donotreply",
        "do-not-reply",
        "do_not_reply",
        "do.not.reply",
    ]
    .iter()
    .any(|p| local.starts_with(p));
    machine.then(|| format!("sender {}", from.address))
}

/// Non-standard autoresponder headers, by lower-case name. Present with
/// any value but a negative one (`no`, `false`, `0`, `off`), they are a content tell.
pub const AUTOREPLY_HEADERS: &[&str] = &[
    "x-autoreply",
    "x-autorespond",
    "x-autoresponder",
    "x-autoresponse",
    "x-auto-response",
    "x-autogenerated",
    "x-auto-generated",
    "x-auto-reply",
    "x-autoreply-from",
    "x-mail-autoreply",
    "x-vacation",
    "x-ms-exchange-generated-message-source",
];

/// Exact lower-case names of helpdesk software's headers.
const HELPDESK_HEADERS: &[&str] = &[
    "rt-ticket",
    "rt-originator",
    "x-rt-loop-prevention",
    "x-rt-ticket",
    "x-jira-fingerprint",
];

/// Lower-case prefixes of helpdesk software's headers.
const HELPDESK_HEADER_PREFIXES: &[&str] = &[
    "x-zendesk-",
    "x-freshdesk-",
    "x-otrs-",
    "x-znuny-",
    "x-zammad-",
    "x-helpscout-",
    "x-kayako-",
];

/// Whether a header (by name, any case) is one helpdesk software adds.
pub fn is_helpdesk_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    HELPDESK_HEADERS.contains(&name.as_str())
        || HELPDESK_HEADER_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Whether a header (by name, any case) is one of [`AUTOREPLY_HEADERS`].
pub fn is_autoreply_header(name: &str) -> bool {
    AUTOREPLY_HEADERS.contains(&name.to_ascii_lowercase().as_str())
}

/// A header value that says "not an auto-reply".
fn is_negative(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "" | "no" | "false" | "0" | "off"
    )
}

/// The tells of [`Certainty::Content`].
/// The content tell, and whether it is the subject's own opening words (no
/// reply prefix before them: a machine wrote that subject).
fn content_tell(facts: &HeaderFacts, subject: &str, body: &str) -> Option<(String, bool)> {
    if let Some(h) = facts
        .autoreply_headers
        .iter()
        .find(|h| h.split_once(':').is_some_and(|(_, v)| !is_negative(v)))
    {
        return Some((format!("header {h}"), false));
    }
    if let Some(h) = facts.helpdesk_headers.first() {
        return Some((format!("header {h} (helpdesk software)"), false));
    }
    let key = subject_key(subject);
    let own = key == fold(subject).trim();
    if OUT_OF_OFFICE.iter().any(|p| phrase_at_start(&key, p)) {
        return Some((format!("subject {} (out-of-office)", quoted(subject)), own));
    }
    if RECEIPTS.iter().any(|p| key.starts_with(p.as_str())) {
        return Some((
            format!(
                "subject {} (read receipt or calendar reply)",
                quoted(subject)
            ),
            own,
        ));
    }
    if ACK_SUBJECT_TAGS.iter().any(|re| re.is_match(&key))
        || ACK_SUBJECTS.iter().any(|p| phrase_at_start(&key, p))
        || ACK_SUBJECT_LEADS
            .iter()
            .any(|p| key.starts_with(p.as_str()))
    {
        // A ticket tag is put before a person's subject too, when they write
        // from within a ticketing system: it is never the robot's own word.
        let phrase = !ACK_SUBJECT_TAGS.iter().any(|re| re.is_match(&key));
        return Some((
            format!("subject {} (helpdesk acknowledgement)", quoted(subject)),
            own && phrase,
        ));
    }
    body_tell(body).map(|(sentence, kind)| (format!("body {} ({kind})", quoted(&sentence)), false))
}

/// Subjects of read receipts and calendar replies, which some clients send
/// as ordinary mail ("Read: Application", "Accepted: Interview").
const RECEIPTS_SOURCE: &[&str] = &[
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
static RECEIPTS: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(RECEIPTS_SOURCE));

/// Lower case, accents and compatibility forms folded (full-width colons
/// become `:`), whitespace collapsed, typographic apostrophes plain, the
/// Turkish dotless i as `i`.
fn fold(s: &str) -> String {
    crate::questions::fold(s)
        .replace('ı', "i")
        .replace(['’', '‘', 'ʼ'], "'")
}

fn fold_all(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| fold(s)).collect()
}

/// Reply and forward prefixes a client may put before a robot's subject.
static REPLY_PREFIXES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:re|aw|sv|antw|antwort|vs|odp|ynt|r|ref|rif|fw|fwd|wg|tr|rv|enc|doorst|vl|ha|res|回复|回覆|答复)(?:\[\d+\])?\s?:\s*)+",
    )
    .expect("valid regex")
});

/// The subject as compared: folded, reply prefixes removed.
fn subject_key(subject: &str) -> String {
    let folded = fold(subject);
    REPLY_PREFIXES.replace(&folded, "").trim().to_string()
}

/// Words that may follow an out-of-office phrase directly, as in
/// "Out of office until 3 May" or "Abwesend bis 12.7.".
const CONTINUATIONS: &[&str] = &[
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
fn phrase_at_start(key: &str, phrase: &str) -> bool {
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
const OUT_OF_OFFICE_SOURCE: &[&str] = &[
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

static OUT_OF_OFFICE: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(OUT_OF_OFFICE_SOURCE));

/// Ticket tags at the start of a subject (folded): `[#48213]`,
/// `[Ticket #123]`, `[Ticket#2024010110000012]`, `[rt.example.org #123]`,
/// `[Request ID :##RE-12345##]`; and unbracketed `Case 123456`,
/// `Ticket #1234`, `Ticket no. 123`.
static ACK_SUBJECT_TAGS: LazyLock<Vec<Regex>> = LazyLock::new(|| {
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
const ACK_SUBJECTS_SOURCE: &[&str] = &[
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

static ACK_SUBJECTS: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(ACK_SUBJECTS_SOURCE));

/// Acknowledgement subject openings, matched as plain prefixes.
const ACK_SUBJECT_LEADS_SOURCE: &[&str] = &[
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

static ACK_SUBJECT_LEADS: LazyLock<Vec<String>> =
    LazyLock::new(|| fold_all(ACK_SUBJECT_LEADS_SOURCE));

/// Lines of the body read for tells: robots say what they are at once.
pub const BODY_LINES: usize = 20;
/// Characters of one body line read.
const LINE_CHARS: usize = 400;

/// Sentences that open robots' mail, matched (folded) at the start of a
/// sentence, with the kind of robot they reveal.
static BODY_TELLS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    const ACK: &str = "helpdesk acknowledgement";
    const AUTO: &str = "automated message";
    const OOO: &str = "out-of-office";
    const GONE: &str = "address not read by a person";
    [
        // English
        (
            r"^(?:we have|we've|we) (?:successfully |now )?received your (?:request|message|e-?mail|mail|enquiry|inquiry|ticket|query|support request|application|submission|case)",
            ACK,
        ),
        (
            r"^your (?:request|message|e-?mail|ticket|enquiry|inquiry|case|query) (?:has been|was|is being) (?:received|created|logged|registered|opened|forwarded)",
            ACK,
        ),
        (
            r"^(?:a |your )?(?:new )?(?:support )?(?:ticket|case|request) (?:\S+ )?(?:has been|was) (?:created|opened|logged|registered)",
            ACK,
        ),
        (
            r"^this is an? (?:automated|automatic|auto-generated|auto generated|automatically generated|automatic generated) (?:response|reply|message|e-?mail|mail|notification|acknowledg)",
            AUTO,
        ),
        (
            r"^this (?:message|e-?mail|mail|reply|response|notification) (?:was|is|has been) (?:sent |generated |created )?automatically",
            AUTO,
        ),
        (
            r"^this (?:message|e-?mail|mail|reply|response|notification) (?:was|is|has been) (?:automatically generated|auto-generated|generated automatically)",
            AUTO,
        ),
        (
            r"^(?:please )?(?:do not|don't|dont) (?:reply|respond) (?:directly )?to this (?:e-?mail|message|mail|address|notification)",
            AUTO,
        ),
        (
            r"^this (?:mailbox|e-?mail address|address|inbox) is (?:not monitored|unmonitored|unattended|not checked)",
            AUTO,
        ),
        // German
        (
            r"^wir haben ihre (?:anfrage|nachricht|e-?mail|mail|bewerbung|mitteilung|meldung) (?:\S+ )?(?:erhalten|bekommen)",
            ACK,
        ),
        (
            r"^ihre (?:anfrage|nachricht|e-?mail|mail|meldung) (?:ist|wurde) (?:bei uns )?(?:eingegangen|erhalten|registriert|aufgenommen)",
            ACK,
        ),
        (
            r"^dies ist eine (?:automatische|automatisch generierte|automatisch erstellte) (?:antwort|nachricht|e-?mail|mail|benachrichtigung|eingangsbestatigung)",
            AUTO,
        ),
        (
            r"^diese (?:nachricht|e-?mail|mail) wurde automatisch",
            AUTO,
        ),
        (r"^bitte antworten sie nicht auf diese", AUTO),
        (
            r"^bitte nicht auf diese (?:e-?mail|nachricht|mail) antworten",
            AUTO,
        ),
        // French
        (
            r"^nous avons (?:bien )?recu votre (?:demande|message|e-?mail|courriel|mail|requete|candidature|dossier)",
            ACK,
        ),
        (
            r"^votre (?:demande|message|requete|courriel) a (?:bien )?ete (?:recue?|enregistree?|prise? en compte|transmise?)",
            ACK,
        ),
        (
            r"^ceci est (?:une reponse|un message|un e-?mail|un courriel|un mail) automatique",
            AUTO,
        ),
        (
            r"^ce (?:message|courriel|mail|e-?mail) (?:a ete|est) (?:genere|envoye) automatiquement",
            AUTO,
        ),
        (
            r"^(?:merci de ne pas|veuillez ne pas|priere de ne pas|ne pas) repondre a ce",
            AUTO,
        ),
        // Spanish
        (
            r"^hemos recibido (?:correctamente )?(?:su|tu) (?:solicitud|mensaje|correo|consulta|peticion|e-?mail)",
            ACK,
        ),
        (
            r"^(?:su|tu) (?:solicitud|mensaje|consulta|peticion) (?:ha sido|fue) (?:recibid[oa]|registrad[oa])",
            ACK,
        ),
        (
            r"^(?:este es un (?:mensaje|correo) automatico|esta es una respuesta automatica)",
            AUTO,
        ),
        (r"^(?:por favor,? )?no (?:responda|respondas|conteste) a este", AUTO),
        // Portuguese
        (
            r"^recebemos (?:a |o )?(?:sua|seu|tua|teu) (?:solicitacao|mensagem|pedido|e-?mail|contato|contacto)",
            ACK,
        ),
        (
            r"^(?:esta e uma (?:resposta|mensagem) automatica|este e um (?:e-?mail|email) automatico)",
            AUTO,
        ),
        (r"^(?:por favor,? )?nao responda a este", AUTO),
        // Italian
        (
            r"^abbiamo ricevuto (?:correttamente )?(?:la |il )?(?:sua|tua|suo|tuo|vostra|vostro) (?:richiesta|messaggio|e-?mail|mail|segnalazione)",
            ACK,
        ),
        (
            r"^(?:questa e una (?:risposta|e-?mail|mail) automatica|questo e un messaggio (?:automatico|generato automaticamente))",
            AUTO,
        ),
        (
            r"^(?:si prega di non|per favore non|non) rispondere a quest",
            AUTO,
        ),
        // Dutch
        (
            r"^(?:wij|we) hebben (?:uw|je|jouw) (?:verzoek|bericht|e-?mail|mail|aanvraag|vraag|melding) (?:in goede orde )?ontvangen",
            ACK,
        ),
        (
            r"^dit is een automatisch (?:antwoord|bericht|gegenereerd|verzonden)",
            AUTO,
        ),
        // Out of the office, said in the body only.
        (
            r"^(?:i am|i'm|i will be|i'll be|i shall be) (?:currently |now |presently )?(?:out of (?:the )?office|away from (?:the |my )?(?:office|desk)|on (?:annual |parental |maternity |paternity |sick |study )?leave|on (?:vacation|holiday|holidays)|out of the country)",
            OOO,
        ),
        (
            r"^(?:estoy|estare|me encuentro|estaré) (?:actualmente )?(?:fuera de (?:la )?oficina|de vacaciones|ausente|de viaje)",
            OOO,
        ),
        (
            r"^ich bin (?:bis .{1,40} |derzeit |zurzeit |momentan )?(?:nicht im buro|im urlaub|abwesend|ausser haus|nicht erreichbar)",
            OOO,
        ),
        (
            r"^je (?:suis|serai) (?:actuellement |absent\S* )?(?:absente?|en conges?|en vacances|hors du bureau|en deplacement)",
            OOO,
        ),
        (
            r"^(?:sono|saro) (?:attualmente )?(?:fuori (?:ufficio|sede)|in ferie|assente)",
            OOO,
        ),
        (
            r"^(?:estou|estarei) (?:atualmente )?(?:fora do escritorio|de ferias|ausente)",
            OOO,
        ),
        (
            r"^ik ben (?:tot .{1,40} |momenteel |op dit moment )?(?:afwezig|met vakantie|niet op kantoor|niet aanwezig)",
            OOO,
        ),
        (
            r"^(?:jestem|bede|będę) (?:obecnie )?(?:poza biurem|na urlopie|nieobecn)",
            OOO,
        ),
        (r"^я (?:сейчас |буду )?(?:в отпуске|вне офиса|в командировке)", OOO),
        (r"^(?:不在にしております|休暇中|我正在休假|我目前不在办公室)", OOO),
        // Mail that does not reach a person at all.
        (
            r"^(?:this|the|my) (?:e-?mail )?(?:address|mailbox|account) (?:is|has been) no longer (?:active|in use|monitored|valid)",
            GONE,
        ),
        (
            r"^diese (?:e-?mail-?adresse|adresse|mailbox) (?:ist|wird) nicht mehr (?:aktiv|gelesen|genutzt|verwendet)",
            GONE,
        ),
        (
            r"^(?:your (?:message|e-?mail) (?:to .{1,80} )?(?:was|has been) (?:waitlisted|held|quarantined)|please (?:verify|confirm) that you are (?:a )?(?:real )?(?:person|human))",
            GONE,
        ),
        (r"^(?:本メールは自動送信|このメールは自動送信|本メールは送信専用)", AUTO),
        (
            r"^(?:gelieve|graag|u kunt) niet (?:te )?(?:antwoorden|reageren) op",
            AUTO,
        ),
    ]
    .into_iter()
    .map(|(p, kind)| (Regex::new(p).expect("valid regex"), kind))
    .collect()
});

/// A line after which the rest of the body is someone else's text: a
/// quote, an attribution line, an Outlook original-message block.
static QUOTE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:>|-{2,}\s*(?:original|ursprüngliche|message d'origine|mensaje original|mensagem original|messaggio originale|oorspronkelijk)|_{10,}|(?:from|von|de|da|van|od|från|fra|lähettäjä|от|发件人|差出人)\s?:\s)|(?:wrote|schrieb|a écrit|escribió|escreveu|ha scritto|schreef|napisał|skrev|kirjoitti|написал|írta)\s?:\s*$",
    )
    .expect("valid regex")
});

/// Sentence starts in the head of the body: each paragraph's start, the
/// text after `.`, `!`, `?` or `;`, and after a short salutation ending in
/// a comma ("Dear customer, we have …"). Each comes with the rest of its
/// paragraph, so that a tell wrapped over two lines is still seen.
fn sentence_starts(body: &str) -> Vec<String> {
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in body.lines().take(BODY_LINES) {
        if QUOTE_START.is_match(line) {
            break;
        }
        let line: String = line.chars().take(LINE_CHARS).collect();
        let line = line.trim();
        if line.is_empty() {
            if !current.is_empty() {
                paragraphs.push(std::mem::take(&mut current));
            }
            continue;
        }
        // A salutation on its own line is a paragraph of its own.
        let salutation = current.is_empty() && is_salutation(line);
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(line);
        if salutation {
            paragraphs.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        paragraphs.push(current);
    }

    let mut starts = Vec::new();
    for p in &paragraphs {
        starts.push(p.clone());
        if let Some((head, tail)) = p.split_once(',')
            && is_salutation(&format!("{head},"))
        {
            starts.push(tail.trim_start().to_string());
        }
        let mut chars = p.char_indices().peekable();
        while let Some((_, c)) = chars.next() {
            if matches!(c, '.' | '!' | '?' | ';')
                && let Some((i, next)) = chars.peek().copied()
                && next.is_whitespace()
            {
                let rest = p[i..].trim_start();
                if !rest.is_empty() {
                    starts.push(rest.to_string());
                }
            }
        }
    }
    starts
}

/// A short line ending in a comma: "Dear customer," "Hello Ada,".
fn is_salutation(line: &str) -> bool {
    line.ends_with(',') && line.split_whitespace().count() <= 4
}

/// The first sentence of the body that reveals a robot, and the kind.
fn body_tell(body: &str) -> Option<(String, &'static str)> {
    sentence_starts(body).into_iter().find_map(|s| {
        let folded = fold(&s);
        BODY_TELLS
            .iter()
            .find(|(re, _)| re.is_match(&folded))
            .map(|(_, kind)| (s, *kind))
    })
}

/// `"text"`, shortened to 60 characters with an ellipsis.
fn quoted(text: &str) -> String {
    let text = text.trim();
    let short: String = text.chars().take(60).collect();
    if short.len() < text.len() {
        format!("\"{}…\"", short.trim_end())
    } else {
        format!("\"{short}\"")
    }
}

#[cfg(test)]
mod tests;
