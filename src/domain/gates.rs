//! Two gates on a person's mail, each a small pure check that
//! [`super::decide`] consults: a mail whose DMARC check failed at our own
//! mail server is never answered ([`dmarc`]), and no reply is queued over
//! the hourly send limits ([`send_limit`]).

use super::{Attention, Written};
use crate::ingest::authres::{AuthResults, MethodResult};

/// The `Authentication-Results` we believe, for each method: the results
/// that method has in the topmost field whose authserv-id is the trusted
/// one (`security.trusted_authserv_id`); fields of any other id are not
/// read at all.
///
/// Why the topmost. A server adds its field at the top of the header
/// (RFC 8601 §2.1), as it adds its `Received` (RFC 5321 §4.4). A sender
/// can write any field into their mail, a forged
/// `Authentication-Results: mx.example.org; dmarc=pass` among them, but
/// only below the fields the servers on the way add above it. So when the
/// trusted server checked a method, its result is the topmost of the
/// trusted id's for that method, and a forged one further down is never
/// read. (RFC 8601 §5 asks that server to delete such forged fields; this
/// does not rely on it.) Per method, not only the topmost field, because
/// servers that check with separate filters (OpenDKIM and OpenDMARC
/// behind Postfix) add one field per method, in either order.
///
/// When the trusted server gave no result for a method, a forged one for
/// it would be read; it can do no harm, because only `dmarc=fail` changes
/// anything ([`dmarc`]): a forged pass means what no result means, and a
/// forged fail only keeps the forger's own mail from being answered.
///
/// Not "above the first `Received` field": every delivery step after the
/// trusted server (an internal relay, Dovecot's LMTP) adds its own
/// `Received` above that server's field, so that rule would read nothing
/// on most systems.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Believed<'a> {
    pub dmarc: Vec<&'a MethodResult>,
    pub dkim: Vec<&'a MethodResult>,
    pub spf: Vec<&'a MethodResult>,
}

/// The results believed from `fields` (top first, as
/// [`crate::ingest::Inbound::auth_results`] holds them) when `trusted` is
/// the authserv-id we trust; see [`Believed`].
pub fn believed<'a>(fields: &'a [AuthResults], trusted: &str) -> Believed<'a> {
    let topmost = |method: &str| -> Vec<&'a MethodResult> {
        fields
            .iter()
            .filter(|f| f.authserv_id.eq_ignore_ascii_case(trusted))
            .map(|f| {
                f.results
                    .iter()
                    .filter(|r| r.method == method)
                    .collect::<Vec<_>>()
            })
            .find(|found| !found.is_empty())
            .unwrap_or_default()
    };
    Believed {
        dmarc: topmost("dmarc"),
        dkim: topmost("dkim"),
        spf: topmost("spf"),
    }
}

/// Why a mail is listed instead of answered, for staff, when the trusted
/// server says its DMARC check failed (RFC 7489: the From domain's owner
/// did not authorize it, by an aligned SPF or DKIM pass); `None` otherwise,
/// and always when no authserv-id is trusted.
///
/// Only `fail` counts, whatever policy the domain publishes: a reply to a
/// forged mail goes to someone who never wrote, and answers in it would be
/// stored as theirs; staff see the mail and can answer by hand. `pass`,
/// `none` (the domain publishes no DMARC record), `temperror` and
/// `permerror` (the check could not be made, or the domain's record is
/// broken: no sign of forgery) and no result at all change nothing, as if
/// no authserv-id were trusted. Several DMARC results in one field (a
/// server that reports each From address) count as failed when one did.
///
/// The detail gives the DMARC, DKIM and SPF results believed, as written,
/// and the authserv-id.
pub fn dmarc(fields: &[AuthResults], trusted: Option<&str>) -> Option<String> {
    let trusted = trusted?;
    let found = believed(fields, trusted);
    if !found.dmarc.iter().any(|r| r.result == "fail") {
        return None;
    }
    let texts: Vec<&str> = [&found.dmarc, &found.dkim, &found.spf]
        .into_iter()
        .flatten()
        .map(|r| r.text.as_str())
        .collect();
    Some(format!("{} (by {trusted})", texts.join("; ")))
}

/// The span the send limits count over: an hour.
pub const WINDOW: chrono::Duration = chrono::Duration::hours(1);

/// Default most replies to one address in an hour.
pub const DEFAULT_PER_ADDRESS_PER_HOUR: u32 = 5;

/// Default most replies in all in an hour.
pub const DEFAULT_TOTAL_PER_HOUR: u32 = 120;

/// How many replies may be queued in an hour (`[limits]`): to one
/// address, and in all. A limit of 0 queues none: every mail that would
/// be answered is listed for staff instead.
///
/// Exact on SQLite, where one mail is processed at a time. On PostgreSQL,
/// processes working side by side on mail from different senders may
/// each see the same total and queue one more: the total can then be
/// passed by one reply per further process. Per address it stays exact
/// (one sender's mail is processed by one process at a time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendLimits {
    /// `limits.per_address_per_hour`.
    pub per_address_per_hour: u32,
    /// `limits.total_per_hour`.
    pub total_per_hour: u32,
}

impl Default for SendLimits {
    fn default() -> Self {
        SendLimits {
            per_address_per_hour: DEFAULT_PER_ADDRESS_PER_HOUR,
            total_per_hour: DEFAULT_TOTAL_PER_HOUR,
        }
    }
}

/// Replies queued in the hour before now (outbox rows, whatever became of
/// them), counted by the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SentLastHour {
    /// To the sender of the mail at hand.
    pub to_sender: u64,
    /// To anyone.
    pub total: u64,
}

/// Why no reply may be queued now, for staff; `None` while both counts
/// are under their limits. The limits stop a flood (a forged sender, a
/// loop with another robot that our checks missed) from making the team's
/// address a source of mass mail; the mail is still stored and its
/// answers kept.
pub fn send_limit(sent: SentLastHour, limits: SendLimits) -> Option<String> {
    let mut over = Vec::new();
    if sent.to_sender >= u64::from(limits.per_address_per_hour) {
        over.push(format!(
            "{} replies to this address in the last hour, and limits.per_address_per_hour is {}",
            sent.to_sender, limits.per_address_per_hour
        ));
    }
    if sent.total >= u64::from(limits.total_per_hour) {
        over.push(format!(
            "{} replies in all in the last hour, and limits.total_per_hour is {}",
            sent.total, limits.total_per_hour
        ));
    }
    (!over.is_empty()).then(|| format!("not answered: {}", over.join("; ")))
}

/// No reply after all: `w` is listed for staff as [`Attention::SendLimit`]
/// with `why`, the reason it was listed for already, if any, kept in the
/// detail. What the mail changes is still written.
pub(super) fn withhold_reply(w: &mut Written, why: String) {
    w.reply = None;
    let before = w.attention.map(|a| {
        format!(
            "; also {}: {}",
            a.as_str(),
            w.detail.as_deref().unwrap_or("")
        )
    });
    w.attention = Some(Attention::SendLimit);
    w.detail = Some(format!("{why}{}", before.unwrap_or_default()));
}
