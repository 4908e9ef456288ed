//! The processing loop: take in new mail as soon as the mailbox reports it
//! (IMAP IDLE) or every `poll_seconds`, send each reply as soon as it is
//! queued, and ride out outages; until shutdown, or an error only a person
//! can fix.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use tokio::time::Instant;

use crate::mailbox::{MailboxError, Source};
use crate::outbox::{self, FlushError, Flushed, Transport};
use crate::pipeline::{Outcome, Pipeline, PipelineError};

mod link;
#[cfg(test)]
mod tests;

use link::{DEFERRAL, Link, OUTAGE};

/// How many messages between two progress lines in a long backlog.
const PROGRESS_EVERY: usize = 100;

/// How often the queue is looked at besides right after each reply is
/// queued: for replies this process could not take (another held them, or
/// one killed mid-send whose lease must lapse first) or did not queue.
const OUTBOX_SWEEP: Duration = Duration::from_secs(2);

/// How long the message in hand and the queued replies may take after
/// SIGTERM or SIGINT. With the logout after it (at most 2 s), `run`
/// returns within 10 s of the signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(7);

#[derive(Debug, thiserror::Error)]
pub enum CycleError {
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error(transparent)]
    Flush(#[from] FlushError),
}

/// What one cycle did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct CycleReport {
    pub processed: usize,
    pub outcomes: Vec<Outcome>,
    pub flushed: Flushed,
}

/// One full cycle, for `once`. Replies already queued are sent even when
/// the mailbox is unreachable, and new mail is processed even when SMTP is
/// down; a mailbox error is reported before a sending error.
pub async fn cycle<S: Source, T: Transport>(
    pipeline: &Pipeline,
    source: &mut S,
    transport: &T,
) -> Result<CycleReport, CycleError> {
    let mut report = CycleReport::default();
    let taken = take_in(
        pipeline,
        source,
        &mut report,
        &AtomicBool::new(false),
        async || Ok(()),
    )
    .await;
    let flushed = outbox::flush(&pipeline.store, transport).await;
    taken?;
    report.flushed = flushed?;
    Ok(report)
}

/// Fetches and processes the new messages, calling `after_each` after each
/// one. Stops before the next message once `stopping` is set.
async fn take_in<S: Source>(
    pipeline: &Pipeline,
    source: &mut S,
    report: &mut CycleReport,
    stopping: &AtomicBool,
    mut after_each: impl AsyncFnMut() -> Result<(), CycleError>,
) -> Result<(), CycleError> {
    let mailbox = pipeline.config.imap.mailbox.clone();
    let uidvalidity = source.open().await?;
    // The backfill window counts from the first opening, not from the
    // first mail processed (which may come days later).
    pipeline
        .store
        .note_first_open(&mailbox, Utc::now())
        .await
        .map_err(PipelineError::from)?;
    let last = pipeline
        .store
        .last_uid(&mailbox, uidvalidity)
        .await
        .map_err(PipelineError::from)?;
    // Mail delivered before this is in the answer to the search below.
    let looked = Utc::now();
    let uids = source.uids_after(last).await?;
    if !uids.is_empty() {
        tracing::debug!(count = uids.len(), "new messages");
    }
    let total = uids.len();
    for (done, uid) in uids.into_iter().enumerate() {
        // A long backlog (a first start on a full mailbox) shows progress.
        if total >= PROGRESS_EVERY && done > 0 && done % PROGRESS_EVERY == 0 {
            tracing::info!(done, total, "working through the mailbox");
        }
        crate::notify::alive();
        if stopping.load(Ordering::SeqCst) {
            tracing::info!("stopping: the rest of the new mail waits for the next start");
            break;
        }
        let started = std::time::Instant::now();
        let Some(fetched) = source.fetch(uid).await? else {
            continue;
        };
        tracing::debug!(
            uid,
            bytes = fetched.raw.len(),
            ms = started.elapsed().as_millis() as u64,
            "fetched"
        );
        let outcome = pipeline
            .process(&mailbox, uidvalidity, fetched, Utc::now())
            .await?;
        report.processed += 1;
        report.outcomes.push(outcome);
        after_each().await?;
    }
    if !stopping.load(Ordering::SeqCst) {
        // Every mail there at `looked` is processed: a delivery copy not
        // among them had not arrived (see `outbox::COPY_WAIT`).
        pipeline
            .store
            .note_caught_up(&mailbox, looked)
            .await
            .map_err(PipelineError::from)?;
    }
    Ok(())
}

/// The one info line of a turn that took in mail: counts only, no
/// addresses or subjects (those are at debug level, per message).
fn log_counts(report: &CycleReport) {
    let count = |f: fn(&Outcome) -> bool| report.outcomes.iter().filter(|o| f(o)).count();
    tracing::info!(
        processed = report.processed,
        replied = count(|o| matches!(o, Outcome::Replied(_))),
        listed = count(|o| matches!(o, Outcome::Attention(_))),
        duplicates = count(|o| matches!(o, Outcome::Duplicate)),
        quiet = count(|o| matches!(o, Outcome::Quiet | Outcome::AlreadyProcessed)),
        delivery_copies = count(|o| matches!(o, Outcome::DeliveryCopy)),
        "new mail processed"
    );
}

/// What the loop depends on, each up or down with its own retry time.
#[derive(Debug)]
struct Links {
    imap: Link,
    smtp: Link,
    database: Link,
    /// Replies the SMTP server deferred (4xx) are retried on this.
    deferred: Link,
    /// Replies in doubt wait for their delivery copy: the mailbox is
    /// looked at on every sweep until they are settled, copy or not.
    awaiting_copies: bool,
}

impl Links {
    fn new() -> Self {
        Self {
            imap: Link::new(Some("IMAP"), OUTAGE),
            smtp: Link::new(Some("SMTP"), OUTAGE),
            database: Link::new(Some("database"), OUTAGE),
            deferred: Link::new(None, DEFERRAL),
            awaiting_copies: false,
        }
    }

    /// The earliest retry time still to come. One already past is acted
    /// on at the next turn unless another link blocks it, whose time this
    /// then is (waiting on a past time would spin).
    fn next_retry(&self) -> Option<Instant> {
        let now = Instant::now();
        [&self.imap, &self.smtp, &self.database, &self.deferred]
            .iter()
            .filter_map(|l| l.retry_at())
            .filter(|t| *t > now)
            .min()
    }
}

/// Runs until `shutdown` completes (then returns `Ok` within
/// [`SHUTDOWN_GRACE`]), or until an error only a person can fix: a
/// permanent mailbox error (login refused, folder missing, certificate not
/// trusted) or an SMTP login or TLS refusal. Transient errors are retried
/// with capped exponential backoff and jitter, logged once when a server
/// goes down and once when it is back.
///
/// New mail is looked for when `source.wait` says so (IMAP IDLE, RFC 2177)
/// or every `poll` otherwise; each reply is sent as soon as it is queued,
/// and the queue is looked at every [`OUTBOX_SWEEP`] besides.
pub async fn run<S: Source, T: Transport>(
    pipeline: &Pipeline,
    source: &mut S,
    transport: &T,
    poll: Duration,
    shutdown: impl Future<Output = ()>,
) -> Result<(), CycleError> {
    tokio::pin!(shutdown);
    let stopping = AtomicBool::new(false);
    let mut links = Links::new();
    let mut look = true;
    let mut next_poll = Instant::now() + poll;
    loop {
        crate::notify::alive();
        if look {
            next_poll = Instant::now() + poll;
        }
        {
            let work = turn(pipeline, source, transport, &mut links, look, &stopping);
            tokio::pin!(work);
            tokio::select! {
                r = &mut work => r?,
                () = &mut shutdown => {
                    stopping.store(true, Ordering::SeqCst);
                    tracing::info!("shutting down: finishing the message in hand");
                    let end = Instant::now() + SHUTDOWN_GRACE;
                    let _ = tokio::time::timeout_at(end, work).await;
                    return drain(pipeline, transport, end).await;
                }
            }
        }
        look = false;
        let sweep = Instant::now() + OUTBOX_SWEEP;
        let retry = links.next_retry().map_or(sweep, |r| r.min(sweep));
        let waiting = links.imap.is_up() && links.database.is_up();
        let poll_left = next_poll.saturating_duration_since(Instant::now());
        tokio::select! {
            woke = source.wait(poll_left), if waiting => match woke {
                Ok(wake) => {
                    tracing::debug!(?wake, "looking for new mail");
                    look = true;
                }
                Err(e) if e.is_permanent() => return Err(e.into()),
                Err(e) => {
                    links.imap.down(&e);
                }
            },
            () = tokio::time::sleep_until(retry) => {
                look = !links.imap.is_up() || !links.database.is_up() || links.awaiting_copies;
            }
            () = &mut shutdown => {
                stopping.store(true, Ordering::SeqCst);
                tracing::info!("shutting down");
                return drain(pipeline, transport, Instant::now() + SHUTDOWN_GRACE).await;
            }
        }
    }
}

/// One turn of the loop: take in new mail if `look` (and the mailbox and
/// database are due), sending each reply at once; then send whatever else
/// waits. `Err` only for what a person must fix.
async fn turn<S: Source, T: Transport>(
    pipeline: &Pipeline,
    source: &mut S,
    transport: &T,
    links: &mut Links,
    look: bool,
    stopping: &AtomicBool,
) -> Result<(), CycleError> {
    if look && links.imap.is_due() && links.database.is_due() {
        let mut report = CycleReport::default();
        let taken = take_in(pipeline, source, &mut report, stopping, async || {
            send(pipeline, transport, links).await
        })
        .await;
        match taken {
            Ok(()) => {
                links.imap.up();
                links.database.up();
                if report.processed > 0 {
                    log_counts(&report);
                }
            }
            Err(CycleError::Mailbox(e)) if e.is_transient() => {
                links.imap.down(&e);
            }
            Err(CycleError::Pipeline(e)) => {
                links.database.down(&e);
            }
            Err(e) => return Err(e),
        }
    }
    // The rest of the queue; while the server's deferrals (4xx) wait their
    // turn, only a new reply or an outage's retry looks at it.
    if links.deferred.is_due() || !links.smtp.is_up() {
        send(pipeline, transport, links).await?;
    }
    Ok(())
}

/// Sends the queued replies, unless SMTP or the database is down and not
/// due for a retry. `Err` only for an SMTP login or TLS refusal.
async fn send<T: Transport>(
    pipeline: &Pipeline,
    transport: &T,
    links: &mut Links,
) -> Result<(), CycleError> {
    if !links.smtp.is_due() || !links.database.is_due() {
        return Ok(());
    }
    match outbox::flush(&pipeline.store, transport).await {
        Ok(flushed) => {
            links.smtp.up();
            links.database.up();
            links.awaiting_copies = flushed.in_doubt > 0;
            if flushed.deferred > 0 {
                links.deferred.down(&"replies deferred");
            } else {
                links.deferred.up();
            }
            Ok(())
        }
        Err(FlushError::Transport { error, unsent }) if error.is_transient() => {
            if links.smtp.down(&error) {
                tracing::info!(unsent, "replies wait in the queue");
            }
            Ok(())
        }
        Err(FlushError::Store(e)) => {
            links.database.down(&e);
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// After a shutdown signal: send what is queued, until `end`.
async fn drain<T: Transport>(
    pipeline: &Pipeline,
    transport: &T,
    end: Instant,
) -> Result<(), CycleError> {
    match tokio::time::timeout_at(end, outbox::flush(&pipeline.store, transport)).await {
        Ok(Ok(flushed)) if flushed.sent > 0 => {
            tracing::info!(sent = flushed.sent, "queued replies sent");
        }
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "replies left queued for the next start"),
        Err(_) => tracing::warn!("out of time: replies left queued for the next start"),
    }
    tracing::info!("shutting down");
    Ok(())
}
