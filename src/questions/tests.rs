use super::*;

mod rules;

#[test]
fn answers_as_people_write_them() {
    let yn = q(Kind::Yesno, &[]);
    for v in ["Yes, easily", "Ναι", "Có", "نعم", "हाँ", "Այո", "ได้ครับ"]
    {
        assert_eq!(yn.validate(v).as_deref(), Ok("yes"), "{v}");
    }
    let n = q(Kind::Number, &[]);
    for (v, want) in [
        ("about 6", "6"),
        ("6 hours", "6"),
        ("6,5", "6.5"),
        ("٦", "6"),
        ("6-8", "6-8"),
    ] {
        assert_eq!(n.validate(v).as_deref(), Ok(want), "{v}");
    }
    let url = q(Kind::Url, &[]);
    for v in ["6", "s.o.", "n/a"] {
        assert!(url.validate(v).is_err(), "{v}");
    }
    assert!(url.validate("example.org/ada").is_ok());
}

fn q(kind: Kind, choices: &[&str]) -> Question {
    Question {
        id: "x".into(),
        prompt: "X?".into(),
        kind,
        choices: choices.iter().map(|s| s.to_string()).collect(),
        required: true,
        ..Question::default()
    }
}

const REGIONS: &[&str] = &[
    "Africa",
    "Asia",
    "Europe",
    "Latin America",
    "North America",
    "Oceania",
];

#[test]
fn choice_matches_case_prefix_letter_number() {
    let q = q(Kind::Choice, REGIONS);
    assert_eq!(q.validate("europe").as_deref(), Ok("Europe"));
    assert_eq!(q.validate("  EUROPE. ").as_deref(), Ok("Europe"));
    assert_eq!(q.validate("north am").as_deref(), Ok("North America"));
    assert_eq!(q.validate("c").as_deref(), Ok("Europe"));
    assert_eq!(q.validate("C)").as_deref(), Ok("Europe"));
    assert_eq!(q.validate("3").as_deref(), Ok("Europe"));
    assert_eq!(q.validate("c) Europe").as_deref(), Ok("Europe"));
    assert!(q.validate("A").is_ok_and(|v| v == "Africa"));
    assert!(q.validate("Antarctica").is_err());
    // "A" alone is the letter; "A..." longer prefixes must be unique.
    assert!(q.validate("Am").is_err());
}

#[test]
fn ambiguous_prefix_is_invalid_with_reason() {
    let q = q(Kind::Choice, &["North America", "North Africa"]);
    let e = q.validate("north").expect_err("ambiguous");
    assert!(e.words(1).contains("more than one"), "{e:?}");
}

#[test]
fn accents_are_ignored() {
    let q = q(Kind::Choice, &["Amérique latine", "Europe"]);
    assert_eq!(
        q.validate("amerique latine").as_deref(),
        Ok("Amérique latine")
    );
}

#[test]
fn several_choices() {
    let q = q(Kind::Choices, &["English", "French", "Spanish", "German"]);
    assert_eq!(
        q.validate("english, french and spanish").as_deref(),
        Ok("English, French, Spanish")
    );
    assert_eq!(q.validate("a; b").as_deref(), Ok("English, French"));
    assert!(q.validate("english, klingon").is_err());
}

#[test]
fn yes_no_email_url_number() {
    assert_eq!(q(Kind::Yesno, &[]).validate("Y").as_deref(), Ok("yes"));
    assert_eq!(q(Kind::Yesno, &[]).validate("nein").as_deref(), Ok("no"));
    assert!(q(Kind::Yesno, &[]).validate("maybe").is_err());
    assert_eq!(
        q(Kind::Email, &[]).validate("<ada@example.net>").as_deref(),
        Ok("ada@example.net")
    );
    assert!(q(Kind::Email, &[]).validate("ada at example").is_err());
    assert_eq!(
        q(Kind::Email, &[])
            .validate("ada@example.net <mailto:ada@example.net>")
            .as_deref(),
        Ok("ada@example.net")
    );
    assert!(q(Kind::Url, &[]).validate("example.org/me").is_ok());
    assert!(q(Kind::Url, &[]).validate("not a url").is_err());
    assert_eq!(q(Kind::Number, &[]).validate(" 10 ").as_deref(), Ok("10"));
    assert!(q(Kind::Number, &[]).validate("ten").is_err());
}

#[test]
fn overlong_answers_are_refused_with_the_limit() {
    let e = q(Kind::Paragraph, &[])
        .validate(&"word ".repeat(5_000))
        .expect_err("too long");
    assert!(e.words(1).contains("at most 20000"), "{e:?}");
    assert!(
        q(Kind::Paragraph, &[])
            .validate(&"word ".repeat(3_000))
            .is_ok()
    );
    assert!(q(Kind::Text, &[]).validate(&"x".repeat(2_001)).is_err());
}

#[test]
fn text_collapses_whitespace_paragraph_keeps_lines() {
    assert_eq!(
        q(Kind::Text, &[]).validate(" Ada \n Lovelace ").as_deref(),
        Ok("Ada Lovelace")
    );
    assert_eq!(
        q(Kind::Paragraph, &[]).validate("one\n\ntwo").as_deref(),
        Ok("one\n\ntwo")
    );
    assert!(q(Kind::Text, &[]).validate("   ").is_err());
}

#[test]
fn questions_file_errors_name_key() {
    let p = Path::new("/x/questions.toml");
    let e = QuestionSet::parse("[[question]]\nid = \"a b\"\nprompt = \"P\"\n", p)
        .expect_err("bad id")
        .to_string();
    assert!(
        e.contains("question[0].id") && e.contains("questions.toml"),
        "{e}"
    );
    let e = QuestionSet::parse(
        "[[question]]\nid = \"a\"\nprompt = \"P\"\nkind = \"choice\"\n",
        p,
    )
    .expect_err("no choices")
    .to_string();
    assert!(e.contains("question[0].choices"), "{e}");
    let e = QuestionSet::parse(
        "[[question]]\nid = \"a\"\nprompt = \"P\"\nkind = \"colour\"\n",
        p,
    )
    .expect_err("bad kind")
    .to_string();
    assert!(e.contains("colour"), "{e}");
}

#[test]
#[allow(clippy::unwrap_used)]
fn file_questions_take_types_and_a_size_and_refuse_them_elsewhere() {
    let file = std::path::Path::new("questions.toml");
    let parse = |extra: &str| {
        QuestionSet::parse(
            &format!(
                "[[question]]\nid = \"name\"\nprompt = \"Name\"\n\n[[question]]\nid = \"cv\"\nprompt = \"CV\"\n{extra}\n"
            ),
            file,
        )
    };
    let set = parse("kind = \"file\"\ntypes = [\"pdf\", \"txt\"]\nmax_size = \"2 MiB\"").unwrap();
    let cv = set.by_id("cv").unwrap();
    use crate::files::FileType;
    assert_eq!(cv.file_types(), vec![FileType::Pdf, FileType::Txt]);
    assert_eq!(cv.max_file_bytes(), 2 * 1024 * 1024);
    // Defaults: all four types, 5 MB.
    let cv = parse("kind = \"file\"").unwrap();
    let cv = cv.by_id("cv").unwrap();
    assert_eq!(cv.file_types(), FileType::ALL.to_vec());
    assert_eq!(cv.max_file_bytes(), 5_000_000);

    let err = |extra: &str| parse(extra).unwrap_err().to_string();
    assert_eq!(
        err("kind = \"file\"\nmax_size = \"5 TB\""),
        "questions.toml: key `question[1].max_size`: question 2 (id `cv`): `5 TB`: unknown unit `TB`; use B, KB (1000 bytes), MB, GB, KiB (1024 bytes), MiB or GiB"
    );
    assert_eq!(
        err("types = [\"pdf\"]"),
        "questions.toml: key `question[1].types`: question 2 (id `cv`): only kind = \"file\" takes types"
    );
    assert_eq!(
        err("max_size = \"1MB\""),
        "questions.toml: key `question[1].max_size`: question 2 (id `cv`): only kind = \"file\" takes max_size"
    );
    let unknown = err("kind = \"file\"\ntypes = [\"png\"]");
    assert!(
        unknown.starts_with("questions.toml: ")
            && unknown.contains("unknown variant `png`")
            && unknown.contains("`pdf`, `odt`, `docx`, `txt`"),
        "{unknown}"
    );
}

mod languages {
    use super::*;
    use crate::lang::{Lang, Languages};

    fn langs(codes: &[&str]) -> Languages {
        Languages::from_codes(codes).expect("languages")
    }

    const REGION: &str = r#"
[[question]]
id = "name"
prompt.en = "What is your name?"
prompt.fr = "Quel est votre nom ?"
required = true

[[question]]
id = "region"
prompt = { en = "Which region do you live in?", fr = "Dans quelle région vivez-vous ?" }
kind = "choice"
choices.en = ["Africa", "Europe", "Latin America"]
choices.fr = ["Afrique", "Europe", "Amérique latine"]
help.en = "Where you live most of the year."
help.fr = "Là où vous vivez la plus grande partie de l'année."
"#;

    #[test]
    fn dotted_keys_hold_each_language() {
        let set = QuestionSet::parse_for(REGION, Path::new("q.toml"), &langs(&["en", "fr"]))
            .expect("parses");
        let q = set.by_id("region").expect("region");
        assert_eq!(q.prompt, "Which region do you live in?");
        assert_eq!(q.choices, ["Africa", "Europe", "Latin America"]);
        assert_eq!(q.prompt_in(Lang::Fr), "Dans quelle région vivez-vous ?");
        assert_eq!(q.choices_in(Lang::Fr)[2], "Amérique latine");
        assert_eq!(
            q.help_in(Lang::Fr),
            Some("Là où vous vivez la plus grande partie de l'année.")
        );
        // A language not configured reads the default.
        assert_eq!(q.prompt_in(Lang::De), q.prompt);
        // French first: the plain fields hold French.
        let fr_first = QuestionSet::parse_for(REGION, Path::new("q.toml"), &langs(&["fr", "en"]))
            .expect("parses");
        let q = fr_first.by_id("region").expect("region");
        assert_eq!(q.prompt, "Dans quelle région vivez-vous ?");
        assert_eq!(q.prompt_in(Lang::En), "Which region do you live in?");
        assert_eq!(fr_first.languages().default_lang(), Lang::Fr);
    }

    #[test]
    fn a_stored_answer_is_shown_in_the_applicants_language() {
        let text = format!(
            "{REGION}\n[[question]]\nid = \"langs\"\nprompt = {{ en = \"Languages?\", fr = \"Langues ?\" }}\n\
             kind = \"choices\"\nchoices.en = [\"English\", \"French\", \"Spanish\"]\n\
             choices.fr = [\"anglais\", \"français\", \"espagnol\"]\n\n\
             [[question]]\nid = \"time\"\nprompt = {{ en = \"Time?\", fr = \"Temps ?\" }}\nkind = \"yesno\"\n"
        );
        let set = QuestionSet::parse_for(&text, Path::new("q.toml"), &langs(&["en", "fr"]))
            .expect("parses");
        let q = |id| set.by_id(id).expect(id);
        assert_eq!(
            q("region").shown_in("Latin America", Lang::Fr),
            "Amérique latine"
        );
        assert_eq!(
            q("region").shown_in("Latin America", Lang::En),
            "Latin America"
        );
        assert_eq!(
            q("langs").shown_in("English, Spanish", Lang::Fr),
            "anglais, espagnol"
        );
        assert_eq!(q("time").shown_in("yes", Lang::Fr), "oui");
        assert_eq!(q("time").shown_in("no", Lang::De), "nein");
        // Not (wholly) a choice of today's list: as stored.
        assert_eq!(q("region").shown_in("Mars", Lang::Fr), "Mars");
        assert_eq!(
            q("langs").shown_in("English, Klingon", Lang::Fr),
            "English, Klingon"
        );
        assert_eq!(q("name").shown_in("Marie", Lang::Fr), "Marie");
    }

    #[test]
    fn a_plain_string_is_the_default_language() {
        let text = "[[question]]\nid = \"a\"\nprompt = \"Name?\"\n";
        let set = QuestionSet::parse_for(text, Path::new("q.toml"), &langs(&["en"])).expect("en");
        assert_eq!(set.by_id("a").expect("a").prompt_in(Lang::Fr), "Name?");
        // The same file with French configured lacks its French prompt.
        let e = QuestionSet::parse_for(text, Path::new("q.toml"), &langs(&["en", "fr"]))
            .expect_err("missing fr")
            .to_string();
        assert!(
            e.contains("q.toml") && e.contains("question[0].prompt.fr") && e.contains("`a`"),
            "{e}"
        );
    }

    #[test]
    fn missing_or_mismatched_translations_are_refused() {
        let p = Path::new("/etc/q.toml");
        let l = langs(&["en", "fr", "es"]);
        // Spanish is configured and the file has none.
        let e = QuestionSet::parse_for(REGION, p, &l)
            .expect_err("no es")
            .to_string();
        assert!(
            e.contains("/etc/q.toml") && e.contains("prompt.es") && e.contains("`name`"),
            "{e}"
        );
        for (text, key) in [
            (
                REGION.replace(
                    r#"choices.fr = ["Afrique", "Europe", "Amérique latine"]"#,
                    r#"choices.fr = ["Afrique", "Europe"]"#,
                ),
                "question[1].choices.fr",
            ),
            (
                REGION.replace(
                    r#"choices.fr = ["Afrique", "Europe", "Amérique latine"]"#,
                    "",
                ),
                "question[1].choices.fr",
            ),
            (
                REGION.replace(
                    r#"help.fr = "Là où vous vivez la plus grande partie de l'année.""#,
                    "",
                ),
                "question[1].help.fr",
            ),
            (
                REGION.replace("prompt.en =", "prompt.xx ="),
                "question[0].prompt.xx",
            ),
            (
                REGION.replace("prompt.en =", "prompt.es ="),
                "question[0].prompt.es",
            ),
            (
                REGION.replace(r#"{ en = "Which region do you live in?", "#, "{ "),
                "question[1].prompt.en",
            ),
        ] {
            let e = QuestionSet::parse_for(&text, p, &langs(&["en", "fr"]))
                .expect_err(key)
                .to_string();
            // Every refusal names the question by number and id too.
            let named = ["question 1 (id `name`): ", "question 2 (id `region`): "];
            assert!(
                e.contains("/etc/q.toml") && e.contains(key) && named.iter().any(|n| e.contains(n)),
                "{key}: {e}"
            );
        }
    }

    /// A translated list is held to what the default one is: no empty
    /// entry, no two the same ignoring case and accents; and no entry may
    /// be spelt like another choice in another language, since answers
    /// are matched in every language at once.
    #[test]
    fn translated_choice_lists_are_refused_with_empty_or_clashing_entries() {
        let p = Path::new("/etc/q.toml");
        let fr = |list: &str| {
            REGION.replace(
                r#"choices.fr = ["Afrique", "Europe", "Amérique latine"]"#,
                &format!("choices.fr = {list}"),
            )
        };
        for (list, words) in [
            (r#"["Afrique", "", "Amérique latine"]"#, "choice 2 is empty"),
            (
                r#"["Afrique", "  ", "Amérique latine"]"#,
                "choice 2 is empty",
            ),
            (
                r#"["Afrique", "Europe", "EUROPE"]"#,
                "`Europe` and `EUROPE` are the same choice (case and accents are ignored)",
            ),
            (
                r#"["Amérique", "Europe", "Amerique"]"#,
                "`Amérique` and `Amerique` are the same choice",
            ),
            (
                r#"["Afrique", "Latin America", "Europe"]"#,
                "`Latin America` is choice 2 here but `Latin America` is choice 3 in `en`",
            ),
        ] {
            let e = QuestionSet::parse_for(&fr(list), p, &langs(&["en", "fr"]))
                .expect_err(list)
                .to_string();
            let want = "/etc/q.toml: key `question[1].choices.fr`: question 2 (id `region`): ";
            assert!(e.starts_with(want), "{list}: {e}");
            assert!(e.contains(words), "{list}: {e}");
        }
        // Between two translations, the clash is named at the later one.
        let three = |es: &str| {
            format!(
                "[[question]]\nid = \"region\"\nkind = \"choice\"\n\
                 prompt = {{ en = \"Region?\", fr = \"Région ?\", es = \"¿Región?\" }}\n\
                 choices.en = [\"Africa\", \"Europe\"]\n\
                 choices.fr = [\"Afrique\", \"Europe\"]\n\
                 choices.es = {es}\n"
            )
        };
        let l = langs(&["en", "fr", "es"]);
        let same_place = QuestionSet::parse_for(&three(r#"["África", "Europa"]"#), p, &l);
        assert!(
            same_place.is_ok(),
            "the same word at the same place is one choice: {same_place:?}"
        );
        let e = QuestionSet::parse_for(&three(r#"["Europa", "Afrique"]"#), p, &l)
            .expect_err("Afrique for Europe")
            .to_string();
        assert!(
            e.contains("key `question[0].choices.es`")
                && e.contains("`Afrique` is choice 2 here but `Afrique` is choice 1 in `fr`"),
            "{e}"
        );
    }

    /// `when` values in any configured language, resolved to the
    /// canonical choice (the default language's) or `yes` / `no`; yes
    /// and no in English and in each configured language's words.
    #[test]
    fn a_when_value_is_taken_in_any_configured_language() {
        let p = Path::new("/etc/q.toml");
        let file = |member: &str| {
            format!(
                "{REGION}\n[[question]]\nid = \"member\"\nprompt.en = \"Member?\"\n\
                 prompt.fr = \"Membre ?\"\nkind = \"yesno\"\n\n\
                 [[question]]\nid = \"visa\"\nprompt.en = \"Visa?\"\nprompt.fr = \"Visa ?\"\n\
                 when = {{ region = [\"Amérique latine\", \"africa\"], member = \"{member}\" }}\n"
            )
        };
        let terms = |set: &QuestionSet| {
            set.by_id("visa")
                .and_then(Question::condition)
                .map(|c| {
                    c.terms
                        .iter()
                        .map(|t| (t.question.clone(), t.values.clone()))
                        .collect::<Vec<_>>()
                })
                .expect("a condition")
        };
        // (languages, the yes/no word written, the values resolved)
        for (codes, member, region, yes_no) in [
            (&["en", "fr"][..], "OUI", ["Latin America", "Africa"], "yes"),
            (&["en", "fr"], "yes", ["Latin America", "Africa"], "yes"),
            (&["fr", "en"], "oui", ["Amérique latine", "Afrique"], "yes"),
            (&["fr", "en"], "No", ["Amérique latine", "Afrique"], "no"),
            (&["fr", "en"], "non", ["Amérique latine", "Afrique"], "no"),
        ] {
            let set = QuestionSet::parse_for(&file(member), p, &langs(codes))
                .unwrap_or_else(|e| panic!("{codes:?} {member}: {e}"));
            assert_eq!(
                terms(&set),
                [
                    ("region".to_string(), region.map(String::from).to_vec()),
                    ("member".to_string(), vec![yes_no.to_string()]),
                ],
                "{codes:?} {member}"
            );
        }
        // The condition holds on the stored (canonical) answers.
        let set = QuestionSet::parse_for(&file("oui"), p, &langs(&["en", "fr"])).expect("parses");
        let chosen: std::collections::BTreeMap<String, Vec<String>> = [
            ("region".to_string(), vec!["Latin America".to_string()]),
            ("member".to_string(), vec!["yes".to_string()]),
        ]
        .into();
        assert!(
            set.by_id("visa")
                .and_then(Question::condition)
                .is_some_and(|c| c.holds(&chosen))
        );
        // German words only where German is configured; the error lists
        // the words taken.
        let e = QuestionSet::parse_for(&file("ja"), p, &langs(&["en", "fr"]))
            .expect_err("ja without de")
            .to_string();
        assert!(
            e.contains("key `question[3].when.member`")
                && e.contains(
                    "`ja`: a yesno question is answered yes or no (`yes`, `no`, `oui`, `non`)"
                ),
            "{e}"
        );
        let e = QuestionSet::parse_for(
            &file("oui").replace("africa", "Afrika"),
            p,
            &langs(&["en", "fr"]),
        )
        .expect_err("Afrika")
        .to_string();
        assert!(
            e.contains("`Afrika` is not one of the choices of `region` (question 2)"),
            "{e}"
        );
    }

    #[test]
    fn a_choice_in_any_language_is_stored_as_the_canonical_one() {
        let set = QuestionSet::parse_for(REGION, Path::new("q.toml"), &langs(&["en", "fr"]))
            .expect("parses");
        let q = set.by_id("region").expect("region");
        for (given, want) in [
            ("Amérique latine", "Latin America"),
            ("amerique latine", "Latin America"),
            ("Afrique", "Africa"),
            ("afri", "Africa"),
            ("Latin America", "Latin America"),
            ("c) Amérique latine", "Latin America"),
            ("b", "Europe"),
            ("Europe", "Europe"),
        ] {
            assert_eq!(q.validate(given).as_deref(), Ok(want), "{given}");
        }
        assert!(q.validate("Asie").is_err());
    }
}
