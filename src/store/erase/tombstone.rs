//! Tombstones: what an erase leaves of a mail (its place and keyed hashes),
//! and how the pipeline knows a copy of an erased mail seen again.

use crate::store::{Inserted, StoreError, Tx};
use crate::token::Key;

/// The keyed hash a tombstone keeps of a mail's content.
pub(super) fn content_hash(key: &Key, sha256: &str) -> String {
    key.keyed_hash(&format!("sha256:{sha256}"))
}
impl Tx {
    /// The server key, when one was ever made (an erase makes it first).
    async fn stored_key(&mut self) -> Result<Option<Key>, StoreError> {
        let value: Option<String> = sqlx::query_scalar("SELECT value FROM server_key WHERE id = 1")
            .fetch_optional(&mut *self.inner)
            .await?;
        Ok(value.as_deref().and_then(Key::from_hex))
    }

    /// Whether a mail with this identity (its Message-ID, or `sha256:` and
    /// its hash), or with these bytes (`sha256`, hex), was erased: a copy
    /// of it seen again is not processed.
    pub async fn erased(&mut self, identity: &str, sha256: &str) -> Result<bool, StoreError> {
        let Some(key) = self.stored_key().await? else {
            return Ok(false);
        };
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM erased WHERE identity = $1 OR content = $2")
                .bind(key.keyed_hash(identity))
                .bind(content_hash(&key, sha256))
                .fetch_one(&mut *self.inner)
                .await?;
        Ok(n > 0)
    }

    /// Records a copy of an erased mail as seen, by its place and keyed
    /// hashes only. [`Inserted::Conflict`] when another writer recorded
    /// this UID first.
    pub async fn insert_erased(
        &mut self,
        mailbox: &str,
        uidvalidity: u32,
        uid: u32,
        identity: &str,
        sha256: &str,
    ) -> Result<Inserted, StoreError> {
        let key = self.stored_key().await?.ok_or(StoreError::Unknown {
            table: "server_key",
            column: "value",
            value: "(missing, yet a mail was erased)".into(),
            row: 1,
        })?;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO erased (mailbox, uidvalidity, uid, identity, content)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING id",
        )
        .bind(mailbox)
        .bind(i64::from(uidvalidity))
        .bind(i64::from(uid))
        .bind(key.keyed_hash(identity))
        .bind(content_hash(&key, sha256))
        .fetch_optional(&mut *self.inner)
        .await?;
        Ok(id.map_or(Inserted::Conflict, Inserted::Row))
    }
}
