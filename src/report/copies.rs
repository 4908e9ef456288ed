//! Copies of the stored files beside an HTML report, for its links.

use std::path::Path;

use super::{Report, ReportError};
use crate::store::Store;

impl Report {
    /// Writes every current stored file into `dir` (created 0700) as
    /// `ID.TYPE`, mode 0600, for the HTML report's links; a file already
    /// there is written again, and a copy written earlier of a file no
    /// longer current (replaced, erased, purged) is removed. Returns how
    /// many were written.
    ///
    /// # Errors
    /// A file that cannot be had from the store or written.
    pub async fn write_files(&self, store: &Store, dir: &Path) -> Result<usize, ReportError> {
        use std::io::Write;
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let ids: Vec<i64> = self
            .applications
            .iter()
            .flat_map(|a| a.files.values().map(|f| f.id))
            .collect();
        let fail = |e: &dyn std::fmt::Display| ReportError::Write(e.to_string());
        // Earlier copies of ours (`ID.TYPE`) that are no longer current.
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let stale = name.split_once('.').is_some_and(|(id, kind)| {
                    crate::files::FileType::parse(kind).is_some()
                        && id.parse::<i64>().is_ok_and(|id| !ids.contains(&id))
                });
                if stale {
                    std::fs::remove_file(entry.path())
                        .map_err(|e| fail(&format!("cannot remove {name}: {e}")))?;
                }
            }
        }
        if ids.is_empty() {
            return Ok(0);
        }
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| fail(&format!("cannot create {}: {e}", dir.display())))?;
        for &id in &ids {
            let (row, bytes) = store.file_bytes(id).await.map_err(|e| fail(&e))?;
            let path = dir.join(format!("{id}.{}", row.kind.as_str()));
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&path)
                .and_then(|mut f| f.write_all(&bytes).map(|()| f));
            if let Err(e) = f.as_mut() {
                return Err(fail(&format!("cannot write {}: {e}", path.display())));
            }
        }
        Ok(ids.len())
    }
}
