//! The team mailbox: what the daemon needs of it (`Source`), and its IMAP
//! implementation (async-imap over tokio, TLS by tokio-rustls).
//!
//! Messages are read with `BODY.PEEK[]` so that the \Seen flag, which staff
//! use, is left alone; which messages were processed is kept in the database.

use std::time::Duration;

use chrono::{DateTime, Utc};

mod error;
mod imap;

pub use error::MailboxError;
pub use imap::{GREETING_TIMEOUT, IDLE_RENEW, ImapMailbox};

/// A fetched message.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub uid: u32,
    pub raw: Vec<u8>,
    pub internal_date: Option<DateTime<Utc>>,
}

/// Why [`Source::wait`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wake {
    /// The server reported a change (new mail, most likely).
    Changed,
    /// The time to wait ran out; look anyway.
    Elapsed,
}

/// What the daemon needs of a mailbox. Narrow, so that it can be replaced.
pub trait Source {
    /// Selects the mailbox and returns its UIDVALIDITY.
    fn open(&mut self) -> impl Future<Output = Result<u32, MailboxError>> + Send;
    /// UIDs above `after`, ascending.
    fn uids_after(
        &mut self,
        after: u32,
    ) -> impl Future<Output = Result<Vec<u32>, MailboxError>> + Send;
    /// The whole message, or `None` if it vanished meanwhile. An error
    /// with [`MailboxError::unfetchable_uid`] is about this one message.
    fn fetch(
        &mut self,
        uid: u32,
    ) -> impl Future<Output = Result<Option<Fetched>, MailboxError>> + Send;
    /// What can still be had of a message [`Source::fetch`] cannot get,
    /// for staff: its header (`raw`, maybe empty) and arrival time, as far
    /// as the server hands them over; `None` when it gives nothing. An
    /// error is the connection's, never the message's.
    fn fetch_head(
        &mut self,
        uid: u32,
    ) -> impl Future<Output = Result<Option<Fetched>, MailboxError>> + Send {
        let _ = uid;
        async { Ok(None) }
    }
    /// Waits until the mailbox may hold new mail: until the server says so
    /// where it can push (IMAP IDLE, RFC 2177), else for `poll`. Dropping
    /// the future is safe: a later call or command picks up from there.
    fn wait(&mut self, poll: Duration) -> impl Future<Output = Result<Wake, MailboxError>> + Send;
}
