//! Arrival to reply delivered, on the real stack (Dovecot + OpenSMTPD on
//! loopback): `mailintake run` with IMAP IDLE, the same with IDLE off
//! polling every `POLL_SECONDS`, and with IDLE off polling every
//! `FAST_POLL_SECONDS`, side by side in one run.
//!
//! `benches/latency.sh [MAILS] [POLL_SECONDS] [FAST_POLL_SECONDS]` (root;
//! defaults 40, 10 and 0.1; the intervals may be fractions, at least 0.1).
//! Applicants write one at a time, 0.5 to 1.5 s apart, to the three team
//! mailboxes at once. Arrival is when Dovecot wrote the mail into the team
//! maildir, delivery when it wrote the reply into the applicant's: file
//! times, to the nanosecond, on one clock. For IDLE and fast polling, the
//! time to the daemon's wake-up (its log line) splits the figure into the
//! wait for news (the server's notification, or the next poll) and the
//! daemon's own work. Each side's p50 and p99 are given as multiples of
//! IDLE's in the same run, and fast polling's looks at the mailbox are
//! counted (each is one SELECT and one UID SEARCH on the server).
#![allow(clippy::unwrap_used)]

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use common::daemon::Daemon;
use common::{Intake, MailStack, mail};

struct Side {
    name: String,
    /// Split arrival to reply at the daemon's wake-up.
    split: bool,
    /// Count the daemon's looks at the mailbox (polling: one a wake-up).
    looks: bool,
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

/// A daemon on its own team mailbox; `poll` in seconds.
fn side(name: String, split: bool, looks: bool, extra_imap: &str, poll: f64) -> Side {
    let intake = Intake::with(|c| {
        *c = c
            .replace("[imap]\n", &format!("[imap]\n{extra_imap}"))
            .replace(
                "questions = \"questions.toml\"\n",
                &format!("questions = \"questions.toml\"\npoll_seconds = {poll}\n"),
            );
        // A run may send more first mails in a minute than the default
        // send limit allows in an hour; the limit is not what is measured.
        c.push_str("\n[limits]\ntotal_per_hour = 100000\n");
    });
    let daemon = Daemon::start(&intake.config);
    Side {
        name,
        split,
        looks,
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

/// Prints one row; gives its p50 and p99.
fn line(what: &str, mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let p50 = percentile(&samples, 50.0);
    let p99 = percentile(&samples, 99.0);
    println!(
        "{what:<44} n={:<3} p50 {:>7.3} s   p90 {:>7.3} s   p99 {:>7.3} s   max {:>7.3} s",
        samples.len(),
        p50.as_secs_f64(),
        percentile(&samples, 90.0).as_secs_f64(),
        p99.as_secs_f64(),
        samples[samples.len() - 1].as_secs_f64(),
    );
    (p50, p99)
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}

#[tokio::main]
async fn main() {
    // `cargo bench` passes `--bench`; the numbers are ours.
    let numbers: Vec<f64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let mails = numbers.first().copied().unwrap_or(40.0).max(1.0) as usize;
    let poll = numbers.get(1).copied().unwrap_or(10.0);
    let fast = numbers.get(2).copied().unwrap_or(0.1);
    for (what, s) in [("POLL_SECONDS", poll), ("FAST_POLL_SECONDS", fast)] {
        assert!(
            (0.1..=86_400.0).contains(&s),
            "{what} = {s}: intake.poll_seconds takes 0.1 to 86400"
        );
    }
    let stack = MailStack::get();
    let mut sides = [
        side("IDLE".into(), true, false, "", poll),
        side(
            format!("polling every {poll} s"),
            false,
            false,
            "idle = false\n",
            poll,
        ),
        side(
            format!("fast polling every {fast} s"),
            true,
            true,
            "idle = false\n",
            fast,
        ),
    ];
    // A first mail each: every daemon is in and waiting before timing.
    for s in &sides {
        let who = stack.address("warmup", "example.net");
        s.intake
            .receive(&who, &mail(&who, "W", &s.intake.team, "Hi", "", "Hello"))
            .await;
        stack.wait_for(&who, 1);
    }
    println!(
        "{mails} applicants, 0.5 to 1.5 s apart; polling every {poll} s, fast polling every {fast} s"
    );
    for _ in 0..mails {
        for s in &mut sides {
            let who = stack.address("applicant", "example.net");
            let raw = mail(&who, "Ada", &s.intake.team, "Hello", "", "How do I apply?");
            stack.send_raw(&who, &s.intake.team, raw.as_bytes()).await;
            s.people.push(who);
        }
        tokio::time::sleep(Duration::from_millis(500 + fastrand::u64(0..1000))).await;
    }
    let deadline = Instant::now() + Duration::from_secs_f64(poll * 2.0 + 60.0);
    for s in &sides {
        for who in &s.people {
            while landed(stack, who, &s.intake.team).is_none() {
                assert!(Instant::now() < deadline, "{}: {who} got no reply", s.name);
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    let mut percentiles = Vec::new();
    for s in &sides {
        let mut total = Vec::new();
        let mut notified = Vec::new();
        let mut worked = Vec::new();
        let woke = wakes(&s.daemon.log());
        let mut first = None::<SystemTime>;
        let mut last = None::<SystemTime>;
        for who in &s.people {
            let arrived = landed(stack, &s.intake.team, who).expect("arrival");
            let replied = landed(stack, who, &s.intake.team).expect("reply");
            first = Some(first.map_or(arrived, |f| f.min(arrived)));
            last = Some(last.map_or(replied, |l| l.max(replied)));
            total.push(replied.duration_since(arrived).unwrap_or_default());
            if let Some(w) = woke.iter().find(|w| **w >= arrived && **w <= replied) {
                notified.push(w.duration_since(arrived).unwrap_or_default());
                worked.push(replied.duration_since(*w).unwrap_or_default());
            }
        }
        percentiles.push(line(&format!("{}: arrival to reply", s.name), total));
        if s.split && !notified.is_empty() {
            line("  of which arrival to wake-up", notified);
            line("  of which wake-up to reply", worked);
        }
        if s.looks
            && let (Some(first), Some(last)) = (first, last)
        {
            // Each wake-up of a polling daemon is one look: a SELECT and a
            // UID SEARCH on the server.
            let looks = woke.iter().filter(|w| **w >= first && **w <= last).count();
            let span = last.duration_since(first).unwrap_or_default().as_secs_f64();
            println!(
                "  looks at the mailbox (SELECT + UID SEARCH): {looks} in {span:.1} s, {:.1} a second",
                looks as f64 / span.max(1e-9)
            );
        }
    }
    let (idle_p50, idle_p99) = percentiles[0];
    println!(
        "{:<44} {:>8} {:>8}",
        "against IDLE in this run", "p50", "p99"
    );
    for (s, (p50, p99)) in sides.iter().zip(&percentiles).skip(1) {
        println!(
            "  {:<42} {:>7.2}x {:>7.2}x",
            s.name,
            ratio(*p50, idle_p50),
            ratio(*p99, idle_p99)
        );
    }
}
