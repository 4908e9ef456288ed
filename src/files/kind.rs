//! What a file is, by its content (magic bytes), never by its name: the
//! four types a file question takes, and words for anything else.
//!
//! The signatures are the `infer` crate's (PDF within the first 1024
//! bytes, as Acrobat reads it; the OpenDocument `mimetype` entry first in
//! the ZIP, ISO/IEC 26300 part 3, 3.3; an Office Open XML package whose
//! entries name `word/`, ECMA-376 part 2). ODT and DOCX are both ZIP
//! archives: they are told apart before a plain ZIP is named. "txt" is
//! UTF-8 (RFC 3629) without a NUL: what a text editor saves.

use serde::{Deserialize, Serialize};

/// The file types a file question can take (`types = [...]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileType {
    Pdf,
    Odt,
    Docx,
    Txt,
}

impl FileType {
    pub const ALL: [FileType; 4] = [FileType::Pdf, FileType::Odt, FileType::Docx, FileType::Txt];

    /// The name in the questions file and the database; also the
    /// extension a stored file gets.
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Odt => "odt",
            FileType::Docx => "docx",
            FileType::Txt => "txt",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The media type a stored file is written out with.
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Odt => "application/vnd.oasis.opendocument.text",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Txt => "text/plain; charset=utf-8",
        }
    }

    /// As applicants read it: "PDF", "ODT", "DOCX", "text".
    pub fn label(self) -> &'static str {
        match self {
            FileType::Pdf => "PDF",
            FileType::Odt => "ODT",
            FileType::Docx => "DOCX",
            FileType::Txt => "text",
        }
    }

    /// As applicants read it in `lang`: the type's name in capitals, or
    /// the language's word for text ("texte", "Text").
    pub fn label_in(self, lang: crate::lang::Lang) -> &'static str {
        match self {
            FileType::Txt => lang.words().text_type,
            other => other.label(),
        }
    }
}

/// What a file's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Detected {
    /// One of the types a file question can take.
    Type(FileType),
    /// Anything else (put in words in the applicant's language by
    /// [`crate::files::Refusal`]).
    Other(Format),
}

/// A file that is none of the four types: a known format by its usual
/// extension and family ("a PNG image"), empty, or nothing known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// `ext` in capitals ("PNG", "ZIP").
    Named {
        ext: String,
        family: Family,
    },
    Empty,
    Unknown,
}

/// The family of a known format, as `infer` sorts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Archive,
    Image,
    Audio,
    Video,
    Document,
    Book,
    Font,
    Program,
    /// Text in an encoding other than UTF-8.
    Text,
    Other,
}

/// What `bytes` are, by content. Never panics.
pub fn detect(bytes: &[u8]) -> Detected {
    if bytes.starts_with(b"PK\x03\x04") {
        if infer::odf::is_odt(bytes) {
            return Detected::Type(FileType::Odt);
        }
        if infer::doc::is_docx(bytes) || wordprocessing_package(bytes) {
            return Detected::Type(FileType::Docx);
        }
    // A ZIP holding a PDF near its start is still a ZIP.
    } else if infer::archive::is_pdf(bytes) {
        return Detected::Type(FileType::Pdf);
    }
    let text = !bytes.is_empty() && !bytes.contains(&0) && std::str::from_utf8(bytes).is_ok();
    match infer::get(bytes) {
        // HTML, XML or a shell script is text to a text editor.
        Some(t) if t.matcher_type() == infer::MatcherType::Text && text => {
            Detected::Type(FileType::Txt)
        }
        Some(t) => Detected::Other(Format::Named {
            ext: t.extension().to_ascii_uppercase(),
            family: family(t.matcher_type()),
        }),
        None if text => Detected::Type(FileType::Txt),
        None if bytes.is_empty() => Detected::Other(Format::Empty),
        None => Detected::Other(Format::Unknown),
    }
}

/// A ZIP that names the package's content types and a WordprocessingML
/// main part (ECMA-376 part 2, 10.1.2 and part 1, 11.3.10): the entry
/// names are stored uncompressed, in the central directory whatever the
/// order of the entries. `infer` reads the order Word writes; LibreOffice
/// and others write another.
fn wordprocessing_package(bytes: &[u8]) -> bool {
    let has = |name: &[u8]| bytes.windows(name.len()).any(|w| w == name);
    has(b"[Content_Types].xml") && has(b"word/document.xml")
}

/// The family of `infer`'s matcher type.
fn family(kind: infer::MatcherType) -> Family {
    use infer::MatcherType as M;
    match kind {
        M::Archive => Family::Archive,
        M::Image => Family::Image,
        M::Audio => Family::Audio,
        M::Video => Family::Video,
        M::Doc => Family::Document,
        M::Book => Family::Book,
        M::Font => Family::Font,
        M::App => Family::Program,
        M::Text => Family::Text,
        M::Custom => Family::Other,
    }
}

#[cfg(test)]
pub(crate) mod samples {
    //! Minimal real files, built here: what the type tests and the
    //! assignment tests read.

    /// A ZIP archive holding `entries` (name, content), stored
    /// uncompressed (PKWARE APPNOTE 4.3.7 and 4.3.12), in order.
    pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, data) in entries {
            let offset = out.len() as u32;
            let crc = crc32(data);
            let local = |buf: &mut Vec<u8>, sig: u32| {
                buf.extend(sig.to_le_bytes());
            };
            local(&mut out, 0x0403_4b50);
            out.extend(20u16.to_le_bytes()); // version needed
            out.extend(0u16.to_le_bytes()); // flags
            out.extend(0u16.to_le_bytes()); // stored
            out.extend(0u32.to_le_bytes()); // time, date
            out.extend(crc.to_le_bytes());
            out.extend((data.len() as u32).to_le_bytes());
            out.extend((data.len() as u32).to_le_bytes());
            out.extend((name.len() as u16).to_le_bytes());
            out.extend(0u16.to_le_bytes()); // extra
            out.extend(name.as_bytes());
            out.extend(*data);
            local(&mut central, 0x0201_4b50);
            central.extend(20u16.to_le_bytes());
            central.extend(20u16.to_le_bytes());
            central.extend([0u8; 4]);
            central.extend(0u16.to_le_bytes());
            central.extend(0u32.to_le_bytes());
            central.extend(crc.to_le_bytes());
            central.extend((data.len() as u32).to_le_bytes());
            central.extend((data.len() as u32).to_le_bytes());
            central.extend((name.len() as u16).to_le_bytes());
            central.extend([0u8; 12]);
            central.extend(offset.to_le_bytes());
            central.extend(name.as_bytes());
        }
        let start = out.len() as u32;
        let count = entries.len() as u16;
        out.extend(&central);
        out.extend(0x0605_4b50u32.to_le_bytes());
        out.extend([0u8; 4]);
        out.extend(count.to_le_bytes());
        out.extend(count.to_le_bytes());
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(start.to_le_bytes());
        out.extend(0u16.to_le_bytes());
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    pub fn pdf() -> Vec<u8> {
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
            .to_vec()
    }

    /// An OpenDocument text: `mimetype` first, uncompressed.
    pub fn odt() -> Vec<u8> {
        zip(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office:document-content/>"),
        ])
    }

    /// A WordprocessingML package, its entries in the order Word writes
    /// them.
    pub fn docx() -> Vec<u8> {
        zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("_rels/.rels", b"<Relationships/>"),
            ("word/_rels/document.xml.rels", b"<Relationships/>"),
            ("word/document.xml", b"<w:document/>"),
        ])
    }

    /// The same package in another order (as LibreOffice writes it).
    pub fn docx_other_order() -> Vec<u8> {
        zip(&[
            ("_rels/.rels", b"<Relationships/>"),
            ("docProps/app.xml", b"<Properties/>"),
            ("word/document.xml", b"<w:document/>"),
            ("[Content_Types].xml", b"<Types/>"),
        ])
    }

    /// A PNG's signature and IHDR chunk.
    pub fn png() -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        v.extend([
            0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89,
        ]);
        v
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::samples::*;
    use super::*;

    #[test]
    fn each_type_is_known_by_its_content() {
        assert_eq!(detect(&pdf()), Detected::Type(FileType::Pdf));
        assert_eq!(detect(&odt()), Detected::Type(FileType::Odt));
        assert_eq!(detect(&docx()), Detected::Type(FileType::Docx));
        assert_eq!(detect(&docx_other_order()), Detected::Type(FileType::Docx));
        assert_eq!(
            detect("Lebenslauf: Zürich, 2019–2024\n".as_bytes()),
            Detected::Type(FileType::Txt)
        );
        assert_eq!(
            detect(b"<!DOCTYPE html><p>my cv</p>"),
            Detected::Type(FileType::Txt)
        );
    }

    #[test]
    fn look_alikes_are_named_for_what_they_are() {
        // A PNG, whatever it is called.
        let named = |ext: &str, family| {
            Detected::Other(Format::Named {
                ext: ext.into(),
                family,
            })
        };
        assert_eq!(detect(&png()), named("PNG", Family::Image));
        // A ZIP that is neither ODT nor DOCX.
        let plain_zip = zip(&[("cv.pdf", b"%PDF-1.4 inside a zip")]);
        assert_eq!(detect(&plain_zip), named("ZIP", Family::Archive));
        // An OpenDocument spreadsheet is not a text document.
        let ods = zip(&[(
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        )]);
        assert_ne!(detect(&ods), Detected::Type(FileType::Odt));
        // Not text: a NUL, or bytes that are not UTF-8 (Latin-1 "é").
        assert!(matches!(detect(b"abc\0def"), Detected::Other(_)));
        assert!(matches!(detect(b"caf\xe9 au lait"), Detected::Other(_)));
        assert_eq!(detect(b""), Detected::Other(Format::Empty));
        assert_eq!(detect(b"\x00\x01\x02"), Detected::Other(Format::Unknown));
    }

    #[test]
    fn cut_off_files_never_panic() {
        for sample in [pdf(), odt(), docx(), png()] {
            for len in 0..sample.len() {
                let _ = detect(&sample[..len]);
            }
        }
        let _ = detect(b"PK\x03\x04");
        let _ = detect(&[0x50, 0x4b, 3, 4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    }
}
