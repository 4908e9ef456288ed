//! The questions a mail is decided against, swapped whole when the file
//! changes, and the questions of earlier versions that replies to older
//! mails are read against.
//!
//! A mail takes one [`Live`] when its processing starts and keeps it to
//! the end: a reload in the meantime changes the next mail, never half of
//! this one.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};

use crate::answers::Extractor;
use crate::config::Config;
use crate::questions::QuestionSet;
use crate::render::Templates;
use crate::store::{Store, StoreError};

/// The configuration in force with its current questions, the stored
/// version of those questions, and their extractor.
#[derive(Debug)]
pub struct Live {
    /// `questions` in it are the current ones.
    pub config: Arc<Config>,
    /// `question_versions.id` of `config.questions`.
    pub version: i64,
    pub extractor: Arc<Extractor>,
}

/// What a reload did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reloaded {
    /// The file's content is the version in force: nothing changed.
    Unchanged,
    /// The new questions are in force, as this stored version.
    Loaded { version: i64 },
}

/// Why new questions were not taken into use; the old ones stay.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The templates cannot be rendered with the new questions.
    #[error(transparent)]
    Compose(#[from] crate::compose::ComposeError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The live state and the cache of earlier versions' extractors.
#[derive(Debug)]
pub(super) struct Versions {
    live: RwLock<Arc<Live>>,
    /// Extractors for earlier versions, by id, built when a reply to a
    /// mail that showed one first comes.
    earlier: Mutex<HashMap<i64, Arc<Extractor>>>,
}

/// Locks left poisoned by a panic elsewhere hold a whole value (each
/// change is one assignment), so they are used as they are.
fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Versions {
    /// Records `config.questions` as a version (when new) and puts it in
    /// force.
    pub(super) async fn start(
        config: Config,
        templates: &Templates,
        store: &Store,
        now: DateTime<Utc>,
    ) -> Result<Self, ReloadError> {
        let extractor = crate::extractor(&config, templates)?;
        let version = store
            .record_version(&config.questions.digest(), config.questions.source(), now)
            .await?;
        Ok(Self {
            live: RwLock::new(Arc::new(Live {
                config: Arc::new(config),
                version,
                extractor: Arc::new(extractor),
            })),
            earlier: Mutex::new(HashMap::new()),
        })
    }

    pub(super) fn live(&self) -> Arc<Live> {
        read(&self.live).clone()
    }

    /// Puts `questions` in force, unless they are the version in force.
    /// The templates are rendered with them first: an error leaves the old
    /// questions in force.
    pub(super) async fn reload(
        &self,
        questions: QuestionSet,
        templates: &Templates,
        store: &Store,
        now: DateTime<Utc>,
    ) -> Result<Reloaded, ReloadError> {
        let old = self.live();
        if old.config.questions.digest() == questions.digest() {
            return Ok(Reloaded::Unchanged);
        }
        let mut config = (*old.config).clone();
        config.settings.questions = questions;
        let extractor = crate::extractor(&config, templates)?;
        let version = store
            .record_version(&config.questions.digest(), config.questions.source(), now)
            .await?;
        let new = Arc::new(Live {
            config: Arc::new(config),
            version,
            extractor: Arc::new(extractor),
        });
        // The version leaving keeps its extractor: replies to the mails
        // that showed it are read with it.
        self.remember(old.version, old.extractor.clone());
        *self
            .live
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = new;
        Ok(Reloaded::Loaded { version })
    }

    fn remember(&self, version: i64, extractor: Arc<Extractor>) {
        self.earlier
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(version, extractor);
    }

    /// The extractor for the questions of `version` (`None`: a mail that
    /// replies to none of ours, or to one sent before versions were
    /// recorded): the live one, or an earlier one, built from its stored
    /// text once. A stored text this build can no longer read (or one
    /// gone) is read as the current questions, and logged.
    pub(super) async fn extractor(
        &self,
        live: &Live,
        version: Option<i64>,
        templates: &Templates,
        store: &Store,
    ) -> Result<Arc<Extractor>, StoreError> {
        let Some(version) = version.filter(|v| *v != live.version) else {
            return Ok(live.extractor.clone());
        };
        let known = self
            .earlier
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&version)
            .cloned();
        if let Some(e) = known {
            return Ok(e);
        }
        let Some(stored) = store.version(version).await? else {
            tracing::warn!(
                version,
                "questions version not stored; read as the current questions"
            );
            return Ok(live.extractor.clone());
        };
        let file = Path::new("question_versions").join(version.to_string());
        // A version from before a language was added is read in the
        // default language alone, not as today's numbers.
        let built =
            QuestionSet::parse_stored(&stored.questions, &file, &live.config.intake.languages)
                .map_err(|e| e.to_string())
                .and_then(|questions| {
                    let mut config = (*live.config).clone();
                    config.settings.questions = questions;
                    crate::extractor(&config, templates).map_err(|e| e.to_string())
                });
        match built {
            Ok(extractor) => {
                let extractor = Arc::new(extractor);
                self.remember(version, extractor.clone());
                Ok(extractor)
            }
            Err(error) => {
                tracing::warn!(version, %error, "an earlier questions version cannot be read; read as the current questions");
                Ok(live.extractor.clone())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> QuestionSet {
        QuestionSet::parse(text, Path::new("q.toml")).expect("questions")
    }

    const ONE: &str = "[[question]]\nid = \"name\"\nprompt = \"Name?\"\nrequired = true\n\
                       [[question]]\nid = \"region\"\nprompt = \"Region?\"\n";
    const TWO: &str = "[[question]]\nid = \"name\"\nprompt = \"Name?\"\nrequired = true\n\
                       [[question]]\nid = \"pronouns\"\nprompt = \"Pronouns?\"\n\
                       [[question]]\nid = \"home\"\nprompt = \"Where?\"\n";

    /// Versions started on the questions [`ONE`], with the default
    /// language alone.
    async fn started() -> (Versions, Templates, Store, tempfile::TempDir) {
        started_with(ONE, "").await
    }

    /// Versions started on the questions file `questions`, with `intake`
    /// (lines of `[intake]`, each ending in a newline) added to the
    /// config; a store in a fresh folder, kept as long as that folder.
    async fn started_with(
        questions: &str,
        intake: &str,
    ) -> (Versions, Templates, Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("q.toml"), questions).expect("write");
        let text = format!(
            "[intake]\naddress = \"team@example.org\"\nname = \"Group\"\nquestions = \"q.toml\"\n\
             {intake}\
             [imap]\nhost = \"h\"\nusername = \"u\"\npassword = \"p\"\n[smtp]\nhost = \"h\"\n\
             [database]\nurl = \"sqlite://intake.db\"\n"
        );
        let config =
            Config::from_str_at(&text, &dir.path().join("c.toml"), &|_| None).expect("config");
        let url = format!("sqlite://{}", dir.path().join("intake.db").display());
        let store = Store::connect(&url).await.expect("store");
        let templates = Templates::load(None).expect("templates");
        let versions = Versions::start(config, &templates, &store, Utc::now())
            .await
            .expect("start");
        (versions, templates, store, dir)
    }

    fn ids(e: &Extractor) -> Vec<&str> {
        e.questions().iter().map(|q| q.id.as_str()).collect()
    }

    /// A reload puts the new questions in force for whoever takes the
    /// live state next; whoever took it before keeps the old; the same
    /// content again changes nothing.
    #[tokio::test]
    async fn a_reload_swaps_the_questions_whole() {
        let (versions, templates, store, _dir) = started().await;
        let before = versions.live();
        assert_eq!(ids(&before.extractor), ["name", "region"]);
        let same = versions
            .reload(set(ONE), &templates, &store, Utc::now())
            .await
            .expect("reload");
        assert_eq!(same, Reloaded::Unchanged);
        let Reloaded::Loaded { version } = versions
            .reload(set(TWO), &templates, &store, Utc::now())
            .await
            .expect("reload")
        else {
            panic!("not loaded");
        };
        assert_ne!(version, before.version);
        let after = versions.live();
        assert_eq!(after.version, version);
        assert_eq!(ids(&after.extractor), ["name", "pronouns", "home"]);
        let in_config: Vec<&str> = after
            .config
            .questions
            .iter()
            .map(|q| q.id.as_str())
            .collect();
        assert_eq!(
            in_config,
            ["name", "pronouns", "home"],
            "one set everywhere"
        );
        assert_eq!(
            ids(&before.extractor),
            ["name", "region"],
            "a mail in hand keeps its set"
        );
    }

    /// The questions a reply's numbers are read against: those of the
    /// version its parent showed, the current ones without a parent, for
    /// a version not stored, or one this build cannot read.
    #[tokio::test]
    async fn a_reply_is_read_with_the_questions_its_parent_showed() {
        let (versions, templates, store, _dir) = started().await;
        let first = versions.live().version;
        versions
            .reload(set(TWO), &templates, &store, Utc::now())
            .await
            .expect("reload");
        let live = versions.live();
        let read_with = async |version: Option<i64>| {
            let e = versions
                .extractor(&live, version, &templates, &store)
                .await
                .expect("extractor");
            ids(&e).join(" ")
        };
        assert_eq!(read_with(Some(first)).await, "name region");
        assert_eq!(read_with(Some(live.version)).await, "name pronouns home");
        assert_eq!(read_with(None).await, "name pronouns home");
        assert_eq!(read_with(Some(first + 100)).await, "name pronouns home");
        // Known only from the database (another process, a restart).
        let stored = store
            .record_version(
                "elsewhere",
                "[[question]]\nid = \"x\"\nprompt = \"X?\"\n",
                Utc::now(),
            )
            .await
            .expect("record");
        assert_eq!(read_with(Some(stored)).await, "x");
        let unreadable = store
            .record_version(
                "newer",
                "[[question]]\nid = \"x\"\nprompt = \"X?\"\nno_such_key = 3\n",
                Utc::now(),
            )
            .await
            .expect("record");
        assert_eq!(read_with(Some(unreadable)).await, "name pronouns home");
    }

    /// A language added mid-call (with a restart): the versions mailed
    /// before hold no text in it, and are still read with their own
    /// numbers, not today's.
    #[tokio::test]
    async fn a_version_from_before_a_language_was_added_keeps_its_numbers() {
        let (versions, templates, store, _dir) = started_with(
            "[[question]]\nid = \"name\"\nprompt.en = \"Name?\"\nprompt.fr = \"Nom ?\"\n\
             [[question]]\nid = \"home\"\nprompt.en = \"Where?\"\nprompt.fr = \"Où ?\"\n",
            "languages = [\"en\", \"fr\"]\n",
        )
        .await;
        let english_only = store
            .record_version("before", ONE, Utc::now())
            .await
            .expect("record");
        let live = versions.live();
        let e = versions
            .extractor(&live, Some(english_only), &templates, &store)
            .await
            .expect("extractor");
        assert_eq!(ids(&e), ["name", "region"]);
    }
}
