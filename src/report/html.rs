//! The HTML report, rendered through the `report.html` template.

use chrono::Utc;
use serde::Serialize;
use tera::Context;

use super::{Report, ReportError};
use crate::answers::CheckReason;
use crate::domain::Status;
use crate::questions::QuestionSet;
use crate::render::Templates;

impl Report {
    pub fn html(
        &self,
        intake_name: &str,
        questions: &QuestionSet,
        templates: &Templates,
    ) -> Result<String, ReportError> {
        #[derive(Serialize)]
        struct Q<'a> {
            number: usize,
            id: &'a str,
            prompt: &'a str,
        }
        #[derive(Serialize)]
        struct Mark<'a> {
            /// As in the JSON and CSV (`signature-guessed`).
            reason: &'static str,
            words: &'static str,
            as_written: &'a str,
        }
        #[derive(Serialize)]
        struct Row<'a> {
            email: &'a str,
            name: Option<&'a str>,
            status: &'a str,
            missing: String,
            /// Ids of answers not accepted (their question's kind or rules).
            failing: String,
            cells: Vec<&'a str>,
            /// Beside `cells`, one per question: the answer's mark, if any.
            /// (Kept apart so that templates written before marks still work.)
            marks: Vec<Option<Mark<'a>>>,
            /// Beside `cells`, one per question: the stored file, if any.
            files: Vec<Option<FileLink>>,
            /// Beside `cells`, one per question: the prompt the answer was
            /// given under, when it differs from today's.
            asked_as: Vec<Option<&'a str>>,
            received_at: String,
            updated_at: String,
            language: &'a str,
        }
        let qs: Vec<Q<'_>> = questions
            .iter()
            .enumerate()
            .map(|(i, q)| Q {
                number: i + 1,
                id: &q.id,
                prompt: &q.prompt,
            })
            .collect();
        let rows: Vec<Row<'_>> = self
            .applications
            .iter()
            .map(|a| Row {
                email: &a.email,
                name: a.name.as_deref(),
                status: a.status.as_str(),
                missing: a.missing.join(", "),
                failing: a.failing.keys().cloned().collect::<Vec<_>>().join(", "),
                cells: questions
                    .iter()
                    .map(|q| a.answers.get(&q.id).map_or("", String::as_str))
                    .collect(),
                marks: questions
                    .iter()
                    .map(|q| {
                        a.checks.get(&q.id).map(|c| Mark {
                            reason: c.reason.as_str(),
                            words: reason_words(c.reason),
                            as_written: &c.as_written,
                        })
                    })
                    .collect(),
                files: questions
                    .iter()
                    .map(|q| {
                        let f = a.files.get(&q.id)?;
                        Some(FileLink {
                            id: f.id,
                            dir: self.files_href.as_deref().map(percent_encoded),
                            kind: f.kind.as_str(),
                        })
                    })
                    .collect(),
                asked_as: questions
                    .iter()
                    .map(|q| a.asked_as.get(&q.id).map(String::as_str))
                    .collect(),
                received_at: human_time(&a.received_at),
                updated_at: human_time(&a.updated_at),
                language: a.language.as_deref().unwrap_or(""),
            })
            .collect();
        #[derive(Serialize)]
        struct Earlier<'a> {
            email: &'a str,
            id: &'a str,
            prompt: Option<&'a str>,
            value: &'a str,
        }
        let earlier: Vec<Earlier<'_>> = self
            .applications
            .iter()
            .flat_map(|a| {
                a.earlier_questions.iter().map(|(id, e)| Earlier {
                    email: &a.email,
                    id,
                    prompt: e.prompt.as_deref(),
                    value: &e.value,
                })
            })
            .collect();
        #[derive(Serialize)]
        struct Att<'a> {
            from: Option<&'a str>,
            subject: &'a str,
            received_at: String,
            reason: &'a str,
            detail: Option<&'a str>,
        }
        let attention: Vec<Att<'_>> = self
            .attention
            .iter()
            .map(|m| Att {
                from: m.from.as_deref(),
                subject: &m.subject,
                received_at: human_time(&m.received_at),
                reason: m.reason.as_str(),
                detail: m.detail.as_deref(),
            })
            .collect();
        let count = |status: Status| {
            self.applications
                .iter()
                .filter(|a| a.status == status)
                .count()
        };
        // Those with a mark the table shows (a question still in the file).
        let with_checks = self
            .applications
            .iter()
            .filter(|a| a.checks.keys().any(|id| questions.by_id(id).is_some()))
            .count();
        let mut ctx = Context::new();
        ctx.insert("intake_name", intake_name);
        ctx.insert("generated_at", &human_time(&crate::store::ts(Utc::now())));
        ctx.insert("questions", &qs);
        ctx.insert("applications", &rows);
        ctx.insert("complete", &count(Status::Complete));
        ctx.insert("incomplete", &count(Status::Incomplete));
        ctx.insert("unconfirmed", &count(Status::Unconfirmed));
        ctx.insert("withdrawn", &count(Status::Withdrawn));
        ctx.insert("with_checks", &with_checks);
        ctx.insert("earlier", &earlier);
        ctx.insert("attention", &attention);
        Ok(templates.render("report.html", &ctx)?)
    }
}

/// A stored file in the HTML report, linked as `dir/ID.KIND`.
#[derive(Debug, Serialize)]
struct FileLink {
    id: i64,
    /// The folder of the copies, relative to the report, percent-encoded
    /// (RFC 3986); `None` when the files were not written beside it.
    dir: Option<String>,
    kind: &'static str,
}

/// `s` as one path segment of a relative URL: unreserved characters
/// (RFC 3986, 2.3) kept, every other byte percent-encoded.
fn percent_encoded(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Why an answer is marked, in words for staff.
fn reason_words(r: CheckReason) -> &'static str {
    match r {
        CheckReason::SignatureGuessed => "guessed a signature and cut it",
        CheckReason::InsideOriginal => "read from inside the original mail",
        CheckReason::AttributionKept => "kept a line that looks like an attribution",
        CheckReason::InsideQuote => "typed inside the quoted question mail",
        CheckReason::LabelGuessed => "its label named no question; placed by its value",
    }
}

/// "2022-04-10 23:59 UTC" for people; the stored text when it is not a time.
fn human_time(stored: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(stored)
        .map(|t| {
            t.with_timezone(&Utc)
                .format("%Y-%m-%d %H:%M UTC")
                .to_string()
        })
        .unwrap_or_else(|_| stored.to_string())
}
