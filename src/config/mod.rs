//! Typed, validated configuration. Every error names the file and the key.
//!
//! Each command checks only the parts it uses, so that staff can print the
//! questions or the report without the mail servers' secrets.
//! [`Settings`] is the file with `[intake]` and its questions checked; it
//! checks `[database]`, `[imap]` and `[smtp]` (and reads their secrets)
//! when a command asks for them. [`Config`] is all of it, for the commands
//! that reach the mail servers. Unknown keys and wrong types are rejected
//! anywhere in the file, whatever the command.

mod database;
mod gates;
mod intake;
mod privacy;
mod raw;
mod servers;
#[cfg(test)]
mod tests;
mod toml_error;

use std::ops::Deref;
use std::path::{Path, PathBuf};

pub use database::printable_url;
pub use gates::Trust;
pub use intake::{DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_POLL, Intake};
pub use servers::{DeliveryCopy, Endpoint, Env, Imap, Secret, Security, Smtp};
pub(crate) use toml_error::describe_toml_error;

use secrecy::zeroize::Zeroizing;

use crate::questions::{QuestionSet, QuestionsError};
use raw::{RawConfig, RawDatabase, RawImap, RawPrivacy, RawSmtp};

/// What is wrong with the configuration, naming the file and the key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file itself cannot be read.
    #[error(
        "cannot read the configuration file {file}: {reason}; give its path with --config or MAILINTAKE_CONFIG"
    )]
    Read {
        file: PathBuf,
        // Not a `source`: it is in the message, and a source is printed
        // again by whoever prints the chain.
        reason: std::io::Error,
    },
    /// Not TOML, an unknown key, or a value of the wrong type.
    #[error("{file}: {message}")]
    Parse { file: PathBuf, message: String },
    /// A value that is there but not usable.
    #[error("{file}: key `{key}`: {message}")]
    Invalid {
        file: PathBuf,
        key: String,
        message: String,
    },
    /// A key the command needs is not there.
    #[error("{file}: key `{key}` is missing: {needed_by}")]
    MissingKey {
        file: PathBuf,
        key: String,
        needed_by: &'static str,
    },
    /// A table the command needs is not there.
    #[error("{file}: table `[{table}]` is missing: {needed_by}")]
    MissingTable {
        file: PathBuf,
        table: &'static str,
        needed_by: &'static str,
    },
    /// The questions file named by `intake.questions` is wrong.
    #[error(transparent)]
    Questions(#[from] QuestionsError),
}

/// Where values come from: the file errors name, and the folder that
/// relative paths in it start from.
#[derive(Debug, Clone)]
struct Origin {
    file: PathBuf,
}

impl Origin {
    fn base(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }
    fn path(&self, relative: &Path) -> PathBuf {
        self.base().join(relative)
    }
    fn invalid(&self, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.clone(),
            key: key.to_string(),
            message: message.into(),
        }
    }
    fn missing_key(&self, key: &str, needed_by: &'static str) -> ConfigError {
        ConfigError::MissingKey {
            file: self.file.clone(),
            key: key.to_string(),
            needed_by,
        }
    }
    fn missing_table(&self, table: &'static str, needed_by: &'static str) -> ConfigError {
        ConfigError::MissingTable {
            file: self.file.clone(),
            table,
            needed_by,
        }
    }
}

/// The configuration file with `[intake]` and its questions checked; the
/// other tables are checked when a command asks for them.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The configuration file.
    pub file: PathBuf,
    /// `[intake]`.
    pub intake: Intake,
    /// The questions file `intake.questions` names.
    pub questions: QuestionSet,
    /// `[security]`.
    pub security: Trust,
    /// `[limits]`.
    pub limits: crate::domain::SendLimits,
    /// `files.directory`: where files attached as answers are kept
    /// (absolute, or relative to the config file); `None` keeps them in
    /// the database.
    pub files_dir: Option<PathBuf>,
    origin: Origin,
    database: Option<RawDatabase>,
    imap: Option<RawImap>,
    smtp: Option<RawSmtp>,
    privacy: Option<RawPrivacy>,
}

/// Where answers are stored, as the mails may tell applicants: the kind
/// of database `database.url` names, never its path or credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// An SQLite file on the machine running mailintake.
    Sqlite,
    /// A PostgreSQL server, by host name when the URL gives one.
    Postgres { host: Option<String> },
}

impl Storage {
    /// `sqlite` or `postgres`, as the templates test it.
    pub fn kind(&self) -> &'static str {
        match self {
            Storage::Sqlite => "sqlite",
            Storage::Postgres { .. } => "postgres",
        }
    }

    pub fn host(&self) -> Option<&str> {
        match self {
            Storage::Sqlite => None,
            Storage::Postgres { host } => host.as_deref(),
        }
    }
}

impl Settings {
    /// The kind of database `database.url` names; `None` without one or
    /// with a URL that `database_url` would refuse.
    pub fn storage(&self) -> Option<Storage> {
        let url = self.database.as_ref()?.url.as_ref()?;
        let url = secrecy::ExposeSecret::expose_secret(url);
        if url.starts_with("sqlite:") {
            Some(Storage::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let host = url::Url::parse(url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .filter(|h| !h.is_empty());
            Some(Storage::Postgres { host })
        } else {
            None
        }
    }

    /// Reads a config file and the questions file it names.
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        // The file holds the passwords, unless they come from elsewhere.
        let text =
            Zeroizing::new(
                std::fs::read_to_string(file).map_err(|reason| ConfigError::Read {
                    file: file.to_path_buf(),
                    reason,
                })?,
            );
        Self::from_str_at(&text, file)
    }

    /// Reads a config file, taking the questions from `questions` (a path
    /// as given on the command line) instead of the file `intake.questions`
    /// names, read with the languages `intake.languages` configures:
    /// `explain --questions FILE`.
    pub fn load_with_questions(file: &Path, questions: &Path) -> Result<Self, ConfigError> {
        let text =
            Zeroizing::new(
                std::fs::read_to_string(file).map_err(|reason| ConfigError::Read {
                    file: file.to_path_buf(),
                    reason,
                })?,
            );
        Self::parse(&text, file, Some(questions))
    }

    /// Parses config text as if read from `file` (relative paths resolve
    /// against its folder).
    pub fn from_str_at(text: &str, file: &Path) -> Result<Self, ConfigError> {
        Self::parse(text, file, None)
    }

    /// [`Settings::from_str_at`], with the questions from `questions` when
    /// given.
    fn parse(text: &str, file: &Path, questions: Option<&Path>) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            file: file.to_path_buf(),
            message: describe_toml_error(&e, text),
        })?;
        let origin = Origin {
            file: file.to_path_buf(),
        };
        let (intake, questions) = intake::intake(raw.intake, &origin, questions)?;
        let security = gates::security(raw.security, &origin)?;
        let limits = gates::limits(raw.limits);
        let files_dir = match raw.files.and_then(|f| f.directory) {
            Some(dir) if dir.as_os_str().is_empty() => {
                return Err(origin.invalid(
                    "files.directory",
                    "is empty; leave it out to keep files in the database",
                ));
            }
            Some(dir) => Some(origin.path(&dir)),
            None => None,
        };
        Ok(Self {
            file: file.to_path_buf(),
            intake,
            questions,
            security,
            limits,
            files_dir,
            origin,
            database: raw.database,
            imap: raw.imap,
            smtp: raw.smtp,
            privacy: raw.privacy,
        })
    }

    /// Settings for reading mail with a questions file and no configuration
    /// (`explain --questions`): the built-in templates, a neutral team name,
    /// no team address and no other table.
    pub fn without_file(questions: QuestionSet) -> Self {
        Self {
            file: PathBuf::new(),
            intake: Intake {
                address: String::new(),
                name: "the team".into(),
                closes_at: None,
                templates_dir: None,
                max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
                poll: DEFAULT_POLL,
                backfill: crate::domain::Backfill::default(),
                questions_file: PathBuf::new(),
                languages: questions.languages().clone(),
            },
            questions,
            security: Trust::default(),
            limits: crate::domain::SendLimits::default(),
            files_dir: None,
            origin: Origin {
                file: PathBuf::new(),
            },
            database: None,
            imap: None,
            smtp: None,
            privacy: None,
        }
    }

    /// `database.url`: `sqlite://FILE` (relative to the config file) or
    /// `postgres://…`; secret, since a PostgreSQL URL may hold a password.
    pub fn database_url(&self) -> Result<Secret, ConfigError> {
        database::url(self.database.as_ref(), &self.origin)
    }

    /// The address `smtp.delivery_copy` names when it is another than
    /// `intake.address` (a copy of each reply goes there, which the
    /// question mail says); `None` when the copy is off, goes to the team
    /// address, or the value is no address (the `[smtp]` check refuses
    /// it).
    pub fn delivery_copy_elsewhere(&self) -> Option<String> {
        match self.smtp.as_ref()?.delivery_copy.as_ref()? {
            raw::RawDeliveryCopy::To(a) => {
                let a = a.trim();
                (a.parse::<lettre::Address>().is_ok()
                    && !a.eq_ignore_ascii_case(self.intake.address.trim()))
                .then(|| a.to_string())
            }
            raw::RawDeliveryCopy::On(_) => None,
        }
    }

    /// `privacy.retention_days`: how long raw mail and answer history are
    /// kept; `None` when not set (kept for ever).
    pub fn retention(&self) -> Result<Option<crate::privacy::Retention>, ConfigError> {
        privacy::retention(self.privacy.as_ref(), &self.origin)
    }

    /// `privacy.retention_days`, for `purge`, which has nothing to go by
    /// without it: an error names the missing table or key.
    pub fn retention_required(&self) -> Result<crate::privacy::Retention, ConfigError> {
        privacy::required(self.privacy.as_ref(), &self.origin)
    }

    /// `[imap]`, its password read from the key, its file or `env`.
    pub fn imap(&self, env: Env) -> Result<Imap, ConfigError> {
        servers::imap(self.imap.as_ref(), &self.origin, env)
    }

    /// `[smtp]`, its password read from the key, its file or `env`.
    pub fn smtp(&self, env: Env) -> Result<Smtp, ConfigError> {
        servers::smtp(self.smtp.as_ref(), &self.origin, env)
    }

    /// `[imap]` checked without reading its password; `None` without one.
    pub fn imap_offline(&self) -> Result<Option<Endpoint>, ConfigError> {
        servers::imap_offline(self.imap.as_ref(), &self.origin)
    }

    /// `[smtp]` checked without reading its password; `None` without one.
    pub fn smtp_offline(&self) -> Result<Option<Endpoint>, ConfigError> {
        servers::smtp_offline(self.smtp.as_ref(), &self.origin)
    }
}

/// Everything, secrets read: what `run`, `once` and `check` use.
#[derive(Debug, Clone)]
pub struct Config {
    pub settings: Settings,
    /// See [`Settings::database_url`].
    pub database_url: Secret,
    pub imap: Imap,
    pub smtp: Smtp,
}

/// A `Config` is its settings and more: code reading the intake or the
/// questions reads them the same way from either.
impl Deref for Config {
    type Target = Settings;
    fn deref(&self) -> &Settings {
        &self.settings
    }
}

impl Config {
    /// Loads a config file with every table, passwords from the process
    /// environment when the file does not give them.
    pub fn load(file: &Path) -> Result<Self, ConfigError> {
        Self::complete(Settings::load(file)?, &|name| std::env::var(name).ok())
    }

    /// Parses config text as if read from `file`; `env` looks up
    /// environment variables.
    pub fn from_str_at(text: &str, file: &Path, env: Env) -> Result<Self, ConfigError> {
        Self::complete(Settings::from_str_at(text, file)?, env)
    }

    /// What a person should know before the daemon talks to its servers:
    /// each `security = "none"`, which sends the password and the mail
    /// unencrypted, and each send limit of 0. One sentence each, naming
    /// the key.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (key, security) in [
            ("imap.security", self.imap.security),
            ("smtp.security", self.smtp.security),
        ] {
            if security == Security::None {
                out.push(format!(
                    "{key} = \"none\": the password and the mail cross the network unencrypted; use \"tls\" or \"starttls\" unless the server is on this host"
                ));
            }
        }
        out.extend(gates::warnings(self.limits));
        out
    }

    /// Checks the tables `settings` left for later, in file order.
    pub fn complete(settings: Settings, env: Env) -> Result<Self, ConfigError> {
        let imap = settings.imap(env)?;
        let smtp = settings.smtp(env)?;
        let database_url = settings.database_url()?;
        Ok(Self {
            settings,
            database_url,
            imap,
            smtp,
        })
    }
}
