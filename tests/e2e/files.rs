//! File questions through the real mail stack: a PDF attached to a reply
//! is stored, confirmed with its size, written out byte for byte and
//! linked from the report; a PNG named cv.pdf and an oversize file are
//! refused in words and listed for staff; an erase removes a file kept
//! on disk.

use base64::Engine;

use super::common::{Intake, reply};

const FILE_QUESTIONS: &str = r#"
[[question]]
id = "name"
prompt = "What is your name?"
required = true

[[question]]
id = "cv"
prompt = "Your CV"
kind = "file"
types = ["pdf", "odt", "docx", "txt"]
max_size = "100kB"
required = true
"#;

/// An intake asking for a name and a CV; `files_dir` keeps files there.
fn intake(files_dir: bool) -> Intake {
    let intake = Intake::with(|text| {
        if files_dir {
            text.push_str("\n[files]\ndirectory = \"files\"\n");
        }
    });
    intake.write_questions(FILE_QUESTIONS);
    intake
}

fn pdf(len: usize) -> Vec<u8> {
    let mut v = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    v.resize(len.saturating_sub(6), b' ');
    v.extend(b"\n%%EOF");
    v
}

fn png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    v.extend([
        0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
    ]);
    v
}

/// `raw` (a text/plain mail) with `bytes` attached as `name`.
fn attach(raw: &str, name: &str, bytes: &[u8]) -> String {
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let head = head.replace(
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: multipart/mixed; boundary=\"b0undary\"",
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "{head}\r\n\r\n--b0undary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n\
         --b0undary\r\nContent-Type: application/pdf; name=\"{name}\"\r\n\
         Content-Disposition: attachment; filename=\"{name}\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--b0undary--\r\n",
        lines.join("\r\n")
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn an_attached_pdf_is_confirmed_with_its_size_written_out_whole_and_linked() {
    let intake = intake(false);
    let (ada, q) = intake.asked("ada").await;
    assert!(
        q.body
            .contains("Attach the file to your reply: pdf, odt, docx, txt; at most 100 kB."),
        "{}",
        q.body
    );
    let cv = pdf(2_345);
    let answer = reply(&ada, "Ada Lovelace", &q, "1. Ada Lovelace", &[]);
    let confirmation = intake
        .exchange(&ada, attach(&answer, "cv.pdf", &cv), 2)
        .await;
    assert!(
        confirmation.body.contains("is complete")
            && confirmation.body.contains("cv.pdf (PDF, 2.3 kB)"),
        "{}",
        confirmation.body
    );
    let app = intake.application(&ada).unwrap();
    assert_eq!(app["status"], "complete");
    assert_eq!(app["files"]["cv"]["type"], "pdf");
    assert_eq!(app["files"]["cv"]["size"], 2_345);
    let id = app["files"]["cv"]["id"].as_i64().unwrap().to_string();

    // Written out, byte for byte; never over a file without --force.
    let out = intake.dir.path().join("out.pdf");
    let out_s = out.to_str().unwrap();
    let run = intake.cmd(&["attachment", &id, "--output", out_s]);
    assert!(run.status.success(), "{run:?}");
    assert_eq!(std::fs::read(&out).unwrap(), cv);
    let again = intake.cmd(&["attachment", &id, "--output", out_s]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("exists; give --force to overwrite it"),
        "{again:?}"
    );
    std::fs::write(&out, b"other").unwrap();
    let forced = intake.cmd(&["attachment", &id, "--output", out_s, "--force"]);
    assert!(forced.status.success(), "{forced:?}");
    assert_eq!(std::fs::read(&out).unwrap(), cv);

    // The HTML report links it, written beside the report.
    let html = intake.dir.path().join("report.html");
    let run = intake.cmd(&[
        "report",
        "--format",
        "html",
        "--output",
        html.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{run:?}");
    let page = std::fs::read_to_string(&html).unwrap();
    let href = format!("report-files/{id}.pdf");
    assert!(page.contains(&format!("href=\"{href}\"")), "{page}");
    assert_eq!(std::fs::read(intake.dir.path().join(&href)).unwrap(), cv);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_png_named_cv_pdf_and_an_oversize_pdf_are_refused_in_words_and_listed() {
    let intake = intake(false);
    let (ada, q) = intake.asked("ada").await;
    let answer = reply(&ada, "Ada Lovelace", &q, "1. Ada Lovelace", &[]);
    let problems = intake
        .exchange(&ada, attach(&answer, "cv.pdf", &png()), 2)
        .await;
    assert!(
        problems
            .body
            .contains("Problem: cv.pdf is a PNG image, not one of pdf, odt, docx, txt"),
        "{}",
        problems.body
    );
    let app = intake.application(&ada).unwrap();
    assert_eq!(app["status"], "incomplete");
    assert_eq!(app["missing"], serde_json::json!(["cv"]));
    let listed = intake.listed("file-refused");
    assert!(
        listed.iter().any(|m| m["from"] == ada.as_str()
            && m["detail"] == "cv.pdf is a PNG image, not one of pdf, odt, docx, txt"),
        "{listed:?}"
    );

    // Too large, in a reply to the problems mail.
    let again = reply(&ada, "Ada Lovelace", &problems, "Here is the PDF.", &[]);
    let second = intake
        .exchange(&ada, attach(&again, "cv.pdf", &pdf(150_000)), 3)
        .await;
    assert!(
        second
            .body
            .contains("Problem: cv.pdf is 150 kB; at most 100 kB"),
        "{}",
        second.body
    );
    assert_eq!(intake.application(&ada).unwrap()["status"], "incomplete");
    assert_eq!(
        intake
            .listed("file-refused")
            .iter()
            .filter(|m| m["from"] == ada.as_str())
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_kept_on_disk_is_exported_and_erased_from_the_directory() {
    let intake = intake(true);
    let (ada, q) = intake.asked("ada").await;
    let cv = b"Ada Lovelace\nAnalytical Engine notes, 1843\n".to_vec();
    let answer = reply(&ada, "Ada Lovelace", &q, "1. Ada Lovelace\n2. cv.txt", &[]);
    let confirmation = intake
        .exchange(&ada, attach(&answer, "cv.txt", &cv), 2)
        .await;
    assert!(
        confirmation.body.contains("cv.txt (text, 43 bytes)"),
        "{}",
        confirmation.body
    );
    let dir = intake.dir.path().join("files");
    let kept: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read(&kept[0]).unwrap(), cv);
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&kept[0]).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let export = intake.cmd(&["export", "--email", &ada]);
    let export: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    let file = &export["files"][0];
    assert_eq!(file["name"], "cv.txt");
    assert_eq!(file["kept_in"], kept[0].to_str().unwrap());
    assert_eq!(file["content"]["data"], std::str::from_utf8(&cv).unwrap());

    // A copy beside an HTML report written before the erase...
    let html = intake.dir.path().join("report.html");
    let html_s = html.to_str().unwrap();
    let run = intake.cmd(&["report", "--format", "html", "--output", html_s]);
    assert!(run.status.success(), "{run:?}");
    let copies = intake.dir.path().join("report-files");
    assert_eq!(std::fs::read_dir(&copies).unwrap().count(), 1);

    let erase = intake.cmd(&["erase", "--email", &ada, "--yes"]);
    assert!(erase.status.success(), "{erase:?}");
    // ...goes with the next report.
    let run = intake.cmd(&["report", "--format", "html", "--output", html_s]);
    assert!(run.status.success(), "{run:?}");
    assert_eq!(
        std::fs::read_dir(&copies).unwrap().count(),
        0,
        "copy removed"
    );
    assert!(
        String::from_utf8_lossy(&erase.stdout).contains("1 file"),
        "{erase:?}"
    );
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        0,
        "erased from disk"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_file_of_the_default_largest_size_fits_the_default_mail_limit() {
    // No max_size: 5 MB; no intake.max_message_bytes: 10 MiB.
    let intake = intake(false);
    intake.write_questions(&FILE_QUESTIONS.replace("max_size = \"100kB\"\n", ""));
    let (ada, q) = intake.asked("ada").await;
    assert!(q.body.contains("; at most 5 MB."), "{}", q.body);
    let cv = pdf(4_999_999);
    let answer = attach(
        &reply(&ada, "Ada Lovelace", &q, "1. Ada Lovelace", &[]),
        "cv.pdf",
        &cv,
    );
    intake.receive(&ada, &answer).await;
    let started = std::time::Instant::now();
    intake.once();
    eprintln!(
        "a mail of {} bytes with a 5 MB file: `once` took {:?}",
        answer.len(),
        started.elapsed()
    );
    let confirmation = &intake.mails_to(&ada, 2)[1];
    assert!(
        confirmation.body.contains("cv.pdf (PDF, 4.9 MB)"),
        "{}",
        confirmation.body
    );
    let id = intake.application(&ada).unwrap()["files"]["cv"]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let out = intake.dir.path().join("cv.pdf");
    let run = intake.cmd(&["attachment", &id, "--output", out.to_str().unwrap()]);
    assert!(run.status.success(), "{run:?}");
    assert_eq!(std::fs::read(&out).unwrap(), cv);
}
