//! Questions versions: recorded once per content, found from the mail a
//! reply replies to, and the prompt each answer was given under.

use super::*;

async fn each_content_is_one_version(store: Store) {
    let now = Utc::now();
    let a = store
        .record_version("aa", "[[question]] # a", now)
        .await
        .unwrap();
    let again = store
        .record_version("aa", "[[question]] # a", now + Duration::hours(1))
        .await
        .unwrap();
    let b = store
        .record_version("bb", "[[question]] # b", now)
        .await
        .unwrap();
    assert_eq!(a, again);
    assert_ne!(a, b);
    let stored = store.version(a).await.unwrap().unwrap();
    assert_eq!(stored.digest, "aa");
    assert_eq!(stored.questions, "[[question]] # a");
    assert_eq!(
        stored.first_used_at.map(ts),
        Some(ts(now)),
        "first use kept"
    );
    assert_eq!(store.version(b + 100).await.unwrap(), None);
    let all: Vec<i64> = store
        .versions()
        .await
        .unwrap()
        .iter()
        .map(|v| v.id)
        .collect();
    assert_eq!(all, [a, b]);
}
on_both!(each_content_is_one_version);

/// A reply's numbers are read against the version the mail it replies to
/// showed: found by its In-Reply-To or References, only among our
/// replies to the sender; the newest reply's version is the last shown.
async fn the_version_a_reply_answers_is_found(store: Store) {
    let now = Utc::now();
    assert_eq!(store.last_shown_version().await.unwrap(), None);
    let v1 = store.record_version("v1", "one", now).await.unwrap();
    let v2 = store.record_version("v2", "two", now).await.unwrap();
    let mut tx = store.begin().await.unwrap();
    for (uid, rfc822_id, version) in [
        (1, "q1@x", Some(v1)),
        (2, "q2@x", Some(v2)),
        (3, "old@x", None),
    ] {
        let m = stored_mail(&mut tx, uid, now).await;
        tx.queue_reply(&NewReply {
            questions_version: version,
            ..reply(m, Reply::Questions, rfc822_id, now)
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let ids = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let shown = async |parents: &[&str], from: &str| {
        store.version_shown(&ids(parents), from).await.unwrap()
    };
    assert_eq!(shown(&["q1@x"], "ada@example.net").await, Some(v1));
    assert_eq!(
        shown(&["q2@x", "q1@x"], "ADA@example.net").await,
        Some(v2),
        "the first found"
    );
    assert_eq!(
        shown(&["theirs@y", "q1@x"], "ada@example.net").await,
        Some(v1)
    );
    assert_eq!(
        shown(&["q1@x"], "bo@example.net").await,
        None,
        "not a reply to bo"
    );
    assert_eq!(shown(&["theirs@y"], "ada@example.net").await, None);
    assert_eq!(shown(&[], "ada@example.net").await, None);
    assert_eq!(
        shown(&["old@x", "q1@x"], "ada@example.net").await,
        None,
        "before versions"
    );
    let last = store.last_shown_version().await.unwrap().unwrap();
    assert_eq!((last.id, last.questions.as_str()), (v2, "two"));
}
on_both!(the_version_a_reply_answers_is_found);

/// Each answer keeps the prompt it was given under, held answers too; a
/// later version of the answer carries its own.
async fn answers_keep_their_prompt(store: Store) {
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let app = tx
        .insert_application("ada@example.net", None, Status::Incomplete, now)
        .await
        .unwrap();
    let m = stored_mail(&mut tx, 1, now).await;
    let with = |q: &str, v: &str, prompt: Option<&str>| NewAnswer {
        prompt: prompt.map(str::to_string),
        ..answer(q, v, None)
    };
    tx.insert_answer(
        app,
        &with("region", "Europe", Some("Which region?")),
        m,
        now,
    )
    .await
    .unwrap();
    tx.insert_answer(
        app,
        &with("heard", "A friend", Some("How did you hear?")),
        m,
        now,
    )
    .await
    .unwrap();
    tx.insert_answer(app, &with("heard", "A colleague", None), m, now)
        .await
        .unwrap();
    tx.hold_answer(m, &with("why", "To learn", Some("Why?")), now)
        .await
        .unwrap();
    let current = tx.current_answers(app).await.unwrap();
    assert_eq!(
        current.prompts,
        [("region".to_string(), "Which region?".to_string())].into()
    );
    assert_eq!(current.values["heard"], "A colleague");
    let held = tx.held_answers(m).await.unwrap();
    assert_eq!(held.answers[0].prompt.as_deref(), Some("Why?"));
    tx.commit().await.unwrap();
    let all = store.current_answers_all().await.unwrap();
    assert_eq!(all[&app].prompts, current.prompts);
}
on_both!(answers_keep_their_prompt);
