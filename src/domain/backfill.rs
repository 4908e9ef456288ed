//! Which mail already in the mailbox at the first start is answered.

use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};

/// `[intake] backfill`: how far back, from the first start, mail already
/// in the mailbox is answered. Older mail is recorded and listed for staff
/// as `backlog`, never answered, so that pointing mailintake at a mailbox
/// full of old threads does not write to every old contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backfill {
    /// Answer everything, however old (`"all"`).
    All,
    /// Answer only mail that arrives after the first start (`"none"`).
    None,
    /// Answer mail that arrived at most this long before the first start
    /// (`"24h"`, the default; also `"90m"`, `"7d"`).
    Window(Duration),
}

impl Default for Backfill {
    fn default() -> Self {
        Backfill::Window(Duration::hours(24))
    }
}

impl Backfill {
    /// Whether a mail that arrived at `received_at` is backlog, for a
    /// mailbox first opened at `first_opened`.
    /// IMAP INTERNALDATE has whole seconds: a mail is backlog only when it
    /// arrived a full second before the cutoff, so that mail arriving just
    /// after the first start is never taken for older.
    pub fn is_backlog(self, received_at: DateTime<Utc>, first_opened: DateTime<Utc>) -> bool {
        let cutoff = match self {
            Backfill::All => return false,
            Backfill::None => Some(first_opened),
            Backfill::Window(w) => first_opened.checked_sub_signed(w),
        };
        // A window reaching past the start of time holds everything.
        cutoff
            .and_then(|c| c.checked_sub_signed(Duration::seconds(1)))
            .is_some_and(|c| received_at < c)
    }
}

/// The longest window accepted: a century (more is `"all"`).
const MAX_DAYS: i64 = 36_525;

/// Why a backfill setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected \"all\", \"none\" or a duration such as \"24h\", \"90m\" or \"7d\", not {0:?}")]
pub struct BackfillError(String);

impl FromStr for Backfill {
    type Err = BackfillError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "all" => return Ok(Backfill::All),
            "none" => return Ok(Backfill::None),
            _ => {}
        }
        let bad = || BackfillError(s.to_string());
        let (n, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?);
        let n: i64 = n.parse().map_err(|_| bad())?;
        let window = match unit.trim() {
            "m" | "min" => Duration::try_minutes(n),
            "h" => Duration::try_hours(n),
            "d" => Duration::try_days(n),
            _ => None,
        }
        .filter(|w| *w <= Duration::days(MAX_DAYS))
        .ok_or_else(bad)?;
        Ok(Backfill::Window(window))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_parse() {
        assert_eq!("all".parse(), Ok(Backfill::All));
        assert_eq!("None".parse(), Ok(Backfill::None));
        assert_eq!("24h".parse(), Ok(Backfill::Window(Duration::hours(24))));
        assert_eq!("90m".parse(), Ok(Backfill::Window(Duration::minutes(90))));
        assert_eq!("7d".parse(), Ok(Backfill::Window(Duration::days(7))));
        for bad in [
            "",
            "h",
            "24",
            "24 hours",
            "-1h",
            "1y",
            "99999999999999d",
            "100000000d",
        ] {
            assert!(bad.parse::<Backfill>().is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn backlog_is_older_than_the_window_before_the_first_start() {
        let first = Utc::now();
        let day = Backfill::default();
        assert!(day.is_backlog(first - Duration::hours(25), first));
        assert!(!day.is_backlog(first - Duration::hours(23), first));
        assert!(!day.is_backlog(first + Duration::hours(100), first));
        assert!(Backfill::None.is_backlog(first - Duration::seconds(2), first));
        assert!(!Backfill::None.is_backlog(first, first));
        // Arrival known to the second only: the same second is not older.
        assert!(!Backfill::None.is_backlog(first - Duration::milliseconds(900), first));
        assert!(!Backfill::All.is_backlog(first - Duration::days(3650), first));
        // The widest window accepted holds mail from the start of time
        // without overflowing.
        let widest = Backfill::Window(Duration::days(MAX_DAYS));
        assert!(!widest.is_backlog(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MIN_UTC));
        assert!(!widest.is_backlog(first - Duration::days(3650), first));
    }
}
