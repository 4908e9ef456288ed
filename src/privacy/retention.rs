//! How long raw mail and answer history are kept: `privacy.retention_days`.
//! Pure: the store purges what [`Retention::cutoff`] says.

use chrono::{DateTime, Duration, Utc};

/// Most days `privacy.retention_days` may say (a century): more is a
/// mistake, and far more could not be taken from a clock reading.
pub const MAX_DAYS: u32 = 36_500;

/// How often `run` purges (and once at its start).
pub const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// `privacy.retention_days`: how many days raw mail, finished replies'
/// bodies and superseded answer versions are kept, counted from the close
/// of the call (`intake.closes_at`), or from their own time when that is
/// later or the call has no end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// 1 to [`MAX_DAYS`].
    pub days: u32,
}

impl Retention {
    /// What may be purged at `now`: everything dated at or before the
    /// returned time, a mail by its arrival and our reply to it and the
    /// answers read from it by that mail's arrival. So an item goes once `days` have passed since the
    /// later of `closes_at` and its own time: during the call and for
    /// `days` after it, nothing of it goes; mail arriving after the close
    /// is kept `days` from its arrival. Without `closes_at`, each item is
    /// kept `days` from its own time. `None` while nothing may go (the call
    /// closed less than `days` ago, or has not closed).
    pub fn cutoff(
        self,
        closes_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let cutoff = now - Duration::days(i64::from(self.days));
        match closes_at {
            Some(closed) if closed > cutoff => None,
            _ => Some(cutoff),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_goes_until_days_after_the_close_then_everything_that_old() {
        let now = DateTime::parse_from_rfc3339("2025-06-30T12:00:00Z")
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(|_| Utc::now());
        let r = Retention { days: 30 };
        let days = |n: i64| now - Duration::days(n);
        // Open call, or closed too recently: nothing.
        assert_eq!(r.cutoff(Some(now + Duration::days(5)), now), None);
        assert_eq!(r.cutoff(Some(days(29)), now), None);
        // Closed 30 days ago or more: what is 30 days old (mail that came
        // after the close is kept 30 days from its arrival).
        assert_eq!(r.cutoff(Some(days(30)), now), Some(days(30)));
        assert_eq!(r.cutoff(Some(days(400)), now), Some(days(30)));
        // No end to the call: each item 30 days from its own time.
        assert_eq!(r.cutoff(None, now), Some(days(30)));
    }
}
