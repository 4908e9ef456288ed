//! The file as TOML gives it. Every key is optional here, so that a missing
//! one is reported by its name, and only by a command that needs it.

use std::path::PathBuf;

use serde::Deserialize;

use super::servers::{Secret, Security};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub intake: Option<RawIntake>,
    pub imap: Option<RawImap>,
    pub smtp: Option<RawSmtp>,
    pub database: Option<RawDatabase>,
    pub privacy: Option<RawPrivacy>,
    pub security: Option<RawSecurity>,
    pub limits: Option<RawLimits>,
    pub files: Option<RawFiles>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFiles {
    pub directory: Option<PathBuf>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawIntake {
    pub address: Option<String>,
    pub name: Option<String>,
    pub questions: Option<PathBuf>,
    pub closes_at: Option<String>,
    pub backfill: Option<String>,
    pub templates: Option<PathBuf>,
    pub max_message_bytes: Option<u64>,
    /// Seconds; TOML gives an integer or a float.
    pub poll_seconds: Option<f64>,
    /// Language codes, the first the default.
    pub languages: Option<Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawImap {
    pub host: Option<String>,
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub password_file: Option<PathBuf>,
    pub mailbox: Option<String>,
    pub ca_file: Option<PathBuf>,
    pub timeout_seconds: Option<u64>,
    pub idle: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSmtp {
    pub host: Option<String>,
    pub port: Option<u16>,
    #[serde(default)]
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub password_file: Option<PathBuf>,
    pub ca_file: Option<PathBuf>,
    pub timeout_seconds: Option<u64>,
    pub delivery_copy: Option<RawDeliveryCopy>,
}

/// `smtp.delivery_copy`: on or off, or the address to send it to.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum RawDeliveryCopy {
    On(bool),
    To(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDatabase {
    /// Secret: a PostgreSQL URL may hold a password.
    pub url: Option<Secret>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPrivacy {
    /// Days; signed, so that a negative number is named as such.
    pub retention_days: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSecurity {
    pub trusted_authserv_id: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLimits {
    pub per_address_per_hour: Option<u32>,
    pub total_per_hour: Option<u32>,
}
