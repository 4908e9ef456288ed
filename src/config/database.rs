//! `[database]`: where applications are stored.

use std::path::{Path, PathBuf};

use secrecy::ExposeSecret;
use secrecy::zeroize::Zeroizing;

use super::raw::RawDatabase;
use super::{ConfigError, Origin, Secret};

const NEEDED_BY: &str =
    "`run`, `once`, `report`, `status`, `backup`, `export`, `erase`, `purge` and `check` need it";

/// The database URL, a relative SQLite path made relative to the config;
/// secret, since a PostgreSQL URL may hold a password.
pub(super) fn url(raw: Option<&RawDatabase>, origin: &Origin) -> Result<Secret, ConfigError> {
    let raw = raw.ok_or_else(|| origin.missing_table("database", NEEDED_BY))?;
    let url = raw
        .url
        .as_ref()
        .ok_or_else(|| origin.missing_key("database.url", NEEDED_BY))?;
    resolve(url.expose_secret(), origin.base())
        .map(|resolved| Secret::new(&Zeroizing::new(resolved)))
        .map_err(|m| origin.invalid("database.url", m))
}

/// A database URL fit to print: a server's URL may hold a password, in its
/// user part or as a query parameter (`?password=`, `?sslpassword=`).
pub fn printable_url(url: &str) -> String {
    let Ok(mut parsed) = url::Url::parse(url) else {
        return url.to_string();
    };
    if parsed.password().is_some() {
        // Only fails for URLs that cannot hold a password at all.
        let _ = parsed.set_password(Some("***"));
    }
    let secret = |k: &str| k.to_ascii_lowercase().contains("password");
    if parsed.query_pairs().any(|(k, _)| secret(&k)) {
        let pairs: Vec<(String, String)> = parsed
            .query_pairs()
            .map(|(k, v)| {
                let v = if secret(&k) {
                    "***".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        parsed.query_pairs_mut().clear().extend_pairs(pairs);
    }
    parsed.to_string()
}

/// Makes a relative SQLite path relative to the config file's folder.
fn resolve(url: &str, base: &Path) -> Result<String, String> {
    if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or(url.strip_prefix("sqlite:"))
    {
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (rest, None),
        };
        if path.is_empty() {
            return Err("missing SQLite file path".into());
        }
        if path == ":memory:" {
            return Ok(url.to_string());
        }
        let full = if Path::new(path).is_absolute() {
            PathBuf::from(path)
        } else {
            base.join(path)
        };
        let mut out = format!("sqlite://{}", full.display());
        if let Some(q) = query {
            out.push('?');
            out.push_str(q);
        }
        Ok(out)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        // Checked here so that a typo is a config error naming the key;
        // the message never repeats the URL, which may hold a password.
        url::Url::parse(url)
            .map(|_| url.to_string())
            .map_err(|e| format!("not a valid PostgreSQL URL ({e})"))
    } else {
        let scheme = url.split(':').next().unwrap_or("");
        Err(format!(
            "unsupported database `{scheme}:`; use sqlite://FILE or postgres://USER@HOST/DB"
        ))
    }
}
