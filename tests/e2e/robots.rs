//! Robots that say what they are only in their content (subject, body,
//! non-standard headers), through the real mail stack: never answered,
//! listed for staff; and people whose mail merely looks like a robot's
//! (`X-Auto-Response-Suppress`, an out-of-office subject) still answered.

use super::common::{Intake, Mail, mail, parse_mail, reply};

/// An Exchange out-of-office reply as Exchange sends it when the RFC 3834
/// headers are missing: Outlook's thread headers, a localized subject.
fn exchange_ooo(from: &str, from_name: &str, team: &str, subject: &str, body_qp: &str) -> String {
    let id = format!("<{}@EXCH01.example.de>", uuid::Uuid::new_v4().simple());
    format!(
        "From: {from_name} <{from}>\r\nTo: {team}\r\nSubject: {subject}\r\nThread-Topic: Call for members\r\nThread-Index: AQHYR2x1c2VyZm9vYmFy\r\nDate: Mon, 4 Apr 2022 10:05:00 +0000\r\nMessage-ID: {id}\r\nContent-Language: de-DE\r\nX-MS-Has-Attach:\r\nX-MS-TNEF-Correlator:\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=\"iso-8859-1\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}",
        body_qp.replace('\n', "\r\n")
    )
}

fn attention_of<'a>(att: &'a [serde_json::Value], who: &str) -> &'a serde_json::Value {
    att.iter()
        .find(|a| a["from"] == who)
        .unwrap_or_else(|| panic!("{who} is not listed for staff: {att:#?}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn robots_known_by_content_are_not_answered_and_answers_win() {
    let intake = Intake::new();
    let stack = intake.stack;
    let team = intake.team.clone();

    // Someone writes first and gets the question mail; their helpdesk will
    // acknowledge it below, quoting it.
    let colleague = stack.address("colleague", "example.net");
    intake
        .receive(
            &colleague,
            &mail(
                &colleague,
                "Jan Berg",
                &team,
                "Call for members",
                "",
                "Hello, how do I apply?",
            ),
        )
        .await;
    intake.once();
    let question = parse_mail(&stack.wait_for(&colleague, 1)[0]);
    assert!(question.body.contains("1. What is your name?"));
    // Two people get the questions too; their answers below reply to them.
    let person = stack.address("outlook-person", "example.net");
    let thread = stack.address("ooo-thread", "example.net");
    let asked = intake.questions_for(&[&person, &thread]).await;
    let threading = |q: &Mail| format!("In-Reply-To: <{0}>\r\nReferences: <{0}>\r\n", q.message_id);

    // 1. A German Exchange out-of-office reply, no RFC 3834 header at all.
    let ooo_de = stack.address("ooo-de", "example.de");
    intake
        .receive(
            &ooo_de,
            &exchange_ooo(
                &ooo_de,
                "=?iso-8859-1?Q?M=FCller=2C_Anna?=",
                &team,
                "Automatische Antwort: Call for members",
                "Vielen Dank f=FCr Ihre Nachricht.\n\nIch bin bis einschlie=DFlich 15. Juli nicht im B=FCro und habe keinen\nZugriff auf meine E-Mails. In dringenden F=E4llen wenden Sie sich bitte an\nteam@example.de.\n\nMit freundlichen Gr=FC=DFen\nAnna M=FCller\n",
            ),
        )
        .await;

    // 2. A French one: RFC 2047 subject with Outlook's no-break space
    // before the colon, HTML only.
    let ooo_fr = stack.address("ooo-fr", "example.fr");
    let fr = format!(
        "From: Claire Dubois <{ooo_fr}>\r\nTo: {team}\r\nSubject: =?utf-8?Q?R=C3=A9ponse_automatique=C2=A0=3A_Call_for_members?=\r\nThread-Topic: Call for members\r\nDate: Mon, 4 Apr 2022 10:06:00 +0000\r\nMessage-ID: <{}@EXCH02.example.fr>\r\nContent-Language: fr-FR\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=\"utf-8\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<html><body><p>Bonjour,</p><p>Je suis absente du bureau jusqu'au 3 ao=C3=BBt.</p><p>Cordialement,<br>Claire</p></body></html>\r\n",
        uuid::Uuid::new_v4().simple()
    );
    intake.receive(&ooo_fr, &fr).await;

    // 3. An autoresponder that marks itself only with `X-Autoreply`.
    let autoreply = stack.address("autoreply", "example.com");
    intake
        .receive(
            &autoreply,
            &mail(
                &autoreply,
                "Sam Lee",
                &team,
                "Re: Call for members",
                "X-Autoreply: yes\r\n",
                "Thanks for your mail. I will read it when I am back on 12 April.",
            ),
        )
        .await;

    // 4. Another helpdesk's acknowledgement of our question mail, threaded
    // to it and quoting it in full.
    let helpdesk = stack.address("support", "helpdesk.example.com");
    let ack = reply(
        &helpdesk,
        "Example Support",
        &question,
        "Dear customer,\n\nWe have received your request and a ticket has been created.\nOur team will get back to you within two working days.\n\nKind regards,\nExample Support",
        &[],
    )
    .replacen(
        &format!("Subject: Re: {}", question.subject),
        "Subject: [#48213] We have received your request",
        1,
    );
    assert!(ack.contains("Subject: [#48213] We have received your request"));
    assert!(ack.contains(&format!("In-Reply-To: <{}>", question.message_id)));
    assert!(ack.contains("> 1. What is your name?"));
    intake.receive(&helpdesk, &ack).await;

    // A person whose Outlook adds `X-Auto-Response-Suppress: All`, with
    // numbered answers: an ordinary applicant.
    intake
        .receive(
            &person,
            &mail(
                &person,
                "Jonas Weber",
                &team,
                "Application",
                &format!("{}X-Auto-Response-Suppress: All\r\nThread-Topic: Application\r\nThread-Index: AQHYR3BlcnNvbg==\r\nX-MS-Has-Attach:\r\nContent-Language: en-US\r\n", threading(&asked[0])),
                "Hello,\n\nhere are my answers.\n\n1. Jonas Weber\n2. Europe\n3. English, German\n4. I have led volunteer teams for six years.\n5. Yes\n\nBest regards,\nJonas",
            ),
        )
        .await;

    // A person answering on an out-of-office thread: the subject looks like
    // a robot's, the answers are a person's, and answers win.
    intake
        .receive(
            &thread,
            &mail(
                &thread,
                "Mia Schulz",
                &team,
                "AW: Automatische Antwort: Call for members",
                &threading(&asked[1]),
                "Hallo,\n\n1. Mia Schulz\n2. Europe\n3. German\n\nViele Grüße\nMia",
            ),
        )
        .await;

    intake.once();
    // The people's replies have arrived; anything sent to a robot in the
    // same run would have been sent before `once` returned.
    let to_person = stack.wait_for(&person, 2);
    let to_thread = stack.wait_for(&thread, 2);
    std::thread::sleep(std::time::Duration::from_secs(2));

    for robot in [&ooo_de, &ooo_fr, &autoreply, &helpdesk] {
        assert!(
            stack.delivered(robot).is_empty(),
            "{robot} was answered: {:?}",
            stack
                .delivered(robot)
                .iter()
                .map(|r| parse_mail(r).subject)
                .collect::<Vec<_>>()
        );
    }
    // The colleague got their question mail and nothing more.
    assert_eq!(stack.delivered(&colleague).len(), 1);

    let report = intake.report_json();
    let att = report["attention"].as_array().unwrap();
    for (who, detail) in [
        (
            &ooo_de,
            "subject \"Automatische Antwort: Call for members\" (out-of-office)",
        ),
        (
            &ooo_fr,
            "subject \"Réponse automatique : Call for members\" (out-of-office)",
        ),
        (&autoreply, "header X-Autoreply: yes"),
        (
            &helpdesk,
            "subject \"[#48213] We have received your request\" (helpdesk acknowledgement)",
        ),
    ] {
        let a = attention_of(att, who);
        assert_eq!(a["reason"], "robot", "{a:#?}");
        assert_eq!(a["detail"], detail, "{a:#?}");
    }
    assert_eq!(
        att.iter().filter(|a| a["reason"] == "robot").count(),
        4,
        "{att:#?}"
    );
    // Robots open no application.
    for robot in [&ooo_de, &ooo_fr, &autoreply, &helpdesk] {
        assert!(intake.application(robot).is_none(), "{robot}");
    }

    // The Outlook person: exactly one reply, a confirmation, answers stored.
    assert_eq!(to_person.len(), 2);
    assert_eq!(stack.delivered(&person).len(), 2);
    let c = parse_mail(&to_person[1]);
    assert_eq!(c.subject, "Re: Application");
    assert!(c.body.contains("is complete"), "{}", c.body);
    let app = intake
        .application(&person)
        .expect("the person's application");
    assert_eq!(app["status"], "complete");
    assert_eq!(app["answers"]["name"], "Jonas Weber");
    assert_eq!(app["answers"]["region"], "Europe");
    assert_eq!(app["answers"]["languages"], "English, German");
    assert_eq!(
        app["answers"]["motivation"],
        "I have led volunteer teams for six years."
    );
    assert_eq!(app["answers"]["time"], "yes");
    assert!(att.iter().all(|a| a["from"] != person.as_str()), "{att:#?}");

    // The out-of-office thread person: answered (naming what is missing),
    // answers stored, nothing listed.
    assert_eq!(to_thread.len(), 2);
    assert_eq!(stack.delivered(&thread).len(), 2);
    let p = parse_mail(&to_thread[1]);
    assert!(
        p.body.contains("These questions still need an answer"),
        "{}",
        p.body
    );
    assert!(p.body.contains("Why do you want to join"), "{}", p.body);
    let app = intake.application(&thread).expect("answers stored");
    assert_eq!(app["status"], "incomplete");
    assert_eq!(app["answers"]["name"], "Mia Schulz");
    assert_eq!(app["answers"]["region"], "Europe");
    assert_eq!(app["answers"]["languages"], "German");
    assert!(att.iter().all(|a| a["from"] != thread.as_str()), "{att:#?}");
}
