//! Any bytes as an inbound mail: parse, extract and check the answers, as
//! the daemon does. Nothing may panic, whatever the input.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use mailintake::answers::Extractor;
use mailintake::questions::QuestionSet;

fn extractor() -> &'static Extractor {
    static E: OnceLock<Extractor> = OnceLock::new();
    E.get_or_init(|| {
        let q = QuestionSet::parse(
            include_str!("../../tests/fixtures/replies/questions.toml"),
            std::path::Path::new("questions.toml"),
        )
        .expect("fixture questions");
        Extractor::new(&q, &[include_str!("../../tests/fixtures/replies/question-mail.txt").to_string()])
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(inbound) = mailintake::ingest::parse(data) {
        let extracted = extractor().extract(&inbound.body);
        let _ = mailintake::domain::check(&extracted, extractor().questions());
    }
});
