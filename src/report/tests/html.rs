use super::sample;
use crate::render::Templates;

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
        ada.contains(
            "line two &lt;script&gt;<div class=\"asked-as\">answered to: Why do you apply?</div>"
        ),
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
