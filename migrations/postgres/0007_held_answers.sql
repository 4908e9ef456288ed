-- Answers from a mail that replied to none of ours (its From may be
-- forged): held here, apart from the answers, until the address confirms
-- by replying to our request; then they become answer versions and their
-- rows go.
CREATE TABLE held_answers (
    id              BIGSERIAL PRIMARY KEY,
    message_id      BIGINT  NOT NULL REFERENCES messages (id),
    question_id     TEXT    NOT NULL,
    value           TEXT    NOT NULL,
    check_reason    TEXT,
    as_written      TEXT,
    created_at      TEXT    NOT NULL
);
CREATE INDEX held_answers_message ON held_answers (message_id);
