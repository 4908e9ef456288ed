//! `report`: the staff report, with the files an HTML report links
//! written beside it.

use std::path::Path;

use anyhow::{Context, bail};
use secrecy::ExposeSecret;

use crate::config::Settings;
use crate::render::Templates;
use crate::report::{self, Format, Report};

/// Writes the report in `format` to `output` (standard output when
/// `None`); `excel` (CSV only) starts it with a UTF-8 byte-order mark.
pub async fn report(
    config_file: &Path,
    format: Format,
    output: Option<&Path>,
    excel: bool,
) -> anyhow::Result<()> {
    if excel && format != Format::Csv {
        bail!("--excel is for --format csv only");
    }
    let settings = Settings::load(config_file)?;
    let templates = Templates::load(settings.intake.templates_dir.as_deref())?;
    let store = crate::open_store(&settings, settings.database_url()?.expose_secret()).await?;
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
        Format::Html => report.html(&settings.intake.name, &settings.questions, &templates)?,
    };
    match output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(())
}
