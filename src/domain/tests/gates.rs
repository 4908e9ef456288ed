//! The two gates, table-tested through [`decide`]: DMARC failed at our own
//! mail server, and the hourly send limits.

use super::*;

const MX: &str = "mx.example.org";

/// A mail as our server delivers it: `added` is what the servers on the
/// way put above it (their `Authentication-Results`), `written` what its
/// author wrote among their own headers.
fn delivered(added: &str, written: &str, body: &str) -> Case {
    let raw = format!(
        "{added}Received: from out.example.net by {MX} with ESMTPS; Mon, 4 Apr 2022 10:00:01 +0000\r\n\
         From: Ada Lovelace <ada@example.net>\r\nTo: {TEAM}\r\nSubject: Apply\r\n\
         Message-ID: <1@example.net>\r\n{written}\r\n{body}\r\n"
    );
    let mail = ingest::parse(raw.as_bytes()).unwrap();
    let extracted = Extractor::new(&questions(), &[]).read(&mail.body, Some("Ada Lovelace"));
    Case { mail, extracted }
}

fn ar(id: &str, results: &str) -> String {
    format!("Authentication-Results: {id}; {results}\r\n")
}

#[test]
fn dmarc_failed_at_the_trusted_server_is_listed_and_nothing_else() {
    let trusted = World {
        trusted: Some(MX),
        ..Default::default()
    };
    // (name, what the servers added, what the author wrote, the trusted
    // id, listed as dmarc-fail?)
    let fail = ar(MX, "dmarc=fail (p=reject dis=none) header.from=example.net");
    let pass = ar(MX, "dmarc=pass (p=reject dis=none) header.from=example.net");
    let cases: Vec<(&str, String, String, Option<&'static str>, bool)> = vec![
        ("fail", fail.clone(), String::new(), Some(MX), true),
        ("pass", pass.clone(), String::new(), Some(MX), false),
        (
            "none: the domain publishes no DMARC record",
            ar(MX, "dmarc=none header.from=example.net"),
            String::new(),
            Some(MX),
            false,
        ),
        (
            "temperror",
            ar(MX, "dmarc=temperror header.from=example.net"),
            String::new(),
            Some(MX),
            false,
        ),
        (
            "permerror",
            ar(MX, "dmarc=permerror header.from=example.net"),
            String::new(),
            Some(MX),
            false,
        ),
        (
            "no field at all",
            String::new(),
            String::new(),
            Some(MX),
            false,
        ),
        (
            "a field without DMARC",
            ar(MX, "spf=fail smtp.mailfrom=example.net; dkim=none"),
            String::new(),
            Some(MX),
            false,
        ),
        (
            "no authserv-id trusted",
            fail.clone(),
            String::new(),
            None,
            false,
        ),
        (
            "another server's fail",
            ar("mx.elsewhere.example", "dmarc=fail header.from=example.net"),
            String::new(),
            Some(MX),
            false,
        ),
        (
            "a look-alike id",
            ar("mx.example.org.evil.example", "dmarc=fail"),
            String::new(),
            Some(MX),
            false,
        ),
        (
            "the trusted id in capitals",
            ar("MX.Example.ORG", "dmarc=FAIL header.from=example.net"),
            String::new(),
            Some(MX),
            true,
        ),
        (
            "the author's forged pass below the server's fail",
            fail.clone(),
            pass.clone(),
            Some(MX),
            true,
        ),
        (
            "the author's forged fail below the server's pass",
            pass.clone(),
            fail.clone(),
            Some(MX),
            false,
        ),
        (
            "one field per method: DKIM's on top, DMARC's below it",
            format!(
                "{}{}",
                ar(MX, "dkim=fail (bad signature) header.d=example.net"),
                fail
            ),
            pass.clone(),
            Some(MX),
            true,
        ),
        (
            "another server's pass above ours does not hide our fail",
            format!("{}{fail}", ar("relay.example.org", "dmarc=pass")),
            String::new(),
            Some(MX),
            true,
        ),
        (
            "one of two From domains failed",
            ar(
                MX,
                "dmarc=pass header.from=example.net; dmarc=fail header.from=example.com",
            ),
            String::new(),
            Some(MX),
            true,
        ),
        (
            "a fail inside a comment is no result",
            ar(
                MX,
                "spf=pass (dmarc=fail; dmarc=fail) smtp.mailfrom=example.net",
            ),
            String::new(),
            Some(MX),
            false,
        ),
    ];
    for (name, added, written_by_author, id, listed) in cases {
        let case = delivered(&added, &written_by_author, COMPLETE);
        let w = written(decide_with(
            &case,
            &World {
                trusted: id,
                ..Default::default()
            },
        ));
        if listed {
            assert_eq!(w.attention, Some(Attention::DmarcFail), "{name}: {w:?}");
            assert_eq!(w.outcome, MessageOutcome::Listed, "{name}");
            assert_eq!(w.reply, None, "{name}");
            // Possibly forged: answers are not stored as the From
            // address's, no application is made for it.
            assert_eq!(w.application, ApplicationChange::Untouched, "{name}");
            assert!(w.identity, "{name}: a second copy must be a duplicate");
        } else {
            assert_eq!(w.attention, None, "{name}: {w:?}");
            assert!(
                matches!(w.reply, Some(ReplyText::Confirmation { .. })),
                "{name}: {w:?}"
            );
        }
    }
    // The detail gives staff what the server found, as it wrote it.
    let case = delivered(
        &format!(
            "{}{}",
            ar(MX, "spf=softfail smtp.mailfrom=example.net"),
            ar(
                MX,
                "dkim=fail header.d=example.net; dmarc=fail (p=reject dis=none) header.from=example.net"
            )
        ),
        "",
        "How do I apply?",
    );
    let w = written(decide_with(&case, &trusted));
    assert_eq!(
        w.detail.as_deref(),
        Some(
            "dmarc=fail (p=reject dis=none) header.from=example.net; dkim=fail header.d=example.net; spf=softfail smtp.mailfrom=example.net (by mx.example.org)"
        )
    );
    assert_eq!(
        decide_with(&case, &trusted).outcome(),
        Outcome::Attention(Attention::DmarcFail)
    );
}

#[test]
fn the_dmarc_gate_comes_after_the_robot_gate_and_before_any_notice() {
    let fail = ar(MX, "dmarc=fail header.from=example.net");
    // A robot stays a robot: listed either way, under the reason staff
    // know best.
    let robot = delivered(&fail, "Auto-Submitted: auto-replied\r\n", "I am away.");
    let w = written(decide_with(
        &robot,
        &World {
            trusted: Some(MX),
            ..Default::default()
        },
    ));
    assert_eq!(w.attention, Some(Attention::Robot));
    // After closing, a possibly forged mail gets no closing notice either.
    let w = written(decide_with(
        &delivered(&fail, "", "How do I apply?"),
        &World {
            trusted: Some(MX),
            closed_ago: Some(Duration::hours(1)),
            ..Default::default()
        },
    ));
    assert_eq!(w.attention, Some(Attention::DmarcFail));
    assert_eq!(w.reply, None);
}

#[test]
fn no_reply_is_queued_over_the_send_limits() {
    let limits = SendLimits {
        per_address_per_hour: 5,
        total_per_hour: 120,
    };
    // (to this address, in all, the limits, what the detail names; None:
    // answered)
    let cases: &[(u64, u64, SendLimits, Option<&[&str]>)] = &[
        (0, 0, limits, None),
        (4, 119, limits, None),
        (
            5,
            5,
            limits,
            Some(&[
                "5 replies to this address",
                "limits.per_address_per_hour is 5",
            ]),
        ),
        (
            0,
            120,
            limits,
            Some(&["120 replies in all", "limits.total_per_hour is 120"]),
        ),
        (
            7,
            300,
            limits,
            Some(&[
                "limits.per_address_per_hour is 5",
                "limits.total_per_hour is 120",
            ]),
        ),
        (
            0,
            0,
            SendLimits {
                per_address_per_hour: 0,
                total_per_hour: 120,
            },
            Some(&["limits.per_address_per_hour is 0"]),
        ),
        (
            0,
            0,
            SendLimits {
                per_address_per_hour: 5,
                total_per_hour: 0,
            },
            Some(&["limits.total_per_hour is 0"]),
        ),
        (
            1000,
            100_000,
            SendLimits {
                per_address_per_hour: u32::MAX,
                total_per_hour: u32::MAX,
            },
            None,
        ),
    ];
    for (to_sender, total, limits, over) in cases {
        let world = World {
            sent: SentLastHour {
                to_sender: *to_sender,
                total: *total,
            },
            limits: *limits,
            ..Default::default()
        };
        let first = written(decide_with(&mail("", "How do I apply?"), &world));
        let answers = written(decide_with(&mail("", COMPLETE), &world));
        let name = format!("{to_sender} to the sender, {total} in all, {limits:?}");
        match over {
            None => {
                assert_eq!(first.attention, None, "{name}");
                assert!(first.reply.is_some(), "{name}");
                assert!(answers.reply.is_some(), "{name}");
            }
            Some(words) => {
                for w in [&first, &answers] {
                    assert_eq!(w.attention, Some(Attention::SendLimit), "{name}");
                    assert_eq!(w.reply, None, "{name}");
                    let detail = w.detail.as_deref().unwrap_or_default();
                    for word in *words {
                        assert!(detail.contains(word), "{name}: {detail}");
                    }
                }
                // The mail is still read: a first mail makes the
                // application, answers are stored.
                assert_eq!(first.application, ApplicationChange::Ensure, "{name}");
                assert_eq!(first.outcome, MessageOutcome::Questions, "{name}");
                assert_eq!(answers.outcome, MessageOutcome::Answers, "{name}");
                let ApplicationChange::Answers { new, .. } = &answers.application else {
                    panic!("{name}: {answers:?}")
                };
                assert_eq!(new.len(), 3, "{name}");
            }
        }
    }
}

#[test]
fn the_send_limits_only_touch_mail_that_would_be_answered() {
    let sent = SentLastHour {
        to_sender: 9,
        total: 999,
    };
    let full = World {
        sent,
        ..Default::default()
    };
    // Asked recently: no reply was due, so nothing is withheld.
    let w = written(decide_with(
        &mail("", "Thanks!"),
        &World {
            known: applicant(&[]),
            sent,
            ..Default::default()
        },
    ));
    assert_eq!(w.attention, Some(Attention::NoAnswers));
    assert_eq!(w.detail.as_deref(), Some("no answers found in the mail"));
    // A robot is a robot.
    let w = written(decide_with(
        &mail("Auto-Submitted: auto-replied\r\n", "I am away."),
        &full,
    ));
    assert_eq!(w.attention, Some(Attention::Robot));
    // A reason the mail was listed for already stays in the detail.
    let raw = "From: Ada <ada@example.net>\r\nTo: team@example.org\r\nSubject: CV\r\n\
        Message-ID: <2@example.net>\r\nMIME-Version: 1.0\r\n\
        Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n\
        Content-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\n\
        Content-Type: application/pdf; name=\"cv.pdf\"\r\n\
        Content-Disposition: attachment; filename=\"cv.pdf\"\r\n\r\nJVBERi0=\r\n--b--\r\n";
    let inbound = ingest::parse(raw.as_bytes()).unwrap();
    let case = Case {
        extracted: Extractor::new(&questions(), &[]).read(&inbound.body, None),
        mail: inbound,
    };
    let w = written(decide_with(&case, &full));
    assert_eq!(w.attention, Some(Attention::SendLimit));
    assert_eq!(w.reply, None);
    let detail = w.detail.unwrap_or_default();
    assert!(detail.ends_with("; also attachment: cv.pdf"), "{detail}");
}
