//! Any text as a reply body: answer extraction and validation must not
//! panic, and every answer found belongs to a question.
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
    let body = String::from_utf8_lossy(data);
    let extracted = extractor().extract(&body);
    for id in extracted.answers.keys() {
        assert!(extractor().questions().by_id(id).is_some(), "answer to unknown question {id}");
    }
    let _ = mailintake::domain::check(&extracted, extractor().questions());
});
