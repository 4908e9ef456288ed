//! The daemon: two loops side by side, one taking in new mail as soon as
//! the mailbox reports it (IMAP IDLE) or every `poll_seconds`, the other
//! sending each reply as soon as it is queued; each rides out its own
//! outages, until shutdown or an error only a person can fix.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

use crate::mailbox::{MailboxError, Source};
use crate::outbox::{self, FlushError, Flushed, Transport};
use crate::pipeline::{Outcome, Pipeline, PipelineError};

mod link;
pub mod reload;
pub mod retention;
#[cfg(test)]
mod tests;
mod unfetchable;

pub(crate) use link::DEFERRAL;
use link::{Link, OUTAGE};

/// How many messages between two progress lines in a long backlog.
const PROGRESS_EVERY: usize = 100;

/// How often the queue is looked at besides right after each reply is
/// queued: for replies this process could not take (another held them, or
/// one killed mid-send whose lease must lapse first), did not queue, or
/// that the server deferred and are due again.
const OUTBOX_SWEEP: Duration = Duration::from_secs(2);

/// The longest the intake waits without turning (an IDLE lasts up to
/// 25 minutes), so that the watchdog hears from it.
const HEARTBEAT: Duration = Duration::from_secs(15);

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
    let never = watch::channel(false).1;
    let taken = take_in(pipeline, source, &mut report, &never, |_| {}).await;
    let flushed = outbox::flush(&pipeline.store, transport, &pipeline.config().imap.mailbox).await;
    taken?;
    report.flushed = flushed?;
    Ok(report)
}

/// Fetches and processes the new messages, calling `after_each` with the
/// outcome of each one. Stops before the next message once `stopping`
/// holds true.
async fn take_in<S: Source>(
    pipeline: &Pipeline,
    source: &mut S,
    report: &mut CycleReport,
    stopping: &watch::Receiver<bool>,
    mut after_each: impl FnMut(&Outcome),
) -> Result<(), CycleError> {
    let mailbox = pipeline.config().imap.mailbox.clone();
    // Mail delivered before this is in the answer to the search below: read
    // before the SELECT, as a server's search need not see mail delivered
    // after it (Dovecot's does not). The database's clock, as for the
    // leases it is weighed against.
    let looked = pipeline.store.clock().await.map_err(PipelineError::from)?;
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
        crate::notify::alive(crate::notify::Loop::Intake);
        if *stopping.borrow() {
            tracing::info!("stopping: the rest of the new mail waits for the next start");
            break;
        }
        let started = std::time::Instant::now();
        let fetched = match source.fetch(uid).await {
            Ok(Some(fetched)) => fetched,
            Ok(None) => continue,
            Err(e) => {
                let outcome =
                    unfetchable::give_up_or_retry(pipeline, source, &mailbox, uidvalidity, uid, e)
                        .await?;
                after_each(&outcome);
                report.processed += 1;
                report.outcomes.push(outcome);
                continue;
            }
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
        after_each(&outcome);
        report.processed += 1;
        report.outcomes.push(outcome);
    }
    if !*stopping.borrow() {
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

/// Runs until `shutdown` completes (then returns `Ok` within
/// [`SHUTDOWN_GRACE`]), or until an error only a person can fix: a
/// permanent mailbox error (login refused, folder missing, certificate not
/// trusted) or an SMTP login or TLS refusal. Transient errors are retried
/// with capped exponential backoff and jitter, logged once when a server
/// goes down and once when it is back.
///
/// Taking in mail and sending replies are two loops side by side, so that
/// a slow or silent SMTP server never holds up new mail. New mail is
/// looked for when `source.wait` says so (IMAP IDLE, RFC 2177) or every
/// `poll` otherwise; each reply is sent as soon as it is queued, and the
/// queue is looked at every [`OUTBOX_SWEEP`] besides. Beside them, the
/// questions file is watched ([`reload`]): a changed file is put in force
/// for the next mail, a broken one refused with an error in the log.
pub async fn run<S: Source, T: Transport>(
    pipeline: &Pipeline,
    source: &mut S,
    transport: &T,
    poll: Duration,
    shutdown: impl Future<Output = ()>,
) -> Result<(), CycleError> {
    let (stop, stopping) = watch::channel(false);
    // Both loops use the database: one state, so that an outage is
    // logged once, whichever loop meets it.
    let database = Mutex::new(Link::new(Some("database"), OUTAGE));
    let queued = Notify::new();
    // Set by the sender while replies in doubt wait for their delivery
    // copy: the intake then looks at the mailbox every sweep, so that
    // they are settled, copy or not, even when no mail comes.
    let (awaiting_copies, copies) = watch::channel(false);
    let loops = async {
        tokio::try_join!(
            intake(
                pipeline,
                source,
                poll,
                &database,
                &queued,
                copies,
                stopping.clone()
            ),
            sender(
                pipeline,
                transport,
                &database,
                &queued,
                &awaiting_copies,
                stopping.clone()
            ),
            async {
                reload::watch_questions(pipeline, stopping.clone()).await;
                Ok(())
            },
        )
        .map(|_| ())
    };
    tokio::pin!(loops, shutdown);
    tokio::select! {
        // Before a shutdown, the loops end only on an error.
        ended = &mut loops => return ended,
        () = &mut shutdown => {}
    }
    stop.send_replace(true);
    tracing::info!(
        "shutting down: no new mail taken; finishing the message in hand and sending the queue"
    );
    let end = Instant::now() + SHUTDOWN_GRACE;
    // Out of time, the loops are dropped and the drain says so.
    if let Ok(Err(e)) = tokio::time::timeout_at(end, loops).await {
        tracing::warn!(error = %e, "while shutting down");
    }
    drain(pipeline, transport, end).await;
    tracing::info!("stopped");
    Ok(())
}

/// Locks the shared database link. A panic elsewhere while it was held
/// cannot leave it half-changed (each change is one call), so a poisoned
/// lock is used as it is.
fn lock(link: &Mutex<Link>) -> std::sync::MutexGuard<'_, Link> {
    link.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Takes in new mail when the mailbox says so or every `poll` (every
/// [`OUTBOX_SWEEP`] while `copies` says replies in doubt await their
/// delivery copy), until `stopping`; wakes the sender for each message
/// that may have queued a reply or settled one. `Err` only for what a
/// person must fix.
async fn intake<S: Source>(
    pipeline: &Pipeline,
    source: &mut S,
    poll: Duration,
    database: &Mutex<Link>,
    queued: &Notify,
    mut copies: watch::Receiver<bool>,
    mut stopping: watch::Receiver<bool>,
) -> Result<(), CycleError> {
    let mut imap = Link::new(Some("IMAP"), OUTAGE);
    let mut look = true;
    let mut next_poll = Instant::now() + poll;
    loop {
        crate::notify::alive(crate::notify::Loop::Intake);
        if *stopping.borrow() {
            return Ok(());
        }
        if look {
            next_poll = Instant::now() + poll;
        }
        if look && imap.is_due() && lock(database).is_due() {
            let mut report = CycleReport::default();
            let taken = take_in(pipeline, source, &mut report, &stopping, |outcome| {
                if matches!(outcome, Outcome::Replied(_) | Outcome::Attention(_)) {
                    queued.notify_one();
                }
            })
            .await;
            match taken {
                Ok(()) => {
                    imap.up();
                    lock(database).up();
                    if report.processed > 0 {
                        log_counts(&report);
                    }
                    if *copies.borrow() {
                        // The mailbox was looked at: a reply in doubt may
                        // be settled, or due to go again.
                        queued.notify_one();
                    }
                }
                Err(CycleError::Mailbox(e)) if e.is_transient() => {
                    imap.down(&e);
                }
                Err(CycleError::Pipeline(e)) => {
                    lock(database).down(&e);
                }
                Err(e) => return Err(e),
            }
        }
        look = false;
        let (waiting, retry) = {
            let database = lock(database);
            let waiting = imap.is_up() && database.is_up();
            (waiting, earliest(&[&imap, &database]))
        };
        let awaiting = *copies.borrow_and_update();
        let next_turn = Instant::now() + if awaiting { OUTBOX_SWEEP } else { HEARTBEAT };
        let poll_left = next_poll.saturating_duration_since(Instant::now());
        tokio::select! {
            woke = source.wait(poll_left), if waiting => match woke {
                Ok(wake) => {
                    tracing::debug!(?wake, "looking for new mail");
                    look = true;
                }
                Err(e) if e.is_permanent() => return Err(e.into()),
                Err(e) => {
                    imap.down(&e);
                }
            },
            () = tokio::time::sleep_until(retry.map_or(next_turn, |r| r.min(next_turn))) => {
                look = !waiting || awaiting;
            }
            // Replies came into doubt (or were settled): the next turn
            // comes sooner (or later).
            Ok(()) = copies.changed() => {}
            _ = stopping.wait_for(|s| *s) => return Ok(()),
        }
    }
}

/// Sends the queue when the intake queued a reply and every
/// [`OUTBOX_SWEEP`], until `stopping`; says in `awaiting_copies` whether
/// replies in doubt wait for their delivery copy. `Err` only for an SMTP
/// login or TLS refusal.
async fn sender<T: Transport>(
    pipeline: &Pipeline,
    transport: &T,
    database: &Mutex<Link>,
    queued: &Notify,
    awaiting_copies: &watch::Sender<bool>,
    mut stopping: watch::Receiver<bool>,
) -> Result<(), CycleError> {
    let mut smtp = Link::new(Some("SMTP"), OUTAGE);
    let mut copies = CopyWatch::new(transport.delivery_copy());
    loop {
        crate::notify::alive(crate::notify::Loop::Sender);
        if *stopping.borrow() {
            return Ok(());
        }
        send(pipeline, transport, &mut smtp, database, awaiting_copies).await?;
        copies.look(pipeline).await;
        let sweep = Instant::now() + OUTBOX_SWEEP;
        let retry = earliest(&[&smtp, &lock(database)]);
        tokio::select! {
            () = queued.notified() => {}
            () = tokio::time::sleep_until(retry.map_or(sweep, |r| r.min(sweep))) => {}
            _ = stopping.wait_for(|s| *s) => return Ok(()),
        }
    }
}

/// Replies sent this long ago should have had their delivery copy.
const COPY_LATE: chrono::Duration = chrono::Duration::minutes(10);

/// Watches whether delivery copies reach the watched mailbox at all (they
/// do not when the team address delivers elsewhere, or the provider drops
/// a Bcc to oneself), and says so once: proof of delivery then does
/// nothing, and a reply cut off mid-send may go twice.
struct CopyWatch {
    /// Off when no copies are sent, or once it has warned.
    on: bool,
    next: Instant,
}

impl CopyWatch {
    /// How often the database is asked.
    const EVERY: Duration = Duration::from_secs(60);

    fn new(on: bool) -> Self {
        Self {
            on,
            next: Instant::now() + Self::EVERY,
        }
    }

    async fn look(&mut self, pipeline: &Pipeline) {
        if !self.on || Instant::now() < self.next {
            return;
        }
        self.next = Instant::now() + Self::EVERY;
        let Ok(now) = pipeline.store.clock().await else {
            return;
        };
        if let Ok((missing, seen)) = pipeline.store.delivery_copies(now - COPY_LATE).await
            && copies_lost(missing, seen)
        {
            self.on = false;
            tracing::warn!(
                replies = missing,
                mailbox = %pipeline.config().imap.mailbox,
                "no delivery copy of the replies sent so far has reached the watched mailbox: check that intake.address (or smtp.delivery_copy) delivers into imap.mailbox; until then a reply cut off mid-send may be sent twice"
            );
        }
    }
}

/// Copies look lost: none ever arrived, and several are late. Pure.
fn copies_lost(late: i64, seen: i64) -> bool {
    seen == 0 && late >= 3
}

/// The earliest retry time still to come among `links`. One already past
/// is acted on at the next turn unless another link blocks it, whose time
/// this then is (waiting on a past time would spin).
fn earliest(links: &[&Link]) -> Option<Instant> {
    let now = Instant::now();
    links
        .iter()
        .filter_map(|l| l.retry_at())
        .filter(|t| *t > now)
        .min()
}

/// Sends the replies that are due, unless SMTP or the database is down
/// and not due for a retry. `Err` only for an SMTP login or TLS refusal.
async fn send<T: Transport>(
    pipeline: &Pipeline,
    transport: &T,
    smtp: &mut Link,
    database: &Mutex<Link>,
    awaiting_copies: &watch::Sender<bool>,
) -> Result<(), CycleError> {
    if !smtp.is_due() || !lock(database).is_due() {
        return Ok(());
    }
    match outbox::flush(&pipeline.store, transport, &pipeline.config().imap.mailbox).await {
        Ok(flushed) => {
            lock(database).up();
            awaiting_copies.send_if_modified(|awaiting| {
                let now = flushed.in_doubt > 0;
                std::mem::replace(awaiting, now) != now
            });
            // Only an attempt shows that the server is back; a queue whose
            // replies are all deferred till later tried nothing.
            if tried(&flushed) {
                smtp.up();
            }
            Ok(())
        }
        Err(FlushError::Transport { error, unsent }) if error.is_transient() => {
            if smtp.down(&error) {
                tracing::info!(unsent, "replies wait in the queue");
            }
            Ok(())
        }
        Err(FlushError::Store(e)) => {
            lock(database).down(&e);
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// Whether a flush reached the server.
fn tried(flushed: &Flushed) -> bool {
    flushed.sent + flushed.failed + flushed.deferred > 0
}

/// After a shutdown signal, once both loops ended: send what is queued,
/// until `end`.
async fn drain<T: Transport>(pipeline: &Pipeline, transport: &T, end: Instant) {
    match tokio::time::timeout_at(
        end,
        outbox::flush(&pipeline.store, transport, &pipeline.config().imap.mailbox),
    )
    .await
    {
        Ok(Ok(flushed)) if flushed.sent > 0 => {
            tracing::info!(sent = flushed.sent, "queued replies sent");
        }
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!(error = %e, "replies left queued for the next start"),
        Err(_) => tracing::warn!("out of time: replies left queued for the next start"),
    }
}
