use super::{hostile, sample};
use crate::report::spreadsheet_safe;

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
