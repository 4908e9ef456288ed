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

use crate::ingest::{HeaderFacts, Sender};

mod body;
mod subject;

pub use body::BODY_LINES;
use body::*;
use subject::*;

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
