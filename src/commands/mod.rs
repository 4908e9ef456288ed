//! The commands of the `mailintake` binary, each a function over the
//! library: `main.rs` reads the command line and calls one. Each loads
//! only the tables it uses: `questions`, `explain`, `report` and `check
//! --offline` need no mail server or secret.

mod data;
mod mailbox;
mod report;
mod texts;

use std::path::Path;

use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::store::Store;

pub use self::data::{attachment, backup, erase, export, purge, status};
pub use self::mailbox::{once, run};
pub use self::report::report;
pub use self::texts::{explain, questions};

/// The settings in `config_file` and the store their `database.url`
/// names, opened (migrated).
///
/// # Errors
/// The configuration cannot be loaded, or the store cannot be opened.
async fn settings_and_store(config_file: &Path) -> anyhow::Result<(Settings, Store)> {
    let settings = Settings::load(config_file)?;
    let store = crate::open_store(&settings, settings.database_url()?.expose_secret()).await?;
    Ok((settings, store))
}
