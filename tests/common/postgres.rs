//! A real PostgreSQL for tests, started once per test process by
//! `tests/postgres.sh` (initdb into a temp dir as the `postgres` user, a
//! free loopback port) and stopped by a watchdog when the process exits.
//! Each test gets its own empty database. Shared by the library's unit
//! tests (included by path) and the end-to-end tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

// Declared here, not in mod.rs: the library's unit tests include this
// file alone.
#[path = "watchdog.rs"]
pub mod watchdog;

struct Server {
    dir: PathBuf,
    script: PathBuf,
}

static SERVER: OnceLock<Server> = OnceLock::new();
static NEXT: AtomicUsize = AtomicUsize::new(0);

fn server() -> &'static Server {
    SERVER.get_or_init(|| {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/postgres.sh");
        let dir = std::env::temp_dir().join(format!("mailintake-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let out = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg(&dir)
            .stdin(Stdio::null())
            .output()
            .expect("run tests/postgres.sh");
        assert!(
            out.status.success(),
            "PostgreSQL did not start (run ./tests/run.sh, which installs it):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        watchdog::stop_when_gone(&script, &dir);
        Server { dir, script }
    })
}

/// The URL of a new, empty database on the shared test server.
pub fn database_url() -> String {
    let s = server();
    let name = format!(
        "t{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let out = Command::new("bash")
        .arg(&s.script)
        .arg("createdb")
        .arg(&s.dir)
        .arg(&name)
        .stdin(Stdio::null())
        .output()
        .expect("run tests/postgres.sh createdb");
    assert!(
        out.status.success(),
        "createdb failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
