//! systemd service notifications (`sd_notify(3)`) for `Type=notify` units:
//! readiness, the watchdog, and the start of a stop. Outside such a unit
//! (no `NOTIFY_SOCKET`) each call does nothing.
//!
//! Where they are called: `mailintake run` sends [`ready`] once the
//! configuration, the database and the templates are open, not after the
//! first IMAP login: a mail server down at boot is an outage the daemon
//! rides out, and should not fail the unit's start. [`keep_alive`] feeds the
//! watchdog only while both daemon loops report [`alive`], so a daemon one
//! of whose loops stops turning is restarted by systemd; [`stopping`] is sent when SIGTERM
//! or SIGINT arrives.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use sd_notify::NotifyState;

/// READY=1: the service is up. systemd holds back units ordered after it,
/// and `systemctl start`, until then.
pub fn ready() {
    send(&[NotifyState::Ready]);
}

/// STOPPING=1: the service has begun to stop.
pub fn stopping() {
    send(&[NotifyState::Stopping]);
}

/// WATCHDOG=1: the service is alive; systemd restarts it when this stops
/// coming for `WatchdogSec=`.
pub fn watchdog() {
    send(&[NotifyState::Watchdog]);
}

/// How often to feed the watchdog: half its period, as `sd_notify(3)`
/// advises, so one late ping is not fatal. `None` when systemd set none
/// (or set it for another process).
pub fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled()
        .map(|period| period / 2)
        .filter(|half| !half.is_zero())
}

/// The daemon's two loops, each of which must keep turning for the
/// watchdog to be fed: one stuck while the other turns is a stuck daemon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loop {
    /// Taking in new mail.
    Intake,
    /// Sending the queued replies.
    Sender,
}

impl Loop {
    const ALL: [Loop; 2] = [Loop::Intake, Loop::Sender];

    fn name(self) -> &'static str {
        match self {
            Loop::Intake => "intake",
            Loop::Sender => "sender",
        }
    }
}

/// When each loop last said it was turning (by [`Loop`] order).
static LAST_ALIVE: Mutex<[Option<Instant>; 2]> = Mutex::new([None; 2]);

/// `which` loop is turning: called at each turn and for each message or
/// reply, so that [`keep_alive`] goes on feeding the watchdog.
pub fn alive(which: Loop) {
    if let Ok(mut last) = LAST_ALIVE.lock() {
        last[which as usize] = Some(Instant::now());
    }
}

/// The first loop that has not called [`alive`] within `stall` (one that
/// never called it is starting, not stuck).
fn stuck(stall: Duration) -> Option<Loop> {
    let last = LAST_ALIVE.lock().map(|l| *l).unwrap_or([None; 2]);
    let now = Instant::now();
    Loop::ALL
        .into_iter()
        .find(|l| !fresh(last[*l as usize], now, stall))
}

fn fresh(last: Option<Instant>, now: Instant, stall: Duration) -> bool {
    last.is_none_or(|t| now.saturating_duration_since(t) <= stall)
}

/// Feeds the watchdog every [`watchdog_interval`] while each daemon loop
/// called [`alive`] within `stall` (the longest a healthy turn can take:
/// a poll interval plus its network timeouts). Never finishes; does
/// nothing when there is no watchdog.
pub async fn keep_alive(stall: Duration) {
    let Some(interval) = watchdog_interval() else {
        return std::future::pending().await;
    };
    let mut tick = tokio::time::interval(interval);
    // After a stall, one ping, not a burst of the ones missed.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut fed = true;
    loop {
        tick.tick().await;
        match stuck(stall) {
            None => {
                watchdog();
                fed = true;
            }
            Some(which) if fed => {
                fed = false;
                tracing::error!(
                    stall_s = stall.as_secs(),
                    "the daemon's {} loop stopped turning; systemd's watchdog will restart it",
                    which.name()
                );
            }
            Some(_) => {}
        }
    }
}

fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        // The service runs on; systemd will say it was never ready.
        tracing::warn!(error = %e, "cannot notify systemd");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watchdog_is_fed_only_while_the_loop_turned_lately() {
        let t = Instant::now();
        let stall = Duration::from_secs(90);
        assert!(fresh(None, t, stall), "starting up");
        assert!(fresh(Some(t), t + Duration::from_secs(89), stall));
        assert!(!fresh(Some(t), t + Duration::from_secs(91), stall));
    }

    #[test]
    fn one_loop_stuck_is_a_stuck_daemon() {
        let stall = Duration::from_millis(100);
        alive(Loop::Intake);
        alive(Loop::Sender);
        assert_eq!(stuck(stall), None);
        std::thread::sleep(Duration::from_millis(150));
        alive(Loop::Intake);
        assert_eq!(stuck(stall), Some(Loop::Sender));
        alive(Loop::Sender);
        assert_eq!(stuck(stall), None);
    }
}
