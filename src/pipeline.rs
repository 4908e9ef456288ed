//! One message, start to finish, in one transaction: the mail is stored, the
//! application updated and the reply queued together, or none of it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::answers::{Extracted, Extractor};
use crate::compose::{ComposeError, Composer};
use crate::config::Config;
use crate::domain::{self, Attention, Known, Plan, Reply, Status};
use crate::ingest::{self, Inbound, Sender};
use crate::mailbox::Fetched;
use crate::questions::QuestionSet;
use crate::render::Templates;
use crate::robot;
use crate::store::{self, NewMessage, NewReply, Store, StoreError};

/// Longest time spent reading one message before it is left to staff.
pub const PARSE_TIME_LIMIT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Compose(#[from] ComposeError),
}

/// What became of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    AlreadyProcessed,
    Duplicate,
    Attention(Attention),
    Replied(Reply),
    /// Stored, nothing sent (a notice or the questions went out recently).
    Quiet,
}

#[derive(Debug)]
pub struct Pipeline {
    pub config: Arc<Config>,
    pub store: Store,
    pub templates: Arc<Templates>,
    pub extractor: Arc<Extractor>,
}

/// Result of reading a mail off the async runtime.
enum Read {
    Parsed(Box<Inbound>, Extracted),
    Failed(Attention, String),
}

/// Parses and extracts on a blocking thread, with a time limit, so that
/// neither a slow nor a panicking parse can stop the daemon.
async fn read(raw: Arc<Vec<u8>>, extractor: Arc<Extractor>) -> Read {
    let work = tokio::task::spawn_blocking(move || match ingest::parse(&raw) {
        Ok(inbound) => {
            let sender = inbound.from.as_ref().and_then(|f| f.name.as_deref());
            let extracted = extractor.read(&inbound.body, sender);
            Read::Parsed(Box::new(inbound), extracted)
        }
        Err(e @ ingest::IngestError::TooComplex(_)) => {
            Read::Failed(Attention::TooComplex, e.to_string())
        }
        Err(e) => Read::Failed(Attention::Unparseable, e.to_string()),
    });
    match tokio::time::timeout(PARSE_TIME_LIMIT, work).await {
        Ok(Ok(r)) => r,
        Ok(Err(join)) => Read::Failed(Attention::Unparseable, format!("the parser failed: {join}")),
        Err(_) => Read::Failed(
            Attention::TooComplex,
            format!("reading took longer than {} s", PARSE_TIME_LIMIT.as_secs()),
        ),
    }
}

/// Headers only, for mail too large to process.
fn head_of(raw: &[u8]) -> Option<Inbound> {
    let limit = raw.len().min(256 * 1024);
    let end = raw[..limit]
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| p + 4)
        .or_else(|| {
            raw[..limit]
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|p| p + 2)
        })
        .unwrap_or(limit);
    ingest::parse(&raw[..end]).ok()
}

fn sha256_hex(raw: &[u8]) -> String {
    format!("{:x}", Sha256::digest(raw))
}

impl Pipeline {
    fn composer(&self) -> Composer<'_> {
        Composer {
            config: &self.config,
            templates: &self.templates,
        }
    }

    /// Processes one fetched message. Errors are only infrastructure errors
    /// (the database); anything wrong with the mail itself is recorded.
    pub async fn process(
        &self,
        mailbox: &str,
        uidvalidity: u32,
        fetched: Fetched,
        now: DateTime<Utc>,
    ) -> Result<Outcome, PipelineError> {
        let started = std::time::Instant::now();
        let raw = Arc::new(fetched.raw);
        let sha = sha256_hex(&raw);
        let received_at = fetched.internal_date.unwrap_or(now);
        let too_large = raw.len() as u64 > self.config.intake.max_message_bytes;

        let (inbound, extracted, failure) = if too_large {
            (
                head_of(&raw),
                Extracted::default(),
                Some((
                    Attention::TooLarge,
                    format!(
                        "{} bytes, over the limit of {}",
                        raw.len(),
                        self.config.intake.max_message_bytes
                    ),
                )),
            )
        } else {
            match read(raw.clone(), self.extractor.clone()).await {
                Read::Parsed(i, e) => (Some(*i), e, None),
                // Who sent it and about what, for staff, from the headers alone.
                Read::Failed(reason, why) => {
                    (head_of(&raw), Extracted::default(), Some((reason, why)))
                }
            }
        };

        let mut tx = self.store.begin().await?;
        if store::uid_seen(&mut tx, mailbox, uidvalidity, fetched.uid).await? {
            tx.commit().await.map_err(StoreError::from)?;
            return Ok(Outcome::AlreadyProcessed);
        }
        let from = inbound.as_ref().and_then(|i| i.from.clone());
        let mut record = NewMessage {
            mailbox,
            uidvalidity,
            uid: fetched.uid,
            message_id: inbound.as_ref().and_then(|i| i.message_id.as_deref()),
            sha256: &sha,
            from_addr: from.as_ref().map(|f| f.address.as_str()),
            from_name: from.as_ref().and_then(|f| f.name.as_deref()),
            subject: inbound.as_ref().map_or("", |i| i.subject.as_str()),
            received_at,
            processed_at: now,
            raw: &raw,
            outcome: "attention",
            attention: None,
            detail: None,
        };

        if let Some((reason, detail)) = &failure {
            record.attention = Some(reason.as_str());
            record.detail = Some(detail);
            store::insert_message(&mut tx, &record).await?;
            tx.commit().await.map_err(StoreError::from)?;
            tracing::warn!(uid = fetched.uid, reason = reason.as_str(), %detail, "message listed for staff");
            return Ok(Outcome::Attention(*reason));
        }
        let Some(inbound) = inbound.as_ref() else {
            // Not expected (no failure means the mail was parsed), but the
            // mail is kept and shown to staff all the same.
            record.attention = Some(Attention::Unparseable.as_str());
            store::insert_message(&mut tx, &record).await?;
            tx.commit().await.map_err(StoreError::from)?;
            return Ok(Outcome::Attention(Attention::Unparseable));
        };

        if store::is_duplicate(&mut tx, inbound.message_id.as_deref(), &sha).await? {
            record.outcome = "duplicate";
            store::insert_message(&mut tx, &record).await?;
            tx.commit().await.map_err(StoreError::from)?;
            tracing::info!(
                uid = fetched.uid,
                "same mail already processed under another UID"
            );
            return Ok(Outcome::Duplicate);
        }

        // An address no reply can go to is as good as none: listed, and
        // never an error that would stop the mailbox at this message.
        let usable = from
            .as_ref()
            .filter(|f| f.address.parse::<lettre::Address>().is_ok());
        let Some(sender) = usable else {
            record.attention = Some(Attention::NoSender.as_str());
            record.detail = Some("no usable From address");
            store::insert_message(&mut tx, &record).await?;
            tx.commit().await.map_err(StoreError::from)?;
            return Ok(Outcome::Attention(Attention::NoSender));
        };

        let verdict = robot::verdict(
            &inbound.facts,
            Some(sender),
            &self.config.intake.address,
            &inbound.subject,
            &inbound.body,
        );
        match robot::decide(&verdict, extracted.holds_answers()) {
            robot::Decision::Person => {}
            robot::Decision::PersonDespite { tell } => {
                tracing::info!(uid = fetched.uid, %tell, "looks machine-made but holds answers: processed as a person's mail");
            }
            robot::Decision::Robot { reason } => {
                record.attention = Some(Attention::Robot.as_str());
                record.detail = Some(&reason);
                store::insert_message(&mut tx, &record).await?;
                tx.commit().await.map_err(StoreError::from)?;
                tracing::info!(uid = fetched.uid, %reason, "machine-made mail: not answered");
                return Ok(Outcome::Attention(Attention::Robot));
            }
        }

        let application = store::application(&mut tx, &sender.address).await?;
        let known = Known {
            applicant: application.is_some(),
            last_questions_at: store::last_reply_at(
                &mut tx,
                &sender.address,
                Reply::Questions.as_str(),
            )
            .await?,
            last_closed_notice_at: store::last_reply_at(
                &mut tx,
                &sender.address,
                Reply::Closed.as_str(),
            )
            .await?,
            last_attachment_notice_at: store::last_reply_at(
                &mut tx,
                &sender.address,
                Reply::Attachment.as_str(),
            )
            .await?,
        };
        let has_documents = !inbound.attachments.is_empty();
        let plan = domain::plan(
            &known,
            !extracted.is_empty(),
            has_documents,
            now,
            self.config.intake.closes_at,
        );
        let files = inbound.attachments.join(", ");
        if has_documents {
            // Staff look at what was attached, whatever else happens.
            record.attention = Some(Attention::Attachment.as_str());
            record.detail = Some(&files);
        }
        let name_hint = application
            .as_ref()
            .and_then(|a| a.name.clone())
            .or_else(|| sender.name.clone());

        let outcome = match plan {
            Plan::Closed { send } => {
                record.attention = Some(Attention::Closed.as_str());
                let message_row = store::insert_message(&mut tx, &record).await?;
                if send {
                    let text = self.composer().closed_text(name_hint.as_deref())?;
                    self.queue(
                        &mut tx,
                        message_row,
                        Reply::Closed,
                        sender,
                        inbound,
                        text,
                        now,
                    )
                    .await?;
                    Outcome::Replied(Reply::Closed)
                } else {
                    Outcome::Attention(Attention::Closed)
                }
            }
            Plan::Attachment { send } => {
                record.outcome = "attachment";
                let message_row = store::insert_message(&mut tx, &record).await?;
                ensure_application(&mut tx, application.as_ref(), sender, now).await?;
                if send {
                    let text = self
                        .composer()
                        .attachment_text(name_hint.as_deref(), &inbound.attachments)?;
                    self.queue(
                        &mut tx,
                        message_row,
                        Reply::Attachment,
                        sender,
                        inbound,
                        text,
                        now,
                    )
                    .await?;
                    Outcome::Replied(Reply::Attachment)
                } else {
                    Outcome::Attention(Attention::Attachment)
                }
            }
            Plan::Questions { send, attention } => {
                record.outcome = if attention.is_some() {
                    "no-answers"
                } else {
                    "questions"
                };
                record.attention = attention.map(Attention::as_str);
                if attention.is_some() {
                    record.detail = Some("no answers found in the mail");
                }
                let message_row = store::insert_message(&mut tx, &record).await?;
                ensure_application(&mut tx, application.as_ref(), sender, now).await?;
                if send {
                    let text = self
                        .composer()
                        .questions_text(name_hint.as_deref(), known.applicant)?;
                    self.queue(
                        &mut tx,
                        message_row,
                        Reply::Questions,
                        sender,
                        inbound,
                        text,
                        now,
                    )
                    .await?;
                    Outcome::Replied(Reply::Questions)
                } else if let Some(a) = attention {
                    Outcome::Attention(a)
                } else {
                    Outcome::Quiet
                }
            }
            Plan::Answers => {
                record.outcome = "answers";
                let message_row = store::insert_message(&mut tx, &record).await?;
                let app_id = ensure_application(&mut tx, application.as_ref(), sender, now).await?;
                let checked = domain::check(&extracted, &self.config.questions);
                let mut stored = store::current_answers(&mut tx, app_id).await?;
                for (qid, value) in &checked.valid {
                    // A guessed reading is stored with its mark for staff; a
                    // new version also when only the mark changes, so that a
                    // later clean reply of the same value clears it.
                    let check = extracted.checks.get(qid);
                    if !stored.is_current(qid, value, check) {
                        store::insert_answer(&mut tx, app_id, qid, value, check, message_row, now)
                            .await?;
                        stored.set(qid, value, check);
                    }
                }
                let current = stored.values;
                let status = domain::status(&current, &self.config.questions);
                let name = applicant_name(&current, &self.config.questions).or(sender.name.clone());
                store::update_application(&mut tx, app_id, name.as_deref(), status.as_str(), now)
                    .await?;
                let missing = domain::missing(&current, &self.config.questions);
                let name_for_mail = name.or(name_hint);
                let (kind, text) = if missing.is_empty() && checked.invalid.is_empty() {
                    (
                        Reply::Confirmation,
                        self.composer().confirmation_text(
                            name_for_mail.as_deref(),
                            &current,
                            status == Status::Complete,
                        )?,
                    )
                } else {
                    (
                        Reply::Problems,
                        self.composer().problems_text(
                            name_for_mail.as_deref(),
                            &current,
                            checked.valid.len(),
                            &missing,
                            &checked.invalid,
                        )?,
                    )
                };
                self.queue(&mut tx, message_row, kind, sender, inbound, text, now)
                    .await?;
                Outcome::Replied(kind)
            }
        };
        tx.commit().await.map_err(StoreError::from)?;
        tracing::info!(
            uid = fetched.uid,
            bytes = raw.len(),
            ms = started.elapsed().as_millis() as u64,
            outcome = ?outcome,
            "message processed"
        );
        Ok(outcome)
    }

    #[allow(clippy::too_many_arguments)]
    async fn queue(
        &self,
        tx: &mut store::Tx,
        message_row: i64,
        kind: Reply,
        to: &Sender,
        inbound: &Inbound,
        text: String,
        now: DateTime<Utc>,
    ) -> Result<(), PipelineError> {
        let composed = self.composer().message(to, inbound, text)?;
        store::queue_reply(
            tx,
            &NewReply {
                message_id: message_row,
                kind: kind.as_str(),
                recipient: &to.address,
                sender: &self.config.intake.address,
                rfc822_id: &composed.rfc822_id,
                body: &composed.bytes,
                created_at: now,
            },
        )
        .await?;
        Ok(())
    }
}

/// The application's id, created (incomplete, no answers) on first contact.
async fn ensure_application(
    tx: &mut store::Tx,
    existing: Option<&store::ApplicationRow>,
    sender: &Sender,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    match existing {
        Some(a) => Ok(a.id),
        None => {
            store::insert_application(
                tx,
                &sender.address,
                sender.name.as_deref(),
                Status::Incomplete.as_str(),
                now,
            )
            .await
        }
    }
}

/// The applicant's name from a question with id `name`, if there is one.
fn applicant_name(current: &BTreeMap<String, String>, questions: &QuestionSet) -> Option<String> {
    questions
        .by_id("name")
        .and_then(|q| current.get(&q.id))
        .map(|n| n.lines().next().unwrap_or_default().trim().to_string())
        .filter(|n| !n.is_empty())
}
