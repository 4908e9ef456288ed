//! The state of one thing the daemon depends on (IMAP, SMTP, the
//! database): up, or down until a retry time chosen by capped exponential
//! backoff with jitter. Logs once per change of state, not once per retry.

use std::fmt::Display;
use std::time::Duration;

use tokio::time::Instant;

/// How retries are spaced: `first` after the first failure, doubling, at
/// most `cap`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Schedule {
    pub first: Duration,
    pub cap: Duration,
}

/// For a server that is down: a server back up is found within `cap`.
pub(crate) const OUTAGE: Schedule = Schedule {
    first: Duration::from_millis(250),
    cap: Duration::from_secs(3),
};

/// For a reply the SMTP server deferred (4xx), by that reply's own count
/// of attempts: up to a minute apart, so that `outbox::MAX_ATTEMPTS`
/// spans 7 to 14 minutes (with jitter).
pub(crate) const DEFERRAL: Schedule = Schedule {
    first: Duration::from_secs(1),
    cap: Duration::from_secs(60),
};

impl Schedule {
    /// The wait after `failures` failures in a row (at least one), in
    /// `[d/2, d]` for the doubled delay `d`: the random half spreads out
    /// instances that failed together.
    pub(crate) fn wait(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(20);
        let full = self.first.saturating_mul(1 << doublings).min(self.cap);
        full / 2 + full.mul_f64(fastrand::f64() / 2.0)
    }
}

#[derive(Debug)]
pub(crate) struct Link {
    /// Named in the log, or `None` to log nothing (the caller does).
    name: Option<&'static str>,
    schedule: Schedule,
    failures: u32,
    retry_at: Option<Instant>,
    down_since: Option<Instant>,
}

impl Link {
    pub(crate) fn new(name: Option<&'static str>, schedule: Schedule) -> Self {
        Self {
            name,
            schedule,
            failures: 0,
            retry_at: None,
            down_since: None,
        }
    }

    pub(crate) fn is_up(&self) -> bool {
        self.failures == 0
    }

    /// Up, or down with its retry time come.
    pub(crate) fn is_due(&self) -> bool {
        self.retry_at.is_none_or(|t| t <= Instant::now())
    }

    pub(crate) fn retry_at(&self) -> Option<Instant> {
        self.retry_at
    }

    /// It worked. True when it was down (and "back" was logged).
    pub(crate) fn up(&mut self) -> bool {
        self.failures = 0;
        self.retry_at = None;
        let Some(since) = self.down_since.take() else {
            return false;
        };
        if let Some(name) = self.name {
            tracing::info!(
                down_s = format!("{:.1}", since.elapsed().as_secs_f32()),
                "{name} back"
            );
        }
        true
    }

    /// It failed: schedule the next try. True when it was up (and
    /// "down" was logged); later failures are logged at debug level only.
    pub(crate) fn down(&mut self, error: &dyn Display) -> bool {
        self.failures = self.failures.saturating_add(1);
        let wait = self.schedule.wait(self.failures);
        self.retry_at = Some(Instant::now() + wait);
        let was_up = self.down_since.is_none();
        if was_up {
            self.down_since = Some(Instant::now());
        }
        if let Some(name) = self.name {
            let retry_ms = wait.as_millis() as u64;
            if was_up {
                tracing::warn!(retry_ms, "{name} down: {error}");
            } else {
                tracing::debug!(
                    retry_ms,
                    failures = self.failures,
                    "{name} still down: {error}"
                );
            }
        }
        was_up
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_first_and_stay_under_the_cap_with_jitter() {
        for _ in 0..200 {
            let w1 = OUTAGE.wait(1);
            assert!(
                (Duration::from_millis(125)..=Duration::from_millis(250)).contains(&w1),
                "{w1:?}"
            );
            let w3 = OUTAGE.wait(3);
            assert!(
                (Duration::from_millis(500)..=Duration::from_millis(1000)).contains(&w3),
                "{w3:?}"
            );
            let w = OUTAGE.wait(u32::MAX);
            assert!(
                (Duration::from_millis(1500)..=Duration::from_secs(3)).contains(&w),
                "{w:?}"
            );
        }
        // Jitter: not every wait is the same.
        let waits: std::collections::BTreeSet<_> = (0..50).map(|_| OUTAGE.wait(5)).collect();
        assert!(waits.len() > 1);
    }

    #[tokio::test]
    async fn a_change_of_state_is_reported_once_each_way() {
        let mut link = Link::new(None, OUTAGE);
        assert!(link.is_up() && link.is_due());
        assert!(!link.up(), "up while up is no change");
        assert!(link.down(&"refused"), "first failure: down");
        assert!(!link.is_up());
        assert!(!link.is_due(), "waits before retrying");
        assert!(!link.down(&"refused"), "still down");
        assert!(!link.down(&"timed out"), "still down, another error");
        assert!(link.up(), "back");
        assert!(link.is_up() && link.is_due() && link.retry_at().is_none());
        assert!(!link.up());
    }
}
