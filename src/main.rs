//! The `mailintake` command line.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use mailintake::config::{Config, Settings};
use mailintake::logging::LogFormat;
use mailintake::mailbox::ImapMailbox;
use mailintake::outbox::{FlushError, SmtpTransport};
use mailintake::render::Templates;
use mailintake::report::{self, Format, Report};
use mailintake::{check, compose::Composer, daemon, notify};
use secrecy::ExposeSecret;

#[derive(Debug, Parser)]
#[command(
    name = "mailintake",
    version,
    about = "Take applications by plain email."
)]
struct Cli {
    /// Configuration file.
    #[arg(
        long,
        short,
        env = "MAILINTAKE_CONFIG",
        default_value = "mailintake.toml",
        global = true
    )]
    config: PathBuf,
    /// How log records are written to standard error: `text`, or `json`,
    /// one object per line, for a log collector.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Process the mailbox continuously until SIGTERM or SIGINT.
    Run,
    /// One full cycle: fetch everything new, process it, send every reply.
    Once,
    /// Write the staff report.
    Report {
        #[arg(long, value_enum, default_value = "html")]
        format: Format,
        /// Output file; standard output when absent. HTML: the files
        /// applicants attached are written beside it, into the folder
        /// FILE's name with `-files` (`report.html` → `report-files/`),
        /// and linked.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// CSV only: start with a UTF-8 byte-order mark, so that Excel
        /// reads the file as UTF-8.
        #[arg(long)]
        excel: bool,
    },
    /// Validate the configuration, the questions file, the templates and
    /// the database, then log in to IMAP and reach SMTP.
    Check {
        /// Contact no mail server: needs no [imap] or [smtp] table, and
        /// reads none of their passwords.
        #[arg(long)]
        offline: bool,
    },
    /// Counts from the database, for monitoring: mail and applications new
    /// today (UTC), replies waiting to be sent, mails waiting for staff.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write a consistent copy of the live SQLite database to FILE (which
    /// must not exist), while the daemon runs. PostgreSQL: use pg_dump.
    Backup {
        /// Where to write the copy.
        file: PathBuf,
    },
    /// Print as JSON everything stored about one address: its application,
    /// every version of its answers, every mail from it (raw) and our
    /// replies to it. With nothing stored, the same shape, empty.
    Export {
        /// The applicant's address (any case).
        #[arg(long)]
        email: String,
    },
    /// Erase everything stored about one address, leaving only keyed
    /// hashes so that its old mail is never processed again. Without
    /// --yes, says what would go and asks (on a terminal only).
    Erase {
        /// The applicant's address (any case).
        #[arg(long)]
        email: String,
        /// Erase without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Write one file an applicant attached (its id is in the report) to
    /// FILE, byte for byte. Refuses to overwrite an existing FILE unless
    /// --force is given.
    Attachment {
        /// The file's id, as the report shows it.
        id: i64,
        /// Where to write it.
        #[arg(long, short)]
        output: PathBuf,
        /// Overwrite FILE when it exists.
        #[arg(long)]
        force: bool,
    },
    /// Purge raw mail and answer history past privacy.retention_days, as
    /// `run` does every hour.
    Purge,
    /// Print the question mail exactly as applicants get it.
    Questions,
    /// Show how one mail file is read: robot verdict, the part read, each
    /// cut, each answer, and what is marked `check`. Needs no server and
    /// no database; with `--questions`, not even a configuration.
    Explain {
        /// The mail, as a raw RFC 5322 file (`.eml`).
        mail: PathBuf,
        /// A questions file to read it with, instead of the configured one.
        #[arg(long)]
        questions: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_format = cli.log_format;
    mailintake::logging::init(log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mailintake: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let message = mailintake::errors::describe(e.as_ref());
            match log_format {
                LogFormat::Text => eprintln!("mailintake: {message}"),
                // A collector reading JSON lines gets this one as JSON too.
                LogFormat::Json => tracing::error!("{message}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// Each command loads only the tables it uses: `questions`, `explain`,
/// `report` and `check --offline` need no mail server or secret.
async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Explain {
            mail,
            questions,
            json,
        } => explain(&cli.config, &mail, questions.as_deref(), json),
        Command::Questions => {
            let settings = Settings::load(&cli.config)?;
            let templates = Templates::load(settings.intake.templates_dir.as_deref())?;
            let composer = Composer {
                config: &settings,
                templates: &templates,
                lang: settings.intake.languages.default_lang(),
            };
            // The mail in each configured language, the default first.
            for (i, lang) in settings.intake.languages.iter().enumerate() {
                if i > 0 {
                    println!("\n==== {lang} ====\n");
                }
                print!("{}", composer.in_lang(lang).questions_text(None, false)?);
            }
            Ok(())
        }
        Command::Check { offline: true } => check::offline(&Settings::load(&cli.config)?).await,
        Command::Check { offline: false } => check::online(&Config::load(&cli.config)?).await,
        Command::Status { json } => {
            let settings = Settings::load(&cli.config)?;
            let store =
                mailintake::open_store(&settings, settings.database_url()?.expose_secret()).await?;
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
        Command::Backup { file } => {
            if file.exists() {
                bail!(
                    "{} exists already; backup writes a new file",
                    file.display()
                );
            }
            let settings = Settings::load(&cli.config)?;
            let store =
                mailintake::open_store(&settings, settings.database_url()?.expose_secret()).await?;
            store
                .backup(&file)
                .await
                .with_context(|| format!("backup to {}", file.display()))?;
            println!("backup: {}", file.display());
            Ok(())
        }
        Command::Export { email } => {
            let settings = Settings::load(&cli.config)?;
            let store =
                mailintake::open_store(&settings, settings.database_url()?.expose_secret()).await?;
            let export = mailintake::privacy::export(&store, address(&email)?, chrono::Utc::now())
                .await?
                .standing(&settings.questions);
            if export.is_empty() {
                eprintln!("nothing is stored about {}", export.email);
            }
            println!("{}", serde_json::to_string_pretty(&export)?);
            Ok(())
        }
        Command::Attachment { id, output, force } => {
            let settings = Settings::load(&cli.config)?;
            let store =
                mailintake::open_store(&settings, settings.database_url()?.expose_secret()).await?;
            let (row, bytes) = store.file_bytes(id).await?;
            write_new(&output, &bytes, force)?;
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
        Command::Erase { email, yes } => {
            let settings = Settings::load(&cli.config)?;
            let store =
                mailintake::open_store(&settings, settings.database_url()?.expose_secret()).await?;
            erase(&store, address(&email)?, yes).await
        }
        Command::Purge => {
            let settings = Settings::load(&cli.config)?;
            let retention = settings.retention_required()?;
            let store =
                mailintake::open_store(&settings, settings.database_url()?.expose_secret()).await?;
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
        Command::Report {
            format,
            output,
            excel,
        } => {
            if excel && format != Format::Csv {
                bail!("--excel is for --format csv only");
            }
            let settings = Settings::load(&cli.config)?;
            let templates = Templates::load(settings.intake.templates_dir.as_deref())?;
            let store =
                mailintake::open_store(&settings, settings.database_url()?.expose_secret()).await?;
            let mut report = Report::load(&store, &settings.questions).await?;
            // Beside an HTML report on disk: the files it links.
            if let (Format::Html, Some(path)) = (format, &output) {
                let stem = path
                    .file_stem()
                    .map_or_else(|| "report".into(), |s| s.to_string_lossy().into_owned());
                let folder = format!("{stem}-files");
                let dir = path
                    .parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join(&folder);
                report.write_files(&store, &dir).await?;
                report.files_href = Some(folder);
            }
            let text = match format {
                Format::Json => report.json()?,
                Format::Csv if excel => {
                    format!("{}{}", report::UTF8_BOM, report.csv(&settings.questions)?)
                }
                Format::Csv => report.csv(&settings.questions)?,
                Format::Html => {
                    report.html(&settings.intake.name, &settings.questions, &templates)?
                }
            };
            match output {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(())
        }
        Command::Once => {
            let config = Config::load(&cli.config)?;
            for warning in config.warnings() {
                tracing::warn!("{warning}");
            }
            let transport = SmtpTransport::for_replies(&config)?;
            let mut mailbox = ImapMailbox::new(config.imap.clone());
            let pipeline = mailintake::open(config).await?;
            let report = daemon::cycle(&pipeline, &mut mailbox, &transport).await;
            mailbox.logout().await;
            let report = match report {
                Ok(r) => r,
                Err(daemon::CycleError::Flush(FlushError::Transport { error, unsent })) => {
                    bail!(
                        "{error}; {} could not be sent yet; {} queued for the next run",
                        replies(unsent),
                        if unsent == 1 { "it stays" } else { "they stay" }
                    )
                }
                Err(e) => return Err(e.into()),
            };
            tracing::info!(
                processed = report.processed,
                sent = report.flushed.sent,
                "cycle done"
            );
            if report.flushed.in_doubt > 0 {
                tracing::info!(
                    replies = report.flushed.in_doubt,
                    "replies cut off mid-send wait for their delivery copy; the next run sends them again if none came"
                );
            }
            // Deferred now or earlier and not due yet: both wait.
            let waiting = report.flushed.deferred + report.flushed.waiting;
            if waiting > 0 {
                bail!(
                    "{} could not be sent yet; they stay queued for the next run",
                    replies(waiting)
                );
            }
            Ok(())
        }
        Command::Run => {
            let config = Config::load(&cli.config)?;
            for warning in config.warnings() {
                tracing::warn!("{warning}");
            }
            let transport = SmtpTransport::for_replies(&config)?;
            let mut mailbox = ImapMailbox::new(config.imap.clone());
            let poll = config.intake.poll;
            let retention = config.retention()?;
            let closes_at = config.intake.closes_at;
            let pipeline = mailintake::open(config).await?;
            if let Some(retention) = retention {
                tokio::spawn(daemon::retention::keep(
                    pipeline.store.clone(),
                    retention,
                    closes_at,
                ));
            }
            // How new mail is waited for: the poll interval is only a
            // fallback under IDLE (the mailbox says when the server lacks it).
            let imap = &pipeline.config().imap;
            if imap.idle {
                let fallback_poll_s = poll.as_secs_f64();
                tracing::info!(mailbox = %imap.mailbox, wait = "idle", fallback_poll_s, "mailintake running");
            } else {
                tracing::info!(mailbox = %imap.mailbox, wait = "poll", poll_s = poll.as_secs_f64(), "mailintake running");
            }
            notify::ready();
            // A healthy turn takes at most a poll interval (or an IDLE
            // renewal's share of it) plus its network steps.
            let stall = poll.max(Duration::from_secs(60))
                + pipeline.config().imap.timeout * 4
                + pipeline.config().smtp.timeout * 2;
            tokio::spawn(notify::keep_alive(stall));
            let ran =
                daemon::run(&pipeline, &mut mailbox, &transport, poll, shutdown_signal()).await;
            mailbox.logout().await;
            Ok(ran?)
        }
    }
}

/// The address `--email` gives, trimmed; an error when it is none.
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

fn address(email: &str) -> anyhow::Result<&str> {
    let email = email.trim();
    if email.parse::<lettre::Address>().is_err() {
        bail!("--email: `{email}` is not an email address");
    }
    Ok(email)
}

/// `erase`: with `--yes` at once; otherwise it says what would go and
/// asks, on a terminal only (a script must say `--yes`).
async fn erase(store: &mailintake::store::Store, email: &str, yes: bool) -> anyhow::Result<()> {
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

/// "1 reply", "2 replies".
fn replies(n: usize) -> String {
    if n == 1 {
        "1 reply".into()
    } else {
        format!("{n} replies")
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    // systemd shows the unit as stopping while the daemon drains.
    notify::stopping();
}

/// `explain`: with `--questions`, the configuration is used when it loads
/// (for the text of our own mails) and not needed when it does not.
fn explain(
    config_file: &std::path::Path,
    mail: &std::path::Path,
    questions: Option<&std::path::Path>,
    json: bool,
) -> anyhow::Result<()> {
    let raw = std::fs::read(mail).with_context(|| format!("cannot read {}", mail.display()))?;
    let settings = match questions {
        // The file read with the configured languages, templates and team.
        Some(file) => match Settings::load_with_questions(config_file, file) {
            Ok(settings) => settings,
            Err(mailintake::config::ConfigError::Read { reason, .. })
                if reason.kind() == std::io::ErrorKind::NotFound =>
            {
                // No configuration: English alone, and our mails as the
                // built-in templates write them, so that a pasted copy of
                // them is still known.
                let text = std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let set = match mailintake::questions::QuestionSet::parse(&text, file) {
                    Ok(set) => set,
                    Err(e) if mailintake::questions::QuestionSet::holds_translations(&text) => {
                        bail!(
                            "{e}; {} holds texts per language, which are read with the languages of intake.languages, and there is no configuration at {}: give it with --config",
                            file.display(),
                            config_file.display()
                        )
                    }
                    Err(e) => return Err(e.into()),
                };
                Settings::without_file(set)
            }
            Err(e) => return Err(e.into()),
        },
        None => Settings::load(config_file)?,
    };
    let templates = Templates::load(settings.intake.templates_dir.as_deref())?;
    let extractor = mailintake::extractor(&settings, &templates)?;
    let team = &settings.intake.address;
    let explanation = mailintake::explain::explain(&raw, &extractor, team)
        .with_context(|| format!("{} is not a mail that can be read", mail.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&explanation)?);
    } else {
        print!("{}", explanation.text());
    }
    Ok(())
}
