//! What one erase does, found before anything changes ([`plan`]), and
//! done in the erase's transaction ([`apply`]). Which stored mail goes
//! whole and which is redacted is [`fate`]'s pure decision.

use std::collections::HashSet;

use sqlx::{AnyConnection, Row};

use super::Erased;
use super::tombstone::content_hash;
use crate::domain::Attention;
use crate::privacy::mention;
use crate::store::StoreError;
use crate::store::export::mail_ids_from;
use crate::token::Key;

/// Text and byte columns where another person's data may name the
/// address, by table: the address is replaced there.
const MENTIONS: &[(&str, &[&str])] = &[
    ("messages", &["raw", "subject", "from_name", "detail"]),
    ("outbox", &["body", "last_error"]),
    ("answers", &["value", "as_written"]),
    ("held_answers", &["value", "as_written"]),
    ("applications", &["name"]),
];
/// Rows read per query while looking through stored mail: a bound on
/// memory, whatever the database holds.
const PAGE: i64 = 64;
/// A mail an erase deletes, with what its tombstone keeps.
#[derive(Debug)]
struct Gone {
    id: i64,
    mailbox: String,
    uidvalidity: i64,
    uid: i64,
    /// As the pipeline computes it: its Message-ID, or `sha256:` and hash.
    identity: String,
    sha256: String,
}

/// A new value for one column of one row: the address replaced.
#[derive(Debug)]
enum Value {
    Text(String),
    Bytes(Vec<u8>),
}

#[derive(Debug)]
struct Redaction {
    table: &'static str,
    column: &'static str,
    id: i64,
    value: Value,
}

/// Everything one erase will do, found before anything is changed.
#[derive(Debug, Default)]
pub(super) struct Plan {
    application: Option<i64>,
    answers: u64,
    held_answers: u64,
    mails: Vec<Gone>,
    /// Outbox ids and Message-IDs.
    replies: Vec<(i64, String)>,
    fetch_failures: Vec<(String, i64, i64)>,
    redactions: Vec<Redaction>,
}

impl Plan {
    /// The id of the address's application, when it has one.
    pub(super) fn application(&self) -> Option<i64> {
        self.application
    }

    /// The counts, but for files (the erase counts those itself).
    pub(super) fn counts(&self) -> Erased {
        let rows: HashSet<(&str, i64)> = self.redactions.iter().map(|r| (r.table, r.id)).collect();
        Erased {
            applications: u64::from(self.application.is_some()),
            answers: self.answers,
            files: 0,
            held_answers: self.held_answers,
            mails: self.mails.len() as u64,
            replies: self.replies.len() as u64,
            fetch_failures: self.fetch_failures.len() as u64,
            redacted: rows.len() as u64,
        }
    }

    fn redact_text(
        &mut self,
        table: &'static str,
        column: &'static str,
        id: i64,
        text: Option<&str>,
        address: &str,
    ) {
        if let Some(new) = text.and_then(|t| mention::redact_text(t, address)) {
            self.redactions.push(Redaction {
                table,
                column,
                id,
                value: Value::Text(new),
            });
        }
    }
}

/// What becomes of a stored mail in an erase. Pure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Theirs: deleted whole, a tombstone left.
    Delete,
    /// Another's that names them: the address replaced.
    Redact,
    Keep,
}

/// The facts about one stored mail that decide its [`Fate`].
struct MailFacts {
    /// From this address.
    from_them: bool,
    /// The delivery copy of one of our replies to them.
    our_copy: bool,
    /// Listed for staff as a robot's mail.
    robot: bool,
    /// Its bytes or fields name the address.
    named: bool,
    /// Another application's answers came from it.
    carries_others_answers: bool,
}

fn fate(m: &MailFacts) -> Fate {
    if m.carries_others_answers {
        return if m.named { Fate::Redact } else { Fate::Keep };
    }
    if m.from_them || m.our_copy || (m.robot && m.named) {
        Fate::Delete
    } else if m.named {
        Fate::Redact
    } else {
        Fate::Keep
    }
}
/// Finds everything an erase of `address` (lower-case) does, reading
/// only.
pub(super) async fn plan(conn: &mut AnyConnection, address: &str) -> Result<Plan, StoreError> {
    let application: Option<i64> =
        sqlx::query_scalar("SELECT id FROM applications WHERE email = $1")
            .bind(address)
            .fetch_optional(&mut *conn)
            .await?;
    let mut plan = Plan {
        application,
        ..Plan::default()
    };
    let app = plan.application.unwrap_or(-1);
    let answers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM answers WHERE application_id = $1")
        .bind(app)
        .fetch_one(&mut *conn)
        .await?;
    plan.answers = answers as u64;
    let our_ids: HashSet<String> =
        sqlx::query_scalar::<_, String>("SELECT rfc822_id FROM outbox WHERE recipient = $1")
            .bind(address)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let from_them: HashSet<i64> = mail_ids_from(conn, address).await?.into_iter().collect();
    plan_mails(conn, address, app, &our_ids, &from_them, &mut plan).await?;
    for m in &plan.mails {
        let held: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM held_answers WHERE message_id = $1")
                .bind(m.id)
                .fetch_one(&mut *conn)
                .await?;
        plan.held_answers += held as u64;
    }
    plan_replies(conn, address, &mut plan).await?;
    plan_others(conn, address, app, &mut plan).await?;
    Ok(plan)
}

/// Looks through every stored mail, a page at a time.
async fn plan_mails(
    conn: &mut AnyConnection,
    address: &str,
    app: i64,
    our_ids: &HashSet<String>,
    from_them: &HashSet<i64>,
    plan: &mut Plan,
) -> Result<(), StoreError> {
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, mailbox, uidvalidity, uid, message_id, sha256, from_name, subject,
                attention, detail, raw FROM messages WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.get("id");
        for r in &rows {
            let id: i64 = r.get("id");
            let message_id: Option<String> = r.get("message_id");
            let raw: Vec<u8> = r.get("raw");
            let subject: String = r.get("subject");
            let from_name: Option<String> = r.get("from_name");
            let detail: Option<String> = r.get("detail");
            let attention: Option<String> = r.get("attention");
            let named = mention::mentions(&raw, address)
                || [Some(&subject), from_name.as_ref(), detail.as_ref()]
                    .into_iter()
                    .flatten()
                    .any(|t| mention::mentions(t.as_bytes(), address));
            let theirs_or_robots = from_them.contains(&id)
                || message_id.as_ref().is_some_and(|m| our_ids.contains(m))
                || named;
            // Only a mail that may go is asked whose answers it carries:
            // another application's, or answers held for its sender when
            // that is not them.
            let carries_others_answers = theirs_or_robots && {
                let n: i64 = sqlx::query_scalar(
                    "SELECT (SELECT COUNT(*) FROM answers
                             WHERE message_id = $1 AND application_id <> $2)
                          + (SELECT COUNT(*) FROM held_answers
                             WHERE message_id = $3 AND $4)",
                )
                .bind(id)
                .bind(app)
                .bind(id)
                .bind(!from_them.contains(&id))
                .fetch_one(&mut *conn)
                .await?;
                n > 0
            };
            let facts = MailFacts {
                from_them: from_them.contains(&id),
                our_copy: message_id.as_ref().is_some_and(|m| our_ids.contains(m)),
                robot: attention.as_deref() == Some(Attention::Robot.as_str()),
                named,
                carries_others_answers,
            };
            match fate(&facts) {
                Fate::Keep => {}
                Fate::Delete => {
                    let sha256: String = r.get("sha256");
                    plan.mails.push(Gone {
                        id,
                        mailbox: r.get("mailbox"),
                        uidvalidity: r.get("uidvalidity"),
                        uid: r.get("uid"),
                        identity: message_id.unwrap_or_else(|| format!("sha256:{sha256}")),
                        sha256,
                    });
                }
                Fate::Redact => {
                    if let Some(new) = mention::redact(&raw, address) {
                        plan.redactions.push(Redaction {
                            table: "messages",
                            column: "raw",
                            id,
                            value: Value::Bytes(new),
                        });
                    }
                    plan.redact_text("messages", "subject", id, Some(&subject), address);
                    plan.redact_text("messages", "from_name", id, from_name.as_deref(), address);
                    plan.redact_text("messages", "detail", id, detail.as_deref(), address);
                }
            }
        }
    }
}

/// Looks through every reply, a page at a time: those to the address, or
/// to a mail that goes, go; others that name it are redacted.
async fn plan_replies(
    conn: &mut AnyConnection,
    address: &str,
    plan: &mut Plan,
) -> Result<(), StoreError> {
    let gone: HashSet<i64> = plan.mails.iter().map(|m| m.id).collect();
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, message_id, recipient, rfc822_id, body, last_error FROM outbox
             WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.get("id");
        for r in &rows {
            let id: i64 = r.get("id");
            let recipient: String = r.get("recipient");
            let source: Option<i64> = r.get("message_id");
            if recipient == address || source.is_some_and(|m| gone.contains(&m)) {
                plan.replies.push((id, r.get("rfc822_id")));
                continue;
            }
            let body: Vec<u8> = r.get("body");
            if let Some(new) = mention::redact(&body, address) {
                plan.redactions.push(Redaction {
                    table: "outbox",
                    column: "body",
                    id,
                    value: Value::Bytes(new),
                });
            }
            let error: Option<String> = r.get("last_error");
            plan.redact_text("outbox", "last_error", id, error.as_deref(), address);
        }
    }
}

/// Other applications' answers and names, and the failed-fetch counts.
async fn plan_others(
    conn: &mut AnyConnection,
    address: &str,
    app: i64,
    plan: &mut Plan,
) -> Result<(), StoreError> {
    let mut after = 0i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, value, as_written FROM answers
             WHERE id > $1 AND application_id <> $2 ORDER BY id LIMIT $3",
        )
        .bind(after)
        .bind(app)
        .bind(PAGE * 16)
        .fetch_all(&mut *conn)
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.get("id");
        for r in &rows {
            let id: i64 = r.get("id");
            let value: String = r.get("value");
            let as_written: Option<String> = r.get("as_written");
            plan.redact_text("answers", "value", id, Some(&value), address);
            plan.redact_text("answers", "as_written", id, as_written.as_deref(), address);
        }
    }
    let gone_mails: HashSet<i64> = plan.mails.iter().map(|m| m.id).collect();
    let held = sqlx::query("SELECT id, message_id, value, as_written FROM held_answers")
        .fetch_all(&mut *conn)
        .await?;
    for r in &held {
        if gone_mails.contains(&r.get::<i64, _>("message_id")) {
            continue;
        }
        let id: i64 = r.get("id");
        let value: String = r.get("value");
        let as_written: Option<String> = r.get("as_written");
        plan.redact_text("held_answers", "value", id, Some(&value), address);
        plan.redact_text(
            "held_answers",
            "as_written",
            id,
            as_written.as_deref(),
            address,
        );
    }
    let names =
        sqlx::query("SELECT id, name FROM applications WHERE id <> $1 AND name IS NOT NULL")
            .bind(app)
            .fetch_all(&mut *conn)
            .await?;
    for r in &names {
        let name: String = r.get("name");
        plan.redact_text("applications", "name", r.get("id"), Some(&name), address);
    }
    let gone: HashSet<(&str, i64, i64)> = plan
        .mails
        .iter()
        .map(|m| (m.mailbox.as_str(), m.uidvalidity, m.uid))
        .collect();
    let failures = sqlx::query("SELECT mailbox, uidvalidity, uid, last_error FROM fetch_failures")
        .fetch_all(&mut *conn)
        .await?;
    let mut found = Vec::new();
    for r in &failures {
        let key: (String, i64, i64) = (r.get("mailbox"), r.get("uidvalidity"), r.get("uid"));
        let error: String = r.get("last_error");
        // A count holds nothing worth redacting: one that names the
        // address goes, and the message is tried afresh.
        if gone.contains(&(key.0.as_str(), key.1, key.2))
            || mention::mentions(error.as_bytes(), address)
        {
            found.push(key);
        }
    }
    plan.fetch_failures = found;
    Ok(())
}
/// Carries out `plan` inside the erase's transaction, leaving tombstones
/// hashed under `key`.
pub(super) async fn apply(
    conn: &mut AnyConnection,
    plan: &Plan,
    key: &Key,
) -> Result<(), StoreError> {
    if let Some(app) = plan.application {
        sqlx::query("DELETE FROM answers WHERE application_id = $1")
            .bind(app)
            .execute(&mut *conn)
            .await?;
    }
    for (id, rfc822_id) in &plan.replies {
        sqlx::query("DELETE FROM outbox WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("INSERT INTO erased (identity) VALUES ($1)")
            .bind(key.keyed_hash(rfc822_id))
            .execute(&mut *conn)
            .await?;
    }
    for m in &plan.mails {
        sqlx::query("DELETE FROM held_answers WHERE message_id = $1")
            .bind(m.id)
            .execute(&mut *conn)
            .await?;
        sqlx::query("DELETE FROM messages WHERE id = $1")
            .bind(m.id)
            .execute(&mut *conn)
            .await?;
        sqlx::query(
            "INSERT INTO erased (mailbox, uidvalidity, uid, identity, content)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(m.mailbox.as_str())
        .bind(m.uidvalidity)
        .bind(m.uid)
        .bind(key.keyed_hash(&m.identity))
        .bind(content_hash(key, &m.sha256))
        .execute(&mut *conn)
        .await?;
    }
    if let Some(app) = plan.application {
        sqlx::query("DELETE FROM applications WHERE id = $1")
            .bind(app)
            .execute(&mut *conn)
            .await?;
    }
    for (mailbox, uidvalidity, uid) in &plan.fetch_failures {
        sqlx::query(
            "DELETE FROM fetch_failures WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3",
        )
        .bind(mailbox.as_str())
        .bind(uidvalidity)
        .bind(uid)
        .execute(&mut *conn)
        .await?;
    }
    for r in &plan.redactions {
        debug_assert!(
            MENTIONS
                .iter()
                .any(|(t, cols)| *t == r.table && cols.contains(&r.column))
        );
        let sql = format!("UPDATE {} SET {} = $1 WHERE id = $2", r.table, r.column);
        let query = sqlx::query(sqlx::AssertSqlSafe(sql));
        let query = match &r.value {
            Value::Text(t) => query.bind(t.as_str()),
            Value::Bytes(b) => query.bind(b.as_slice()),
        };
        query.bind(r.id).execute(&mut *conn).await?;
    }
    Ok(())
}
#[cfg(test)]
mod tests {
    use super::*;

    fn facts(from_them: bool, our_copy: bool, robot: bool, named: bool, others: bool) -> MailFacts {
        MailFacts {
            from_them,
            our_copy,
            robot,
            named,
            carries_others_answers: others,
        }
    }

    #[test]
    fn their_mail_goes_and_others_naming_them_is_redacted() {
        use Fate::*;
        let cases = [
            ("from them", facts(true, false, false, true, false), Delete),
            (
                "from them, not naming them in the body",
                facts(true, false, false, false, false),
                Delete,
            ),
            (
                "our reply's delivery copy",
                facts(false, true, false, true, false),
                Delete,
            ),
            (
                "a bounce or auto-reply naming them",
                facts(false, false, true, true, false),
                Delete,
            ),
            (
                "a robot's mail about someone else",
                facts(false, false, true, false, false),
                Keep,
            ),
            (
                "another person's mail naming them",
                facts(false, false, false, true, false),
                Redact,
            ),
            (
                "another applicant's answers naming them",
                facts(true, false, false, true, true),
                Redact,
            ),
            ("unrelated", facts(false, false, false, false, false), Keep),
        ];
        for (name, f, expected) in cases {
            assert_eq!(fate(&f), expected, "{name}");
        }
    }
}
