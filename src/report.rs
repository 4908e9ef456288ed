//! The staff report: every application and every mail that needs a person.

use std::collections::BTreeMap;

use chrono::Utc;
use serde::Serialize;
use tera::Context;

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
    pub status: String,
    pub answers: BTreeMap<String, String>,
    /// Ids of required questions still without an answer.
    pub missing: Vec<String>,
    pub received_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize)]
pub struct AttentionItem {
    pub from: Option<String>,
    pub subject: String,
    pub received_at: String,
    pub reason: String,
    pub detail: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub applications: Vec<Application>,
    pub attention: Vec<AttentionItem>,
}

impl Report {
    pub async fn load(store: &Store, questions: &QuestionSet) -> Result<Self, ReportError> {
        let mut answers = store.current_answers_all().await?;
        let applications = store
            .applications()
            .await?
            .into_iter()
            .map(|a| {
                let answers = answers.remove(&a.id).unwrap_or_default();
                (a, answers)
            })
            .map(|(a, answers)| Application {
                missing: crate::domain::missing(&answers, questions),
                answers,
                email: a.email,
                name: a.name,
                status: a.status,
                received_at: a.created_at,
                updated_at: a.updated_at,
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
        })
    }

    pub fn json(&self) -> Result<String, ReportError> {
        serde_json::to_string_pretty(self).map_err(|e| ReportError::Write(e.to_string()))
    }

    /// One row per application, one column per question id in question order.
    pub fn csv(&self, questions: &QuestionSet) -> Result<String, ReportError> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let werr = |e: csv::Error| ReportError::Write(e.to_string());
        let mut header: Vec<&str> = vec![
            "email",
            "name",
            "status",
            "missing",
            "received_at",
            "updated_at",
        ];
        header.extend(questions.iter().map(|q| q.id.as_str()));
        w.write_record(&header).map_err(werr)?;
        for a in &self.applications {
            let missing = a.missing.join(" ");
            let mut row: Vec<&str> = vec![
                &a.email,
                a.name.as_deref().unwrap_or(""),
                &a.status,
                &missing,
                &a.received_at,
                &a.updated_at,
            ];
            row.extend(
                questions
                    .iter()
                    .map(|q| a.answers.get(&q.id).map_or("", String::as_str)),
            );
            w.write_record(&row).map_err(werr)?;
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
        struct Row<'a> {
            email: &'a str,
            name: Option<&'a str>,
            status: &'a str,
            missing: String,
            cells: Vec<&'a str>,
            received_at: String,
            updated_at: String,
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
                status: &a.status,
                missing: a.missing.join(", "),
                cells: questions
                    .iter()
                    .map(|q| a.answers.get(&q.id).map_or("", String::as_str))
                    .collect(),
                received_at: human_time(&a.received_at),
                updated_at: human_time(&a.updated_at),
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
                reason: &m.reason,
                detail: m.detail.as_deref(),
            })
            .collect();
        let complete = self
            .applications
            .iter()
            .filter(|a| a.status == "complete")
            .count();
        let mut ctx = Context::new();
        ctx.insert("intake_name", intake_name);
        ctx.insert("generated_at", &human_time(&crate::store::ts(Utc::now())));
        ctx.insert("questions", &qs);
        ctx.insert("applications", &rows);
        ctx.insert("complete", &complete);
        ctx.insert("incomplete", &(self.applications.len() - complete));
        ctx.insert("attention", &attention);
        Ok(templates.render("report.html", &ctx)?)
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
        let r = Report {
            applications: vec![Application {
                email: "ada@example.net".into(),
                name: Some("Ada".into()),
                status: "complete".into(),
                answers,
                missing: vec![],
                received_at: "2022-04-01T00:00:00.000000Z".into(),
                updated_at: "2022-04-02T00:00:00.000000Z".into(),
            }],
            attention: vec![AttentionItem {
                from: Some("<b>@x".into()),
                subject: "Out of office".into(),
                received_at: "2022-04-03T00:00:00.000000Z".into(),
                reason: "robot".into(),
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
            Some("email,name,status,missing,received_at,updated_at,name,why")
        );
        assert!(
            csv.contains("\"Ada \"\"the\"\" Countess\",\"line one,\nline two <script>\""),
            "{csv}"
        );
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
