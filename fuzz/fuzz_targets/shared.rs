//! The extractor both targets use: the golden fixtures' questions, and the
//! question mail those replies answer.

use std::sync::OnceLock;

use mailintake::answers::Extractor;
use mailintake::questions::QuestionSet;

pub fn extractor() -> &'static Extractor {
    static E: OnceLock<Extractor> = OnceLock::new();
    E.get_or_init(|| {
        let q = QuestionSet::parse(
            include_str!("../../tests/fixtures/replies/questions.toml"),
            std::path::Path::new("questions.toml"),
        )
        .expect("fixture questions");
        Extractor::new(
            &q,
            &[include_str!("../../tests/fixtures/replies/question-mail.txt").to_string()],
        )
    })
}
