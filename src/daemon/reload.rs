//! Watching the questions file while `run` runs: its content is looked at
//! every [`LOOK_EVERY`] and at once on SIGHUP. A changed file that reads
//! as questions is put in force for the next mail; a broken one is
//! refused, logged once with the file and the key, and the questions in
//! force stay.

use std::path::Path;
use std::time::Duration;

use chrono::Utc;
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::pipeline::{Pipeline, ReloadError, Reloaded};
use crate::questions::QuestionSet;

/// How often the questions file is read and compared (a few KB: cheaper
/// than reasoning about modification times that a copy may keep).
pub const LOOK_EVERY: Duration = Duration::from_secs(2);

/// What was last seen in the file, so that each state is acted on and
/// logged once.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    /// Content with this SHA-256 (lower-case hex), in force or refused.
    Content(String),
    /// The file could not be read, for this reason.
    Unreadable(String),
    /// Nothing yet, or the last look must be done again (the database
    /// was down while recording the version).
    Nothing,
}

/// Looks at the questions file until `stopping`.
pub(super) async fn watch_questions(pipeline: &Pipeline, mut stopping: watch::Receiver<bool>) {
    let mut hangup = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()) {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for SIGHUP; the questions file is still looked at every few seconds");
            None
        }
    };
    let mut seen = Seen::Content(pipeline.live().config.questions.digest());
    tracing::debug!(
        file = %pipeline.config().intake.questions_file.display(),
        every_s = LOOK_EVERY.as_secs(),
        "watching the questions file (and SIGHUP)"
    );
    loop {
        let forced = tokio::select! {
            () = tokio::time::sleep(LOOK_EVERY) => false,
            Some(()) = async {
                match hangup.as_mut() {
                    Some(h) => h.recv().await,
                    None => std::future::pending().await,
                }
            } => true,
            _ = stopping.wait_for(|s| *s) => return,
        };
        if forced {
            tracing::info!("SIGHUP: reading the questions file again");
        }
        look(pipeline, &mut seen, forced).await;
    }
}

/// One look at the file: acts when its content differs from what was last
/// seen, or when `forced` (SIGHUP).
async fn look(pipeline: &Pipeline, seen: &mut Seen, forced: bool) {
    let file = pipeline.config().intake.questions_file.clone();
    let bytes = match tokio::fs::read(&file).await {
        Ok(b) => b,
        Err(e) => {
            let now = Seen::Unreadable(e.to_string());
            if forced || *seen != now {
                tracing::error!(
                    file = %file.display(),
                    error = %e,
                    "cannot read the questions file; the questions in force stay"
                );
            }
            *seen = now;
            return;
        }
    };
    let now = Seen::Content(format!("{:x}", Sha256::digest(&bytes)));
    if !forced && *seen == now {
        return;
    }
    *seen = now;
    if let Err(true) = take(pipeline, &file, &bytes, forced).await {
        *seen = Seen::Nothing;
    }
}

/// Reads `bytes` as the questions file `file` and puts them in force.
/// `Err(true)` when the same content should be tried again (the database
/// could not record it), `Err(false)` when it was refused.
async fn take(pipeline: &Pipeline, file: &Path, bytes: &[u8], forced: bool) -> Result<(), bool> {
    let refused = |error: &dyn std::fmt::Display| {
        tracing::error!(
            file = %file.display(),
            "questions file refused, the questions in force stay: {error}"
        );
        false
    };
    let text = std::str::from_utf8(bytes)
        .map_err(|e| refused(&format!("{}: not UTF-8 text ({e})", file.display())))?;
    let languages = pipeline.config().intake.languages.clone();
    let questions = QuestionSet::parse_for(text, file, &languages).map_err(|e| refused(&e))?;
    let count = questions.len();
    match pipeline.reload(questions, Utc::now()).await {
        Ok(Reloaded::Loaded { version }) => {
            tracing::info!(
                file = %file.display(),
                version,
                questions = count,
                "questions file reloaded: the next mail is read and answered with it"
            );
            Ok(())
        }
        Ok(Reloaded::Unchanged) => {
            if forced {
                tracing::info!(file = %file.display(), "questions file unchanged");
            }
            Ok(())
        }
        Err(ReloadError::Compose(e)) => Err(refused(&format!(
            "{}: the templates cannot be rendered with these questions: {e}",
            file.display()
        ))),
        Err(ReloadError::Store(e)) => {
            tracing::warn!(error = %e, "questions file changed, but its version could not be recorded; trying again");
            Err(true)
        }
    }
}
