//! The loops in-process, with a scripted mailbox and transport: outages
//! ridden out, permanent errors stopping them, a push answered at once,
//! new mail taken in while SMTP hangs, a deferred reply waiting its turn,
//! a shutdown honoured during a wait.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::*;
use crate::domain::Attention;
use crate::mailbox::{Fetched, Wake};
use crate::outbox::SendError;

/// A mailbox that is down for its first `down` opens and its first
/// `fetch_down` fetches, refuses the login when `refuse` is set, will not
/// hand over the messages in `unfetchable` (but gives their header), and
/// holds the mail pushed into `inbox`.
struct Scripted {
    down: usize,
    refuse: bool,
    opened: usize,
    fetch_down: usize,
    unfetchable: Vec<u32>,
    /// The UID of each fetch asked for, in order.
    fetched: Vec<u32>,
    inbox: Arc<Mutex<VecDeque<Fetched>>>,
    /// Rings when mail is pushed: the mailbox's IDLE.
    bell: Arc<tokio::sync::Notify>,
    idle: bool,
    /// When the last SELECT began: the server's view of the mailbox.
    selected_at: Option<chrono::DateTime<Utc>>,
}

impl Scripted {
    fn new() -> Self {
        Self {
            down: 0,
            refuse: false,
            opened: 0,
            fetch_down: 0,
            unfetchable: Vec::new(),
            fetched: Vec::new(),
            inbox: Arc::default(),
            bell: Arc::default(),
            idle: true,
            selected_at: None,
        }
    }
}

impl Source for Scripted {
    async fn open(&mut self) -> Result<u32, MailboxError> {
        self.opened += 1;
        self.selected_at = Some(Utc::now());
        // A SELECT takes a moment; a search after it may miss mail that
        // came meanwhile (as Dovecot's does).
        tokio::time::sleep(Duration::from_millis(20)).await;
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
        self.fetched.push(uid);
        if self.fetched.len() <= self.fetch_down {
            return Err(MailboxError::unreachable(
                "scripted",
                std::io::Error::from(std::io::ErrorKind::ConnectionReset),
            ));
        }
        if self.unfetchable.contains(&uid) {
            return Err(MailboxError::unfetchable(
                "scripted",
                uid,
                "the server refused it: [SERVERBUG] Internal error",
            ));
        }
        let inbox = self.inbox.lock().expect("lock");
        Ok(inbox.iter().find(|m| m.uid == uid).cloned())
    }
    async fn fetch_head(&mut self, uid: u32) -> Result<Option<Fetched>, MailboxError> {
        let inbox = self.inbox.lock().expect("lock");
        Ok(inbox.iter().find(|m| m.uid == uid).map(|m| {
            let end = m.raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap_or(0);
            Fetched {
                raw: m.raw[..end + 4].to_vec(),
                ..m.clone()
            }
        }))
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

/// Records what it sends; fails with "connection refused" while `down`,
/// defers (4xx) every reply to an address in `deferring`, and hangs (a
/// server that says nothing) while `stalled` holds true. With `copies`,
/// it claims to send delivery copies (so replies in doubt wait for them).
#[derive(Clone)]
struct Recorder {
    sent: Arc<Mutex<Vec<String>>>,
    /// Every attempt: to whom, and when it began.
    tries: Arc<Mutex<Vec<(String, Instant)>>>,
    down: Arc<AtomicUsize>,
    deferring: Arc<Mutex<Vec<String>>>,
    stalled: Arc<watch::Sender<bool>>,
    copies: bool,
}

impl Default for Recorder {
    fn default() -> Self {
        Self {
            sent: Arc::default(),
            tries: Arc::default(),
            down: Arc::default(),
            deferring: Arc::default(),
            stalled: Arc::new(watch::Sender::new(false)),
            copies: false,
        }
    }
}

impl Transport for Recorder {
    async fn send(&self, _from: &str, to: &str, _message: &[u8]) -> Result<(), SendError> {
        self.tries
            .lock()
            .expect("lock")
            .push((to.to_string(), Instant::now()));
        let _ = self.stalled.subscribe().wait_for(|s| !*s).await;
        let left = self.down.load(Ordering::SeqCst);
        if left > 0 {
            self.down.store(left - 1, Ordering::SeqCst);
            return Err(SendError::unreachable_for_tests());
        }
        if self.deferring.lock().expect("lock").iter().any(|d| d == to) {
            return Err(SendError::deferred_for_tests());
        }
        self.sent.lock().expect("lock").push(to.to_string());
        Ok(())
    }

    fn delivery_copy(&self) -> bool {
        self.copies
    }
}

impl Recorder {
    fn sent(&self) -> Vec<String> {
        self.sent.lock().expect("lock").clone()
    }

    /// When each attempt to send to `to` began.
    fn tries(&self, to: &str) -> Vec<Instant> {
        let tries = self.tries.lock().expect("lock");
        tries.iter().filter(|t| t.0 == to).map(|t| t.1).collect()
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

/// Resolves once `until` holds, looking every 5 ms; panics after `within`.
async fn until(within: Duration, what: &str, mut until: impl AsyncFnMut() -> bool) {
    let wait = async {
        while !until().await {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    if tokio::time::timeout(within, wait).await.is_err() {
        panic!("not within {within:?}: {what}");
    }
}

/// Pushes an applicant's first mail into the mailbox and rings.
fn push(source: &Scripted, uid: u32, who: &str) {
    source
        .inbox
        .lock()
        .expect("lock")
        .push_back(applicant_mail(uid, who));
    source.bell.notify_one();
}

#[tokio::test]
async fn new_mail_is_taken_in_while_the_smtp_server_hangs() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = Scripted::new();
    let (inbox, bell) = (source.inbox.clone(), source.bell.clone());
    let pushing = Scripted {
        inbox,
        bell,
        ..Scripted::new()
    };
    let sent = Recorder::default();
    sent.stalled.send_replace(true);
    let stop = Notify::new();
    let driver = async {
        push(&pushing, 1, "ada@example.net");
        // Ada's reply is under way, and the server says nothing.
        until(Duration::from_secs(5), "Ada's reply tried", async || {
            !sent.tries("ada@example.net").is_empty()
        })
        .await;
        let pushed = Instant::now();
        push(&pushing, 2, "grace@example.net");
        until(
            Duration::from_secs(5),
            "Grace's mail recorded",
            async || pipeline.store.last_uid("INBOX", 7).await.expect("read") == 2,
        )
        .await;
        let recorded = pushed.elapsed();
        assert!(sent.sent().is_empty(), "the server was to hang");
        // The server speaks again: both replies go out.
        sent.stalled.send_replace(false);
        until_sent(&sent, 2).await;
        stop.notify_one();
        recorded
    };
    let (ran, recorded) = tokio::join!(
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
    assert!(recorded < Duration::from_millis(500), "{recorded:?}");
    assert_eq!(
        sent.sent(),
        vec![
            "ada@example.net".to_string(),
            "grace@example.net".to_string()
        ]
    );
}

#[tokio::test]
async fn a_deferred_reply_waits_its_backoff_while_new_replies_go_out() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = Scripted::new();
    let pushing = Scripted {
        inbox: source.inbox.clone(),
        bell: source.bell.clone(),
        ..Scripted::new()
    };
    let sent = Recorder::default();
    let slow = "slow@example.net";
    sent.deferring.lock().expect("lock").push(slow.to_string());
    let stop = Notify::new();
    let driver = async {
        push(&pushing, 1, slow);
        until(Duration::from_secs(5), "the slow reply tried", async || {
            !sent.tries(slow).is_empty()
        })
        .await;
        // New replies, each waking the sender, while the slow one waits.
        for uid in 2..=6 {
            push(&pushing, uid, &format!("p{uid}@example.net"));
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        until_sent(&sent, 5).await;
        let others_sent = Instant::now();
        // Once its time has come, it is tried again (the sweep finds it).
        until(
            Duration::from_secs(5),
            "the slow reply tried again",
            async || sent.tries(slow).len() >= 2,
        )
        .await;
        stop.notify_one();
        others_sent
    };
    let (ran, others_sent) = tokio::join!(
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
    let tries = sent.tries(slow);
    // The first wait is at least half of DEFERRAL's first second.
    let gap = tries[1] - tries[0];
    assert!(
        gap >= Duration::from_millis(500),
        "tried again after {gap:?}"
    );
    assert!(
        others_sent < tries[1],
        "the new replies waited for the deferred one"
    );
    assert_eq!(sent.sent().len(), 5, "{:?}", sent.sent());
}

#[tokio::test]
async fn an_outage_however_long_never_uses_up_a_replys_attempts() {
    let (pipeline, _dir) = pipeline().await;
    pipeline
        .process("INBOX", 9, applicant_mail(1, "ada@example.net"), Utc::now())
        .await
        .expect("processed");
    let sent = Recorder::default();
    let outage = usize::try_from(outbox::MAX_ATTEMPTS).expect("small") + 5;
    sent.down.store(outage, Ordering::SeqCst);
    for _ in 0..outage {
        let flushed = outbox::flush(&pipeline.store, &sent, "INBOX").await;
        assert!(
            matches!(flushed, Err(FlushError::Transport { unsent: 1, .. })),
            "{flushed:?}"
        );
    }
    // The server is back, and defers it once: the reply waits, it is not
    // given up as if it had been deferred every time.
    sent.deferring
        .lock()
        .expect("lock")
        .push("ada@example.net".to_string());
    let flushed = outbox::flush(&pipeline.store, &sent, "INBOX")
        .await
        .expect("flushed");
    assert_eq!((flushed.deferred, flushed.failed), (1, 0), "{flushed:?}");
    let counts = pipeline.store.counts(Utc::now()).await.expect("counts");
    assert_eq!(counts.replies_pending, 1);
    assert_eq!(counts.waiting_for_staff, 0, "given up, listed for staff");
    // At once again, it is not tried: it waits for its next attempt.
    let flushed = outbox::flush(&pipeline.store, &sent, "INBOX")
        .await
        .expect("flushed");
    assert_eq!(flushed.waiting, 1, "{flushed:?}");
    assert_eq!(sent.tries("ada@example.net").len(), outage + 1);
}

/// Log lines written while `body` runs, as text.
async fn logged<F: Future>(body: F) -> (F::Output, String) {
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    // The test runtime has one thread: everything `body` logs lands here.
    let _guard = tracing::subscriber::set_default(subscriber);
    let out = body.await;
    let text = String::from_utf8_lossy(&sink.0.lock().expect("lock")).into_owned();
    (out, text)
}

#[tokio::test]
async fn a_shutdown_says_so_once_and_then_that_it_stopped() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = Scripted::new();
    push(&source, 1, "ada@example.net");
    let sent = Recorder::default();
    let (ran, log) = logged(run(
        &pipeline,
        &mut source,
        &sent,
        Duration::from_secs(60),
        until_sent(&sent, 1),
    ))
    .await;
    assert!(ran.is_ok(), "{ran:?}");
    assert_eq!(log.matches("shutting down").count(), 1, "{log}");
    assert_eq!(log.matches("stopped").count(), 1, "{log}");
}

/// A reply whose sender died mid-send is in doubt until the mailbox has
/// been looked at past the cut without its copy. No mail comes and the
/// mailbox never rings: the intake must look on its own, every sweep,
/// for the reply to go again.
#[tokio::test]
async fn a_reply_in_doubt_goes_again_though_no_mail_comes() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = Scripted::new();
    pipeline
        .process("INBOX", 7, applicant_mail(1, "ada@example.net"), Utc::now())
        .await
        .expect("processed");
    let store = &pipeline.store;
    let now = store.clock().await.expect("clock");
    let queued = store.pending_outbox(now).await.expect("queue");
    // A process took it and died: its lease lapses a second from now,
    // after the daemon's first look at the mailbox.
    store
        .take_lease(
            queued[0].id,
            "dead",
            now,
            now + chrono::Duration::seconds(1),
            crate::store::Resend::Now,
            chrono::Duration::zero(),
        )
        .await
        .expect("lease")
        .expect("leased");
    let sent = Recorder {
        copies: true,
        ..Recorder::default()
    };
    let stop = Notify::new();
    let started = Instant::now();
    let driver = async {
        until(
            Duration::from_secs(10),
            "the reply in doubt sent",
            async || sent.sent().len() == 1,
        )
        .await;
        stop.notify_one();
    };
    let (ran, ()) = tokio::join!(
        run(
            &pipeline,
            &mut source,
            &sent,
            Duration::from_secs(3600),
            stop.notified(),
        ),
        driver
    );
    assert!(ran.is_ok(), "{ran:?}");
    assert!(source.opened >= 2, "looked at the mailbox once only");
    let took = started.elapsed();
    // The lapse, the outbox's copy wait after it, a sweep or two.
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert_eq!(sent.sent(), vec!["ada@example.net".to_string()]);
}

// Proof of delivery under races: found by review, kept as guards.

/// A reply to `who`'s first mail, whose sender was killed mid-send: its
/// lease (50 ms) has lapsed with the send begun. Its outbox id.
async fn cut_off_mid_send(pipeline: &Pipeline, uid: u32, who: &str) -> i64 {
    pipeline
        .process("INBOX", 7, applicant_mail(uid, who), Utc::now())
        .await
        .expect("processed");
    let store = &pipeline.store;
    let id = queued_id(pipeline, who).await;
    let now = store.clock().await.expect("clock");
    store
        .take_lease(
            id,
            "killed-process",
            now,
            now + chrono::Duration::milliseconds(50),
            crate::store::Resend::AfterMailboxUpTo(None),
            chrono::Duration::zero(),
        )
        .await
        .expect("lease")
        .expect("leased");
    tokio::time::sleep(Duration::from_millis(300)).await;
    id
}

/// The reply queued for `who`, by the database's clock.
async fn queued_id(pipeline: &Pipeline, who: &str) -> i64 {
    let store = &pipeline.store;
    let now = store.clock().await.expect("clock");
    store
        .pending_outbox(now)
        .await
        .expect("queue")
        .into_iter()
        .find(|r| r.recipient == who)
        .expect("queued")
        .id
}

/// A reply that comes into doubt while a flush works through the queue
/// (another process was killed mid-send of it) still waits for its
/// delivery copy: the flush never sends a reply in doubt at once.
#[tokio::test]
async fn a_reply_that_comes_into_doubt_during_a_flush_waits_for_its_copy() {
    let (pipeline, _dir) = pipeline().await;
    for (uid, who) in [(1, "ada@example.net"), (2, "grace@example.net")] {
        pipeline
            .process("INBOX", 7, applicant_mail(uid, who), Utc::now())
            .await
            .expect("processed");
    }
    let store = &pipeline.store;
    let grace = queued_id(&pipeline, "grace@example.net").await;
    let sent = Recorder {
        copies: true,
        ..Recorder::default()
    };
    // Ada's send hangs: the flush has read its rows (none in doubt) and
    // is busy with the first one.
    sent.stalled.send_replace(true);
    let other_process = async {
        until(Duration::from_secs(5), "Ada's reply tried", async || {
            !sent.tries("ada@example.net").is_empty()
        })
        .await;
        // Meanwhile another process takes Grace's reply and is killed
        // mid-send: its lease lapses 50 ms later, with the send cut off.
        let now = store.clock().await.expect("clock");
        store
            .take_lease(
                grace,
                "killed-process",
                now,
                now + chrono::Duration::milliseconds(50),
                crate::store::Resend::AfterMailboxUpTo(None),
                chrono::Duration::zero(),
            )
            .await
            .expect("lease")
            .expect("leased");
        tokio::time::sleep(Duration::from_millis(300)).await;
        // The mailbox was never looked at after the cut: nobody knows
        // whether Grace's reply went. The first flush goes on.
        sent.stalled.send_replace(false);
    };
    let (flushed, ()) = tokio::join!(outbox::flush(store, &sent, "INBOX"), other_process);
    let flushed = flushed.expect("flushed");
    assert!(
        !sent.sent().contains(&"grace@example.net".to_string()),
        "Grace's reply, in doubt and its copy never looked for, was sent again at once: {flushed:?}, sent {:?}",
        sent.sent()
    );
}

/// A reply already in doubt when a flush starts waits for its copy.
#[tokio::test]
async fn a_reply_in_doubt_at_the_start_of_a_flush_waits() {
    let (pipeline, _dir) = pipeline().await;
    let store = &pipeline.store;
    let _grace = cut_off_mid_send(&pipeline, 2, "grace@example.net").await;
    let sent = Recorder {
        copies: true,
        ..Recorder::default()
    };
    let flushed = outbox::flush(store, &sent, "INBOX").await.expect("flushed");
    assert_eq!(flushed.in_doubt, 1, "{flushed:?}");
    assert!(sent.sent().is_empty());
}

/// A lease whose take waited on a busy database (SQLite waits up to
/// 30 s) is renewed from a fresh reading of the clock before the send:
/// it has not lapsed when the send starts, so no other process can take
/// the same reply meanwhile.
#[tokio::test]
async fn a_lease_granted_after_the_database_was_busy_has_not_lapsed_already() {
    let (pipeline, dir) = pipeline().await;
    pipeline
        .process("INBOX", 7, applicant_mail(1, "ada@example.net"), Utc::now())
        .await
        .expect("processed");
    let store = &pipeline.store;
    let ada = queued_id(&pipeline, "ada@example.net").await;
    // The mailbox was processed just now (no copy of anything in it).
    store
        .note_first_open("INBOX", Utc::now())
        .await
        .expect("first open");
    // Another process writes for 5 s (a long transaction on the file).
    let url = format!("sqlite://{}", dir.path().join("intake.db").display());
    let mut other = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
        .await
        .expect("second connection");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut other)
        .await
        .expect("write lock");
    let sent = Recorder {
        copies: true,
        ..Recorder::default()
    };
    // This process's send, once it has its lease, takes a while.
    sent.stalled.send_replace(true);
    let second_process = async {
        tokio::time::sleep(Duration::from_secs(5)).await;
        sqlx::query("COMMIT")
            .execute(&mut other)
            .await
            .expect("commit");
        until(Duration::from_secs(10), "Ada's reply tried", async || {
            !sent.tries("ada@example.net").is_empty()
        })
        .await;
        // The first process holds the lease and is sending. A second
        // process looks at the mailbox (no copy yet: the send is under
        // way) and at the queue.
        let now = store.clock().await.expect("clock");
        store.note_caught_up("INBOX", now).await.expect("caught up");
        let caught_up = store.caught_up("INBOX").await.expect("read");
        let taken = store
            .take_lease(
                ada,
                "second-process",
                now,
                now + chrono::Duration::seconds(4),
                crate::store::Resend::AfterMailboxUpTo(caught_up),
                chrono::Duration::zero(),
            )
            .await
            .expect("lease");
        sent.stalled.send_replace(false);
        taken.is_some()
    };
    let (flushed, taken_by_second) =
        tokio::join!(outbox::flush(store, &sent, "INBOX"), second_process);
    flushed.expect("flushed");
    assert!(
        !taken_by_second,
        "a second process took the reply while the first was sending it (lease granted already lapsed)"
    );
}

/// A reply in doubt waits for the mailbox its copy lands in (the
/// watched one) to be processed past its cut, not for any mailbox row in
/// the same database (a second instance on another folder).
#[tokio::test]
async fn a_reply_in_doubt_waits_for_its_own_mailbox_not_any_mailbox() {
    let (pipeline, _dir) = pipeline().await;
    let store = &pipeline.store;
    let _ada = cut_off_mid_send(&pipeline, 1, "ada@example.net").await;
    // Another folder, processed well past the cut; INBOX never was.
    store
        .note_first_open("Other", Utc::now())
        .await
        .expect("first open");
    let later = store.clock().await.expect("clock") + chrono::Duration::seconds(10);
    store
        .note_caught_up("Other", later)
        .await
        .expect("caught up");
    let sent = Recorder {
        copies: true,
        ..Recorder::default()
    };
    let flushed = outbox::flush(store, &sent, "INBOX").await.expect("flushed");
    assert!(
        sent.sent().is_empty(),
        "sent again on another mailbox's caught_up_at: {flushed:?}"
    );
}

/// Bo's mail (UID 1) that the server will not hand over, then Ada's.
fn unfetchable_first() -> Scripted {
    let source = Scripted::new();
    let mut inbox = source.inbox.lock().expect("lock");
    inbox.push_back(applicant_mail(1, "bo@example.net"));
    inbox.push_back(applicant_mail(2, "ada@example.net"));
    drop(inbox);
    Scripted {
        unfetchable: vec![1],
        ..source
    }
}

#[tokio::test]
async fn a_message_the_server_will_not_hand_over_is_listed_after_three_runs() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = unfetchable_first();
    let sent = Recorder::default();
    // `once` from cron: each run tries it again, and says why it failed.
    for run in 1..unfetchable::FETCH_TRIES {
        let e = cycle(&pipeline, &mut source, &sent)
            .await
            .expect_err("the run fails");
        assert!(
            e.to_string().contains("UID 1 could not be fetched"),
            "run {run}: {e}"
        );
        assert!(sent.sent().is_empty(), "run {run}: the mail after it waits");
    }
    cycle(&pipeline, &mut source, &sent)
        .await
        .expect("the third run gets past it");
    assert_eq!(sent.sent(), vec!["ada@example.net".to_string()]);

    // Staff see it, with who sent it and what to look for.
    let listed = pipeline.store.attention().await.expect("attention");
    assert_eq!(listed.len(), 1, "{listed:?}");
    let row = &listed[0];
    assert_eq!(row.reason, Attention::Unfetchable);
    assert_eq!(row.from.as_deref(), Some("bo@example.net"));
    assert_eq!(row.subject, "Hi");
    assert_eq!(
        row.detail.as_deref(),
        Some(
            "INBOX UID 1 (UIDVALIDITY 7) could not be fetched in 3 tries; the last: IMAP scripted: \
             UID 1 could not be fetched: the server refused it: [SERVERBUG] Internal error; \
             read it in a mail client or on the server"
        )
    );
    let counts = pipeline.store.counts(Utc::now()).await.expect("counts");
    assert_eq!(counts.waiting_for_staff, 1);
    let report = crate::report::Report::load(&pipeline.store, &pipeline.config().questions)
        .await
        .expect("report");
    assert!(
        report
            .json()
            .expect("json")
            .contains("\"reason\": \"unfetchable\""),
        "{}",
        report.json().expect("json")
    );
    let html = report
        .html("Group", &pipeline.config().questions, &pipeline.templates)
        .expect("html");
    assert!(html.contains("unfetchable") && html.contains("bo@example.net"));

    // Given up once: not fetched again, not listed twice.
    cycle(&pipeline, &mut source, &sent)
        .await
        .expect("nothing new");
    assert_eq!(source.fetched, vec![1, 1, 1, 2]);
    assert_eq!(
        pipeline.store.attention().await.expect("attention").len(),
        1
    );
}

/// Runs the loop until `n` replies are sent, polling an hour apart (only
/// its own retries explain a second look); to whom they went.
async fn sent_by_the_loop(pipeline: &Pipeline, source: &mut Scripted, n: usize) -> Vec<String> {
    let sent = Recorder::default();
    let stop = until_sent(&sent, n);
    let ran = run(pipeline, source, &sent, Duration::from_secs(3600), stop).await;
    assert!(ran.is_ok(), "{ran:?}");
    sent.sent()
}

#[tokio::test]
async fn the_loop_gets_past_a_message_the_server_will_not_hand_over() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = unfetchable_first();
    let sent = sent_by_the_loop(&pipeline, &mut source, 1).await;
    assert_eq!(sent, vec!["ada@example.net".to_string()]);
    assert_eq!(source.fetched, vec![1, 1, 1, 2]);
}

#[tokio::test]
async fn a_connection_failing_mid_fetch_never_gives_a_message_up() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = Scripted {
        fetch_down: 4,
        ..Scripted::new()
    };
    let mail = applicant_mail(1, "ada@example.net");
    source.inbox.lock().expect("lock").push_back(mail);
    let sent = sent_by_the_loop(&pipeline, &mut source, 1).await;
    assert_eq!(sent, vec!["ada@example.net".to_string()]);
    assert_eq!(source.fetched, vec![1; 5]);
    let listed = pipeline.store.attention().await.expect("attention");
    assert!(listed.is_empty(), "{listed:?}");
}

/// The mailbox counts as processed only up to the SELECT that the search
/// answered from, never up to a later time: a delivery copy that came
/// after the SELECT is not in the search, and must not count as absent.
#[tokio::test]
async fn the_mailbox_is_caught_up_to_the_select_not_to_the_search() {
    let (pipeline, _dir) = pipeline().await;
    let mut source = Scripted::new();
    source
        .inbox
        .lock()
        .expect("lock")
        .push_back(applicant_mail(1, "ada@example.net"));
    cycle(&pipeline, &mut source, &Recorder::default())
        .await
        .expect("cycle");
    let caught_up = pipeline
        .store
        .caught_up("INBOX")
        .await
        .expect("read")
        .expect("caught up");
    let selected = source.selected_at.expect("selected");
    assert!(
        caught_up <= selected,
        "caught up to {caught_up}, after the SELECT at {selected}"
    );
}

#[test]
fn delivery_copies_count_as_lost_only_when_none_ever_came() {
    use super::copies_lost;
    assert!(copies_lost(3, 0));
    assert!(!copies_lost(2, 0), "a few late ones are a slow server");
    assert!(!copies_lost(50, 1), "one came: they do reach the mailbox");
}
