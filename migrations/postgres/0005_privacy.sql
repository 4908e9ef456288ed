-- Applicants own their data (issue 10); as migrations/sqlite/0008.
--
-- What an erase leaves of a person's mail and of our replies to them:
-- where a mail was (mailbox, UIDVALIDITY, UID: no mail is fetched twice)
-- and keyed hashes (HMAC-SHA256 under the server key) of its identity
-- (its Message-ID, or `sha256:` and its content hash) and of its content,
-- so that a copy seen again counts as processed. Nothing that names the
-- person: without the key, a guessed address or Message-ID cannot be
-- checked against it. A reply leaves only the hash of its Message-ID
-- (the identity of its delivery copy), with no place.
CREATE TABLE erased (
    id           BIGSERIAL PRIMARY KEY,
    mailbox      TEXT,
    uidvalidity  BIGINT,
    uid          BIGINT,
    identity     TEXT,
    content      TEXT,
    UNIQUE (mailbox, uidvalidity, uid)
);
CREATE INDEX erased_identity ON erased (identity);
CREATE INDEX erased_content ON erased (content);

-- Retention (privacy.retention_days): when a mail's raw bytes, or a
-- finished reply's body, were purged. The row stays, so that the mail
-- stays processed and staff still see what became of it.
ALTER TABLE messages ADD COLUMN raw_purged_at TEXT;
ALTER TABLE outbox ADD COLUMN body_purged_at TEXT;
