//! Operating the store: `status` for monitoring, `backup` of the live
//! database, and a full disk under it.

use std::process::Command;
use std::time::{Duration, Instant};

use super::durability::poll_every_second;
use super::{applicant, mails_to, wait_mails};
use crate::common::daemon::Daemon;
use crate::common::{Intake, mail};

/// `status` counts for monitoring, and `backup` copies the live SQLite
/// database, WAL included, while the daemon runs: a report read from the
/// copy shows what the daemon had just written.
#[tokio::test(flavor = "multi_thread")]
async fn status_counts_and_a_backup_of_the_live_database_is_whole() {
    let intake = Intake::with(poll_every_second);
    let daemon = Daemon::start(&intake.config);
    let who = applicant(&intake);
    intake
        .receive(
            &who,
            &mail(
                &who,
                "Ada",
                &intake.team,
                "Application",
                "",
                "How do I apply?",
            ),
        )
        .await;
    wait_mails(&intake, &who, 1);
    let robot = applicant(&intake);
    intake
        .receive(
            &robot,
            &mail(
                &robot,
                "Away",
                &intake.team,
                "Automatic reply: Application",
                "Auto-Submitted: auto-replied\r\n",
                "I am away until Monday.",
            ),
        )
        .await;
    // Wait until the daemon recorded the robot's mail too.
    let start = Instant::now();
    let counts = loop {
        let out = intake.cmd(&["status", "--json"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if v["received_since"] == 2 {
            break v;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{v}");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(counts["applications_since"], 1, "{counts}");
    assert_eq!(counts["applications"], 1, "{counts}");
    assert_eq!(counts["replies_pending"], 0, "{counts}");
    assert_eq!(counts["waiting_for_staff"], 1, "{counts}");
    let text = intake.cmd(&["status"]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("waiting for staff: 1"),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );

    let copy = intake.dir.path().join("copy.db");
    let out = intake.cmd(&["backup", copy.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(daemon);
    // The copy is a database of its own: report from it.
    let text = std::fs::read_to_string(&intake.config)
        .unwrap()
        .replace("url = \"sqlite://intake.db\"", "url = \"sqlite://copy.db\"");
    let restored = intake.dir.path().join("restored.toml");
    std::fs::write(&restored, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_mailintake"))
        .args([
            "--config",
            restored.to_str().unwrap(),
            "report",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["applications"][0]["email"], who.as_str(), "{report}");
    assert_eq!(report["attention"][0]["reason"], "robot", "{report}");
    // A second backup to the same file is refused, not overwritten.
    let again = intake.cmd(&["backup", copy.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("exists already"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}

/// A tmpfs of a fixed size, unmounted when dropped (the tests run as root).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn new(size: &str) -> SmallDisk {
        let dir = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "mount tmpfs (the end-to-end tests run as root)");
        SmallDisk { dir }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// The disk under the database fills up: the mail is not taken (nothing
/// recorded, nothing sent, the run fails loudly), stays in the mailbox, and
/// is answered once when there is room again.
#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_stops_taking_mail_and_loses_none() {
    let disk = SmallDisk::new("4m");
    let db = disk.dir.path().join("intake.db");
    let intake = Intake::with(|c| {
        *c = c.replace(
            "url = \"sqlite://intake.db\"",
            &format!("url = \"sqlite://{}\"", db.display()),
        );
    });
    // The database exists (migrations ran), then the disk fills up.
    let first = applicant(&intake);
    intake
        .receive(
            &first,
            &mail(&first, "Ada", &intake.team, "Hi", "", "How do I apply?"),
        )
        .await;
    intake.once();
    wait_mails(&intake, &first, 1);
    let filler = disk.dir.path().join("filler");
    let free = {
        let out = Command::new("df")
            .args(["--output=avail", "-B1"])
            .arg(disk.dir.path())
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse::<usize>()
            .unwrap()
    };
    std::fs::write(&filler, vec![0u8; free.saturating_sub(16 * 1024)]).unwrap();

    let who = applicant(&intake);
    let body = format!(
        "How do I apply?\n\n{}",
        "I have a long story to tell you.\n".repeat(12_000)
    );
    intake
        .receive(&who, &mail(&who, "Grace", &intake.team, "Hello", "", &body))
        .await;
    let out = intake.cmd(&["once"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "a full disk went unnoticed: {stderr}"
    );
    // SQLite says "database or disk is full" when a write fails, or
    // "disk I/O error" when it cannot even open its shared-memory file.
    assert!(
        stderr.contains("database") && (stderr.contains("full") || stderr.contains("I/O")),
        "{stderr}"
    );
    eprintln!("{stderr}");
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        mails_to(&intake, &who).is_empty(),
        "answered without being stored"
    );

    std::fs::remove_file(&filler).unwrap();
    intake.once();
    wait_mails(&intake, &who, 1);
    intake.once();
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(mails_to(&intake, &who).len(), 1);
    assert!(intake.application(&who).is_some());
}
