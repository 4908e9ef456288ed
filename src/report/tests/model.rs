use std::collections::BTreeMap;

use super::sample;
use crate::report::model::split;

#[test]
fn json_gives_each_application_its_checks() {
    let (r, _) = sample();
    let v: serde_json::Value = serde_json::from_str(&r.json().expect("json")).expect("parse");
    assert_eq!(v["applications"][0]["checks"], serde_json::json!({}));
    assert_eq!(
        v["applications"][1]["checks"],
        serde_json::json!({
            "why": {
                "reason": "signature-guessed",
                "as_written": "To teach.\n\nGrace Hopper\nRear Admiral <USN>\n+1 555 0100"
            },
            "old": { "reason": "inside-original", "as_written": "Navy" }
        })
    );
    assert_eq!(v["applications"][1]["answers"]["why"], "To teach.");
}

/// Current answers split by today's file: an answer under a reworded
/// prompt keeps that prompt; one to a question gone goes to earlier
/// questions with its prompt, or, stored before prompts were kept,
/// with the prompt of the newest stored version that had it.
#[test]
fn answers_split_into_todays_and_earlier_questions() {
    let (_, q) = sample();
    let mut current = crate::domain::CurrentAnswers::default();
    for (id, value, prompt) in [
        ("name", "Ada", Some("Name?")),
        ("why", "Because.", Some("Why apply?")),
        ("region", "Europe", Some("Which region?")),
        ("heard", "A friend", None),
        ("lost", "?", None),
    ] {
        current.set(id, value, None);
        if let Some(p) = prompt {
            current.prompts.insert(id.into(), p.into());
        }
    }
    let old: BTreeMap<String, String> = [
        ("heard".to_string(), "How did you hear of us?".to_string()),
        ("region".to_string(), "Region?".to_string()),
    ]
    .into();
    let (answers, asked_as, earlier) = split(&current, &q, &old);
    assert_eq!(answers.keys().collect::<Vec<_>>(), ["name", "why"]);
    assert_eq!(
        asked_as,
        [("why".to_string(), "Why apply?".to_string())].into()
    );
    let prompt = |id: &str| earlier.get(id).and_then(|e| e.prompt.as_deref());
    assert_eq!(
        prompt("region"),
        Some("Which region?"),
        "as given, not as stored later"
    );
    assert_eq!(prompt("heard"), Some("How did you hear of us?"));
    assert_eq!(prompt("lost"), None);
    assert_eq!(earlier["lost"].value, "?");
}
