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
fn a_stored_language_is_kept_or_switched() {
    let l = langs(&["en", "fr", "de"]);
    let fr = "Bonjour, je préfère recevoir vos messages en français, s'il vous plaît. Merci !";
    let en = "Thank you, I would rather read your mails in English from now on, please.";
    let answers_fr = "1. Marie Curie\n2. Europe\n3. anglais, français\n4. oui";
    let thanks_fr = "Merci beaucoup, bonne journée";
    let short_de = "Danke, bitte schreiben Sie mir auf Deutsch.";
    use Detected::*;
    use Settled::*;
    // (stored, vouched, Content-Language, own text, what is settled)
    type Row<'a> = (Option<&'a str>, bool, Option<&'a str>, &'a str, Settled);
    let table: [Row<'_>; 15] = [
        // No language yet: this mail's, stored, replying to ours or not.
        (None, false, None, fr, Store(Text(Lang::Fr))),
        (None, true, None, "Hi", Store(Default(Lang::En))),
        (None, false, Some("de-AT"), en, Store(Header(Lang::De))),
        // One no longer configured (or no code): as a first mail.
        (Some("es"), true, None, fr, Store(Text(Lang::Fr))),
        (Some("xx"), false, None, "Hi", Store(Default(Lang::En))),
        // A short first mail got English; writing French switches.
        (Some("en"), true, None, fr, Store(Text(Lang::Fr))),
        // Only in a mail that replies to one of ours: a stranger cannot.
        (Some("en"), false, None, fr, Keep(Lang::En)),
        (Some("en"), false, Some("fr"), fr, Keep(Lang::En)),
        // A header naming another configured language switches; one
        // naming the stored language keeps it, whatever the text.
        (Some("fr"), true, Some("de-DE"), fr, Store(Header(Lang::De))),
        (Some("fr"), true, Some("fr-FR"), en, Keep(Lang::Fr)),
        // A header naming no configured language: the text decides.
        (Some("fr"), true, Some("it"), en, Store(Text(Lang::En))),
        // Too little to go by: bare answers, a thank-you.
        (Some("en"), true, None, answers_fr, Keep(Lang::En)),
        (Some("en"), true, None, thanks_fr, Keep(Lang::En)),
        // One clear sentence is enough.
        (Some("fr"), true, None, short_de, Store(Text(Lang::De))),
        // The same language: nothing to store.
        (Some("fr"), true, None, fr, Keep(Lang::Fr)),
    ];
    for (stored, vouched, header, own, want) in table {
        assert_eq!(
            settle(stored, vouched, header, own, &l),
            want,
            "{stored:?} {vouched} {header:?} {own:?}"
        );
    }
    // One language configured: nothing ever switches.
    let one = langs(&["de"]);
    assert_eq!(settle(Some("de"), true, None, fr, &one), Keep(Lang::De));
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
