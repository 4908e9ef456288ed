//! Pure decisions: what to reply, the application's status. Who is a robot
//! is decided in [`crate::robot`].

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::answers::Extracted;
use crate::questions::QuestionSet;

/// How often an applicant can be sent the questions again, or a notice.
pub const RESEND_INTERVAL: Duration = Duration::hours(24);

/// Why a mail is listed for staff.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attention {
    Robot,
    NoAnswers,
    Closed,
    Unparseable,
    TooLarge,
    NoSender,
    Duplicate,
    Attachment,
    TooComplex,
}

impl Attention {
    pub fn as_str(self) -> &'static str {
        match self {
            Attention::Robot => "robot",
            Attention::NoAnswers => "no-answers",
            Attention::Closed => "closed",
            Attention::Unparseable => "unparseable",
            Attention::TooLarge => "too-large",
            Attention::NoSender => "no-sender",
            Attention::Duplicate => "duplicate",
            Attention::Attachment => "attachment",
            Attention::TooComplex => "too-complex",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Complete,
    Incomplete,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Complete => "complete",
            Status::Incomplete => "incomplete",
        }
    }
}

/// The subject of our reply: `Re: <theirs>` without stacking prefixes.
pub fn reply_subject(theirs: &str, fallback: &str) -> String {
    let mut s = theirs.trim();
    loop {
        let lower = s.to_ascii_lowercase();
        let stripped = ["re:", "aw:", "sv:", "antw:", "vs:", "odp:", "ynt:", "r:"]
            .iter()
            .find(|p| lower.starts_with(**p))
            .map(|p| s[p.len()..].trim_start());
        match stripped {
            Some(rest) => s = rest,
            None => break,
        }
    }
    let s: String = s.chars().filter(|c| !c.is_control()).collect();
    if s.trim().is_empty() {
        format!("Re: {fallback}")
    } else {
        format!("Re: {}", s.trim())
    }
}

/// What kind of reply to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Questions,
    Confirmation,
    Problems,
    Closed,
    Attachment,
}

impl Reply {
    pub fn as_str(self) -> &'static str {
        match self {
            Reply::Questions => "questions",
            Reply::Confirmation => "confirmation",
            Reply::Problems => "problems",
            Reply::Closed => "closed",
            Reply::Attachment => "attachment",
        }
    }
}

/// What is known about the sender before this mail.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub applicant: bool,
    pub last_questions_at: Option<DateTime<Utc>>,
    pub last_closed_notice_at: Option<DateTime<Utc>>,
    pub last_attachment_notice_at: Option<DateTime<Utc>>,
}

/// The decision for a mail from a person, before answers are merged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Store these answers, then confirm or name what is missing.
    Answers,
    /// Send the questions (or not, when sent recently); maybe list for staff.
    Questions {
        send: bool,
        attention: Option<Attention>,
    },
    /// The call is closed: notice (at most daily) and list for staff.
    Closed { send: bool },
    /// No answers in the body but a document attached: ask for answers in
    /// the body (at most daily) and list for staff.
    Attachment { send: bool },
}

fn due(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last.is_none_or(|t| now - t >= RESEND_INTERVAL)
}

pub fn plan(
    known: &Known,
    has_answers: bool,
    has_documents: bool,
    now: DateTime<Utc>,
    closes_at: Option<DateTime<Utc>>,
) -> Plan {
    if closes_at.is_some_and(|c| now > c) {
        return Plan::Closed {
            send: due(known.last_closed_notice_at, now),
        };
    }
    if has_answers {
        return Plan::Answers;
    }
    if has_documents {
        return Plan::Attachment {
            send: due(known.last_attachment_notice_at, now),
        };
    }
    if !known.applicant {
        return Plan::Questions {
            send: true,
            attention: None,
        };
    }
    Plan::Questions {
        send: due(known.last_questions_at, now),
        attention: Some(Attention::NoAnswers),
    }
}

/// The result of checking one mail's answers against the questions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// Question id to the value to store.
    pub valid: BTreeMap<String, String>,
    /// Question id to the reason it was refused.
    pub invalid: BTreeMap<String, String>,
}

pub fn check(extracted: &Extracted, questions: &QuestionSet) -> Checked {
    let mut out = Checked::default();
    for (id, raw) in &extracted.answers {
        let Some(q) = questions.by_id(id) else {
            continue;
        };
        match q.validate(raw) {
            Ok(v) => {
                out.valid.insert(id.clone(), v);
            }
            Err(e) => {
                out.invalid.insert(id.clone(), e.0);
            }
        }
    }
    out
}

/// Required questions with no stored answer, in question order.
pub fn missing(current: &BTreeMap<String, String>, questions: &QuestionSet) -> Vec<String> {
    questions
        .iter()
        .filter(|q| q.required && !current.contains_key(&q.id))
        .map(|q| q.id.clone())
        .collect()
}

pub fn status(current: &BTreeMap<String, String>, questions: &QuestionSet) -> Status {
    if missing(current, questions).is_empty() {
        Status::Complete
    } else {
        Status::Incomplete
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_do_not_stack() {
        assert_eq!(reply_subject("Application", "X"), "Re: Application");
        assert_eq!(reply_subject("Re: Application", "X"), "Re: Application");
        assert_eq!(
            reply_subject("RE: re: AW: Application", "X"),
            "Re: Application"
        );
        assert_eq!(reply_subject("", "Leadership"), "Re: Leadership");
        assert_eq!(reply_subject("Rebuild", "X"), "Re: Rebuild");
    }

    #[test]
    fn plans() {
        let now = Utc::now();
        let new = Known::default();
        assert_eq!(
            plan(&new, false, false, now, None),
            Plan::Questions {
                send: true,
                attention: None
            }
        );
        assert_eq!(plan(&new, true, false, now, None), Plan::Answers);
        let recent = Known {
            applicant: true,
            last_questions_at: Some(now - Duration::hours(2)),
            ..Default::default()
        };
        assert_eq!(
            plan(&recent, false, false, now, None),
            Plan::Questions {
                send: false,
                attention: Some(Attention::NoAnswers)
            }
        );
        let old = Known {
            last_questions_at: Some(now - Duration::hours(25)),
            ..recent.clone()
        };
        assert_eq!(
            plan(&old, false, false, now, None),
            Plan::Questions {
                send: true,
                attention: Some(Attention::NoAnswers)
            }
        );
        let closed = Some(now - Duration::seconds(1));
        assert_eq!(
            plan(&new, true, false, now, closed),
            Plan::Closed { send: true }
        );
        let noticed = Known {
            last_closed_notice_at: Some(now - Duration::hours(1)),
            ..Default::default()
        };
        assert_eq!(
            plan(&noticed, false, false, now, closed),
            Plan::Closed { send: false }
        );
    }
}
