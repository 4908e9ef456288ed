//! Everything stored about one address, as one serialisable document:
//! `mailintake export --email ADDR` prints it as JSON, and a "send me my
//! data" mail can carry the same.

use std::collections::BTreeMap;

use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::answers::Check;
use crate::domain::{Attention, MessageOutcome, Reply, Status};
use crate::store::{Store, StoreError, ts};

/// Everything stored about one address. With nothing stored, the same
/// shape: `application` null and every list empty (see
/// [`Export::is_empty`]). Times are RFC 3339 UTC text.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Export {
    /// The address asked about, lower-case (as stored).
    pub email: String,
    pub exported_at: String,
    pub application: Option<Application>,
    /// Every stored version of every answer, by question id and then
    /// oldest first; `current` marks the version in force.
    pub answer_history: Vec<AnswerVersion>,
    /// Answers held from its mail until the address confirms (mail that
    /// replied to none of ours), in the order they were held.
    pub held_answers: Vec<HeldAnswer>,
    /// Every stored mail from the address, in arrival order.
    pub mails: Vec<Mail>,
    /// Our replies to the address, oldest first.
    pub replies: Vec<OurReply>,
    /// Files it attached as answers to file questions, oldest first, with
    /// their content.
    pub files: Vec<File>,
}

/// A file attached as the answer to a file question.
#[derive(Debug, Clone, Serialize)]
pub struct File {
    /// Its id (`mailintake attachment ID`).
    pub id: i64,
    pub question: String,
    /// The applicant's name for it.
    pub name: String,
    /// The type found in its content.
    #[serde(rename = "type")]
    pub kind: crate::files::FileType,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    pub stored_at: String,
    /// The answer in force for its question.
    pub current: bool,
    /// Where the bytes are kept: `database`, or the path in
    /// `[files] directory`.
    pub kept_in: String,
    /// The content in [`Body`] form; `null` when it could not be read
    /// (`unreadable` says why).
    pub content: Option<Body>,
    pub unreadable: Option<String>,
}

/// The application as staff see it.
#[derive(Debug, Clone, Serialize)]
pub struct Application {
    pub name: Option<String>,
    pub status: Status,
    /// Arrival of the first mail.
    pub created_at: String,
    /// Arrival of the mail that last changed it.
    pub updated_at: String,
    /// The language code our mails to the address are written in.
    pub language: Option<String>,
    /// Question id to the current answer.
    pub answers: BTreeMap<String, String>,
    /// Current answers the reader had to guess about: why, and the text
    /// as written.
    pub checks: BTreeMap<String, Check>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AnswerVersion {
    pub question: String,
    pub value: String,
    pub stored_at: String,
    pub current: bool,
    pub check: Option<Check>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeldAnswer {
    pub question: String,
    pub value: String,
    pub held_at: String,
    pub check: Option<Check>,
}

/// A stored mail: header fields, what became of it, and the mail itself.
#[derive(Debug, Clone, Serialize)]
pub struct Mail {
    /// Without angle brackets.
    pub message_id: Option<String>,
    pub from: Option<String>,
    pub from_name: Option<String>,
    pub subject: String,
    /// Arrival in the mailbox.
    pub received_at: String,
    pub processed_at: String,
    /// Bytes as received.
    pub size: i64,
    pub outcome: MessageOutcome,
    /// Why it is listed for staff, if it is.
    pub attention: Option<Attention>,
    pub detail: Option<String>,
    /// The mail as received, in [`Body`] form; `null` once purged.
    pub raw: Option<Body>,
    /// When the raw mail was purged by retention.
    pub raw_purged_at: Option<String>,
}

/// One of our replies (a row of the outbox).
#[derive(Debug, Clone, Serialize)]
pub struct OurReply {
    pub kind: &'static str,
    /// Without angle brackets.
    pub message_id: String,
    pub created_at: String,
    pub sent_at: Option<String>,
    /// When it was given up (the server refused it).
    pub failed_at: Option<String>,
    /// The whole message as sent, in [`Body`] form; `null` once purged,
    /// and for a data copy (which holds every earlier one).
    pub message: Option<Body>,
    pub purged_at: Option<String>,
}

/// A mail's bytes: as text when they are UTF-8 (nearly every mail: MIME
/// keeps attachments and other charsets in 7-bit encodings), else base64
/// (RFC 4648, with padding), so that nothing is lost either way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Body {
    /// `utf-8` or `base64`.
    pub encoding: &'static str,
    pub data: String,
}

impl Body {
    /// `bytes` as text when they are UTF-8, else as base64.
    pub fn of(bytes: Vec<u8>) -> Body {
        match String::from_utf8(bytes) {
            Ok(text) => Body {
                encoding: "utf-8",
                data: text,
            },
            Err(e) => Body {
                encoding: "base64",
                data: base64::engine::general_purpose::STANDARD.encode(e.as_bytes()),
            },
        }
    }
}

impl Export {
    /// The application's status as staff see it in the report: a stored
    /// `complete` or `incomplete` follows the current answers and today's
    /// questions ([`crate::domain::standing`], the one status rule), so
    /// that an export never disagrees with the report.
    pub fn standing(mut self, questions: &crate::questions::QuestionSet) -> Self {
        if let Some(a) = self.application.as_mut() {
            a.status = crate::domain::standing(a.status, &a.answers, questions);
        }
        self
    }

    /// Nothing is stored about the address.
    pub fn is_empty(&self) -> bool {
        self.application.is_none()
            && self.answer_history.is_empty()
            && self.held_answers.is_empty()
            && self.mails.is_empty()
            && self.replies.is_empty()
            && self.files.is_empty()
    }
}

/// Everything stored about `address` (any case), at `now`.
///
/// # Errors
/// A database error, or a stored value this version does not know.
pub async fn export(
    store: &Store,
    address: &str,
    now: DateTime<Utc>,
) -> Result<Export, StoreError> {
    let email = address.trim().to_lowercase();
    let stored = store.application_of(&email).await?;
    let answer_history = match &stored {
        Some(a) => store
            .answer_history(a.id)
            .await?
            .into_iter()
            .map(|v| AnswerVersion {
                question: v.question_id,
                value: v.value,
                stored_at: v.created_at,
                current: v.current,
                check: v.check,
            })
            .collect(),
        None => Vec::new(),
    };
    let application = stored.map(|a| Application {
        name: a.name,
        status: a.status,
        created_at: a.created_at,
        updated_at: a.updated_at,
        language: a.language,
        answers: a.current.values,
        checks: a.current.checks,
    });
    let held_answers = store
        .held_from(&email)
        .await?
        .into_iter()
        .map(|h| HeldAnswer {
            question: h.question_id,
            value: h.value,
            held_at: h.created_at,
            check: h.check,
        })
        .collect();
    let mails = store
        .mails_from(&email)
        .await?
        .into_iter()
        .map(|m| Mail {
            message_id: m.message_id,
            from: m.from_addr,
            from_name: m.from_name,
            subject: m.subject,
            received_at: m.received_at,
            processed_at: m.processed_at,
            size: m.size,
            outcome: m.outcome,
            attention: m.attention,
            detail: m.detail,
            raw: m.raw.map(Body::of),
            raw_purged_at: m.raw_purged_at,
        })
        .collect();
    let replies = store
        .replies_to(&email)
        .await?
        .into_iter()
        .map(|r| OurReply {
            kind: Reply::as_str(r.kind),
            message_id: r.rfc822_id,
            created_at: r.created_at,
            sent_at: r.sent_at,
            failed_at: r.failed_at,
            // A data copy holds every earlier one: repeated, each copy
            // would be twice the size of the last.
            message: r.body.filter(|_| r.kind != Reply::DataCopy).map(Body::of),
            purged_at: r.body_purged_at,
        })
        .collect();
    let mut files = Vec::new();
    for f in store.files(Some(&email)).await? {
        let (content, unreadable) = match store.file_bytes(f.id).await {
            Ok((_, bytes)) => (Some(Body::of(bytes)), None),
            Err(crate::store::FileError::Store(e)) => return Err(e),
            Err(e) => (None, Some(e.to_string())),
        };
        files.push(File {
            id: f.id,
            question: f.question_id,
            name: f.name,
            kind: f.kind,
            size: f.size,
            sha256: f.sha256,
            stored_at: f.created_at,
            current: f.current,
            kept_in: f.path.unwrap_or_else(|| "database".into()),
            content,
            unreadable,
        });
    }
    Ok(Export {
        email,
        exported_at: ts(now),
        application,
        answer_history,
        held_answers,
        mails,
        replies,
        files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bytes_stay_text_and_others_are_base64() {
        assert_eq!(
            Body::of("Grüße\r\n".as_bytes().to_vec()),
            Body {
                encoding: "utf-8",
                data: "Grüße\r\n".into()
            }
        );
        // Latin-1 "Grüße": not UTF-8, so base64 of the very bytes.
        assert_eq!(
            Body::of(b"Gr\xfc\xdfe".to_vec()),
            Body {
                encoding: "base64",
                data: "R3L832U=".into()
            }
        );
    }

    #[test]
    fn the_exported_status_follows_the_one_status_rule() {
        let questions = crate::questions::QuestionSet::parse(
            "[[question]]\nid = \"name\"\nprompt = \"Name?\"\nrequired = true\nmin_length = 5\n",
            std::path::Path::new("q.toml"),
        )
        .expect("questions");
        let with = |status: Status, name: &str| Export {
            application: Some(Application {
                name: None,
                status,
                created_at: String::new(),
                updated_at: String::new(),
                language: None,
                answers: [("name".to_string(), name.to_string())].into(),
                checks: BTreeMap::new(),
            }),
            ..Export::default()
        };
        let status = |e: Export| e.standing(&questions).application.map(|a| a.status);
        // Stored complete under an older rule: today's rule decides.
        assert_eq!(
            status(with(Status::Complete, "Ada")),
            Some(Status::Incomplete)
        );
        assert_eq!(
            status(with(Status::Incomplete, "Ada Lovelace")),
            Some(Status::Complete)
        );
        assert_eq!(
            status(with(Status::Withdrawn, "Ada")),
            Some(Status::Withdrawn)
        );
        assert_eq!(status(Export::default()), None);
    }
}
