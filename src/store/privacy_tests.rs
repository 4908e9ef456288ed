//! Erase, export and retention on both backends (included from
//! `tests.rs`, whose helpers and `on_both!` it uses).

use chrono::{DateTime, Duration, Utc};
use sqlx::Row;

use super::{answer, message, postgres_store, sqlite};
use crate::domain::{Attention, MessageOutcome, Reply, Status};
use crate::privacy::{Retention, export};
use crate::store::{Backend, Erased, Inserted, NewMessage, NewReply, Purged, Store, Tx};

const ADA: &str = "ada@example.net";

/// Every value of every column of every table, as bytes, with where it
/// is: what a person grepping the database would look through.
async fn every_value(store: &Store) -> Vec<(String, String, Vec<u8>)> {
    let columns: Vec<(String, String, String)> = match store.backend {
        Backend::Sqlite => {
            let tables: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&store.pool)
            .await
            .unwrap();
            let mut out = Vec::new();
            for t in tables {
                let cols = sqlx::query("SELECT name FROM pragma_table_info($1)")
                    .bind(t.as_str())
                    .fetch_all(&store.pool)
                    .await
                    .unwrap();
                for c in cols {
                    let c: String = c.get("name");
                    out.push((t.clone(), c.clone(), format!("hex(\"{c}\")")));
                }
            }
            out
        }
        Backend::Postgres => sqlx::query(
            "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS d
             FROM information_schema.columns WHERE table_schema = current_schema()",
        )
        .fetch_all(&store.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let (t, c, d): (String, String, String) = (r.get("t"), r.get("c"), r.get("d"));
            let expr = if d == "bytea" {
                format!("encode(\"{c}\", 'hex')")
            } else {
                format!("encode(convert_to(\"{c}\"::text, 'UTF8'), 'hex')")
            };
            (t, c, expr)
        })
        .collect(),
    };
    let mut out = Vec::new();
    for (t, c, expr) in columns {
        let sql = format!("SELECT {expr} AS v FROM \"{t}\"");
        let values: Vec<Option<String>> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_all(&store.pool)
            .await
            .unwrap();
        for v in values.into_iter().flatten() {
            let bytes = (0..v.len() / 2)
                .map(|i| u8::from_str_radix(&v[2 * i..2 * i + 2], 16).unwrap())
                .collect();
            out.push((t.clone(), c.clone(), bytes));
        }
    }
    out
}

/// Where `needle` (any ASCII case) is in the database.
async fn traces(store: &Store, needle: &str) -> Vec<String> {
    let needle = needle.to_ascii_lowercase();
    every_value(store)
        .await
        .into_iter()
        .filter(|(_, _, v)| {
            v.to_ascii_lowercase()
                .windows(needle.len())
                .any(|w| w == needle.as_bytes())
        })
        .map(|(t, c, v)| format!("{t}.{c}: {}", String::from_utf8_lossy(&v)))
        .collect()
}

/// A mail as the pipeline stores it.
fn mail<'a>(
    uid: u32,
    from: &'a str,
    id: &'a str,
    raw: &'a [u8],
    at: DateTime<Utc>,
) -> NewMessage<'a> {
    NewMessage {
        identity: Some(id),
        message_id: Some(id),
        sha256: id,
        from_addr: Some(from),
        raw,
        ..message(uid, None, at)
    }
}

async fn row(tx: &mut Tx, m: &NewMessage<'_>) -> i64 {
    match tx.insert_message(m).await.unwrap() {
        Inserted::Row(id) => id,
        Inserted::Conflict => panic!("stored twice: {m:?}"),
    }
}

async fn queue(tx: &mut Tx, message_id: i64, to: &str, rfc822_id: &str, body: &[u8]) -> i64 {
    let queued = tx
        .queue_reply(&NewReply {
            message_id,
            kind: Reply::Confirmation,
            recipient: to,
            sender: "team@example.org",
            rfc822_id,
            body,
            created_at: Utc::now(),
            questions_version: None,
        })
        .await
        .unwrap();
    match queued {
        Inserted::Row(id) => id,
        Inserted::Conflict => panic!("queued twice"),
    }
}

/// Ada applied and answered twice, got a reply (whose delivery copy came
/// back) and a bounce named her; Bo named her in his mail and answers;
/// Linda, whose address ends like Ada's, wrote too.
async fn two_applicants_and_a_bystander(store: &Store) {
    let now = Utc::now();
    let mut tx = store.begin().await.unwrap();
    let m1 = row(
        &mut tx,
        &mail(
            1,
            "Ada@Example.net",
            "a1@example.net",
            b"From: Ada <Ada@Example.net>\r\n\r\n1. Ada\r\n2. Asia",
            now,
        ),
    )
    .await;
    let ada = tx
        .insert_application(ADA, Some("Ada"), Status::Incomplete, now)
        .await
        .unwrap();
    tx.insert_answer(ada, &answer("name", "Ada", None), m1, now)
        .await
        .unwrap();
    tx.insert_answer(ada, &answer("region", "Asia", None), m1, now)
        .await
        .unwrap();
    queue(
        &mut tx,
        m1,
        ADA,
        "r1@team.example.org",
        b"To: ada@example.net\r\n\r\nThanks Ada",
    )
    .await;
    let copy = NewMessage {
        outcome: MessageOutcome::DeliveryCopy,
        ..mail(
            2,
            "team@example.org",
            "r1@team.example.org",
            b"To: ada@example.net\r\n\r\nThanks Ada",
            now,
        )
    };
    row(&mut tx, &copy).await;
    let bounce = NewMessage {
        outcome: MessageOutcome::Listed,
        attention: Some(Attention::Robot),
        detail: Some("a delivery report"),
        ..mail(
            3,
            "mailer-daemon@example.org",
            "b1@example.org",
            b"Final-Recipient: rfc822; ada@example.net",
            now,
        )
    };
    row(&mut tx, &bounce).await;
    let bo_mail = row(
        &mut tx,
        &mail(
            4,
            "bo@example.net",
            "bo1@example.net",
            b"My friend ada@example.net applies too.",
            now,
        ),
    )
    .await;
    let bo = tx
        .insert_application("bo@example.net", Some("Bo"), Status::Incomplete, now)
        .await
        .unwrap();
    tx.insert_answer(
        bo,
        &answer("heard", "From ADA@example.net", None),
        bo_mail,
        now,
    )
    .await
    .unwrap();
    queue(
        &mut tx,
        bo_mail,
        "bo@example.net",
        "r2@team.example.org",
        b"Heard: From ADA@example.net",
    )
    .await;
    let linda = row(
        &mut tx,
        &mail(
            5,
            "linda@example.net",
            "l1@example.net",
            b"From: linda@example.net",
            now,
        ),
    )
    .await;
    // Her second mail is the newest in the mailbox.
    let m2 = row(
        &mut tx,
        &mail(
            7,
            ADA,
            "a2@example.net",
            b"From: ada@example.net\r\n\r\n2. Europe",
            now,
        ),
    )
    .await;
    tx.insert_answer(ada, &answer("region", "Europe", None), m2, now)
        .await
        .unwrap();
    // Answers held until the address confirms: hers, and Linda's that
    // names her.
    tx.hold_answer(m2, &answer("heard", "A friend", None), now)
        .await
        .unwrap();
    tx.hold_answer(
        linda,
        &answer("heard", "ada@example.net told me", None),
        now,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    for (uid, error) in [
        (7, "NO [UNAVAILABLE]"),
        (9, "BYE cannot read ada@example.net's mail"),
        (10, "NO other"),
    ] {
        store
            .count_fetch_failure("INBOX", 1, uid, error, now)
            .await
            .unwrap();
    }
}

async fn an_erased_address_leaves_no_trace_and_its_mail_stays_processed(store: Store) {
    two_applicants_and_a_bystander(&store).await;
    let before = export(&store, "ADA@example.net", Utc::now()).await.unwrap();
    let app = before.application.as_ref().expect("her application");
    assert_eq!(app.answers["region"], "Europe");
    assert_eq!(before.answer_history.len(), 3);
    assert_eq!(
        before
            .answer_history
            .iter()
            .filter(|v| !v.current)
            .map(|v| v.value.as_str())
            .collect::<Vec<_>>(),
        ["Asia"]
    );
    assert_eq!(before.mails.len(), 2, "{:?}", before.mails);
    assert_eq!(before.replies.len(), 1);
    assert_eq!(before.held_answers[0].value, "A friend");
    assert!(!traces(&store, ADA).await.is_empty());

    let expected = Erased {
        applications: 1,
        answers: 3,
        files: 0,
        held_answers: 1,
        // Her two mails, the delivery copy, the bounce.
        mails: 4,
        replies: 1,
        // Her mail's, and one whose error names her.
        fetch_failures: 2,
        // Bo's mail, answer and reply; Linda's held answer.
        redacted: 4,
    };
    assert_eq!(store.erase_preview(ADA).await.unwrap(), expected);
    assert_eq!(store.erase("Ada@Example.NET").await.unwrap(), expected);

    assert_eq!(traces(&store, ADA).await, Vec::<String>::new());
    assert!(export(&store, ADA, Utc::now()).await.unwrap().is_empty());
    // Others' data stays theirs, the address replaced.
    let bo = export(&store, "bo@example.net", Utc::now()).await.unwrap();
    assert_eq!(bo.application.unwrap().answers["heard"], "From [erased]");
    assert_eq!(
        bo.mails[0].raw.as_ref().map(|r| r.data.as_str()),
        Some("My friend [erased] applies too.")
    );
    let linda = store.mails_from("linda@example.net").await.unwrap();
    assert_eq!(
        linda[0].raw.as_deref(),
        Some(&b"From: linda@example.net"[..])
    );
    let failures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM fetch_failures")
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(failures, 1);

    // Her mail stays processed: the same UID, a copy under another UID
    // (same Message-ID, or same bytes), the delivery copy of our reply.
    assert_eq!(store.last_uid("INBOX", 1).await.unwrap(), 7);
    let mut tx = store.begin().await.unwrap();
    for uid in [1, 2, 3, 7] {
        assert!(tx.uid_seen("INBOX", 1, uid).await.unwrap(), "uid {uid}");
    }
    assert!(tx.erased("a1@example.net", "other bytes").await.unwrap());
    assert!(tx.erased("sha256:new", "a2@example.net").await.unwrap());
    assert!(tx.erased("r1@team.example.org", "x").await.unwrap());
    assert!(!tx.erased("l1@example.net", "l1@example.net").await.unwrap());
    assert!(!tx.erased("a3@example.net", "new bytes").await.unwrap());
    // A copy seen again is recorded by its place alone, once.
    assert_eq!(
        tx.insert_erased("INBOX", 1, 20, "a1@example.net", "a1@example.net")
            .await
            .unwrap(),
        Inserted::Row(
            match tx.insert_erased("INBOX", 1, 21, "x", "y").await.unwrap() {
                Inserted::Row(id) => id - 1,
                Inserted::Conflict => panic!("uid 21 taken"),
            }
        )
    );
    assert_eq!(
        tx.insert_erased("INBOX", 1, 20, "a1@example.net", "a1@example.net")
            .await
            .unwrap(),
        Inserted::Conflict
    );
    assert!(tx.uid_seen("INBOX", 1, 20).await.unwrap());
    // Later mail from her address is a new person's.
    assert!(tx.application(ADA).await.unwrap().is_none());
    tx.commit().await.unwrap();
    assert_eq!(traces(&store, ADA).await, Vec::<String>::new());
    // Nothing more to erase.
    assert_eq!(store.erase(ADA).await.unwrap(), Erased::default());
}
on_both!(an_erased_address_leaves_no_trace_and_its_mail_stays_processed);

/// Every table of the schema is placed in the erase's list: a new table
/// (the answers of unconfirmed mail) must say what an erase does to it.
async fn every_table_is_placed_by_the_erase(store: Store) {
    let sql = match store.backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table'
             AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'"
        }
    };
    let mut tables: Vec<String> = sqlx::query_scalar(sql)
        .fetch_all(&store.pool)
        .await
        .unwrap();
    tables.sort();
    let mut placed: Vec<String> = super::super::ERASE_TABLES
        .iter()
        .map(|(t, _)| t.to_string())
        .collect();
    placed.sort();
    assert_eq!(tables, placed);
}
on_both!(every_table_is_placed_by_the_erase);

async fn retention_purges_old_raw_mail_and_superseded_answers_only(store: Store) {
    let now = Utc::now();
    let old = now - Duration::days(40);
    let recent = now - Duration::days(1);
    let mut tx = store.begin().await.unwrap();
    let m1 = row(&mut tx, &mail(1, ADA, "a1@x", b"old mail", old)).await;
    let m2 = row(&mut tx, &mail(2, ADA, "a2@x", b"recent mail", recent)).await;
    let ada = tx
        .insert_application(ADA, None, Status::Incomplete, old)
        .await
        .unwrap();
    for (q, v, m) in [
        ("region", "Asia", m1),
        ("name", "Ada", m1),
        ("region", "Europe", m2),
        ("why", "first try", m2),
        ("why", "second try", m2),
    ] {
        tx.insert_answer(ada, &answer(q, v, None), m, now)
            .await
            .unwrap();
    }
    tx.hold_answer(m1, &answer("heard", "old, never confirmed", None), now)
        .await
        .unwrap();
    tx.hold_answer(m2, &answer("heard", "recent", None), now)
        .await
        .unwrap();
    let sent_old = queue(&mut tx, m1, ADA, "r1@x", b"old reply").await;
    let pending_old = tx
        .queue_reply(&NewReply {
            message_id: m1,
            kind: Reply::Problems,
            recipient: ADA,
            sender: "team@example.org",
            rfc822_id: "r2@x",
            body: b"still to send",
            created_at: Utc::now(),
            questions_version: None,
        })
        .await
        .unwrap();
    let sent_recent = queue(&mut tx, m2, ADA, "r3@x", b"recent reply").await;
    for id in [sent_old, sent_recent] {
        sqlx::query("UPDATE outbox SET sent_at = $1 WHERE id = $2")
            .bind(super::ts(now))
            .bind(id)
            .execute(&mut *tx.inner)
            .await
            .unwrap();
    }
    // The delivery copies of both sent replies arrive today; the old
    // reply's goes with it.
    for (uid, id) in [(3, "r1@x"), (4, "r3@x")] {
        let copy = NewMessage {
            outcome: MessageOutcome::DeliveryCopy,
            ..mail(uid, "team@example.org", id, b"copy of a reply", now)
        };
        row(&mut tx, &copy).await;
    }
    tx.commit().await.unwrap();
    assert!(matches!(pending_old, Inserted::Row(_)));

    let cutoff = Retention { days: 30 }.cutoff(None, now).unwrap();
    let purged = store.purge(cutoff, now).await.unwrap();
    assert_eq!(
        purged,
        Purged {
            mails: 2,
            replies: 1,
            answers: 1,
            files: 0,
            held_answers: 1,
        }
    );
    let e = export(&store, ADA, now).await.unwrap();
    let raw: Vec<Option<&str>> = e
        .mails
        .iter()
        .map(|m| m.raw.as_ref().map(|r| r.data.as_str()))
        .collect();
    assert_eq!(raw, [None, Some("recent mail")]);
    assert!(e.mails[0].raw_purged_at.is_some());
    assert_eq!(e.mails[0].outcome, MessageOutcome::Answers, "the row stays");
    let bodies: Vec<Option<&str>> = e
        .replies
        .iter()
        .map(|r| r.message.as_ref().map(|b| b.data.as_str()))
        .collect();
    assert_eq!(bodies, [None, Some("still to send"), Some("recent reply")]);
    let app = e.application.unwrap();
    assert_eq!(
        (
            app.answers["region"].as_str(),
            app.answers["name"].as_str(),
            app.answers["why"].as_str()
        ),
        ("Europe", "Ada", "second try")
    );
    let mut history: Vec<(&str, &str)> = e
        .answer_history
        .iter()
        .map(|v| (v.question.as_str(), v.value.as_str()))
        .collect();
    history.sort();
    assert_eq!(
        history,
        [
            ("name", "Ada"),
            ("region", "Europe"),
            ("why", "first try"),
            ("why", "second try")
        ]
    );
    let copies: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT raw_purged_at FROM messages WHERE outcome = 'delivery-copy' ORDER BY uid",
    )
    .fetch_all(&store.pool)
    .await
    .unwrap();
    let copies: Vec<bool> = copies.iter().map(Option::is_some).collect();
    assert_eq!(copies, [true, false]);
    let held: Vec<&str> = e.held_answers.iter().map(|h| h.value.as_str()).collect();
    assert_eq!(held, ["recent"]);
    // The purged mail stays processed.
    let mut tx = store.begin().await.unwrap();
    assert!(tx.uid_seen("INBOX", 1, 1).await.unwrap());
    assert!(tx.identity_seen("a1@x").await.unwrap());
    drop(tx);
    // Purged once: a second purge finds nothing.
    assert_eq!(store.purge(cutoff, now).await.unwrap(), Purged::default());
    // The call closed ten days ago: nothing is due under 30 days.
    assert_eq!(
        Retention { days: 30 }.cutoff(Some(now - Duration::days(10)), now),
        None
    );
}
on_both!(retention_purges_old_raw_mail_and_superseded_answers_only);

/// Where `needle` (any ASCII case) is in the bytes of `file`.
fn in_file(file: &std::path::Path, needle: &str) -> bool {
    let bytes = std::fs::read(file).unwrap_or_default().to_ascii_lowercase();
    bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// The SQLite files keep no copy of an erased address: not in a free
/// page, not in the slack of a page, not in the WAL. Copies are made
/// before the erase too: a reply's row rewritten as it is leased and
/// sent, an answer replaced, a mail large enough for overflow pages.
#[tokio::test(flavor = "multi_thread")]
async fn the_sqlite_files_keep_no_copy_of_an_erased_address() {
    let (dir, store) = sqlite().await;
    two_applicants_and_a_bystander(&store).await;
    let now = Utc::now();
    let big = format!("From: {ADA}\r\n\r\n{}", "My long story.\r\n".repeat(2_000));
    let mut tx = store.begin().await.unwrap();
    let m = row(
        &mut tx,
        &mail(30, ADA, "a30@example.net", big.as_bytes(), now),
    )
    .await;
    let r = queue(&mut tx, m, ADA, "r30@team.example.org", big.as_bytes()).await;
    tx.commit().await.unwrap();
    for turn in 0..5 {
        let lease = store
            .take_lease(
                r,
                &format!("owner{turn}"),
                now,
                now + Duration::seconds(4),
                super::Resend::Now,
                Duration::seconds(3),
            )
            .await
            .unwrap()
            .unwrap();
        store
            .mark_attempt_failed(&lease, "421 try later", super::Failed::NotCounted, None)
            .await
            .unwrap();
    }
    store.erase(ADA).await.unwrap();
    let db = dir.path().join("t.db");
    for file in [
        db.clone(),
        db.with_extension("db-wal"),
        db.with_extension("db-shm"),
    ] {
        assert!(!in_file(&file, ADA), "{} holds the address", file.display());
    }
    // Still there for Linda: the grep looks where it should.
    assert!(in_file(&db, "linda@example.net"));
}
