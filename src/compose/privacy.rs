//! What the question mail's privacy line may truthfully say: where this
//! deployment keeps an applicant's answers and files, where copies of our
//! replies go, and when anything is deleted. Facts from the settings
//! into the template context; the wording is the templates'.

use tera::Context;

use crate::config::Settings;
use crate::questions::Kind;

/// Puts the facts into `ctx`: `team_address`, `database` (`sqlite`,
/// `postgres` or none) and `database_host`; `files_on_disk` (files
/// attached to a file question go to `[files] directory`, not the
/// database); `copy_to` (`smtp.delivery_copy` names an address other
/// than the team's); `retention_days` (`privacy.retention_days`, none
/// when everything is kept).
pub(super) fn facts(settings: &Settings, ctx: &mut Context) {
    ctx.insert("team_address", &settings.intake.address);
    let storage = settings.storage();
    ctx.insert("database", &storage.as_ref().map(|s| s.kind()));
    ctx.insert("database_host", &storage.as_ref().and_then(|s| s.host()));
    let file_questions = settings.questions.iter().any(|q| q.kind == Kind::File);
    ctx.insert(
        "files_on_disk",
        &(file_questions && settings.files_dir.is_some()),
    );
    ctx.insert("copy_to", &settings.delivery_copy_elsewhere());
    // A broken key is refused by every command that reads it; a mail
    // never claims what is not configured.
    let days = settings.retention().ok().flatten().map(|r| r.days);
    ctx.insert("retention_days", &days);
}
