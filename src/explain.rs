//! `mailintake explain MAIL.eml`: how one mail was read, for operators and
//! for checking the reader. No server and no database: the mail file and
//! the questions are all it needs.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::answers::{Check, Cut, Extractor};
use crate::domain;
use crate::ingest::{self, IngestError};
use crate::robot::{self, Decision};

/// Everything the reader decided about one mail.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub from: Option<String>,
    pub subject: String,
    /// `None` for a person; otherwise why the mail looks machine-made,
    /// and whether it is answered all the same.
    pub robot: Option<RobotVerdict>,
    /// Which MIME part(s) the text was read from.
    pub part: String,
    /// Attached documents (listed for staff, never read).
    pub attachments: Vec<String>,
    /// Every block not read as an answer, in body order.
    pub cuts: Vec<Cut>,
    /// Each answer found, by question id, in question order.
    pub answers: Vec<Answer>,
    /// Answers marked `check` for staff, by question id.
    pub checks: BTreeMap<String, Check>,
}

/// Why a mail looks machine-made (RFC 3834 headers, or its content).
#[derive(Debug, Clone, Serialize)]
pub struct RobotVerdict {
    pub reason: String,
    /// `false`: listed for staff as `robot`, never answered. `true`: a
    /// content tell overruled by the answers the mail holds.
    pub answered: bool,
}

/// One answer as found, and what validation made of it.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub question: String,
    pub number: usize,
    /// The text as read from the mail.
    pub read: String,
    /// What would be stored (as given when it fails the question), or
    /// `None` when it cannot be stored at all.
    pub stored: Option<String>,
    /// Why it is not accepted.
    pub refused: Option<String>,
}

/// Reads `raw` the way the daemon does and says how.
///
/// # Errors
/// [`IngestError`] when the bytes are not a mail at all, or too complex.
pub fn explain(
    raw: &[u8],
    extractor: &Extractor,
    team_address: &str,
) -> Result<Explanation, IngestError> {
    let inbound = ingest::parse(raw)?;
    let sender = inbound.from.as_ref();
    let extracted = extractor.read(&inbound.body, sender.and_then(|s| s.name.as_deref()));
    let verdict = robot::verdict(
        &inbound.facts,
        sender,
        team_address,
        &inbound.subject,
        &inbound.body,
    );
    let robot = match robot::decide(&verdict, extracted.holds_answers()) {
        Decision::Person => None,
        Decision::PersonDespite { tell } => Some(RobotVerdict {
            answered: true,
            reason: format!("{tell}; read as a person's mail because it holds answers"),
        }),
        Decision::Robot { reason } => Some(RobotVerdict {
            answered: false,
            reason,
        }),
    };
    let checked = domain::check(&extracted, extractor.questions());
    let answers = extractor
        .questions()
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let read = extracted.answers.get(&q.id)?;
            Some(Answer {
                question: q.id.clone(),
                number: i + 1,
                read: read.clone(),
                stored: checked.stored.get(&q.id).map(|t| t.value.clone()),
                refused: checked
                    .stored
                    .get(&q.id)
                    .and_then(|t| t.failing.as_ref())
                    .or(checked.refused.get(&q.id))
                    .map(|why| why.words(i + 1)),
            })
        })
        .collect();
    Ok(Explanation {
        from: sender.map(|s| s.address.clone()),
        subject: inbound.subject.clone(),
        robot,
        part: inbound.body_source.clone(),
        attachments: inbound.attachments.clone(),
        cuts: extracted.cuts,
        answers,
        checks: extracted.checks,
    })
}

impl Explanation {
    /// The explanation as text for a person: one section per step.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut line = |s: String| {
            out.push_str(&s);
            out.push('\n');
        };
        line(format!(
            "from:     {}",
            self.from.as_deref().unwrap_or("(no usable address)")
        ));
        line(format!("subject:  {}", self.subject));
        line(format!(
            "robot:    {}",
            self.robot
                .as_ref()
                .map_or("no (a person)".to_string(), |r| {
                    if r.answered {
                        format!("no: {}", r.reason)
                    } else {
                        format!("yes, never answered: {}", r.reason)
                    }
                })
        ));
        line(format!("read:     {}", self.part));
        if !self.attachments.is_empty() {
            line(format!(
                "attached: {} (not read; listed for staff)",
                self.attachments.join(", ")
            ));
        }
        line(String::new());
        line(format!("cuts ({}):", self.cuts.len()));
        for c in &self.cuts {
            let kind = serde_json::to_value(c.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            line(format!(
                "  {kind}{} at line {}, {} line{}:",
                if c.guessed { " (guessed)" } else { "" },
                c.first_line,
                c.lines.len(),
                if c.lines.len() == 1 { "" } else { "s" }
            ));
            for l in &c.lines {
                line(format!("    | {l}"));
            }
        }
        line(String::new());
        line(format!("answers ({}):", self.answers.len()));
        for a in &self.answers {
            let verdict = match (&a.stored, &a.refused) {
                // The reason is a sentence for the applicant; here it sits
                // inside a parenthesis, so without its full stop.
                (Some(_), Some(why)) => {
                    format!("refused: {}; stored as given", why.trim_end_matches('.'))
                }
                (Some(s), _) if s == &a.read => "stored".to_string(),
                (Some(s), _) => format!("stored as {s:?}"),
                (None, Some(why)) => format!("refused: {}", why.trim_end_matches('.')),
                (None, None) => "refused".to_string(),
            };
            line(format!("  {}. {} ({verdict}):", a.number, a.question));
            for l in a.read.lines() {
                line(format!("    | {l}"));
            }
        }
        line(String::new());
        if self.checks.is_empty() {
            line("check: nothing marked".to_string());
        } else {
            line(format!("check ({}):", self.checks.len()));
            for (id, c) in &self.checks {
                line(format!("  {id}: {}; as written:", c.reason.as_str()));
                for l in c.as_written.lines() {
                    line(format!("    | {l}"));
                }
            }
        }
        out
    }
}
