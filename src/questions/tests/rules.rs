//! Rules, conditions and the checks of the questions file, table-tested.

use std::collections::BTreeMap;

use super::super::*;
use crate::lang::{Lang, Languages};

fn set(toml: &str) -> QuestionSet {
    QuestionSet::parse(toml, Path::new("/etc/mailintake/questions.toml"))
        .unwrap_or_else(|e| panic!("{e}\n{toml}"))
}

/// The one question of a file holding `fields`.
fn one(fields: &str) -> Question {
    let s = set(&format!(
        "[[question]]\nid = \"x\"\nprompt = \"X?\"\n{fields}\n"
    ));
    s.by_id("x").cloned().expect("question x")
}

#[test]
fn each_rule_kind_refuses_and_accepts() {
    // (the question's keys, an answer that fails, its reason for question 1,
    // an answer that passes, the value stored)
    let table: &[(&str, &str, &str, &str, &str)] = &[
        (
            "min_length = 50",
            "Because I like it.",
            "Your answer to 1 has 18 characters; at least 50 are needed.",
            "Because I like working with people in many places.",
            "Because I like working with people in many places.",
        ),
        (
            "max_length = 5",
            "Lovelace",
            "Your answer to 1 has 8 characters; at most 5 are taken.",
            "Ada",
            "Ada",
        ),
        (
            // Counted as a person counts: "é" as e + accent, and a flag,
            // are one character each.
            "max_length = 3",
            "ab\u{1F1EB}\u{1F1F7}c",
            "Your answer to 1 has 4 characters; at most 3 are taken.",
            "e\u{301}\u{1F1EB}\u{1F1F7}x",
            "e\u{301}\u{1F1EB}\u{1F1F7}x",
        ),
        (
            // Anchored: a match inside the answer is not enough.
            "pattern = '[0-9]{5}'",
            "12345 Berlin",
            "Your answer to 1 is not in the form the question asks for (see the note under it).",
            "10115",
            "10115",
        ),
        (
            "kind = \"number\"\nmin = 1\nmax = 40",
            "60 hours",
            "Your answer to 1 is 60; the largest number taken is 40.",
            "about 6",
            "6",
        ),
        (
            "kind = \"number\"\nmin = 2.5",
            "1-4",
            "Your answer to 1 is 1; the smallest number taken is 2.5.",
            "3-4",
            "3-4",
        ),
        (
            "kind = \"choices\"\nchoices = [\"English\", \"French\", \"German\"]\nmin_choices = 2",
            "English",
            "Your answer to 1 has 1 choice; at least 2 are needed.",
            "english and german",
            "English, German",
        ),
        (
            "kind = \"choices\"\nchoices = [\"English\", \"French\", \"German\"]\nmax_choices = 2",
            "a, b, c",
            "Your answer to 1 has 3 choices; at most 2 are taken.",
            "French",
            "French",
        ),
        (
            "kind = \"email\"\npattern = '.*@example\\.edu'",
            "ada@example.net",
            "Your answer to 1 is not in the form the question asks for (see the note under it).",
            "<ada@example.edu>",
            "ada@example.edu",
        ),
    ];
    for (fields, bad, why, good, stored) in table {
        let q = one(fields);
        let e = q.validate(bad).expect_err(fields);
        assert_eq!(e.words(1), *why, "{fields}");
        // Stored as given, with why.
        let taken = q.take(bad).expect("storable");
        assert_eq!(taken.value, bad.trim(), "{fields}");
        assert_eq!(taken.failing, Some(e), "{fields}");
        assert_eq!(q.validate(good).as_deref(), Ok(*stored), "{fields}");
        // What is stored passes again unchanged: a stored answer can be
        // checked anew against today's questions.
        assert_eq!(q.validate(stored).as_deref(), Ok(*stored), "{fields}");
        assert_eq!(
            q.take(good).expect("storable"),
            Taken {
                value: stored.to_string(),
                failing: None
            }
        );
    }
}

#[test]
fn empty_and_overlong_answers_are_never_stored() {
    let q = one("min_length = 3");
    assert!(q.take("   ").is_err());
    assert!(q.take(&"x".repeat(2_001)).is_err());
}

#[test]
fn stored_answers_check_again_the_same() {
    // Choices holding commas or "and" read back as stored.
    let q = one(
        "kind = \"choices\"\nchoices = [\"Research and development\", \"Yes, sometimes\", \"Europe\"]",
    );
    let v = q
        .validate("Yes, sometimes, Research and development")
        .expect("list");
    assert_eq!(v, "Yes, sometimes, Research and development");
    assert_eq!(q.validate(&v).as_deref(), Ok(v.as_str()));
    assert_eq!(q.chosen(&v), ["Yes, sometimes", "Research and development"]);
    for (fields, answer) in [
        ("kind = \"url\"", "example.org/ada"),
        ("kind = \"email\"", "Ada <ada@example.net>"),
        ("kind = \"yesno\"", "Yes, sure"),
        ("kind = \"number\"", "6,5 hours"),
        ("", "  Ada \n Lovelace "),
        ("kind = \"paragraph\"", "one\n\ntwo"),
    ] {
        let q = one(fields);
        let v = q.validate(answer).expect(answer);
        assert_eq!(q.validate(&v).as_deref(), Ok(v.as_str()), "{fields}");
    }
}

/// A broken file's error, as `check` and the start print it.
fn refused(toml: &str) -> String {
    QuestionSet::parse(toml, Path::new("/etc/mailintake/questions.toml"))
        .expect_err(toml)
        .to_string()
}

#[test]
fn a_broken_rule_is_refused_naming_file_id_number_and_key() {
    const HEAD: &str = "[[question]]\nid = \"name\"\nprompt = \"Name?\"\n\
        [[question]]\nid = \"region\"\nprompt = \"Region?\"\nkind = \"choice\"\nchoices = [\"Europe\", \"Asia\"]\n";
    // (the third question's keys, the key named, words of the reason)
    let table: &[(&str, &str, &str)] = &[
        (
            "pattern = '[a-z'",
            "pattern",
            "not a valid regular expression",
        ),
        (
            "min_length = 10\nmax_length = 5",
            "min_length",
            "greater than max_length",
        ),
        ("max_length = 0", "max_length", "at least 1"),
        ("max_length = 5000", "max_length", "longest answer taken"),
        // No answer could meet it: a text answer is at most 2000.
        ("min_length = 5000", "min_length", "longest answer taken"),
        (
            "kind = \"number\"\nmin = 10\nmax = 5",
            "min",
            "min = 10 is greater than max = 5",
        ),
        ("kind = \"number\"\nmax = nan", "max", "finite"),
        (
            "kind = \"choices\"\nchoices = [\"a\", \"b\", \"c\"]\nmin_choices = 3\nmax_choices = 2",
            "min_choices",
            "greater than max_choices",
        ),
        (
            "kind = \"choices\"\nchoices = [\"a\", \"b\"]\nmin_choices = 3",
            "min_choices",
            "more than the 2 choices",
        ),
        (
            "kind = \"choices\"\nchoices = [\"a\", \"b\"]\nmax_choices = 0",
            "max_choices",
            "at least 1",
        ),
        ("min_choices = 1", "min_choices", "only kind = \"choices\""),
        (
            "kind = \"number\"\nmin_length = 1",
            "min_length",
            "kind = \"number\"",
        ),
        ("min = 1", "min", "only kind = \"number\""),
        (
            "kind = \"yesno\"\npattern = 'y.*'",
            "pattern",
            "this one is kind = \"yesno\"",
        ),
        (
            "choices = [\"a\"]",
            "choices",
            "this one is kind = \"text\"",
        ),
        (
            "kind = \"choice\"\nchoices = [\"Europe\", \"Asia\", \"EUROPE\"]",
            "choices",
            "`Europe` and `EUROPE` are the same choice",
        ),
        (
            "kind = \"choice\"\nchoices = [\"Amérique\", \"Amerique\"]",
            "choices",
            "same choice",
        ),
        (
            "kind = \"choice\"\nchoices = [\"a\", \" \"]",
            "choices",
            "must not be empty",
        ),
        (
            "when = { nobody = \"x\" }",
            "when.nobody",
            "not the id of any question",
        ),
        (
            "when = { region = \"Mars\" }",
            "when.region",
            "`Mars` is not one of the choices of `region` (question 2)",
        ),
        ("when = { name = \"Ada\" }", "when.name", "a text question"),
        (
            "when = { third = \"x\" }",
            "when.third",
            "is question 3: a condition may only name a question before this one",
        ),
        ("when = { region = [] }", "when.region", "lists no value"),
        ("when = {}", "when", "names no question"),
    ];
    for (fields, key, words) in table {
        let e = refused(&format!(
            "{HEAD}[[question]]\nid = \"third\"\nprompt = \"Third?\"\n{fields}\n"
        ));
        assert!(
            e.starts_with(&format!(
                "/etc/mailintake/questions.toml: key `question[2].{key}`: question 3 (id `third`): "
            )),
            "{fields}: {e}"
        );
        assert!(e.contains(words), "{fields}: {e}");
    }
    // A yes/no condition names yes or no.
    let e = refused(
        "[[question]]\nid = \"member\"\nprompt = \"Member?\"\nkind = \"yesno\"\n\
         [[question]]\nid = \"since\"\nprompt = \"Since?\"\nwhen = { member = \"maybe\" }\n",
    );
    assert!(
        e.contains("key `question[1].when.member`: question 2 (id `since`): `maybe`: a yesno question is answered yes or no"),
        "{e}"
    );
    // A duplicate id names both numbers.
    let e = refused(&format!(
        "{HEAD}[[question]]\nid = \"name\"\nprompt = \"Again?\"\n"
    ));
    assert!(
        e.contains(
            "key `question[2].id`: question 3 (id `name`): is used twice: question 1 has it too"
        ),
        "{e}"
    );
}

#[test]
fn past_26_choices_numbers_replace_letters() {
    let countries: Vec<String> = (1..=40).map(|i| format!("Country {i:02}")).collect();
    let mut countries = countries;
    countries[29] = "Germany".into();
    countries[30] = "Ghana".into();
    let list = countries
        .iter()
        .map(|c| format!("\"{c}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let q = one(&format!("kind = \"choice\"\nchoices = [{list}]"));
    assert!(q.numbers_choices());
    assert_eq!(choice_mark(&q, 29), "[30]");
    for (answer, want) in [
        ("Germany", Ok("Germany")),
        ("germ", Ok("Germany")),
        ("30", Ok("Germany")),
        ("[30]", Ok("Germany")),
        ("[30] Germany", Ok("Germany")),
        ("31) Ghana", Ok("Ghana")),
        ("g", Err(())),
        // A letter is no choice when the mail shows numbers.
        ("c", Err(())),
        ("41", Err(())),
    ] {
        assert_eq!(
            q.validate(answer).as_deref().map_err(|_| ()),
            want,
            "{answer}"
        );
    }
    let few = one("kind = \"choice\"\nchoices = [\"Europe\", \"Asia\"]");
    assert!(!few.numbers_choices());
    assert_eq!(choice_mark(&few, 1), "b)");
    assert_eq!(few.validate("b").as_deref(), Ok("Asia"));
}

fn chosen(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
        .collect()
}

/// (the conditional question, the chosen values, whether it applies)
type Row = (
    &'static str,
    &'static [(&'static str, &'static [&'static str])],
    bool,
);

#[test]
fn each_condition_form_holds_or_not() {
    let s = set(r#"
[[question]]
id = "region"
prompt = "Region?"
kind = "choice"
choices = ["Europe", "Africa", "Asia"]

[[question]]
id = "langs"
prompt = "Languages?"
kind = "choices"
choices = ["English", "Français"]

[[question]]
id = "member"
prompt = "Member?"
kind = "yesno"

[[question]]
id = "list"
prompt = "Visa?"
when = { region = ["europe", "AFRICA"] }

[[question]]
id = "single"
prompt = "Since when?"
when = { member = "Yes" }

[[question]]
id = "accent"
prompt = "Which French region?"
when = { langs = "francais" }

[[question]]
id = "both"
prompt = "Both?"
when = { member = "no", region = "Asia" }
"#);
    let cond = |id: &str| s.by_id(id).and_then(|q| q.condition()).expect(id).clone();
    // Values as listed in the file, whatever spelling the `when` used.
    assert_eq!(cond("list").terms[0].values, ["Europe", "Africa"]);
    assert_eq!(cond("single").terms[0].values, ["yes"]);
    assert_eq!(cond("accent").terms[0].values, ["Français"]);
    let table: &[Row] = &[
        ("list", &[("region", &["Europe"])], true),
        ("list", &[("region", &["Africa"])], true),
        ("list", &[("region", &["Asia"])], false),
        ("list", &[], false),
        ("single", &[("member", &["yes"])], true),
        ("single", &[("member", &["no"])], false),
        ("accent", &[("langs", &["English", "Français"])], true),
        ("accent", &[("langs", &["English"])], false),
        ("both", &[("member", &["no"]), ("region", &["Asia"])], true),
        (
            "both",
            &[("member", &["no"]), ("region", &["Europe"])],
            false,
        ),
        ("both", &[("member", &["no"])], false),
    ];
    for (id, answers, holds) in table {
        assert_eq!(cond(id).holds(&chosen(answers)), *holds, "{id} {answers:?}");
    }
    assert_eq!(
        s.condition_words(s.by_id("list").expect("list"), Lang::En)
            .as_deref(),
        Some("Answer only if you answered Europe or Africa to 1.")
    );
    assert_eq!(
        s.condition_words(s.by_id("both").expect("both"), Lang::En)
            .as_deref(),
        Some("Answer only if you answered Asia to 1 and no to 3.")
    );
    assert_eq!(
        s.condition_words(s.by_id("region").expect("region"), Lang::En),
        None
    );
}

#[test]
fn rules_are_shown_under_the_prompt() {
    assert_eq!(
        rules::hints(one("min_length = 50").rules(), Lang::En),
        ["At least 50 characters."]
    );
    assert_eq!(
        rules::hints(
            one("kind = \"number\"\nmin = 1\nmax = 40").rules(),
            Lang::En
        ),
        ["From 1 to 40."]
    );
    assert_eq!(
        rules::hints(
            one("kind = \"choices\"\nchoices = [\"a\", \"b\", \"c\"]\nmax_choices = 2").rules(),
            Lang::En
        ),
        ["At most 2 choices."]
    );
    assert!(rules::hints(one("pattern = '[0-9]+'").rules(), Lang::En).is_empty());
}

/// The rule hints in each language's own words, the unit after the last
/// number.
#[test]
fn rules_are_shown_in_each_language() {
    let table: &[(&str, Lang, &str)] = &[
        ("min_length = 50", Lang::Fr, "Au moins 50 caractères."),
        ("min_length = 50", Lang::Es, "Al menos 50 caracteres."),
        ("min_length = 50", Lang::De, "Mindestens 50 Zeichen."),
        ("max_length = 40", Lang::Fr, "Au plus 40 caractères."),
        (
            "min_length = 5\nmax_length = 40",
            Lang::De,
            "Von 5 bis 40 Zeichen.",
        ),
        (
            "kind = \"number\"\nmin = 1\nmax = 40",
            Lang::Fr,
            "De 1 à 40.",
        ),
        (
            "kind = \"number\"\nmin = 3\nmax = 3",
            Lang::Es,
            "Exactamente 3.",
        ),
        ("kind = \"number\"\nmax = 40", Lang::Es, "Como máximo 40."),
        (
            "kind = \"choices\"\nchoices = [\"a\", \"b\", \"c\"]\nmin_choices = 2",
            Lang::Fr,
            "Au moins 2 choix.",
        ),
        (
            "kind = \"choices\"\nchoices = [\"a\", \"b\", \"c\"]\nmax_choices = 2",
            Lang::De,
            "Höchstens 2 Optionen.",
        ),
    ];
    for (fields, lang, want) in table {
        assert_eq!(
            rules::hints(one(fields).rules(), *lang),
            [*want],
            "{fields} {lang}"
        );
    }
}

/// The condition line in each language, the values as that language
/// lists the choices (and yes or no in its words).
#[test]
fn the_condition_line_is_in_each_language() {
    let text = r#"
[[question]]
id = "region"
prompt = { en = "Region?", fr = "Région ?", es = "¿Región?", de = "Region?" }
kind = "choice"
choices.en = ["Europe", "Africa", "Asia"]
choices.fr = ["Europe", "Afrique", "Asie"]
choices.es = ["Europa", "África", "Asia"]
choices.de = ["Europa", "Afrika", "Asien"]

[[question]]
id = "member"
prompt = { en = "Member?", fr = "Membre ?", es = "¿Miembro?", de = "Mitglied?" }
kind = "yesno"

[[question]]
id = "visa"
prompt = { en = "Visa?", fr = "Visa ?", es = "¿Visado?", de = "Visum?" }
kind = "yesno"
when = { region = ["Europe", "Africa"], member = "no" }
"#;
    let langs = Languages::from_codes(&["en", "fr", "es", "de"]).expect("languages");
    let s = QuestionSet::parse_for(text, Path::new("q.toml"), &langs).expect("parses");
    let visa = s.by_id("visa").expect("visa");
    for (lang, want) in [
        (
            Lang::En,
            "Answer only if you answered Europe or Africa to 1 and no to 2.",
        ),
        (
            Lang::Fr,
            "Répondez seulement si vous avez répondu Europe ou Afrique à 1 et non à 2.",
        ),
        (
            Lang::Es,
            "Responda solo si respondió Europa o África a la 1 y no a la 2.",
        ),
        (
            Lang::De,
            "Nur beantworten, wenn Sie bei 1 Europa oder Afrika und bei 2 nein geantwortet haben.",
        ),
    ] {
        assert_eq!(
            s.condition_words(visa, lang).as_deref(),
            Some(want),
            "{lang}"
        );
    }
}
