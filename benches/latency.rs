//! Arrival to reply delivered, on the real stack (Dovecot + OpenSMTPD on
//! loopback): `mailintake run` with IMAP IDLE against the same with IDLE
//! off (polling every `poll_seconds`), side by side in one run.
//!
//! `benches/latency.sh [MAILS] [POLL_SECONDS]` (root; defaults 40 and 10).
//! Applicants write one at a time, 0.5 to 1.5 s apart, to both team
//! mailboxes at once. Arrival is when Dovecot wrote the mail into the team
//! maildir, delivery when it wrote the reply into the applicant's: file
//! times, to the nanosecond, on one clock. For IDLE, the time to the
//! daemon's wake-up (its log line) splits the figure into the server's
//! notification and the daemon's own work.
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use common::daemon::Daemon;
use common::{Intake, MailStack, mail};

struct Side {
    name: &'static str,
    intake: Intake,
    daemon: Daemon,
    people: Vec<String>,
}

fn maildir(stack: &MailStack, address: &str) -> PathBuf {
    stack
        .dir
        .join("mail")
        .join(address.to_lowercase())
        .join("Maildir")
}

/// When the first file holding `needle` landed in `address`'s maildir.
fn landed(stack: &MailStack, address: &str, needle: &str) -> Option<SystemTime> {
    let md = maildir(stack, address);
    ["new", "cur"]
        .iter()
        .filter_map(|sub| std::fs::read_dir(md.join(sub)).ok())
        .flatten()
        .flatten()
        .filter(|e| {
            std::fs::read(e.path())
                .map(|raw| String::from_utf8_lossy(&raw).contains(needle))
                .unwrap_or(false)
        })
        .filter_map(|e| e.metadata().ok()?.modified().ok())
        .min()
}

fn side(name: &'static str, extra_imap: &str, poll: u64) -> Side {
    let intake = Intake::with(|c| {
        *c = c
            .replace("[imap]\n", &format!("[imap]\n{extra_imap}"))
            .replace(
                "questions = \"questions.toml\"\n",
                &format!("questions = \"questions.toml\"\npoll_seconds = {poll}\n"),
            );
    });
    let daemon = Daemon::start(&intake.config);
    Side {
        name,
        intake,
        daemon,
        people: Vec::new(),
    }
}

/// The daemon's wake-ups ("looking for new mail"), by the log's clock.
fn wakes(log: &str) -> Vec<SystemTime> {
    log.lines()
        .filter(|l| l.contains("looking for new mail"))
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(SystemTime::from)
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn line(what: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    let p50 = percentile(&samples, 50.0);
    println!(
        "{what:<34} n={:<3} p50 {:>7.3} s   p90 {:>7.3} s   p99 {:>7.3} s   max {:>7.3} s",
        samples.len(),
        p50.as_secs_f64(),
        percentile(&samples, 90.0).as_secs_f64(),
        percentile(&samples, 99.0).as_secs_f64(),
        samples[samples.len() - 1].as_secs_f64(),
    );
    p50
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; the numbers are ours.
    let numbers: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let mails = numbers.first().copied().unwrap_or(40).max(1) as usize;
    let poll = numbers.get(1).copied().unwrap_or(10).max(1);
    let stack = MailStack::get();
    let mut sides = [
        side("IDLE", "", poll),
        side("polling (idle = false)", "idle = false\n", poll),
    ];
    // A first mail each: both daemons are in and waiting before timing.
    for s in &sides {
        let who = stack.address("warmup", "example.net");
        s.intake
            .receive(&who, &mail(&who, "W", &s.intake.team, "Hi", "", "Hello"))
            .await;
        stack.wait_for(&who, 1);
    }
    println!("{mails} applicants, 0.5 to 1.5 s apart; poll_seconds = {poll}");
    for _ in 0..mails {
        for s in &mut sides {
            let who = stack.address("applicant", "example.net");
            let raw = mail(&who, "Ada", &s.intake.team, "Hello", "", "How do I apply?");
            stack.send_raw(&who, &s.intake.team, raw.as_bytes()).await;
            s.people.push(who);
        }
        tokio::time::sleep(Duration::from_millis(500 + fastrand::u64(0..1000))).await;
    }
    let deadline = Instant::now() + Duration::from_secs(poll * 2 + 60);
    for s in &sides {
        for who in &s.people {
            while landed(stack, who, &s.intake.team).is_none() {
                assert!(Instant::now() < deadline, "{}: {who} got no reply", s.name);
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    let mut p50s = Vec::new();
    for s in &sides {
        let mut total = Vec::new();
        let mut notified = Vec::new();
        let mut worked = Vec::new();
        let woke = wakes(&s.daemon.log());
        for who in &s.people {
            let arrived = landed(stack, &s.intake.team, who).expect("arrival");
            let replied = landed(stack, who, &s.intake.team).expect("reply");
            total.push(replied.duration_since(arrived).unwrap_or_default());
            if let Some(w) = woke.iter().find(|w| **w >= arrived && **w <= replied) {
                notified.push(w.duration_since(arrived).unwrap_or_default());
                worked.push(replied.duration_since(*w).unwrap_or_default());
            }
        }
        p50s.push(line(&format!("{}: arrival to reply", s.name), total));
        if s.name == "IDLE" && !notified.is_empty() {
            line("  of which arrival to wake-up", notified);
            line("  of which wake-up to reply", worked);
        }
    }
    println!(
        "polling p50 / IDLE p50 = {:.1}",
        p50s[1].as_secs_f64() / p50s[0].as_secs_f64().max(1e-9)
    );
}
