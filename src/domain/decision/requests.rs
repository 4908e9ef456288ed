//! A request by mail (withdraw, my data, delete), and whether it is
//! confirmed first.

use super::{ApplicationChange, Confirming, Facts, ReplyText, Written};
use crate::domain::request::Request;
use crate::domain::{Attention, MessageOutcome, Reply, due};

/// A request by mail. Whatever changes the application or sends its data
/// needs the mail to reply to one of ours (vouched); otherwise the address
/// is asked, at most daily, to confirm by replying. Deletion is always
/// confirmed first. From an address with no application, a request asks
/// for nothing we hold: a person reads it, and no mail goes to an address
/// that may never have written.
pub(super) fn by_request(
    mut w: Written,
    f: &Facts<'_>,
    asked: Request,
    name: Option<String>,
) -> Written {
    let known = f.known;
    let confirmed = |c: Confirming| f.confirms == Some(&c);
    let ask = |kind: Reply, text: ReplyText| {
        due(known.last_reply_at.get(&kind).copied(), f.now).then_some(text)
    };
    w.outcome = MessageOutcome::Request;
    w.application = ApplicationChange::Untouched;
    if !known.applicant {
        w.outcome = MessageOutcome::Message;
        w.attention = Some(Attention::Message);
        w.detail = Some(format!(
            "asks to {}, but has no application",
            match asked {
                Request::Withdraw => "withdraw",
                Request::MyData => "see their data",
                Request::Delete => "delete their data",
            }
        ));
        return w;
    }
    match asked {
        Request::Delete if confirmed(Confirming::Delete) => w.erase = true,
        Request::Delete => w.reply = ask(Reply::ConfirmErase, ReplyText::ConfirmErase),
        Request::MyData if f.vouched => w.reply = Some(ReplyText::DataCopy),
        Request::MyData => w.reply = ask(Reply::ConfirmData, ReplyText::ConfirmData),
        Request::Withdraw if f.vouched => {
            w.application = ApplicationChange::Withdraw;
            w.reply = Some(ReplyText::Withdrawn { name });
        }
        Request::Withdraw => {
            w.reply = ask(Reply::ConfirmWithdraw, ReplyText::ConfirmWithdraw);
        }
    }
    w
}
