//! Operations against the real stack: JSON logs of a real cycle, and
//! `check`'s warning beside its reaching both servers.

use std::process::Command;

use super::common::{self, Intake, mail};

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
