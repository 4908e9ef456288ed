//! A branch flip, table-tested: the answers before a mail and after it
//! in; what now applies and is asked, what no longer applies and keeps
//! its answer, and which changed answer is why, out. Then the decision:
//! the follow-up carries the flip, whichever mail it is.

use std::collections::BTreeMap;

use super::super::*;
use super::{Case, World, applicant, decide_with_questions, written};
use crate::answers::Extractor;
use crate::ingest;
use crate::questions::QuestionSet;

/// Europe asks whether a visa is needed (required) and a city (optional);
/// yes to the visa asks for the embassy (optional).
pub(super) const FILE: &str = r#"
[[question]]
id = "name"
prompt = "Your name?"
required = true

[[question]]
id = "region"
prompt = "Your region?"
kind = "choice"
choices = ["Europe", "Asia", "Africa"]
required = true

[[question]]
id = "visa"
prompt = "Do you need a visa?"
kind = "yesno"
required = true
when = { region = "Europe" }

[[question]]
id = "city"
prompt = "Which city would you like to meet in?"
when = { region = "Europe" }

[[question]]
id = "embassy"
prompt = "Which embassy?"
when = { visa = "yes" }
"#;

pub(super) fn qs() -> QuestionSet {
    QuestionSet::parse(FILE, std::path::Path::new("q.toml")).unwrap()
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

type Pairs = &'static [(&'static str, &'static str)];

/// (before, after, because, now apply, no longer)
type Row = (
    Pairs,
    Pairs,
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

#[test]
fn a_flip_names_what_now_applies_and_what_no_longer_does() {
    let q = qs();
    let table: &[Row] = &[
        // Nothing changed: nothing flips.
        (
            &[("name", "Ada"), ("region", "Asia")],
            &[("name", "Ada"), ("region", "Asia")],
            &[],
            &[],
            &[],
        ),
        // A change no condition names flips nothing.
        (
            &[("name", "Ada"), ("region", "Asia")],
            &[("name", "Ada L."), ("region", "Asia")],
            &[],
            &[],
            &[],
        ),
        // Asia to Europe: the required and the optional Europe questions
        // now apply; the embassy hangs on a visa answer not given.
        (
            &[("name", "Ada"), ("region", "Asia")],
            &[("name", "Ada"), ("region", "Europe")],
            &["region"],
            &["visa", "city"],
            &[],
        ),
        // A first answer to the region counts as a change too.
        (
            &[("name", "Ada")],
            &[("name", "Ada"), ("region", "Europe")],
            &["region"],
            &["visa", "city"],
            &[],
        ),
        // Europe with the visa answered in the same mail: only the city
        // is asked.
        (
            &[("name", "Ada"), ("region", "Asia")],
            &[("name", "Ada"), ("region", "Europe"), ("visa", "no")],
            &["region"],
            &["city"],
            &[],
        ),
        // Back to Europe with the answers kept from before: they count
        // again, nothing is asked.
        (
            &[
                ("name", "Ada"),
                ("region", "Asia"),
                ("visa", "no"),
                ("city", "Rome"),
            ],
            &[
                ("name", "Ada"),
                ("region", "Europe"),
                ("visa", "no"),
                ("city", "Rome"),
            ],
            &[],
            &[],
            &[],
        ),
        // Yes to the visa: the embassy (optional) now applies.
        (
            &[("name", "Ada"), ("region", "Europe"), ("visa", "no")],
            &[("name", "Ada"), ("region", "Europe"), ("visa", "yes")],
            &["visa"],
            &["embassy"],
            &[],
        ),
        // Europe to Asia: the answered questions no longer apply (the
        // embassy falls with the visa question it hangs on); the city,
        // never answered, keeps nothing and is not named.
        (
            &[
                ("name", "Ada"),
                ("region", "Europe"),
                ("visa", "yes"),
                ("embassy", "Paris"),
            ],
            &[
                ("name", "Ada"),
                ("region", "Asia"),
                ("visa", "yes"),
                ("embassy", "Paris"),
            ],
            &["region"],
            &[],
            &["visa", "embassy"],
        ),
        // Europe to Asia with the visa answered in the same mail: its
        // answer is kept, no longer needed.
        (
            &[("name", "Ada"), ("region", "Europe")],
            &[("name", "Ada"), ("region", "Asia"), ("visa", "yes")],
            &["region"],
            &[],
            &["visa"],
        ),
        // A region no longer a choice (a stored answer that fails): the
        // conditions on it do not hold, as for the status rule.
        (
            &[("name", "Ada"), ("region", "Europe"), ("visa", "no")],
            &[("name", "Ada"), ("region", "Mars"), ("visa", "no")],
            &["region"],
            &[],
            &["visa"],
        ),
    ];
    for (before, after, because, now_apply, no_longer) in table {
        let f = flip(&answers(before), &answers(after), &q);
        assert_eq!(f.because, *because, "{before:?} -> {after:?}");
        assert_eq!(f.now_apply, *now_apply, "{before:?} -> {after:?}");
        assert_eq!(f.no_longer, *no_longer, "{before:?} -> {after:?}");
        assert_eq!(f.is_empty(), now_apply.is_empty() && no_longer.is_empty());
    }
}

/// A reply from Ada, read against the questions above.
fn reply(body: &str) -> Case {
    let raw = format!(
        "From: Ada Lovelace <ada@example.net>\r\nTo: {}\r\nSubject: Re: Apply\r\n\
         Message-ID: <2@example.net>\r\nIn-Reply-To: <q1@example.org>\r\n\r\n{body}\r\n",
        super::TEAM
    );
    let mail = ingest::parse(raw.as_bytes()).unwrap();
    let extracted = Extractor::new(&qs(), &[]).read(&mail.body, Some("Ada Lovelace"));
    Case { mail, extracted }
}

/// The follow-up's flip, whichever mail it is: a confirmation when only
/// optional questions now apply, the problems mail when a required one
/// does (named once, with the flip, not again as missing).
#[test]
fn the_follow_up_carries_the_flip() {
    let q = qs();
    let asia = World {
        known: applicant(&[("name", "Ada"), ("region", "Asia")]),
        ..World::default()
    };
    // To Europe, answering the visa: only the optional city now applies.
    let w = written(decide_with_questions(&reply("2. Europe\n3. no"), &asia, &q));
    let Some(ReplyText::Confirmation { complete, flip, .. }) = &w.reply else {
        panic!("{:?}", w.reply);
    };
    assert!(complete);
    assert_eq!(flip.now_apply, ["city"]);
    assert_eq!(flip.because, ["region"]);
    // To Europe alone: the visa too, which makes it the problems mail.
    let w = written(decide_with_questions(&reply("2. Europe"), &asia, &q));
    let Some(ReplyText::Problems { missing, flip, .. }) = &w.reply else {
        panic!("{:?}", w.reply);
    };
    assert_eq!(missing, &["visa"]);
    assert_eq!(flip.now_apply, ["visa", "city"]);
    // Back to Asia with a visa answer: kept, no longer needed.
    let europe = World {
        known: applicant(&[("name", "Ada"), ("region", "Europe")]),
        ..World::default()
    };
    let w = written(decide_with_questions(
        &reply("2. Asia\n3. yes"),
        &europe,
        &q,
    ));
    let Some(ReplyText::Confirmation { flip, current, .. }) = &w.reply else {
        panic!("{:?}", w.reply);
    };
    assert_eq!(flip.no_longer, ["visa"]);
    assert!(flip.now_apply.is_empty());
    assert!(!current.contains_key("visa"), "not reported: {current:?}");
    // A reply that changes nothing a condition names says nothing of it.
    let w = written(decide_with_questions(&reply("1. Ada L."), &asia, &q));
    let Some(ReplyText::Confirmation { flip, .. }) = &w.reply else {
        panic!("{:?}", w.reply);
    };
    assert!(flip.is_empty(), "{flip:?}");
}
