//! A message the mail server will not hand over must not hold up the mail
//! after it: it is tried again over a few turns, then recorded with what
//! can be had of it and listed for staff as `unfetchable`.

use chrono::Utc;

use super::CycleError;
use crate::mailbox::{MailboxError, Source};
use crate::pipeline::{Outcome, Pipeline, PipelineError};

/// How many turns try a message before it is given up: a server that
/// stumbled once (restarting, short of a lock) hands it over next time.
pub(super) const FETCH_TRIES: u32 = 3;

/// After `source.fetch(uid)` failed with `error`: a failure of the
/// connection or the server is returned as it is (the turn ends and the
/// loop retries it with backoff), and so is a failure of this one message
/// until [`FETCH_TRIES`] turns have met it (counted in the database, so
/// that `once` from cron and a restarted daemon count too). Then the
/// message is recorded for staff, and the turn goes on past it.
pub(super) async fn give_up_or_retry<S: Source>(
    pipeline: &Pipeline,
    source: &mut S,
    mailbox: &str,
    uidvalidity: u32,
    uid: u32,
    error: MailboxError,
) -> Result<Outcome, CycleError> {
    if error.unfetchable_uid() != Some(uid) {
        return Err(error.into());
    }
    let tries = pipeline
        .store
        .count_fetch_failure(mailbox, uidvalidity, uid, &error.to_string(), Utc::now())
        .await
        .map_err(PipelineError::from)?;
    if tries < FETCH_TRIES {
        tracing::info!(uid, tries, %error, "a message could not be fetched; trying again");
        return Err(error.into());
    }
    // Its header and arrival time, when the server gives those, tell staff
    // which mail it is.
    let head = source.fetch_head(uid).await?;
    let detail = format!(
        "{mailbox} UID {uid} (UIDVALIDITY {uidvalidity}) could not be fetched in {tries} tries; \
         the last: {error}; read it in a mail client or on the server"
    );
    let outcome = pipeline
        .record_unfetchable(mailbox, uidvalidity, uid, head, detail, Utc::now())
        .await?;
    tracing::warn!(uid, %error, "a message the server will not hand over is listed for staff (unfetchable)");
    Ok(outcome)
}
