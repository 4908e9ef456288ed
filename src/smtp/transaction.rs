//! One reply's mail transaction (RFC 5321 3.3) on an open session, step
//! by step, so that a failure is judged by the step it happened at: a 554
//! in the greeting refuses every reply, a 554 to RCPT only this one; a
//! lost connection before DATA sent nothing, one after it may have sent
//! the reply (the reply is then "in doubt").
//!
//! The team's delivery copy is one more recipient (see
//! [`super::SmtpTransport::with_delivery_copy`]); a server that refuses
//! it still gets the reply.

use lettre::Address;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};

use super::Class;

/// Where a transaction stopped: each step's failure means something else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Step {
    /// Connection, greeting, EHLO, STARTTLS, AUTH: the server or our
    /// settings, never one reply.
    Session,
    /// MAIL FROM: the team address as the sender.
    Sender,
    /// RCPT TO the applicant.
    Recipient,
    /// The DATA command.
    Data,
    /// The message, up to the server's answer to its final dot.
    Message,
}

/// How a failure at a step is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Judged {
    pub class: Class,
    /// The server may have taken the reply: the failure came after the
    /// message was (perhaps wholly) written and before its answer.
    pub in_doubt: bool,
    /// Which config key or fact to name to a person.
    pub hint: Hint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hint {
    None,
    /// Authentication refused (RFC 4954).
    Login,
    /// lettre found no way to log in or upgrade that fits the server.
    Settings,
    /// The server refuses us (a 5xx before any recipient).
    Refused,
    /// The server refuses the team address as sender.
    Sender,
    /// No answer, or the connection went.
    Unanswered,
}

/// What went wrong, as far as the step judgement needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Failure {
    /// A reply with this code (RFC 5321 4.2).
    Code(u16),
    /// No answer in time, the connection lost, or an answer not SMTP.
    Unanswered,
    /// Refused before asking the server: the message or an address needs
    /// an extension the server lacks (SMTPUTF8, 8BITMIME).
    Unsupported,
}

/// Judges a failure by its step. Pure, table-tested.
pub(super) fn judge(step: Step, failure: Failure) -> Judged {
    let j = |class, in_doubt, hint| Judged {
        class,
        in_doubt,
        hint,
    };
    match (step, failure) {
        // 421 anywhere: the service is closing, not about this reply.
        (_, Failure::Code(421)) => j(Class::Unreachable, false, Hint::None),
        // 530, 534, 535, 538: authentication refused (RFC 4954).
        (Step::Session, Failure::Code(530 | 534 | 535 | 538)) => {
            j(Class::Setup, false, Hint::Login)
        }
        (Step::Session, Failure::Unsupported) => j(Class::Setup, false, Hint::Settings),
        (Step::Session, Failure::Code(c)) if c >= 500 => j(Class::Setup, false, Hint::Refused),
        (Step::Session, _) => j(Class::Unreachable, false, Hint::None),
        (Step::Sender, Failure::Code(c)) if c >= 500 => j(Class::Setup, false, Hint::Sender),
        // A 4xx to MAIL FROM (452 too many messages, no storage) holds for
        // every reply alike.
        (Step::Sender, Failure::Code(_)) => j(Class::Unreachable, false, Hint::None),
        (Step::Sender, Failure::Unanswered) => j(Class::Unreachable, false, Hint::Unanswered),
        (_, Failure::Unsupported) => j(Class::Rejected, false, Hint::None),
        // RFC 5321 4.5.3.1.10: a 552 to RCPT is to be taken as temporary.
        (Step::Recipient, Failure::Code(552)) => j(Class::Deferred, false, Hint::None),
        // The DATA command itself carries nothing of this reply: a refusal
        // or silence there holds for every reply alike; retried, never
        // given up.
        (Step::Data, Failure::Code(_)) => j(Class::Unreachable, false, Hint::None),
        (Step::Data, Failure::Unanswered) => j(Class::Unreachable, false, Hint::Unanswered),
        (_, Failure::Code(c)) if c >= 500 => j(Class::Rejected, false, Hint::None),
        (_, Failure::Code(_)) => j(Class::Deferred, false, Hint::None),
        // A recipient the server is slow to check is this reply's problem:
        // the queue goes on without it.
        (Step::Recipient, Failure::Unanswered) => j(Class::Deferred, false, Hint::Unanswered),
        // The final dot may have been taken before the answer was lost.
        (Step::Message, Failure::Unanswered) => j(Class::Deferred, true, Hint::Unanswered),
    }
}

/// A failed step: what kind of failure, and the words for a person.
#[derive(Debug)]
pub(super) struct Failed {
    pub failure: Failure,
    pub message: String,
}

impl From<&lettre::transport::smtp::Error> for Failed {
    fn from(e: &lettre::transport::smtp::Error) -> Self {
        let failure = match e.status() {
            Some(code) => Failure::Code(u16::from(code)),
            None if e.is_client() => Failure::Unsupported,
            None => Failure::Unanswered,
        };
        Failed {
            failure,
            message: e.to_string(),
        }
    }
}

/// The envelope of one reply.
pub(super) struct Envelope<'a> {
    pub from: &'a Address,
    pub to: &'a Address,
    pub copy: Option<&'a Address>,
}

/// Runs MAIL, RCPT (the applicant, then the copy), DATA and the message,
/// keeping `step` up to date so that a caller whose time ran out knows
/// where. `Ok(true)` when the copy was accepted too.
pub(super) async fn transact(
    conn: &mut AsyncSmtpConnection,
    envelope: &Envelope<'_>,
    message: &[u8],
    step: &mut Step,
) -> Result<bool, Failed> {
    let unsupported = |message: &str| Failed {
        failure: Failure::Unsupported,
        message: message.to_string(),
    };
    *step = Step::Sender;
    let mut options = Vec::new();
    let utf8 = [Some(envelope.from), Some(envelope.to), envelope.copy]
        .into_iter()
        .flatten()
        .any(|a: &Address| !AsRef::<str>::as_ref(a).is_ascii());
    let info = conn.server_info().clone();
    if utf8 {
        if !info.supports_feature(Extension::SmtpUtfEight) {
            *step = Step::Recipient;
            return Err(unsupported(
                "the address is not ASCII and the server does not offer SMTPUTF8",
            ));
        }
        options.push(MailParameter::SmtpUtfEight);
    }
    if !message.is_ascii() {
        if !info.supports_feature(Extension::EightBitMime) {
            *step = Step::Message;
            return Err(unsupported(
                "the message is not ASCII and the server does not offer 8BITMIME",
            ));
        }
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(Some(envelope.from.clone()), options))
        .await
        .map_err(|e| Failed::from(&e))?;
    *step = Step::Recipient;
    conn.command(Rcpt::new(envelope.to.clone(), vec![]))
        .await
        .map_err(|e| Failed::from(&e))?;
    let mut copied = false;
    if let Some(copy) = envelope.copy {
        match conn.command(Rcpt::new(copy.clone(), vec![])).await {
            Ok(_) => copied = true,
            // Refused (any code): the reply still goes, without proof.
            Err(e) if e.status().is_some() => {
                tracing::debug!(error = %e, "the delivery copy was refused");
            }
            Err(e) => return Err(Failed::from(&e)),
        }
    }
    *step = Step::Data;
    conn.command(Data).await.map_err(|e| Failed::from(&e))?;
    *step = Step::Message;
    conn.message(message).await.map_err(|e| Failed::from(&e))?;
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_judged_by_its_step() {
        use Class::*;
        use Failure::*;
        use Step::*;
        // (step, failure, class, in doubt)
        let table = [
            // The greeting and the session: never one reply's fault.
            (Session, Code(421), Unreachable, false),
            (Session, Code(554), Setup, false),
            (Session, Code(535), Setup, false),
            (Session, Unanswered, Unreachable, false),
            (Session, Unsupported, Setup, false),
            // MAIL FROM: the team address, so every reply alike.
            (Sender, Code(550), Setup, false),
            (Sender, Code(452), Unreachable, false),
            (Sender, Unanswered, Unreachable, false),
            // RCPT: this applicant only.
            (Recipient, Code(550), Rejected, false),
            (Recipient, Code(552), Deferred, false),
            (Recipient, Code(450), Deferred, false),
            (Recipient, Code(421), Unreachable, false),
            (Recipient, Unanswered, Deferred, false),
            (Recipient, Unsupported, Rejected, false),
            (Data, Code(554), Unreachable, false),
            (Data, Code(451), Unreachable, false),
            (Data, Unanswered, Unreachable, false),
            // After the message: taken or not, nobody knows.
            (Message, Code(552), Rejected, false),
            (Message, Code(451), Deferred, false),
            (Message, Unanswered, Deferred, true),
            (Message, Unsupported, Rejected, false),
        ];
        for (step, failure, class, in_doubt) in table {
            let j = judge(step, failure);
            assert_eq!(
                (j.class, j.in_doubt),
                (class, in_doubt),
                "{step:?} {failure:?}"
            );
        }
    }
}
