//! The body's tells: the sentences robots open their mail with, read from
//! the first lines only, up to the first quote.

use std::sync::LazyLock;

use regex::Regex;

use super::fold;

/// Lines of the body read for tells: robots say what they are at once.
pub const BODY_LINES: usize = 20;
/// Characters of one body line read.
pub(super) const LINE_CHARS: usize = 400;

/// Sentences that open robots' mail, matched (folded) at the start of a
/// sentence, with the kind of robot they reveal.
pub(super) static BODY_TELLS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
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
        (
            r"^※?\s*(?:本|この)メールは.{0,16}(?:自動(?:送信|返信|配信)|送信専用)",
            AUTO,
        ),
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
pub(super) static QUOTE_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:>|-{2,}\s*(?:original|ursprüngliche|message d'origine|mensaje original|mensagem original|messaggio originale|oorspronkelijk)|_{10,}|(?:from|von|de|da|van|od|från|fra|lähettäjä|от|发件人|差出人)\s?:\s)|(?:wrote|schrieb|a écrit|escribió|escreveu|ha scritto|schreef|napisał|skrev|kirjoitti|написал|írta)\s?:\s*$",
    )
    .expect("valid regex")
});

/// Sentence starts in the head of the body: each paragraph's start, the
/// text after `.`, `!`, `?` or `;`, and after a short salutation ending in
/// a comma ("Dear customer, we have …"). Each comes with the rest of its
/// paragraph, so that a tell wrapped over two lines is still seen.
pub(super) fn sentence_starts(body: &str) -> Vec<String> {
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
pub(super) fn is_salutation(line: &str) -> bool {
    line.ends_with(',') && line.split_whitespace().count() <= 4
}

/// The first sentence of the body that reveals a robot, and the kind.
pub(super) fn body_tell(body: &str) -> Option<(String, &'static str)> {
    sentence_starts(body).into_iter().find_map(|s| {
        let folded = fold(&s);
        BODY_TELLS
            .iter()
            .find(|(re, _)| re.is_match(&folded))
            .map(|(_, kind)| (s, *kind))
    })
}
