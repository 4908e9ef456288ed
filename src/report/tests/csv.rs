use super::{hostile, sample};
use crate::questions::QuestionSet;
use crate::report::{Report, spreadsheet_safe};

/// The CSV report, read back: its header and its rows.
struct Table {
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    fn of(r: &Report, q: &QuestionSet) -> Self {
        let text = r.csv(q).expect("csv");
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let header = rd
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        let rows = rd.records().map(|r| r.expect("row")).collect();
        Self { header, rows }
    }

    /// Where the column headed `name` is.
    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}: {:?}", self.header))
    }

    /// Row `row`'s cell in the column headed `name`.
    fn cell(&self, row: usize, name: &str) -> &str {
        &self.rows[row][self.col(name)]
    }
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
    let t = Table::of(&r, &q);
    let mut unique: Vec<String> = t.header.iter().map(|h| h.to_ascii_lowercase()).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), t.header.len(), "{:?}", t.header);
    // The applicant's name where it always was; the answer beside it.
    assert_eq!(t.cell(0, "name"), "'\t=cmd");
    assert_eq!(
        t.cell(0, "question:name"),
        "'=HYPERLINK(\"http://x\",\"y\")"
    );
}

#[test]
fn csv_names_checked_answers_and_gives_them_as_written() {
    let (r, q) = sample();
    let t = Table::of(&r, &q);
    assert_eq!(t.col("check"), t.col("missing") + 2);
    assert_eq!(t.col("check_detail"), t.col("missing") + 3);
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.cell(0, "check"), "");
    assert_eq!(t.cell(0, "check_detail"), "");
    // Question order first, then questions no longer in the file.
    assert_eq!(t.cell(1, "check"), "why old");
    assert_eq!(
        t.cell(1, "check_detail"),
        "why (signature-guessed): To teach.\n\nGrace Hopper\nRear Admiral <USN>\n+1 555 0100\n\nold (inside-original): Navy"
    );
    assert_eq!(t.cell(1, "why"), "To teach.", "the stored value");
}

#[test]
fn csv_and_json_keep_earlier_questions_and_prompts() {
    let (r, q) = sample();
    let t = Table::of(&r, &q);
    assert_eq!(t.cell(0, "earlier:old"), "");
    assert_eq!(t.cell(1, "earlier:old"), "Navy");
    assert_eq!(t.cell(0, "asked_as"), "why: Why do you apply?");
    assert_eq!(t.cell(1, "asked_as"), "old: Which service?");
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
