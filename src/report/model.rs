//! The report's model: each application as its current answers and the
//! questions file make it, and the mails that need a person, gathered from
//! the store.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ReportError;
use crate::answers::Check;
use crate::domain::{Attention, Status};
use crate::questions::QuestionSet;
use crate::store::Store;

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
                // In the words the applicant was given: her language's.
                let lang = questions
                    .languages()
                    .or_default(a.language.as_deref().and_then(crate::lang::Lang::from_code));
                let failing = assessed
                    .failing
                    .iter()
                    .map(|(id, why)| {
                        let n = questions.number_of(id).unwrap_or_default();
                        (id.clone(), why.words_in(n, lang))
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
pub(super) fn split(
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
