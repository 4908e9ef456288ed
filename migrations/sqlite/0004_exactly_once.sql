-- Exactly-once enforced by the database, for two processes on one file:
-- a mail that was acted on has a unique identity (its Message-ID, or a
-- content hash), and a message gets at most one reply of each kind.
ALTER TABLE messages ADD COLUMN identity TEXT;
UPDATE messages SET identity = COALESCE(message_id, 'sha256:' || sha256)
 WHERE outcome <> 'duplicate'
   AND (attention IS NULL OR attention NOT IN ('unparseable', 'too-large', 'too-complex'))
   AND id = (SELECT MIN(m.id) FROM messages m
              WHERE COALESCE(m.message_id, 'sha256:' || m.sha256)
                  = COALESCE(messages.message_id, 'sha256:' || messages.sha256)
                AND m.outcome <> 'duplicate'
                AND (m.attention IS NULL OR m.attention NOT IN ('unparseable', 'too-large', 'too-complex')));
CREATE UNIQUE INDEX messages_identity ON messages (identity);
CREATE UNIQUE INDEX outbox_one_per_kind ON outbox (message_id, kind);

-- Sending under a lease that lapses when its process dies: replaces the
-- ten-minute claim.
ALTER TABLE outbox DROP COLUMN claimed_at;
ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
ALTER TABLE outbox ADD COLUMN lease_expires_at TEXT;

-- When each mailbox was first opened: mail older than that (less the
-- backfill window) is backlog, recorded and never answered.
CREATE TABLE mailboxes (
    name             TEXT PRIMARY KEY,
    first_opened_at  TEXT NOT NULL
);
