//! The commands on stored data: `status`, `backup`, `export`,
//! `attachment`, `erase` and `purge`.

use std::path::Path;

use anyhow::{Context, bail};
use secrecy::ExposeSecret;

use super::settings_and_store;
use crate::config::Settings;
use crate::daemon;

/// `status`: counts from the database, as text or (`json`) one JSON
/// object.
pub async fn status(config_file: &Path, json: bool) -> anyhow::Result<()> {
    let (_, store) = settings_and_store(config_file).await?;
    let midnight = chrono::Utc::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_else(chrono::Utc::now);
    let c = store.counts(midnight).await?;
    if json {
        println!("{}", serde_json::to_string(&c)?);
    } else {
        println!("mail received today (UTC): {}", c.received_since);
        println!("applications new today (UTC): {}", c.applications_since);
        println!("applications: {}", c.applications);
        println!("replies pending: {}", c.replies_pending);
        println!("waiting for staff: {}", c.waiting_for_staff);
        println!(
            "backlog (older than the first start's window): {}",
            c.backlog
        );
    }
    Ok(())
}

/// `backup`: a consistent copy of the live SQLite database to `file`,
/// which must not exist.
pub async fn backup(config_file: &Path, file: &Path) -> anyhow::Result<()> {
    if file.exists() {
        bail!(
            "{} exists already; backup writes a new file",
            file.display()
        );
    }
    let (_, store) = settings_and_store(config_file).await?;
    store
        .backup(file)
        .await
        .with_context(|| format!("backup to {}", file.display()))?;
    println!("backup: {}", file.display());
    Ok(())
}

/// `export`: everything stored about `email`, as JSON on standard output.
pub async fn export(config_file: &Path, email: &str) -> anyhow::Result<()> {
    let (settings, store) = settings_and_store(config_file).await?;
    let export = crate::privacy::export(&store, address(email)?, chrono::Utc::now())
        .await?
        .standing(&settings.questions);
    if export.is_empty() {
        eprintln!("nothing is stored about {}", export.email);
    }
    println!("{}", serde_json::to_string_pretty(&export)?);
    Ok(())
}

/// `attachment`: the stored file `id` written to `output`, byte for byte;
/// an existing `output` only with `force`.
pub async fn attachment(
    config_file: &Path,
    id: i64,
    output: &Path,
    force: bool,
) -> anyhow::Result<()> {
    let (_, store) = settings_and_store(config_file).await?;
    let (row, bytes) = store.file_bytes(id).await?;
    write_new(output, &bytes, force)?;
    println!(
        "file {id} ({}, {} bytes, {} from {}) written to {}",
        row.name,
        row.size,
        row.kind.as_str(),
        row.email,
        output.display()
    );
    Ok(())
}

/// `purge`: raw mail and answer history past `privacy.retention_days`.
pub async fn purge(config_file: &Path) -> anyhow::Result<()> {
    let settings = Settings::load(config_file)?;
    let retention = settings.retention_required()?;
    let store = crate::open_store(&settings, settings.database_url()?.expose_secret()).await?;
    let closes_at = settings.intake.closes_at;
    let now = chrono::Utc::now();
    if retention.cutoff(closes_at, now).is_none() {
        println!(
            "nothing to purge yet: privacy.retention_days ({}) counts from intake.closes_at ({})",
            retention.days,
            closes_at.map_or_else(String::new, |c| c.to_rfc3339())
        );
        return Ok(());
    }
    let purged = daemon::retention::purge_due(&store, retention, closes_at, now).await?;
    println!("purged: {purged}");
    Ok(())
}

/// Writes `bytes` to `path`, mode 0600 (an applicant's file); an existing
/// `path` only with `force`.
fn write_new(path: &std::path::Path, bytes: &[u8], force: bool) -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt;
    let mut open = std::fs::OpenOptions::new();
    open.write(true).mode(0o600);
    if force {
        open.create(true).truncate(true);
    } else {
        open.create_new(true);
    }
    let mut file = open.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!("{} exists; give --force to overwrite it", path.display())
        } else {
            anyhow::anyhow!("cannot write {}: {e}", path.display())
        }
    })?;
    file.write_all(bytes)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// The address `--email` gives, trimmed; an error when it is none.
fn address(email: &str) -> anyhow::Result<&str> {
    let email = email.trim();
    if email.parse::<lettre::Address>().is_err() {
        bail!("--email: `{email}` is not an email address");
    }
    Ok(email)
}

/// `erase`: everything stored about `email`; with `yes` at once,
/// otherwise it says what would go and asks, on a terminal only (a script
/// must say `--yes`).
pub async fn erase(config_file: &Path, email: &str, yes: bool) -> anyhow::Result<()> {
    let (_, store) = settings_and_store(config_file).await?;
    erase_from(&store, address(email)?, yes).await
}

async fn erase_from(store: &crate::store::Store, email: &str, yes: bool) -> anyhow::Result<()> {
    use std::io::{BufRead, IsTerminal, Write};
    if !yes {
        let preview = store.erase_preview(email).await?;
        if preview.is_empty() {
            println!("nothing is stored about {email}: nothing to erase");
            return Ok(());
        }
        println!("{email}: would erase {preview}");
        if !std::io::stdin().is_terminal() {
            bail!(
                "not erased: standard input is not a terminal to confirm on; run again with --yes to erase"
            );
        }
        print!("Erase all of it? It cannot be undone. [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            println!("not erased");
            return Ok(());
        }
    }
    let erased = store.erase(email).await?;
    if erased.is_empty() {
        println!("nothing is stored about {email}: nothing to erase");
    } else {
        println!("{email}: erased {erased}");
    }
    Ok(())
}
