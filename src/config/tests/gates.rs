//! `[security]` and `[limits]`: optional, checked by every command.

use super::*;

#[test]
fn security_and_limits_are_optional_and_checked_by_every_command() {
    let (_dir, file) = setup();
    let c = Config::from_str_at(GOOD, &file, &no_env).expect("valid");
    assert_eq!(c.security.trusted_authserv_id, None);
    assert_eq!(
        (c.limits.per_address_per_hour, c.limits.total_per_hour),
        (5, 120)
    );
    assert!(
        !c.warnings().iter().any(|w| w.contains("limits")),
        "{:?}",
        c.warnings()
    );

    let text = format!(
        "{NO_MAIL}[security]\ntrusted_authserv_id = \"MX.Example.org\"\n[limits]\nper_address_per_hour = 2\ntotal_per_hour = 0\n"
    );
    let s = Settings::from_str_at(&text, &file).expect("valid");
    assert_eq!(
        s.security.trusted_authserv_id.as_deref(),
        Some("mx.example.org")
    );
    assert_eq!(
        (s.limits.per_address_per_hour, s.limits.total_per_hour),
        (2, 0)
    );
    let c = Config::from_str_at(
        &format!("{GOOD}[limits]\ntotal_per_hour = 0\n"),
        &file,
        &no_env,
    )
    .expect("valid");
    let limits: Vec<String> = c
        .warnings()
        .into_iter()
        .filter(|w| w.starts_with("limits."))
        .collect();
    assert_eq!(
        limits,
        [
            "limits.total_per_hour = 0: no mail is answered; every mail that would be is listed for staff (send-limit)"
        ]
    );

    let err = |extra: &str| {
        Settings::from_str_at(&format!("{NO_MAIL}{extra}"), &file)
            .expect_err("invalid")
            .to_string()
    };
    let named = |message: String, place: &str| {
        let file = file.display().to_string();
        assert!(
            message.starts_with(&format!("{file}: {place}")),
            "{message}"
        );
    };
    named(
        err("[security]\ntrusted_authserv_id = \"mx.example.org; dmarc=pass\"\n"),
        "key `security.trusted_authserv_id`: `mx.example.org; dmarc=pass` is not an authserv-id",
    );
    named(
        err("[security]\ntrusted_authserv_id = \"\"\n"),
        "key `security.trusted_authserv_id`: `` is not an authserv-id",
    );
    named(
        err("[security]\ntrusted_authserv = \"mx.example.org\"\n"),
        "key `security.trusted_authserv` (line 9): unknown field",
    );
    named(
        err("[limits]\nper_address_per_hour = -1\n"),
        "key `limits.per_address_per_hour` (line 9): invalid value",
    );
    named(
        err("[limits]\ntotal_per_hour = \"lots\"\n"),
        "key `limits.total_per_hour` (line 9): invalid type",
    );
    named(
        err("[limits]\nper_hour = 3\n"),
        "key `limits.per_hour` (line 9): unknown field",
    );
}
