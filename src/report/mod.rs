//! The staff report: every application and every mail that needs a person.
//!
//! [`Report::load`] gathers it from the store (`model`); it is written as
//! JSON (the model itself), CSV (`csv`) or HTML (`html`), with copies of
//! the stored files beside an HTML report (`copies`).

mod copies;
mod csv;
mod html;
mod model;
#[cfg(test)]
mod tests;

use crate::render::RenderError;
use crate::store::StoreError;

pub use self::csv::{UTF8_BOM, spreadsheet_safe};
pub use self::model::{Application, AttentionItem, EarlierAnswer, FileRef, Report};

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("report: {0}")]
    Write(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Html,
}

impl Report {
    /// The report as pretty-printed JSON: [`Report`]'s fields, as named there.
    ///
    /// # Errors
    /// [`ReportError::Write`] if serialising fails.
    pub fn json(&self) -> Result<String, ReportError> {
        serde_json::to_string_pretty(self).map_err(|e| ReportError::Write(e.to_string()))
    }
}
