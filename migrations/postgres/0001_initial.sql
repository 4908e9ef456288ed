-- The same schema as migrations/sqlite after 0004, for PostgreSQL. Times
-- are RFC 3339 UTC text of fixed width on both backends, so that one set
-- of queries reads and sorts them the same way.

-- Every mail seen in the mailbox, kept raw: nothing an applicant sent is lost.
CREATE TABLE messages (
    id            BIGSERIAL PRIMARY KEY,
    mailbox       TEXT    NOT NULL,
    uidvalidity   BIGINT  NOT NULL,
    uid           BIGINT  NOT NULL,
    identity      TEXT    UNIQUE,
    message_id    TEXT,
    sha256        TEXT    NOT NULL,
    from_addr     TEXT,
    from_name     TEXT,
    subject       TEXT    NOT NULL DEFAULT '',
    received_at   TEXT    NOT NULL,
    processed_at  TEXT    NOT NULL,
    size          BIGINT  NOT NULL,
    raw           BYTEA   NOT NULL,
    outcome       TEXT    NOT NULL,
    attention     TEXT,
    detail        TEXT,
    UNIQUE (mailbox, uidvalidity, uid)
);
CREATE INDEX messages_message_id ON messages (message_id);
CREATE INDEX messages_sha256 ON messages (sha256);
CREATE INDEX messages_attention ON messages (attention) WHERE attention IS NOT NULL;

-- One application per applicant address (stored lower-case).
CREATE TABLE applications (
    id          BIGSERIAL PRIMARY KEY,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Every version of every answer; the newest per question is the current one.
-- A guessed reading carries why and the text as written; both or neither.
CREATE TABLE answers (
    id              BIGSERIAL PRIMARY KEY,
    application_id  BIGINT NOT NULL REFERENCES applications (id),
    question_id     TEXT   NOT NULL,
    value           TEXT   NOT NULL,
    message_id      BIGINT NOT NULL REFERENCES messages (id),
    created_at      TEXT   NOT NULL,
    as_written      TEXT,
    check_reason    TEXT CHECK ((check_reason IS NULL) = (as_written IS NULL))
);
CREATE INDEX answers_application ON answers (application_id, question_id, id);

-- Replies, written in the same transaction as the state change that caused
-- them, sent under a lease that lapses when its process dies.
CREATE TABLE outbox (
    id                BIGSERIAL PRIMARY KEY,
    message_id        BIGINT REFERENCES messages (id),
    kind              TEXT    NOT NULL,
    recipient         TEXT    NOT NULL,
    sender            TEXT    NOT NULL,
    rfc822_id         TEXT    NOT NULL UNIQUE,
    body              BYTEA   NOT NULL,
    created_at        TEXT    NOT NULL,
    sent_at           TEXT,
    failed_at         TEXT,
    attempts          BIGINT  NOT NULL DEFAULT 0,
    last_error        TEXT,
    lease_owner       TEXT,
    lease_expires_at  TEXT,
    UNIQUE (message_id, kind)
);
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_recipient ON outbox (recipient, kind, created_at);

-- When each mailbox was first opened, for the backfill window.
CREATE TABLE mailboxes (
    name             TEXT PRIMARY KEY,
    first_opened_at  TEXT NOT NULL
);
