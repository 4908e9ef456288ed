//! `mailintake check`: the configuration, the questions file, the
//! templates and the database; then, unless offline, the mail servers.
//! One line per part on standard output; the first problem is the error.

use std::collections::BTreeMap;

use anyhow::Context;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;

use crate::config::{Config, Settings, printable_url};
use crate::domain::Impact;
use crate::mailbox::{ImapMailbox, Source};
use crate::outbox::SmtpTransport;
use crate::questions::QuestionSet;
use crate::questions::diff::Change;
use crate::render::Templates;
use crate::store::StoredVersion;

/// Everything that can be checked without contacting a mail server, and
/// so without their secrets: `check --offline`.
pub async fn offline(settings: &Settings) -> anyhow::Result<()> {
    local(settings).await?;
    match settings.imap_offline()? {
        Some(imap) => println!("imap: {imap} not contacted (offline)"),
        None => println!("imap: no [imap] table (run, once and check need one)"),
    }
    match settings.smtp_offline()? {
        Some(smtp) => println!("smtp: {smtp} not contacted (offline)"),
        None => println!("smtp: no [smtp] table (run, once and check need one)"),
    }
    Ok(())
}

/// `check`: what [`offline`] checks, then a login to the mailbox and a
/// connection to the submission server.
pub async fn online(config: &Config) -> anyhow::Result<()> {
    local(config).await?;
    let imap = &config.imap;
    let imap_desc = format!("{}:{} mailbox {}", imap.host, imap.port, imap.mailbox);
    let mut mailbox = ImapMailbox::new(imap.clone());
    // The error names the server, the step and the key to check.
    mailbox.open().await?;
    mailbox.logout().await;
    println!("imap: {imap_desc} ok");
    let smtp_desc = format!("{}:{}", config.smtp.host, config.smtp.port);
    let transport = SmtpTransport::new(&config.smtp)?;
    transport.test_connection().await?;
    println!("smtp: {smtp_desc} ok");
    Ok(())
}

/// The parts every check looks at: the file and its questions, the
/// templates (rendered once with the questions), the database.
async fn local(settings: &Settings) -> anyhow::Result<()> {
    println!(
        "config: {} ok ({} questions)",
        settings.file.display(),
        settings.questions.len()
    );
    if let Some(warning) = closed_warning(settings.intake.closes_at, Utc::now()) {
        println!("{warning}");
    }
    let dir = settings.intake.templates_dir.as_deref();
    let templates = Templates::load(dir)?;
    crate::extractor(settings, &templates)?;
    match dir {
        Some(dir) => println!("templates: {} ok", dir.display()),
        None => println!("templates: built-in ok"),
    }
    let url = settings.database_url()?;
    let url = url.expose_secret();
    let store = crate::open_store(settings, url).await?;
    store.ping().await.with_context(|| {
        format!(
            "{}: key `database.url`: cannot use {}",
            settings.file.display(),
            printable_url(url)
        )
    })?;
    println!("database: ok ({})", printable_url(url));
    if let Some(dir) = &settings.files_dir {
        crate::check_files_dir(settings)?;
        println!("files: {} ok (attached files kept there)", dir.display());
    }
    let last = store.last_shown_version().await.with_context(|| {
        format!(
            "{}: key `database.url`: cannot read the questions versions in {}",
            settings.file.display(),
            printable_url(url)
        )
    })?;
    let (lines, against) = compared(&settings.questions, last.as_ref());
    for line in lines {
        println!("{line}");
    }
    if let Some((old, changes)) = against {
        let cannot = || {
            format!(
                "{}: key `database.url`: cannot read the applications in {}",
                settings.file.display(),
                printable_url(url)
            )
        };
        let applications = store.applications().await.with_context(cannot)?;
        let answers = store.current_answers_all().await.with_context(cannot)?;
        let none = BTreeMap::new();
        let impact = crate::domain::impact(
            applications.iter().map(|a| {
                let current = answers.get(&a.id).map_or(&none, |c| &c.values);
                (a.status, current)
            }),
            &old,
            &settings.questions,
        );
        for line in impact_lines(&impact, &changes) {
            println!("{line}");
        }
    }
    if let Some(retention) = settings.retention()? {
        // Name closes_at only where it is set: otherwise the days count
        // from each mail's arrival alone.
        match settings.intake.closes_at {
            Some(closes) => println!(
                "privacy: raw mail and answer history kept {} days after intake.closes_at ({}), or after their arrival when later",
                retention.days,
                closes.to_rfc3339()
            ),
            None => println!(
                "privacy: raw mail and answer history kept {} days after their arrival",
                retention.days
            ),
        }
    }
    Ok(())
}

/// What `check` says of the questions file against the version the last
/// mail we sent showed (`last`): the same, or each change that affects
/// applicants ([`crate::questions::diff`]), one per indented line; and,
/// when the file differs from a version this build can read, that
/// version and the changes, to count the applications they change.
fn compared(
    now: &QuestionSet,
    last: Option<&StoredVersion>,
) -> (Vec<String>, Option<(QuestionSet, Vec<Change>)>) {
    let Some(last) = last else {
        return (
            vec!["questions: no mail sent with recorded questions yet; nothing to compare".into()],
            None,
        );
    };
    let since = last
        .first_used_at
        .map(|t| format!(", in use since {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    if last.digest == now.digest() {
        return (
            vec![format!(
                "questions: as shown in the last mail sent (version {}{since})",
                last.id
            )],
            None,
        );
    }
    let file = std::path::Path::new("question_versions").join(last.id.to_string());
    let old = match QuestionSet::parse_stored(&last.questions, &file, now.languages()) {
        Ok(old) => old,
        Err(e) => {
            return (
                vec![format!(
                    "questions: changed since the last mail sent (version {}), which this build cannot read to compare: {e}",
                    last.id
                )],
                None,
            );
        }
    };
    let changes = crate::questions::diff::diff(&old, now);
    let mut out = vec![format!(
        "questions: changed since the last mail sent (version {}{since}): {}",
        last.id,
        match changes.len() {
            0 => "no change that asks more of applicants (wording, added choices or looser rules only)".to_string(),
            1 => "1 change for applicants (replies to earlier mail are read with the questions that mail showed):".to_string(),
            n => format!("{n} changes for applicants (replies to earlier mail are read with the questions that mail showed):"),
        }
    )];
    out.extend(changes.iter().map(|c| format!("  {c}")));
    // A rename is a removal plus an addition to the store: say so where
    // the prompts show it was meant as one question.
    for (from, to) in crate::questions::diff::likely_renames(&old, now) {
        out.push(format!(
            "  warning: `{from}` -> `{to}` looks like a renamed id (same prompt): answers stay under `{from}` (earlier questions) and applicants are asked `{to}` again; keep the id `{from}` to keep them"
        ));
    }
    (out, Some((old, changes)))
}

/// What `check` says of the stored applications under the changed file
/// ([`Impact`]): how many would change status, and for those turning
/// incomplete, each question that makes them so with the changes to it
/// (`changes`, the diff's) in words.
fn impact_lines(impact: &Impact, changes: &[Change]) -> Vec<String> {
    let incomplete = impact.assessed - impact.complete;
    if impact.to_incomplete == 0 && impact.to_complete == 0 {
        return vec![format!(
            "applications: no status would change under this file ({} complete, {incomplete} incomplete)",
            impact.complete
        )];
    }
    let applications = |n: usize| {
        if n == 1 {
            "application"
        } else {
            "applications"
        }
    };
    let mut out = Vec::new();
    if impact.to_incomplete > 0 {
        out.push(format!(
            "applications: {} of {} complete {} would become incomplete under this file:",
            impact.to_incomplete,
            impact.complete,
            applications(impact.complete)
        ));
        for cause in &impact.causes {
            let mut what = Vec::new();
            if cause.failing > 0 {
                what.push(match cause.failing {
                    1 => "1 answer would fail".to_string(),
                    n => format!("{n} answers would fail"),
                });
            }
            if cause.missing > 0 {
                what.push(format!("{} without an answer", cause.missing));
            }
            let why: Vec<String> = changes
                .iter()
                .filter(|c| c.id() == cause.id)
                .filter_map(Change::reason)
                .collect();
            let why = if why.is_empty() {
                String::new()
            } else {
                format!(": {}", why.join("; "))
            };
            out.push(format!(
                "  question {} (`{}`): {}{why}",
                cause.number,
                cause.id,
                what.join(", ")
            ));
        }
    }
    if impact.to_complete > 0 {
        out.push(format!(
            "applications: {} of {incomplete} incomplete {} would become complete under this file",
            impact.to_complete,
            applications(incomplete)
        ));
    }
    out
}

/// A call that closed already is most often last year's config copied:
/// everyone who writes now gets the closing notice.
fn closed_warning(closes_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<String> {
    let closed = closes_at.filter(|t| *t <= now)?;
    Some(format!(
        "warning: intake.closes_at ({}) is in the past: every mail now gets the closing notice and is listed for staff",
        closed.to_rfc3339()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions(ids: &[(&str, bool)]) -> QuestionSet {
        let text: String = ids
            .iter()
            .map(|(id, required)| {
                format!("[[question]]\nid = \"{id}\"\nprompt = \"{id}?\"\nrequired = {required}\n")
            })
            .collect();
        QuestionSet::parse(&text, std::path::Path::new("q.toml")).expect("questions")
    }

    fn stored(id: i64, q: &QuestionSet) -> StoredVersion {
        StoredVersion {
            id,
            digest: q.digest(),
            questions: q.source().to_string(),
            first_used_at: DateTime::parse_from_rfc3339("2026-05-01T12:00:00Z")
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        }
    }

    #[test]
    fn the_file_is_compared_with_the_last_version_shown() {
        let before = questions(&[("name", true), ("region", true), ("heard", false)]);
        let after = questions(&[
            ("name", true),
            ("email", true),
            ("home_region", true),
            ("heard", true),
        ]);
        assert_eq!(
            compared(&after, None).0,
            ["questions: no mail sent with recorded questions yet; nothing to compare"]
        );
        assert_eq!(
            compared(&before, Some(&stored(3, &before))).0,
            [
                "questions: as shown in the last mail sent (version 3, in use since 2026-05-01 12:00 UTC)"
            ]
        );
        assert_eq!(
            compared(&after, Some(&stored(3, &before))).0,
            [
                "questions: changed since the last mail sent (version 3, in use since 2026-05-01 12:00 UTC): 5 changes for applicants (replies to earlier mail are read with the questions that mail showed):",
                "  removed: `region` (was 2; its answers are kept and reported under earlier questions)",
                "  added: `email` (2, required)",
                "  added: `home_region` (3, required)",
                "  renumbered: `heard` 3 -> 4",
                "  newly required: `heard` (4; applications without it are incomplete)",
            ]
        );
        let mut unreadable = stored(4, &before);
        unreadable.questions = "[[question]]\nid = 1".into();
        unreadable.digest = "other".into();
        let (said, against) = compared(&after, Some(&unreadable));
        assert!(against.is_none());
        assert_eq!(said.len(), 1);
        assert!(
            said[0].starts_with("questions: changed since the last mail sent (version 4), which this build cannot read to compare: question_versions/4"),
            "{said:?}"
        );
    }

    /// French added to intake.languages mid-call: the version last
    /// mailed has no French text, and is compared in English alone.
    #[test]
    fn a_version_from_before_a_language_was_added_is_compared() {
        let langs = crate::lang::Languages::from_codes(&["en", "fr"]).expect("languages");
        let before = questions(&[("name", true)]);
        let after = QuestionSet::parse_for(
            "[[question]]\nid = \"name\"\nprompt.en = \"Name?\"\nprompt.fr = \"Nom ?\"\n\
             required = true\n[[question]]\nid = \"phone\"\nprompt.en = \"Phone?\"\n\
             prompt.fr = \"Téléphone ?\"\nrequired = true\n",
            std::path::Path::new("q.toml"),
            &langs,
        )
        .expect("questions");
        let (said, against) = compared(&after, Some(&stored(2, &before)));
        assert_eq!(said[1..], ["  added: `phone` (2, required)"], "{said:?}");
        assert!(against.is_some_and(|(old, _)| old.len() == 1));
    }

    #[test]
    fn the_applications_a_change_affects_are_counted_in_words() {
        let changes = crate::questions::diff::diff(
            &questions(&[("name", true), ("motivation", true)]),
            &questions(&[("name", true), ("motivation", true), ("phone", true)]),
        );
        let cause = |id: &str, number, missing, failing| crate::domain::Cause {
            id: id.into(),
            number,
            missing,
            failing,
        };
        let lines = |impact: Impact| impact_lines(&impact, &changes);
        assert_eq!(
            lines(Impact {
                assessed: 5,
                complete: 3,
                ..Impact::default()
            }),
            ["applications: no status would change under this file (3 complete, 2 incomplete)"]
        );
        assert_eq!(
            lines(Impact {
                assessed: 4,
                complete: 3,
                to_incomplete: 2,
                to_complete: 1,
                causes: vec![cause("name", 1, 0, 1), cause("phone", 3, 2, 0)],
            }),
            [
                "applications: 2 of 3 complete applications would become incomplete under this file:",
                "  question 1 (`name`): 1 answer would fail",
                "  question 3 (`phone`): 2 without an answer: a new required question",
                "applications: 1 of 1 incomplete application would become complete under this file",
            ]
        );
    }

    #[test]
    fn only_a_past_closing_time_warns() {
        let now = DateTime::parse_from_rfc3339("2026-05-01T12:00:00Z")
            .expect("time")
            .with_timezone(&Utc);
        let day = chrono::Duration::days(1);
        assert_eq!(closed_warning(None, now), None);
        assert_eq!(closed_warning(Some(now + day), now), None);
        let warning = closed_warning(Some(now - day), now).expect("past");
        assert!(
            warning.starts_with(
                "warning: intake.closes_at (2026-04-30T12:00:00+00:00) is in the past"
            ),
            "{warning}"
        );
    }
}
