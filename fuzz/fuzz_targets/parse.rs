//! Any bytes as an inbound mail: parse, extract and check the answers, as
//! the daemon does. Nothing may panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "shared.rs"]
mod shared;
use shared::extractor;

fuzz_target!(|data: &[u8]| {
    if let Ok(inbound) = mailintake::ingest::parse(data) {
        let extracted = extractor().extract(&inbound.body);
        let _ = mailintake::domain::check(&extracted, extractor().questions());
    }
});
