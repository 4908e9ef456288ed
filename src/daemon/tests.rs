//! The loop in-process, with a scripted mailbox and transport: outages
//! ridden out, permanent errors stopping it, a push answered at once, a
//! shutdown honoured during a wait.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use super::*;
use crate::mailbox::{Fetched, Wake};
use crate::outbox::SendError;

/// A mailbox that is down for its first `down` opens, refuses the login
/// when `refuse` is set, and holds the mail pushed into `inbox`.
struct Scripted {
    down: usize,
    refuse: bool,
    opened: usize,
    inbox: Arc<Mutex<VecDeque<Fetched>>>,
    /// Rings when mail is pushed: the mailbox's IDLE.
    bell: Arc<tokio::sync::Notify>,
    idle: bool,
}

impl Scripted {
    fn new() -> Self {
        Self {
            down: 0,
            refuse: false,
            opened: 0,
            inbox: Arc::default(),
            bell: Arc::default(),
            idle: true,
        }
    }
}

impl Source for Scripted {
    async fn open(&mut self) -> Result<u32, MailboxError> {
        self.opened += 1;
        if self.refuse {
            return Err(MailboxError::login_refused(
                "scripted",
                "team",
                "[AUTHENTICATIONFAILED] Authentication failed.",
            ));
        }
        if self.opened <= self.down {
            return Err(MailboxError::unreachable(
                "scripted",
                std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
            ));
        }
        Ok(7)
    }
    async fn uids_after(&mut self, after: u32) -> Result<Vec<u32>, MailboxError> {
        let inbox = self.inbox.lock().expect("lock");
        Ok(inbox.iter().map(|m| m.uid).filter(|u| *u > after).collect())
    }
    async fn fetch(&mut self, uid: u32) -> Result<Option<Fetched>, MailboxError> {
        let inbox = self.inbox.lock().expect("lock");
        Ok(inbox.iter().find(|m| m.uid == uid).cloned())
    }
    async fn wait(&mut self, poll: Duration) -> Result<Wake, MailboxError> {
        if !self.idle {
            tokio::time::sleep(poll).await;
            return Ok(Wake::Elapsed);
        }
        self.bell.notified().await;
        Ok(Wake::Changed)
    }
}

fn applicant_mail(uid: u32, who: &str) -> Fetched {
    Fetched {
        uid,
        raw: format!(
            "From: A <{who}>\r\nTo: team@example.org\r\nSubject: Hi\r\nMessage-ID: <{uid}@x>\r\n\r\nHow do I apply?\r\n"
        )
        .into_bytes(),
        internal_date: None,
    }
}

/// Records what it sends; fails with "connection refused" while `down`.
#[derive(Clone, Default)]
struct Recorder {
    sent: Arc<Mutex<Vec<String>>>,
    down: Arc<std::sync::atomic::AtomicUsize>,
}

impl Transport for Recorder {
    async fn send(&self, _from: &str, to: &str, _message: &[u8]) -> Result<(), SendError> {
        let left = self.down.load(Ordering::SeqCst);
        if left > 0 {
            self.down.store(left - 1, Ordering::SeqCst);
            return Err(SendError::unreachable_for_tests());
        }
        self.sent.lock().expect("lock").push(to.to_string());
        Ok(())
    }
}

impl Recorder {
    fn sent(&self) -> Vec<String> {
        self.sent.lock().expect("lock").clone()
    }
}

async fn pipeline() -> (Pipeline, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("q.toml"),
        "[[question]]\nid = \"name\"\nprompt = \"Name?\"\nrequired = true\n",
    )
    .expect("write");
    let text = "[intake]\naddress = \"team@example.org\"\nname = \"Group\"\nquestions = \"q.toml\"\n\
                [imap]\nhost = \"h\"\nusername = \"u\"\npassword = \"p\"\n[smtp]\nhost = \"h\"\n\
                [database]\nurl = \"sqlite://intake.db\"\n";
    let config = crate::config::Config::from_str_at(text, &dir.path().join("c.toml"), &|_| None)
        .expect("config");
    (crate::open(config).await.expect("open"), dir)
}

/// Resolves once `sent` holds `n` replies (or after 20 s, failing).
async fn until_sent(sent: &Recorder, n: usize) {
    let wait = async {
        while sent.sent().len() < n {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), wait)
        .await
        .expect("the replies were sent");
}

#[tokio::test]
async fn the_loop_rides_out_a_mailbox_outage_and_stops_on_shutdown() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = Scripted::new();
    source.down = 3;
    source
        .inbox
        .lock()
        .expect("lock")
        .push_back(applicant_mail(1, "ada@example.net"));
    let sent = Recorder::default();
    let started = Instant::now();
    let ran = run(
        &pipeline,
        &mut source,
        &sent,
        Duration::from_secs(60),
        until_sent(&sent, 1),
    )
    .await;
    assert!(ran.is_ok(), "{ran:?}");
    assert_eq!(sent.sent(), vec!["ada@example.net".to_string()]);
    assert_eq!(source.opened, 4, "retried until the mailbox came back");
    // Three waits of at least 125, 250 and 500 ms: backoff, not a spin;
    // and well under the minute of polling: no wait for the next poll.
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(875), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[tokio::test]
async fn a_refused_login_stops_the_loop_with_the_key_to_fix() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = Scripted::new();
    source.refuse = true;
    let ran = tokio::time::timeout(
        Duration::from_secs(5),
        run(
            &pipeline,
            &mut source,
            &Recorder::default(),
            Duration::from_secs(60),
            std::future::pending(),
        ),
    )
    .await
    .expect("stopped on its own");
    let e = ran.expect_err("a permanent error");
    assert!(e.to_string().contains("imap.password"), "{e}");
    assert_eq!(source.opened, 1, "not retried");
}

#[tokio::test]
async fn pushed_mail_is_answered_at_once_and_replies_ride_out_an_smtp_outage() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = Scripted::new();
    let inbox = source.inbox.clone();
    let bell = source.bell.clone();
    let sent = Recorder::default();
    sent.down.store(3, Ordering::SeqCst);
    let stop = tokio::sync::Notify::new();
    let driver = async {
        // Polling is a minute: only the push can explain a prompt answer.
        inbox
            .lock()
            .expect("lock")
            .push_back(applicant_mail(1, "ada@example.net"));
        bell.notify_one();
        // SMTP refuses three times: the reply goes out after backoff.
        until_sent(&sent, 1).await;
        let pushed = Instant::now();
        inbox
            .lock()
            .expect("lock")
            .push_back(applicant_mail(2, "grace@example.net"));
        bell.notify_one();
        until_sent(&sent, 2).await;
        let answered = pushed.elapsed();
        stop.notify_one();
        answered
    };
    let (ran, answered) = tokio::join!(
        run(
            &pipeline,
            &mut source,
            &sent,
            Duration::from_secs(60),
            stop.notified(),
        ),
        driver
    );
    assert!(ran.is_ok(), "{ran:?}");
    assert!(answered < Duration::from_millis(500), "{answered:?}");
    assert_eq!(
        sent.sent(),
        vec![
            "ada@example.net".to_string(),
            "grace@example.net".to_string()
        ],
        "each answered once, none given up"
    );
}

#[tokio::test]
async fn a_shutdown_during_a_long_poll_returns_at_once() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = Scripted::new();
    source.idle = false;
    let started = Instant::now();
    let ran = run(
        &pipeline,
        &mut source,
        &Recorder::default(),
        Duration::from_secs(3600),
        tokio::time::sleep(Duration::from_millis(200)),
    )
    .await;
    assert!(ran.is_ok(), "{ran:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_reply_queued_by_another_process_goes_out_without_new_mail() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = Scripted::new();
    let sent = Recorder::default();
    let stop = tokio::sync::Notify::new();
    let other = async {
        // Another process (a cron `once`, a daemon that died before
        // sending) queued a reply in the shared database; this daemon's
        // mailbox never rings.
        tokio::time::sleep(Duration::from_millis(100)).await;
        pipeline
            .process("INBOX", 9, applicant_mail(1, "ada@example.net"), Utc::now())
            .await
            .expect("processed");
        let queued = Instant::now();
        until_sent(&sent, 1).await;
        stop.notify_one();
        queued.elapsed()
    };
    let (ran, took) = tokio::join!(
        run(
            &pipeline,
            &mut source,
            &sent,
            Duration::from_secs(3600),
            stop.notified(),
        ),
        other
    );
    assert!(ran.is_ok(), "{ran:?}");
    assert!(
        took <= OUTBOX_SWEEP + Duration::from_millis(500),
        "{took:?}"
    );
    assert_eq!(sent.sent(), vec!["ada@example.net".to_string()]);
}
