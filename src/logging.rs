//! Logs to standard error, as text for a person or as JSON lines for a log
//! collector; `RUST_LOG` sets the level (default `info`).

use tracing_subscriber::EnvFilter;

/// How log records are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per record, coloured on a terminal.
    #[default]
    Text,
    /// One JSON object per line: `timestamp`, `level`, `message`, the
    /// record's fields, `target`.
    Json,
}

/// Installs the process-wide logger. Call once, first thing.
pub fn init(format: LogFormat) {
    // sqlx's own lines (PostgreSQL notices such as "relation already
    // exists, skipping" at each start) are noise unless asked for.
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // Only the first logger set counts; a second call changes nothing.
    let _ = match format {
        LogFormat::Text => tracing::subscriber::set_global_default(
            builder
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .finish(),
        ),
        LogFormat::Json => tracing::subscriber::set_global_default(
            // Fields beside `message`, not nested: what collectors index.
            builder.json().flatten_event(true).finish(),
        ),
    };
    // async-imap logs (through the `log` crate) every command it sends at
    // trace level, LOGIN with its password included: records from `log`
    // are bridged at debug level at most, whatever RUST_LOG asks for.
    let _ = tracing_log::LogTracer::builder()
        .with_max_level(tracing_log::log::LevelFilter::Debug)
        .init();
}
