//! Files kept in a directory (`[files] directory`) instead of the
//! database: written whole or not at all, readable by the daemon's user
//! only, under a name of ours.

use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use super::kind::FileType;

/// Writes `bytes` into `dir` (created 0700 when missing) as a new file
/// `<random UUID>.<type>`, mode 0600: first under a temporary name, synced,
/// then renamed, and the directory synced, so that a crash leaves either
/// the whole file or none under the final name. The applicant's name for
/// the file is never used on disk. Returns the absolute path.
///
/// # Errors
/// The I/O error, with the path it concerns.
pub fn write(dir: &Path, kind: FileType, bytes: &[u8]) -> Result<PathBuf, String> {
    let io = |what: &str, p: &Path, e: std::io::Error| format!("{what} {}: {e}", p.display());
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|e| io("cannot create", dir, e))?;
    let dir = std::fs::canonicalize(dir).map_err(|e| io("cannot open", dir, e))?;
    let id = uuid::Uuid::new_v4();
    let tmp = dir.join(format!(".{id}.tmp"));
    let path = dir.join(format!("{id}.{}", kind.as_str()));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(&dir)?.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io("cannot write", &path, e));
    }
    Ok(path)
}

/// Checks that files can be kept in `dir`: it is created (0700) when
/// missing, and a file is written into it and removed. What `check` and
/// the start of `run` and `once` do, so that a folder that cannot be
/// written stops them, not the first applicant's file.
///
/// # Errors
/// The reason, naming the path.
pub fn probe(dir: &Path) -> Result<(), String> {
    let path = write(dir, FileType::Txt, b"probe")?;
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
    }
}

/// The bytes of a stored file, checked against the SHA-256 recorded with
/// it (hex).
///
/// # Errors
/// The file cannot be read, or its content is not what was stored.
pub fn read(path: &Path, sha256_hex: &str) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if super::sha256_hex(&bytes) != sha256_hex {
        return Err(format!(
            "{} has changed since it was stored (its SHA-256 differs)",
            path.display()
        ));
    }
    Ok(bytes)
}

/// Removes stored files; one already gone is no error (an erase that
/// failed after removing it runs again). Returns the failures in words.
pub fn remove(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .filter_map(|p| match std::fs::remove_file(p) {
            Ok(()) => None,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => Some(format!("cannot remove {}: {e}", p.display())),
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_file_is_written_private_under_our_name_and_read_back_checked() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("files");
        let path = write(&dir, FileType::Pdf, b"%PDF-1.4 x").expect("write");
        assert_eq!(
            path.parent(),
            Some(std::fs::canonicalize(&dir).expect("dir").as_path())
        );
        assert!(path.extension().is_some_and(|e| e == "pdf"));
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);
        // No temporary file is left.
        assert_eq!(std::fs::read_dir(&dir).expect("ls").count(), 1);
        let sum = crate::files::sha256_hex(b"%PDF-1.4 x");
        assert_eq!(read(&path, &sum).expect("read"), b"%PDF-1.4 x");
        std::fs::write(&path, b"changed").expect("overwrite");
        assert!(read(&path, &sum).unwrap_err().contains("has changed"));
        assert!(remove(std::slice::from_ref(&path)).is_empty());
        assert!(!path.exists());
        // Gone already: no error.
        assert!(remove(&[path]).is_empty());
    }

    #[test]
    fn a_folder_that_cannot_be_made_is_found_by_the_probe() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("new").join("files");
        probe(&dir).expect("made and writable");
        assert_eq!(
            std::fs::read_dir(&dir).expect("ls").count(),
            0,
            "no probe left"
        );
        // A file where the folder should be.
        let blocked = tmp.path().join("blocked");
        std::fs::write(&blocked, b"x").expect("file");
        let err = probe(&blocked.join("files")).expect_err("not a folder");
        assert!(err.starts_with("cannot create "), "{err}");
    }
}
