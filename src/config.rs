//! Typed, validated configuration. Every error names the file and the key.

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::questions::{QuestionSet, QuestionsError};

/// Default largest message processed as an applicant mail (bytes).
pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{file}: cannot read: {source}")]
    Read {
        file: PathBuf,
        source: std::io::Error,
    },
    #[error("{file}: {message}")]
    Parse { file: PathBuf, message: String },
    #[error("{file}: key `{key}`: {message}")]
    Invalid {
        file: PathBuf,
        key: String,
        message: String,
    },
    #[error(transparent)]
    Questions(#[from] QuestionsError),
}

/// A secret value whose `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    #[default]
    Tls,
    Starttls,
    None,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    intake: RawIntake,
    imap: RawImap,
    smtp: RawSmtp,
    database: RawDatabase,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIntake {
    address: String,
    name: String,
    questions: PathBuf,
    closes_at: Option<String>,
    backfill: Option<String>,
    templates: Option<PathBuf>,
    max_message_bytes: Option<u64>,
    poll_seconds: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImap {
    host: String,
    port: Option<u16>,
    #[serde(default)]
    security: Security,
    username: String,
    password: Option<String>,
    password_file: Option<PathBuf>,
    mailbox: Option<String>,
    ca_file: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSmtp {
    host: String,
    port: Option<u16>,
    #[serde(default)]
    security: Security,
    username: Option<String>,
    password: Option<String>,
    password_file: Option<PathBuf>,
    ca_file: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDatabase {
    url: String,
}

#[derive(Debug, Clone)]
pub struct Intake {
    /// Lower-cased team address; replies come from it.
    pub address: String,
    pub name: String,
    pub closes_at: Option<DateTime<Utc>>,
    pub templates_dir: Option<PathBuf>,
    pub max_message_bytes: u64,
    pub poll_seconds: u64,
    /// How far back mail already in the mailbox at the first start is
    /// answered (`backfill`, default `"24h"`).
    pub backfill: crate::domain::Backfill,
}

impl Intake {
    /// Domain of the team address, used for Message-IDs.
    pub fn domain(&self) -> &str {
        self.address
            .rsplit_once('@')
            .map(|(_, d)| d)
            .unwrap_or("localhost")
    }
}

#[derive(Debug, Clone)]
pub struct Imap {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: Secret,
    pub mailbox: String,
    /// Extra trust anchors (PEM), for a server with a private CA.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Smtp {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub credentials: Option<(String, Secret)>,
    /// Extra trust anchors (PEM), for a server with a private CA.
    pub ca_file: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub file: PathBuf,
    pub intake: Intake,
    pub imap: Imap,
    pub smtp: Smtp,
    /// `sqlite://FILE` (relative to the config file) or `postgres://…`;
    /// secret, since a PostgreSQL URL may hold a password.
    pub database_url: Secret,
    pub questions: QuestionSet,
}

impl Config {
    /// Loads and validates a config file and the questions file it names.
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
            file: file.to_path_buf(),
            source,
        })?;
        Self::from_str_at(&text, file, &|name| std::env::var(name).ok())
    }

    /// Parses config text as if read from `file` (relative paths resolve
    /// against its folder); `env` looks up environment variables.
    pub fn from_str_at(
        text: &str,
        file: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_path_buf(),
            message: describe_toml_error(&e, text),
        })?;
        let base = file.parent().unwrap_or(Path::new("."));
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            file: file.to_path_buf(),
            key: key.to_string(),
            message,
        };

        let address = raw.intake.address.trim().to_ascii_lowercase();
        if address.parse::<lettre::Address>().is_err() {
            return Err(invalid(
                "intake.address",
                format!("`{}` is not an email address", raw.intake.address),
            ));
        }
        if raw.intake.name.trim().is_empty() {
            return Err(invalid("intake.name", "must not be empty".into()));
        }
        let closes_at = match &raw.intake.closes_at {
            None => None,
            Some(s) => Some(
                DateTime::parse_from_rfc3339(s)
                    .map_err(|e| {
                        invalid(
                            "intake.closes_at",
                            format!("`{s}` is not an RFC 3339 time ({e})"),
                        )
                    })?
                    .with_timezone(&Utc),
            ),
        };
        let max_message_bytes = raw
            .intake
            .max_message_bytes
            .unwrap_or(DEFAULT_MAX_MESSAGE_BYTES);
        if max_message_bytes == 0 {
            return Err(invalid(
                "intake.max_message_bytes",
                "must be positive".into(),
            ));
        }
        let backfill = match &raw.intake.backfill {
            None => crate::domain::Backfill::default(),
            Some(s) => s
                .parse()
                .map_err(|e: crate::domain::backfill::BackfillError| {
                    invalid("intake.backfill", e.to_string())
                })?,
        };
        let poll_seconds = raw.intake.poll_seconds.unwrap_or(10);
        if poll_seconds == 0 {
            return Err(invalid("intake.poll_seconds", "must be positive".into()));
        }
        let templates_dir = raw.intake.templates.map(|p| base.join(p));
        if let Some(dir) = &templates_dir
            && !dir.is_dir()
        {
            return Err(invalid(
                "intake.templates",
                format!("`{}` is not a folder", dir.display()),
            ));
        }
        let questions_path = base.join(&raw.intake.questions);
        let questions = QuestionSet::load(&questions_path)?;

        let imap_password = password(
            raw.imap.password,
            raw.imap.password_file,
            "MAILINTAKE_IMAP_PASSWORD",
            "imap",
            base,
            env,
            &invalid,
        )?
        .ok_or_else(|| {
            invalid(
                "imap.password",
                "no password: set imap.password, imap.password_file or MAILINTAKE_IMAP_PASSWORD"
                    .into(),
            )
        })?;
        let imap = Imap {
            port: raw.imap.port.unwrap_or(match raw.imap.security {
                Security::Tls => 993,
                _ => 143,
            }),
            host: nonempty(raw.imap.host, "imap.host", &invalid)?,
            security: raw.imap.security,
            username: nonempty(raw.imap.username, "imap.username", &invalid)?,
            password: imap_password,
            mailbox: raw.imap.mailbox.unwrap_or_else(|| "INBOX".into()),
            ca_file: ca_file(raw.imap.ca_file, "imap", base, &invalid)?,
        };

        let smtp_password = password(
            raw.smtp.password,
            raw.smtp.password_file,
            "MAILINTAKE_SMTP_PASSWORD",
            "smtp",
            base,
            env,
            &invalid,
        )?;
        let credentials = match (raw.smtp.username, smtp_password) {
            (Some(u), Some(p)) => Some((u, p)),
            (None, None) => None,
            (Some(_), None) => {
                return Err(invalid(
                    "smtp.password",
                    "smtp.username is set but no password: set smtp.password, smtp.password_file or MAILINTAKE_SMTP_PASSWORD".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(invalid(
                    "smtp.username",
                    "a password is set but no username".into(),
                ));
            }
        };
        let smtp = Smtp {
            port: raw.smtp.port.unwrap_or(match raw.smtp.security {
                Security::Tls => 465,
                Security::Starttls => 587,
                Security::None => 25,
            }),
            host: nonempty(raw.smtp.host, "smtp.host", &invalid)?,
            security: raw.smtp.security,
            credentials,
            ca_file: ca_file(raw.smtp.ca_file, "smtp", base, &invalid)?,
        };

        let database_url = resolve_database_url(&raw.database.url, base)
            .map_err(|m| invalid("database.url", m))?;

        Ok(Config {
            file: file.to_path_buf(),
            intake: Intake {
                address,
                name: raw.intake.name.trim().to_string(),
                closes_at,
                templates_dir,
                max_message_bytes,
                poll_seconds,
                backfill,
            },
            imap,
            smtp,
            database_url: Secret::new(database_url),
            questions,
        })
    }
}

fn nonempty(
    v: String,
    key: &str,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<String, ConfigError> {
    if v.trim().is_empty() {
        Err(invalid(key, "must not be empty".into()))
    } else {
        Ok(v.trim().to_string())
    }
}

/// A PEM file of CA certificates, checked now so that a wrong path or a
/// file without a certificate is a config error, not a failure at 3 a.m.
fn ca_file(
    file: Option<PathBuf>,
    section: &str,
    base: &Path,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Option<PathBuf>, ConfigError> {
    let Some(f) = file else {
        return Ok(None);
    };
    let path = base.join(f);
    let key = format!("{section}.ca_file");
    let certs = crate::tls::load_pem_certs(&path).map_err(|e| invalid(&key, e))?;
    if certs.is_empty() {
        return Err(invalid(
            &key,
            format!("`{}` holds no PEM certificate", path.display()),
        ));
    }
    Ok(Some(path))
}

/// Password from the inline key, a file, or the environment, in that order.
fn password(
    inline: Option<String>,
    file: Option<PathBuf>,
    env_name: &str,
    section: &str,
    base: &Path,
    env: &dyn Fn(&str) -> Option<String>,
    invalid: &dyn Fn(&str, String) -> ConfigError,
) -> Result<Option<Secret>, ConfigError> {
    if inline.is_some() && file.is_some() {
        return Err(invalid(
            &format!("{section}.password_file"),
            format!("set either {section}.password or {section}.password_file, not both"),
        ));
    }
    if let Some(p) = inline {
        return Ok(Some(Secret::new(p)));
    }
    if let Some(f) = file {
        let path = base.join(f);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            invalid(
                &format!("{section}.password_file"),
                format!("cannot read `{}`: {e}", path.display()),
            )
        })?;
        // A trailing newline from `echo secret > file` is not part of the password.
        return Ok(Some(Secret::new(text.trim_end_matches(['\r', '\n']))));
    }
    Ok(env(env_name).map(Secret::new))
}

/// Makes a relative SQLite path relative to the config file's folder.
fn resolve_database_url(url: &str, base: &Path) -> Result<String, String> {
    if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or(url.strip_prefix("sqlite:"))
    {
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        if path.is_empty() {
            return Err("missing SQLite file path".into());
        }
        if path == ":memory:" {
            return Ok(url.to_string());
        }
        let full = if Path::new(path).is_absolute() {
            PathBuf::from(path)
        } else {
            base.join(path)
        };
        let mut out = format!("sqlite://{}", full.display());
        if let Some(q) = query {
            out.push('?');
            out.push_str(q);
        }
        Ok(out)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        // Checked here so that a typo is a config error naming the key;
        // the message never repeats the URL, which may hold a password.
        url::Url::parse(url)
            .map(|_| url.to_string())
            .map_err(|e| format!("not a valid PostgreSQL URL ({e})"))
    } else {
        let scheme = url.split(':').next().unwrap_or("");
        Err(format!(
            "unsupported database `{scheme}:`; use sqlite://FILE or postgres://USER@HOST/DB"
        ))
    }
}

/// toml's errors carry a position: name the key (with its table) and line.
pub(crate) fn describe_toml_error(e: &toml::de::Error, text: &str) -> String {
    let msg = e.message().trim().to_string();
    let Some(span) = e.span() else {
        return msg;
    };
    let start = span.start.min(text.len());
    let line_no = text.as_bytes()[..start]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
    let table = text
        .lines()
        .take(line_no)
        .filter_map(|l| {
            let l = l.trim();
            l.strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .map(|t| t.trim_matches(['[', ']']).trim().to_string())
        })
        .last();
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"').to_string())
        .filter(|k| !k.is_empty() && !line.starts_with('['));
    match (table, key) {
        (Some(t), Some(k)) => format!("key `{t}.{k}` (line {line_no}): {msg}"),
        (None, Some(k)) => format!("key `{k}` (line {line_no}): {msg}"),
        (Some(t), None) => format!("table `[{t}]` (line {line_no}): {msg}"),
        (None, None) => format!("line {line_no}: {msg}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn loads_good_config_and_resolves_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_questions(dir.path());
        let file = dir.path().join("mailintake.toml");
        let c = Config::from_str_at(GOOD, &file, &|_| None).expect("valid");
        assert_eq!(c.intake.address, "team@example.org");
        assert_eq!(c.imap.port, 143);
        assert_eq!(c.smtp.port, 25);
        assert_eq!(
            c.database_url.expose(),
            format!("sqlite://{}", dir.path().join("intake.db").display())
        );
        assert_eq!(c.questions.len(), 1);
    }

    #[test]
    fn unknown_key_is_named_with_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_questions(dir.path());
        let file = dir.path().join("mailintake.toml");
        let text = GOOD.replace("[smtp]\n", "[smtp]\nhots = \"x\"\n");
        let err = Config::from_str_at(&text, &file, &|_| None)
            .expect_err("unknown key")
            .to_string();
        assert!(err.contains("mailintake.toml"), "{err}");
        assert!(err.contains("hots"), "{err}");
    }

    #[test]
    fn wrong_type_names_table_key_and_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_questions(dir.path());
        let file = dir.path().join("mailintake.toml");
        let text = GOOD.replace(
            "host = \"localhost\"\nsecurity = \"none\"\nusername",
            "host = \"localhost\"\nsecurity = \"none\"\nport = \"abc\"\nusername",
        );
        let err = Config::from_str_at(&text, &file, &|_| None)
            .expect_err("bad port")
            .to_string();
        assert!(err.contains("key `imap.port` (line 9)"), "{err}");
        assert!(err.contains("mailintake.toml"), "{err}");
    }

    #[test]
    fn bad_closes_at_names_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_questions(dir.path());
        let file = dir.path().join("mailintake.toml");
        let text = GOOD.replace(
            "questions = \"q.toml\"",
            "questions = \"q.toml\"\ncloses_at = \"tomorrow\"",
        );
        let err = Config::from_str_at(&text, &file, &|_| None)
            .expect_err("bad time")
            .to_string();
        assert!(err.contains("intake.closes_at"), "{err}");
    }

    #[test]
    fn missing_password_names_key_and_env_fills_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_questions(dir.path());
        let file = dir.path().join("mailintake.toml");
        let text = GOOD.replace("password = \"hunter2\"\n", "");
        let err = Config::from_str_at(&text, &file, &|_| None)
            .expect_err("no password")
            .to_string();
        assert!(err.contains("imap.password"), "{err}");
        let c = Config::from_str_at(&text, &file, &|k| {
            (k == "MAILINTAKE_IMAP_PASSWORD").then(|| "from-env".to_string())
        })
        .expect("env password");
        assert_eq!(c.imap.password.expose(), "from-env");
    }

    #[test]
    fn secrets_never_in_debug() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_questions(dir.path());
        let file = dir.path().join("mailintake.toml");
        let c = Config::from_str_at(GOOD, &file, &|_| None).expect("valid");
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
        assert!(dbg.contains("redacted"));
    }

    #[test]
    fn postgres_url_is_rejected_for_now_with_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_questions(dir.path());
        let file = dir.path().join("mailintake.toml");
        let text = GOOD.replace("sqlite://intake.db", "mysql://x");
        let err = Config::from_str_at(&text, &file, &|_| None)
            .expect_err("mysql")
            .to_string();
        assert!(err.contains("database.url"), "{err}");
    }
}

#[cfg(test)]
mod example_tests {
    use super::*;

    /// The shipped examples stay valid as the code changes.
    #[test]
    fn deploy_examples_load() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let questions = QuestionSet::load(&root.join("deploy/questions.example.toml"))
            .expect("questions example");
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
        let c = Config::from_str_at(&text, &root.join("deploy/mailintake.example.toml"), &|_| {
            None
        });
        // Its password files exist only on a deployed machine: that is the error.
        let err = c.expect_err("password file absent here").to_string();
        assert!(err.contains("imap.password_file"), "{err}");
    }
}
