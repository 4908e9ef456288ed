//! The staff report: every application and every mail that needs a person.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Utc;
use serde::Serialize;
use tera::Context;

use crate::answers::{Check, CheckReason};
use crate::domain::{Attention, Status};
use crate::questions::QuestionSet;
use crate::render::{RenderError, Templates};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("report: {0}")]
    Write(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Html,
}

#[derive(Debug, Serialize)]
pub struct Application {
    pub email: String,
    pub name: Option<String>,
    /// `complete` exactly when `missing` and `failing` are empty: all
    /// come from the current answers and the questions file, by one rule
    /// ([`crate::domain::assess`]).
    pub status: Status,
    /// Current answers to the questions in the file, by question id.
    pub answers: BTreeMap<String, String>,
    /// For answers in `answers` given under another prompt than the file's
    /// today (the question was reworded after the mail the applicant
    /// answered): question id to the prompt they read.
    pub asked_as: BTreeMap<String, String>,
    /// Current answers to questions no longer in the file (removed, or
    /// their id renamed), by their id: kept, never dropped.
    pub earlier_questions: BTreeMap<String, EarlierAnswer>,
    /// Current answers the reader had to guess about, by question id: why,
    /// and the applicant's text as written. Staff should look at these.
    pub checks: BTreeMap<String, Check>,
    /// Ids of required questions that apply and are still without an
    /// answer.
    pub missing: Vec<String>,
    /// File questions' current answers: question id to the stored file
    /// (its `id` is what `mailintake attachment ID` takes).
    pub files: BTreeMap<String, FileRef>,
    /// Answers to questions that apply that their question does not
    /// accept (its kind or a rule), by question id: why, in the words the
    /// applicant was given. Stored as given; the status is `incomplete`.
    pub failing: BTreeMap<String, String>,
    pub received_at: String,
    pub updated_at: String,
    /// The language code the applicant is written to in (`fr`); `null`
    /// before the first reply.
    pub language: Option<String>,
}

/// A stored file, as the report names it.
#[derive(Debug, Clone, Serialize)]
pub struct FileRef {
    pub id: i64,
    /// The type found in its content: `pdf`, `odt`, `docx` or `txt`.
    #[serde(rename = "type")]
    pub kind: crate::files::FileType,
    /// The applicant's name for it.
    pub name: String,
    /// Bytes.
    pub size: i64,
    pub sha256: String,
}

/// An answer to a question no longer in the questions file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EarlierAnswer {
    /// The prompt it was given under (or, for an answer stored before
    /// prompts were kept, the question's prompt in the newest stored
    /// version that had it); `None` when neither is known.
    pub prompt: Option<String>,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct AttentionItem {
    pub from: Option<String>,
    pub subject: String,
    pub received_at: String,
    pub reason: Attention,
    pub detail: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub applications: Vec<Application>,
    pub attention: Vec<AttentionItem>,
    /// Where the HTML report links stored files: a folder, relative to
    /// the report, holding `ID.TYPE` for each (see [`Report::write_files`]);
    /// `None` names the `attachment` command instead.
    #[serde(skip)]
    pub files_href: Option<String>,
}

impl Report {
    pub async fn load(store: &Store, questions: &QuestionSet) -> Result<Self, ReportError> {
        let mut answers = store.current_answers_all().await?;
        let mut files: BTreeMap<String, BTreeMap<String, FileRef>> = BTreeMap::new();
        for f in store.files(None).await?.into_iter().filter(|f| f.current) {
            files.entry(f.email).or_default().insert(
                f.question_id,
                FileRef {
                    id: f.id,
                    kind: f.kind,
                    name: f.name,
                    size: f.size,
                    sha256: f.sha256,
                },
            );
        }
        let old_prompts = stored_prompts(store, questions.languages()).await?;
        let applications = store
            .applications()
            .await?
            .into_iter()
            .map(|a| {
                let answers = answers.remove(&a.id).unwrap_or_default();
                (a, answers)
            })
            .map(|(a, current)| {
                // One rule decides status, missing, failing and what is
                // reported (answers to questions that do not apply now are
                // kept, not shown).
                let assessed = crate::domain::assess(&current.values, questions);
                let status = assessed.standing(a.status);
                let failing = assessed
                    .failing
                    .iter()
                    .map(|(id, why)| {
                        let n = questions.number_of(id).unwrap_or_default();
                        (id.clone(), why.words(n))
                    })
                    .collect();
                // Answers to questions no longer in the file apart, with
                // the prompts they were given under.
                let (answers, asked_as, earlier_questions) =
                    split(&current, questions, &old_prompts);
                Application {
                    answers: assessed.reported(&answers),
                    asked_as: assessed.reported(&asked_as),
                    earlier_questions,
                    checks: current
                        .checks
                        .into_iter()
                        .filter(|(id, _)| !assessed.not_applying.contains(id))
                        .collect(),
                    files: files
                        .remove(&a.email)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|(id, _)| !assessed.not_applying.contains(id))
                        .collect(),
                    missing: assessed.missing,
                    failing,
                    status,
                    email: a.email,
                    name: a.name,
                    received_at: a.created_at,
                    updated_at: a.updated_at,
                    language: a.language,
                }
            })
            .collect();
        let attention = store
            .attention()
            .await?
            .into_iter()
            .map(|r| AttentionItem {
                from: r.from,
                subject: r.subject,
                received_at: r.received_at,
                reason: r.reason,
                detail: r.detail,
            })
            .collect();
        Ok(Self {
            applications,
            attention,
            files_href: None,
        })
    }

    /// Writes every current stored file into `dir` (created 0700) as
    /// `ID.TYPE`, mode 0600, for the HTML report's links; a file already
    /// there is written again, and a copy written earlier of a file no
    /// longer current (replaced, erased, purged) is removed. Returns how
    /// many were written.
    ///
    /// # Errors
    /// A file that cannot be had from the store or written.
    pub async fn write_files(&self, store: &Store, dir: &Path) -> Result<usize, ReportError> {
        use std::io::Write;
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let ids: Vec<i64> = self
            .applications
            .iter()
            .flat_map(|a| a.files.values().map(|f| f.id))
            .collect();
        let fail = |e: &dyn std::fmt::Display| ReportError::Write(e.to_string());
        // Earlier copies of ours (`ID.TYPE`) that are no longer current.
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let stale = name.split_once('.').is_some_and(|(id, kind)| {
                    crate::files::FileType::parse(kind).is_some()
                        && id.parse::<i64>().is_ok_and(|id| !ids.contains(&id))
                });
                if stale {
                    std::fs::remove_file(entry.path())
                        .map_err(|e| fail(&format!("cannot remove {name}: {e}")))?;
                }
            }
        }
        if ids.is_empty() {
            return Ok(0);
        }
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| fail(&format!("cannot create {}: {e}", dir.display())))?;
        for &id in &ids {
            let (row, bytes) = store.file_bytes(id).await.map_err(|e| fail(&e))?;
            let path = dir.join(format!("{id}.{}", row.kind.as_str()));
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&path)
                .and_then(|mut f| f.write_all(&bytes).map(|()| f));
            if let Err(e) = f.as_mut() {
                return Err(fail(&format!("cannot write {}: {e}", path.display())));
            }
        }
        Ok(ids.len())
    }

    pub fn json(&self) -> Result<String, ReportError> {
        serde_json::to_string_pretty(self).map_err(|e| ReportError::Write(e.to_string()))
    }

    /// One row per application, one column per question id in question order.
    /// `check` names the marked answers like `missing`; `check_detail` gives,
    /// for each, `id (reason): as written`, separated by a blank line.
    /// A question whose id is also a fixed column's name (`name`, `status`,
    /// … in any case) is headed `question:ID`, so that no column name
    /// appears twice (an id cannot hold a `:`). After the questions, one
    /// column `earlier:ID` per question no longer in the file that some
    /// application answered, then `asked_as`: for each answer given under
    /// another prompt than today's (earlier questions included), `id:
    /// prompt`, separated by a blank line. Every cell, the header
    /// included, goes through [`spreadsheet_safe`].
    pub fn csv(&self, questions: &QuestionSet) -> Result<String, ReportError> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let werr = |e: csv::Error| ReportError::Write(e.to_string());
        let fixed = CSV_COLUMNS.iter().chain([&CSV_ASKED_AS]);
        let mut header: Vec<String> = CSV_COLUMNS.iter().map(|c| c.to_string()).collect();
        header.extend(questions.iter().map(|q| {
            if fixed.clone().any(|c| c.eq_ignore_ascii_case(&q.id)) {
                format!("question:{}", q.id)
            } else {
                q.id.clone()
            }
        }));
        let earlier = self.earlier_ids();
        header.extend(earlier.iter().map(|id| format!("earlier:{id}")));
        header.push(CSV_ASKED_AS.to_string());
        let safe_record = |cells: &[&str]| -> Vec<String> {
            cells
                .iter()
                .map(|c| spreadsheet_safe(c).into_owned())
                .collect()
        };
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        w.write_record(safe_record(&header)).map_err(werr)?;
        for a in &self.applications {
            let missing = a.missing.join(" ");
            let failing = a.failing.keys().cloned().collect::<Vec<_>>().join(" ");
            let marked = a.checked_ids(questions);
            let check = marked.join(" ");
            let check_detail = marked
                .iter()
                .filter_map(|id| a.checks.get(*id).map(|c| (id, c)))
                .map(|(id, c)| format!("{id} ({}): {}", c.reason.as_str(), c.as_written))
                .collect::<Vec<_>>()
                .join("\n\n");
            let mut row: Vec<&str> = vec![
                &a.email,
                a.name.as_deref().unwrap_or(""),
                a.status.as_str(),
                &missing,
                &failing,
                &check,
                &check_detail,
                &a.received_at,
                &a.updated_at,
                a.language.as_deref().unwrap_or(""),
            ];
            row.extend(
                questions
                    .iter()
                    .map(|q| a.answers.get(&q.id).map_or("", String::as_str)),
            );
            row.extend(earlier.iter().map(|id| {
                a.earlier_questions
                    .get(*id)
                    .map_or("", |e| e.value.as_str())
            }));
            let asked_as = a.asked_as_lines(questions).join("\n\n");
            row.push(&asked_as);
            w.write_record(safe_record(&row)).map_err(werr)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| ReportError::Write(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| ReportError::Write(e.to_string()))
    }

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

/// Each question id's prompt in the newest stored questions version that
/// has it: for answers stored before prompts were kept. A stored version
/// this build cannot read is skipped.
async fn stored_prompts(
    store: &Store,
    languages: &crate::lang::Languages,
) -> Result<BTreeMap<String, String>, ReportError> {
    let mut out = BTreeMap::new();
    for v in store.versions().await? {
        let file = std::path::Path::new("question_versions").join(v.id.to_string());
        if let Ok(set) = QuestionSet::parse_for(&v.questions, &file, languages) {
            for q in set.iter() {
                out.insert(q.id.clone(), q.prompt.trim().to_string());
            }
        }
    }
    Ok(out)
}

/// Splits an application's current answers: those to questions in the file
/// (with the prompts they were given under where those differ from the
/// file's), and those to earlier questions, with their prompts.
fn split(
    current: &crate::domain::CurrentAnswers,
    questions: &QuestionSet,
    old_prompts: &BTreeMap<String, String>,
) -> (
    BTreeMap<String, String>,
    BTreeMap<String, String>,
    BTreeMap<String, EarlierAnswer>,
) {
    let mut answers = BTreeMap::new();
    let mut asked_as = BTreeMap::new();
    let mut earlier = BTreeMap::new();
    for (id, value) in &current.values {
        let given = current.prompts.get(id);
        match questions.by_id(id) {
            Some(q) => {
                answers.insert(id.clone(), value.clone());
                if let Some(p) = given.filter(|p| p.trim() != q.prompt.trim()) {
                    asked_as.insert(id.clone(), p.clone());
                }
            }
            None => {
                earlier.insert(
                    id.clone(),
                    EarlierAnswer {
                        prompt: given.or_else(|| old_prompts.get(id)).cloned(),
                        value: value.clone(),
                    },
                );
            }
        }
    }
    (answers, asked_as, earlier)
}

impl Report {
    /// Ids of the earlier questions any application answered, sorted.
    fn earlier_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .applications
            .iter()
            .flat_map(|a| a.earlier_questions.keys().map(String::as_str))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

impl Application {
    /// `id: prompt` for each answer given under another prompt than
    /// today's: in question order, then the earlier questions.
    fn asked_as_lines(&self, questions: &QuestionSet) -> Vec<String> {
        let current = questions
            .iter()
            .filter_map(|q| self.asked_as.get(&q.id).map(|p| format!("{}: {p}", q.id)));
        let earlier = self
            .earlier_questions
            .iter()
            .filter_map(|(id, e)| e.prompt.as_ref().map(|p| format!("{id}: {p}")));
        current.chain(earlier).collect()
    }

    /// Ids of the marked answers: in question order, then any for questions
    /// no longer in the questions file.
    fn checked_ids<'a>(&'a self, questions: &'a QuestionSet) -> Vec<&'a str> {
        let mut ids: Vec<&str> = questions
            .iter()
            .map(|q| q.id.as_str())
            .filter(|id| self.checks.contains_key(*id))
            .collect();
        ids.extend(
            self.checks
                .keys()
                .map(String::as_str)
                .filter(|id| questions.by_id(id).is_none()),
        );
        ids
    }
}

/// The CSV's fixed columns, before one per question.
const CSV_COLUMNS: [&str; 10] = [
    "email",
    "name",
    "status",
    "missing",
    "failing",
    "check",
    "check_detail",
    "received_at",
    "updated_at",
    "language",
];

/// The CSV's last column: the prompts answers were given under, where
/// they differ from today's.
const CSV_ASKED_AS: &str = "asked_as";

/// Written first by `report --format csv --excel`: the UTF-8 byte-order
/// mark, without which Excel reads a CSV file in the system's legacy
/// code page and garbles every non-ASCII letter.
pub const UTF8_BOM: &str = "\u{feff}";

/// `cell` with a `'` put before it when it starts with `=`, `+`, `-`, `@`,
/// tab or CR: a spreadsheet opening the CSV would otherwise run it as a
/// formula (OWASP "CSV injection"), and applicants write the answers.
/// Spreadsheets show the `'`; the text after it is the value as stored.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn sample() -> (Report, QuestionSet) {
        let q = QuestionSet::parse(
            "[[question]]\nid = \"name\"\nprompt = \"Name?\"\n[[question]]\nid = \"why\"\nprompt = \"Why?\"\nkind = \"paragraph\"\n",
            Path::new("q.toml"),
        )
        .expect("questions");
        let mut answers = BTreeMap::new();
        answers.insert("name".to_string(), "Ada \"the\" Countess".to_string());
        answers.insert(
            "why".to_string(),
            "line one,\nline two <script>".to_string(),
        );
        // Grace's `why` was read with a guessed signature cut, and an answer
        // to a question since removed from the file was read inside an
        // original; her `name` was read cleanly.
        let grace_answers: BTreeMap<String, String> =
            [("name", "Grace Hopper"), ("why", "To teach.")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        let mut grace_checks = BTreeMap::new();
        grace_checks.insert(
            "why".to_string(),
            Check {
                reason: CheckReason::SignatureGuessed,
                as_written: "To teach.\n\nGrace Hopper\nRear Admiral <USN>\n+1 555 0100".into(),
            },
        );
        grace_checks.insert(
            "old".to_string(),
            Check {
                reason: CheckReason::InsideOriginal,
                as_written: "Navy".into(),
            },
        );
        let r = Report {
            files_href: None,
            applications: vec![
                Application {
                    email: "ada@example.net".into(),
                    name: Some("Ada".into()),
                    status: Status::Complete,
                    answers,
                    // Ada answered `why` when it read otherwise.
                    asked_as: [("why".to_string(), "Why do you apply?".to_string())].into(),
                    earlier_questions: BTreeMap::new(),
                    checks: BTreeMap::new(),
                    missing: vec![],
                    files: Default::default(),
                    failing: BTreeMap::new(),
                    received_at: "2022-04-01T00:00:00.000000Z".into(),
                    updated_at: "2022-04-02T00:00:00.000000Z".into(),
                    language: None,
                },
                Application {
                    email: "grace@example.net".into(),
                    name: Some("Grace Hopper".into()),
                    status: Status::Complete,
                    answers: grace_answers,
                    asked_as: BTreeMap::new(),
                    earlier_questions: [(
                        "old".to_string(),
                        EarlierAnswer {
                            prompt: Some("Which service?".into()),
                            value: "Navy".into(),
                        },
                    )]
                    .into(),
                    checks: grace_checks,
                    missing: vec![],
                    files: Default::default(),
                    failing: BTreeMap::new(),
                    received_at: "2022-04-01T00:00:00.000000Z".into(),
                    updated_at: "2022-04-02T00:00:00.000000Z".into(),
                    language: None,
                },
            ],
            attention: vec![AttentionItem {
                from: Some("<b>@x".into()),
                subject: "Out of office".into(),
                received_at: "2022-04-03T00:00:00.000000Z".into(),
                reason: Attention::Robot,
                detail: None,
            }],
        };
        (r, q)
    }

    #[test]
    fn csv_quotes_per_rfc4180_and_orders_columns() {
        let (r, q) = sample();
        let csv = r.csv(&q).expect("csv");
        let mut lines = csv.split("\r\n");
        assert_eq!(
            lines.next(),
            Some(
                "email,name,status,missing,failing,check,check_detail,received_at,updated_at,language,question:name,why,earlier:old,asked_as"
            )
        );
        assert!(
            csv.contains("\"Ada \"\"the\"\" Countess\",\"line one,\nline two <script>\""),
            "{csv}"
        );
    }

    #[test]
    fn cells_a_spreadsheet_would_run_get_a_quote_before_them() {
        for (typed, written) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            (
                "@SUM(1+1)*cmd|' /C calc'!A0",
                "'@SUM(1+1)*cmd|' /C calc'!A0",
            ),
            ("\t=1+1", "'\t=1+1"),
            ("\r=1+1", "'\r=1+1"),
            // Only the first character matters to a spreadsheet.
            ("Ada =1+1", "Ada =1+1"),
            (" =1+1", " =1+1"),
            ("", ""),
            ("'quoted", "'quoted"),
        ] {
            assert_eq!(spreadsheet_safe(typed), written, "{typed:?}");
        }
    }

    /// Questions `name`, `Status` and `-x`, answered with formulas in
    /// every column a sender controls.
    fn hostile() -> (Report, QuestionSet) {
        let q = QuestionSet::parse(
            "[[question]]\nid = \"name\"\nprompt = \"Name?\"\n\
             [[question]]\nid = \"Status\"\nprompt = \"Status?\"\n\
             [[question]]\nid = \"-x\"\nprompt = \"X?\"\n\
             [[question]]\nid = \"why\"\nprompt = \"Why?\"\nkind = \"paragraph\"\n",
            Path::new("q.toml"),
        )
        .expect("questions");
        let answers: BTreeMap<String, String> = [
            ("name", "=HYPERLINK(\"http://x\",\"y\")"),
            ("Status", "+cmd|' /C calc'!A0"),
            ("-x", "@SUM(1)"),
            ("why", "-1\n=2"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let r = Report {
            files_href: None,
            applications: vec![Application {
                email: "=1+1@example.net".into(),
                name: Some("\t=cmd".into()),
                status: Status::Complete,
                answers,
                asked_as: BTreeMap::new(),
                earlier_questions: [(
                    "gone".to_string(),
                    EarlierAnswer {
                        prompt: Some("Gone?".into()),
                        value: "=1".into(),
                    },
                )]
                .into(),
                checks: BTreeMap::new(),
                missing: vec![],
                files: Default::default(),
                failing: BTreeMap::new(),
                received_at: "2022-04-01T00:00:00.000000Z".into(),
                updated_at: "2022-04-02T00:00:00.000000Z".into(),
                language: None,
            }],
            attention: vec![],
        };
        (r, q)
    }

    #[test]
    fn csv_neutralises_formulas_in_every_column_and_the_header() {
        let (r, q) = hostile();
        let csv = r.csv(&q).expect("csv");
        let mut rd = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(csv.as_bytes());
        let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
        assert_eq!(
            rows[0].iter().collect::<Vec<_>>(),
            [
                "email",
                "name",
                "status",
                "missing",
                "failing",
                "check",
                "check_detail",
                "received_at",
                "updated_at",
                "language",
                "question:name",
                "question:Status",
                "'-x",
                "why",
                "earlier:gone",
                "asked_as",
            ]
        );
        assert_eq!(
            rows[1].iter().collect::<Vec<_>>(),
            [
                "'=1+1@example.net",
                "'\t=cmd",
                "complete",
                "",
                "",
                "",
                "",
                "2022-04-01T00:00:00.000000Z",
                "2022-04-02T00:00:00.000000Z",
                "",
                "'=HYPERLINK(\"http://x\",\"y\")",
                "'+cmd|' /C calc'!A0",
                "'@SUM(1)",
                "'-1\n=2",
                "'=1",
                "gone: Gone?",
            ]
        );
        for (i, cell) in rows.iter().flatten().enumerate() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "cell {i}: {cell:?}"
            );
        }
    }

    #[test]
    fn csv_names_no_column_twice() {
        let (r, q) = hostile();
        let csv = r.csv(&q).expect("csv");
        let mut rd = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = rd
            .headers()
            .expect("header")
            .iter()
            .map(str::to_ascii_lowercase)
            .collect();
        let mut unique = header.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), header.len(), "{header:?}");
        // The applicant's name where it always was; the answer beside it.
        let row = rd.records().next().expect("row").expect("row");
        let col = |name: &str| header.iter().position(|h| h == name).expect(name);
        assert_eq!(&row[col("name")], "'\t=cmd");
        assert_eq!(
            &row[col("question:name")],
            "'=HYPERLINK(\"http://x\",\"y\")"
        );
    }

    #[test]
    fn json_gives_each_application_its_checks() {
        let (r, _) = sample();
        let v: serde_json::Value = serde_json::from_str(&r.json().expect("json")).expect("parse");
        assert_eq!(v["applications"][0]["checks"], serde_json::json!({}));
        assert_eq!(
            v["applications"][1]["checks"],
            serde_json::json!({
                "why": {
                    "reason": "signature-guessed",
                    "as_written": "To teach.\n\nGrace Hopper\nRear Admiral <USN>\n+1 555 0100"
                },
                "old": { "reason": "inside-original", "as_written": "Navy" }
            })
        );
        assert_eq!(v["applications"][1]["answers"]["why"], "To teach.");
    }

    #[test]
    fn csv_names_checked_answers_and_gives_them_as_written() {
        let (r, q) = sample();
        let csv = r.csv(&q).expect("csv");
        let mut rd = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = rd
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        let col = |name: &str| {
            header
                .iter()
                .position(|h| h == name)
                .unwrap_or_else(|| panic!("no column {name}: {header:?}"))
        };
        assert_eq!(col("check"), col("missing") + 2);
        assert_eq!(col("check_detail"), col("missing") + 3);
        let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0][col("check")], "");
        assert_eq!(&rows[0][col("check_detail")], "");
        // Question order first, then questions no longer in the file.
        assert_eq!(&rows[1][col("check")], "why old");
        assert_eq!(
            &rows[1][col("check_detail")],
            "why (signature-guessed): To teach.\n\nGrace Hopper\nRear Admiral <USN>\n+1 555 0100\n\nold (inside-original): Navy"
        );
        assert_eq!(&rows[1][col("why")], "To teach.", "the stored value");
    }

    #[test]
    fn html_marks_checked_answers_with_the_text_as_written() {
        let (r, q) = sample();
        let t = Templates::load(None).expect("templates");
        let html = r.html("Group", &q, &t).expect("html");
        assert!(
            html.contains("1 application with answers to check"),
            "{html}"
        );
        let apps = html
            .split("id=\"applications\"")
            .nth(1)
            .and_then(|s| s.split("<h2").next())
            .expect("applications table");
        let rows: Vec<&str> = apps.split("<tr>").skip(2).collect();
        assert_eq!(rows.len(), 2, "{apps}");
        assert!(!rows[0].contains("check"), "Ada has no marks: {}", rows[0]);
        let cells: Vec<&str> = rows[1].split("<td").skip(1).collect();
        // email, name, status, then one cell per question.
        let (name, why) = (cells[3], cells[4]);
        assert!(!name.contains("check"), "{name}");
        assert!(
            why.starts_with(" class=\"answer checked\">To teach.<"),
            "{why}"
        );
        assert!(why.contains(">check</span>"), "{why}");
        assert!(why.contains("guessed a signature and cut it"), "{why}");
        assert!(why.contains("title=\"signature-guessed\""), "{why}");
        assert!(
            why.contains("To teach.\n\nGrace Hopper\nRear Admiral &lt;USN&gt;\n+1 555 0100"),
            "as written, escaped: {why}"
        );
        assert!(!html.contains("<USN>"), "{html}");
    }

    /// An answer given under an earlier prompt shows it beside the answer;
    /// answers to questions no longer in the file have their own section,
    /// with the prompt they were given under.
    #[test]
    fn html_shows_earlier_prompts_and_earlier_questions() {
        let (r, q) = sample();
        let t = Templates::load(None).expect("templates");
        let html = r.html("Group", &q, &t).expect("html");
        let (apps, earlier) = html
            .split("id=\"applications\"")
            .nth(1)
            .and_then(|s| s.split_once("id=\"earlier\""))
            .expect("applications, then earlier questions");
        let ada = apps.split("<tr>").nth(2).expect("Ada's row");
        assert!(
            ada.contains("line two &lt;script&gt;<div class=\"asked-as\">answered to: Why do you apply?</div>"),
            "{ada}"
        );
        assert_eq!(apps.matches("answered to:").count(), 1, "{apps}");
        let earlier = earlier.split("id=\"attention\"").next().expect("section");
        assert!(earlier.contains(">Earlier questions</h2>"), "{earlier}");
        assert!(
            earlier.contains("<td>grace@example.net</td><td>old</td><td>Which service?</td><td class=\"answer\">Navy</td>"),
            "{earlier}"
        );
        let (mut r, q) = sample();
        r.applications[1].earlier_questions.clear();
        let html = r.html("Group", &q, &t).expect("html");
        assert!(
            !html.contains("id=\"earlier\""),
            "no section when none: {html}"
        );
    }

    #[test]
    fn csv_and_json_keep_earlier_questions_and_prompts() {
        let (r, q) = sample();
        let csv = r.csv(&q).expect("csv");
        let mut rd = csv::Reader::from_reader(csv.as_bytes());
        let header: Vec<String> = rd
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        let col = |name: &str| header.iter().position(|h| h == name).expect(name);
        let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.expect("row")).collect();
        assert_eq!(&rows[0][col("earlier:old")], "");
        assert_eq!(&rows[1][col("earlier:old")], "Navy");
        assert_eq!(&rows[0][col("asked_as")], "why: Why do you apply?");
        assert_eq!(&rows[1][col("asked_as")], "old: Which service?");
        let v: serde_json::Value = serde_json::from_str(&r.json().expect("json")).expect("parse");
        assert_eq!(
            v["applications"][1]["earlier_questions"],
            serde_json::json!({ "old": { "prompt": "Which service?", "value": "Navy" } })
        );
        assert_eq!(v["applications"][1]["answers"].get("old"), None);
        assert_eq!(
            v["applications"][0]["asked_as"],
            serde_json::json!({ "why": "Why do you apply?" })
        );
    }

    /// Current answers split by today's file: an answer under a reworded
    /// prompt keeps that prompt; one to a question gone goes to earlier
    /// questions with its prompt, or, stored before prompts were kept,
    /// with the prompt of the newest stored version that had it.
    #[test]
    fn answers_split_into_todays_and_earlier_questions() {
        let (_, q) = sample();
        let mut current = crate::domain::CurrentAnswers::default();
        for (id, value, prompt) in [
            ("name", "Ada", Some("Name?")),
            ("why", "Because.", Some("Why apply?")),
            ("region", "Europe", Some("Which region?")),
            ("heard", "A friend", None),
            ("lost", "?", None),
        ] {
            current.set(id, value, None);
            if let Some(p) = prompt {
                current.prompts.insert(id.into(), p.into());
            }
        }
        let old: BTreeMap<String, String> = [
            ("heard".to_string(), "How did you hear of us?".to_string()),
            ("region".to_string(), "Region?".to_string()),
        ]
        .into();
        let (answers, asked_as, earlier) = split(&current, &q, &old);
        assert_eq!(answers.keys().collect::<Vec<_>>(), ["name", "why"]);
        assert_eq!(
            asked_as,
            [("why".to_string(), "Why apply?".to_string())].into()
        );
        let prompt = |id: &str| earlier.get(id).and_then(|e| e.prompt.as_deref());
        assert_eq!(
            prompt("region"),
            Some("Which region?"),
            "as given, not as stored later"
        );
        assert_eq!(prompt("heard"), Some("How did you hear of us?"));
        assert_eq!(prompt("lost"), None);
        assert_eq!(earlier["lost"].value, "?");
    }

    #[test]
    fn html_without_checks_says_none() {
        let (mut r, q) = sample();
        r.applications.truncate(1);
        let t = Templates::load(None).expect("templates");
        let html = r.html("Group", &q, &t).expect("html");
        assert!(
            html.contains("0 applications with answers to check"),
            "{html}"
        );
        assert!(!html.contains("check-badge\""), "{html}");

        // A mark only on a question no longer in the file has no cell to
        // show it in (like its answer), so it is not counted here either.
        let (mut r, q) = sample();
        r.applications[1].checks.remove("why");
        let html = r.html("Group", &q, &t).expect("html");
        assert!(
            html.contains("0 applications with answers to check"),
            "{html}"
        );
    }

    #[test]
    fn a_report_template_written_before_checks_still_renders() {
        let (r, q) = sample();
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("report.html"),
            "{% for a in applications %}{% for q in questions %}[{{ a.cells[loop.index0] }}]{% endfor %}\n{% endfor %}",
        )
        .expect("write");
        let t = Templates::load(Some(dir.path())).expect("templates");
        let html = r.html("Group", &q, &t).expect("html");
        assert!(html.contains("[Grace Hopper][To teach.]"), "{html}");
    }

    #[test]
    fn html_escapes_applicant_text() {
        let (r, q) = sample();
        let t = Templates::load(None).expect("templates");
        let html = r.html("Group", &q, &t).expect("html");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("&lt;b&gt;@x"));
    }
}
