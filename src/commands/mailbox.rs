//! The commands that read the mailbox: `once` and `run`.

use std::path::Path;
use std::time::Duration;

use anyhow::bail;

use crate::config::Config;
use crate::mailbox::ImapMailbox;
use crate::outbox::{FlushError, SmtpTransport};
use crate::{daemon, notify};

/// `once`: one full cycle (fetch everything new, process it, send every
/// reply). An error when a reply could not be sent yet.
pub async fn once(config_file: &Path) -> anyhow::Result<()> {
    let config = Config::load(config_file)?;
    for warning in config.warnings() {
        tracing::warn!("{warning}");
    }
    let transport = SmtpTransport::for_replies(&config)?;
    let mut mailbox = ImapMailbox::new(config.imap.clone());
    let pipeline = crate::open(config).await?;
    let report = daemon::cycle(&pipeline, &mut mailbox, &transport).await;
    mailbox.logout().await;
    let report = match report {
        Ok(r) => r,
        Err(daemon::CycleError::Flush(FlushError::Transport { error, unsent })) => {
            bail!(
                "{error}; {} could not be sent yet; {} queued for the next run",
                replies(unsent),
                if unsent == 1 { "it stays" } else { "they stay" }
            )
        }
        Err(e) => return Err(e.into()),
    };
    tracing::info!(
        processed = report.processed,
        sent = report.flushed.sent,
        "cycle done"
    );
    if report.flushed.in_doubt > 0 {
        tracing::info!(
            replies = report.flushed.in_doubt,
            "replies cut off mid-send wait for their delivery copy; the next run sends them again if none came"
        );
    }
    // Deferred now or earlier and not due yet: both wait.
    let waiting = report.flushed.deferred + report.flushed.waiting;
    if waiting > 0 {
        bail!(
            "{} could not be sent yet; they stay queued for the next run",
            replies(waiting)
        );
    }
    Ok(())
}

/// `run`: processes the mailbox until SIGTERM or SIGINT.
pub async fn run(config_file: &Path) -> anyhow::Result<()> {
    let config = Config::load(config_file)?;
    for warning in config.warnings() {
        tracing::warn!("{warning}");
    }
    let transport = SmtpTransport::for_replies(&config)?;
    let mut mailbox = ImapMailbox::new(config.imap.clone());
    let poll = config.intake.poll;
    let retention = config.retention()?;
    let closes_at = config.intake.closes_at;
    let pipeline = crate::open(config).await?;
    if let Some(retention) = retention {
        tokio::spawn(daemon::retention::keep(
            pipeline.store.clone(),
            retention,
            closes_at,
        ));
    }
    // How new mail is waited for: the poll interval is only a
    // fallback under IDLE (the mailbox says when the server lacks it).
    let imap = &pipeline.config().imap;
    if imap.idle {
        let fallback_poll_s = poll.as_secs_f64();
        tracing::info!(mailbox = %imap.mailbox, wait = "idle", fallback_poll_s, "mailintake running");
    } else {
        tracing::info!(mailbox = %imap.mailbox, wait = "poll", poll_s = poll.as_secs_f64(), "mailintake running");
    }
    notify::ready();
    // A healthy turn takes at most a poll interval (or an IDLE
    // renewal's share of it) plus its network steps.
    let stall = poll.max(Duration::from_secs(60))
        + pipeline.config().imap.timeout * 4
        + pipeline.config().smtp.timeout * 2;
    tokio::spawn(notify::keep_alive(stall));
    let ran = daemon::run(&pipeline, &mut mailbox, &transport, poll, shutdown_signal()).await;
    mailbox.logout().await;
    Ok(ran?)
}

/// "1 reply", "2 replies".
fn replies(n: usize) -> String {
    if n == 1 {
        "1 reply".into()
    } else {
        format!("{n} replies")
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    // systemd shows the unit as stopping while the daemon drains.
    notify::stopping();
}
