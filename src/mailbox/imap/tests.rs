//! The adapter against a scripted IMAP server on loopback: how the server
//! can refuse one message, and what the daemon is told each time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use super::*;
use crate::config::{Secret, Security};

/// What the server sends for one `UID FETCH <uid> <items>` under `tag`,
/// and whether it then closes the connection.
type Answer = dyn Fn(u32, &str, &str) -> (String, bool) + Send + Sync;

/// An IMAP server that answers LOGIN and SELECT (UIDVALIDITY 7) as
/// Dovecot does and each UID FETCH with `answer`; it counts SELECTs.
async fn server(answer: Arc<Answer>) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let selects = Arc::new(AtomicUsize::new(0));
    let counted = selects.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let (answer, selects) = (answer.clone(), counted.clone());
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"* OK IMAP4rev1 ready\r\n").await;
                while let Ok(Some(line)) = lines.next_line().await {
                    let words: Vec<&str> = line.splitn(4, ' ').collect();
                    let tag = words[0];
                    let (out, close) = match words.get(1..) {
                        Some(["LOGIN", ..]) => {
                            (format!("{tag} OK [CAPABILITY IMAP4rev1] in\r\n"), false)
                        }
                        Some(["SELECT", ..]) => {
                            selects.fetch_add(1, Ordering::SeqCst);
                            (
                                format!(
                                    "* 2 EXISTS\r\n* OK [UIDVALIDITY 7] UIDs valid\r\n{tag} OK [READ-WRITE] Select completed\r\n"
                                ),
                                false,
                            )
                        }
                        Some(["UID", "FETCH", rest]) => {
                            let (uid, items) = rest.split_once(' ').unwrap_or((rest, ""));
                            answer(uid.parse().unwrap_or(0), items, tag)
                        }
                        _ => (format!("{tag} BAD not scripted\r\n"), false),
                    };
                    if write.write_all(out.as_bytes()).await.is_err() || close {
                        break;
                    }
                }
            });
        }
    });
    (port, selects)
}

fn mailbox(port: u16) -> ImapMailbox {
    ImapMailbox::new(Imap {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        username: "team".into(),
        password: Secret::new("pw"),
        mailbox: "INBOX".into(),
        ca_file: None,
        timeout: Duration::from_secs(5),
        idle: false,
    })
}

const MAIL: &str = "From: Ada <ada@example.net>\r\nSubject: Hello\r\n\r\nHow do I apply?\r\n";

/// A FETCH response for `uid` with the whole mail, then `tag`'s OK.
fn whole(uid: u32, tag: &str) -> String {
    format!(
        "* 1 FETCH (UID {uid} INTERNALDATE \" 4-Apr-2022 10:00:00 +0200\" BODY[] {{{}}}\r\n{MAIL})\r\n{tag} OK Fetch completed\r\n",
        MAIL.len()
    )
}

/// Opens the mailbox and fetches `uid`.
async fn fetch(answer: Arc<Answer>, uid: u32) -> Result<Option<Fetched>, MailboxError> {
    let (port, _) = server(answer).await;
    let mut m = mailbox(port);
    assert_eq!(m.open().await.expect("open"), 7);
    m.fetch(uid).await
}

#[tokio::test]
async fn a_message_is_fetched_whole_with_its_arrival_time() {
    let got = fetch(Arc::new(|uid, _, tag| (whole(uid, tag), false)), 5)
        .await
        .expect("fetched")
        .expect("there");
    assert_eq!(got.uid, 5);
    assert_eq!(got.raw, MAIL.as_bytes());
    assert_eq!(
        got.internal_date.map(|d| d.to_rfc3339()),
        Some("2022-04-04T08:00:00+00:00".to_string())
    );
}

#[tokio::test]
async fn a_message_no_longer_there_is_none() {
    let got = fetch(
        Arc::new(|_, _, tag| (format!("{tag} OK Fetch completed\r\n"), false)),
        5,
    )
    .await;
    assert!(matches!(got, Ok(None)), "{got:?}");
}

/// Each way a server has of not handing over one message is that
/// message's failure, named with its UID and the server's words.
#[tokio::test]
async fn a_refusal_of_one_message_is_about_that_message() {
    let cases: [(&str, Arc<Answer>, &str); 4] = [
        (
            "a NO",
            Arc::new(|_, _, tag| (format!("{tag} NO [SERVERBUG] Internal error\r\n"), false)),
            "the server refused it: [SERVERBUG] Internal error",
        ),
        (
            // Dovecot's answer for a message it cannot read.
            "Dovecot's BYE",
            Arc::new(|uid, _, _| {
                (
                    format!(
                        "* 1 FETCH (UID {uid} INTERNALDATE \"04-Apr-2022 10:00:00 +0000\")\r\n* BYE FETCH failed: Internal error occurred.\r\n"
                    ),
                    true,
                )
            }),
            "the server closed the connection in answer: FETCH failed: Internal error occurred.",
        ),
        (
            "an answer that is not IMAP",
            Arc::new(|uid, _, _| (format!("* 1 FETCH (UID {uid} BODY[] {{x}}\r\n"), false)),
            "the server's answer for it could not be read as IMAP",
        ),
        (
            "no content",
            Arc::new(|uid, _, tag| {
                (
                    format!("* 1 FETCH (UID {uid})\r\n{tag} OK Fetch completed\r\n"),
                    false,
                )
            }),
            "the server sent no content for it",
        ),
    ];
    for (name, answer, why) in cases {
        let e = fetch(answer, 5).await.expect_err(name);
        assert_eq!(e.unfetchable_uid(), Some(5), "{name}: {e}");
        let shown = e.to_string();
        assert!(shown.starts_with("IMAP 127.0.0.1:"), "{name}: {shown}");
        assert!(
            shown.ends_with(&format!(": UID 5 could not be fetched: {why}")),
            "{name}: {shown}"
        );
        assert!(e.is_transient(), "{name}");
    }
}

#[tokio::test]
async fn a_server_short_of_a_resource_is_not_the_messages_fault() {
    let e = fetch(
        Arc::new(|_, _, tag| (format!("{tag} NO [UNAVAILABLE] try later\r\n"), false)),
        5,
    )
    .await
    .expect_err("refused");
    assert_eq!(e.unfetchable_uid(), None, "{e}");
    assert!(e.is_transient());
}

/// After a BYE the next command needs a new connection with the folder
/// selected again; the header fetch gives what the server still has.
#[tokio::test]
async fn after_a_bye_the_folder_is_selected_again_for_the_header() {
    let answer: Arc<Answer> = Arc::new(|uid, items, tag| {
        if items.contains("HEADER") {
            let head = "From: Bo <bo@example.net>\r\nSubject: Broken\r\n\r\n";
            (
                format!(
                    "* 1 FETCH (UID {uid} INTERNALDATE \"04-Apr-2022 10:00:00 +0000\" BODY[HEADER]<0> {{{}}}\r\n{head})\r\n{tag} OK done\r\n",
                    head.len()
                ),
                false,
            )
        } else {
            ("* BYE FETCH failed\r\n".to_string(), true)
        }
    });
    let (port, selects) = server(answer).await;
    let mut m = mailbox(port);
    m.open().await.expect("open");
    let e = m.fetch(5).await.expect_err("BYE");
    assert_eq!(e.unfetchable_uid(), Some(5));
    let head = m.fetch_head(5).await.expect("head").expect("some");
    assert_eq!(selects.load(Ordering::SeqCst), 2, "selected again");
    assert_eq!(
        head.raw,
        b"From: Bo <bo@example.net>\r\nSubject: Broken\r\n\r\n"
    );
    assert!(head.internal_date.is_some());
    // A wait after a BYE listens on the folder, not on a bare login.
    m.fetch(5).await.expect_err("BYE");
    m.wait(Duration::ZERO).await.expect("waited");
    assert_eq!(selects.load(Ordering::SeqCst), 3, "selected before waiting");
}

/// Mail that arrives while a message is fetched is news for the IDLE
/// that follows, as async-imap's own fetch would have queued it.
#[tokio::test]
async fn news_during_a_fetch_is_kept_for_the_next_wait() {
    let (port, _) = server(Arc::new(|uid, _, tag| {
        (format!("* 3 EXISTS\r\n{}", whole(uid, tag)), false)
    }))
    .await;
    let mut m = mailbox(port);
    m.open().await.expect("open");
    assert!(!m.news);
    m.fetch(5).await.expect("fetched").expect("there");
    assert!(m.news, "the EXISTS is news");
    m.open().await.expect("open");
    assert!(!m.news, "a new SELECT and search cover it");
}
