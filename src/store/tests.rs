//! The store on both backends: every case runs on SQLite and on a real
//! PostgreSQL (started by `tests/postgres.sh`).
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::answers::{Check, CheckReason};
use crate::domain::{Attention, MessageOutcome, NewAnswer, Reply, Status};

/// How long a delivery copy may take, in these tests.
const WAIT: Duration = Duration::seconds(3);

#[path = "../../tests/common/postgres.rs"]
mod postgres;

/// Runs `$case(store)` once per backend, as two tests.
macro_rules! on_both {
    ($case:ident) => {
        mod $case {
            #[tokio::test(flavor = "multi_thread")]
            async fn sqlite() {
                let (_dir, store) = super::sqlite().await;
                super::$case(store).await;
            }
            #[tokio::test(flavor = "multi_thread")]
            async fn postgres() {
                super::$case(super::postgres_store().await).await;
            }
        }
    };
}

async fn sqlite() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    (dir, Store::connect(&url).await.unwrap())
}

async fn postgres_store() -> Store {
    let url = tokio::task::spawn_blocking(postgres::database_url)
        .await
        .unwrap();
    Store::connect(&url).await.unwrap()
}

fn message<'a>(uid: u32, identity: Option<&'a str>, now: DateTime<Utc>) -> NewMessage<'a> {
    NewMessage {
        mailbox: "INBOX",
        uidvalidity: 1,
        uid,
        identity,
        message_id: identity,
        sha256: "x",
        from_addr: Some("ada@example.net"),
        from_name: None,
        subject: "Re: Apply",
        received_at: now,
        processed_at: now,
        raw: b"raw \xff bytes",
        outcome: MessageOutcome::Answers,
        attention: None,
        detail: None,
    }
}

async fn stored_mail(tx: &mut Tx, uid: u32, now: DateTime<Utc>) -> i64 {
    let identity = format!("m{uid}@x");
    match tx
        .insert_message(&message(uid, Some(&identity), now))
        .await
        .unwrap()
    {
        Inserted::Row(id) => id,
        Inserted::Conflict => panic!("uid {uid} stored twice"),
    }
}

fn answer(q: &str, v: &str, check: Option<&Check>) -> NewAnswer {
    NewAnswer {
        question_id: q.into(),
        value: v.into(),
        check: check.cloned(),
        prompt: None,
    }
}

async fn a_check_is_stored_read_back_and_cleared_by_a_later_clean_answer(store: Store) {
    let now = Utc::now();
    let guessed = Check {
        reason: CheckReason::SignatureGuessed,
        as_written: "A colleague\nAda Lovelace\nSenior Analyst".into(),
    };
    let mut tx = store.begin().await.unwrap();
    let m1 = stored_mail(&mut tx, 1, now).await;
    let app = tx
        .insert_application("Ada@Example.net", None, Status::Incomplete, now)
        .await
        .unwrap();
    tx.insert_answer(
        app,
        &answer("heard", "A colleague", Some(&guessed)),
        m1,
        now,
    )
    .await
    .unwrap();
    tx.insert_answer(app, &answer("region", "Europe", None), m1, now)
        .await
        .unwrap();
    let read = tx.current_answers(app).await.unwrap();
    assert_eq!(read.values["heard"], "A colleague");
    assert_eq!(read.checks.get("heard"), Some(&guessed));
    assert!(!read.checks.contains_key("region"), "{read:?}");
    // The address is stored lower-case and found whatever its case.
    assert_eq!(
        tx.application("ADA@example.NET")
            .await
            .unwrap()
            .map(|a| a.id),
        Some(app)
    );
    tx.commit().await.unwrap();

    let all = store.current_answers_all().await.unwrap();
    assert!(all[&app].is_current("heard", "A colleague", Some(&guessed)));
    assert!(!all[&app].is_current("heard", "A colleague", None));

    // A later clean reply of the same value clears the mark.
    let mut tx = store.begin().await.unwrap();
    let m2 = stored_mail(&mut tx, 2, now).await;
    tx.insert_answer(app, &answer("heard", "A colleague", None), m2, now)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let all = store.current_answers_all().await.unwrap();
    assert_eq!(all[&app].values["heard"], "A colleague");
    assert!(all[&app].checks.is_empty(), "{all:?}");
}
on_both!(a_check_is_stored_read_back_and_cleared_by_a_later_clean_answer);

async fn an_unknown_stored_value_is_an_error_naming_it(store: Store) {
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let m = stored_mail(&mut tx, 1, now).await;
    let app = tx
        .insert_application("ada@example.net", None, Status::Incomplete, now)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO answers (application_id, question_id, value, check_reason, as_written,
            message_id, created_at) VALUES ($1, 'heard', 'x', 'from-the-future', 'x y', $2, $3)",
    )
    .bind(app)
    .bind(m)
    .bind(ts(now))
    .execute(&mut *tx.inner)
    .await
    .unwrap();
    let err = tx.current_answers(app).await.expect_err("unknown reason");
    assert!(
        matches!(&err, StoreError::Unknown { column: "check_reason", value, .. } if value == "from-the-future"),
        "{err}"
    );
    // A reason without the text as written is refused by the schema.
    let half = sqlx::query(
        "INSERT INTO answers (application_id, question_id, value, check_reason,
            message_id, created_at) VALUES ($1, 'heard', 'x', 'signature-guessed', $2, $3)",
    )
    .bind(app)
    .bind(m)
    .bind(ts(now))
    .execute(&mut *tx.inner)
    .await;
    assert!(half.is_err(), "a mark without its text was stored");
}
on_both!(an_unknown_stored_value_is_an_error_naming_it);

async fn a_message_and_a_mail_are_recorded_once(store: Store) {
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    assert!(!tx.uid_seen("INBOX", 1, 7).await.unwrap());
    assert!(!tx.identity_seen("a@x").await.unwrap());
    let first = tx
        .insert_message(&message(7, Some("a@x"), now))
        .await
        .unwrap();
    assert!(matches!(first, Inserted::Row(_)));
    assert!(tx.uid_seen("INBOX", 1, 7).await.unwrap());
    assert!(tx.identity_seen("a@x").await.unwrap());
    // The same UID again, whatever its identity.
    assert_eq!(
        tx.insert_message(&message(7, Some("b@x"), now))
            .await
            .unwrap(),
        Inserted::Conflict
    );
    // The same mail under another UID, as acted on: refused.
    assert_eq!(
        tx.insert_message(&message(8, Some("a@x"), now))
            .await
            .unwrap(),
        Inserted::Conflict
    );
    // As a duplicate (no identity): recorded.
    assert!(matches!(
        tx.insert_message(&message(8, None, now)).await.unwrap(),
        Inserted::Row(_)
    ));
    // The same UID in a rebuilt mailbox (new UIDVALIDITY) is another message.
    let mut rebuilt = message(7, None, now);
    rebuilt.uidvalidity = 2;
    assert!(matches!(
        tx.insert_message(&rebuilt).await.unwrap(),
        Inserted::Row(_)
    ));
    tx.commit().await.unwrap();
    assert_eq!(store.last_uid("INBOX", 1).await.unwrap(), 8);
    assert_eq!(store.last_uid("INBOX", 2).await.unwrap(), 7);
    assert_eq!(store.last_uid("INBOX", 3).await.unwrap(), 0);
}
on_both!(a_message_and_a_mail_are_recorded_once);

fn reply(message_id: i64, kind: Reply, rfc822_id: &str, now: DateTime<Utc>) -> NewReply<'_> {
    NewReply {
        message_id,
        kind,
        recipient: "Ada@example.net",
        sender: "team@example.org",
        rfc822_id,
        body: b"body",
        created_at: now,
        questions_version: None,
    }
}

async fn a_message_gets_one_reply_of_each_kind(store: Store) {
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let m = stored_mail(&mut tx, 1, now).await;
    let r = tx
        .queue_reply(&reply(m, Reply::Questions, "r1@x", now))
        .await
        .unwrap();
    assert!(matches!(r, Inserted::Row(_)));
    assert_eq!(
        tx.queue_reply(&reply(m, Reply::Questions, "r2@x", now))
            .await
            .unwrap(),
        Inserted::Conflict
    );
    assert_eq!(
        tx.last_reply_at("ada@EXAMPLE.net", Reply::Questions)
            .await
            .unwrap()
            .map(ts),
        Some(ts(now))
    );
    assert_eq!(
        tx.last_reply_at("ada@example.net", Reply::Closed)
            .await
            .unwrap(),
        None
    );
    tx.commit().await.unwrap();
    let now = store.clock().await.unwrap();
    assert_eq!(store.pending_outbox(now).await.unwrap().len(), 1);
}
on_both!(a_message_gets_one_reply_of_each_kind);

async fn a_reply_is_sent_under_one_lease_at_a_time(store: Store) {
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let m = stored_mail(&mut tx, 1, now).await;
    let Inserted::Row(id) = tx
        .queue_reply(&reply(m, Reply::Questions, "r@x", now))
        .await
        .unwrap()
    else {
        panic!("not queued")
    };
    tx.commit().await.unwrap();
    let lease = Duration::seconds(6);

    let a = store
        .take_lease(id, "a", now, now + lease, Resend::Now, WAIT)
        .await
        .unwrap()
        .expect("free reply leased");
    assert!(
        store
            .take_lease(id, "b", now, now + lease, Resend::Now, WAIT)
            .await
            .unwrap()
            .is_none(),
        "leased twice"
    );
    // Renewed while the owner lives: still not free after the first term.
    assert!(store.renew_lease(&a, now + lease * 2).await.unwrap());
    let later = now + lease + Duration::seconds(1);
    assert!(
        store
            .take_lease(id, "b", later, later + lease, Resend::Now, WAIT)
            .await
            .unwrap()
            .is_none()
    );
    // Not renewed (the owner died): taken over once it lapsed, and the
    // old owner can no longer renew it.
    let lapsed = now + lease * 2 + Duration::seconds(1);
    let b = store
        .take_lease(id, "b", lapsed, lapsed + lease, Resend::Now, WAIT)
        .await
        .unwrap()
        .expect("lapsed lease taken over");
    assert!(!a.took_over);
    assert!(b.took_over, "a takeover from a dead sender is not noted");
    assert!(!store.renew_lease(&a, lapsed + lease).await.unwrap());
    store.mark_sent(&b, lapsed).await.unwrap();
    assert!(
        store
            .take_lease(
                id,
                "c",
                lapsed + lease * 10,
                lapsed + lease * 11,
                Resend::Now,
                WAIT
            )
            .await
            .unwrap()
            .is_none(),
        "a sent reply was leased again"
    );
    let now = store.clock().await.unwrap();
    assert!(store.pending_outbox(now).await.unwrap().is_empty());
}
on_both!(a_reply_is_sent_under_one_lease_at_a_time);

async fn a_reply_cut_off_mid_send_waits_for_its_copy_or_the_mailbox(store: Store) {
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let m = stored_mail(&mut tx, 1, now).await;
    let mut ids = Vec::new();
    for (kind, rfc822_id) in [(Reply::Questions, "q@x"), (Reply::Confirmation, "c@x")] {
        let Inserted::Row(id) = tx
            .queue_reply(&reply(m, kind, rfc822_id, now))
            .await
            .unwrap()
        else {
            panic!("not queued")
        };
        ids.push(id);
    }
    tx.first_opened("INBOX", now).await.unwrap();
    tx.commit().await.unwrap();
    let lease = Duration::seconds(4);
    // Both sends cut off: the first by a dead process (its lease lapses),
    // the second by a lost answer after the message.
    let a = store
        .take_lease(ids[0], "a", now, now + lease, Resend::Now, WAIT)
        .await
        .unwrap()
        .unwrap();
    assert!(!a.in_doubt);
    let b = store
        .take_lease(ids[1], "a", now, now + lease, Resend::Now, WAIT)
        .await
        .unwrap()
        .unwrap();
    store
        .mark_attempt_failed(&b, "no answer", Failed::NotCounted, Some(now + lease))
        .await
        .unwrap();
    // In doubt once their leases lapsed; not while the first one's holds.
    let pending = store.pending_outbox(now).await.unwrap();
    assert!(pending.iter().all(|r| !r.in_doubt), "{pending:?}");
    let pending = store
        .pending_outbox(now + lease + Duration::seconds(1))
        .await
        .unwrap();
    assert!(pending.iter().all(|r| r.in_doubt), "{pending:?}");

    let after = now + lease + Duration::seconds(1);
    let take = |id, resend| {
        let store = store.clone();
        async move {
            store
                .take_lease(id, "b", after, after + lease, resend, WAIT)
                .await
                .unwrap()
        }
    };
    // The mailbox never processed, or processed only to a time too soon
    // for the copy: neither is sent again.
    for up_to in [None, Some(now + lease + WAIT - Duration::seconds(1))] {
        for id in &ids {
            assert!(
                take(*id, Resend::AfterMailboxUpTo(up_to)).await.is_none(),
                "{up_to:?}"
            );
        }
    }
    // The first one's copy arrives: it is sent, never again.
    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.reply_by_rfc822_id("nobody@x").await.unwrap(), None);
    assert_eq!(tx.reply_by_rfc822_id("q@x").await.unwrap(), Some(ids[0]));
    tx.note_delivery_copy(ids[0], after).await.unwrap();
    tx.commit().await.unwrap();
    // The mailbox processed well past the wait with no copy of the second:
    // it is sent again, and says it is in doubt.
    let up_to = Some(now + lease + WAIT);
    assert!(
        take(ids[0], Resend::AfterMailboxUpTo(up_to))
            .await
            .is_none()
    );
    let again = take(ids[1], Resend::AfterMailboxUpTo(up_to))
        .await
        .expect("resent");
    assert!(again.in_doubt);
    let pending = store
        .pending_outbox(store.clock().await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        pending.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![ids[1]]
    );
    // The copy of a reply marked given up still counts: it was delivered.
    store
        .mark_attempt_failed(&again, "550 gone", Failed::GivenUp { at: after }, None)
        .await
        .unwrap();
    let mut tx = store.begin().await.unwrap();
    tx.note_delivery_copy(ids[1], after).await.unwrap();
    tx.commit().await.unwrap();
    assert!(
        store
            .pending_outbox(store.clock().await.unwrap())
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store.attention().await.unwrap().is_empty(),
        "a delivered reply listed as failed"
    );
}
on_both!(a_reply_cut_off_mid_send_waits_for_its_copy_or_the_mailbox);

async fn sent_replies_without_their_copy_are_counted(store: Store) {
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let m = stored_mail(&mut tx, 1, now).await;
    let mut ids = Vec::new();
    for (kind, id) in [(Reply::Questions, "q@x"), (Reply::Confirmation, "c@x")] {
        let Inserted::Row(row) = tx.queue_reply(&reply(m, kind, id, now)).await.unwrap() else {
            panic!("not queued")
        };
        ids.push(row);
    }
    tx.commit().await.unwrap();
    for id in &ids {
        let lease = store
            .take_lease(*id, "a", now, now + Duration::seconds(4), Resend::Now, WAIT)
            .await
            .unwrap()
            .unwrap();
        store.mark_sent(&lease, now).await.unwrap();
    }
    let later = now + Duration::minutes(1);
    assert_eq!(store.delivery_copies(later).await.unwrap(), (2, 0));
    assert_eq!(
        store.delivery_copies(now).await.unwrap(),
        (0, 0),
        "not late yet"
    );
    let mut tx = store.begin().await.unwrap();
    tx.note_delivery_copy(ids[0], now).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.delivery_copies(later).await.unwrap(), (1, 1));
}
on_both!(sent_replies_without_their_copy_are_counted);

async fn the_mailbox_is_caught_up_only_forward(store: Store) {
    let t0 = Utc::now();
    let mut tx = store.begin().await.unwrap();
    tx.first_opened("INBOX", t0).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.caught_up("INBOX").await.unwrap(), None);
    store.note_caught_up("INBOX", t0).await.unwrap();
    store
        .note_caught_up("INBOX", t0 - Duration::seconds(5))
        .await
        .unwrap();
    assert_eq!(
        store.caught_up("INBOX").await.unwrap().map(ts),
        Some(ts(t0))
    );
}
on_both!(the_mailbox_is_caught_up_only_forward);

async fn a_failed_attempt_gives_the_lease_back_and_a_permanent_one_lists_it(store: Store) {
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let m = stored_mail(&mut tx, 1, now).await;
    let Inserted::Row(id) = tx
        .queue_reply(&reply(m, Reply::Confirmation, "r@x", now))
        .await
        .unwrap()
    else {
        panic!("not queued")
    };
    tx.commit().await.unwrap();
    let until = now + Duration::seconds(6);
    let a = store
        .take_lease(id, "a", now, until, Resend::Now, WAIT)
        .await
        .unwrap()
        .unwrap();
    store
        .mark_attempt_failed(&a, "connection refused", Failed::NotCounted, None)
        .await
        .unwrap();
    // Free again at once for the next attempt, by anyone.
    let b = store
        .take_lease(id, "b", now, until, Resend::Now, WAIT)
        .await
        .unwrap()
        .unwrap();
    store
        .mark_attempt_failed(&b, "550 no such user", Failed::GivenUp { at: now }, None)
        .await
        .unwrap();
    assert!(store.pending_outbox(now).await.unwrap().is_empty());
    let listed = store.attention().await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].reason, Attention::ReplyFailed);
    assert_eq!(
        listed[0].detail.as_deref(),
        Some("confirmation reply: 550 no such user")
    );
    let counts = store.counts(now - Duration::hours(1)).await.unwrap();
    assert_eq!(counts.waiting_for_staff, 1);
    assert_eq!(counts.replies_pending, 0);
    assert_eq!(counts.received_since, 1);
}
on_both!(a_failed_attempt_gives_the_lease_back_and_a_permanent_one_lists_it);

/// Queues one reply (to `r@x`); its outbox id.
async fn queued_reply(store: &Store) -> i64 {
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let m = stored_mail(&mut tx, 1, now).await;
    let Inserted::Row(id) = tx
        .queue_reply(&reply(m, Reply::Questions, "r@x", now))
        .await
        .unwrap()
    else {
        panic!("not queued")
    };
    tx.commit().await.unwrap();
    id
}

/// A reply the server deferred is not handed out before its next attempt,
/// by anyone's reckoning of the database's clock; failures that were the
/// server's (no connection) never count toward its attempts.
async fn a_deferred_reply_waits_its_turn_and_an_outage_does_not_count(store: Store) {
    let id = queued_reply(&store).await;
    let lease = |owner: &'static str| {
        let store = store.clone();
        async move {
            let now = store.clock().await.unwrap();
            store
                .take_lease(
                    id,
                    owner,
                    now,
                    now + Duration::seconds(6),
                    Resend::Now,
                    WAIT,
                )
                .await
                .unwrap()
                .expect("leased")
        }
    };
    for _ in 0..30 {
        let held = lease("a").await;
        store
            .mark_attempt_failed(&held, "connection refused", Failed::NotCounted, None)
            .await
            .unwrap();
    }
    let now = store.clock().await.unwrap();
    let due = store.pending_outbox(now).await.unwrap();
    assert_eq!(due.len(), 1, "an outage delayed it");
    assert_eq!(due[0].attempts, 0, "an outage counted as its attempts");

    let held = lease("a").await;
    let retry_at = now + Duration::seconds(60);
    store
        .mark_attempt_failed(&held, "452 try later", Failed::Deferred { retry_at }, None)
        .await
        .unwrap();
    for at in [now, retry_at - Duration::milliseconds(1)] {
        assert!(
            store.pending_outbox(at).await.unwrap().is_empty(),
            "handed out at {} before its next attempt at {}",
            ts(at),
            ts(retry_at)
        );
        assert_eq!(store.outbox_not_due(at).await.unwrap(), 1);
    }
    let due = store.pending_outbox(retry_at).await.unwrap();
    assert_eq!(due.len(), 1, "not handed out once due");
    assert_eq!(due[0].attempts, 1);
    assert_eq!(store.outbox_not_due(retry_at).await.unwrap(), 0);
    // Still waiting to be sent, not listed for staff.
    let counts = store.counts(now - Duration::hours(1)).await.unwrap();
    assert_eq!((counts.replies_pending, counts.waiting_for_staff), (1, 0));
}
on_both!(a_deferred_reply_waits_its_turn_and_an_outage_does_not_count);

/// The database's clock reads as a stored time does (fixed width, so that
/// times compare as text), and on this one host agrees with ours.
async fn the_database_clock_is_read_in_the_stored_form(store: Store) {
    let before = Utc::now();
    let first = store.clock().await.unwrap();
    let second = store.clock().await.unwrap();
    let after = Utc::now();
    let shown = ts(first);
    assert_eq!(shown.len(), "2025-01-01T00:00:00.000000Z".len(), "{shown}");
    assert!(shown.ends_with('Z'), "{shown}");
    assert!(ts(first) <= ts(second), "{} then {}", ts(first), ts(second));
    // The same host's clock, give or take SQLite's milliseconds.
    let slack = Duration::milliseconds(5);
    assert!(
        before - slack <= first && second <= after + slack,
        "{} not within {} .. {}",
        ts(first),
        ts(before),
        ts(after)
    );
}
on_both!(the_database_clock_is_read_in_the_stored_form);

async fn the_first_opening_of_a_mailbox_is_kept(store: Store) {
    let t0 = Utc::now() - Duration::days(3);
    let mut tx = store.begin().await.unwrap();
    let first = tx.first_opened("INBOX", t0).await.unwrap();
    assert_eq!(ts(first), ts(t0));
    let again = tx
        .first_opened("INBOX", t0 + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(ts(again), ts(t0), "moved on a later start");
    tx.commit().await.unwrap();
}
on_both!(the_first_opening_of_a_mailbox_is_kept);

/// Two writers race to record the same message: one records it, the
/// other is told so (after the first commits), on either backend.
async fn two_writers_racing_for_one_message_record_it_once(store: Store) {
    let now = Utc::now();
    let race = |store: Store| async move {
        let mut tx = store.begin().await.unwrap();
        tx.lock_sender("ada@example.net").await.unwrap();
        let seen = tx.uid_seen("INBOX", 1, 42).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let got = if seen {
            Inserted::Conflict
        } else {
            tx.insert_message(&message(42, Some("race@x"), now))
                .await
                .unwrap()
        };
        tx.commit().await.unwrap();
        got
    };
    let (a, b) = tokio::join!(
        tokio::spawn(race(store.clone())),
        tokio::spawn(race(store.clone()))
    );
    let mut got = [a.unwrap(), b.unwrap()];
    got.sort_by_key(|g| matches!(g, Inserted::Conflict));
    assert!(matches!(got[0], Inserted::Row(_)), "{got:?}");
    assert_eq!(got[1], Inserted::Conflict, "{got:?}");
}
on_both!(two_writers_racing_for_one_message_record_it_once);

async fn failed_fetches_are_counted_per_message_and_a_given_up_one_is_listed(store: Store) {
    let now = Utc::now();
    for expected in 1..=3 {
        let error = format!("error {expected}");
        let tries = store.count_fetch_failure("INBOX", 7, 5, &error, now).await;
        assert_eq!(tries.unwrap(), expected);
    }
    // Another message, another generation of the folder, another folder.
    for (mailbox, uidvalidity, uid) in [("INBOX", 7, 6), ("INBOX", 8, 5), ("Apply", 7, 5)] {
        let tries = store
            .count_fetch_failure(mailbox, uidvalidity, uid, "e", now)
            .await;
        assert_eq!(tries.unwrap(), 1, "{mailbox} {uidvalidity} {uid}");
    }
    // Given up, it is listed like any mail for staff, and counted.
    let mut tx = store.begin().await.unwrap();
    let given_up = NewMessage {
        identity: None,
        message_id: None,
        raw: b"",
        outcome: MessageOutcome::Listed,
        attention: Some(Attention::Unfetchable),
        detail: Some("INBOX UID 5 (UIDVALIDITY 7) could not be fetched in 3 tries"),
        ..message(5, None, now)
    };
    assert!(matches!(
        tx.insert_message(&given_up).await.unwrap(),
        Inserted::Row(_)
    ));
    tx.commit().await.unwrap();
    let listed = store.attention().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].reason, Attention::Unfetchable);
    assert_eq!(listed[0].detail.as_deref(), given_up.detail);
    assert_eq!(store.counts(now).await.unwrap().waiting_for_staff, 1);
}
on_both!(failed_fetches_are_counted_per_message_and_a_given_up_one_is_listed);

/// A SQLite database written before migration 0004 (messages without an
/// identity, replies claimed rather than leased) is upgraded as 0004
/// intends: the first acted-on copy of each mail gets its identity, mail
/// never read and duplicates get none, and from then on a mail and a
/// reply of one kind to one message are stored once.
#[tokio::test]
async fn a_database_from_before_exactly_once_is_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let migrator = sqlx::migrate!("./migrations/sqlite");
    migrator.run_to(3, &pool).await.unwrap();
    // uid, Message-ID, sha256, outcome, attention: as 0003's code wrote them.
    type Old<'a> = (i64, Option<&'a str>, &'a str, &'a str, Option<&'a str>);
    let old: [Old<'_>; 10] = [
        (1, Some("a@x"), "h1", "questions", None),
        (2, Some("a@x"), "h1", "duplicate", None),
        // Two processes acted on one mail (what 0004 prevents from now on).
        (3, Some("a@x"), "h1", "answers", None),
        (4, None, "h4", "questions", None),
        (5, None, "h4", "attention", Some("robot")),
        (6, None, "h6", "attention", Some("unparseable")),
        // Never read, then the same mail read under another UID.
        (7, Some("b@x"), "h7", "attention", Some("too-large")),
        (8, Some("b@x"), "h7", "answers", None),
        (9, Some("c@x"), "h9", "attention", Some("too-complex")),
        (10, Some("d@x"), "h10", "attention", Some("robot")),
    ];
    for (uid, message_id, sha256, outcome, attention) in old {
        sqlx::query(
            "INSERT INTO messages (mailbox, uidvalidity, uid, message_id, sha256, received_at,
                processed_at, size, raw, outcome, attention)
             VALUES ('INBOX', 1, ?, ?, ?, '2024-01-01T00:00:00.000000Z',
                '2024-01-01T00:00:00.000000Z', 3, X'616263', ?, ?)",
        )
        .bind(uid)
        .bind(message_id)
        .bind(sha256)
        .bind(outcome)
        .bind(attention)
        .execute(&pool)
        .await
        .unwrap();
    }
    // Replies: sent, claimed mid-send, and one with no message.
    for (message, kind, rfc822_id, claimed) in [
        (Some(1), "questions", "r1@x", None),
        (
            Some(3),
            "confirmation",
            "r2@x",
            Some("2024-01-01T00:00:01.000000Z"),
        ),
        (None, "questions", "r3@x", None),
        (None, "questions", "r4@x", None),
    ] {
        sqlx::query(
            "INSERT INTO outbox (message_id, kind, recipient, sender, rfc822_id, body, created_at,
                claimed_at)
             VALUES ((SELECT id FROM messages WHERE uid = ?), ?, 'ada@example.net',
                'team@example.org', ?, X'00', '2024-01-01T00:00:00.000000Z', ?)",
        )
        .bind(message)
        .bind(kind)
        .bind(rfc822_id)
        .bind(claimed)
        .execute(&pool)
        .await
        .unwrap();
    }

    migrator.run(&pool).await.unwrap();
    let identities: Vec<(i64, Option<String>)> =
        sqlx::query_as("SELECT uid, identity FROM messages ORDER BY uid")
            .fetch_all(&pool)
            .await
            .unwrap();
    let expected: Vec<(i64, Option<String>)> = [
        (1, Some("a@x")),
        (2, None),
        (3, None),
        (4, Some("sha256:h4")),
        (5, None),
        (6, None),
        (7, None),
        (8, Some("b@x")),
        (9, None),
        (10, Some("d@x")),
    ]
    .into_iter()
    .map(|(uid, identity)| (uid, identity.map(str::to_string)))
    .collect();
    assert_eq!(identities, expected);
    // The claim is gone; every reply is free to be leased.
    let leased: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE lease_owner IS NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(leased, 4);
    pool.close().await;

    // The upgraded database, as mailintake opens it.
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("old.db").display()))
        .await
        .unwrap();
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    for identity in ["a@x", "sha256:h4", "b@x", "d@x"] {
        assert!(tx.identity_seen(identity).await.unwrap(), "{identity}");
        // The same mail under a new UID is not acted on again.
        assert_eq!(
            tx.insert_message(&message(100, Some(identity), now))
                .await
                .unwrap(),
            Inserted::Conflict,
            "{identity}"
        );
    }
    // Mail never read, or only listed as a duplicate, is read when it comes again.
    for identity in ["sha256:h6", "c@x"] {
        assert!(!tx.identity_seen(identity).await.unwrap(), "{identity}");
    }
    let first = tx.insert_message(&message(100, Some("c@x"), now)).await;
    let Inserted::Row(row) = first.unwrap() else {
        panic!("c@x refused")
    };
    // One reply of a kind per message: the old ones count too.
    let old_row: i64 = sqlx::query_scalar("SELECT id FROM messages WHERE uid = 1")
        .fetch_one(&mut *tx.inner)
        .await
        .unwrap();
    assert_eq!(
        tx.queue_reply(&reply(old_row, Reply::Questions, "r5@x", now))
            .await
            .unwrap(),
        Inserted::Conflict
    );
    for (message, kind, id) in [
        (old_row, Reply::Confirmation, "r6@x"),
        (row, Reply::Questions, "r7@x"),
    ] {
        let queued = tx
            .queue_reply(&reply(message, kind, id, now))
            .await
            .unwrap();
        assert!(matches!(queued, Inserted::Row(_)), "{id}");
    }
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_live_sqlite_database_is_backed_up_whole() {
    let (dir, store) = sqlite().await;
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    stored_mail(&mut tx, 1, now).await;
    tx.commit().await.unwrap();
    let copy = dir.path().join("copy.db");
    store.backup(&copy).await.unwrap();
    let restored = Store::connect(&format!("sqlite://{}", copy.display()))
        .await
        .unwrap();
    assert_eq!(restored.last_uid("INBOX", 1).await.unwrap(), 1);
    assert_eq!(mode(&copy), 0o600, "the copy is readable by others");
    assert!(
        store.backup(&copy).await.is_err(),
        "an existing file was overwritten"
    );
    // A copy that fails leaves no file to be taken for a backup.
    let nowhere = dir.path().join("no-such-dir").join("copy.db");
    assert!(store.backup(&nowhere).await.is_err());
    assert!(!nowhere.exists());
}

/// Permission bits of `path` (`0o600` for owner read and write only).
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_new_sqlite_database_is_readable_by_its_owner_only() {
    let (dir, store) = sqlite().await;
    let mut tx = store.begin().await.unwrap();
    stored_mail(&mut tx, 1, Utc::now()).await;
    tx.commit().await.unwrap();
    let db = dir.path().join("t.db");
    for file in [
        db.clone(),
        db.with_extension("db-wal"),
        db.with_extension("db-shm"),
    ] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

#[tokio::test]
async fn an_existing_sqlite_file_keeps_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    std::fs::write(&db, b"").unwrap();
    // Chosen by the operator (a group that reads the report, say).
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o640)).unwrap();
    let store = Store::connect(&format!("sqlite://{}", db.display()))
        .await
        .unwrap();
    store.ping().await.unwrap();
    assert_eq!(mode(&db), 0o640);
}

#[tokio::test]
async fn postgres_is_not_backed_up_by_mailintake() {
    let store = postgres_store().await;
    let err = store
        .backup(std::path::Path::new("/tmp/x.db"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::BackupNotSqlite), "{err}");
}

#[test]
fn the_backend_comes_from_the_url() {
    assert_eq!(Backend::of_url("sqlite://x.db").unwrap(), Backend::Sqlite);
    assert_eq!(
        Backend::of_url("postgres://u@h/db").unwrap(),
        Backend::Postgres
    );
    assert_eq!(
        Backend::of_url("postgresql://u@h/db").unwrap(),
        Backend::Postgres
    );
    let err = Backend::of_url("mysql://u:secret@h/db").unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("database.url"), "{shown}");
    assert!(!shown.contains("secret"), "{shown}");
}

#[tokio::test]
async fn postgresql_is_reached_over_tls_when_the_url_asks() {
    let url = tokio::task::spawn_blocking(postgres::database_url)
        .await
        .unwrap();
    let store = Store::connect(&format!("{url}?sslmode=require"))
        .await
        .unwrap();
    let tls: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert!(tls, "sslmode=require connected without TLS");
}

/// The server key is made once and read back the same, by every caller:
/// tokens in replies sent before a restart must still vouch after it.
async fn the_server_key_is_made_once(store: Store) {
    let (a, b) = tokio::join!(store.key(), store.key());
    let (a, b) = (a.unwrap(), b.unwrap());
    let id = a.message_id("ada@example.org", "t.example");
    assert!(b.vouches(&id, "ada@example.org"));
    let again = store.key().await.unwrap();
    assert_eq!(again.keyed_hash("x"), a.keyed_hash("x"));
}
on_both!(the_server_key_is_made_once);

/// The send limits' counts: replies queued in the hour before the
/// database's clock, to one address (any case) and in all, whatever
/// became of them.
async fn replies_of_the_last_hour_are_counted(store: Store) {
    let now = store.clock().await.unwrap();
    let mut tx = store.begin().await.unwrap();
    let queued = [
        ("Ada@example.net", now - Duration::minutes(59)),
        ("ada@example.net", now - Duration::seconds(1)),
        ("ada@example.net", now - Duration::minutes(61)),
        ("bo@example.net", now - Duration::minutes(5)),
        ("bo@example.net", now - Duration::days(2)),
    ];
    for (i, (recipient, created_at)) in queued.into_iter().enumerate() {
        let uid = u32::try_from(i).unwrap() + 1;
        let m = stored_mail(&mut tx, uid, now).await;
        let rfc822_id = format!("r{uid}@x");
        let r = tx
            .queue_reply(&NewReply {
                recipient,
                rfc822_id: &rfc822_id,
                created_at,
                ..reply(m, Reply::Questions, "", now)
            })
            .await
            .unwrap();
        assert!(matches!(r, Inserted::Row(_)));
    }
    let sent = tx.replies_last_hour("ADA@example.net").await.unwrap();
    assert_eq!((sent.to_sender, sent.total), (2, 3));
    let sent = tx.replies_last_hour("new@example.net").await.unwrap();
    assert_eq!((sent.to_sender, sent.total), (0, 3));
}
on_both!(replies_of_the_last_hour_are_counted);

#[path = "privacy_tests.rs"]
mod privacy;

#[path = "files_tests.rs"]
mod files;
mod versions;
