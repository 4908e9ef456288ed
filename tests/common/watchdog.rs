//! The test servers (the mail stack, PostgreSQL) are stopped by a process
//! that outlives the test process, since a test process that panics or is
//! killed runs no cleanup of its own.

use std::path::Path;
use std::process::{Command, Stdio};

/// Starts a watchdog that, once this process is gone, runs
/// `bash SCRIPT stop DIR` and removes DIR.
pub fn stop_when_gone(script: &Path, dir: &Path) {
    let watch = format!(
        "while kill -0 {me} 2>/dev/null; do sleep 1; done; bash '{script}' stop '{dir}'; rm -rf '{dir}'",
        me = std::process::id(),
        script = script.display(),
        dir = dir.display(),
    );
    let watchdog = Command::new("setsid")
        .args(["sh", "-c", &watch])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the watchdog");
    // Outlives this process by design: never waited for.
    std::mem::forget(watchdog);
}
