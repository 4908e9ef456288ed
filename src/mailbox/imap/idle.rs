//! Waiting for news: IDLE (RFC 2177) when the server offers it, renewed
//! before servers log a client off; polling otherwise.

use std::time::{Duration, Instant};

use async_imap::extensions::idle::IdleResponse;

use super::{Conn, ImapMailbox, News};
use crate::mailbox::Wake;
use crate::mailbox::error::{Kind, MailboxError, Step};

/// An IDLE is ended and issued afresh after this long: RFC 2177 asks
/// clients to do so within 29 minutes, as servers may log them off at 30.
pub const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);

impl ImapMailbox {
    /// [`crate::mailbox::Source::wait`]: until news, or `poll` (IDLE:
    /// its renewal) has passed.
    pub(super) async fn wait_for_news(&mut self, poll: Duration) -> Result<Wake, MailboxError> {
        if matches!(self.conn, Conn::Ready(_) | Conn::Closed) {
            // Connect first: only a logged-in session knows about IDLE,
            // and only one with the folder selected hears of its news.
            self.selected().await?;
            if self.config.idle && !self.offers_idle && !self.said_no_idle {
                self.said_no_idle = true;
                tracing::info!("the server does not offer IDLE; polling instead");
            }
            if !self.config.idle || !self.offers_idle || self.idle_refused {
                tokio::time::sleep(poll).await;
                return Ok(Wake::Elapsed);
            }
            if self.start_idle().await? {
                return Ok(Wake::Changed);
            }
        }
        let host = format!("{}:{}", self.config.host, self.config.port);
        let Conn::Idling {
            handle,
            since,
            news,
        } = &mut self.conn
        else {
            return Ok(Wake::Changed);
        };
        if has_news(news) {
            return Ok(Wake::Changed);
        }
        let Some(left) = IDLE_RENEW.checked_sub(since.elapsed()) else {
            return Ok(Wake::Elapsed);
        };
        // The stop source must live while waiting: dropping it interrupts.
        let (waiting, _stop) = handle.wait_with_timeout(left);
        // async-imap restarts its timer on every response, keep-alives
        // included: hold the whole wait to `left` as well.
        let outcome = tokio::time::timeout(left, waiting).await;
        let lost = |cause: String| {
            MailboxError::new(
                host.clone(),
                Kind::Lost {
                    step: Step::Idle,
                    cause,
                },
            )
        };
        let result = match outcome {
            Err(_) | Ok(Ok(IdleResponse::Timeout)) => return Ok(Wake::Elapsed),
            Ok(Ok(IdleResponse::NewData(_))) => return Ok(Wake::Changed),
            // With the stop source alive, only the end of the stream
            // interrupts.
            Ok(Ok(IdleResponse::ManualInterrupt)) => lost("closed by the server".into()),
            Ok(Err(async_imap::error::Error::Io(e))) => lost(e.to_string()),
            Ok(Err(_)) => lost("an answer that could not be read".into()),
        };
        self.conn = Conn::Closed;
        Err(result)
    }

    /// Enters IDLE on the current session. `Ok(true)` when news came
    /// before or with the server's go-ahead (look now).
    async fn start_idle(&mut self) -> Result<bool, MailboxError> {
        let limit = self.config.timeout;
        let fetched_news = std::mem::take(&mut self.news);
        let session = self.session().await?;
        let news = session.unsolicited_responses.clone();
        if has_news(&news) || fetched_news {
            return Ok(true);
        }
        let Conn::Ready(session) = std::mem::take(&mut self.conn) else {
            return Ok(true);
        };
        let mut handle = session.idle();
        match tokio::time::timeout(limit, handle.init()).await {
            Ok(Ok(())) => {}
            // async-imap turns a BAD into a ConnectionRefused with the
            // server's words, and the end of the stream into one without.
            Ok(Err(async_imap::error::Error::Io(e)))
                if e.kind() == std::io::ErrorKind::ConnectionRefused
                    && !e.to_string().is_empty() =>
            {
                tracing::warn!(server = %e, "the server refused IDLE; polling instead");
                self.idle_refused = true;
                return Ok(true);
            }
            Ok(Err(e)) => return Err(self.failed(Step::Idle, e)),
            Err(_) => {
                return Err(self.err(Kind::Timeout {
                    step: Step::Idle,
                    after: limit,
                }));
            }
        }
        let news_now = has_news(&news);
        self.conn = Conn::Idling {
            handle,
            since: Instant::now(),
            news,
        };
        Ok(news_now)
    }
}

/// Whether the session queued word of a change (EXISTS, RECENT, EXPUNGE
/// or other) since last asked: mail may have come in meanwhile.
fn has_news(news: &News) -> bool {
    let mut any = false;
    while news.try_recv().is_ok() {
        any = true;
    }
    any
}
