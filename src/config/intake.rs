//! `[intake]` and the questions file it names: what every command needs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::raw::RawIntake;
use super::{ConfigError, Origin};
use crate::lang::Languages;
use crate::questions::{QuestionSet, QuestionsError};

/// Default largest message processed as an applicant mail (bytes).
pub const DEFAULT_MAX_MESSAGE_BYTES: u64 = 10 * 1024 * 1024;

/// Default time between two looks at the mailbox (10 s).
pub const DEFAULT_POLL: Duration = Duration::from_secs(10);

/// Shortest `intake.poll_seconds` (seconds): each look is a SELECT and a
/// SEARCH on the server and a write to the database.
const MIN_POLL_SECONDS: f64 = 0.1;

/// Longest `intake.poll_seconds` (seconds, a day): longer is a mistake,
/// and far longer could not be added to a clock reading.
const MAX_POLL_SECONDS: f64 = 86_400.0;

const NEEDED_BY: &str = "every command needs it";

/// The team and its call for applications.
#[derive(Debug, Clone)]
pub struct Intake {
    /// Lower-cased team address; replies come from it.
    pub address: String,
    /// The team's name, shown in From and in the mails.
    pub name: String,
    /// After this, people get a closing notice instead of the questions.
    pub closes_at: Option<DateTime<Utc>>,
    /// Folder whose files override the built-in templates.
    pub templates_dir: Option<PathBuf>,
    /// Larger mail is stored and listed for staff, not processed.
    pub max_message_bytes: u64,
    /// Time between two looks at the mailbox when it does not push news
    /// (`intake.poll_seconds`, at least 0.1 s).
    pub poll: Duration,
    /// How far back mail already in the mailbox at the first start is
    /// answered (`backfill`, default `"24h"`).
    pub backfill: crate::domain::Backfill,
    /// The questions file (`intake.questions`, resolved against the
    /// configuration file's folder): `run` reloads it when it changes.
    pub questions_file: PathBuf,
    /// The languages applicants are written to in (`languages`, default
    /// `["en"]`); the first is the default and the questions file's plain
    /// texts'.
    pub languages: Languages,
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

/// Checks `[intake]` and loads the questions file it names, or
/// `questions` instead when given (`explain --questions FILE`: a path as
/// given on the command line), with the languages it configures.
pub(super) fn intake(
    raw: Option<RawIntake>,
    origin: &Origin,
    questions: Option<&Path>,
) -> Result<(Intake, QuestionSet), ConfigError> {
    let raw = raw.ok_or_else(|| origin.missing_table("intake", NEEDED_BY))?;
    let address_given = raw
        .address
        .ok_or_else(|| origin.missing_key("intake.address", NEEDED_BY))?;
    let address = address_given.trim().to_ascii_lowercase();
    if address.parse::<lettre::Address>().is_err() {
        return Err(origin.invalid(
            "intake.address",
            format!("`{address_given}` is not an email address"),
        ));
    }
    let name = raw
        .name
        .ok_or_else(|| origin.missing_key("intake.name", NEEDED_BY))?;
    if name.trim().is_empty() {
        return Err(origin.invalid("intake.name", "must not be empty"));
    }
    let closes_at = match &raw.closes_at {
        None => None,
        Some(s) => Some(
            DateTime::parse_from_rfc3339(s)
                .map_err(|e| {
                    origin.invalid(
                        "intake.closes_at",
                        format!("`{s}` is not an RFC 3339 time ({e})"),
                    )
                })?
                .with_timezone(&Utc),
        ),
    };
    let max_message_bytes = raw.max_message_bytes.unwrap_or(DEFAULT_MAX_MESSAGE_BYTES);
    if max_message_bytes == 0 {
        return Err(origin.invalid("intake.max_message_bytes", "must be positive"));
    }
    let backfill = match &raw.backfill {
        None => crate::domain::Backfill::default(),
        Some(s) => s
            .parse()
            .map_err(|e: crate::domain::backfill::BackfillError| {
                origin.invalid("intake.backfill", e.to_string())
            })?,
    };
    let poll = match raw.poll_seconds {
        None => DEFAULT_POLL,
        Some(s) => poll(s, origin)?,
    };
    let templates_dir = raw.templates.map(|p| origin.path(&p));
    if let Some(dir) = &templates_dir
        && !dir.is_dir()
    {
        return Err(origin.invalid(
            "intake.templates",
            format!("`{}` is not a folder", dir.display()),
        ));
    }
    let languages = match &raw.languages {
        None => Languages::default(),
        Some(codes) => {
            Languages::from_codes(codes).map_err(|m| origin.invalid("intake.languages", m))?
        }
    };
    let (questions_file, questions) = match questions {
        // Given by the person running the command: its own errors, an
        // unreadable file too, name it and not the config's key.
        Some(file) => (file.to_path_buf(), QuestionSet::load_for(file, &languages)?),
        None => {
            let questions_file = raw
                .questions
                .ok_or_else(|| origin.missing_key("intake.questions", NEEDED_BY))?;
            // The questions file's own errors name it and its keys; only
            // the one that it cannot be read at all is about the key that
            // names it.
            let questions_file = origin.path(&questions_file);
            let questions =
                QuestionSet::load_for(&questions_file, &languages).map_err(|e| match e {
                    QuestionsError::Read { file, reason } => origin.invalid(
                        "intake.questions",
                        format!("cannot read {}: {reason}", file.display()),
                    ),
                    other => ConfigError::Questions(other),
                })?;
            (questions_file, questions)
        }
    };
    Ok((
        Intake {
            address,
            name: name.trim().to_string(),
            closes_at,
            templates_dir,
            max_message_bytes,
            poll,
            backfill,
            questions_file,
            languages,
        },
        questions,
    ))
}

/// `intake.poll_seconds` (seconds, a TOML integer or float) as a time:
/// from 0.1 to a day.
fn poll(seconds: f64, origin: &Origin) -> Result<Duration, ConfigError> {
    const KEY: &str = "intake.poll_seconds";
    if seconds.is_nan() {
        return Err(origin.invalid(KEY, "nan is not a number of seconds"));
    }
    if seconds < MIN_POLL_SECONDS {
        return Err(origin.invalid(
            KEY,
            format!("{seconds} is under the least, {MIN_POLL_SECONDS} (seconds)"),
        ));
    }
    if seconds > MAX_POLL_SECONDS {
        return Err(origin.invalid(
            KEY,
            format!("{seconds} is over the most, {MAX_POLL_SECONDS} (seconds, a day)"),
        ));
    }
    Ok(Duration::from_secs_f64(seconds))
}
