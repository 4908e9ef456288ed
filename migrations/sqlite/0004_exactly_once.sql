-- Exactly-once enforced by the database, for two processes on one file:
-- a mail that was acted on has a unique identity (its Message-ID, or a
-- content hash), and a message gets at most one reply of each kind.
ALTER TABLE messages ADD COLUMN identity TEXT;
-- The first acted-on row per identity gets it (one pass, grouped: a
-- correlated subquery per row would take minutes on a large mailbox).
UPDATE messages SET identity = COALESCE(message_id, 'sha256:' || sha256)
 WHERE id IN (SELECT MIN(id) FROM messages
               WHERE outcome <> 'duplicate'
                 AND (attention IS NULL
                      OR attention NOT IN ('unparseable', 'too-large', 'too-complex'))
               GROUP BY COALESCE(message_id, 'sha256:' || sha256));
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
