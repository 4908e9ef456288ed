use super::*;

#[test]
fn attribution_shapes_in_many_languages() {
    for line in [
        "On Tue, Apr 5, 2022 at 9:00 AM Team <team@example.org> wrote:",
        "Am 13.12.2017 21:11 schrieb \"John Doe <j.doe@example.com>:",
        "Le lun. 15 nov. 2021 à 19:42, Jean <jean@example.fr> a écrit :",
        "Op 17-feb.-2015, om 13:18 heeft Jan <jan@example.nl> het volgende geschreven:",
        "Den 14 september, 2015 02:23:18, Anna (anna@example.se) skrev:",
        "2016-03-03 17:21 GMT+01:00 Name <name@example.com>:",
        "30.09.2017, 18.30, \"John - Doe\" <jd@example.com>:",
        "ср, 30 апр. 2025 г. в 15:19, Иван <ivan@example.ru>:",
        "On Wed, 14 Nov 2018 08:14:43 -0200 John Doe <john@doe.com> wrote",
        "On Nov 26, 2013 you wrote:",
        "2011年4月7日 10:00 王 <wang@example.cn> 写道：",
    ] {
        assert!(strong_attribution(line), "{line}");
    }
    for line in [
        "Since 2019 I have run these events:",
        "My address is ada@example.org.",
        "1. Ada Lovelace",
        "We met on 4 April 2022 and wrote a plan together.",
    ] {
        assert!(!strong_attribution(line), "{line}");
    }
}

#[test]
fn glued_attributions_split_before_the_opener() {
    // What stays of the reply line (the split line drops the dashes).
    let head = |l: &'static str| {
        glued_attribution(l)
            .map(|i| l[..i].trim_end_matches(|c: char| is_rule_char(c) || c.is_whitespace()))
    };
    assert_eq!(
        head("reply On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:"),
        Some("reply")
    );
    assert_eq!(
        head("bla-bla - bla--- On Wed, Apr 4, 2012 at 3:59 PM, me@domain.com wrote:"),
        Some("bla-bla - bla")
    );
    assert_eq!(
        head("8. 5El mar, 12 mar 2024 a las 5:30, Team (<team@example.org>) escribió:"),
        Some("8. 5")
    );
    assert_eq!(
        glued_attribution("On Wed, Apr 4, 2012 at 3:59 PM, bob@example.com wrote:"),
        None
    );
}

#[test]
fn separators_of_every_dash() {
    for line in [
        "-----Original Message-----",
        "‐‐‐‐‐‐‐ Original Message ‐‐‐‐‐‐‐",
        "*-------- Original Message --------*",
        "———— Izvorna poruka ————",
        "──── Mensaje original ────",
        "---- John Smith wrote ----",
    ] {
        assert!(decorated(line).is_some_and(is_original_separator), "{line}");
    }
    let banner = "----------- Enter Feedback Below -----------";
    assert!(decorated(banner).is_some_and(|i| !is_original_separator(i)));
    for line in [
        "________________________________",
        "----",
        "—",
        "====",
        "─────",
    ] {
        assert!(is_rule(line), "{line}");
    }
    assert!(decorated("-- ").is_none());
    assert!(decorated("a - b - c").is_none());
    assert!(!is_rule("-"));
    assert!(!is_rule("3 - 4"));
}

#[test]
fn header_labels_in_any_language() {
    for (line, label) in [
        ("From: Ada <ada@example.org>", "from"),
        ("*Sent:* Monday, 4 April 2022 10:00", "sent"),
        ("   De : Company<mailto:q@example.com>", "de"),
        ("Envoyé le :jeudi 15 décembre 2016 09:35", "envoye le"),
        ("À\u{a0}: mycompany <q@example.com>", "a"),
        ("Poslano: ponedjeljak, 4. travnja 2022. 10:00", "poslano"),
    ] {
        assert_eq!(
            header_label(line).map(|(l, _)| l),
            Some(label.to_string()),
            "{line}"
        );
    }
    assert!(header_label("This is a long sentence with many words: yes").is_none());
}

#[test]
fn footers_and_sent_lines() {
    for line in [
        "Sent from my iPhone",
        "Envoyé de mon iPhone",
        "Von meinem iPhone gesendet",
        "Enviado desde mi iPhone",
        "Sendt fra min iPad",
        "Get Outlook for iOS<https://aka.ms/o0ukef>",
        "Sent with Proton Mail secure email.",
        "Gesendet von Outlook für Android<https://aka.ms/AAb9ysg>",
        "Envoyé à partir de Outlook pour iOS<https://aka.ms/o0ukef>",
        "iPhoneから送信",
        "发自我的iPhone",
    ] {
        assert!(is_device_footer(line), "{line}");
    }
    assert!(is_sent_line("Sent from a magnificent torch of pixels"));
    assert!(!is_sent_line(
        "Sent from my desk, is much easier then my mobile phone."
    ));
    assert!(!is_device_footer(
        "I mostly edit from my iPhone while commuting to work every day, which helps."
    ));
    assert!(!is_device_footer(
        "The notification was sent from my iPhone app to all users."
    ));
    assert!(is_device_footer("Securely sent with Tutanota."));
    assert!(is_device_footer("iPhone'umdan gönderildi"));
}

#[test]
fn sign_offs_in_many_scripts() {
    for line in [
        "Best regards,",
        "Mit freundlichen Grüßen",
        "Cordialement,",
        "С уважением,",
        "Cheers 🎉",
        "敬具",
        "Pozdrawiam",
        "Med vänliga hälsningar",
        "Üdvözlettel,",
        "merci d'avance",
    ] {
        assert!(is_sign_off(line), "{line}");
    }
    assert!(!is_sign_off("Thanks to my mentor I learnt a lot."));
}

#[test]
fn contact_lines() {
    for line in [
        "+49 30 1234567",
        "Tel. 030 / 123 45 67",
        "https://example.org",
        "ada@example.org",
        "@pandaland",
        "Product Manager",
        "Mailgun Inc",
    ] {
        assert!(is_contact_line(line), "{line}");
    }
    assert!(!is_contact_line("I like to organise editing workshops."));
}
