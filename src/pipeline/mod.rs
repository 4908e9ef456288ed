//! The executor for one message: read the mail (off the async runtime,
//! with a time limit), then in one transaction gather the facts, take the
//! pure [`domain::decide`] decision and apply it: the mail is stored, the
//! application updated and the reply queued together, or none of it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::compose::{ComposeError, Composer};
use crate::config::Config;
pub use crate::domain::Outcome;
use crate::domain::{
    self, ApplicationChange, Attention, Decision, Facts, Known, MessageOutcome, Reading, ReplyText,
    SentLastHour, Status, Written,
};
use crate::ingest::{Inbound, Sender};
use crate::lang::Lang;
use crate::mailbox::Fetched;
use crate::questions::QuestionSet;
use crate::render::Templates;
use crate::store::{Inserted, NewMessage, NewReply, Store, StoreError, Tx};
use crate::token::Key;

/// Longest time spent reading one message before it is left to staff.
pub const PARSE_TIME_LIMIT: Duration = Duration::from_secs(10);

/// How many times a message is started again after losing a race to
/// another process (both then see what the winner wrote).
const RACE_RETRIES: u32 = 8;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// Another process recorded the same message or mail first, or the
    /// database stayed busy, more than [`RACE_RETRIES`] times in a row.
    #[error("database: lost {RACE_RETRIES} races in a row for one message")]
    Raced,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Compose(#[from] ComposeError),
}

#[derive(Debug)]
pub struct Pipeline {
    pub store: Store,
    pub templates: Arc<Templates>,
    /// The server key: the tokens in our Message-IDs.
    pub key: Key,
    /// The configuration and questions in force, and earlier questions.
    versions: live::Versions,
}

mod facts;
mod live;
mod read;

use facts::{confirms, ensure_application, gather};
pub use live::{Live, ReloadError, Reloaded};
use read::{Read, head_of, parse, read, sha256_hex};

impl Pipeline {
    /// A pipeline over `store` with `config` in force, its questions
    /// recorded as a version when new.
    pub async fn start(
        config: Config,
        store: Store,
        templates: Arc<Templates>,
        key: Key,
        now: DateTime<Utc>,
    ) -> Result<Self, ReloadError> {
        let versions = live::Versions::start(config, &templates, &store, now).await?;
        Ok(Self {
            store,
            templates,
            key,
            versions,
        })
    }

    /// The configuration, questions and extractor in force now. A mail
    /// takes this once and is decided against it to the end.
    pub fn live(&self) -> Arc<Live> {
        self.versions.live()
    }

    /// The configuration in force, with the current questions.
    pub fn config(&self) -> Arc<Config> {
        self.live().config.clone()
    }

    /// Puts `questions` in force for the next mail (mail in hand keeps the
    /// set it started with), recorded as a version. An error (the
    /// templates cannot be rendered with them, the database) leaves the
    /// old questions in force.
    pub async fn reload(
        &self,
        questions: QuestionSet,
        now: DateTime<Utc>,
    ) -> Result<Reloaded, ReloadError> {
        self.versions
            .reload(questions, &self.templates, &self.store, now)
            .await
    }

    fn composer<'a>(&'a self, config: &'a Config, lang: Lang) -> Composer<'a> {
        Composer {
            config,
            templates: &self.templates,
            lang,
        }
    }

    /// Reads a mail: parsed, then its answers read against the questions
    /// the mail of ours it replies to showed (the current ones when it
    /// replies to none).
    async fn read_mail(&self, raw: Arc<Vec<u8>>, live: &Live) -> Result<Read, PipelineError> {
        let deadline = tokio::time::Instant::now() + PARSE_TIME_LIMIT;
        let inbound = match parse(raw, deadline).await {
            Ok(inbound) => inbound,
            Err(failed) => return Ok(failed),
        };
        let version = match &inbound.from {
            Some(from) => {
                self.store
                    .version_shown(&inbound.parent_ids, &from.address)
                    .await?
            }
            None => None,
        };
        let extractor = self
            .versions
            .extractor(live, version, &self.templates, &self.store)
            .await?;
        Ok(read(inbound, extractor, deadline).await)
    }

    /// Processes one fetched message. Errors are only infrastructure errors
    /// (the database, the templates); anything wrong with the mail itself
    /// is recorded and listed for staff.
    pub async fn process(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        fetched: Fetched,
        now: DateTime<Utc>,
    ) -> Result<Outcome, PipelineError> {
        let started = std::time::Instant::now();
        let live = self.live();
        let raw = Arc::new(fetched.raw);
        let max = live.config.intake.max_message_bytes;
        let read = if raw.len() as u64 > max {
            Read::Failed(
                Attention::TooLarge,
                format!("{} bytes, over the limit of {max}", raw.len()),
            )
        } else {
            self.read_mail(raw.clone(), &live).await?
        };
        // Who sent an unread mail and about what, for staff, from its
        // headers alone.
        let head = match &read {
            Read::Parsed(..) => None,
            Read::Failed(..) => head_of(raw.clone()).await,
        };
        let mail = Mail {
            mailbox,
            uidvalidity,
            uid: fetched.uid,
            sha256: sha256_hex(&raw),
            received_at: fetched.internal_date.unwrap_or(now),
            raw: &raw,
            read: &read,
            head: head.as_ref(),
            live: &live,
        };
        let outcome = self.record(&mail, now).await?;
        tracing::debug!(
            uid = fetched.uid,
            bytes = raw.len(),
            ms = started.elapsed().as_millis() as u64,
            outcome = ?outcome,
            "message processed"
        );
        Ok(outcome)
    }

    /// Records a message the mail server would not hand over (`detail`
    /// says how and how often), with what could be had of it (`head`: its
    /// header and arrival time), for staff.
    pub async fn record_unfetchable(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        uid: u32,
        head: Option<Fetched>,
        detail: String,
        now: DateTime<Utc>,
    ) -> Result<Outcome, PipelineError> {
        let (raw, internal_date) = head.map_or((Vec::new(), None), |h| (h.raw, h.internal_date));
        let raw = Arc::new(raw);
        let parsed = head_of(raw.clone()).await;
        let read = Read::Failed(Attention::Unfetchable, detail);
        let mail = Mail {
            mailbox,
            uidvalidity,
            uid,
            sha256: sha256_hex(&raw),
            received_at: internal_date.unwrap_or(now),
            raw: &raw,
            read: &read,
            head: parsed.as_ref(),
            live: &self.live(),
        };
        self.record(&mail, now).await
    }

    /// Decides and applies, starting again when another process recorded
    /// the same message or mail first (it then sees what the winner wrote).
    async fn record(&self, mail: &Mail<'_>, now: DateTime<Utc>) -> Result<Outcome, PipelineError> {
        let mut attempt = 0;
        loop {
            match self.decide_and_apply(mail, now).await {
                Ok(o) => return Ok(o),
                Err(Retry::Raced) if attempt < RACE_RETRIES => {}
                Err(Retry::Failed(PipelineError::Store(e)))
                    if e.is_conflict() && attempt < RACE_RETRIES =>
                {
                    tracing::debug!(uid = mail.uid, error = %e, "database busy or raced; again");
                }
                Err(Retry::Raced) => return Err(PipelineError::Raced),
                Err(Retry::Failed(e)) => return Err(e),
            }
            attempt += 1;
            // Let the winner commit; spread the retries of several losers.
            tokio::time::sleep(Duration::from_millis(5 << attempt.min(6))).await;
        }
    }

    /// One attempt: gather the facts in a transaction, decide, apply,
    /// commit.
    async fn decide_and_apply(
        &self,
        mail: &Mail<'_>,
        now: DateTime<Utc>,
    ) -> Result<Outcome, Retry> {
        let mut tx = self.store.begin().await.map_err(PipelineError::from)?;
        let config = &mail.live.config;
        let (inbound, reading, asked) = match mail.read {
            Read::Parsed(inbound, extracted, asked) => (
                Some(&**inbound),
                Reading::Parsed { inbound, extracted },
                asked.questions(),
            ),
            Read::Failed(reason, detail) => (
                mail.head,
                Reading::Unread {
                    reason: *reason,
                    detail,
                },
                &config.questions,
            ),
        };
        let from = inbound.and_then(|i| i.from.as_ref());
        if let Some(f) = from {
            tx.lock_sender(&f.address)
                .await
                .map_err(PipelineError::from)?;
        }
        let seen = tx
            .uid_seen(mail.mailbox, mail.uidvalidity, mail.uid)
            .await
            .map_err(PipelineError::from)?;
        let identity = match inbound.and_then(|i| i.message_id.as_deref()) {
            Some(id) => id.to_string(),
            None => format!("sha256:{}", mail.sha256),
        };
        let erased = tx
            .erased(&identity, &mail.sha256)
            .await
            .map_err(PipelineError::from)?;
        let parsed = matches!(reading, Reading::Parsed { .. });
        let duplicate = parsed
            && tx
                .identity_seen(&identity)
                .await
                .map_err(PipelineError::from)?;
        let own_reply = match inbound.and_then(|i| i.message_id.as_deref()) {
            Some(id) if parsed => tx
                .reply_by_rfc822_id(id)
                .await
                .map_err(PipelineError::from)?,
            _ => None,
        };
        let first_opened = tx
            .first_opened(mail.mailbox, now)
            .await
            .map_err(PipelineError::from)?;
        let (application, known) = match from {
            Some(f) if parsed => gather(&mut tx, &f.address).await?,
            _ => (None, Known::default()),
        };
        // Vouched: the mail replies to one of ours to its From address.
        let vouched = match (inbound, from) {
            (Some(i), Some(f)) if parsed => self.key.vouched_by(&i.parent_ids, &f.address),
            _ => false,
        };
        let confirms = match (inbound, from) {
            (Some(i), Some(f)) if vouched => confirms(&mut tx, &self.key, i, &f.address).await?,
            _ => None,
        };
        // For the send limits: counted by the database, in this
        // transaction, so that the reply it may queue counts for the next.
        let sent = match from {
            Some(f) if parsed => tx
                .replies_last_hour(&f.address)
                .await
                .map_err(PipelineError::from)?,
            _ => SentLastHour::default(),
        };
        let decision = domain::decide(&Facts {
            now,
            received_at: mail.received_at,
            reading,
            seen,
            duplicate,
            erased,
            own_reply,
            first_opened,
            backfill: config.intake.backfill,
            known: &known,
            team_address: &config.intake.address,
            closes_at: config.intake.closes_at,
            questions: &config.questions,
            asked,
            vouched,
            confirms: confirms.as_ref(),
            trusted_authserv_id: config.security.trusted_authserv_id.as_deref(),
            sent,
            limits: config.limits,
        });
        let Decision::Record(written) = &decision else {
            return Ok(decision.outcome());
        };
        self.apply(
            &mut tx,
            mail,
            inbound,
            &identity,
            application,
            written,
            vouched,
            now,
        )
        .await?;
        tx.commit().await.map_err(PipelineError::from)?;
        if written.erase {
            // The rows are gone; a failed rebuild of the file leaves
            // traces in free pages until the next erase or purge.
            if let Err(e) = self.store.scrub().await {
                tracing::warn!(error = %e, "erased by mail, but the database file could not be rebuilt");
            }
            tracing::info!(
                uid = mail.uid,
                "an applicant's data was erased at their request"
            );
        }
        if let Some(note) = &written.note {
            tracing::debug!(uid = mail.uid, "{note}");
        }
        if let (Some(reason), Some(detail), None) =
            (written.attention, &written.detail, &written.reply)
        {
            tracing::debug!(uid = mail.uid, reason = reason.as_str(), %detail, "listed for staff");
        }
        Ok(decision.outcome())
    }

    /// Writes what was decided, inside the mail's transaction.
    #[allow(clippy::too_many_arguments)]
    async fn apply(
        &self,
        tx: &mut Tx,
        mail: &Mail<'_>,
        inbound: Option<&Inbound>,
        identity: &str,
        application: Option<i64>,
        w: &Written,
        vouched: bool,
        now: DateTime<Utc>,
    ) -> Result<(), Retry> {
        if w.outcome == MessageOutcome::Erased {
            let seen = tx
                .insert_erased(
                    mail.mailbox,
                    mail.uidvalidity,
                    mail.uid,
                    identity,
                    &mail.sha256,
                )
                .await
                .map_err(PipelineError::from)?;
            return match seen {
                Inserted::Row(_) => Ok(()),
                Inserted::Conflict => Err(Retry::Raced),
            };
        }
        let from = inbound.and_then(|i| i.from.as_ref());
        let record = NewMessage {
            mailbox: mail.mailbox,
            uidvalidity: mail.uidvalidity,
            uid: mail.uid,
            identity: w.identity.then_some(identity),
            message_id: inbound.and_then(|i| i.message_id.as_deref()),
            sha256: &mail.sha256,
            from_addr: from.map(|f| f.address.as_str()),
            from_name: from.and_then(|f| f.name.as_deref()),
            subject: inbound.map_or("", |i| i.subject.as_str()),
            received_at: mail.received_at,
            processed_at: now,
            raw: mail.raw,
            outcome: w.outcome,
            attention: w.attention,
            detail: w.detail.as_deref(),
        };
        let Inserted::Row(message_row) = tx
            .insert_message(&record)
            .await
            .map_err(PipelineError::from)?
        else {
            return Err(Retry::Raced);
        };
        if let Some(outbox_id) = w.delivery_of {
            tx.note_delivery_copy(outbox_id, now)
                .await
                .map_err(PipelineError::from)?;
        }
        // The decision only changes an application or replies for a mail
        // with a usable sender.
        let (Some(inbound), Some(sender)) = (inbound, from) else {
            return Ok(());
        };
        match &w.application {
            ApplicationChange::Untouched => {}
            ApplicationChange::Ensure => {
                ensure_application(tx, application, sender, mail.received_at).await?;
            }
            ApplicationChange::Answers { new, name, status } => {
                let id = ensure_application(tx, application, sender, mail.received_at).await?;
                for answer in new {
                    let answer_id = tx
                        .insert_answer(id, answer, message_row, now)
                        .await
                        .map_err(PipelineError::from)?;
                    // Its file, when the answer is one.
                    let file = w.files.iter().find(|f| f.question_id == answer.question_id);
                    if let Some(f) = file
                        && let Some(attached) = inbound.files.get(f.accepted.file)
                    {
                        tx.insert_file(
                            answer_id,
                            &f.accepted.name,
                            f.accepted.kind,
                            &attached.bytes,
                            mail.live.config.files_dir.as_deref(),
                            now,
                        )
                        .await
                        .map_err(PipelineError::from)?;
                    }
                }
                tx.update_application(id, name.as_deref(), *status, mail.received_at)
                    .await
                    .map_err(PipelineError::from)?;
            }
            ApplicationChange::Withdraw => {
                if let Some(id) = application {
                    tx.set_status(id, Status::Withdrawn, mail.received_at)
                        .await
                        .map_err(PipelineError::from)?;
                }
            }
            ApplicationChange::Hold { answers } => {
                if application.is_none() {
                    tx.insert_application(
                        &sender.address,
                        sender.name.as_deref(),
                        Status::Unconfirmed,
                        mail.received_at,
                    )
                    .await
                    .map_err(PipelineError::from)?;
                }
                for answer in answers {
                    tx.hold_answer(message_row, answer, now)
                        .await
                        .map_err(PipelineError::from)?;
                }
            }
        }
        if let Some(held) = w.release {
            tx.release_held(held).await.map_err(PipelineError::from)?;
        }
        if w.erase {
            // Everything about the address goes, this mail's record
            // included; the file is scrubbed after the commit.
            tx.erase(&sender.address.to_lowercase(), &self.key)
                .await
                .map_err(PipelineError::from)?;
        }
        // The application's language: the one stored, else this mail's
        // (which the application then keeps); a reply to one of ours may
        // switch it (`lang::settle`).
        let stored = tx
            .application_language(&sender.address)
            .await
            .map_err(PipelineError::from)?;
        let own = match mail.read {
            Read::Parsed(_, extracted, _) => {
                domain::request::own_text(&inbound.body, &extracted.cuts)
            }
            Read::Failed(..) => inbound.body.clone(),
        };
        let settled = crate::lang::settle(
            stored.as_deref(),
            vouched,
            inbound.content_language.as_deref(),
            &own,
            &mail.live.config.intake.languages,
        );
        let lang = settled.lang();
        if let crate::lang::Settled::Store(_) = settled {
            tx.set_language(&sender.address, lang)
                .await
                .map_err(PipelineError::from)?;
        }
        if let Some(reply) = &w.reply {
            let config = &mail.live.config;
            let composed = match reply {
                ReplyText::DataCopy => self.data_copy(config, sender, inbound, lang, now).await?,
                _ => {
                    let text = self.render(config, reply, lang)?;
                    self.composer(config, lang)
                        .message(&self.key, sender, inbound, text)
                        .map_err(PipelineError::from)?
                }
            };
            let queued = tx
                .queue_reply(&NewReply {
                    message_id: message_row,
                    kind: reply.kind(),
                    recipient: &sender.address,
                    sender: &config.intake.address,
                    rfc822_id: &composed.rfc822_id,
                    body: &composed.bytes,
                    created_at: now,
                    questions_version: Some(mail.live.version),
                })
                .await
                .map_err(PipelineError::from)?;
            if queued == Inserted::Conflict {
                return Err(Retry::Raced);
            }
        }
        Ok(())
    }

    /// A copy of everything stored about `sender`, as text and as an
    /// attached `data.json` (the `export` command's JSON).
    async fn data_copy(
        &self,
        config: &Config,
        sender: &Sender,
        inbound: &Inbound,
        lang: Lang,
        now: DateTime<Utc>,
    ) -> Result<crate::compose::Composed, PipelineError> {
        let export = crate::privacy::export::export(&self.store, &sender.address, now)
            .await?
            .standing(&config.questions);
        let c = self.composer(config, lang);
        let text = c.data_copy_text(&export)?;
        let json = serde_json::to_string_pretty(&export)
            .map_err(|e| ComposeError::Build(format!("data.json: {e}")))?;
        Ok(c.message_with_json(&self.key, sender, inbound, text, "data.json", json)?)
    }

    /// The reply's text in `lang`, from the templates.
    fn render(
        &self,
        config: &Config,
        reply: &ReplyText,
        lang: Lang,
    ) -> Result<String, PipelineError> {
        let c = self.composer(config, lang);
        Ok(match reply {
            ReplyText::Questions { name, again } => c.questions_text(name.as_deref(), *again)?,
            ReplyText::Closed { name } => c.closed_text(name.as_deref())?,
            ReplyText::Attachment { name, files } => c.attachment_text(name.as_deref(), files)?,
            ReplyText::Confirmation {
                name,
                current,
                complete,
                flip,
            } => c.confirmation_text(name.as_deref(), current, *complete, flip)?,
            ReplyText::Problems {
                name,
                current,
                stored,
                missing,
                invalid,
                flip,
            } => c.problems_text(name.as_deref(), current, *stored, missing, invalid, flip)?,
            ReplyText::ConfirmAddress => c.simple_text("confirm-address.txt", None)?,
            ReplyText::ConfirmWithdraw => c.simple_text("confirm-withdraw.txt", None)?,
            ReplyText::ConfirmData => c.simple_text("confirm-data.txt", None)?,
            ReplyText::ConfirmErase => c.simple_text("confirm-erase.txt", None)?,
            ReplyText::Withdrawn { name } => c.simple_text("withdrawn.txt", name.as_deref())?,
            // Built from the store by `data_copy`, never here.
            ReplyText::DataCopy => {
                return Err(ComposeError::Build("a data copy has no template text".into()).into());
            }
        })
    }
}

/// The mail being processed, as read once before any attempt.
struct Mail<'a> {
    mailbox: &'a str,
    uidvalidity: u32,
    uid: u32,
    sha256: String,
    received_at: DateTime<Utc>,
    raw: &'a [u8],
    read: &'a Read,
    /// The headers of a mail that could not be read whole.
    head: Option<&'a Inbound>,
    /// The configuration and questions in force when it was taken up.
    live: &'a Live,
}

/// Why an attempt ended without a result.
enum Retry {
    /// Another process recorded the same message first: start again.
    Raced,
    Failed(PipelineError),
}

impl From<PipelineError> for Retry {
    fn from(e: PipelineError) -> Self {
        Retry::Failed(e)
    }
}
