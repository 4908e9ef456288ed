//! Never lose, never double: the PostgreSQL backend, two daemons on one
//! mailbox, and `kill -9`.

use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime};

use super::{applicant, ask, mails_to, wait_mails};
use crate::common::daemon::Daemon;
use crate::common::proxy::Proxy;
use crate::common::{Intake, MailStack, mail, postgres, reply, smtpd_idle};

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

/// Room for a crowd: 200 first mails within a minute are more replies
/// than the default send limit allows in an hour, and the limit is not
/// what these tests are about.
fn no_total_limit(c: &mut String) {
    c.push_str("\n[limits]\ntotal_per_hour = 100000\n");
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
        no_total_limit(c);
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
            .filter(|l| {
                l.contains("message processed")
                    && !l.contains("AlreadyProcessed")
                    && !l.contains("DeliveryCopy")
            })
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
    let intake = Intake::with(|c| {
        poll_every_second(c);
        no_total_limit(c);
    });
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
    // Every applicant's mail is in the mailbox (besides the delivery
    // copies of our replies), then one last kill and restart.
    let start = Instant::now();
    while intake
        .stack
        .delivered(&intake.team)
        .iter()
        .filter(|m| !String::from_utf8_lossy(m).contains("Auto-Submitted: auto-replied"))
        .count()
        < people.len()
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "applicants' mail not delivered"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
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
    last.kill9();
    logs.push_str(&last.log());
    // A reply in flight at a kill may or may not have been taken; its
    // delivery copy in the team mailbox tells, and only a reply whose copy
    // never came is sent again. So nobody gets a second copy.
    let resent = logs
        .matches("a reply whose send was cut off goes again")
        .count();
    let mut twice = Vec::new();
    for who in &people {
        let (distinct, copies) = replies(&intake, who);
        assert_eq!(distinct, 1, "{who} got {distinct} different replies");
        if copies > 1 {
            twice.push(who.clone());
        }
    }
    eprintln!("{kills} kills, {resent} replies sent again after a cut-off send");
    assert!(
        twice.is_empty(),
        "{} applicants got their reply twice, e.g. {}",
        twice.len(),
        twice[0]
    );
}

/// The server takes a reply but its answer to the final dot is lost (the
/// connection drops): the daemon cannot know the reply went. Its delivery
/// copy in the team mailbox settles it, and the applicant gets it once.
/// With the copy turned off, the same loss sends the reply twice: the case
/// is real, and it is the copy that prevents it.
#[tokio::test(flavor = "multi_thread")]
async fn a_reply_whose_final_answer_is_lost_is_settled_by_its_delivery_copy() {
    for copy in [true, false] {
        let stack = MailStack::get();
        let proxy = Proxy::start(stack.smtp_port);
        proxy.lose_final_answers(true);
        let intake = Intake::with(|c| {
            *c = c.replace(
                &format!(
                    "port = {}\nsecurity = \"none\"\n\n[database]",
                    stack.smtp_port
                ),
                &format!(
                    "port = {}\nsecurity = \"none\"\ndelivery_copy = {copy}\n\n[database]",
                    proxy.port
                ),
            );
        });
        let daemon = Daemon::start(&intake.config);
        let who = applicant(&intake);
        intake
            .receive(
                &who,
                &mail(&who, "Ada", &intake.team, "Hello", "", "How do I apply?"),
            )
            .await;
        // The first send's answer is lost, but the server took it.
        intake.stack.wait_for(&who, 1);
        proxy.lose_final_answers(false);
        let pool = sqlx::SqlitePool::connect(&intake.db_url()).await.unwrap();
        let settled = async || -> (Option<String>, Option<String>) {
            sqlx::query_as("SELECT sent_at, copy_seen_at FROM outbox WHERE recipient = ?")
                .bind(&who)
                .fetch_one(&pool)
                .await
                .unwrap()
        };
        let start = Instant::now();
        while settled().await.0.is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "the reply was never settled:\n{}",
                daemon.log()
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        // Time for a second copy, had one been sent, to arrive.
        smtpd_idle();
        tokio::time::sleep(Duration::from_secs(2)).await;
        let got = intake.stack.delivered(&who).len();
        let (_, copy_seen) = settled().await;
        let log = daemon.log();
        if copy {
            assert_eq!(got, 1, "the applicant got the reply {got} times:\n{log}");
            assert!(copy_seen.is_some(), "the copy was not noted:\n{log}");
            assert!(!log.contains("goes again"), "{log}");
            // The copy is no mail received and nothing for staff.
            let status = intake.cmd(&["status", "--json"]);
            let status: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
            assert_eq!(status["received_since"], 1, "{status}");
            assert_eq!(status["waiting_for_staff"], 0, "{status}");
        } else {
            assert_eq!(
                got, 2,
                "without the copy, the loss should send it twice:\n{log}"
            );
            assert!(log.contains("goes again"), "{log}");
        }
    }
}

/// The server fact the daemon's `caught_up_at` rests on: Dovecot's UID
/// SEARCH answers from the session's view as of its SELECT, so a mail
/// delivered after the SELECT is not in it. The daemon therefore reads the
/// time it counts the mailbox processed up to *before* the SELECT (tested
/// in `daemon::tests::the_mailbox_is_caught_up_to_the_select_not_to_the_search`);
/// read after it, a delivery copy that came in between would count as
/// absent and its reply, in doubt, would go twice.
#[tokio::test(flavor = "multi_thread")]
async fn dovecots_search_does_not_see_mail_delivered_after_the_select() {
    use mailintake::mailbox::{ImapMailbox, Source};
    let intake = crate::common::Intake::new();
    let who = applicant(&intake);
    intake
        .receive(
            &who,
            &mail(&who, "Ada", &intake.team, "Hello", "", "How do I apply?"),
        )
        .await;
    let config = mailintake::config::Config::load(&intake.config).unwrap();
    let mut mailbox = ImapMailbox::new(config.imap.clone());
    mailbox.open().await.unwrap();
    assert_eq!(mailbox.uids_after(0).await.unwrap(), vec![1]);
    // Delivered after the SELECT, before the clock is read and the search.
    let grace = applicant(&intake);
    intake
        .receive(
            &grace,
            &mail(
                &grace,
                "Grace",
                &intake.team,
                "Hello",
                "",
                "How do I apply?",
            ),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let found = mailbox.uids_after(0).await.unwrap();
    mailbox.logout().await;
    assert_eq!(
        found,
        vec![1],
        "Dovecot's search now sees mail delivered after the SELECT; the daemon's caught_up_at (read before the SELECT) is merely cautious"
    );
}
