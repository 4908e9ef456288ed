use super::*;

fn langs(codes: &[&str]) -> Languages {
    Languages::from_codes(codes).expect("languages")
}

#[test]
fn the_configured_list_is_checked() {
    assert_eq!(langs(&["fr", "en"]).default_lang(), Lang::Fr);
    assert!(Languages::from_codes::<&str>(&[]).is_err());
    let e = Languages::from_codes(&["en", "it"]).expect_err("it");
    assert!(e.contains("`it`") && e.contains("`de`"), "{e}");
    assert!(Languages::from_codes(&["en", "en"]).is_err());
    assert!(
        Languages::from_codes(&["EN"]).is_err(),
        "codes are lower case"
    );
}

#[test]
fn content_language_names_the_language() {
    let l = langs(&["en", "fr", "es"]);
    let body = "Hello, I would like to apply to your working group. Kind regards, Ada";
    assert_eq!(choose(Some("fr-CA"), body, &l), Detected::Header(Lang::Fr));
    assert_eq!(choose(Some("de, es"), body, &l), Detected::Header(Lang::Es));
    // A language not configured says nothing: the text decides.
    assert_eq!(choose(Some("de"), body, &l), Detected::Text(Lang::En));
}

#[test]
fn the_text_decides_when_it_is_clear_and_long_enough() {
    let l = langs(&["en", "fr", "es", "de"]);
    for (body, want) in [
        (
            "Bonjour, je souhaite poser ma candidature pour rejoindre votre groupe de travail. Merci beaucoup !",
            Lang::Fr,
        ),
        (
            "Hola, me gustaría presentar mi candidatura para formar parte de su grupo de trabajo. Muchas gracias.",
            Lang::Es,
        ),
        (
            "Guten Tag, ich möchte mich gerne für Ihre Arbeitsgruppe bewerben. Vielen Dank und freundliche Grüße",
            Lang::De,
        ),
        (
            "Hello, I would like to apply to join your working group. Thank you very much.",
            Lang::En,
        ),
    ] {
        assert_eq!(choose(None, body, &l), Detected::Text(want), "{body}");
    }
}

#[test]
fn short_or_unclear_text_falls_back_to_the_default() {
    let l = langs(&["es", "fr"]);
    for body in [
        "Hi",
        "",
        "Ada Lovelace",
        "1. 2. 3.",
        "https://example.org/x",
    ] {
        assert_eq!(
            choose(None, body, &l),
            Detected::Default(Lang::Es),
            "{body:?}"
        );
    }
    // Only the applicant's own lines count, not a quoted mail.
    let quoted = "Ok\n> Bonjour, je souhaite poser ma candidature pour rejoindre votre groupe.";
    assert_eq!(choose(None, quoted, &l), Detected::Default(Lang::Es));
    // One language configured: nothing to detect.
    let one = langs(&["de"]);
    let fr = "Bonjour, je souhaite poser ma candidature pour rejoindre votre groupe de travail.";
    assert_eq!(choose(None, fr, &one), Detected::Default(Lang::De));
}

#[test]
fn a_stored_language_wins_while_configured() {
    let l = langs(&["en", "fr"]);
    let detect = || Detected::Text(Lang::En);
    assert_eq!(of_application(Some("fr"), &l, detect), Lang::Fr);
    assert_eq!(of_application(None, &l, detect), Lang::En);
    // No longer configured, or not a code at all: this mail decides.
    assert_eq!(of_application(Some("de"), &l, detect), Lang::En);
    assert_eq!(of_application(Some("xx"), &l, detect), Lang::En);
}

#[test]
fn every_language_has_its_own_words() {
    let mut seen = std::collections::HashSet::new();
    for l in Lang::ALL {
        let w = l.words();
        for s in [w.required, w.choice, w.choices, w.yesno, w.number, w.answer] {
            assert!(seen.insert(s), "{s} twice");
        }
        assert_eq!(Lang::from_code(l.code()), Some(l));
        assert_eq!(Lang::from_tag(&l.code().to_uppercase()), Some(l));
    }
}
