//! The processing loop: fetch what is new, process each message, send the
//! replies; repeat until shutdown, backing off while a server is down.

use std::future::Future;
use std::time::Duration;

use chrono::Utc;

use crate::mailbox::{MailboxError, Source};
use crate::outbox::{self, FlushError, Flushed, Transport};
use crate::pipeline::{Outcome, Pipeline, PipelineError};

/// How many messages between two progress lines in a long backlog.
const PROGRESS_EVERY: usize = 100;

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
    let total = uids.len();
    for (done, uid) in uids.into_iter().enumerate() {
        // A long backlog (a first start on a full mailbox) shows progress.
        if total >= PROGRESS_EVERY && done > 0 && done % PROGRESS_EVERY == 0 {
            tracing::info!(done, total, "working through the mailbox");
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

#[cfg(test)]
mod loop_tests {
    use std::collections::VecDeque;
    use std::sync::{Arc, Mutex};

    use super::*;
    use crate::mailbox::Fetched;
    use crate::outbox::SendError;

    /// A mailbox that is down for its first `down` calls.
    struct Flaky {
        down: usize,
        mail: VecDeque<Fetched>,
        opened: usize,
    }

    impl Source for Flaky {
        async fn open(&mut self) -> Result<u32, MailboxError> {
            self.opened += 1;
            if self.opened <= self.down {
                return Err(MailboxError::unreachable(
                    "flaky",
                    std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
                ));
            }
            Ok(7)
        }
        async fn uids_after(&mut self, after: u32) -> Result<Vec<u32>, MailboxError> {
            Ok(self
                .mail
                .iter()
                .map(|m| m.uid)
                .filter(|u| *u > after)
                .collect())
        }
        async fn fetch(&mut self, uid: u32) -> Result<Option<Fetched>, MailboxError> {
            Ok(self.mail.iter().find(|m| m.uid == uid).cloned())
        }
    }

    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<String>>>);

    impl Transport for Recorder {
        async fn send(&self, _from: &str, to: &str, _message: &[u8]) -> Result<(), SendError> {
            self.0.lock().expect("lock").push(to.to_string());
            Ok(())
        }
    }

    #[tokio::test]
    async fn the_loop_rides_out_a_mailbox_outage_and_stops_on_shutdown() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("q.toml"),
            "[[question]]\nid = \"name\"\nprompt = \"Name?\"\nrequired = true\n",
        )
        .expect("write");
        let text = "[intake]\naddress = \"team@example.org\"\nname = \"Group\"\nquestions = \"q.toml\"\n\
                    [imap]\nhost = \"h\"\nusername = \"u\"\npassword = \"p\"\n[smtp]\nhost = \"h\"\n\
                    [database]\nurl = \"sqlite://intake.db\"\n";
        let config =
            crate::config::Config::from_str_at(text, &dir.path().join("c.toml"), &|_| None)
                .expect("config");
        let pipeline = crate::open(config).await.expect("open");
        let mut source = Flaky {
            down: 3,
            mail: VecDeque::from([Fetched {
                uid: 1,
                raw: b"From: Ada <ada@example.net>\r\nTo: team@example.org\r\nSubject: Hi\r\nMessage-ID: <1@x>\r\n\r\nHow do I apply?\r\n".to_vec(),
                internal_date: None,
            }]),
            opened: 0,
        };
        let sent = Recorder::default();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let watcher = sent.clone();
        let stopper = tokio::spawn(async move {
            // Stop once the reply went out, or give up after 20 s.
            for _ in 0..2000 {
                if !watcher.0.lock().expect("lock").is_empty() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            let _ = stop.send(());
        });
        let started = std::time::Instant::now();
        run(
            &pipeline,
            &mut source,
            &sent,
            Duration::from_millis(20),
            async {
                let _ = stopped.await;
            },
        )
        .await;
        stopper.await.expect("stopper");
        assert_eq!(
            *sent.0.lock().expect("lock"),
            vec!["ada@example.net".to_string()]
        );
        assert!(
            source.opened > 3,
            "retried after the outage: {}",
            source.opened
        );
        // Backoff: 40 + 80 + 160 ms at least before the mailbox came back.
        assert!(
            started.elapsed() >= Duration::from_millis(280),
            "{:?}",
            started.elapsed()
        );
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}
