//! File questions (`kind = "file"`): what an attached file is
//! ([`kind`]), sizes in the questions file and in words ([`size`]), which
//! attached file answers which question and whether it is taken
//! ([`assign`]), and files kept on disk ([`disk`]). Storing them is the
//! store's (`store/files.rs`).

pub mod assign;
pub mod disk;
pub mod kind;
mod refusal;
pub mod size;

pub use assign::{Accepted, Assignment, FileAnswer, assign, display_name, stored_type};
pub use kind::{Detected, FileType, detect};
pub use refusal::{Refusal, shown_in};

/// The largest file a file question takes when it names no `max_size`:
/// 5 MB (5,000,000 bytes). With base64 (RFC 2045) a mail carrying it is
/// about 6.8 MB, under the default `intake.max_message_bytes` (10 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 5_000_000;

/// SHA-256 of `bytes`, lower-case hex: what is recorded with each file.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
