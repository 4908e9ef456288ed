//! The server key and the reply tokens made with it.
//!
//! A mail answers for an address only when it replies to a mail we sent
//! to that address. SMTP proves nothing about a From header, but only the
//! owner of a mailbox reads what we send to it: so every Message-ID we
//! write carries a token, an HMAC-SHA256 over the recipient address and a
//! random nonce under the server key, and a reply is *vouched for* when
//! its In-Reply-To or References (RFC 5322 3.6.4) hold one of our
//! Message-IDs whose token matches its From address.
//!
//! The check needs no stored state: a token stays good after the outbox
//! row it came from is purged. The key also keys the hashes an erase
//! leaves behind ([`Key::keyed_hash`]), so that they cannot be recomputed
//! from a guessed address without it.
//!
//! HMAC and the random source are *ring*'s (already under rustls): a
//! reviewed implementation with a constant-time verify.

use std::fmt;

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use secrecy::{ExposeSecret, SecretBox};

/// Bytes of a token's nonce (128 bits); its tag is a whole HMAC-SHA256
/// (256 bits).
const PART: usize = 16;

/// What each use of the key is bound to, so that a tag made for one use
/// never passes for another.
const TOKEN_CONTEXT: &[u8] = b"mailintake reply token v1\0";
const HASH_CONTEXT: &[u8] = b"mailintake keyed hash v1\0";

/// The server key: 32 random bytes, made once per database and kept there
/// (table `server_key`). Held as a secret (zeroed on drop, never shown by
/// `Debug`), like the passwords.
#[derive(Clone)]
pub struct Key {
    // Shared, not copied, by clones: one copy to zero.
    bytes: std::sync::Arc<SecretBox<[u8; 32]>>,
    hmac: hmac::Key,
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

impl Key {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let hmac = hmac::Key::new(hmac::HMAC_SHA256, &bytes);
        Key {
            bytes: std::sync::Arc::new(SecretBox::new(Box::new(bytes))),
            hmac,
        }
    }

    /// A new random key from the operating system's source.
    ///
    /// # Panics
    /// Never in practice: *ring* fails only when the OS has no random
    /// source, and then nothing safe can be done.
    pub fn random() -> Self {
        let mut bytes = [0u8; 32];
        #[allow(clippy::expect_used)]
        SystemRandom::new()
            .fill(&mut bytes)
            .expect("the operating system's random source failed");
        Key::from_bytes(bytes)
    }

    /// The key as stored: 64 lower-case hex digits.
    pub fn to_hex(&self) -> String {
        hex(self.bytes.expose_secret())
    }

    /// Reads the stored form back; `None` when it is not 64 hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        let bytes: [u8; 32] = unhex(s.trim())?.try_into().ok()?;
        Some(Key::from_bytes(bytes))
    }

    /// What a token's tag is computed over.
    fn signed(address: &str, nonce: &str) -> Vec<u8> {
        [
            TOKEN_CONTEXT,
            normal(address).as_bytes(),
            b"\0",
            nonce.as_bytes(),
        ]
        .concat()
    }

    /// A new Message-ID (without angle brackets) for a mail to `address`:
    /// `NONCE.TAG@domain`, 32 and 64 lower-case hex digits.
    pub fn message_id(&self, address: &str, domain: &str) -> String {
        let mut nonce = [0u8; PART];
        #[allow(clippy::expect_used)]
        SystemRandom::new()
            .fill(&mut nonce)
            .expect("the operating system's random source failed");
        let nonce = hex(&nonce);
        let tag = hmac::sign(&self.hmac, &Self::signed(address, &nonce));
        format!("{nonce}.{}@{domain}", hex(tag.as_ref()))
    }

    /// Whether `message_id` (with or without angle brackets) is one we
    /// wrote for a mail to `address`. Addresses compare without regard to
    /// ASCII case.
    pub fn vouches(&self, message_id: &str, address: &str) -> bool {
        let id = message_id.trim().trim_matches(['<', '>']);
        let Some((local, _domain)) = id.rsplit_once('@') else {
            return false;
        };
        let Some((nonce, tag)) = local.split_once('.') else {
            return false;
        };
        if nonce.len() != 2 * PART {
            return false;
        }
        let Some(tag) = unhex(tag) else {
            return false;
        };
        // ring compares in constant time: a forger learns nothing from
        // how long the check took.
        hmac::verify(&self.hmac, &Self::signed(address, nonce), &tag).is_ok()
    }

    /// Whether any of `ids` (a mail's In-Reply-To and References) is one of
    /// our Message-IDs for `address`.
    pub fn vouched_by<'a>(&self, ids: impl IntoIterator<Item = &'a String>, address: &str) -> bool {
        ids.into_iter().any(|id| self.vouches(id, address))
    }

    /// A keyed hash of `value` (64 hex digits): what an erase leaves in
    /// place of an address or a mail's identity. Without the key it cannot
    /// be recomputed from a guessed value.
    pub fn keyed_hash(&self, value: &str) -> String {
        let mut ctx = hmac::Context::with_key(&self.hmac);
        ctx.update(HASH_CONTEXT);
        ctx.update(value.as_bytes());
        hex(ctx.sign().as_ref())
    }
}

/// Addresses are compared lower-case, as applications are stored.
fn normal(address: &str) -> String {
    address.trim().to_lowercase()
}

/// Bytes of an even-length hex string (either case); `None` otherwise.
fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.is_ascii() || !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_vouches_for_its_address_only() {
        let key = Key::random();
        let id = key.message_id("Ada@Example.org", "team.example.org");
        assert!(id.ends_with("@team.example.org"));
        assert!(key.vouches(&id, "ada@example.org"));
        assert!(key.vouches(&format!("<{id}>"), "ADA@example.org"));
        assert!(!key.vouches(&id, "eve@example.org"));
        // Another key (another server, or a forger's guess) does not.
        assert!(!Key::random().vouches(&id, "ada@example.org"));
    }

    #[test]
    fn tampered_or_foreign_ids_do_not_vouch() {
        let key = Key::random();
        let id = key.message_id("ada@example.org", "t.example");
        let (nonce, rest) = id.split_once('.').unwrap_or_default();
        let mut flipped = nonce.to_string();
        flipped.replace_range(0..1, if nonce.starts_with('0') { "1" } else { "0" });
        for bad in [
            format!("{flipped}.{rest}"),
            "".to_string(),
            "no-at-sign".to_string(),
            "1234@example.org".to_string(),
            format!("{nonce}.@t.example"),
            "CAF=abc+def@mail.gmail.com".to_string(),
        ] {
            assert!(!key.vouches(&bad, "ada@example.org"), "{bad}");
        }
    }

    #[test]
    fn the_key_round_trips_through_its_stored_form() {
        let key = Key::random();
        let back = Key::from_hex(&key.to_hex()).unwrap_or_else(Key::random);
        let id = key.message_id("ada@example.org", "t.example");
        assert!(back.vouches(&id, "ada@example.org"));
        assert_eq!(back.keyed_hash("x"), key.keyed_hash("x"));
        assert!(Key::from_hex("zz").is_none());
        assert!(Key::from_hex(&"g".repeat(64)).is_none());
        assert!(!format!("{key:?}").contains(&key.to_hex()));
    }

    #[test]
    fn keyed_hashes_differ_by_key_and_value() {
        let (a, b) = (Key::random(), Key::random());
        assert_ne!(
            a.keyed_hash("ada@example.org"),
            b.keyed_hash("ada@example.org")
        );
        assert_ne!(
            a.keyed_hash("ada@example.org"),
            a.keyed_hash("eve@example.org")
        );
        assert_eq!(a.keyed_hash("x").len(), 64);
    }
}
