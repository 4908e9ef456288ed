//! Any bytes as an inbound mail: parse, judge robot or person, extract and
//! check the answers, as the daemon does. Nothing may panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "shared.rs"]
mod shared;
use shared::extractor;

fuzz_target!(|data: &[u8]| {
    // The whole reading `explain` shows: parse, robot verdict, extraction
    // with the sender's name, validation.
    let _ = mailintake::explain::explain(data, extractor(), "ldwg@example.org");
});
