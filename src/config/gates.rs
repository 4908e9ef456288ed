//! `[security]` and `[limits]`: the settings of the two gates on a
//! person's mail ([`crate::domain::gates`]). Both tables are optional,
//! hold no secret and are checked by every command, like `[intake]`.

use super::raw::{RawLimits, RawSecurity};
use super::{ConfigError, Origin};
use crate::domain::SendLimits;
use crate::ingest::authres::is_token_char;

/// `[security]`: what is believed of a mail's own headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trust {
    /// `security.trusted_authserv_id`: the authserv-id our own receiving
    /// mail server writes in its `Authentication-Results` fields (RFC
    /// 8601), lower-cased. `None` (the default) believes no such field.
    pub trusted_authserv_id: Option<String>,
}

/// Checks `[security]`.
pub(super) fn security(raw: Option<RawSecurity>, origin: &Origin) -> Result<Trust, ConfigError> {
    const KEY: &str = "security.trusted_authserv_id";
    let Some(id) = raw.and_then(|r| r.trusted_authserv_id) else {
        return Ok(Trust::default());
    };
    // What a server writes unquoted (RFC 2045 token); a host name in
    // practice. Anything else was not copied from a real field.
    if id.is_empty() || !id.chars().all(is_token_char) {
        return Err(origin.invalid(
            KEY,
            format!(
                "`{id}` is not an authserv-id: give the name your mail server writes first in its Authentication-Results fields, like mx.example.org"
            ),
        ));
    }
    Ok(Trust {
        trusted_authserv_id: Some(id.to_ascii_lowercase()),
    })
}

/// Checks `[limits]`: each key a whole number from 0 (TOML's type check
/// refuses a negative one), its default when missing.
pub(super) fn limits(raw: Option<RawLimits>) -> SendLimits {
    let raw = raw.unwrap_or_default();
    let default = SendLimits::default();
    SendLimits {
        per_address_per_hour: raw
            .per_address_per_hour
            .unwrap_or(default.per_address_per_hour),
        total_per_hour: raw.total_per_hour.unwrap_or(default.total_per_hour),
    }
}

/// A limit of 0 answers nobody: worth a line at each start, naming the
/// key, since it may be a slip for "no limit".
pub(super) fn warnings(limits: SendLimits) -> Vec<String> {
    [
        ("limits.per_address_per_hour", limits.per_address_per_hour),
        ("limits.total_per_hour", limits.total_per_hour),
    ]
    .into_iter()
    .filter(|(_, n)| *n == 0)
    .map(|(key, _)| {
        format!(
            "{key} = 0: no mail is answered; every mail that would be is listed for staff (send-limit)"
        )
    })
    .collect()
}
