//! Never lose, never double: the PostgreSQL backend, two daemons on one
//! mailbox, and `kill -9`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime};

use super::{applicant, ask, mails_to, wait_mails};
use crate::common::daemon::Daemon;
use crate::common::{Intake, mail, postgres, reply};

/// A config edit: the database is a fresh PostgreSQL database.
pub fn on_postgres(c: &mut String) {
    let url = postgres::database_url();
    *c = c.replace("url = \"sqlite://intake.db\"", &format!("url = \"{url}\""));
}

pub fn poll_every_second(c: &mut String) {
    *c = c.replace(
        "questions = \"questions.toml\"",
        "questions = \"questions.toml\"\npoll_seconds = 1",
    );
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
    let a = Daemon::start(&intake.config);
    let b = Daemon::start(&intake.config);
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
    let mut daemon = Daemon::start(&intake.config);
    // Every run's log, the killed ones' included.
    let mut logs = String::new();
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
        logs.push_str(&daemon.log());
        kills += 1;
        daemon = Daemon::start(&intake.config);
    }
    sender.await.unwrap();
    // Everything is in the mailbox, then one last kill and restart.
    intake.stack.wait_for(&intake.team, people.len());
    daemon.kill9();
    logs.push_str(&daemon.log());
    let mut last = Daemon::start(&intake.config);
    let took = wait_all_answered(&intake, &people, Duration::from_secs(60));
    eprintln!("{kills} kills; all answered {took:?} after the last restart");
    assert!(
        took <= Duration::from_secs(10),
        "answered {took:?} after the last restart (at most 10 s)"
    );
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
    last.kill9();
    logs.push_str(&last.log());
    let takeovers = logs.matches("may have been sent already").count();
    eprintln!("{copies_over} second copies, {takeovers} takeovers logged, {kills} kills");
    assert!(
        copies_over <= takeovers && takeovers <= kills + 1,
        "{copies_over} second copies, {takeovers} takeovers, {kills} kills"
    );
}
