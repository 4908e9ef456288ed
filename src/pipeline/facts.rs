//! The facts about a sender the decision needs, read inside the mail's
//! transaction.

use chrono::{DateTime, Utc};

use super::{PipelineError, Retry};
use crate::domain::{Confirming, Known, Reply, Status};
use crate::ingest::{Inbound, Sender};
use crate::store::Tx;
use crate::token::Key;

/// What is known of the sender: their application's id, and the facts the
/// decision needs.
pub(super) async fn gather(tx: &mut Tx, address: &str) -> Result<(Option<i64>, Known), Retry> {
    let application = tx.application(address).await.map_err(PipelineError::from)?;
    let current = match &application {
        Some(a) => tx
            .current_answers(a.id)
            .await
            .map_err(PipelineError::from)?,
        None => Default::default(),
    };
    let last_questions_at = tx.last_reply_at(address, Reply::Questions).await;
    let last_closed_notice_at = tx.last_reply_at(address, Reply::Closed).await;
    let last_attachment_notice_at = tx.last_reply_at(address, Reply::Attachment).await;
    let (last_questions_at, last_closed_notice_at, last_attachment_notice_at) = (
        last_questions_at.map_err(PipelineError::from)?,
        last_closed_notice_at.map_err(PipelineError::from)?,
        last_attachment_notice_at.map_err(PipelineError::from)?,
    );
    let last_confirm_request_at = tx
        .last_reply_at(address, Reply::ConfirmAddress)
        .await
        .map_err(PipelineError::from)?;
    let mut last_reply_at = std::collections::BTreeMap::new();
    for kind in [
        Reply::ConfirmWithdraw,
        Reply::ConfirmData,
        Reply::ConfirmErase,
    ] {
        if let Some(t) = tx
            .last_reply_at(address, kind)
            .await
            .map_err(PipelineError::from)?
        {
            last_reply_at.insert(kind, t);
        }
    }
    Ok((
        application.as_ref().map(|a| a.id),
        Known {
            applicant: application.is_some(),
            status: application.as_ref().map(|a| a.status),
            name: application.and_then(|a| a.name),
            current,
            last_questions_at,
            last_closed_notice_at,
            last_attachment_notice_at,
            last_confirm_request_at,
            last_reply_at,
        },
    ))
}

/// What this mail confirms, when it replies directly to one of our
/// confirm requests to `address` (its In-Reply-To, or the last of its
/// References, vouches for it and names such a request; one further up the
/// thread was answered before). For held answers: those of the newest
/// mail still held from the address, the last the address sent.
pub(super) async fn confirms(
    tx: &mut Tx,
    key: &Key,
    inbound: &Inbound,
    address: &str,
) -> Result<Option<Confirming>, PipelineError> {
    let Some(parent) = inbound
        .parent_ids
        .first()
        .filter(|id| key.vouches(id, address))
    else {
        return Ok(None);
    };
    let Some((kind, _)) = tx.reply_to(parent, address).await? else {
        return Ok(None);
    };
    let Some(confirming) = Confirming::of(kind) else {
        return Ok(None);
    };
    let held = match kind {
        Reply::ConfirmAddress => match tx.newest_held_from(address).await? {
            Some(m) => Some(tx.held_answers(m).await?),
            None => None,
        },
        _ => None,
    };
    Ok(Some(confirming(held)))
}

/// The application's id, created (incomplete, no answers, dated by this
/// mail's arrival) on first contact.
pub(super) async fn ensure_application(
    tx: &mut Tx,
    existing: Option<i64>,
    sender: &Sender,
    received_at: DateTime<Utc>,
) -> Result<i64, PipelineError> {
    match existing {
        Some(id) => Ok(id),
        None => Ok(tx
            .insert_application(
                &sender.address,
                sender.name.as_deref(),
                Status::Incomplete,
                received_at,
            )
            .await?),
    }
}
