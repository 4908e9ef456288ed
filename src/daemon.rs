//! The processing loop: fetch what is new, process each message, send the
//! replies; repeat until shutdown, backing off while a server is down.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;

use crate::mailbox::{MailboxError, Source};
use crate::outbox::{self, FlushError, Flushed, Transport};
use crate::pipeline::{Outcome, Pipeline, PipelineError};

/// How long a cycle in progress may take to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

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

/// One full cycle. Replies already queued are sent even when the mailbox is
/// unreachable, and new mail is processed even when SMTP is down.
pub async fn cycle<S: Source, T: Transport>(
    pipeline: &Pipeline,
    source: &mut S,
    transport: &T,
) -> Result<CycleReport, CycleError> {
    let mut report = CycleReport::default();
    let fetch_result = fetch_and_process(pipeline, source, &mut report).await;
    report.flushed = outbox::flush(&pipeline.store, transport).await?;
    fetch_result?;
    Ok(report)
}

async fn fetch_and_process<S: Source>(
    pipeline: &Pipeline,
    source: &mut S,
    report: &mut CycleReport,
) -> Result<(), CycleError> {
    let mailbox = pipeline.config.imap.mailbox.clone();
    let uidvalidity = source.open().await?;
    let last = pipeline
        .store
        .last_uid(&mailbox, uidvalidity)
        .await
        .map_err(PipelineError::from)?;
    let uids = source.uids_after(last).await?;
    if !uids.is_empty() {
        tracing::info!(count = uids.len(), "new messages");
    }
    for uid in uids {
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
    }
    Ok(())
}

/// Runs cycles until `shutdown` completes. A failed cycle is logged and
/// retried with exponential backoff up to five minutes.
pub async fn run<S: Source, T: Transport>(
    pipeline: &Pipeline,
    source: &mut S,
    transport: &T,
    poll: Duration,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut failures: u32 = 0;
    loop {
        let current = cycle(pipeline, source, transport);
        tokio::pin!(current);
        let (result, stopping) = tokio::select! {
            r = &mut current => (Some(r), false),
            () = &mut shutdown => {
                // Let the message in hand finish, within a grace period.
                (tokio::time::timeout(SHUTDOWN_GRACE, current).await.ok(), true)
            }
        };
        let wait = match result {
            Some(Ok(report)) => {
                failures = 0;
                if report.flushed.deferred > 0 {
                    backoff(1, poll)
                } else {
                    poll
                }
            }
            Some(Err(e)) => {
                failures = failures.saturating_add(1);
                let wait = backoff(failures, poll);
                tracing::error!(error = %e, retry_in_s = wait.as_secs(), "cycle failed");
                wait
            }
            None => poll,
        };
        if stopping {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            () = &mut shutdown => break,
        }
    }
    tracing::info!("shutting down");
}

fn backoff(failures: u32, poll: Duration) -> Duration {
    let factor = 2u32.saturating_pow(failures.min(10));
    (poll * factor).min(Duration::from_secs(300))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        let p = Duration::from_secs(5);
        assert_eq!(backoff(1, p), Duration::from_secs(10));
        assert_eq!(backoff(3, p), Duration::from_secs(40));
        assert_eq!(backoff(30, p), Duration::from_secs(300));
    }
}
