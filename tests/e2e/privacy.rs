//! Applicants own their data, through the real mail stack: `export`
//! of a real applicant, `erase` (no trace left in the database files, and
//! their old mail never answered again), retention by `purge` and `run`.

use std::path::Path;
use std::time::{Duration, SystemTime};

use super::{applicant, ask, mails_to, wait_mails};
use crate::common::daemon::Daemon;
use crate::common::{Intake, Mail, mail, reply, smtpd_idle};

/// The answers to every question, with `region` and a motivation of
/// the caller's choosing.
fn answers<'a>(region: &'a str, motivation: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("1. What is your name?", "Ada Lovelace"),
        ("2. Which region", region),
        ("3. Which languages", "English"),
        ("4. Why do you want", motivation),
        ("5. Can you commit", "yes"),
    ]
}

/// A reply to the question mail `q` with these answers, as a mail client
/// writes it.
fn answering(who: &str, q: &Mail, region: &str, motivation: &str) -> String {
    let inline = answers(region, motivation);
    reply(who, "Ada Lovelace", q, "My answers are below.", &inline)
}

/// `export --email ADDR` as JSON, asserting success.
fn export(intake: &Intake, who: &str) -> serde_json::Value {
    let out = intake.cmd(&["export", "--email", who]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("export is JSON")
}

/// The database files of `intake` that hold `needle` (any ASCII case).
pub(crate) fn files_holding(intake: &Intake, needle: &str) -> Vec<String> {
    let needle = needle.to_ascii_lowercase();
    ["intake.db", "intake.db-wal", "intake.db-shm"]
        .iter()
        .filter(|f| {
            let bytes = std::fs::read(intake.dir.path().join(f)).unwrap_or_default();
            bytes
                .to_ascii_lowercase()
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
        })
        .map(|f| f.to_string())
        .collect()
}

/// An applicant who asked, then answered twice (the second time changing
/// the region): returns who, and the raw text of their first answer.
async fn answered_twice(intake: &Intake) -> (String, String) {
    let who = applicant(intake);
    let q = ask(intake, &who, "Applying").await;
    let first = answering(&who, &q, "Asia", "I have run seventeen workshops.");
    intake.receive(&who, &first).await;
    intake.once();
    wait_mails(intake, &who, 2);
    let second = answering(&who, &q, "Europe", "I have run seventeen workshops.");
    intake.receive(&who, &second).await;
    intake.once();
    wait_mails(intake, &who, 3);
    (who, first)
}

#[tokio::test(flavor = "multi_thread")]
async fn export_gives_an_applicant_everything_stored_about_them() {
    let intake = Intake::new();
    let (who, first) = answered_twice(&intake).await;
    let got = export(&intake, &who.to_uppercase());
    assert_eq!(got["email"], who.as_str());
    let app = &got["application"];
    assert_eq!(app["status"], "complete", "{got:#}");
    assert_eq!(app["name"], "Ada Lovelace");
    assert_eq!(app["answers"]["region"], "Europe");
    let regions: Vec<(String, bool)> = got["answer_history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["question"] == "region")
        .map(|v| {
            (
                v["value"].as_str().unwrap().to_string(),
                v["current"] == true,
            )
        })
        .collect();
    assert_eq!(
        regions,
        [("Asia".to_string(), false), ("Europe".to_string(), true)]
    );
    // Their three mails, raw, with what became of each.
    let mails = got["mails"].as_array().unwrap();
    let outcomes: Vec<&str> = mails
        .iter()
        .map(|m| m["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["questions", "answers", "answers"], "{got:#}");
    assert_eq!(mails[1]["raw"]["encoding"], "utf-8");
    let raw = mails[1]["raw"]["data"].as_str().unwrap();
    let first_id = first
        .lines()
        .find_map(|l| l.strip_prefix("Message-ID: <"))
        .unwrap()
        .trim_end_matches(['>', '\r']);
    assert!(raw.contains(first_id), "{raw}");
    assert!(raw.contains("Asia"), "{raw}");
    assert_eq!(mails[1]["from"], who.as_str());
    assert_eq!(mails[1]["subject"], "Re: Re: Applying");
    // Our three replies, sent, each the message as it went out.
    let replies = got["replies"].as_array().unwrap();
    let kinds: Vec<&str> = replies
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["questions", "confirmation", "confirmation"]);
    let received = mails_to(&intake, &who);
    for (ours, theirs) in replies.iter().zip(&received) {
        assert!(ours["sent_at"].is_string(), "{ours}");
        assert_eq!(ours["message_id"], theirs.message_id.as_str());
        let text = ours["message"]["data"].as_str().unwrap();
        assert!(text.contains(&who), "{text}");
    }

    // Nothing stored: the same shape, empty, and a word on stderr.
    let nobody = applicant(&intake);
    let out = intake.cmd(&["export", "--email", &nobody]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("nothing is stored about {nobody}")),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let empty: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(empty["application"], serde_json::Value::Null);
    for list in ["answer_history", "mails", "replies"] {
        assert_eq!(empty[list], serde_json::json!([]), "{list}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_erased_applicant_leaves_no_trace_and_their_old_mail_is_not_answered_again() {
    let intake = Intake::new();
    let (who, first) = answered_twice(&intake).await;
    // Delivery copies of our replies come back into the mailbox: in the
    // database before the erase, or seen after it.
    smtpd_idle();
    intake.once();
    assert!(
        !files_holding(&intake, &who).is_empty(),
        "the address is stored"
    );

    // Not on a terminal and without --yes: counts, and a refusal.
    let out = intake.cmd(&["erase", "--email", &who]);
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!out.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.starts_with(&format!(
            "{who}: would erase 1 application, 6 answer versions, "
        )),
        "{stdout}"
    );
    assert!(stderr.contains("run again with --yes"), "{stderr}");
    assert!(intake.application(&who).is_some(), "erased without --yes");

    let out = intake.cmd(&["erase", "--email", &who, "--yes"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with(&format!("{who}: erased 1 application")),
        "{stdout}"
    );
    assert_eq!(files_holding(&intake, &who), Vec::<String>::new());
    assert!(intake.application(&who).is_none());

    // Their first answer mail delivered again (a new UID, the same
    // Message-ID), and every mail in the mailbox looked at again: nothing
    // answered, nothing of theirs stored again.
    let before = mails_to(&intake, &who).len();
    intake.receive(&who, &first).await;
    intake.once();
    smtpd_idle();
    intake.once();
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(mails_to(&intake, &who).len(), before, "answered again");
    assert_eq!(files_holding(&intake, &who), Vec::<String>::new());
    assert!(intake.application(&who).is_none());
    let got = export(&intake, &who);
    assert_eq!(got["mails"], serde_json::json!([]));

    // A new mail from the address later is a new person's first mail.
    intake
        .receive(
            &who,
            &mail(
                &who,
                "Ada",
                &intake.team,
                "Hello again",
                "",
                "How do I apply?",
            ),
        )
        .await;
    intake.once();
    let got = wait_mails(&intake, &who, before + 1);
    assert!(
        got[before].body.contains("1. What is your name?"),
        "{}",
        got[before].body
    );
}

/// Puts `raw` into the team mailbox as if it had arrived `days` ago
/// (Dovecot takes a maildir file's mtime as its IMAP INTERNALDATE).
fn arrived_days_ago(intake: &Intake, raw: &str, days: u64) {
    let name = format!("{}.old", uuid::Uuid::new_v4());
    intake.stack.inject(&intake.team, &name, raw.as_bytes());
    let path = intake
        .stack
        .dir
        .join("mail")
        .join(intake.team.to_lowercase())
        .join("Maildir/new")
        .join(&name);
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(days * 24 * 3600))
        .unwrap();
}

/// An applicant who wrote today, and answered (twice, the second time
/// changing the region) in mails that arrived 40 and 39 days ago.
async fn answered_long_ago(intake: &Intake) -> String {
    let who = applicant(intake);
    let q = ask(intake, &who, "Applying").await;
    let first = answering(&who, &q, "Asia", "I have run seventeen workshops.");
    arrived_days_ago(intake, &first, 40);
    intake.once();
    wait_mails(intake, &who, 2);
    let second = answering(&who, &q, "Europe", "I have run eighteen workshops.");
    arrived_days_ago(intake, &second, 39);
    intake.once();
    wait_mails(intake, &who, 3);
    // The delivery copies of our replies, stored too.
    smtpd_idle();
    intake.once();
    who
}

/// Adds `closes_at` (RFC 3339) and `[privacy] retention_days` to the
/// config.
fn close_and_retain(config: &Path, closes_at: &str, days: u32) {
    let text = std::fs::read_to_string(config).unwrap().replace(
        "questions = \"questions.toml\"",
        &format!("questions = \"questions.toml\"\ncloses_at = \"{closes_at}\""),
    );
    std::fs::write(
        config,
        format!("{text}\n[privacy]\nretention_days = {days}\n"),
    )
    .unwrap();
}

fn days_ago(days: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::days(days)).to_rfc3339()
}

/// What a purge leaves: today's mail whole; the answers of 40 and 39 days
/// ago gone from their mails, our replies to them (and the replies'
/// delivery copies) and the history, the current answers kept; the
/// replaced answer in no database file.
fn purged_as_retention_says(intake: &Intake, who: &str) {
    let got = export(intake, who);
    let raw: Vec<bool> = got["mails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["raw"].is_null() && m["raw_purged_at"].is_string())
        .collect();
    assert_eq!(raw, [true, true, false], "{got:#}");
    let bodies: Vec<bool> = got["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["message"].is_null())
        .collect();
    assert_eq!(bodies.iter().filter(|p| **p).count(), 2, "{got:#}");
    assert_eq!(got["application"]["answers"]["region"], "Europe");
    assert_eq!(
        got["application"]["answers"]["motivation"],
        "I have run eighteen workshops."
    );
    let values: Vec<&str> = got["answer_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["value"].as_str().unwrap())
        .collect();
    assert_eq!(values.len(), 5, "{values:?}");
    assert!(!values.contains(&"Asia"), "{values:?}");
    assert_eq!(files_holding(intake, "seventeen"), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn retention_purges_old_raw_mail_and_answer_history_by_command() {
    let intake = Intake::with(|c| {
        *c = c.replace(
            "questions = \"questions.toml\"",
            "questions = \"questions.toml\"\nbackfill = \"all\"",
        );
    });
    let who = answered_long_ago(&intake).await;
    assert!(!files_holding(&intake, "seventeen").is_empty());
    // The call closed 10 days ago: under 30 days of retention, nothing yet.
    let config = intake.config.clone();
    let original = std::fs::read_to_string(&config).unwrap();
    close_and_retain(&config, &days_ago(10), 30);
    let out = intake.cmd(&["purge"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("nothing to purge yet"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Closed 35 days ago: what came before 30 days ago goes.
    std::fs::write(&config, &original).unwrap();
    close_and_retain(&config, &days_ago(35), 30);
    let out = intake.cmd(&["purge"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "purged: raw bytes of 4 mails, bodies of 2 replies, 2 superseded answer versions, 0 files of them, 0 held answers\n"
    );
    purged_as_retention_says(&intake, &who);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daemon_purges_by_retention_at_its_start() {
    let intake = Intake::with(|c| {
        *c = c.replace(
            "questions = \"questions.toml\"",
            "questions = \"questions.toml\"\nbackfill = \"all\"",
        );
    });
    let who = answered_long_ago(&intake).await;
    close_and_retain(&intake.config, &days_ago(35), 30);
    let daemon = Daemon::start(&intake.config);
    daemon.wait_log(
        "purged by privacy.retention_days",
        1,
        Duration::from_secs(30),
    );
    assert!(daemon.log().contains("mails=4"), "{}", daemon.log());
    drop(daemon);
    purged_as_retention_says(&intake, &who);
}
