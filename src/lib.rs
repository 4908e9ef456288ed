//! mailintake: take applications by plain email.
//!
//! An applicant writes to the team address and gets the numbered questions;
//! they answer in an ordinary reply; staff read one report. The binary is a
//! thin layer over this library so that tests drive the real thing.
#![forbid(unsafe_code)]

pub mod answers;
pub mod check;
pub mod commands;
pub mod compose;
pub mod config;
pub mod daemon;
pub mod domain;
pub mod errors;
pub mod explain;
pub mod files;
pub mod ingest;
pub mod lang;
pub mod logging;
pub mod mailbox;
pub mod notify;
pub mod outbox;
pub mod pipeline;
pub mod privacy;
pub mod questions;
pub mod render;
pub mod report;
pub mod robot;
pub mod smtp;
pub mod store;
pub mod tls;
pub mod token;

use std::sync::Arc;

use config::{Config, Settings};
use pipeline::Pipeline;
use render::Templates;
use secrecy::ExposeSecret;
use store::Store;

/// Why the database, the templates or our own texts could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The database `database.url` names cannot be opened.
    #[error("{file}: key `database.url`: cannot open {url}: {reason}")]
    Database {
        file: std::path::PathBuf,
        /// Without a password, fit to print.
        url: String,
        // In the message, so not a `source`: a printed chain would repeat it.
        reason: store::StoreError,
    },
    /// `files.directory` cannot be made or written.
    #[error("{file}: key `files.directory`: {reason}")]
    Files {
        file: std::path::PathBuf,
        reason: String,
    },
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error(transparent)]
    Compose(#[from] compose::ComposeError),
}

/// The answer extractor for these settings: it knows the questions and
/// the text of every mail we send.
pub fn extractor(
    settings: &Settings,
    templates: &Templates,
) -> Result<answers::Extractor, compose::ComposeError> {
    let mut ours = compose::Composer {
        config: settings,
        templates,
        lang: settings.intake.languages.default_lang(),
    }
    .our_texts()?;
    ours.push(compose::EARLIER_LINES.join("\n"));
    Ok(answers::Extractor::new(&settings.questions, &ours))
}

/// Checks that `files.directory`, when set, can be made and written
/// ([`files::disk::probe`]); the error names the key.
pub fn check_files_dir(settings: &Settings) -> Result<(), OpenError> {
    match &settings.files_dir {
        Some(dir) => files::disk::probe(dir).map_err(|reason| OpenError::Files {
            file: settings.file.clone(),
            reason,
        }),
        None => Ok(()),
    }
}

/// Opens the database at `url` (running migrations); an error names the
/// key and the configuration file, for a person to fix.
pub async fn open_store(settings: &Settings, url: &str) -> Result<Store, OpenError> {
    Store::connect(url)
        .await
        .map_err(|reason| OpenError::Database {
            file: settings.file.clone(),
            url: config::printable_url(url),
            reason,
        })
}

/// Opens the database (running migrations), loads the templates, and
/// records the questions as a version (when new) and puts them in force.
pub async fn open(config: Config) -> Result<Pipeline, OpenError> {
    check_files_dir(&config)?;
    let templates = Templates::load(config.intake.templates_dir.as_deref())?;
    extractor(&config, &templates)?;
    let store = open_store(&config, config.database_url.expose_secret()).await?;
    let unusable = |reason| OpenError::Database {
        file: config.file.clone(),
        url: config::printable_url(config.database_url.expose_secret()),
        reason,
    };
    let key = store.key().await.map_err(unusable)?;
    let file = config.file.clone();
    let url = config::printable_url(config.database_url.expose_secret());
    Pipeline::start(config, store, Arc::new(templates), key, chrono::Utc::now())
        .await
        .map_err(|e| match e {
            pipeline::ReloadError::Compose(e) => OpenError::Compose(e),
            pipeline::ReloadError::Store(reason) => OpenError::Database { file, url, reason },
        })
}
