use super::*;

const TEAM: &str = "team@example.org";

fn ada() -> Sender {
    Sender {
        address: "ada@example.net".into(),
        name: None,
    }
}

fn judge(facts: &HeaderFacts, subject: &str, body: &str) -> Verdict {
    verdict(facts, Some(&ada()), TEAM, subject, body)
}

fn certainty(v: &Verdict) -> Option<Certainty> {
    match v {
        Verdict::Person => None,
        Verdict::Robot { certainty, .. } => Some(*certainty),
    }
}

fn reason(v: &Verdict) -> &str {
    match v {
        Verdict::Person => "",
        Verdict::Robot { reason, .. } => reason,
    }
}

#[test]
fn protocol_tells_are_header_certain() {
    let cases: Vec<(HeaderFacts, &str)> = vec![
        (
            HeaderFacts {
                auto_submitted: Some("auto-replied".into()),
                ..Default::default()
            },
            "header Auto-Submitted: auto-replied",
        ),
        (
            HeaderFacts {
                auto_submitted: Some("auto-generated; owner-email=\"x@y\"".into()),
                ..Default::default()
            },
            "header Auto-Submitted: auto-generated",
        ),
        (
            HeaderFacts {
                precedence: Some("bulk".into()),
                ..Default::default()
            },
            "header Precedence: bulk",
        ),
        (
            HeaderFacts {
                precedence: Some("list".into()),
                ..Default::default()
            },
            "header Precedence: list",
        ),
        (
            HeaderFacts {
                precedence: Some("junk".into()),
                ..Default::default()
            },
            "header Precedence: junk",
        ),
        (
            HeaderFacts {
                precedence: Some("auto_reply".into()),
                ..Default::default()
            },
            "header Precedence: auto_reply",
        ),
        (
            HeaderFacts {
                has_list_headers: true,
                ..Default::default()
            },
            "mailing-list headers",
        ),
        (
            HeaderFacts {
                empty_return_path: true,
                ..Default::default()
            },
            "empty envelope sender",
        ),
        (
            HeaderFacts {
                is_report: true,
                ..Default::default()
            },
            "delivery or read report",
        ),
    ];
    for (facts, want) in cases {
        let v = judge(&facts, "Hello", "How do I apply?");
        assert_eq!(certainty(&v), Some(Certainty::Header), "{facts:?}");
        assert!(reason(&v).starts_with(want), "{facts:?}: {v:?}");
    }
    for addr in [
        "MAILER-DAEMON@example.net",
        "postmaster@example.net",
        "no-reply@example.net",
        "noreply.billing@example.net",
        "no_reply@example.net",
        "donotreply@example.net",
        "do-not-reply@example.net",
        "Team@Example.org",
    ] {
        let s = Sender {
            address: addr.to_lowercase(),
            name: None,
        };
        let v = verdict(&HeaderFacts::default(), Some(&s), TEAM, "Hello", "Hi");
        assert_eq!(certainty(&v), Some(Certainty::Header), "{addr}");
    }
}

#[test]
fn out_of_office_subjects_in_every_language() {
    let subjects = [
        "Automatic reply: Application",
        "Automatic Reply: Application",
        "AUTOMATIC REPLY: Application",
        "Auto-Reply: Application",
        "Auto Reply: Application",
        "Autoreply: Application",
        "AutoReply",
        "Auto: Application",
        "Automatische Antwort: Bewerbung",
        "Réponse automatique : Candidature",
        "Reponse automatique: Candidature",
        "RÉPONSE AUTOMATIQUE : Candidature",
        "Réponse automatique d'absence du bureau : Candidature",
        "Respuesta automática: Solicitud",
        "Respuesta automatica: Solicitud",
        "Resposta automática: Candidatura",
        "Risposta automatica: Candidatura",
        "Automatisch antwoord: Aanmelding",
        "Automatyczna odpowiedź: Zgłoszenie",
        "Automatisk svar: Ansøgning",
        "Automatiskt svar: Ansökan",
        "Autosvar: Ansökan",
        "Automaattinen vastaus: Hakemus",
        "Automatikus válasz: Jelentkezés",
        "Automatická odpověď: Přihláška",
        "Automatická odpoveď: Prihláška",
        "Răspuns automat: Aplicație",
        "Automatski odgovor: Prijava",
        "Samodejni odgovor: Prijava",
        "Automaatne vastus: Avaldus",
        "Automātiskā atbilde: Pieteikums",
        "Automatinis atsakymas: Paraiška",
        "Αυτόματη απάντηση: Αίτηση",
        "Otomatik yanıt: Başvuru",
        "OTOMATİK YANIT: Başvuru",
        "OTOMATIK YANIT: Başvuru",
        "Otomatik cevap: Başvuru",
        "Автоматический ответ: Заявка",
        "Автоответ: Заявка",
        "Автоматична відповідь: Заявка",
        "Автоматичен отговор: Кандидатура",
        "自動返信: 応募",
        "自動応答: 応募",
        "自動応答：応募",
        "自动回复: 申请",
        "自动回复：申请",
        "自動回覆: 申請",
        "자동 회신: 지원",
        "תשובה אוטומטית: בקשה",
        "رد تلقائي: طلب",
        "Balasan otomatis: Lamaran",
        "Trả lời tự động: Đơn",
        "ตอบกลับอัตโนมัติ: ใบสมัคร",
        "Out of Office: Application",
        "Out of office",
        "OUT OF OFFICE",
        "Out of Office AutoReply: Application",
        "Out of the office",
        "Out of the office until 3 May",
        "Out of office - back on Monday",
        "Out-of-Office: Application",
        "OOO: Application",
        "Abwesend: Bewerbung",
        "Abwesend bis 12.7.",
        "Abwesenheitsnotiz: Bewerbung",
        "Abwesenheitsnotiz",
        "Nicht im Büro: Bewerbung",
        "Absence du bureau : Candidature",
        "Absence du bureau",
        "Message d'absence : Candidature",
        "Fuera de la oficina: Solicitud",
        "Fora do escritório: Candidatura",
        "Fuori sede: Candidatura",
        "Fuori ufficio: Candidatura",
        "Risposta non al computer: Candidatura",
        "Afwezig: Aanmelding",
        "Frånvaro: Ansökan",
        "Poza biurem: Zgłoszenie",
        "Házon kívül: Jelentkezés",
        "Mimo kancelář: Přihláška",
        "Вне офиса: Заявка",
        "Vacation reply: Application",
        "Vacation reply",
        // After reply or forward prefixes.
        "Re: Automatic reply: Application",
        "AW: Automatische Antwort: Bewerbung",
        "RE: Out of Office: Application",
        "TR : Réponse automatique : Candidature",
        "Re[2]: Autoreply: Application",
    ];
    for s in subjects {
        let v = judge(&HeaderFacts::default(), s, "I am away.");
        // The robot's own subject, or a person's reply to it.
        let want = if ["Re:", "RE:", "AW:", "TR :", "Re[2]:"]
            .iter()
            .any(|p| s.starts_with(p))
        {
            Certainty::Content
        } else {
            Certainty::Subject
        };
        assert_eq!(certainty(&v), Some(want), "{s}");
        assert!(reason(&v).contains("(out-of-office)"), "{s}: {v:?}");
    }
    assert_eq!(
        reason(&judge(
            &HeaderFacts::default(),
            "Automatische Antwort: Bewerbung",
            ""
        )),
        "subject \"Automatische Antwort: Bewerbung\" (out-of-office)"
    );
}

#[test]
fn autoresponder_headers_are_content_tells() {
    for name in [
        "X-Autoreply",
        "X-Autorespond",
        "X-Autoresponder",
        "X-Autoresponse",
        "X-Auto-Response",
        "X-Autogenerated",
        "X-Auto-Generated",
        "X-Auto-Reply",
        "X-AutoReply-From",
        "X-Mail-Autoreply",
        "X-Vacation",
        "X-MS-Exchange-Generated-Message-Source",
    ] {
        assert!(is_autoreply_header(name), "{name}");
        assert!(is_autoreply_header(&name.to_uppercase()), "{name}");
        for value in [
            "yes",
            "YES",
            "true",
            "ada@example.net",
            "Mailbox Rules Agent",
        ] {
            let facts = HeaderFacts {
                autoreply_headers: vec![format!("{name}: {value}")],
                ..Default::default()
            };
            let v = judge(&facts, "Hello", "Hi");
            assert_eq!(certainty(&v), Some(Certainty::Content), "{name}: {value}");
            assert_eq!(reason(&v), format!("header {name}: {value}"));
        }
        for value in ["no", "No", "false", "0", ""] {
            let facts = HeaderFacts {
                autoreply_headers: vec![format!("{name}: {value}")],
                ..Default::default()
            };
            assert_eq!(
                judge(&facts, "Hello", "Hi"),
                Verdict::Person,
                "{name}: {value}"
            );
        }
    }
}

#[test]
fn helpdesk_headers_are_content_tells() {
    for name in [
        "X-Zendesk-From-Account-Id",
        "X-Freshdesk-Ticket-Id",
        "X-OTRS-TicketNumber",
        "X-Znuny-Ticket",
        "X-Zammad-Ticket-Id",
        "X-HelpScout-Conversation-Id",
        "X-Kayako-Ticket",
        "RT-Ticket",
        "RT-Originator",
        "X-RT-Loop-Prevention",
        "X-JIRA-FingerPrint",
    ] {
        assert!(is_helpdesk_header(name), "{name}");
        let facts = HeaderFacts {
            helpdesk_headers: vec![format!("{name}: 48213")],
            ..Default::default()
        };
        let v = judge(&facts, "Hello", "Hi");
        assert_eq!(certainty(&v), Some(Certainty::Content), "{name}");
        assert!(reason(&v).contains("(helpdesk software)"), "{v:?}");
    }
    for name in ["X-Mailer", "X-Ticket", "X-Zen", "RT", "Thread-Topic"] {
        assert!(!is_helpdesk_header(name), "{name}");
        assert!(!is_autoreply_header(name), "{name}");
    }
}

#[test]
fn helpdesk_acknowledgements_by_subject() {
    for s in [
        "[#48213] We have received your request",
        "[#48213] Re: Application",
        "Re: [#48213] Application",
        "[Ticket #123] Application",
        "[Ticket#2024010110000012] Application",
        "[rt.example.org #4821] AutoReply: Application",
        "[Case 123456] Application",
        "[Request ID :##RE-12345##] : Application",
        "Case 123456 - Application",
        "Case #4821: Application",
        "Ticket #1234 created",
        "Ticket no. 123: Application",
        "Ticket received",
        "Ticket Received - Application",
        "Request received: Application",
        "Support ticket opened [#123]",
        "We have received your request",
        "We've received your message",
        "Thank you for contacting Example Support",
        "Eingangsbestätigung: Bewerbung",
        "Ihre Anfrage ist eingegangen",
        "Accusé de réception : Candidature",
        "Nous avons bien reçu votre demande",
        "Acuse de recibo: Solicitud",
        "Solicitud recibida",
        "Richiesta ricevuta: Candidatura",
        "Ontvangstbevestiging: Aanmelding",
    ] {
        let v = judge(&HeaderFacts::default(), s, "Hello.");
        // A ticket tag is no robot's own word: people in ticketing
        // systems have one too.
        let tagged = ACK_SUBJECT_TAGS
            .iter()
            .any(|re| re.is_match(&subject_key(s)));
        let want = if s.starts_with("Re:") || tagged {
            Certainty::Content
        } else {
            Certainty::Subject
        };
        assert_eq!(certainty(&v), Some(want), "{s}");
        assert!(
            reason(&v).contains("(helpdesk acknowledgement)"),
            "{s}: {v:?}"
        );
    }
}

#[test]
fn robots_by_their_first_lines() {
    let bodies = [
        (
            "Dear customer,\n\nWe have received your request and a ticket has been created.\nTicket: 48213",
            "helpdesk acknowledgement",
        ),
        (
            "Dear customer, we have received your message.",
            "helpdesk acknowledgement",
        ),
        (
            "Hello,\nthank you for writing. We have received your\nemail and will answer within two days.",
            "helpdesk acknowledgement",
        ),
        (
            "Your request has been received and is being reviewed by our staff.",
            "helpdesk acknowledgement",
        ),
        (
            "A new ticket #48213 has been created for you.",
            "helpdesk acknowledgement",
        ),
        (
            "This is an automated response to confirm that we got your mail.",
            "automated message",
        ),
        (
            "This is an automatic reply. I am away until Monday.",
            "automated message",
        ),
        (
            "Thanks!\n\nThis message was sent automatically. Please do not reply to this email.",
            "automated message",
        ),
        ("Please do not reply to this email.", "automated message"),
        ("Do not reply to this message.", "automated message"),
        ("This mailbox is not monitored.", "automated message"),
        (
            "Sehr geehrte Damen und Herren,\n\nwir haben Ihre Anfrage erhalten.",
            "helpdesk acknowledgement",
        ),
        (
            "Ihre Nachricht ist bei uns eingegangen.",
            "helpdesk acknowledgement",
        ),
        ("Dies ist eine automatische Antwort.", "automated message"),
        (
            "Bitte antworten Sie nicht auf diese E-Mail.",
            "automated message",
        ),
        (
            "Bonjour,\n\nNous avons bien reçu votre demande.",
            "helpdesk acknowledgement",
        ),
        ("Ceci est une réponse automatique.", "automated message"),
        (
            "Merci de ne pas répondre à ce message.",
            "automated message",
        ),
        (
            "Hola,\nhemos recibido su solicitud.",
            "helpdesk acknowledgement",
        ),
        (
            "Este es un mensaje automático, por favor no responda.",
            "automated message",
        ),
        (
            "Olá,\nrecebemos a sua solicitação.",
            "helpdesk acknowledgement",
        ),
        ("Esta é uma resposta automática.", "automated message"),
        (
            "Gentile cliente,\nabbiamo ricevuto la sua richiesta.",
            "helpdesk acknowledgement",
        ),
        ("Questa è una risposta automatica.", "automated message"),
        (
            "Beste klant,\n\nWij hebben uw bericht in goede orde ontvangen.",
            "helpdesk acknowledgement",
        ),
        (
            "Dit is een automatisch gegenereerd bericht.",
            "automated message",
        ),
    ];
    for (body, kind) in bodies {
        let v = judge(&HeaderFacts::default(), "Re: Application", body);
        assert_eq!(certainty(&v), Some(Certainty::Content), "{body}");
        assert!(reason(&v).starts_with("body \""), "{body}: {v:?}");
        assert!(reason(&v).ends_with(&format!("({kind})")), "{body}: {v:?}");
    }
}

#[test]
fn people_stay_people() {
    let long_paragraph = "Hello, I coordinate the volunteers of our local chapter and over the\n\
        last year we have received your newsletter and your calls for members\n\
        with great interest, so I would like to apply myself. Could you tell me\n\
        how the process works and what you need from me?\n\nBest,\nAda";
    let wrapped = "Hello,\n\nI am writing on behalf of our chapter because\n\
        we have received your request for volunteers and I would like to apply.";
    let facts = HeaderFacts::default();
    let cases: Vec<(HeaderFacts, &str, &str)> = vec![
        (facts.clone(), "Re: out of office hours volunteering", "Hi"),
        (facts.clone(), "Out of office hours volunteering", "Hi"),
        (
            facts.clone(),
            "Automatic replies are annoying, here are my answers",
            "1. Ada",
        ),
        (facts.clone(), "Ticket to the event", "Do I need one?"),
        (facts.clone(), "Tickets for 2024", "Hi"),
        (facts.clone(), "Request 2024: joining the group", "Hi"),
        (facts.clone(), "Case study: my project", "Hi"),
        (facts.clone(), "Absences and availability", "Hi"),
        (facts.clone(), "Autonomous teams", "Hi"),
        (facts.clone(), "Out of curiosity", "Hi"),
        (facts.clone(), "Oof, sorry for the late reply", "Hi"),
        (facts.clone(), "OOO what a call!", "Hi"),
        (facts.clone(), "On leadership", "Hi"),
        (facts.clone(), "Application", long_paragraph),
        (facts.clone(), "Application", wrapped),
        (
            facts.clone(),
            "Re: Leadership",
            "1. Ada\n2. Europe\n\nOn Mon, 4 Apr 2022, Team <team@example.org> wrote:\n> Please do not reply to this email if you are not interested.",
        ),
        (
            facts.clone(),
            "Re: Leadership",
            "My answers below.\n\n> This is an automated message from the team.",
        ),
        (
            facts.clone(),
            "Application",
            "I was told this is an automated process, is that right?",
        ),
        (
            HeaderFacts {
                auto_response_suppress: true,
                ..Default::default()
            },
            "Application",
            "How do I apply?",
        ),
        (
            HeaderFacts {
                auto_submitted: Some("no".into()),
                ..Default::default()
            },
            "Application",
            "How do I apply?",
        ),
        (
            HeaderFacts {
                precedence: Some("first-class".into()),
                ..Default::default()
            },
            "Application",
            "How do I apply?",
        ),
    ];
    for (facts, subject, body) in cases {
        assert_eq!(
            judge(&facts, subject, body),
            Verdict::Person,
            "{subject} / {body}"
        );
    }
    // No sender known: only the header facts count.
    assert_eq!(
        verdict(&HeaderFacts::default(), None, TEAM, "Hello", "Hi"),
        Verdict::Person
    );
}

#[test]
fn only_the_head_of_the_body_is_read() {
    let mut body = "Hello,\n".to_string();
    for i in 0..BODY_LINES {
        body.push_str(&format!("line {i} of my long mail\n"));
    }
    body.push_str("\nThis is an automated message.\n");
    assert_eq!(
        judge(&HeaderFacts::default(), "Application", &body),
        Verdict::Person
    );
    let huge = format!("{}\nThis is an automated message.", "x".repeat(1_000_000));
    assert_eq!(
        judge(&HeaderFacts::default(), "Application", &huge),
        Verdict::Person
    );
}

#[test]
fn answers_outweigh_content_tells_only() {
    let content = Verdict::Robot {
        reason: "subject \"Automatic reply: x\" (out-of-office)".into(),
        certainty: Certainty::Content,
    };
    let header = Verdict::Robot {
        reason: "header Auto-Submitted: auto-replied".into(),
        certainty: Certainty::Header,
    };
    let cases = [
        (Verdict::Person, false, Decision::Person),
        (Verdict::Person, true, Decision::Person),
        (
            content.clone(),
            false,
            Decision::Robot {
                reason: "subject \"Automatic reply: x\" (out-of-office)".into(),
            },
        ),
        (
            content.clone(),
            true,
            Decision::PersonDespite {
                tell: "subject \"Automatic reply: x\" (out-of-office)".into(),
            },
        ),
        (
            header.clone(),
            false,
            Decision::Robot {
                reason: "header Auto-Submitted: auto-replied".into(),
            },
        ),
        (
            header.clone(),
            true,
            Decision::Robot {
                reason: "header Auto-Submitted: auto-replied; it holds answers, not stored".into(),
            },
        ),
    ];
    for (v, answers, want) in cases {
        assert_eq!(decide(&v, answers), want, "{v:?} answers={answers}");
    }
}

#[test]
fn protocol_tells_win_over_content_tells() {
    let facts = HeaderFacts {
        auto_submitted: Some("auto-replied".into()),
        autoreply_headers: vec!["X-Autoreply: yes".into()],
        ..Default::default()
    };
    let v = judge(&facts, "Automatic reply: Application", "");
    assert_eq!(certainty(&v), Some(Certainty::Header));
}

#[test]
fn long_subjects_are_shortened_for_staff() {
    let subject = format!("Automatic reply: {}", "very long subject ".repeat(10));
    let r = reason(&judge(&HeaderFacts::default(), &subject, "")).to_string();
    assert!(r.starts_with("subject \"Automatic reply: very long"), "{r}");
    assert!(r.contains("…\" (out-of-office)"), "{r}");
    assert!(r.chars().count() < 90, "{r}");
}

/// Every reply fixture is a real person's reply: none may look like a
/// robot, whatever client wrote it.
#[test]
fn reply_fixtures_are_people() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replies");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("entry").path();
        // The robot fixtures are judged by the golden suite, with the
        // answers rule; every other fixture is a person's reply.
        let robot_fixture = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("robot-"));
        if path.extension().is_none_or(|e| e != "eml") || robot_fixture {
            continue;
        }
        let raw = std::fs::read(&path).expect("read");
        let m = crate::ingest::parse(&raw).expect("parses");
        let v = verdict(&m.facts, m.from.as_ref(), TEAM, &m.subject, &m.body);
        assert_eq!(v, Verdict::Person, "{}", path.display());
        seen += 1;
    }
    assert!(seen >= 30, "only {seen} fixtures");
}

#[test]
fn a_robots_own_subject_is_never_overruled_by_answers() {
    let own = judge(
        &HeaderFacts::default(),
        "Automatic reply: Application",
        "1. Jane",
    );
    assert_eq!(certainty(&own), Some(Certainty::Subject));
    assert!(matches!(decide(&own, true), Decision::Robot { .. }));
    let reply = judge(
        &HeaderFacts::default(),
        "Re: Automatic reply: Application",
        "1. Jane",
    );
    assert_eq!(certainty(&reply), Some(Certainty::Content));
    assert!(matches!(
        decide(&reply, true),
        Decision::PersonDespite { .. }
    ));
    for (subject, body) in [
        ("Read: Application", "Your message was read."),
        ("Accepted: Interview", "Jane has accepted this invitation."),
        (
            "Application",
            "I am currently out of the office until Monday.",
        ),
        ("Application", "Estaré fuera de la oficina hasta el lunes."),
        ("Application", "This address is no longer monitored."),
    ] {
        assert!(
            matches!(
                judge(&HeaderFacts::default(), subject, body),
                Verdict::Robot { .. }
            ),
            "{subject} / {body}"
        );
    }
}
