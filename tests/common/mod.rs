//! The real mail stack for end-to-end tests: Dovecot (IMAP + LMTP) and
//! OpenSMTPD relaying into Dovecot's LMTP, on loopback, one per test run.
//! Tests are isolated by unique addresses. A watchdog process stops the
//! servers and removes their files when the test process exits.
#![allow(dead_code, clippy::unwrap_used)]

pub mod postgres;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

pub mod daemon;
pub mod proxy;

use lettre::address::Envelope;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

/// The password Dovecot accepts for every user. Distinctive, so that a test
/// can assert it never appears in logs.
pub const PASSWORD: &str = "Pw-9f3c1d7e-never-logged";

#[derive(Debug)]
pub struct MailStack {
    pub dir: PathBuf,
    pub imap_port: u16,
    pub imaps_port: u16,
    pub lmtp_port: u16,
    pub smtp_port: u16,
    /// Dovecot submission, authenticated: implicit TLS, and STARTTLS.
    pub submissions_port: u16,
    pub submission_port: u16,
    /// The test CA that signed the servers' certificate (for `localhost`).
    pub ca_file: PathBuf,
}

static STACK: OnceLock<MailStack> = OnceLock::new();
static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl MailStack {
    /// The shared stack, started on first use.
    pub fn get() -> &'static MailStack {
        STACK.get_or_init(MailStack::start)
    }

    fn start() -> MailStack {
        let dir = tempfile::Builder::new()
            .prefix("mailintake-stack-")
            .tempdir()
            .expect("temp dir")
            .keep();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mailstack.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg("start")
            .arg(&dir)
            .env("MAILSTACK_PASSWORD", PASSWORD)
            .stdin(Stdio::null())
            .output()
            .expect("run tests/mailstack.sh");
        assert!(
            out.status.success(),
            "the mail stack did not start (run ./tests/run.sh, which installs it):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let vars: BTreeMap<String, String> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let port = |k: &str| -> u16 { vars[k].parse().expect("a port") };

        postgres::watchdog::stop_when_gone(&script, &dir);

        MailStack {
            imap_port: port("IMAP_PORT"),
            imaps_port: port("IMAPS_PORT"),
            lmtp_port: port("LMTP_PORT"),
            smtp_port: port("SMTP_PORT"),
            submissions_port: port("SUBMISSIONS_PORT"),
            submission_port: port("SUBMISSION_PORT"),
            ca_file: PathBuf::from(&vars["CA_FILE"]),
            dir,
        }
    }

    /// A unique address for this test run: `prefix-N-PID@domain`.
    pub fn address(&self, prefix: &str, domain: &str) -> String {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        format!("{prefix}-{n}-{}@{domain}", std::process::id())
    }

    fn maildir(&self, address: &str) -> PathBuf {
        self.dir
            .join("mail")
            .join(address.to_lowercase())
            .join("Maildir")
    }

    /// Files delivered to `address`, oldest first.
    pub fn delivered(&self, address: &str) -> Vec<Vec<u8>> {
        let md = self.maildir(address);
        let mut files: Vec<(std::time::SystemTime, String, PathBuf)> = Vec::new();
        for sub in ["new", "cur"] {
            if let Ok(rd) = std::fs::read_dir(md.join(sub)) {
                for e in rd.flatten() {
                    let meta = e.metadata().unwrap();
                    files.push((
                        meta.modified().unwrap(),
                        e.file_name().to_string_lossy().into_owned(),
                        e.path(),
                    ));
                }
            }
        }
        files.sort();
        files
            .into_iter()
            .filter_map(|(_, _, p)| std::fs::read(p).ok())
            .collect()
    }

    /// Puts raw bytes straight into `address`'s maildir, as a local delivery
    /// agent would: for mail no SMTP server would pass on. The maildir must
    /// exist already (Dovecot creates it on the first delivery).
    pub fn inject(&self, address: &str, name: &str, raw: &[u8]) {
        let md = self.maildir(address);
        assert!(md.join("new").is_dir(), "{address} has no maildir yet");
        let tmp = md.join("tmp").join(name);
        std::fs::write(&tmp, raw).unwrap();
        std::fs::rename(&tmp, md.join("new").join(name)).unwrap();
    }

    /// Makes the delivered mail of `address` that holds `needle` unreadable
    /// to Dovecot (which reads mail as `nobody`): Dovecot then answers its
    /// FETCH with a BYE, as for a message file it cannot read.
    pub fn make_unreadable(&self, address: &str, needle: &str) {
        use std::os::unix::fs::PermissionsExt;
        let md = self.maildir(address);
        let file = ["new", "cur"]
            .iter()
            .filter_map(|sub| std::fs::read_dir(md.join(sub)).ok())
            .flat_map(|rd| rd.flatten().map(|e| e.path()))
            .find(|p| {
                std::fs::read(p)
                    .is_ok_and(|raw| raw.windows(needle.len()).any(|w| w == needle.as_bytes()))
            })
            .unwrap_or_else(|| panic!("no mail of {address} holds {needle:?}"));
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o000)).unwrap();
    }

    /// Waits until `address` holds at least `count` messages.
    pub fn wait_for(&self, address: &str, count: usize) -> Vec<Vec<u8>> {
        let start = Instant::now();
        loop {
            let got = self.delivered(address);
            if got.len() >= count {
                return got;
            }
            if start.elapsed() > Duration::from_secs(30) {
                panic!(
                    "{address}: expected {count} message(s), got {} after 30 s",
                    got.len()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends a raw message through OpenSMTPD. An empty `from` is the null
    /// envelope sender (as bounces use).
    pub async fn send_raw(&self, from: &str, to: &str, raw: &[u8]) {
        let envelope = Envelope::new(
            if from.is_empty() {
                None
            } else {
                Some(from.parse().expect("from address"))
            },
            vec![to.parse().expect("to address")],
        )
        .expect("envelope");
        // A fresh connection per message: smtpd takes at most 100 per session.
        let mut last_err = None;
        for attempt in 0..5 {
            let t = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
                .port(self.smtp_port)
                .build();
            match t.send_raw(&envelope, raw).await {
                Ok(_) => return,
                Err(e) => {
                    last_err = Some(e);
                    tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
                }
            }
        }
        panic!("could not send through opensmtpd: {last_err:?}");
    }
}

/// A parsed delivered mail, reduced to what tests look at.
#[derive(Debug, Clone)]
pub struct Mail {
    pub subject: String,
    pub from: String,
    pub from_name: Option<String>,
    pub to: String,
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

pub fn parse_mail(raw: &[u8]) -> Mail {
    use mail_parser::{HeaderValue, MessageParser};
    let m = MessageParser::default()
        .parse(raw)
        .expect("a parseable mail");
    let ids = |v: &HeaderValue<'_>| -> Vec<String> {
        match v {
            HeaderValue::Text(t) => vec![t.to_string()],
            HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
            _ => vec![],
        }
    };
    let mut headers = BTreeMap::new();
    for (k, v) in m.headers_raw() {
        headers.insert(k.to_ascii_lowercase(), v.trim().to_string());
    }
    let from = m.from().and_then(|a| a.first()).unwrap();
    Mail {
        subject: m.subject().unwrap_or_default().to_string(),
        from: from.address().unwrap_or_default().to_string(),
        from_name: from.name().map(str::to_string),
        to: m
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string(),
        message_id: m.message_id().unwrap_or_default().to_string(),
        in_reply_to: ids(m.in_reply_to()).into_iter().next(),
        references: ids(m.references()),
        headers,
        body: m.body_text(0).unwrap_or_default().replace("\r\n", "\n"),
    }
}

pub const QUESTIONS: &str = r#"
[[question]]
id = "name"
prompt = "What is your name?"
required = true

[[question]]
id = "region"
prompt = "Which region do you live in?"
kind = "choice"
choices = ["Africa", "Asia", "Europe", "Latin America", "North America", "Oceania"]
required = true

[[question]]
id = "languages"
prompt = "Which languages can you work in?"
kind = "choices"
choices = ["English", "French", "German", "Spanish"]
required = true

[[question]]
id = "motivation"
prompt = "Why do you want to join the working group?"
kind = "paragraph"
required = true

[[question]]
id = "time"
prompt = "Can you commit about 5 hours a month?"
kind = "yesno"
required = true

[[question]]
id = "heard"
prompt = "How did you hear about this call?"
required = false
"#;

pub const INTAKE_NAME: &str = "Leadership Development Working Group";

/// One team mailbox with its own config, database and unique address.
#[derive(Debug)]
pub struct Intake {
    pub stack: &'static MailStack,
    pub team: String,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
}

impl Intake {
    pub fn new() -> Self {
        Self::with(|_| {})
    }

    /// `edit` may change the config text before it is written.
    pub fn with(edit: impl FnOnce(&mut String)) -> Self {
        let stack = MailStack::get();
        let team = stack.address("team", "example.org");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("questions.toml"), QUESTIONS).unwrap();
        let mut text = format!(
            r#"[intake]
address = "{team}"
name = "{INTAKE_NAME}"
questions = "questions.toml"

[imap]
host = "127.0.0.1"
port = {imap}
security = "none"
username = "{team}"
password = "{PASSWORD}"

[smtp]
host = "127.0.0.1"
port = {smtp}
security = "none"

[database]
url = "sqlite://intake.db"
"#,
            imap = stack.imap_port,
            smtp = stack.smtp_port,
        );
        edit(&mut text);
        let config = dir.path().join("mailintake.toml");
        std::fs::write(&config, text).unwrap();
        Intake {
            stack,
            team,
            dir,
            config,
        }
    }

    /// Replaces the questions file whole with `text` (as `mv` does), so
    /// that a running daemon never reads it half written.
    pub fn write_questions(&self, text: &str) {
        let next = self.dir.path().join("questions.toml.new");
        std::fs::write(&next, text).unwrap();
        std::fs::rename(&next, self.dir.path().join("questions.toml")).unwrap();
    }

    pub fn db_url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("intake.db").display())
    }

    /// Runs the binary with this config.
    pub fn cmd(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_mailintake"))
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .env("RUST_LOG", "mailintake=debug,info")
            .stdin(Stdio::null())
            .output()
            .expect("run mailintake")
    }

    /// `mailintake once`, asserting success.
    pub fn once(&self) -> Output {
        let out = self.cmd(&["once"]);
        assert!(
            out.status.success(),
            "mailintake once failed:\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Sends `raw` to the team address and waits until it is in the mailbox.
    pub async fn receive(&self, from: &str, raw: &str) {
        self.receive_raw(from, raw.as_bytes()).await;
    }

    pub async fn receive_raw(&self, from: &str, raw: &[u8]) {
        let before = self.inbound().len();
        self.stack.send_raw(from, &self.team, raw).await;
        self.wait_inbound(before + 1);
    }

    /// The first `n` mails `who` has had from us, oldest first, waiting
    /// up to 30 s for them.
    pub fn mails_to(&self, who: &str, n: usize) -> Vec<Mail> {
        self.stack
            .wait_for(who, n)
            .iter()
            .map(|r| parse_mail(r))
            .collect()
    }

    /// One step of a conversation: `raw` from `from` is delivered to the
    /// team mailbox, `once` reads it, and the `n`th mail (counting from
    /// 1) `from` has had from us is returned, once it has arrived.
    pub async fn exchange(&self, from: &str, raw: impl AsRef<[u8]>, n: usize) -> Mail {
        self.receive_raw(from, raw.as_ref()).await;
        self.once();
        self.mails_to(from, n).remove(n - 1)
    }

    /// `who` (named `name`) replies to `to` with `top` above the quote;
    /// the `n`th mail `who` then has from us (see [`Intake::exchange`]).
    pub async fn answer(&self, who: &str, name: &str, to: &Mail, top: &str, n: usize) -> Mail {
        self.exchange(who, reply(who, name, to, top, &[]), n).await
    }

    /// A new applicant, Ada (`prefix-N-PID@example.net`), writes a first
    /// mail and gets the questions: her address and that mail.
    pub async fn asked(&self, prefix: &str) -> (String, Mail) {
        let ada = self.stack.address(prefix, "example.net");
        let first = mail(&ada, "Ada", &self.team, "Applying", "", "Hello");
        let q = self.exchange(&ada, first, 1).await;
        (ada, q)
    }

    /// Each of `who` writes a first mail; after one `once`, the question
    /// mail each got (in order): what a reply must answer for its answers
    /// to count (a token for the address in our Message-ID).
    pub async fn questions_for(&self, who: &[&str]) -> Vec<Mail> {
        for w in who {
            self.receive(w, &mail(w, "", &self.team, "Hello", "", "How do I apply?"))
                .await;
        }
        self.once();
        who.iter()
            .map(|w| parse_mail(&self.stack.wait_for(w, 1)[0]))
            .collect()
    }

    /// The team mailbox without the delivery copies of our own replies
    /// (which come from the team address, marked automatic), which arrive
    /// at their own pace.
    pub fn inbound(&self) -> Vec<Vec<u8>> {
        let from_us = format!("<{}>", self.team);
        self.stack
            .delivered(&self.team)
            .into_iter()
            .filter(|m| {
                let text = String::from_utf8_lossy(m);
                let head: Vec<&str> = text
                    .lines()
                    .take_while(|l| !l.trim_end_matches('\r').is_empty())
                    .collect();
                let from = head
                    .iter()
                    .any(|l| l.to_ascii_lowercase().starts_with("from:") && l.contains(&from_us));
                let automatic = head
                    .iter()
                    .any(|l| l.starts_with("Auto-Submitted: auto-replied"));
                !(from && automatic)
            })
            .collect()
    }

    /// Waits until the team mailbox holds `count` mails besides our
    /// delivery copies, for at most 30 s.
    pub fn wait_inbound(&self, count: usize) -> Vec<Vec<u8>> {
        let start = Instant::now();
        loop {
            let got = self.inbound();
            if got.len() >= count {
                return got;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{}: expected {count} mail(s), got {} after 30 s",
                self.team,
                got.len()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn report_json(&self) -> serde_json::Value {
        let out = self.cmd(&["report", "--format", "json"]);
        assert!(
            out.status.success(),
            "report failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("report is JSON")
    }

    /// The rows of one table of the JSON report (`applications`,
    /// `attention`).
    fn report_rows(&self, table: &str) -> Vec<serde_json::Value> {
        match self.report_json()[table].take() {
            serde_json::Value::Array(rows) => rows,
            other => panic!("the report's {table} is not a list: {other}"),
        }
    }

    /// The mails the JSON report lists for staff with `reason`.
    pub fn listed(&self, reason: &str) -> Vec<serde_json::Value> {
        let mut rows = self.report_rows("attention");
        rows.retain(|a| a["reason"] == reason);
        rows
    }

    /// The application of `email` in the JSON report.
    pub fn application(&self, email: &str) -> Option<serde_json::Value> {
        let rows = self.report_rows("applications");
        rows.into_iter().find(|a| a["email"] == email)
    }
}

/// A plain mail from an applicant to the team.
pub fn mail(
    from: &str,
    from_name: &str,
    to: &str,
    subject: &str,
    extra_headers: &str,
    body: &str,
) -> String {
    let id = format!("<{}@applicant.example.net>", uuid::Uuid::new_v4());
    format!(
        "From: {from_name} <{from}>\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: {id}\r\nDate: Mon, 4 Apr 2022 10:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n{extra_headers}\r\n{}",
        body.replace('\n', "\r\n")
    )
}

/// A reply to `original` as a mail client writes it: quoted, threaded.
pub fn reply(
    from: &str,
    from_name: &str,
    original: &Mail,
    top: &str,
    inline: &[(&str, &str)],
) -> String {
    let mut quoted = String::new();
    quoted.push_str(&format!(
        "On Mon, 4 Apr 2022 at 11:00, {} <{}> wrote:\n",
        original.from_name.clone().unwrap_or_default(),
        original.from
    ));
    for line in original.body.lines() {
        quoted.push_str("> ");
        quoted.push_str(line);
        quoted.push('\n');
        for (after, answer) in inline {
            if line.starts_with(after) {
                quoted.push_str(answer);
                quoted.push('\n');
            }
        }
    }
    let body = format!("{top}\n\n{quoted}");
    let id = format!("<{}@applicant.example.net>", uuid::Uuid::new_v4());
    let mut refs = original
        .references
        .iter()
        .map(|r| format!("<{r}>"))
        .collect::<Vec<_>>();
    refs.push(format!("<{}>", original.message_id));
    format!(
        "From: {from_name} <{from}>\r\nTo: {}\r\nSubject: Re: {}\r\nMessage-ID: {id}\r\nIn-Reply-To: <{}>\r\nReferences: {}\r\nDate: Mon, 4 Apr 2022 11:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}",
        original.from,
        original.subject,
        original.message_id,
        refs.join(" "),
        body.replace('\n', "\r\n")
    )
}

/// `raw` (a mail client's reply, from a fixture) as a reply to `parent`:
/// its In-Reply-To and References (with their folded lines) replaced by
/// `parent`'s Message-ID, the rest untouched.
pub fn threaded(raw: &[u8], parent: &Mail) -> Vec<u8> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 2)
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|p| p + 1))
        .unwrap();
    let (head, body) = raw.split_at(split);
    let head = String::from_utf8_lossy(head);
    let mut kept = String::new();
    let mut dropping = false;
    for line in head.split_inclusive('\n') {
        let folded = line.starts_with([' ', '\t']);
        if !folded {
            let lower = line.to_ascii_lowercase();
            dropping = lower.starts_with("in-reply-to:") || lower.starts_with("references:");
        }
        if !dropping {
            kept.push_str(line);
        }
    }
    let eol = if head.contains("\r\n") { "\r\n" } else { "\n" };
    let id = &parent.message_id;
    let threading = format!("In-Reply-To: <{id}>{eol}References: <{id}>{eol}");
    [threading.as_bytes(), kept.as_bytes(), body].concat()
}

/// Runs headless Chromium (as `tests/run.sh` installs it) on the file
/// `page`, with `profile` as its profile folder and `extra` flags, its
/// own background traffic (updates, sync) off: how the tests open the
/// staff report in a browser.
pub fn headless_chromium(profile: &Path, page: &Path, extra: &[&str]) -> Output {
    static CHROMIUM: OnceLock<&str> = OnceLock::new();
    let chromium = CHROMIUM.get_or_init(|| {
        ["chromium", "chromium-browser"]
            .into_iter()
            .find(|b| {
                Command::new("sh")
                    .arg("-c")
                    .arg(format!("command -v {b}"))
                    .output()
                    .is_ok_and(|o| o.status.success())
            })
            .expect("chromium is not installed: run ./tests/run.sh, which installs it")
    });
    Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--window-size=1400,900",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// Waits until OpenSMTPD holds nothing more to deliver (its queue is
/// machine-wide), so that a count of delivered mail is final.
pub fn smtpd_idle() {
    daemon::wait_until(
        Duration::from_secs(30),
        || {
            Command::new("smtpctl")
                .args(["show", "queue"])
                .output()
                .is_ok_and(|o| o.status.success() && o.stdout.is_empty())
        },
        || "OpenSMTPD's queue did not empty".into(),
    );
}
