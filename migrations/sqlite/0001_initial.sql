-- Every mail seen in the mailbox, kept raw: nothing an applicant sent is lost.
CREATE TABLE messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    mailbox       TEXT    NOT NULL,
    uidvalidity   INTEGER NOT NULL,
    uid           INTEGER NOT NULL,
    message_id    TEXT,
    sha256        TEXT    NOT NULL,
    from_addr     TEXT,
    from_name     TEXT,
    subject       TEXT    NOT NULL DEFAULT '',
    received_at   TEXT    NOT NULL,
    processed_at  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    raw           BLOB    NOT NULL,
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
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT,
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Every version of every answer; the newest per question is the current one.
CREATE TABLE answers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id  INTEGER NOT NULL REFERENCES applications (id),
    question_id     TEXT    NOT NULL,
    value           TEXT    NOT NULL,
    message_id      INTEGER NOT NULL REFERENCES messages (id),
    created_at      TEXT    NOT NULL
);
CREATE INDEX answers_application ON answers (application_id, question_id, id);

-- Replies, written in the same transaction as the state change that caused them.
CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id   INTEGER REFERENCES messages (id),
    kind         TEXT    NOT NULL,
    recipient    TEXT    NOT NULL,
    sender       TEXT    NOT NULL,
    rfc822_id    TEXT    NOT NULL UNIQUE,
    body         BLOB    NOT NULL,
    created_at   TEXT    NOT NULL,
    sent_at      TEXT,
    failed_at    TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT
);
CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_recipient ON outbox (recipient, kind, created_at);
