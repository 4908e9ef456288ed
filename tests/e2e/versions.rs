//! Questions changed mid-call, through the real mail stack: a reply is
//! read with the numbers of the mail it answers, answers to a question
//! gone stay in the report, `check` names the changes, and the running
//! daemon takes a changed file without a restart and refuses a broken one.

use std::time::Duration;

use super::common::daemon::Daemon;
use super::common::{Intake, QUESTIONS, mail, reply};

/// The test questions ([`QUESTIONS`]) after staff edited them mid-call:
/// `pronouns` inserted at 2, `region` renamed `home_region` (and asked in
/// other words), `motivation` reworded, `heard` made required, and a
/// required `phone` added at the end.
fn edited() -> String {
    let mut text = QUESTIONS.to_string();
    for (was, now) in [
        (
            "id = \"region\"\nprompt = \"Which region do you live in?\"",
            "id = \"pronouns\"\nprompt = \"Which pronouns should we use?\"\n\n\
             [[question]]\nid = \"home_region\"\nprompt = \"Where do you live?\"",
        ),
        (
            "\"Why do you want to join the working group?\"",
            "\"Why do you want to join us?\"",
        ),
        (
            "\"How did you hear about this call?\"\nrequired = false",
            "\"How did you hear about this call?\"\nrequired = true",
        ),
    ] {
        assert!(text.contains(was), "the test questions changed: {was:?}");
        text = text.replacen(was, now, 1);
    }
    text.push_str(
        "\n[[question]]\nid = \"phone\"\n\
         prompt = \"Which phone number can we reach you on?\"\nrequired = true\n",
    );
    text
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_with_the_old_numbers_lands_under_the_right_questions() {
    let intake = Intake::new();
    let ada = intake.stack.address("ada", "example.net");
    let asked = intake.questions_for(&[&ada]).await.remove(0);
    assert!(
        asked.body.contains("2. Which region do you live in?"),
        "{}",
        asked.body
    );

    // Staff edit the file while Ada writes her answers.
    intake.write_questions(&edited());
    let check = intake.cmd(&["check", "--offline"]);
    assert!(check.status.success(), "{check:?}");
    let said = stdout(&check);
    for line in [
        "questions: changed since the last mail sent (version 1",
        "  removed: `region` (was 2; its answers are kept and reported under earlier questions)",
        "  added: `pronouns` (2)",
        "  added: `home_region` (3, required)",
        "  renumbered: `languages` 3 -> 4",
        "  renumbered: `motivation` 4 -> 5",
        "  renumbered: `time` 5 -> 6",
        "  renumbered: `heard` 6 -> 7",
        "  newly required: `heard` (7; applications without it are incomplete)",
        "  added: `phone` (8, required)",
    ] {
        assert!(said.contains(line), "no {line:?} in:\n{said}");
    }

    // Ada answers with the numbers of the mail she got.
    let answers = reply(
        &ada,
        "Ada Lovelace",
        &asked,
        "1. Ada Lovelace\n2. Europe\n3. English, French\n4. To help new leaders grow.\n5. yes\n6. A friend",
        &[],
    );
    intake.receive(&ada, &answers).await;
    intake.once();
    let app = intake.application(&ada).expect("Ada's application");
    let answers = &app["answers"];
    assert_eq!(answers["name"], "Ada Lovelace", "{app}");
    assert_eq!(answers["languages"], "English, French", "{app}");
    assert_eq!(answers["motivation"], "To help new leaders grow.", "{app}");
    assert_eq!(answers["time"], "yes", "{app}");
    assert_eq!(answers["heard"], "A friend", "{app}");
    assert_eq!(
        answers.get("pronouns"),
        None,
        "2 was region in her mail: {app}"
    );
    assert_eq!(answers.get("home_region"), None, "{app}");
    // The renamed question's answer is kept, with the prompt she read.
    assert_eq!(
        app["earlier_questions"],
        serde_json::json!({
            "region": { "prompt": "Which region do you live in?", "value": "Europe" }
        })
    );
    assert_eq!(
        app["asked_as"],
        serde_json::json!({ "motivation": "Why do you want to join the working group?" })
    );
    // The status follows the missing list: the new required questions.
    assert_eq!(app["status"], "incomplete", "{app}");
    assert_eq!(app["missing"], serde_json::json!(["home_region", "phone"]));

    // Her reply names what is missing in today's numbers, and refuses
    // nothing she wrote.
    let problems = intake.mails_to(&ada, 2).remove(1);
    assert!(
        problems.body.contains("3. Where do you live?"),
        "{}",
        problems.body
    );
    assert!(
        problems
            .body
            .contains("8. Which phone number can we reach you on?"),
        "{}",
        problems.body
    );
    assert!(
        !problems.body.contains("not one of the choices"),
        "{}",
        problems.body
    );
    assert!(!problems.body.contains("is complete"), "{}", problems.body);

    // Staff see the earlier answer in the HTML and CSV reports.
    let html = stdout(&intake.cmd(&["report", "--format", "html"]));
    let earlier = html
        .split("id=\"earlier\"")
        .nth(1)
        .expect("an earlier-questions section");
    assert!(
        earlier.contains("Which region do you live in?"),
        "{earlier}"
    );
    assert!(earlier.contains(">Europe<"), "{earlier}");
    assert!(
        html.contains("answered to: Why do you want to join the working group?"),
        "{html}"
    );
    let csv = stdout(&intake.cmd(&["report", "--format", "csv"]));
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let row = rows
        .records()
        .map(Result::unwrap)
        .find(|r| &r[0] == ada.as_str())
        .expect("Ada's row");
    assert_eq!(&row[col("earlier:region")], "Europe");
    assert_eq!(&row[col("status")], "incomplete");

    // Her reply to our latest mail uses its numbers: complete.
    let more = reply(
        &ada,
        "Ada Lovelace",
        &problems,
        "3. Europe\n8. +41 22 555 01 00",
        &[],
    );
    intake.receive(&ada, &more).await;
    intake.once();
    let app = intake.application(&ada).unwrap();
    assert_eq!(app["answers"]["home_region"], "Europe", "{app}");
    assert_eq!(app["answers"]["phone"], "+41 22 555 01 00", "{app}");
    assert_eq!(app["missing"], serde_json::json!([]), "{app}");
    assert_eq!(app["status"], "complete", "{app}");
    let done = intake.mails_to(&ada, 3).remove(2);
    assert!(done.body.contains("is complete"), "{}", done.body);

    // The file as in the last mail: `check` says so.
    let said = stdout(&intake.cmd(&["check", "--offline"]));
    assert!(
        said.contains("questions: as shown in the last mail sent (version 2"),
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_running_daemon_takes_a_changed_file_and_refuses_a_broken_one() {
    let intake = Intake::new();
    let daemon = Daemon::start(&intake.config);
    daemon.wait_log("watching the questions file", 1, Duration::from_secs(20));
    let first = |who: &str| mail(who, "", &intake.team, "Hello", "", "How do I apply?");

    // A broken file is refused with the file and the key, and the
    // questions in force stay.
    let broken = QUESTIONS
        .replacen(
            "kind = \"choice\"\n",
            "kind = \"choice\"\nchoices = []\n",
            1,
        )
        .replacen("choices = [\"Africa\"", "# choices = [\"Africa\"", 1);
    intake.write_questions(&broken);
    daemon.wait_log("questions file refused", 1, Duration::from_secs(10));
    let log = daemon.log();
    let refused = log
        .lines()
        .find(|l| l.contains("questions file refused"))
        .unwrap();
    assert!(refused.contains("ERROR"), "{refused}");
    assert!(refused.contains("questions.toml"), "{refused}");
    assert!(refused.contains("key `question[1].choices`"), "{refused}");
    let bo = intake.stack.address("bo", "example.net");
    intake.receive(&bo, &first(&bo)).await;
    let got = intake.mails_to(&bo, 1).remove(0);
    assert!(
        got.body.contains("2. Which region do you live in?"),
        "{}",
        got.body
    );
    assert!(!got.body.contains("7. "), "{}", got.body);
    assert_eq!(
        daemon.count("questions file refused"),
        1,
        "logged once: {}",
        daemon.log()
    );

    // A good file is taken at once: the next mail has the new questions.
    intake.write_questions(&edited());
    daemon.wait_log("questions file reloaded", 1, Duration::from_secs(10));
    let cy = intake.stack.address("cy", "example.net");
    intake.receive(&cy, &first(&cy)).await;
    let got = intake.mails_to(&cy, 1).remove(0);
    assert!(
        got.body.contains("2. Which pronouns should we use?"),
        "{}",
        got.body
    );
    assert!(
        got.body
            .contains("8. Which phone number can we reach you on? (required)"),
        "{}",
        got.body
    );

    // Bo answers the mail he got, with its numbers, while the new file
    // is in force.
    let answers = reply(
        &bo,
        "Bo",
        &intake.mails_to(&bo, 1)[0],
        "1. Bo Li\n2. Asia\n3. German\n4. I like people.\n5. no",
        &[],
    );
    intake.receive(&bo, &answers).await;
    let got = intake.mails_to(&bo, 2).remove(1);
    assert!(!got.body.contains("is complete"), "{}", got.body);
    let app = intake.application(&bo).unwrap();
    assert_eq!(app["earlier_questions"]["region"]["value"], "Asia", "{app}");
    assert_eq!(app["answers"]["languages"], "German", "{app}");
    assert_eq!(app["answers"]["time"], "no", "{app}");
    assert_eq!(app["status"], "incomplete", "{app}");

    // SIGHUP reads the file again at once, and the daemon goes on.
    let hup = std::process::Command::new("kill")
        .args(["-HUP", &daemon.pid().to_string()])
        .status()
        .unwrap();
    assert!(hup.success());
    daemon.wait_log("questions file unchanged", 1, Duration::from_secs(10));
    let di = intake.stack.address("di", "example.net");
    intake.receive(&di, &first(&di)).await;
    let got = intake.mails_to(&di, 1).remove(0);
    assert!(
        got.body.contains("2. Which pronouns should we use?"),
        "{}",
        got.body
    );
}
