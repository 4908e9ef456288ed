//! Fetching one message by UID, read response by response, so that a
//! refusal or a BYE for that message is told from a message gone.

use async_imap::imap_proto::{AttributeValue, Response, Status};
use chrono::{DateTime, Utc};

use super::{Conn, ImapMailbox, Session};
use crate::mailbox::Fetched;
use crate::mailbox::error::{Kind, MailboxError, Step, or_silent};

/// What is fetched of a message.
const WHOLE: &str = "(UID INTERNALDATE BODY.PEEK[])";

/// What is fetched of a message that cannot be had whole: its header, as
/// much of it as staff could need.
const HEAD: &str = "(UID INTERNALDATE BODY.PEEK[HEADER]<0.262144>)";

impl ImapMailbox {
    /// The message `uid` whole ([`crate::mailbox::Source::fetch`]).
    pub(super) async fn fetch_whole(&mut self, uid: u32) -> Result<Option<Fetched>, MailboxError> {
        let mut got = Got::default();
        let ended = self.fetch_into(uid, WHOLE, &mut got).await?;
        let unfetchable = |why: String| self.err(Kind::Unfetchable { uid, why });
        match ended {
            Ended::Ok if !got.seen => Ok(None),
            Ended::Ok => match got.body {
                Some(raw) => Ok(Some(Fetched {
                    uid,
                    raw,
                    internal_date: got.internal_date,
                })),
                None => Err(unfetchable("the server sent no content for it".into())),
            },
            // A server short of a resource says so for any message.
            Ended::Refused(server) if says_busy(&server) => Err(self.err(Kind::Refused {
                step: Step::Fetch,
                server,
            })),
            Ended::Refused(server) => Err(unfetchable(format!(
                "the server refused it: {}",
                or_silent(&server)
            ))),
            Ended::Bye(server) => Err(unfetchable(format!(
                "the server closed the connection in answer: {}",
                or_silent(&server)
            ))),
        }
    }

    /// The header of message `uid` ([`crate::mailbox::Source::fetch_head`]).
    pub(super) async fn fetch_header(&mut self, uid: u32) -> Result<Option<Fetched>, MailboxError> {
        let mut got = Got::default();
        match self.fetch_into(uid, HEAD, &mut got).await {
            Ok(_) => {}
            Err(e) if e.unfetchable_uid() == Some(uid) => {}
            Err(e) => return Err(e),
        }
        Ok(got.seen.then(|| Fetched {
            uid,
            raw: got.body.unwrap_or_default(),
            internal_date: got.internal_date,
        }))
    }

    /// Runs one UID FETCH of `items` for `uid` within the time limit.
    /// Whatever came for the UID is in `got`, however the command ended;
    /// an error is the connection's, or an answer that cannot be read.
    async fn fetch_into(
        &mut self,
        uid: u32,
        items: &str,
        got: &mut Got,
    ) -> Result<Ended, MailboxError> {
        let limit = self.config.timeout;
        let s = self.selected().await?;
        let mut news = false;
        let outcome = tokio::time::timeout(limit, read_fetch(s, uid, items, got, &mut news)).await;
        self.news |= news;
        if let Ok(Err(async_imap::error::Error::Io(e))) = &outcome
            && let Some(why) = unreadable(e)
        {
            self.conn = Conn::Closed;
            let why = why.to_string();
            return Err(self.err(Kind::Unfetchable { uid, why }));
        }
        let ended = self.settle(Step::Fetch, outcome)?;
        if matches!(ended, Ended::Bye(_)) {
            self.conn = Conn::Closed;
        }
        Ok(ended)
    }
}

/// What one UID FETCH brought for its UID.
#[derive(Debug, Default)]
struct Got {
    /// A FETCH response for the UID came.
    seen: bool,
    /// The first body section in it.
    body: Option<Vec<u8>>,
    internal_date: Option<DateTime<Utc>>,
}

/// How one UID FETCH ended.
#[derive(Debug)]
enum Ended {
    Ok,
    /// A tagged NO or BAD, with the server's words.
    Refused(String),
    /// A BYE, with the server's words: the server closed the connection.
    Bye(String),
}

/// Sends `UID FETCH uid items` and reads the answer response by response.
/// async-imap's own fetch ends its stream at the tagged answer and at a
/// BYE alike, and drops both: a NO, a BAD or Dovecot's BYE for a message
/// it cannot read would look like a message that vanished. `news` is set
/// when the server reports a change meanwhile.
async fn read_fetch(
    s: &mut Session,
    uid: u32,
    items: &str,
    got: &mut Got,
    news: &mut bool,
) -> async_imap::error::Result<Ended> {
    let tag = s.run_command(format!("UID FETCH {uid} {items}")).await?;
    loop {
        let Some(response) = s.read_response().await? else {
            return Err(async_imap::error::Error::ConnectionLost);
        };
        match response.parsed() {
            Response::Fetch(_, attributes) => {
                // Another message's flags, changed by another client.
                if !attributes
                    .iter()
                    .any(|a| matches!(a, AttributeValue::Uid(u) if *u == uid))
                {
                    continue;
                }
                got.seen = true;
                for a in attributes {
                    match a {
                        AttributeValue::BodySection { data: Some(d), .. } if got.body.is_none() => {
                            got.body = Some(d.to_vec());
                        }
                        AttributeValue::InternalDate(d) => got.internal_date = internal_date(d),
                        _ => {}
                    }
                }
            }
            Response::Done {
                tag: done,
                status,
                outcome,
            } if *done == tag => {
                let words = outcome.information.as_deref().unwrap_or_default();
                return Ok(match status {
                    Status::Ok => Ended::Ok,
                    _ => Ended::Refused(words.trim().to_string()),
                });
            }
            Response::Data {
                status: Status::Bye,
                outcome,
            } => {
                let words = outcome.information.as_deref().unwrap_or_default();
                return Ok(Ended::Bye(words.trim().to_string()));
            }
            _ => *news = true,
        }
    }
}

/// An IMAP INTERNALDATE (`"30-Nov-2026 03:16:15 +0000"`, the day maybe
/// space-padded).
fn internal_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_str(text.trim(), "%d-%b-%Y %H:%M:%S %z")
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// Why an answer async-imap could not take in is this message's own
/// doing, in words for staff; `None` for a failure of the connection.
fn unreadable(e: &std::io::Error) -> Option<&'static str> {
    let text = e.to_string();
    if text.contains("during parsing of") {
        Some("the server's answer for it could not be read as IMAP")
    } else if text == "incoming data too large" {
        Some("it is larger than the IMAP client can take (512 MiB)")
    } else {
        None
    }
}

/// A NO that says the server is short of something for the moment
/// (RFC 5530), not that the message is at fault.
fn says_busy(server: &str) -> bool {
    ["[UNAVAILABLE]", "[INUSE]"]
        .iter()
        .any(|code| server.starts_with(code))
}
