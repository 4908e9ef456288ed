//! The two gates through the real mail stack: a mail whose DMARC check
//! failed at the team's own mail server (as its `Authentication-Results`
//! say) is listed and never answered, and the hourly send limits; with
//! the rule that a new address gets the questions at most once a day.

use super::common::{Intake, mail, reply, smtpd_idle};
use super::{ask, mails_to, wait_mails};

const MX: &str = "mx.example.org";

/// What the team's receiving server put above a mail it took in: its
/// `Authentication-Results` (`results`) and its `Received`. The mail
/// stack then adds its own `Received` (and Dovecot its trace) above.
fn as_received_by(authserv_id: &str, results: &str, mail: &str) -> String {
    format!(
        "Authentication-Results: {authserv_id};\r\n\t{results}\r\n\
         Received: from out.example.net (out.example.net [192.0.2.7])\r\n\tby {MX} with ESMTPS; Mon, 4 Apr 2022 10:00:01 +0000\r\n{mail}"
    )
}

/// The mails `intake` lists for staff with `reason`, by sender.
fn listed_from(intake: &Intake, reason: &str, who: &str) -> Vec<serde_json::Value> {
    let mut rows = intake.listed(reason);
    rows.retain(|r| r["from"] == who);
    rows
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dmarc_failure_at_the_trusted_server_is_listed_and_never_answered() {
    let intake = Intake::with(|c| {
        c.push_str(&format!("\n[security]\ntrusted_authserv_id = \"{MX}\"\n"));
    });
    let stack = intake.stack;
    let fail = "dmarc=fail (p=reject dis=none) header.from=example.net";
    let pass = "dmarc=pass (p=reject dis=none) header.from=example.net";
    let forged = |results: &str| format!("Authentication-Results: {MX}; {results}\r\n");
    let body = "Hello, how do I apply?";

    // (who, the mail as delivered, answered?)
    let mut cases = Vec::new();
    for (name, server, author, answered) in [
        // The trusted server found the From domain did not send it.
        ("failed", (MX, fail), String::new(), false),
        // The same result from another server is not read.
        (
            "untrusted",
            ("mx.elsewhere.example", fail),
            String::new(),
            true,
        ),
        // The sender forged a pass of the trusted server's among their
        // own headers: the server's fail above it is what counts.
        ("forged-pass", (MX, fail), forged(pass), false),
        // A forged fail below the server's own pass is not read either.
        ("forged-fail", (MX, pass), forged(fail), true),
    ] {
        let who = stack.address(name, "example.net");
        let raw = as_received_by(
            server.0,
            server.1,
            &mail(
                &who,
                "Ada Lovelace",
                &intake.team,
                "Application",
                &author,
                body,
            ),
        );
        intake.receive(&who, &raw).await;
        cases.push((name, who, answered));
    }
    intake.once();
    for (name, who, answered) in &cases {
        if *answered {
            let got = wait_mails(&intake, who, 1);
            assert!(
                got[0].body.contains("1. What is your name?"),
                "{name}: {}",
                got[0].body
            );
            assert!(listed_from(&intake, "dmarc-fail", who).is_empty(), "{name}");
            assert!(intake.application(who).is_some(), "{name}");
        }
    }
    smtpd_idle();
    for (name, who, answered) in &cases {
        if !*answered {
            assert!(mails_to(&intake, who).is_empty(), "{name}: answered");
            let rows = listed_from(&intake, "dmarc-fail", who);
            assert_eq!(rows.len(), 1, "{name}: {rows:?}");
            let detail = rows[0]["detail"].as_str().unwrap_or_default();
            assert!(
                detail.contains("dmarc=fail (p=reject dis=none) header.from=example.net")
                    && detail.ends_with(&format!("(by {MX})")),
                "{name}: {detail}"
            );
            // A possibly forged mail makes no application for the address.
            assert!(intake.application(who).is_none(), "{name}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn six_mails_from_one_address_within_an_hour_get_five_replies_and_the_sixth_is_listed() {
    let intake = Intake::new();
    let who = intake.stack.address("eager", "example.net");
    // The first mail gets the questions; each reply to them holds an
    // answer, so each is due a reply of its own: the sixth mail is over.
    let q = ask(&intake, &who, "Application").await;
    for region in ["Africa", "Asia", "Europe", "Oceania", "Latin America"] {
        let answer = reply(
            &who,
            "Ada Lovelace",
            &q,
            &format!("1. Ada Lovelace\n2. {region}"),
            &[],
        );
        intake.receive(&who, &answer).await;
    }
    intake.once();
    wait_mails(&intake, &who, 5);
    smtpd_idle();
    assert_eq!(mails_to(&intake, &who).len(), 5);
    let rows = listed_from(&intake, "send-limit", &who);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let detail = rows[0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("5 replies to this address in the last hour")
            && detail.contains("limits.per_address_per_hour is 5"),
        "{detail}"
    );
    // Not answered, but read: its answer is stored.
    let app = intake.application(&who).expect("an application");
    assert_eq!(app["answers"]["region"], "Latin America");
    // A later run within the hour answers that address no more.
    let answer = reply(&who, "Ada Lovelace", &q, "2. Asia", &[]);
    intake.receive(&who, &answer).await;
    intake.once();
    smtpd_idle();
    assert_eq!(mails_to(&intake, &who).len(), 5);
    assert_eq!(listed_from(&intake, "send-limit", &who).len(), 2);
    let app = intake.application(&who).expect("an application");
    assert_eq!(app["answers"]["region"], "Asia");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_total_limit_holds_across_addresses() {
    let intake = Intake::with(|c| c.push_str("\n[limits]\ntotal_per_hour = 3\n"));
    let mut people = Vec::new();
    for n in 0..4 {
        let who = intake.stack.address(&format!("person{n}"), "example.net");
        intake
            .receive(
                &who,
                &mail(&who, "Ada", &intake.team, "Hello", "", "How do I apply?"),
            )
            .await;
        people.push(who);
    }
    intake.once();
    for who in &people[..3] {
        let got = wait_mails(&intake, who, 1);
        assert!(got[0].body.contains("1. What is your name?"), "{who}");
    }
    smtpd_idle();
    let last = &people[3];
    assert!(mails_to(&intake, last).is_empty());
    let rows = intake.listed("send-limit");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["from"], last.as_str());
    let detail = rows[0]["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("3 replies in all in the last hour, and limits.total_per_hour is 3"),
        "{detail}"
    );
    // The fourth person is known now: their application waits for staff.
    assert!(intake.application(last).is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn many_first_mails_from_one_address_get_one_questions_mail_in_a_day() {
    let intake = Intake::new();
    let who = intake.stack.address("cold", "example.net");
    let hello = |n: usize| {
        mail(
            &who,
            "Ada",
            &intake.team,
            &format!("Question {n}"),
            "",
            "Hello, how do I apply?",
        )
    };
    // Some arrive together, some after the first was answered: more than
    // the per-address limit, so that it is the once-a-day rule that holds
    // them back, not the limit.
    for n in 0..3 {
        intake.receive(&who, &hello(n)).await;
    }
    intake.once();
    wait_mails(&intake, &who, 1);
    for n in 3..8 {
        intake.receive(&who, &hello(n)).await;
    }
    intake.once();
    smtpd_idle();
    let got = mails_to(&intake, &who);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(got[0].body.contains("1. What is your name?"));
    assert_eq!(listed_from(&intake, "no-answers", &who).len(), 7);
    assert!(intake.listed("send-limit").is_empty());
}
