//! The first start on a mailbox that already holds mail: the backfill
//! policy, and arrival times shown to staff.

use std::time::{Duration, SystemTime};

use super::{applicant, mails_to, wait_mails};
use crate::common::{Intake, mail};

/// Mail put into the mailbox as if it had arrived `age` ago (Dovecot
/// takes a maildir file's mtime as its IMAP INTERNALDATE).
fn arrived_ago(intake: &Intake, who: &str, body: &str, age: Duration) {
    let raw = mail(
        who,
        "Old Contact",
        &intake.team,
        "Supplier invoice",
        "",
        body,
    );
    let name = format!("{}.old", uuid::Uuid::new_v4());
    intake.stack.inject(&intake.team, &name, raw.as_bytes());
    let path = intake
        .stack
        .dir
        .join("mail")
        .join(intake.team.to_lowercase())
        .join("Maildir/new")
        .join(&name);
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(SystemTime::now() - age).unwrap();
}

/// `shown` (a report's RFC 3339 time) is when a mail that arrived `age`
/// ago arrived, give or take the test's own run time.
fn shown_as_arrived(shown: &serde_json::Value, age: Duration, what: &str) {
    let shown = chrono::DateTime::parse_from_rfc3339(shown.as_str().unwrap()).unwrap();
    let arrived = chrono::Utc::now() - chrono::Duration::from_std(age).unwrap();
    assert!(
        (shown.with_timezone(&chrono::Utc) - arrived)
            .num_seconds()
            .abs()
            < 120,
        "{what}: shown as received {shown}, arrived {arrived}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn at_the_first_start_old_mail_is_backlog_and_recent_mail_is_answered() {
    let day = Duration::from_secs(24 * 3600);
    for (setting, answered_ages, backlog_ages) in [
        // The default: a day back from the first start.
        (
            None,
            vec![Duration::from_secs(2 * 3600)],
            vec![day * 3, day * 400],
        ),
        (
            Some("none"),
            vec![],
            vec![Duration::from_secs(2 * 3600), day * 3],
        ),
        (Some("all"), vec![day * 3, day * 400], vec![]),
    ] {
        let intake = Intake::with(|c| {
            if let Some(s) = setting {
                *c = c.replace(
                    "questions = \"questions.toml\"",
                    &format!("questions = \"questions.toml\"\nbackfill = \"{s}\""),
                );
            }
        });
        // A mail arriving now creates the mailbox; it predates the first
        // start only under "none".
        let now_who = applicant(&intake);
        intake
            .receive(
                &now_who,
                &mail(
                    &now_who,
                    "New",
                    &intake.team,
                    "Apply",
                    "",
                    "How do I apply?",
                ),
            )
            .await;
        if setting == Some("none") {
            // Arrival times have whole seconds: make this one plainly
            // older than the first start.
            std::thread::sleep(Duration::from_secs(2));
        }
        let mut answered = Vec::new();
        let mut backlog = Vec::new();
        for age in &answered_ages {
            let who = applicant(&intake);
            arrived_ago(&intake, &who, "How do I apply?", *age);
            answered.push((who, *age));
        }
        for age in &backlog_ages {
            let who = applicant(&intake);
            arrived_ago(&intake, &who, "Please find our invoice.", *age);
            backlog.push((who, *age));
        }
        intake.once();
        for (who, _) in &answered {
            wait_mails(&intake, who, 1);
        }
        if setting != Some("none") {
            wait_mails(&intake, &now_who, 1);
        }
        // Mail arriving after the first start is answered under any setting.
        let later = applicant(&intake);
        intake
            .receive(
                &later,
                &mail(
                    &later,
                    "Later",
                    &intake.team,
                    "Apply",
                    "",
                    "How do I apply?",
                ),
            )
            .await;
        intake.once();
        wait_mails(&intake, &later, 1);
        std::thread::sleep(Duration::from_secs(1));

        let report = intake.report_json();
        let listed = report["attention"].as_array().unwrap();
        for (who, age) in &backlog {
            assert!(
                mails_to(&intake, who).is_empty(),
                "{setting:?}: old contact {who} was written to"
            );
            let item = listed
                .iter()
                .find(|a| a["from"] == who.as_str())
                .unwrap_or_else(|| panic!("{setting:?}: {who} not listed: {listed:?}"));
            assert_eq!(item["reason"], "backlog", "{item}");
            // Shown with its arrival time, not the time it was processed.
            shown_as_arrived(&item["received_at"], *age, &format!("{setting:?}: {who}"));
            assert!(
                intake.application(who).is_none(),
                "{who} became an applicant"
            );
        }
        for (who, age) in &answered {
            let app = intake
                .application(who)
                .unwrap_or_else(|| panic!("{setting:?}: {who} has no application"));
            shown_as_arrived(
                &app["received_at"],
                *age,
                &format!("{setting:?}: application of {who}"),
            );
        }
        if setting == Some("none") {
            assert!(mails_to(&intake, &now_who).is_empty());
        }
        // Monitoring counts backlog apart from what waits for staff.
        let out = intake.cmd(&["status", "--json"]);
        let counts: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let old = backlog.len() + usize::from(setting == Some("none"));
        assert_eq!(counts["backlog"], old, "{setting:?}: {counts}");
        assert_eq!(counts["waiting_for_staff"], 0, "{setting:?}: {counts}");
    }
}
