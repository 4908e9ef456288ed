//! The `mailintake` command line.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use mailintake::config::Config;
use mailintake::mailbox::{ImapMailbox, Source};
use mailintake::outbox::SmtpTransport;
use mailintake::report::{Format, Report};
use mailintake::{compose::Composer, daemon};
use tracing_subscriber::EnvFilter;

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
        /// Output file; standard output when absent.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Validate the configuration and reach IMAP, SMTP and the database.
    Check,
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
    // async-imap logs (through the `log` crate) every command it sends at
    // trace level, LOGIN with its password included: records from `log`
    // are bridged at debug level at most, whatever RUST_LOG asks for.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .finish();
    let _ = tracing::subscriber::set_global_default(subscriber);
    let _ = tracing_log::LogTracer::builder()
        .with_max_level(tracing_log::log::LevelFilter::Debug)
        .init();
    let cli = Cli::parse();
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
            eprintln!("mailintake: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    if let Command::Explain {
        mail,
        questions,
        json,
    } = &cli.command
    {
        return explain(&cli.config, mail, questions.as_deref(), *json);
    }
    let config = Config::load(&cli.config)?;
    match cli.command {
        Command::Questions => {
            let templates =
                mailintake::render::Templates::load(config.intake.templates_dir.as_deref())?;
            let composer = Composer {
                config: &config,
                templates: &templates,
            };
            print!("{}", composer.questions_text(None, false)?);
            Ok(())
        }
        Command::Check => check(config).await,
        Command::Status { json } => {
            let pipeline = mailintake::open(config).await?;
            let midnight = chrono::Utc::now()
                .date_naive()
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or_else(chrono::Utc::now);
            let c = pipeline.store.counts(midnight).await?;
            if json {
                println!("{}", serde_json::to_string(&c)?);
            } else {
                println!("mail received today (UTC): {}", c.received_since);
                println!("applications new today (UTC): {}", c.applications_since);
                println!("applications: {}", c.applications);
                println!("replies pending: {}", c.replies_pending);
                println!("waiting for staff: {}", c.waiting_for_staff);
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
            let pipeline = mailintake::open(config).await?;
            pipeline
                .store
                .backup(&file)
                .await
                .with_context(|| format!("backup to {}", file.display()))?;
            println!("backup: {}", file.display());
            Ok(())
        }
        Command::Explain { .. } => Ok(()),
        Command::Report { format, output } => {
            let pipeline = mailintake::open(config).await?;
            let report = Report::load(&pipeline.store, &pipeline.config.questions).await?;
            let text = match format {
                Format::Json => report.json()?,
                Format::Csv => report.csv(&pipeline.config.questions)?,
                Format::Html => report.html(
                    &pipeline.config.intake.name,
                    &pipeline.config.questions,
                    &pipeline.templates,
                )?,
            };
            match output {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
            Ok(())
        }
        Command::Once => {
            let transport = SmtpTransport::new(&config.smtp)?;
            let mut mailbox = ImapMailbox::new(config.imap.clone());
            let pipeline = mailintake::open(config).await?;
            let report = daemon::cycle(&pipeline, &mut mailbox, &transport).await;
            mailbox.logout().await;
            let report = report?;
            tracing::info!(
                processed = report.processed,
                sent = report.flushed.sent,
                "cycle done"
            );
            if report.flushed.deferred > 0 {
                bail!(
                    "{} repl{} could not be sent yet; they stay queued for the next run",
                    report.flushed.deferred,
                    if report.flushed.deferred == 1 {
                        "y"
                    } else {
                        "ies"
                    }
                );
            }
            Ok(())
        }
        Command::Run => {
            let transport = SmtpTransport::new(&config.smtp)?;
            let mut mailbox = ImapMailbox::new(config.imap.clone());
            let poll = Duration::from_secs(config.intake.poll_seconds);
            let pipeline = mailintake::open(config).await?;
            tracing::info!(mailbox = %pipeline.config.imap.mailbox, poll_s = poll.as_secs(), "mailintake running");
            daemon::run(&pipeline, &mut mailbox, &transport, poll, shutdown_signal()).await;
            mailbox.logout().await;
            Ok(())
        }
    }
}

async fn check(config: Config) -> anyhow::Result<()> {
    println!(
        "config: {} ok ({} questions)",
        config.file.display(),
        config.questions.len()
    );
    let transport = SmtpTransport::new(&config.smtp)?;
    let mut mailbox = ImapMailbox::new(config.imap.clone());
    let imap_desc = format!(
        "{}:{} mailbox {}",
        config.imap.host, config.imap.port, config.imap.mailbox
    );
    let smtp_desc = format!("{}:{}", config.smtp.host, config.smtp.port);
    let pipeline = mailintake::open(config).await.context("database")?;
    pipeline.store.ping().await.context("database")?;
    println!("database: ok");
    mailbox
        .open()
        .await
        .with_context(|| format!("imap {imap_desc}"))?;
    mailbox.logout().await;
    println!("imap: {imap_desc} ok");
    if !transport
        .test_connection()
        .await
        .with_context(|| format!("smtp {smtp_desc}"))?
    {
        bail!("smtp {smtp_desc}: the server did not answer");
    }
    println!("smtp: {smtp_desc} ok");
    Ok(())
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
}

/// A configuration for reading mail with `questions` and the built-in
/// templates only: no server, database or secret in it is ever used.
fn standalone_config(questions: &std::path::Path) -> anyhow::Result<Config> {
    let dir = std::env::current_dir()?;
    let questions = dir.join(questions);
    let text = format!(
        "[intake]\naddress = \"team@example.invalid\"\nname = \"the team\"\nquestions = {q}\n\
         [imap]\nhost = \"localhost\"\nusername = \"unused\"\npassword = \"unused\"\n\
         [smtp]\nhost = \"localhost\"\n[database]\nurl = \"sqlite::memory:\"\n",
        q = toml::Value::String(questions.display().to_string())
    );
    Ok(Config::from_str_at(
        &text,
        &dir.join("explain.toml"),
        &|_| None,
    )?)
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
    let (extractor, team) = match questions {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read {}", file.display()))?;
            let set = mailintake::questions::QuestionSet::parse(&text, file)?;
            match Config::load(config_file) {
                Ok(mut config) => {
                    config.questions = set;
                    let templates = mailintake::render::Templates::load(
                        config.intake.templates_dir.as_deref(),
                    )?;
                    let team = config.intake.address.clone();
                    (mailintake::extractor(&config, &templates)?, team)
                }
                // No configuration: our mails as the built-in templates
                // write them, so a pasted copy of them is still known.
                Err(_) => {
                    let config = standalone_config(file)?;
                    let templates = mailintake::render::Templates::load(None)?;
                    (mailintake::extractor(&config, &templates)?, String::new())
                }
            }
        }
        None => {
            let config = Config::load(config_file)?;
            let templates =
                mailintake::render::Templates::load(config.intake.templates_dir.as_deref())?;
            let team = config.intake.address.clone();
            (mailintake::extractor(&config, &templates)?, team)
        }
    };
    let explanation = mailintake::explain::explain(&raw, &extractor, &team)
        .with_context(|| format!("{} is not a mail that can be read", mail.display()))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&explanation)?);
    } else {
        print!("{}", explanation.text());
    }
    Ok(())
}
