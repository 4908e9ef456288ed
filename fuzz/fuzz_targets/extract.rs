//! Any text as a reply body: answer extraction and validation must not
//! panic, and every answer found belongs to a question.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "shared.rs"]
mod shared;
use shared::extractor;

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let extracted = extractor().read(&body, Some("Ada Lovelace"));
    for id in extracted.checks.keys() {
        assert!(
            extracted.answers.contains_key(id),
            "check mark on no answer {id}"
        );
    }
    for id in extracted.answers.keys() {
        assert!(
            extractor().questions().by_id(id).is_some(),
            "answer to unknown question {id}"
        );
    }
    let _ = mailintake::domain::check(&extracted, extractor().questions());
});
