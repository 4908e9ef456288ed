//! Never lose, never double: the backfill policy at the first start, the
//! PostgreSQL backend, two daemons on one mailbox, and `kill -9`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use super::{applicant, ask, mails_to, wait_mails};
use crate::common::{Intake, mail, postgres, reply};

/// A config edit: the database is a fresh PostgreSQL database.
pub fn on_postgres(c: &mut String) {
    let url = postgres::database_url();
    *c = c.replace("url = \"sqlite://intake.db\"", &format!("url = \"{url}\""));
}

fn poll_every_second(c: &mut String) {
    *c = c.replace(
        "questions = \"questions.toml\"",
        "questions = \"questions.toml\"\npoll_seconds = 1",
    );
}

/// `mailintake run` in the background, its log in a file (a pipe would
/// fill up and stall it).
struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    fn start(intake: &Intake, name: &str) -> Daemon {
        let log = intake.dir.path().join(format!("{name}.log"));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_mailintake"))
            .arg("--config")
            .arg(&intake.config)
            .arg("run")
            .env("RUST_LOG", "mailintake=debug,info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .unwrap();
        Daemon { child, log }
    }

    fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// Distinct replies (by Message-ID) and delivered copies, per applicant.
fn replies(intake: &Intake, who: &str) -> (usize, usize) {
    let got = mails_to(intake, who);
    let ids: BTreeSet<String> = got.iter().map(|m| m.message_id.clone()).collect();
    (ids.len(), got.len())
}

async fn first_mails(intake: &Intake, people: &[String]) {
    for who in people {
        intake
            .stack
            .send_raw(
                who,
                &intake.team,
                mail(
                    who,
                    "Ada",
                    &intake.team,
                    "Application",
                    "",
                    "How do I apply?",
                )
                .as_bytes(),
            )
            .await;
    }
}

/// Waits until every applicant has a reply; the time it took.
fn wait_all_answered(intake: &Intake, people: &[String], limit: Duration) -> Duration {
    let start = Instant::now();
    loop {
        let waiting: Vec<&String> = people
            .iter()
            .filter(|w| intake.stack.delivered(w).is_empty())
            .collect();
        if waiting.is_empty() {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < limit,
            "{} of {} applicants unanswered after {limit:?}, e.g. {}",
            waiting.len(),
            people.len(),
            waiting[0]
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Mail put into the mailbox as if it had arrived `age` ago (Dovecot
/// takes a maildir file's mtime as its IMAP INTERNALDATE).
fn arrived_ago(intake: &Intake, who: &str, body: &str, age: Duration) {
    let raw = mail(
        who,
        "Old Contact",
        &intake.team,
        "Supplier invoice",
        "",
        body,
    );
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
    f.set_modified(SystemTime::now() - age).unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn at_the_first_start_old_mail_is_backlog_and_recent_mail_is_answered() {
    let day = Duration::from_secs(24 * 3600);
    for (setting, answered_ages, backlog_ages) in [
        // The default: a day back from the first start.
        (
            None,
            vec![Duration::from_secs(2 * 3600)],
            vec![day * 3, day * 400],
        ),
        (
            Some("none"),
            vec![],
            vec![Duration::from_secs(2 * 3600), day * 3],
        ),
        (Some("all"), vec![day * 3, day * 400], vec![]),
    ] {
        let intake = Intake::with(|c| {
            if let Some(s) = setting {
                *c = c.replace(
                    "questions = \"questions.toml\"",
                    &format!("questions = \"questions.toml\"\nbackfill = \"{s}\""),
                );
            }
        });
        // A mail arriving now creates the mailbox; it predates the first
        // start only under "none".
        let now_who = applicant(&intake);
        intake
            .receive(
                &now_who,
                &mail(
                    &now_who,
                    "New",
                    &intake.team,
                    "Apply",
                    "",
                    "How do I apply?",
                ),
            )
            .await;
        if setting == Some("none") {
            // Arrival times have whole seconds: make this one plainly
            // older than the first start.
            std::thread::sleep(Duration::from_secs(2));
        }
        let mut answered = Vec::new();
        let mut backlog = Vec::new();
        for age in &answered_ages {
            let who = applicant(&intake);
            arrived_ago(&intake, &who, "How do I apply?", *age);
            answered.push((who, *age));
        }
        for age in &backlog_ages {
            let who = applicant(&intake);
            arrived_ago(&intake, &who, "Please find our invoice.", *age);
            backlog.push((who, *age));
        }
        intake.once();
        for (who, _) in &answered {
            wait_mails(&intake, who, 1);
        }
        if setting != Some("none") {
            wait_mails(&intake, &now_who, 1);
        }
        // Mail arriving after the first start is answered under any setting.
        let later = applicant(&intake);
        intake
            .receive(
                &later,
                &mail(
                    &later,
                    "Later",
                    &intake.team,
                    "Apply",
                    "",
                    "How do I apply?",
                ),
            )
            .await;
        intake.once();
        wait_mails(&intake, &later, 1);
        std::thread::sleep(Duration::from_secs(1));

        let report = intake.report_json();
        let listed = report["attention"].as_array().unwrap();
        for (who, age) in &backlog {
            assert!(
                mails_to(&intake, who).is_empty(),
                "{setting:?}: old contact {who} was written to"
            );
            let item = listed
                .iter()
                .find(|a| a["from"] == who.as_str())
                .unwrap_or_else(|| panic!("{setting:?}: {who} not listed: {listed:?}"));
            assert_eq!(item["reason"], "backlog", "{item}");
            // Shown with its arrival time, not the time it was processed.
            let shown = chrono::DateTime::parse_from_rfc3339(item["received_at"].as_str().unwrap())
                .unwrap();
            let arrived = chrono::Utc::now() - chrono::Duration::from_std(*age).unwrap();
            assert!(
                (shown.with_timezone(&chrono::Utc) - arrived)
                    .num_seconds()
                    .abs()
                    < 120,
                "{setting:?}: shown {shown}, arrived {arrived}"
            );
            assert!(
                intake.application(who).is_none(),
                "{who} became an applicant"
            );
        }
        for (who, age) in &answered {
            let app = intake
                .application(who)
                .unwrap_or_else(|| panic!("{setting:?}: {who} has no application"));
            let shown =
                chrono::DateTime::parse_from_rfc3339(app["received_at"].as_str().unwrap()).unwrap();
            let arrived = chrono::Utc::now() - chrono::Duration::from_std(*age).unwrap();
            assert!(
                (shown.with_timezone(&chrono::Utc) - arrived)
                    .num_seconds()
                    .abs()
                    < 120,
                "{setting:?}: application shown as received {shown}, arrived {arrived}"
            );
        }
        if setting == Some("none") {
            assert!(mails_to(&intake, &now_who).is_empty());
        }
    }
}

/// The whole journey on PostgreSQL: questions, answers, confirmation, a
/// duplicate delivery not answered again, the report.
#[tokio::test(flavor = "multi_thread")]
async fn the_journey_runs_on_postgresql() {
    let intake = Intake::with(on_postgres);
    let who = applicant(&intake);
    let q = ask(&intake, &who, "Application").await;
    let answer = reply(
        &who,
        "Ada Lovelace",
        &q,
        "",
        &[
            ("1. What is your name?", "Ada Lovelace"),
            ("   f) Oceania", "Europe"),
            ("   d) Spanish", "English, French"),
            ("   Several sentences", "I have chaired two chapters."),
            ("   Yes or no.", "yes"),
        ],
    );
    intake.receive(&who, &answer).await;
    // The same mail delivered twice.
    intake.receive(&who, &answer).await;
    intake.once();
    let got = wait_mails(&intake, &who, 2);
    assert!(got[1].body.contains("Ada Lovelace"), "{}", got[1].body);
    intake.once();
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(mails_to(&intake, &who).len(), 2, "answered twice");
    let app = intake.application(&who).expect("application");
    assert_eq!(app["status"], "complete", "{app}");
    assert_eq!(app["answers"]["region"], "Europe", "{app}");
    assert_eq!(app["missing"], serde_json::json!([]), "{app}");
}

/// Two daemons on one mailbox and one PostgreSQL database, a few hundred
/// applicants: each is answered exactly once, and both daemons work.
#[tokio::test(flavor = "multi_thread")]
async fn two_daemons_on_one_mailbox_and_one_postgresql_answer_each_mail_once() {
    let intake = Intake::with(|c| {
        on_postgres(c);
        poll_every_second(c);
    });
    let people: Vec<String> = (0..200).map(|_| applicant(&intake)).collect();
    let a = Daemon::start(&intake, "a");
    let b = Daemon::start(&intake, "b");
    first_mails(&intake, &people).await;
    wait_all_answered(&intake, &people, Duration::from_secs(120));
    std::thread::sleep(Duration::from_secs(3));
    for who in &people {
        assert_eq!(replies(&intake, who), (1, 1), "{who}");
    }
    let worked = |d: &Daemon| {
        d.log()
            .lines()
            .filter(|l| l.contains("message processed") && !l.contains("AlreadyProcessed"))
            .count()
    };
    let (wa, wb) = (worked(&a), worked(&b));
    assert_eq!(wa + wb, 200, "a {wa}, b {wb}");
    assert!(
        wa > 0 && wb > 0,
        "one daemon did all the work: a {wa}, b {wb}"
    );
}

/// Tiny xorshift, seeded from the clock and printed, so that a failing
/// run's kill times can be replayed with KILL_SEED.
fn rng() -> impl FnMut() -> u64 {
    let seed = std::env::var("KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    eprintln!("KILL_SEED={seed}");
    let mut x = seed;
    move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    }
}

/// `kill -9` at random moments while a few hundred applicants write: no
/// mail is lost, none is answered twice, and every one is answered within
/// 10 s of the last restart.
#[tokio::test(flavor = "multi_thread")]
async fn kill_9_at_random_moments_loses_nothing_and_answers_once() {
    let intake = Intake::with(poll_every_second);
    let people: Vec<String> = (0..200).map(|_| applicant(&intake)).collect();
    let mut next = rng();
    let mut daemon = Daemon::start(&intake, "run-0");
    let sender = {
        let intake_team = intake.team.clone();
        let stack = intake.stack;
        let people = people.clone();
        tokio::spawn(async move {
            for who in &people {
                stack
                    .send_raw(
                        who,
                        &intake_team,
                        mail(
                            who,
                            "Ada",
                            &intake_team,
                            "Application",
                            "",
                            "How do I apply?",
                        )
                        .as_bytes(),
                    )
                    .await;
            }
        })
    };
    let mut kills = 0;
    while !sender.is_finished() || kills < 8 {
        tokio::time::sleep(Duration::from_millis(200 + next() % 1300)).await;
        daemon.kill9();
        kills += 1;
        daemon = Daemon::start(&intake, &format!("run-{kills}"));
    }
    sender.await.unwrap();
    // Everything is in the mailbox, then one last kill and restart.
    intake.stack.wait_for(&intake.team, people.len());
    daemon.kill9();
    let restarted = Instant::now();
    let _daemon = Daemon::start(&intake, "last");
    let took = wait_all_answered(&intake, &people, Duration::from_secs(60));
    eprintln!("{kills} kills; all answered {took:?} after the last restart");
    assert!(
        took <= Duration::from_secs(10),
        "answered {took:?} after the last restart (at most 10 s)"
    );
    let _ = restarted;
    std::thread::sleep(Duration::from_secs(3));
    let mut copies_over = 0;
    for who in &people {
        let (distinct, copies) = replies(&intake, who);
        assert_eq!(distinct, 1, "{who} got {distinct} different replies");
        copies_over += copies - 1;
    }
    // SMTP cannot say whether a reply in flight when its sender was
    // killed was accepted: the next sender sends it again, the same
    // message with the same Message-ID, and logs that it may be a second
    // copy. Every extra copy must be one of those, at most one per kill.
    let logs: String = std::fs::read_dir(intake.dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "log"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .collect();
    let takeovers = logs.matches("may have been sent already").count();
    eprintln!("{copies_over} second copies, {takeovers} takeovers logged, {kills} kills");
    assert!(
        copies_over <= takeovers && takeovers <= kills + 1,
        "{copies_over} second copies, {takeovers} takeovers, {kills} kills"
    );
}

/// `status` counts for monitoring, and `backup` copies the live SQLite
/// database, WAL included, while the daemon runs: a report read from the
/// copy shows what the daemon had just written.
#[tokio::test(flavor = "multi_thread")]
async fn status_counts_and_a_backup_of_the_live_database_is_whole() {
    let intake = Intake::with(poll_every_second);
    let daemon = Daemon::start(&intake, "live");
    let who = applicant(&intake);
    intake
        .receive(
            &who,
            &mail(
                &who,
                "Ada",
                &intake.team,
                "Application",
                "",
                "How do I apply?",
            ),
        )
        .await;
    wait_mails(&intake, &who, 1);
    let robot = applicant(&intake);
    intake
        .receive(
            &robot,
            &mail(
                &robot,
                "Away",
                &intake.team,
                "Automatic reply: Application",
                "Auto-Submitted: auto-replied\r\n",
                "I am away until Monday.",
            ),
        )
        .await;
    // Wait until the daemon recorded the robot's mail too.
    let start = Instant::now();
    let counts = loop {
        let out = intake.cmd(&["status", "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if v["received_since"] == 2 {
            break v;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{v}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(counts["applications_since"], 1, "{counts}");
    assert_eq!(counts["applications"], 1, "{counts}");
    assert_eq!(counts["replies_pending"], 0, "{counts}");
    assert_eq!(counts["waiting_for_staff"], 1, "{counts}");
    let text = intake.cmd(&["status"]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("waiting for staff: 1"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );

    let copy = intake.dir.path().join("copy.db");
    let out = intake.cmd(&["backup", copy.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(daemon);
    // The copy is a database of its own: report from it.
    let text = std::fs::read_to_string(&intake.config)
        .unwrap()
        .replace("url = \"sqlite://intake.db\"", "url = \"sqlite://copy.db\"");
    let restored = intake.dir.path().join("restored.toml");
    std::fs::write(&restored, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mailintake"))
        .args([
            "--config",
            restored.to_str().unwrap(),
            "report",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["applications"][0]["email"], who.as_str(), "{report}");
    assert_eq!(report["attention"][0]["reason"], "robot", "{report}");
    // A second backup to the same file is refused, not overwritten.
    let again = intake.cmd(&["backup", copy.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("exists already"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

/// A tmpfs of a fixed size, unmounted when dropped (the tests run as root).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn new(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "mount tmpfs (the end-to-end tests run as root)");
        SmallDisk { dir }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// The disk under the database fills up: the mail is not taken (nothing
/// recorded, nothing sent, the run fails loudly), stays in the mailbox, and
/// is answered once when there is room again.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_stops_taking_mail_and_loses_none() {
    let disk = SmallDisk::new("4m");
    let db = disk.dir.path().join("intake.db");
    let intake = Intake::with(|c| {
        *c = c.replace(
            "url = \"sqlite://intake.db\"",
            &format!("url = \"sqlite://{}\"", db.display()),
        );
    });
    // The database exists (migrations ran), then the disk fills up.
    let first = applicant(&intake);
    intake
        .receive(
            &first,
            &mail(&first, "Ada", &intake.team, "Hi", "", "How do I apply?"),
        )
        .await;
    intake.once();
    wait_mails(&intake, &first, 1);
    let filler = disk.dir.path().join("filler");
    let free = {
        let out = Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(disk.dir.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse::<usize>()
            .unwrap()
    };
    std::fs::write(&filler, vec![0u8; free.saturating_sub(16 * 1024)]).unwrap();

    let who = applicant(&intake);
    let body = format!(
        "How do I apply?\n\n{}",
        "I have a long story to tell you.\n".repeat(12_000)
    );
    intake
        .receive(&who, &mail(&who, "Grace", &intake.team, "Hello", "", &body))
        .await;
    let out = intake.cmd(&["once"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "a full disk went unnoticed: {stderr}"
    );
    // SQLite says "database or disk is full" when a write fails, or
    // "disk I/O error" when it cannot even open its shared-memory file.
    assert!(
        stderr.contains("database") && (stderr.contains("full") || stderr.contains("I/O")),
        "{stderr}"
    );
    eprintln!("{stderr}");
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        mails_to(&intake, &who).is_empty(),
        "answered without being stored"
    );

    std::fs::remove_file(&filler).unwrap();
    intake.once();
    wait_mails(&intake, &who, 1);
    intake.once();
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(mails_to(&intake, &who).len(), 1);
    assert!(intake.application(&who).is_some());
}
