//! How an error reads for a person: each reason in its chain, once.

use std::error::Error;

/// The error and its causes, joined by `: `. A cause whose text the
/// message already holds is left out: many errors (sqlx's, some of ours
/// before they were mended) print their source in their own text too, and
/// the reason would otherwise be said twice.
pub fn describe(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let part = e.to_string();
        if !part.is_empty() && !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read x: {0}")]
    struct Repeats(#[source] std::io::Error);

    #[derive(Debug, thiserror::Error)]
    #[error("database")]
    struct Wraps(#[source] Repeats);

    #[test]
    fn a_reason_is_said_once_however_deep() {
        let os = std::io::Error::from_raw_os_error(2);
        let e = Wraps(Repeats(os));
        assert_eq!(
            describe(&e),
            "database: cannot read x: No such file or directory (os error 2)"
        );
    }

    #[test]
    fn causes_not_in_the_message_are_added() {
        #[derive(Debug, thiserror::Error)]
        #[error("cannot read x")]
        struct Quiet(#[source] std::io::Error);
        let e = Quiet(std::io::Error::from_raw_os_error(13));
        assert_eq!(
            describe(&e),
            "cannot read x: Permission denied (os error 13)"
        );
    }
}
