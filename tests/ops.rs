//! Operating the binary without a mail server: which commands need which
//! tables, the exact shape of the errors a person reads, `check`'s
//! warnings, JSON logs, and systemd's notifications from `run`.
#![allow(clippy::unwrap_used)]

use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const INTAKE: &str = r#"[intake]
address = "team@example.org"
name = "The Group"
questions = "questions.toml"
"#;

const DATABASE: &str = "\n[database]\nurl = \"sqlite://intake.db\"\n";

/// A folder holding a questions file and `mailintake.toml` with `text`.
struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new(text: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replies/questions.toml"),
            dir.path().join("questions.toml"),
        )
        .unwrap();
        let config = dir.path().join("mailintake.toml");
        std::fs::write(&config, text).unwrap();
        Self { dir, config }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mailintake"));
        c.arg("--config")
            .arg(&self.config)
            .args(args)
            .current_dir(self.dir.path())
            .env_remove("RUST_LOG")
            .env_remove("NOTIFY_SOCKET")
            .env_remove("WATCHDOG_USEC")
            .env_remove("WATCHDOG_PID")
            .env_remove("MAILINTAKE_IMAP_PASSWORD")
            .env_remove("MAILINTAKE_SMTP_PASSWORD")
            .stdin(Stdio::null());
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs a command that must succeed; its standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs a command that must fail; its standard error.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} succeeded");
        String::from_utf8(out.stderr).unwrap()
    }

    fn config_name(&self) -> String {
        self.config.display().to_string()
    }
}

/// A loopback port nothing listens on.
fn dead_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A config whose servers are on closed loopback ports: `run` starts,
/// fails to reach the mailbox, and keeps trying.
fn unreachable_servers() -> String {
    format!(
        "{INTAKE}poll_seconds = 1\n\n[imap]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n\
         username = \"team@example.org\"\npassword = \"hunter2\"\n\n\
         [smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\n{DATABASE}",
        dead_port(),
        dead_port()
    )
}

const OS_NOT_FOUND: &str = "No such file or directory (os error 2)";

#[test]
fn questions_report_and_offline_check_need_no_mail_server() {
    let s = Setup::new(&format!("{INTAKE}{DATABASE}"));
    assert!(s.ok(&["questions"]).contains("1. What is your name?"));
    let report: serde_json::Value =
        serde_json::from_str(&s.ok(&["report", "--format", "json"])).unwrap();
    assert_eq!(report["applications"], serde_json::json!([]));
    let status: serde_json::Value = serde_json::from_str(&s.ok(&["status", "--json"])).unwrap();
    assert_eq!(status["replies_pending"], 0, "{status}");
    s.ok(&["backup", "copy.db"]);
    assert!(s.dir.path().join("copy.db").is_file());
    // Applicants' data is for the owner alone, the copy's as the live one's.
    for file in ["intake.db", "copy.db"] {
        use std::os::unix::fs::PermissionsExt;
        let meta = std::fs::metadata(s.dir.path().join(file)).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600, "{file}");
    }
    let check = s.ok(&["check", "--offline"]);
    assert_eq!(
        check,
        format!(
            "config: {} ok (8 questions)\ntemplates: built-in ok\n\
             database: ok (sqlite://{})\n\
             questions: no mail sent with recorded questions yet; nothing to compare\n\
             imap: no [imap] table (run, once and check need one)\n\
             smtp: no [smtp] table (run, once and check need one)\n",
            s.config_name(),
            s.dir.path().join("intake.db").display()
        )
    );
    // What reaches the servers says what is missing, and where.
    for command in ["check", "once", "run"] {
        assert_eq!(
            s.fails(&[command]),
            format!(
                "mailintake: {}: table `[imap]` is missing: `run`, `once` and `check` need it\n",
                s.config_name()
            ),
            "{command}"
        );
    }
}

#[test]
fn questions_need_no_database_and_report_names_it() {
    let s = Setup::new(INTAKE);
    s.ok(&["questions"]);
    let expected = format!(
        "mailintake: {}: table `[database]` is missing: \
         `run`, `once`, `report`, `status`, `backup`, `export`, `erase`, `purge` and `check` need it\n",
        s.config_name()
    );
    assert_eq!(s.fails(&["report", "--format", "csv"]), expected);
    assert_eq!(s.fails(&["status"]), expected);
    assert_eq!(s.fails(&["check", "--offline"]), expected);
}

#[test]
fn a_database_that_cannot_be_opened_names_its_key() {
    let s = Setup::new(&format!(
        "{INTAKE}\n[database]\nurl = \"sqlite:///nonexistent/folder/intake.db\"\n"
    ));
    for args in [&["report", "--format", "json"][..], &["check", "--offline"]] {
        let err = s.fails(args);
        assert!(
            err.starts_with(&format!(
                "mailintake: {}: key `database.url`: cannot open \
                 sqlite:///nonexistent/folder/intake.db: database: ",
                s.config_name()
            )),
            "{args:?}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        // The file is made 0600 before SQLite opens it: that step says why.
        assert!(
            err.ends_with(
                "database: cannot create /nonexistent/folder/intake.db: \
                 No such file or directory (os error 2)\n"
            ),
            "{err}"
        );
    }
}

/// On a staff machine the password files are the service's own: the
/// commands that do not log in never open them.
#[test]
fn secrets_are_read_only_by_the_commands_that_log_in() {
    let s = Setup::new(&format!(
        "{INTAKE}\n[imap]\nhost = \"imap.example.org\"\nusername = \"team@example.org\"\n\
         password_file = \"/nonexistent/imap.pass\"\n\n\
         [smtp]\nhost = \"smtp.example.org\"\nusername = \"team@example.org\"\n\
         password_file = \"/nonexistent/smtp.pass\"\n{DATABASE}"
    ));
    s.ok(&["questions"]);
    s.ok(&["report", "--format", "html"]);
    let check = s.ok(&["check", "--offline"]);
    assert!(
        check.contains("imap: imap.example.org:993 not contacted (offline)\n")
            && check.contains("smtp: smtp.example.org:465 not contacted (offline)\n"),
        "{check}"
    );
    assert_eq!(
        s.fails(&["check"]),
        format!(
            "mailintake: {}: key `imap.password_file`: cannot read /nonexistent/imap.pass: {OS_NOT_FOUND}\n",
            s.config_name()
        )
    );
}

/// A wrong port or time limit is named with its file and key by `check
/// --offline` as by the commands that reach the servers, and in the same
/// words.
#[test]
fn check_offline_names_a_wrong_port_or_timeout() {
    let cases = [
        (
            "imap",
            "port = 0",
            "imap.port",
            "0 is not a port; use 1 to 65535",
        ),
        (
            "imap",
            "timeout_seconds = 0",
            "imap.timeout_seconds",
            "must be positive",
        ),
        (
            "imap",
            "timeout_seconds = 301",
            "imap.timeout_seconds",
            "301 is over the most, 300",
        ),
        (
            "smtp",
            "port = 0",
            "smtp.port",
            "0 is not a port; use 1 to 65535",
        ),
        (
            "smtp",
            "timeout_seconds = 0",
            "smtp.timeout_seconds",
            "must be positive",
        ),
    ];
    for (table, line, key, says) in cases {
        let mut imap = "\n[imap]\nhost = \"imap.example.org\"\nusername = \"team@example.org\"\n\
                        password = \"hunter2\"\n"
            .to_string();
        let mut smtp = "\n[smtp]\nhost = \"smtp.example.org\"\n".to_string();
        match table {
            "imap" => imap.push_str(&format!("{line}\n")),
            _ => smtp.push_str(&format!("{line}\n")),
        }
        let s = Setup::new(&format!("{INTAKE}{imap}{smtp}{DATABASE}"));
        let expected = format!("mailintake: {}: key `{key}`: {says}\n", s.config_name());
        assert_eq!(s.fails(&["check", "--offline"]), expected, "{line}");
        assert_eq!(s.fails(&["check"]), expected, "{line}");
    }
}

/// The reason the system gives is said once, with the file and what to do.
#[test]
fn a_missing_config_file_is_one_line_with_the_reason_once() {
    let s = Setup::new(INTAKE);
    let absent = s.dir.path().join("absent.toml");
    let out = Command::new(env!("CARGO_BIN_EXE_mailintake"))
        .arg("--config")
        .arg(&absent)
        .arg("questions")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err,
        format!(
            "mailintake: cannot read the configuration file {}: {OS_NOT_FOUND}; \
             give its path with --config or MAILINTAKE_CONFIG\n",
            absent.display()
        )
    );
    assert_eq!(err.matches("os error 2").count(), 1, "{err}");
}

#[test]
fn a_missing_questions_file_names_its_key_and_the_config() {
    let s = Setup::new(&unreachable_servers());
    std::fs::remove_file(s.dir.path().join("questions.toml")).unwrap();
    let expected = format!(
        "mailintake: {}: key `intake.questions`: cannot read {}: {OS_NOT_FOUND}\n",
        s.config_name(),
        s.dir.path().join("questions.toml").display()
    );
    for args in [
        &["questions"][..],
        &["report", "--format", "json"],
        &["check", "--offline"],
        &["check"],
        &["once"],
    ] {
        let err = s.fails(args);
        assert_eq!(err, expected, "{args:?}");
        assert_eq!(err.matches("os error 2").count(), 1, "{err}");
    }
}

#[test]
fn a_toml_mistake_is_one_line_naming_file_key_and_line() {
    let s = Setup::new(&INTAKE.replace("name = \"The Group\"", "name = The Group"));
    assert_eq!(
        s.fails(&["questions"]),
        format!(
            "mailintake: {}: key `intake.name` (line 3): invalid string; expected `\"`, `'`\n",
            s.config_name()
        )
    );
}

#[test]
fn check_warns_when_the_call_has_closed() {
    let closed = INTAKE.replace(
        "questions = \"questions.toml\"\n",
        "questions = \"questions.toml\"\ncloses_at = \"2022-04-10T23:59:59Z\"\n",
    );
    let s = Setup::new(&format!("{closed}{DATABASE}"));
    let out = s.ok(&["check", "--offline"]);
    assert!(
        out.contains(
            "\nwarning: intake.closes_at (2022-04-10T23:59:59+00:00) is in the past: \
             every mail now gets the closing notice and is listed for staff\n"
        ),
        "{out}"
    );
    let open = closed.replace("2022-04-10", "2999-04-10");
    std::fs::write(&s.config, format!("{open}{DATABASE}")).unwrap();
    let out = s.ok(&["check", "--offline"]);
    assert!(!out.contains("warning"), "{out}");
}

#[test]
fn json_logs_are_one_object_per_line_the_last_error_too() {
    let s = Setup::new(&unreachable_servers());
    let out = s
        .command(&["--log-format", "json", "once"])
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the mailbox is unreachable");
    let err = String::from_utf8(out.stderr).unwrap();
    let records: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: not JSON: {l}")))
        .collect();
    assert!(records.len() > 1, "{err}");
    // Some records (sqlx's) have fields and no message.
    for r in &records {
        assert!(
            r["timestamp"].is_string() && r["level"].is_string() && r["target"].is_string(),
            "{r}"
        );
    }
    // sqlx logs a query when its worker thread lets it go, which may be
    // after the process printed its error: the last of our own lines.
    let last = records
        .iter()
        .rev()
        .find(|r| r["target"] != "sqlx::query")
        .unwrap();
    assert_eq!(last["level"], "ERROR", "{err}");
    assert!(
        last["message"].as_str().unwrap().contains("127.0.0.1"),
        "{last}"
    );
    assert!(!err.contains("hunter2"));
}

/// The start line says how new mail is waited for: IMAP IDLE with
/// polling only as its fallback, or polling when `imap.idle` is off, and
/// the interval in seconds, fractions included.
#[test]
fn the_start_line_says_whether_idle_or_polling_waits_for_mail() {
    let idle = unreachable_servers();
    let polling = idle
        .replace(
            "security = \"none\"\nusername",
            "security = \"none\"\nidle = false\nusername",
        )
        .replace("poll_seconds = 1\n", "poll_seconds = 0.5\n");
    assert_ne!(idle, polling);
    for (text, wait, field, seconds) in [
        (idle, "idle", "fallback_poll_s", 1.0),
        (polling, "poll", "poll_s", 0.5),
    ] {
        let s = Setup::new(&text);
        let log = s.dir.path().join("run.log");
        let mut child = s
            .command(&["--log-format", "json", "run"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let line = loop {
            let text = std::fs::read_to_string(&log).unwrap();
            if let Some(l) = text.lines().find(|l| l.contains("mailintake running")) {
                break l.to_string();
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no start line: {text}"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        child.kill().unwrap();
        child.wait().unwrap();
        let record: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(record["wait"], wait, "{line}");
        assert_eq!(record[field], seconds, "{line}");
        let other = if wait == "idle" {
            "poll_s"
        } else {
            "fallback_poll_s"
        };
        assert!(record.get(other).is_none(), "{line}");
    }
}

/// Datagrams that `run` sends to the socket systemd would listen on.
struct Notifications {
    socket: UnixDatagram,
    seen: Vec<String>,
}

impl Notifications {
    fn bind(path: &Path) -> Self {
        let socket = UnixDatagram::bind(path).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        Self {
            socket,
            seen: Vec::new(),
        }
    }

    /// Waits until `what` has arrived `times` times.
    fn wait_for(&mut self, what: &str, times: usize, child: &mut Child) {
        let start = Instant::now();
        let mut buf = [0u8; 4096];
        while self.seen.iter().filter(|m| m.as_str() == what).count() < times {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no {what} ×{times}; got {:?}",
                self.seen
            );
            assert!(
                child.try_wait().unwrap().is_none(),
                "run stopped; got {:?}",
                self.seen
            );
            if let Ok(n) = self.socket.recv(&mut buf) {
                let text = String::from_utf8_lossy(&buf[..n]);
                self.seen.extend(text.lines().map(str::to_string));
            }
        }
    }
}

#[test]
fn run_tells_systemd_it_is_ready_alive_and_stopping() {
    let s = Setup::new(&unreachable_servers());
    let socket = s.dir.path().join("notify.sock");
    let mut notes = Notifications::bind(&socket);
    let mut child = s
        .command(&["run"])
        .env("NOTIFY_SOCKET", &socket)
        // A 0.4 s watchdog: fed every 0.2 s.
        .env("WATCHDOG_USEC", "400000")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    notes.wait_for("READY=1", 1, &mut child);
    assert_eq!(notes.seen[0], "READY=1", "{:?}", notes.seen);
    notes.wait_for("WATCHDOG=1", 3, &mut child);
    assert!(!notes.seen.contains(&"STOPPING=1".to_string()));
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let start = Instant::now();
    let mut buf = [0u8; 4096];
    let status = loop {
        if let Ok(n) = notes.socket.recv(&mut buf) {
            notes.seen.extend(
                String::from_utf8_lossy(&buf[..n])
                    .lines()
                    .map(str::to_string),
            );
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "run did not stop"
        );
    };
    let stderr = std::io::read_to_string(child.stderr.take().unwrap()).unwrap();
    assert!(status.success(), "{stderr}");
    assert!(
        notes.seen.contains(&"STOPPING=1".to_string()),
        "{:?}",
        notes.seen
    );
}

#[test]
fn a_files_directory_is_checked_made_and_named_when_it_cannot_be() {
    let s = Setup::new(&format!(
        "{INTAKE}{DATABASE}\n[files]\ndirectory = \"kept/files\"\n"
    ));
    let check = s.ok(&["check", "--offline"]);
    let dir = s.dir.path().join("kept/files");
    assert!(
        check.contains(&format!(
            "files: {} ok (attached files kept there)\n",
            dir.display()
        )),
        "{check}"
    );
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    // A file where the folder should be: named with the key.
    std::fs::remove_dir_all(s.dir.path().join("kept")).unwrap();
    std::fs::write(s.dir.path().join("kept"), b"not a folder").unwrap();
    let err = s.fails(&["check", "--offline"]);
    assert!(
        err.starts_with(&format!(
            "mailintake: {}: key `files.directory`: cannot create {}",
            s.config_name(),
            dir.display()
        )),
        "{err}"
    );
}

/// `check` and a start refuse a questions file with a broken rule, in one
/// line naming the file, the key, the question's number and its id; the
/// same file mended is taken.
#[test]
fn check_and_start_refuse_a_broken_rule_naming_file_key_number_and_id() {
    let s = Setup::new(&format!("{INTAKE}{DATABASE}"));
    let file = s.dir.path().join("questions.toml");
    let good = std::fs::read_to_string(&file).unwrap();
    // (what the third question gets, the key named, the reason's words)
    let table = [
        (
            "pattern = '[0-9'",
            "pattern",
            "not a valid regular expression",
        ),
        (
            "min_length = 30\nmax_length = 20",
            "min_length",
            "min_length = 30 is greater than max_length = 20",
        ),
        ("min_choices = 2", "min_choices", "only kind = \"choices\""),
        (
            "choices = [\"Yes\", \"No\"]",
            "choices",
            "only kind = \"choice\" or \"choices\" takes choices",
        ),
        (
            "when = { languages = \"Klingon\" }",
            "when.languages",
            "`Klingon` is not one of the choices of `languages` (question 3)",
        ),
    ];
    // The fixture's question 3 is `languages`: the broken keys go on 4.
    let fourth = good
        .match_indices("[[question]]")
        .nth(3)
        .map(|(i, _)| i)
        .unwrap();
    let after_id = good[fourth..].find('\n').unwrap() + fourth + 1;
    let id_line = good[after_id..].lines().next().unwrap().to_string();
    let id = id_line.split('"').nth(1).unwrap().to_string();
    for (keys, key, words) in table {
        let broken = format!("{}{keys}\n{}", &good[..after_id], &good[after_id..]);
        std::fs::write(&file, broken).unwrap();
        for args in [&["check", "--offline"][..], &["questions"], &["once"]] {
            let err = s.fails(args);
            let want = format!(
                "mailintake: {}: key `question[3].{key}`: question 4 (id `{id}`): ",
                file.display()
            );
            assert!(err.starts_with(&want), "{args:?} {keys}:\n{err}");
            assert!(err.contains(words), "{args:?} {keys}:\n{err}");
            assert_eq!(err.lines().count(), 1, "one line: {err}");
        }
    }
    std::fs::write(&file, &good).unwrap();
    s.ok(&["check", "--offline"]);
}

/// A mail from `who`, replying to our mail `parent` (its Message-ID
/// without brackets) when given, as the mailbox hands it over.
fn fetched(uid: u32, who: &str, parent: Option<&str>, body: &str) -> mailintake::mailbox::Fetched {
    let threading = parent
        .map(|p| format!("In-Reply-To: <{p}>\r\nReferences: <{p}>\r\n"))
        .unwrap_or_default();
    mailintake::mailbox::Fetched {
        uid,
        raw: format!(
            "From: {who} <{who}@example.net>\r\nTo: team@example.org\r\nSubject: Application\r\n\
             Message-ID: <{uid}.{who}@example.net>\r\n{threading}\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        )
        .into_bytes(),
        internal_date: None,
    }
}

/// `check` after staff tighten the questions mid-call: it names each
/// stricter rule with the question's number and id, and counts the
/// stored applications whose status the file would change, with why.
/// The applications are made as applicants make them (a first mail, the
/// questions, a reply to them), through the pipeline without servers.
#[tokio::test(flavor = "multi_thread")]
async fn check_counts_the_applications_a_stricter_file_would_change() {
    let servers = "\n[imap]\nhost = \"imap.example.org\"\nusername = \"team\"\npassword = \"p\"\n\
                   [smtp]\nhost = \"smtp.example.org\"\n";
    let s = Setup::new(&format!("{INTAKE}{DATABASE}{servers}"));
    let config = mailintake::config::Config::from_str_at(
        &std::fs::read_to_string(&s.config).unwrap(),
        &s.config,
        &|_| None,
    )
    .unwrap();
    let pipeline = mailintake::open(config).await.unwrap();
    let db = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        s.dir.path().join("intake.db").display()
    ))
    .await
    .unwrap();
    let long = "To help new leaders grow in my region.";
    // (who, answers): Ada and Grace complete, Alan without a region.
    let applicants = [
        (
            "ada",
            format!("1. Ada\n2. Europe\n3. English, French, Spanish\n4. {long}\n7. yes"),
        ),
        (
            "grace",
            "1. Grace\n2. Asia\n3. English\n4. To help out.\n7. yes".to_string(),
        ),
        ("alan", format!("1. Alan\n3. English\n4. {long}\n7. yes")),
    ];
    let mut uid = 0;
    for (who, answers) in &applicants {
        uid += 1;
        let first = fetched(uid, who, None, "How do I apply?");
        pipeline
            .process("INBOX", 1, first, chrono::Utc::now())
            .await
            .unwrap();
        let asked: String = sqlx::query_scalar(
            "SELECT rfc822_id FROM outbox WHERE recipient = ? ORDER BY id DESC LIMIT 1",
        )
        .bind(format!("{who}@example.net"))
        .fetch_one(&db)
        .await
        .unwrap();
        uid += 1;
        let reply = fetched(uid, who, Some(&asked), answers);
        pipeline
            .process("INBOX", 1, reply, chrono::Utc::now())
            .await
            .unwrap();
    }
    drop(pipeline);
    let statuses = |s: &Setup| -> Vec<String> {
        let report: serde_json::Value =
            serde_json::from_str(&s.ok(&["report", "--format", "json"])).unwrap();
        report["applications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                format!(
                    "{} {}",
                    a["email"].as_str().unwrap(),
                    a["status"].as_str().unwrap()
                )
            })
            .collect()
    };
    let before = [
        "ada@example.net complete",
        "grace@example.net complete",
        "alan@example.net incomplete",
    ];
    assert_eq!(statuses(&s), before);
    assert!(
        s.ok(&["check", "--offline"])
            .contains("questions: as shown in the last mail sent (version 1")
    );

    // Staff ask for at most two languages and a motivation of 20
    // characters, and make the region optional.
    let file = s.dir.path().join("questions.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text
        .replace(
            "\"Spanish\"]\nrequired = true",
            "\"Spanish\"]\nrequired = true\nmax_choices = 2",
        )
        .replace(
            "kind = \"paragraph\"\nrequired = true",
            "kind = \"paragraph\"\nrequired = true\nmin_length = 20",
        )
        .replace(
            "\"Oceania\"]\nrequired = true",
            "\"Oceania\"]\nrequired = false",
        );
    assert_eq!(edited.matches("max_choices").count(), 1);
    assert_eq!(edited.matches("min_length").count(), 1);
    std::fs::write(&file, edited).unwrap();
    let said = s.ok(&["check", "--offline"]);
    for line in [
        "2 changes for applicants (replies to earlier mail are read with the questions that mail showed):\n",
        "\n  stricter: `languages` (3): answers must now have at most 2 choices (no such rule before)\n",
        "\n  stricter: `motivation` (4): answers must now have at least 20 characters (no such rule before)\n",
        "\napplications: 2 of 2 complete applications would become incomplete under this file:\n\
         \x20 question 3 (`languages`): 1 answer would fail: answers must now have at most 2 choices (no such rule before)\n\
         \x20 question 4 (`motivation`): 1 answer would fail: answers must now have at least 20 characters (no such rule before)\n\
         applications: 1 of 1 incomplete application would become complete under this file\n",
    ] {
        assert!(said.contains(line), "no {line:?} in:\n{said}");
    }
    // The report, which follows today's file, agrees with what `check`
    // foretold.
    assert_eq!(
        statuses(&s),
        [
            "ada@example.net incomplete",
            "grace@example.net incomplete",
            "alan@example.net complete",
        ]
    );

    // Staff then rename an id and keep its prompt: `check` warns that the
    // answers stay under the old id and applicants are asked again.
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("id = \"motivation\""));
    std::fs::write(
        &file,
        text.replacen("id = \"motivation\"", "id = \"why_join\"", 1),
    )
    .unwrap();
    let said = s.ok(&["check", "--offline"]);
    for line in [
        "\n  removed: `motivation` (was 4;",
        "\n  added: `why_join` (4, required)\n",
        "\n  warning: `motivation` -> `why_join` looks like a renamed id (same prompt): answers stay under `motivation` (earlier questions) and applicants are asked `why_join` again; keep the id `motivation` to keep them\n",
    ] {
        assert!(said.contains(line), "no {line:?} in:\n{said}");
    }
}

/// `check`'s privacy line counts the retention days from what is set: a
/// call with no `closes_at` is told "after their arrival", not a key it
/// never wrote; with one, that date is named.
#[test]
fn check_names_closes_at_in_the_retention_line_only_when_it_is_set() {
    let privacy = "\n[privacy]\nretention_days = 90\n";
    let open = Setup::new(&format!("{INTAKE}{DATABASE}{privacy}"));
    let out = open.ok(&["check", "--offline"]);
    assert!(
        out.contains("privacy: raw mail and answer history kept 90 days after their arrival\n"),
        "{out}"
    );
    assert!(!out.contains("closes_at"), "{out}");

    let closing = INTAKE.replace(
        "[intake]\n",
        "[intake]\ncloses_at = \"2099-01-31T23:59:00Z\"\n",
    );
    let dated = Setup::new(&format!("{closing}{DATABASE}{privacy}"));
    let out = dated.ok(&["check", "--offline"]);
    assert!(
        out.contains("kept 90 days after intake.closes_at (2099-01-31T23:59:00+00:00), or after their arrival when later"),
        "{out}"
    );
}
