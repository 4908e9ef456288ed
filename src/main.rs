//! The `mailintake` command line.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mailintake::config::{Config, Settings};
use mailintake::logging::LogFormat;
use mailintake::report::Format;
use mailintake::{check, commands};

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

/// Each command is a function of [`mailintake::commands`]; each loads only
/// the tables it uses: `questions`, `explain`, `report` and `check
/// --offline` need no mail server or secret.
async fn dispatch(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config.as_path();
    match cli.command {
        Command::Explain {
            mail,
            questions,
            json,
        } => commands::explain(config, &mail, questions.as_deref(), json),
        Command::Questions => commands::questions(config),
        Command::Check { offline: true } => check::offline(&Settings::load(config)?).await,
        Command::Check { offline: false } => check::online(&Config::load(config)?).await,
        Command::Status { json } => commands::status(config, json).await,
        Command::Backup { file } => commands::backup(config, &file).await,
        Command::Export { email } => commands::export(config, &email).await,
        Command::Attachment { id, output, force } => {
            commands::attachment(config, id, &output, force).await
        }
        Command::Erase { email, yes } => commands::erase(config, &email, yes).await,
        Command::Purge => commands::purge(config).await,
        Command::Report {
            format,
            output,
            excel,
        } => commands::report(config, format, output.as_deref(), excel).await,
        Command::Once => commands::once(config).await,
        Command::Run => commands::run(config).await,
    }
}
