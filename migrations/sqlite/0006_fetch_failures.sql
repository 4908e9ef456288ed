-- Messages the IMAP server would not hand over (a NO or BAD to their
-- FETCH, a BYE in answer to it, an answer that cannot be read), with how
-- many turns met the failure: after a few, such a message is recorded and
-- listed for staff as `unfetchable`, so that the mail after it goes on.
CREATE TABLE fetch_failures (
    mailbox      TEXT    NOT NULL,
    uidvalidity  INTEGER NOT NULL,
    uid          INTEGER NOT NULL,
    tries        INTEGER NOT NULL,
    last_error   TEXT    NOT NULL,
    first_at     TEXT    NOT NULL,
    last_at      TEXT    NOT NULL,
    PRIMARY KEY (mailbox, uidvalidity, uid)
);
