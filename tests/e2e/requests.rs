//! Applicants' requests by mail (withdraw, a copy of their data, delete
//! it) and mail that asks for nothing, through the real mail stack.

use super::common::{Intake, mail, reply};
use super::forgery::{complete_applicant, mails_to};

fn listed_from(intake: &Intake, reason: &str, who: &str) -> usize {
    intake
        .listed(reason)
        .iter()
        .filter(|a| a["from"] == who)
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn withdraw_by_reply_and_a_forged_withdrawal_needs_confirming() {
    let intake = Intake::new();
    let ada = complete_applicant(&intake).await;

    // Eve asks, in Ada's name, to withdraw: Ada is asked, nothing changes.
    intake
        .receive(
            &ada,
            &mail(&ada, "Ada", &intake.team, "Withdraw", "", "WITHDRAW"),
        )
        .await;
    intake.once();
    let got = mails_to(&intake, &ada, 3);
    let ask = &got[2];
    assert!(ask.body.contains("to withdraw"), "{}", ask.body);
    assert_eq!(intake.application(&ada).unwrap()["status"], "complete");

    // Ada confirms by replying.
    intake
        .receive(&ada, &reply(&ada, "Ada Lovelace", ask, "Yes, please.", &[]))
        .await;
    intake.once();
    let got = mails_to(&intake, &ada, 4);
    assert!(got[3].body.contains("is withdrawn"), "{}", got[3].body);
    assert_eq!(intake.application(&ada).unwrap()["status"], "withdrawn");

    // Another applicant withdraws in one step, replying to our mail.
    let bo = complete_applicant(&intake).await;
    let confirmation = mails_to(&intake, &bo, 2)[1].clone();
    intake
        .receive(&bo, &reply(&bo, "Bo", &confirmation, "WITHDRAW", &[]))
        .await;
    intake.once();
    let got = mails_to(&intake, &bo, 3);
    assert!(got[2].body.contains("is withdrawn"), "{}", got[2].body);
    assert_eq!(intake.application(&bo).unwrap()["status"], "withdrawn");
    let csv = String::from_utf8(intake.cmd(&["report", "--format", "csv"]).stdout).unwrap();
    let row = csv.lines().find(|l| l.starts_with(&bo)).unwrap();
    assert!(row.contains(",withdrawn,"), "{row}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thank_you_from_an_applicant_goes_to_staff_not_the_questions() {
    let intake = Intake::new();
    let ada = complete_applicant(&intake).await;
    let confirmation = mails_to(&intake, &ada, 2)[1].clone();
    intake
        .receive(
            &ada,
            &reply(
                &ada,
                "Ada Lovelace",
                &confirmation,
                "Thank you so much! When will you decide?",
                &[],
            ),
        )
        .await;
    intake.once();
    std::thread::sleep(std::time::Duration::from_secs(1));
    super::common::smtpd_idle();
    assert_eq!(
        intake.stack.delivered(&ada).len(),
        2,
        "no reply to a thank-you"
    );
    assert_eq!(listed_from(&intake, "message", &ada), 1);
    assert_eq!(intake.application(&ada).unwrap()["status"], "complete");
}
