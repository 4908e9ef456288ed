//! systemd service notifications (`sd_notify(3)`) for `Type=notify` units:
//! readiness, the watchdog, and the start of a stop. Outside such a unit
//! (no `NOTIFY_SOCKET`) each call does nothing.
//!
//! Where they are called: `mailintake run` sends [`ready`] once the
//! database and the templates are open, runs [`keep_alive`] beside the
//! daemon, and sends [`stopping`] when SIGTERM or SIGINT arrives. Readiness
//! would mean more after the first successful open of the mailbox, and the
//! watchdog would catch a stuck loop if fed by it rather than by a timer:
//! the daemon loop (`daemon::run`) should call [`ready`] after the first
//! `Source::open` succeeds (then `main` no longer does), and [`watchdog`]
//! at each turn of its loop and while it waits, at least every
//! [`watchdog_interval`], with [`keep_alive`] left out.

use std::time::Duration;

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

/// Feeds the watchdog every [`watchdog_interval`] for as long as it runs;
/// never finishes, and does nothing when there is no watchdog.
pub async fn keep_alive() {
    let Some(interval) = watchdog_interval() else {
        return std::future::pending().await;
    };
    let mut tick = tokio::time::interval(interval);
    // After a stall, one ping, not a burst of the ones missed.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        watchdog();
    }
}

fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(states) {
        // The service runs on; systemd will say it was never ready.
        tracing::warn!(error = %e, "cannot notify systemd");
    }
}
