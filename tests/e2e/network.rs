//! The network against the real stack, through a proxy that cuts, stalls
//! and resumes: no step hangs, a refusal only a person can fix stops the
//! daemon with the key to fix, outages are ridden out and logged once,
//! IDLE answers at once, a hanging SMTP server holds up no new mail, and
//! SIGTERM drains.

use std::time::{Duration, Instant};

use super::common::daemon::{Daemon, wait_until};
use super::common::proxy::Proxy;
use super::common::{self, Intake, MailStack, mail, parse_mail, smtpd_idle};

/// An intake whose IMAP or SMTP goes through `port`, with `extra` lines
/// added to its `[imap]` and `[intake]` tables.
fn intake_via(
    imap: Option<u16>,
    smtp: Option<u16>,
    imap_extra: &str,
    intake_extra: &str,
) -> Intake {
    let stack = MailStack::get();
    Intake::with(|c| {
        if let Some(p) = imap {
            *c = c.replace(
                &format!("port = {}\n", stack.imap_port),
                &format!("port = {p}\n"),
            );
        }
        if let Some(p) = smtp {
            *c = c.replace(
                &format!("port = {}\n", stack.smtp_port),
                &format!("port = {p}\n"),
            );
        }
        *c = c
            .replace("[imap]\n", &format!("[imap]\n{imap_extra}"))
            .replace(
                "questions = \"questions.toml\"\n",
                &format!("questions = \"questions.toml\"\n{intake_extra}"),
            );
    })
}

/// A new applicant writes; returns who, once the mail is in the mailbox.
async fn writes(intake: &Intake) -> String {
    let who = intake.stack.address("applicant", "example.net");
    intake
        .receive(
            &who,
            &mail(&who, "Ada", &intake.team, "Hello", "", "How do I apply?"),
        )
        .await;
    who
}

/// Waits until `who` holds a reply; returns when it was seen.
fn answered(intake: &Intake, who: &str) -> Instant {
    let got = intake.stack.wait_for(who, 1);
    let reply = parse_mail(&got[0]);
    assert!(
        reply.body.contains("1. What is your name?"),
        "{}",
        reply.body
    );
    Instant::now()
}

/// Each of `people` got exactly one mail, and the outbox sent each one reply.
async fn answered_once(intake: &Intake, people: &[String]) {
    smtpd_idle();
    let pool = sqlx::SqlitePool::connect(&intake.db_url()).await.unwrap();
    for who in people {
        assert_eq!(
            intake.stack.delivered(who).len(),
            1,
            "{who}: not exactly one reply"
        );
        let sent: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE recipient = ? AND sent_at IS NOT NULL",
        )
        .bind(who)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(sent, 1, "{who}: sent {sent} times");
    }
}

/// SIGTERM, then a clean exit within 10 s, said once.
fn stop(mut daemon: Daemon) -> String {
    daemon.terminate();
    let status = daemon.wait_exit(Duration::from_secs(10));
    let log = daemon.log();
    assert!(status.is_some_and(|s| s.success()), "{status:?}\n{log}");
    assert!(!log.contains(common::PASSWORD), "password in the log");
    assert_eq!(log.matches("shutting down").count(), 1, "{log}");
    log
}

/// Whether the daemon recorded a mail from `who`.
async fn recorded(intake: &Intake, who: &str) -> bool {
    let pool = sqlx::SqlitePool::connect(&intake.db_url()).await.unwrap();
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE from_addr = ?")
        .bind(who)
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n > 0
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_that_never_greets_fails_check_in_time_and_run_retries_logging_once() {
    let stack = MailStack::get();
    let proxy = Proxy::start(stack.imap_port);
    proxy.stall();
    let intake = intake_via(
        Some(proxy.port),
        None,
        "timeout_seconds = 2\n",
        "poll_seconds = 60\n",
    );

    let started = Instant::now();
    let out = intake.cmd(&["check"]);
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(took < Duration::from_secs(6), "check took {took:?}");
    assert!(
        err.contains(&format!("127.0.0.1:{}", proxy.port))
            && err.contains("no greeting within 2 s"),
        "{err}"
    );
    assert!(
        err.contains("imap.port") && err.contains("imap.security"),
        "{err}"
    );

    // The daemon neither hangs nor gives up: it tries again and again,
    // and says so once.
    let daemon = Daemon::start(&intake.config);
    daemon.wait_log("IMAP down", 1, Duration::from_secs(10));
    let tries = proxy.accepted();
    wait_until(
        Duration::from_secs(30),
        || proxy.accepted() >= tries + 3,
        || format!("no retries:\n{}", daemon.log()),
    );
    assert_eq!(daemon.count("IMAP down"), 1, "{}", daemon.log());
    assert!(
        daemon.log().contains("no greeting within 2 s"),
        "{}",
        daemon.log()
    );

    // The server speaks again: back, and mail is answered.
    proxy.resume();
    daemon.wait_log("IMAP back", 1, Duration::from_secs(10));
    let who = writes(&intake).await;
    answered(&intake, &who);
    let log = stop(daemon);
    assert_eq!(log.matches("IMAP back").count(), 1, "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_password_or_folder_stops_run_and_once_naming_the_key_and_keeps_replies() {
    const WRONG: &str = "Wrong-pw-5e1b-never-logged";
    let intake = Intake::with(|c| *c = c.replacen(common::PASSWORD, WRONG, 1));
    for command in ["once", "run"] {
        let started = Instant::now();
        let out = intake.cmd(&[command]);
        let took = started.elapsed();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.status.success(), "{command}: {all}");
        // Dovecot delays a failed login by about 2 s.
        assert!(took < Duration::from_secs(10), "{command} took {took:?}");
        assert!(
            all.contains("login refused") && all.contains("imap.password"),
            "{command}: {all}"
        );
        assert!(!all.contains(WRONG), "{command}: the password is shown");
        assert!(
            !all.contains("Some("),
            "{command}: Debug output shown: {all}"
        );
    }

    let intake =
        Intake::with(|c| *c = c.replace("[imap]\n", "[imap]\nmailbox = \"NoSuchFolder\"\n"));
    let out = intake.cmd(&["run"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    // Our words and the server's (Dovecot's), no Debug rendering.
    assert!(
        err.contains("NoSuchFolder")
            && err.contains("Mailbox doesn't exist")
            && err.contains("imap.mailbox"),
        "{err}"
    );
    assert!(!err.contains("Some("), "Debug output shown: {err}");

    // SMTP refusing the login stops the daemon at the first reply, which
    // stays queued (not given up: it is not the reply's fault).
    let stack = MailStack::get();
    let intake = Intake::with(|c| {
        *c = c.replace(
            &format!("host = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"", stack.smtp_port),
            &format!(
                "host = \"localhost\"\nport = {}\nsecurity = \"starttls\"\nca_file = \"{}\"\nusername = \"team@example.org\"\npassword = \"{WRONG}\"",
                stack.submission_port,
                stack.ca_file.display()
            ),
        )
    });
    writes(&intake).await;
    let out = intake.cmd(&["run"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("login refused") && err.contains("smtp.password"),
        "{err}"
    );
    assert!(!err.contains(WRONG), "the password is shown");
    let pool = sqlx::SqlitePool::connect(&intake.db_url()).await.unwrap();
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(waiting, 1, "the reply was given up");
}

/// Cuts the proxy for about 20 s while three applicants write, then
/// resumes: returns who wrote and when the proxy resumed.
async fn outage(
    daemon: &Daemon,
    proxy: &Proxy,
    intake: &Intake,
    what: &str,
) -> (Vec<String>, Instant) {
    proxy.cut();
    let cut = Instant::now();
    let mut people = Vec::new();
    for _ in 0..3 {
        people.push(writes(intake).await);
    }
    daemon.wait_log(&format!("{what} down"), 1, Duration::from_secs(20));
    // The rest of the 20 s: long enough for the backoff to reach its cap.
    tokio::time::sleep(Duration::from_secs(20).saturating_sub(cut.elapsed())).await;
    proxy.resume();
    (people, Instant::now())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_imap_outage_is_ridden_out_everyone_answered_once_within_5_s_of_resume() {
    outage_is_ridden_out("IMAP").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_smtp_outage_is_ridden_out_queued_replies_go_out_once_within_5_s_of_resume() {
    outage_is_ridden_out("SMTP").await;
}

/// A 20 s cut of `server` ("IMAP" or "SMTP") behind a proxy while
/// applicants write: each is answered once, within 5 s of the resume, and
/// the log says "down" once and "back" once.
async fn outage_is_ridden_out(server: &str) {
    let stack = MailStack::get();
    let (proxy, intake) = if server == "IMAP" {
        let proxy = Proxy::start(stack.imap_port);
        let intake = intake_via(Some(proxy.port), None, "", "poll_seconds = 60\n");
        (proxy, intake)
    } else {
        let proxy = Proxy::start(stack.smtp_port);
        let intake = intake_via(None, Some(proxy.port), "", "poll_seconds = 60\n");
        (proxy, intake)
    };
    let daemon = Daemon::start(&intake.config);
    let first = writes(&intake).await;
    answered(&intake, &first);

    let (people, resumed) = outage(&daemon, &proxy, &intake, server).await;
    for who in &people {
        let took = answered(&intake, who).duration_since(resumed);
        eprintln!("{who}: answered {took:?} after the resume");
        assert!(
            took <= Duration::from_secs(5),
            "{who} answered {took:?} after the resume"
        );
    }
    let log = stop(daemon);
    answered_once(&intake, &people).await;
    assert_eq!(log.matches(&format!("{server} down")).count(), 1, "{log}");
    assert_eq!(log.matches(&format!("{server} back")).count(), 1, "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_idle_new_mail_is_answered_within_2_s_though_polling_is_a_minute_apart() {
    let intake = intake_via(None, None, "", "poll_seconds = 60\n");
    let daemon = Daemon::start(&intake.config);
    // The first answer shows the daemon is in; the next ones arrive while
    // it waits in IDLE.
    let first = writes(&intake).await;
    answered(&intake, &first);
    for _ in 0..3 {
        let who = writes(&intake).await;
        let arrived = Instant::now();
        let took = answered(&intake, &who).duration_since(arrived);
        eprintln!("answered {took:?} after arrival");
        assert!(
            took < Duration::from_secs(2),
            "answered {took:?} after arrival"
        );
    }
    stop(daemon);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_finishes_the_reply_in_hand_takes_no_new_mail_and_exits_0_within_10_s() {
    let stack = MailStack::get();
    let proxy = Proxy::start(stack.smtp_port);
    let intake = intake_via(None, Some(proxy.port), "", "poll_seconds = 60\n");
    let mut daemon = Daemon::start(&intake.config);
    let first = writes(&intake).await;
    answered(&intake, &first);

    // SMTP hangs: the next reply is in hand, mid-send, when SIGTERM comes.
    proxy.stall();
    let before = proxy.accepted();
    let who = writes(&intake).await;
    wait_until(
        Duration::from_secs(10),
        || proxy.accepted() > before,
        || format!("no reply under way:\n{}", daemon.log()),
    );
    daemon.terminate();
    let signalled = Instant::now();
    daemon.wait_log("shutting down", 1, Duration::from_secs(5));
    // Mail arriving now is left for the next start.
    let late = writes(&intake).await;
    proxy.resume();
    let status = daemon.wait_exit(Duration::from_secs(10).saturating_sub(signalled.elapsed()));
    let log = daemon.log();
    assert!(status.is_some_and(|s| s.success()), "{status:?}\n{log}");
    assert!(signalled.elapsed() < Duration::from_secs(10));
    assert_eq!(log.matches("shutting down").count(), 1, "{log}");
    answered(&intake, &who);
    smtpd_idle();
    assert!(
        intake.stack.delivered(&late).is_empty(),
        "mail after SIGTERM was taken in"
    );
    // Nothing lost: the next run answers it.
    intake.once();
    answered(&intake, &late);
}

/// SMTP hangs (it takes the connection and never answers) with a reply in
/// hand: new mail is still taken in and recorded at once, not after the
/// 30 s the send may take; once the server speaks, both replies go out.
#[tokio::test(flavor = "multi_thread")]
async fn a_hanging_smtp_server_does_not_hold_up_new_mail() {
    let stack = MailStack::get();
    let proxy = Proxy::start(stack.smtp_port);
    let intake = intake_via(None, Some(proxy.port), "", "poll_seconds = 60\n");
    let daemon = Daemon::start(&intake.config);
    let first = writes(&intake).await;
    answered(&intake, &first);

    proxy.stall();
    let before = proxy.accepted();
    let held = writes(&intake).await;
    wait_until(
        Duration::from_secs(10),
        || proxy.accepted() > before,
        || format!("no reply under way:\n{}", daemon.log()),
    );
    let next = writes(&intake).await;
    let arrived = Instant::now();
    while !recorded(&intake, &next).await {
        assert!(
            arrived.elapsed() < Duration::from_secs(5),
            "new mail not taken in while SMTP hangs:\n{}",
            daemon.log()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    eprintln!("recorded {:?} after arrival", arrived.elapsed());
    assert!(
        intake.stack.delivered(&held).is_empty(),
        "the reply was to hang"
    );

    proxy.resume();
    answered(&intake, &held);
    answered(&intake, &next);
    stop(daemon);
    answered_once(&intake, &[held, next]).await;
}

#[path = "wire.rs"]
mod wire;

use wire::{Tap, holds, plaintext};

/// How mailintake reaches one server in a TLS test.
#[derive(Debug, Clone, Copy)]
struct Tls<'a> {
    /// `tls` or `starttls`.
    security: &'a str,
    host: &'a str,
    port: u16,
    /// With the test CA as `ca_file`.
    ca_file: bool,
}

/// An intake whose `[imap]` and `[smtp]` are as given (each left plain on
/// loopback when `None`); over TLS, SMTP logs in.
fn intake_over_tls(imap: Option<Tls>, smtp: Option<Tls>) -> Intake {
    let stack = MailStack::get();
    let table = |t: Tls| {
        let mut s = format!(
            "host = \"{}\"\nport = {}\nsecurity = \"{}\"\n",
            t.host, t.port, t.security
        );
        if t.ca_file {
            s.push_str(&format!("ca_file = \"{}\"\n", stack.ca_file.display()));
        }
        s
    };
    let plain = |port: u16| format!("host = \"127.0.0.1\"\nport = {port}\nsecurity = \"none\"\n");
    let intake = Intake::with(|c| {
        if let Some(t) = imap {
            *c = c.replace(&plain(stack.imap_port), &table(t));
        }
        if let Some(t) = smtp {
            *c = c.replace(
                &plain(stack.smtp_port),
                &format!(
                    "{}username = \"mailintake@example.org\"\npassword = \"{}\"\n",
                    table(t),
                    common::PASSWORD
                ),
            );
        }
    });
    let text = std::fs::read_to_string(&intake.config).unwrap();
    let tables = usize::from(imap.is_some()) + usize::from(smtp.is_some());
    assert_eq!(
        text.matches("security = \"none\"").count(),
        2 - tables,
        "{text}"
    );
    intake
}

/// Standard output and error of a command, and whether it succeeded.
fn run(intake: &Intake, command: &str) -> (bool, String) {
    let out = intake.cmd(&[command]);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), all)
}

/// The commands a client may send in plaintext before TLS: the
/// capability question and STARTTLS itself, or leaving.
const NEGOTIATION: [&str; 7] = [
    "CAPABILITY",
    "STARTTLS",
    "LOGOUT",
    "EHLO",
    "HELO",
    "QUIT",
    "NOOP",
];

/// The command of a line a client sent: SMTP's first word, IMAP's second
/// (after the tag).
fn command_of(line: &str, imap: bool) -> String {
    let mut words = line.split(' ');
    if imap {
        words.next();
    }
    words.next().unwrap_or("").to_ascii_uppercase()
}

/// Each connection in `sent` sent nothing in plaintext but negotiation,
/// never the password nor a login or a message; with `tls_expected`, each
/// went on to a TLS handshake.
fn nothing_in_plaintext(sent: &[Vec<u8>], imap: bool, tls_expected: bool, what: &str) {
    assert!(!sent.is_empty(), "{what}: no connection");
    for conn in sent {
        let (lines, rest) = plaintext(conn);
        for line in &lines {
            assert!(
                NEGOTIATION.contains(&command_of(line, imap).as_str()),
                "{what}: sent in plaintext: {line:?} (all: {lines:?})"
            );
        }
        if tls_expected {
            assert!(!rest.is_empty(), "{what}: TLS never started: {lines:?}");
        }
        for word in [common::PASSWORD, "LOGIN", "AUTH", "MAIL FROM", "RCPT"] {
            assert!(!holds(conn, word), "{what}: {word} on the wire");
        }
    }
}

/// Which server a refusal test is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Server {
    Imap,
    Smtp,
}

/// The server `server` behind a tap on `ip`, by `security`, as `host`,
/// with or without the CA: `check` and `once` both fail, the error names
/// `key` and holds `words`, the password shows nowhere, and nothing but
/// negotiation went over the network in plaintext.
async fn refused(
    server: Server,
    security: &str,
    (ip, host, ca_file): (&str, &str, bool),
    key: &str,
    words: &str,
) {
    let stack = MailStack::get();
    let upstream = match (server, security) {
        (Server::Imap, "tls") => stack.imaps_port,
        (Server::Imap, _) => stack.imap_port,
        (Server::Smtp, "tls") => stack.submissions_port,
        (Server::Smtp, _) => stack.submission_port,
    };
    let tap = Tap::start(ip, upstream);
    let dial = Tls {
        security,
        host,
        port: tap.port,
        ca_file,
    };
    let intake = match server {
        Server::Imap => intake_over_tls(Some(dial), None),
        Server::Smtp => intake_over_tls(None, Some(dial)),
    };
    // A mail waits, so that `once` has a reply to send.
    let who = writes(&intake).await;
    let what = format!("{server:?} {security} to {host} (ca_file: {ca_file})");
    for command in ["check", "once"] {
        let (ok, all) = run(&intake, command);
        assert!(!ok, "{what}: {command} succeeded: {all}");
        assert!(
            all.contains(key) && all.contains(words),
            "{what}: {command}: {all}"
        );
        assert!(!all.contains(common::PASSWORD), "{what}: password shown");
    }
    nothing_in_plaintext(&tap.sent(), server == Server::Imap, true, &what);
    smtpd_idle();
    assert!(
        intake.stack.delivered(&who).is_empty(),
        "{what}: a reply went out"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn tls_without_ca_file_a_private_certificate_is_refused_naming_ca_file() {
    for security in ["tls", "starttls"] {
        for (server, key) in [
            (Server::Imap, "imap.ca_file"),
            (Server::Smtp, "smtp.ca_file"),
        ] {
            refused(
                server,
                security,
                ("127.0.0.1", "localhost", false),
                key,
                "certificate is not trusted",
            )
            .await;
        }
    }
}

/// The test certificate holds `localhost` and 127.0.0.1: 127.0.0.2 is
/// the same machine under a name it does not hold.
#[tokio::test(flavor = "multi_thread")]
async fn tls_to_a_host_name_the_certificate_lacks_is_refused_naming_host() {
    for security in ["tls", "starttls"] {
        for (server, key) in [(Server::Imap, "imap.host"), (Server::Smtp, "smtp.host")] {
            refused(
                server,
                security,
                ("127.0.0.2", "127.0.0.2", true),
                key,
                "not valid for this host name",
            )
            .await;
        }
    }
}

/// `security = "starttls"` against an IMAP server that does not offer it
/// (saying so in its greeting, or only when asked) but would take a login
/// in plaintext: an error naming `imap.security`, and no login sent.
#[tokio::test(flavor = "multi_thread")]
async fn starttls_not_offered_by_the_imap_server_is_an_error_never_plaintext() {
    for in_greeting in [true, false] {
        let server = wire::imap_without_starttls(in_greeting);
        let intake = intake_over_tls(
            Some(Tls {
                security: "starttls",
                host: "localhost",
                port: server.port,
                ca_file: true,
            }),
            None,
        );
        for command in ["check", "once"] {
            let (ok, all) = run(&intake, command);
            assert!(!ok, "{command} succeeded: {all}");
            assert!(
                all.contains("does not offer STARTTLS") && all.contains("imap.security"),
                "{command}: {all}"
            );
        }
        let what = format!("IMAP, capabilities in the greeting: {in_greeting}");
        nothing_in_plaintext(&server.sent(), true, false, &what);
    }
}

/// `security = "starttls"` against an SMTP server whose EHLO lists no
/// STARTTLS but that would take a login and a reply in plaintext: an
/// error naming `smtp.security`, and neither sent.
#[tokio::test(flavor = "multi_thread")]
async fn starttls_not_offered_by_the_smtp_server_is_an_error_never_plaintext() {
    let server = wire::smtp_without_starttls();
    let intake = intake_over_tls(
        None,
        Some(Tls {
            security: "starttls",
            host: "localhost",
            port: server.port,
            ca_file: true,
        }),
    );
    writes(&intake).await;
    for command in ["check", "once"] {
        let (ok, all) = run(&intake, command);
        assert!(!ok, "{command} succeeded: {all}");
        assert!(
            all.contains("does not offer STARTTLS") && all.contains("smtp.security"),
            "{command}: {all}"
        );
    }
    nothing_in_plaintext(&server.sent(), false, false, "SMTP");
}

/// The production settings, every secret in use (IMAP's password from a
/// password file, SMTP's from the config, a PostgreSQL URL holding one):
/// `check` and `once` succeed over TLS with every log on, in text and in
/// JSON, and the password shows in none of what they print.
#[tokio::test(flavor = "multi_thread")]
async fn tls_check_and_once_at_trace_level_never_print_the_password() {
    let stack = MailStack::get();
    let intake = intake_over_tls(
        Some(Tls {
            security: "tls",
            host: "localhost",
            port: stack.imaps_port,
            ca_file: true,
        }),
        Some(Tls {
            security: "starttls",
            host: "localhost",
            port: stack.submission_port,
            ca_file: true,
        }),
    );
    std::fs::write(
        intake.dir.path().join("imap.pass"),
        format!("{}\n", common::PASSWORD),
    )
    .unwrap();
    let text = std::fs::read_to_string(&intake.config).unwrap();
    let text = text.replacen(
        &format!("password = \"{}\"", common::PASSWORD),
        "password_file = \"imap.pass\"",
        1,
    );
    // And in the database URL (the test server trusts loopback, so it is
    // not asked for, but it is there to leak).
    let mut text = text;
    super::durability::on_postgres(&mut text);
    let text = text.replacen(
        "postgres://mailintake@",
        &format!("postgres://mailintake:{}@", common::PASSWORD),
        1,
    );
    assert_eq!(text.matches(common::PASSWORD).count(), 2, "{text}");
    std::fs::write(&intake.config, text).unwrap();
    let who = writes(&intake).await;
    for format in ["text", "json"] {
        for command in ["check", "once"] {
            let out = std::process::Command::new(env!("CARGO_BIN_EXE_mailintake"))
                .args(["--log-format", format, "--config"])
                .arg(&intake.config)
                .arg(command)
                .env("RUST_LOG", "trace")
                .stdin(std::process::Stdio::null())
                .output()
                .unwrap();
            let all = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.status.success(), "{format} {command}: {all}");
            if command == "check" {
                assert!(all.contains("postgres://mailintake:***@"), "{all}");
            }
            if command == "once" && format == "text" {
                assert!(all.contains("message processed"), "logs are off: {all}");
            }
            assert!(
                !all.contains(common::PASSWORD),
                "{format} {command}: the password is printed"
            );
        }
    }
    answered(&intake, &who);
}

// No network beyond the configured servers.

/// Staff open the HTML report in a browser: it loads nothing from the
/// network, whatever applicants wrote (an image tag, a stylesheet, a
/// script, a frame, a web address). Headless Chromium sends every request,
/// loopback included, to a proxy that keeps them: a page with a remote and
/// a loopback image shows that the proxy sees such loads; the report
/// makes none.
#[tokio::test(flavor = "multi_thread")]
async fn no_network_the_html_report_loads_nothing_in_a_browser() {
    let intake = Intake::new();
    let who = writes(&intake).await;
    intake.once();
    answered(&intake, &who);
    let question = parse_mail(&intake.stack.delivered(&who)[0]);
    let answers = "1. Ada <img src=http://img.tracker.example/ada.png>\n\
        2. Europe\n\
        3. English\n\
        4. I build things. <link rel=stylesheet href=http://css.tracker.example/s.css>\
        <script src=http://js.tracker.example/x.js></script>\
        <style>@import url(http://font.tracker.example/f.css);</style>\
        <iframe src=http://frame.tracker.example/></iframe>\n\
        5. yes\n\
        6. https://ada.example/portfolio";
    let answer = common::reply(&who, "Ada", &question, answers, &[]);
    intake.receive(&who, &answer).await;
    // A robot's subject is in the report too.
    let robot = intake.stack.address("robot", "example.net");
    intake
        .receive(
            &robot,
            &mail(
                &robot,
                "Robot",
                &intake.team,
                "<img src=http://subject.tracker.example/s.png>",
                "Auto-Submitted: auto-replied\r\n",
                "Away",
            ),
        )
        .await;
    intake.once();
    intake.stack.wait_for(&who, 2);

    let page = intake.dir.path().join("report.html");
    let out = intake.cmd(&[
        "report",
        "--format",
        "html",
        "--output",
        page.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    for shown in [
        "Ada &lt;img src=http:&#x2F;&#x2F;img.tracker.example",
        "js.tracker.example",
        "subject.tracker.example",
        "ada.example",
    ] {
        assert!(html.contains(shown), "not in the report: {shown}\n{html}");
    }

    let proxy = wire::Sink::start();
    let flags = [
        &format!("--proxy-server=http://127.0.0.1:{}", proxy.port),
        // Chromium sends loopback addresses past a proxy unless told.
        "--proxy-bypass-list=<-loopback>",
        // Its clock check, one of its own requests, which a flag stops.
        "--disable-features=NetworkTimeServiceQuerying",
        "--dump-dom",
    ];
    // Chromium's own start-up requests, which no flag stops, for any page
    // (an empty one too): its sign-in reconciler's ListAccounts and its
    // update client's check. Known by their hosts, which no report names.
    let page_made = |heard: Vec<String>| -> Vec<String> {
        let own = ["accounts.google.com", "update.googleapis.com"];
        heard
            .into_iter()
            // A connection that asked for nothing loaded nothing: Chromium
            // opens sockets to its proxy ahead of need (preconnect).
            .filter(|request| !request.is_empty())
            .filter(|request| {
                let target = request.split(' ').nth(1).unwrap_or("");
                let authority = target.strip_prefix("http://").unwrap_or(target);
                let host = authority.split(['/', ':']).next().unwrap_or("");
                !own.contains(&host)
            })
            .collect()
    };
    let profile = tempfile::tempdir().unwrap();
    let control = intake.dir.path().join("control.html");
    std::fs::write(
        &control,
        "<!DOCTYPE html><p>control</p><img src=\"http://control.tracker.example/c.png\">\
         <img src=\"http://127.0.0.1:8001/loopback.png\">",
    )
    .unwrap();
    let out = common::headless_chromium(profile.path(), &control, &flags);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let heard = page_made(proxy.take());
    for image in [
        "control.tracker.example/c.png",
        "127.0.0.1:8001/loopback.png",
    ] {
        assert!(
            heard.iter().any(|r| r.contains(image)),
            "the proxy did not see the control page load {image}: {heard:?}"
        );
    }

    // A profile of its own: one that loaded the control page has learnt its
    // hosts, and Chromium connects ahead to hosts it has learnt.
    let report_profile = tempfile::tempdir().unwrap();
    let out = common::headless_chromium(report_profile.path(), &page, &flags);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("img.tracker.example"), "not rendered: {dom}");
    let heard = page_made(proxy.take());
    assert!(heard.is_empty(), "the report made requests: {heard:?}");
}

/// Where each inet connect() or addressed send in an strace log goes
/// (IPv4 and IPv6; Unix sockets, such as nscd's, are not the network),
/// with its line.
fn inet_destinations(trace: &str) -> Vec<(std::net::SocketAddr, String)> {
    let between = |line: &str, open: &str, close: &str| -> Option<String> {
        let start = line.find(open)? + open.len();
        let end = line[start..].find(close)? + start;
        Some(line[start..end].to_string())
    };
    trace
        .lines()
        .filter(|l| l.contains("sa_family=AF_INET"))
        .map(|l| {
            let port: u16 = between(l, "port=htons(", ")")
                .and_then(|p| p.parse().ok())
                .unwrap_or_else(|| panic!("no port in {l}"));
            let ip = between(l, "inet_addr(\"", "\"")
                .or_else(|| between(l, "inet_pton(AF_INET6, \"", "\""))
                .and_then(|a| a.parse::<std::net::IpAddr>().ok())
                .unwrap_or_else(|| panic!("no address in {l}"));
            (std::net::SocketAddr::new(ip, port), l.to_string())
        })
        .collect()
}

/// `once` over TLS to servers named `localhost`, on SQLite and on
/// PostgreSQL, under strace: every inet connect() of the process and its
/// threads, and every datagram sent to an address, goes to an address of
/// the configured IMAP, SMTP or database endpoint, and each of them is
/// reached. No DNS server is asked: the names are in /etc/hosts.
#[tokio::test(flavor = "multi_thread")]
async fn no_network_once_connects_to_nothing_but_the_configured_servers() {
    use std::net::ToSocketAddrs;
    let stack = MailStack::get();
    for database in ["sqlite", "postgresql"] {
        let intake = intake_over_tls(
            Some(Tls {
                security: "tls",
                host: "localhost",
                port: stack.imaps_port,
                ca_file: true,
            }),
            Some(Tls {
                security: "starttls",
                host: "localhost",
                port: stack.submission_port,
                ca_file: true,
            }),
        );
        let mut endpoints = vec![
            ("localhost".to_string(), stack.imaps_port),
            ("localhost".to_string(), stack.submission_port),
        ];
        if database == "postgresql" {
            let mut text = std::fs::read_to_string(&intake.config).unwrap();
            super::durability::on_postgres(&mut text);
            let url = text
                .lines()
                .find_map(|l| l.strip_prefix("url = \""))
                .unwrap()
                .trim_end_matches('"')
                .to_string();
            let url = url::Url::parse(&url).unwrap();
            endpoints.push((url.host_str().unwrap().to_string(), url.port().unwrap()));
            std::fs::write(&intake.config, text).unwrap();
        }
        let who = writes(&intake).await;
        let trace = intake.dir.path().join("connect.trace");
        let out = std::process::Command::new("strace")
            .args([
                "-f",
                "-qq",
                "-e",
                "trace=connect,sendto,sendmsg,sendmmsg",
                "-o",
            ])
            .arg(&trace)
            .arg(env!("CARGO_BIN_EXE_mailintake"))
            .arg("--config")
            .arg(&intake.config)
            .arg("once")
            .stdin(std::process::Stdio::null())
            .output()
            .expect("strace is not installed: run ./tests/run.sh, which installs it");
        assert!(
            out.status.success(),
            "{database}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        answered(&intake, &who);
        let trace = std::fs::read_to_string(&trace).unwrap();
        let destinations = inet_destinations(&trace);
        let allowed: Vec<(String, u16, Vec<std::net::SocketAddr>)> = endpoints
            .into_iter()
            .map(|(host, port)| {
                let addrs = (host.as_str(), port).to_socket_addrs().unwrap().collect();
                (host, port, addrs)
            })
            .collect();
        for (to, line) in &destinations {
            assert!(
                allowed.iter().any(|(_, _, addrs)| addrs.contains(to)),
                "{database}: once reached {to}, not a configured server ({allowed:?}): {line}"
            );
        }
        for (host, port, addrs) in &allowed {
            assert!(
                destinations.iter().any(|(to, _)| addrs.contains(to)),
                "{database}: {host}:{port} never reached:\n{trace}"
            );
        }
    }
}
