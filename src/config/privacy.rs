//! `[privacy]`: how long raw mail and answer history are kept. Optional;
//! without it everything is kept for ever.

use super::raw::RawPrivacy;
use super::{ConfigError, Origin};
use crate::privacy::Retention;
use crate::privacy::retention::MAX_DAYS;

const KEY: &str = "privacy.retention_days";

/// What `purge` says when there is nothing to go by.
const NEEDED_BY: &str = "`purge` needs it";

/// `privacy.retention_days`, checked; `None` when not set (keep for ever).
pub(super) fn retention(
    raw: Option<&RawPrivacy>,
    origin: &Origin,
) -> Result<Option<Retention>, ConfigError> {
    let Some(days) = raw.and_then(|r| r.retention_days) else {
        return Ok(None);
    };
    match u32::try_from(days) {
        Ok(days @ 1..=MAX_DAYS) => Ok(Some(Retention { days })),
        _ if days < 1 => Err(origin.invalid(
            KEY,
            format!("{days} is under the least, 1 (days); leave the key out to keep everything"),
        )),
        _ => Err(origin.invalid(KEY, format!("{days} is over the most, {MAX_DAYS} (days)"))),
    }
}

/// `privacy.retention_days`, which `purge` cannot do without.
pub(super) fn required(
    raw: Option<&RawPrivacy>,
    origin: &Origin,
) -> Result<Retention, ConfigError> {
    if raw.is_none() {
        return Err(origin.missing_table("privacy", NEEDED_BY));
    }
    retention(raw, origin)?.ok_or_else(|| origin.missing_key(KEY, NEEDED_BY))
}
