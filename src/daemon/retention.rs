//! Retention under `run`: raw mail and answer history past
//! `privacy.retention_days` are purged at the start and every
//! [`PURGE_EVERY`] after, beside the intake and the sender.

use chrono::{DateTime, Utc};

use crate::privacy::Retention;
use crate::privacy::retention::PURGE_EVERY;
use crate::store::{Purged, Store, StoreError};

/// One purge as of `now`: nothing when nothing is due yet (see
/// [`Retention::cutoff`]).
///
/// # Errors
/// What [`Store::purge`] returns.
pub async fn purge_due(
    store: &Store,
    retention: Retention,
    closes_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<Purged, StoreError> {
    match retention.cutoff(closes_at, now) {
        Some(cutoff) => store.purge(cutoff, now).await,
        None => Ok(Purged::default()),
    }
}

/// Purges what is due now and every [`PURGE_EVERY`], for ever (the task is
/// dropped when `run` ends). A failed purge is logged and tried again at
/// the next turn: the intake goes on meanwhile.
pub async fn keep(store: Store, retention: Retention, closes_at: Option<DateTime<Utc>>) {
    let mut every = tokio::time::interval(PURGE_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        match purge_due(&store, retention, closes_at, Utc::now()).await {
            Ok(purged) if !purged.is_empty() => {
                tracing::info!(
                    mails = purged.mails,
                    replies = purged.replies,
                    answers = purged.answers,
                    days = retention.days,
                    "purged by privacy.retention_days"
                );
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "the retention purge failed; it is tried again in an hour");
            }
        }
    }
}
