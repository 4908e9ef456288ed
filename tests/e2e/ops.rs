//! Operations against the real stack: JSON logs of a real cycle, and
//! `check`'s warning beside its reaching both servers.

use std::process::Command;

use super::common::{self, Intake, mail, parse_mail, reply};

#[tokio::test(flavor = "multi_thread")]
async fn json_trace_logs_are_json_lines_without_the_password() {
    let intake = Intake::new();
    let who = intake.stack.address("applicant", "example.net");
    intake
        .receive(
            &who,
            &mail(&who, "Ada", &intake.team, "Hello", "", "How do I apply?"),
        )
        .await;
    // Trace asks for async-imap's record of LOGIN, password included: the
    // cap on `log` records holds in this format too.
    let out = Command::new(env!("CARGO_BIN_EXE_mailintake"))
        .arg("--config")
        .arg(&intake.config)
        .args(["--log-format", "json", "once"])
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert!(
        !stderr.contains(common::PASSWORD),
        "password leaked into logs"
    );
    let records: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: not JSON: {l}")))
        .collect();
    assert!(
        records
            .iter()
            .any(|r| r["message"] == "cycle done" && r["level"] == "INFO"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn check_reaches_both_servers_and_warns_of_a_closed_call() {
    let intake = Intake::with(|c| {
        *c = c.replace(
            "questions = \"questions.toml\"",
            "questions = \"questions.toml\"\ncloses_at = \"2022-04-10T23:59:59Z\"",
        );
    });
    let out = intake.cmd(&["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[1]
            .starts_with("warning: intake.closes_at (2022-04-10T23:59:59+00:00) is in the past"),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("imap: ") && l.ends_with(" ok"))
            && lines
                .iter()
                .any(|l| l.starts_with("smtp: ") && l.ends_with(" ok")),
        "{stdout}"
    );
}

/// At the default level (info), the log carries counts and ids only: no
/// applicant's address, name, subject or answer, whatever the mail was (a
/// first mail, answers, a robot's, one with a document).
#[tokio::test(flavor = "multi_thread")]
async fn info_logs_carry_no_personal_data() {
    let intake = Intake::new();
    let who = intake.stack.address("zelda-quux", "example.net");
    let once_at_info = || {
        let out = Command::new(env!("CARGO_BIN_EXE_mailintake"))
            .arg("--config")
            .arg(&intake.config)
            .arg("once")
            .env("RUST_LOG", "info")
            .output()
            .unwrap();
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{log}");
        log
    };
    let mut logs = String::new();
    intake
        .receive(
            &who,
            &mail(
                &who,
                "Zelda Quux",
                &intake.team,
                "Subject-Wombat-71",
                "",
                "Hello!",
            ),
        )
        .await;
    logs.push_str(&once_at_info());
    intake.stack.wait_for(&who, 1);
    let answers = "1. Zelda Quux\n2. Europe\n3. English\n4. Because of Zanzibar-42.";
    intake
        .receive(
            &who,
            &mail(
                &who,
                "Zelda Quux",
                &intake.team,
                "Re: Subject-Wombat-71",
                "",
                answers,
            ),
        )
        .await;
    let robot = intake.stack.address("autoreply-quux", "example.net");
    intake
        .receive(
            &robot,
            &mail(
                &robot,
                "Quux Robot",
                &intake.team,
                "Out of office: Subject-Wombat-72",
                "Auto-Submitted: auto-replied\r\n",
                "I am away.",
            ),
        )
        .await;
    logs.push_str(&once_at_info());
    // The answers replied to nothing of ours: the confirmation round trip,
    // then a copy of the data and an erase, all by mail.
    for (n, text) in [
        (2, "Yes, mine."),
        (3, "MY DATA"),
        (4, "DELETE"),
        (5, "Yes, delete."),
    ] {
        let ours = parse_mail(&intake.stack.wait_for(&who, n)[n - 1]);
        let raw = reply(&who, "Zelda Quux", &ours, text, &[]);
        intake.receive(&who, &raw).await;
        logs.push_str(&once_at_info());
    }
    assert!(
        intake.application(&who).is_none(),
        "erased by mail: {:#?} {:#?}",
        intake
            .stack
            .delivered(&who)
            .iter()
            .map(|m| parse_mail(m).body)
            .collect::<Vec<_>>(),
        intake.report_json()
    );
    assert!(logs.contains("cycle done"), "logs are on:\n{logs}");
    // The test stack speaks plaintext: said at each start, naming the key.
    assert!(
        logs.contains("WARN") && logs.contains("imap.security = \"none\""),
        "{logs}"
    );
    let local = who.split('@').next().unwrap();
    for personal in [
        who.as_str(),
        local,
        robot.as_str(),
        "Zelda",
        "Quux",
        "Wombat",
        "Zanzibar",
        "Europe",
    ] {
        assert!(
            !logs.contains(personal),
            "{personal:?} in the info log:\n{logs}"
        );
    }
}
