use secrecy::ExposeSecret;

use super::*;

mod gates;

fn write_questions(dir: &Path) {
    std::fs::write(
        dir.join("q.toml"),
        "[[question]]\nid = \"name\"\nprompt = \"Your name?\"\nrequired = true\n",
    )
    .expect("write");
}

const GOOD: &str = r#"
[intake]
address = "Team@Example.org"
name = "Group"
questions = "q.toml"
[imap]
host = "localhost"
security = "none"
username = "team@example.org"
password = "hunter2"
[smtp]
host = "localhost"
security = "none"
[database]
url = "sqlite://intake.db"
"#;

/// `[intake]` and `[database]` only: what staff have on a machine that
/// prints reports.
const NO_MAIL: &str = r#"
[intake]
address = "team@example.org"
name = "Group"
questions = "q.toml"
[database]
url = "sqlite://intake.db"
"#;

fn no_env(_: &str) -> Option<String> {
    None
}

/// A folder with the questions file, and the config path in it.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_questions(dir.path());
    let file = dir.path().join("mailintake.toml");
    (dir, file)
}

fn config_err(text: &str, file: &Path) -> String {
    Config::from_str_at(text, file, &no_env)
        .expect_err("invalid")
        .to_string()
}

#[test]
fn loads_good_config_and_resolves_paths() {
    let (dir, file) = setup();
    let c = Config::from_str_at(GOOD, &file, &no_env).expect("valid");
    assert_eq!(c.intake.address, "team@example.org");
    assert_eq!(c.imap.port, 143);
    assert_eq!(c.smtp.port, 25);
    assert_eq!(
        c.database_url.expose_secret(),
        format!("sqlite://{}", dir.path().join("intake.db").display())
    );
    assert_eq!(c.questions.len(), 1);
}

#[test]
fn unknown_key_is_named_with_file() {
    let (_dir, file) = setup();
    let text = GOOD.replace("[smtp]\n", "[smtp]\nhots = \"x\"\n");
    let err = config_err(&text, &file);
    assert!(err.contains("mailintake.toml"), "{err}");
    assert!(err.contains("key `smtp.hots` (line 12)"), "{err}");
}

#[test]
fn wrong_type_names_table_key_and_line() {
    let (_dir, file) = setup();
    let text = GOOD.replace(
        "host = \"localhost\"\nsecurity = \"none\"\nusername",
        "host = \"localhost\"\nsecurity = \"none\"\nport = \"abc\"\nusername",
    );
    let err = config_err(&text, &file);
    assert!(err.contains("key `imap.port` (line 9)"), "{err}");
    assert!(err.contains("mailintake.toml"), "{err}");
}

/// toml's own rendering quotes the line and draws carets under it; a
/// person gets one line naming the place.
#[test]
fn toml_errors_are_one_line_naming_the_place() {
    let (_dir, file) = setup();
    let err = |from: &str, to: &str| {
        let text = GOOD.replacen(from, to, 1);
        let message = Settings::from_str_at(&text, &file)
            .expect_err("invalid")
            .to_string();
        let place = message
            .strip_prefix(&format!("{}: ", file.display()))
            .unwrap_or_else(|| panic!("names the file: {message}"))
            .to_string();
        assert!(!place.contains(['\n', '^']), "{place}");
        place
    };
    assert_eq!(
        err("name = \"Group\"", "name = \"Group"),
        "key `intake.name` (line 4): invalid basic string"
    );
    // toml says this on two lines.
    assert_eq!(
        err("[imap]", "[imap"),
        "line 6: invalid table header; expected `.`, `]`"
    );
    assert_eq!(
        err("[database]", "[databse]"),
        "table `[databse]` (line 14): unknown field `databse`, \
         expected one of `intake`, `imap`, `smtp`, `database`, `privacy`, `security`, `limits`, `files`"
    );
    assert_eq!(
        err(
            "security = \"none\"\nusername",
            "security = \"ssl\"\nusername"
        ),
        "key `imap.security` (line 8): unknown variant `ssl`, \
         expected one of `tls`, `starttls`, `none`"
    );
    let questions = QuestionSet::parse("[[question]]\nid = \"a\"\n", Path::new("q.toml"))
        .expect_err("no prompt")
        .to_string();
    assert_eq!(
        questions,
        "q.toml: table `[[question]]` (line 1): missing field `prompt`"
    );
}

#[test]
fn bad_closes_at_names_key() {
    let (_dir, file) = setup();
    let text = GOOD.replace(
        "questions = \"q.toml\"",
        "questions = \"q.toml\"\ncloses_at = \"tomorrow\"",
    );
    let err = config_err(&text, &file);
    assert!(err.contains("key `intake.closes_at`"), "{err}");
}

#[test]
fn missing_password_names_key_and_env_fills_it() {
    let (_dir, file) = setup();
    let text = GOOD.replace("password = \"hunter2\"\n", "");
    let err = config_err(&text, &file);
    assert!(err.contains("imap.password"), "{err}");
    let c = Config::from_str_at(&text, &file, &|k| {
        (k == "MAILINTAKE_IMAP_PASSWORD").then(|| "from-env".to_string())
    })
    .expect("env password");
    assert_eq!(c.imap.password.expose_secret(), "from-env");
}

/// Every secret the file can hold, each distinctive: the IMAP and SMTP
/// passwords and a PostgreSQL URL with a password in it twice (user part
/// and query).
const SECRETS: &str = r#"
[intake]
address = "team@example.org"
name = "Group"
questions = "q.toml"
[imap]
host = "localhost"
username = "team@example.org"
password = "imap-pw-31f4"
[smtp]
host = "localhost"
username = "team@example.org"
password = "smtp-pw-8c2e"
[database]
url = "postgres://intake:db-pw-77a0@db.example.org/intake?sslpassword=db-key-5b19"
"#;

#[test]
fn secrets_never_in_debug() {
    let (_dir, file) = setup();
    let secrets = ["imap-pw-31f4", "smtp-pw-8c2e", "db-pw-77a0", "db-key-5b19"];
    let c = Config::from_str_at(SECRETS, &file, &no_env).expect("valid");
    // What the daemon uses them for is there, whole.
    assert_eq!(c.imap.password.expose_secret(), "imap-pw-31f4");
    let (user, password) = c.smtp.credentials.as_ref().expect("smtp login");
    assert_eq!(
        (user.as_str(), password.expose_secret()),
        ("team@example.org", "smtp-pw-8c2e")
    );
    assert!(c.database_url.expose_secret().contains("db-pw-77a0"));
    for dbg in [format!("{c:?}"), format!("{c:#?}")] {
        for secret in secrets {
            assert!(!dbg.contains(secret), "{secret} in {dbg}");
        }
        assert_eq!(dbg.matches("Secret([REDACTED])").count(), 6, "{dbg}");
        // The rest is shown: it is what a person debugging needs.
        assert!(
            dbg.contains("team@example.org") && dbg.contains("localhost"),
            "{dbg}"
        );
    }
    // The settings keep the tables as written until asked: still redacted.
    let dbg = format!(
        "{:?}",
        Settings::from_str_at(SECRETS, &file).expect("valid")
    );
    for secret in secrets {
        assert!(!dbg.contains(secret), "{secret} in {dbg}");
    }
    // From a file or the environment, the same.
    std::fs::write(file.with_file_name("imap.pass"), "file-pw-c3d9\n").expect("write");
    let text = SECRETS
        .replace(
            "password = \"imap-pw-31f4\"",
            "password_file = \"imap.pass\"",
        )
        .replace("password = \"smtp-pw-8c2e\"\n", "");
    let c = Config::from_str_at(&text, &file, &|k| {
        (k == "MAILINTAKE_SMTP_PASSWORD").then(|| "env-pw-0e6a".to_string())
    })
    .expect("valid");
    assert_eq!(c.imap.password.expose_secret(), "file-pw-c3d9");
    let dbg = format!("{c:?}");
    assert!(
        !dbg.contains("file-pw-c3d9") && !dbg.contains("env-pw-0e6a"),
        "{dbg}"
    );
}

/// A password written without quotes is a wrong type, and the error says
/// so without the value: serde's own message would quote it.
#[test]
fn a_password_of_the_wrong_type_is_not_echoed_in_the_error() {
    let (_dir, file) = setup();
    for (value, kind) in [("90817263", "integer"), ("9081.7263", "float")] {
        for key in ["imap.password", "smtp.password", "database.url"] {
            let text = match key {
                "imap.password" => GOOD.replace("\"hunter2\"", value),
                "smtp.password" => GOOD.replace(
                    "[smtp]\n",
                    &format!("[smtp]\nusername = \"u\"\npassword = {value}\n"),
                ),
                _ => GOOD.replace("\"sqlite://intake.db\"", value),
            };
            let err = config_err(&text, &file);
            assert!(err.contains(&format!("key `{key}`")), "{err}");
            assert!(err.contains(kind) && err.contains("in quotes"), "{err}");
            assert!(!err.contains("9081"), "the value is shown: {err}");
        }
    }
}

#[test]
fn other_databases_are_rejected_with_key() {
    let (_dir, file) = setup();
    let text = GOOD.replace("sqlite://intake.db", "mysql://x");
    let err = config_err(&text, &file);
    assert!(err.contains("database.url"), "{err}");
}

/// `questions`, `report` and `check --offline` work from a file with no
/// mail server in it; what needs the servers says which table is missing.
#[test]
fn settings_need_no_mail_tables() {
    let (dir, file) = setup();
    let s = Settings::from_str_at(NO_MAIL, &file).expect("no mail tables needed");
    assert_eq!(
        s.database_url().expect("database").expose_secret(),
        format!("sqlite://{}", dir.path().join("intake.db").display())
    );
    assert_eq!(s.imap_offline().expect("absent is fine"), None);
    assert_eq!(s.smtp_offline().expect("absent is fine"), None);
    assert_eq!(
        s.imap(&no_env).expect_err("no [imap]").to_string(),
        format!(
            "{}: table `[imap]` is missing: `run`, `once` and `check` need it",
            file.display()
        )
    );
    let err = config_err(NO_MAIL, &file);
    assert!(err.contains("table `[imap]` is missing"), "{err}");
}

#[test]
fn a_missing_key_is_named_by_the_command_that_needs_it() {
    let (_dir, file) = setup();
    let text = GOOD.replace("[smtp]\nhost = \"localhost\"\n", "[smtp]\n");
    // Settings do not look at `[smtp]` unless asked.
    let s = Settings::from_str_at(&text, &file).expect("settings");
    assert_eq!(
        s.smtp(&no_env).expect_err("no host").to_string(),
        format!(
            "{}: key `smtp.host` is missing: `run`, `once` and `check` need it",
            file.display()
        )
    );
    let text = NO_MAIL.replace("url = \"sqlite://intake.db\"\n", "");
    let s = Settings::from_str_at(&text, &file).expect("settings");
    let err = s.database_url().expect_err("no url").to_string();
    assert!(err.contains("key `database.url` is missing"), "{err}");
    let text = NO_MAIL.replace("name = \"Group\"\n", "");
    let err = Settings::from_str_at(&text, &file)
        .expect_err("no name")
        .to_string();
    assert_eq!(
        err,
        format!(
            "{}: key `intake.name` is missing: every command needs it",
            file.display()
        )
    );
}

/// A password file only the service can read does not stop staff: the
/// settings never open it, and the offline check looks at the rest.
#[test]
fn secrets_are_read_only_when_asked_for() {
    let (_dir, file) = setup();
    let text = GOOD.replace(
        "password = \"hunter2\"",
        "password_file = \"/nonexistent/imap.pass\"",
    );
    let s = Settings::from_str_at(&text, &file).expect("settings");
    assert_eq!(
        s.imap_offline().expect("offline").map(|e| e.to_string()),
        Some("localhost:143".to_string())
    );
    let err = s.imap(&no_env).expect_err("unreadable").to_string();
    assert!(
        err.starts_with(&format!(
            "{}: key `imap.password_file`: cannot read /nonexistent/imap.pass: ",
            file.display()
        )),
        "{err}"
    );
}

#[test]
fn the_offline_check_still_checks_what_it_can() {
    let (_dir, file) = setup();
    let both = GOOD.replace(
        "password = \"hunter2\"",
        "password = \"hunter2\"\npassword_file = \"imap.pass\"",
    );
    let s = Settings::from_str_at(&both, &file).expect("settings");
    let err = s.imap_offline().expect_err("both").to_string();
    assert!(err.contains("key `imap.password_file`"), "{err}");
    let ca = GOOD.replace(
        "[smtp]\nhost = \"localhost\"\n",
        "[smtp]\nhost = \"localhost\"\nca_file = \"no-such-ca.pem\"\n",
    );
    let s = Settings::from_str_at(&ca, &file).expect("settings");
    let err = s.smtp_offline().expect_err("no CA file").to_string();
    assert!(
        err.contains("key `smtp.ca_file`") && err.contains("no-such-ca.pem"),
        "{err}"
    );
    let empty = GOOD.replace("host = \"localhost\"\nsecurity", "host = \" \"\nsecurity");
    let s = Settings::from_str_at(&empty, &file).expect("settings");
    let err = s.imap_offline().expect_err("empty host").to_string();
    assert!(err.contains("key `imap.host`: must not be empty"), "{err}");
}

/// The reason the system gives is said once, after the key that names
/// the file and the file holding that key.
#[test]
fn an_unreadable_questions_file_names_its_key_and_the_config() {
    let (dir, file) = setup();
    let text = NO_MAIL.replace("q.toml", "absent.toml");
    let err = Settings::from_str_at(&text, &file).expect_err("no questions");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: key `intake.questions`: cannot read {}: {}",
            file.display(),
            dir.path().join("absent.toml").display(),
            std::io::Error::from_raw_os_error(2)
        )
    );
    // Said in the message, so not a source too: a chain would say it twice.
    assert!(std::error::Error::source(&err).is_none());
}

#[test]
fn an_unreadable_config_file_says_so_once_and_how_to_choose_another() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("absent.toml");
    let err = Settings::load(&file).expect_err("absent");
    assert_eq!(
        crate::errors::describe(&err),
        format!(
            "cannot read the configuration file {}: No such file or directory (os error 2); \
             give its path with --config or MAILINTAKE_CONFIG",
            file.display()
        )
    );
}

#[test]
fn database_passwords_are_not_printed() {
    assert_eq!(
        printable_url("postgres://intake:s3cret@db.example.org/intake"),
        "postgres://intake:***@db.example.org/intake"
    );
    assert_eq!(
        printable_url("postgres://intake@db.example.org/intake?sslmode=require&password=s3cret"),
        "postgres://intake@db.example.org/intake?sslmode=require&password=***"
    );
    assert_eq!(
        printable_url("sqlite:///var/lib/mailintake/intake.db"),
        "sqlite:///var/lib/mailintake/intake.db"
    );
}

/// The shipped examples stay valid as the code changes.
#[test]
fn deploy_examples_load() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let questions =
        QuestionSet::load(&root.join("deploy/questions.example.toml")).expect("questions example");
    assert_eq!(questions.len(), 8);
    for id in [
        "name",
        "region",
        "affiliation",
        "languages",
        "motivation",
        "experience",
        "time",
        "heard",
    ] {
        assert!(questions.by_id(id).is_some(), "{id}");
    }
    let text = std::fs::read_to_string(root.join("deploy/mailintake.example.toml"))
        .expect("config example")
        .replace(
            "questions = \"questions.toml\"",
            "questions = \"questions.example.toml\"",
        );
    let file = root.join("deploy/mailintake.example.toml");
    let settings = Settings::from_str_at(&text, &file).expect("settings of the example");
    assert!(settings.imap_offline().expect("imap offline").is_some());
    assert!(settings.smtp_offline().expect("smtp offline").is_some());
    // Its password files exist only on a deployed machine: that is the error.
    let err = Config::complete(settings, &no_env)
        .expect_err("password file absent here")
        .to_string();
    assert!(err.contains("imap.password_file"), "{err}");
}

#[test]
fn timeouts_default_to_30_s_and_zero_names_the_key() {
    let (_dir, file) = setup();
    let c = Config::from_str_at(GOOD, &file, &no_env).expect("valid");
    assert_eq!(c.imap.timeout, std::time::Duration::from_secs(30));
    assert_eq!(c.smtp.timeout, std::time::Duration::from_secs(30));
    assert!(c.imap.idle);
    let text = GOOD.replace("[smtp]\n", "[smtp]\ntimeout_seconds = 0\n");
    let err = config_err(&text, &file);
    assert!(err.contains("smtp.timeout_seconds"), "{err}");
}

#[test]
fn the_delivery_copy_goes_to_the_team_unless_told_otherwise() {
    use crate::config::DeliveryCopy;
    let (_dir, file) = setup();
    let c = Config::from_str_at(GOOD, &file, &no_env).expect("valid");
    assert_eq!(c.smtp.delivery_copy, DeliveryCopy::ToTeam);
    let with = |v: &str| GOOD.replace("[smtp]\n", &format!("[smtp]\ndelivery_copy = {v}\n"));
    let c = Config::from_str_at(&with("false"), &file, &no_env).expect("valid");
    assert_eq!(c.smtp.delivery_copy, DeliveryCopy::Off);
    let c = Config::from_str_at(&with("\"copies@example.org\""), &file, &no_env).expect("valid");
    assert_eq!(
        c.smtp.delivery_copy,
        DeliveryCopy::To("copies@example.org".into())
    );
    for bad in ["\"yes\"", "3"] {
        let err = config_err(&with(bad), &file);
        assert!(err.contains("delivery_copy"), "{bad}: {err}");
        assert!(
            err.contains("mailintake.toml") || err.contains(&file.display().to_string()),
            "{err}"
        );
    }
}

#[test]
fn the_poll_interval_takes_fractions_down_to_a_tenth_of_a_second() {
    use std::time::Duration;
    let (_dir, file) = setup();
    let c = Config::from_str_at(GOOD, &file, &no_env).expect("valid");
    assert_eq!(c.intake.poll, Duration::from_secs(10));
    let with = |v: &str| {
        GOOD.replace(
            "questions = \"q.toml\"\n",
            &format!("questions = \"q.toml\"\npoll_seconds = {v}\n"),
        )
    };
    for (given, poll) in [
        ("0.2", Duration::from_millis(200)),
        ("0.1", Duration::from_millis(100)),
        ("3", Duration::from_secs(3)),
        ("2.5", Duration::from_millis(2500)),
    ] {
        let c = Config::from_str_at(&with(given), &file, &no_env).expect(given);
        assert_eq!(c.intake.poll, poll, "{given}");
    }
    for (given, says) in [
        ("0.05", "0.05 is under the least, 0.1"),
        ("0", "0 is under the least, 0.1"),
        ("0.0", "0 is under the least, 0.1"),
        ("-1", "-1 is under the least, 0.1"),
        ("nan", "nan is not a number of seconds"),
        ("inf", "inf is over the most, 86400"),
        ("86401", "86401 is over the most, 86400"),
    ] {
        let err = config_err(&with(given), &file);
        assert!(
            err.starts_with(&format!("{}: ", file.display())),
            "{given}: {err}"
        );
        assert!(err.contains("`intake.poll_seconds`"), "{given}: {err}");
        assert!(err.contains(says), "{given}: {err}");
    }
    let err = config_err(&with("\"fast\""), &file);
    assert!(err.contains("intake.poll_seconds"), "{err}");
}

#[test]
fn plaintext_is_warned_of_naming_the_key() {
    let (_dir, file) = setup();
    let c = Config::from_str_at(GOOD, &file, &no_env).expect("valid");
    let both = c.warnings();
    assert_eq!(both.len(), 2, "{both:?}");
    assert!(both[0].starts_with("imap.security = \"none\""), "{both:?}");
    assert!(both[1].starts_with("smtp.security = \"none\""), "{both:?}");
    let (head, tail) = GOOD.split_at(GOOD.find("[smtp]").expect("smtp table"));
    let text = format!(
        "{head}{}",
        tail.replacen("security = \"none\"", "security = \"tls\"", 1)
    );
    let c = Config::from_str_at(&text, &file, &no_env).expect("valid");
    let one = c.warnings();
    assert_eq!(one.len(), 1, "{one:?}");
    assert!(one[0].starts_with("imap.security"), "{one:?}");
}

#[test]
fn retention_is_optional_and_a_wrong_number_names_the_key() {
    let (_dir, file) = setup();
    let settings = |extra: &str| Settings::from_str_at(&format!("{NO_MAIL}{extra}"), &file);
    let s = settings("").expect("valid");
    assert_eq!(s.retention().expect("absent is fine"), None);
    let s = settings("[privacy]\nretention_days = 30\n").expect("valid");
    assert_eq!(
        s.retention().expect("valid"),
        Some(crate::privacy::Retention { days: 30 })
    );
    let name = file.display();
    for (value, message) in [
        (
            "0",
            "0 is under the least, 1 (days); leave the key out to keep everything",
        ),
        (
            "-3",
            "-3 is under the least, 1 (days); leave the key out to keep everything",
        ),
        ("36501", "36501 is over the most, 36500 (days)"),
    ] {
        let s = settings(&format!("[privacy]\nretention_days = {value}\n")).expect("parses");
        assert_eq!(
            s.retention().expect_err(value).to_string(),
            format!("{name}: key `privacy.retention_days`: {message}"),
        );
    }
    // Unknown keys in the table are refused, like anywhere.
    let err = settings("[privacy]\nretention = 30\n")
        .expect_err("unknown key")
        .to_string();
    assert!(err.contains("key `privacy.retention`"), "{err}");
    // `purge` cannot do without it, and says where it is missing.
    assert_eq!(
        settings("")
            .expect("valid")
            .retention_required()
            .expect_err("none")
            .to_string(),
        format!("{name}: table `[privacy]` is missing: `purge` needs it")
    );
    assert_eq!(
        settings("[privacy]\n")
            .expect("valid")
            .retention_required()
            .expect_err("none")
            .to_string(),
        format!("{name}: key `privacy.retention_days` is missing: `purge` needs it")
    );
}
