//! The server key's row (table `server_key`).

use super::{Store, StoreError};
use crate::token::Key;

impl Store {
    /// The server key, made and stored by the first caller on a new
    /// database. Processes sharing one database race safely: the first
    /// insert wins and every caller reads that one back.
    ///
    /// # Errors
    /// A database error, or [`StoreError::Unknown`] when the stored key is
    /// not 64 hex digits (written by hand).
    pub async fn key(&self) -> Result<Key, StoreError> {
        sqlx::query(
            "INSERT INTO server_key (id, value) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(Key::random().to_hex())
        .execute(&self.pool)
        .await?;
        let value: String = sqlx::query_scalar("SELECT value FROM server_key WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Key::from_hex(&value).ok_or(StoreError::Unknown {
            table: "server_key",
            column: "value",
            value: "(not 64 hex digits)".into(),
            row: 1,
        })
    }
}
