-- Each distinct questions file a process has used, by the SHA-256 of its
-- text, with the text itself: a reply's numbers are read against the
-- questions the mail it replies to showed, whatever the file says now.
CREATE TABLE question_versions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    digest         TEXT    NOT NULL UNIQUE,
    questions      TEXT    NOT NULL,
    first_used_at  TEXT    NOT NULL
);
-- The version each reply showed; NULL for replies queued before versions
-- were recorded (their numbers are read against the current file).
ALTER TABLE outbox ADD COLUMN questions_version INTEGER REFERENCES question_versions (id);
-- The prompt each answer was given under, as the applicant read it; NULL
-- for answers stored before prompts were recorded.
ALTER TABLE answers ADD COLUMN prompt TEXT;
ALTER TABLE held_answers ADD COLUMN prompt TEXT;
