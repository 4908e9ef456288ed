//! Reading a mail off the async runtime, with time limits: the whole
//! mail, or, when that fails, its header block alone for staff.

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::PARSE_TIME_LIMIT;
use crate::answers::{Extracted, Extractor};
use crate::domain::Attention;
use crate::ingest::{self, Inbound};

/// Result of reading a mail off the async runtime.
pub(super) enum Read {
    /// The mail, its answers, and the extractor that read them (whose
    /// questions are those the numbers were read against).
    Parsed(Box<Inbound>, Extracted, Arc<Extractor>),
    Failed(Attention, String),
}

/// The reading took too long: [`PARSE_TIME_LIMIT`] for parsing and
/// extracting together.
fn too_slow() -> Read {
    Read::Failed(
        Attention::TooComplex,
        format!("reading took longer than {} s", PARSE_TIME_LIMIT.as_secs()),
    )
}

/// Parses on a blocking thread, by `deadline`, so that neither a slow nor
/// a panicking parse can stop the daemon. `Err` is the reading's end: why
/// the mail is listed for staff.
pub(super) async fn parse(
    raw: Arc<Vec<u8>>,
    deadline: tokio::time::Instant,
) -> Result<Box<Inbound>, Read> {
    let work = tokio::task::spawn_blocking(move || match ingest::parse(&raw) {
        Ok(inbound) => Ok(Box::new(inbound)),
        Err(e @ ingest::IngestError::TooComplex(_)) => {
            Err(Read::Failed(Attention::TooComplex, e.to_string()))
        }
        Err(e) => Err(Read::Failed(Attention::Unparseable, e.to_string())),
    });
    match tokio::time::timeout_at(deadline, work).await {
        Ok(Ok(r)) => r,
        Ok(Err(join)) => Err(Read::Failed(
            Attention::Unparseable,
            format!("the parser failed: {join}"),
        )),
        Err(_) => Err(too_slow()),
    }
}

/// Reads the answers of a parsed mail with `extractor` on a blocking
/// thread, by `deadline`, like [`parse`].
pub(super) async fn read(
    inbound: Box<Inbound>,
    extractor: Arc<Extractor>,
    deadline: tokio::time::Instant,
) -> Read {
    let work = tokio::task::spawn_blocking(move || {
        let sender = inbound.from.as_ref().and_then(|f| f.name.as_deref());
        let extracted = extractor.read(&inbound.body, sender);
        Read::Parsed(inbound, extracted, extractor)
    });
    match tokio::time::timeout_at(deadline, work).await {
        Ok(Ok(r)) => r,
        Ok(Err(join)) => Read::Failed(Attention::Unparseable, format!("the parser failed: {join}")),
        Err(_) => too_slow(),
    }
}

/// Longest time spent reading the headers of a mail that could not be
/// read whole.
const HEAD_TIME_LIMIT: Duration = Duration::from_secs(2);

/// Most of a mail read as its header block.
const MAX_HEAD_BYTES: usize = 256 * 1024;

/// Who sent a mail that could not be read whole and about what, for
/// staff: its header block alone, read off the async runtime with a time
/// limit like the whole mail, so that neither a slow nor a panicking parse
/// can stop the daemon. `None` when there is none to be read in time.
pub(super) async fn head_of(raw: Arc<Vec<u8>>) -> Option<Inbound> {
    let work = tokio::task::spawn_blocking(move || ingest::parse(&header_block(&raw)).ok());
    tokio::time::timeout(HEAD_TIME_LIMIT, work)
        .await
        .ok()?
        .ok()?
}

/// The header block up to its first empty line (after CRLF or a bare LF),
/// at most [`MAX_HEAD_BYTES`], closed with an empty line of its own: the
/// parser then sees no body, which could take minutes to render.
fn header_block(raw: &[u8]) -> Vec<u8> {
    let raw = &raw[..raw.len().min(MAX_HEAD_BYTES)];
    let end = raw
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .find_map(|(i, _)| match raw.get(i + 1..) {
            Some([b'\n', ..]) => Some(i + 1),
            Some([b'\r', b'\n', ..]) => Some(i + 1),
            _ => None,
        })
        .unwrap_or(raw.len());
    let mut head = raw[..end].to_vec();
    head.extend_from_slice(b"\r\n\r\n");
    head
}

pub(super) fn sha256_hex(raw: &[u8]) -> String {
    format!("{:x}", Sha256::digest(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A mail that cannot be read whole still shows staff who sent it and
    /// about what, at once and whatever follows its header: here a body
    /// that takes the HTML renderer minutes (thousands of nested tables),
    /// after a header ended by a bare LF before a CRLF.
    #[tokio::test]
    async fn the_head_of_any_mail_is_read_at_once() {
        let mut tables =
            b"From: Bo <bo@example.net>\r\nSubject: Tables\r\nContent-Type: text/html\n\r\n"
                .to_vec();
        while tables.len() < 200_000 {
            tables.extend_from_slice(b"<table><tr><td>x ");
        }
        let mut endless = b"From: Bo <bo@example.net>\r\n".to_vec();
        while endless.len() < 1_000_000 {
            endless.extend_from_slice(b"X-Filler: yyyyyyyyyyyyyyyyyyyyyyyy\r\n");
        }
        let cases: [(&str, Vec<u8>, Option<&str>); 5] = [
            ("nested tables", tables, Some("bo@example.net")),
            ("a header without end", endless, Some("bo@example.net")),
            ("nothing", Vec::new(), None),
            ("blank lines only", b"\r\n\n\r\n\n".to_vec(), None),
            (
                "binary",
                (0..65_536u32)
                    .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                    .collect(),
                None,
            ),
        ];
        for (name, raw, from) in cases {
            let started = std::time::Instant::now();
            let head = head_of(Arc::new(raw)).await;
            assert!(
                started.elapsed() < Duration::from_secs(1),
                "{name}: {:?}",
                started.elapsed()
            );
            let sender = head.as_ref().and_then(|h| h.from.as_ref());
            assert_eq!(sender.map(|f| f.address.as_str()), from, "{name}");
            if name == "nested tables" {
                assert_eq!(head.map(|h| h.subject).as_deref(), Some("Tables"));
            }
        }
    }
}
