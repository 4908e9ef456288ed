//! The CSV report (RFC 4180, CRLF line ends): one row per application,
//! every cell safe to open in a spreadsheet.

use super::{Application, Report, ReportError};
use crate::questions::QuestionSet;

impl Report {
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
        let mut w = ::csv::WriterBuilder::new()
            .terminator(::csv::Terminator::CRLF)
            .from_writer(Vec::new());
        let werr = |e: ::csv::Error| ReportError::Write(e.to_string());
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
