-- Files attached as answers to file questions (kind = "file"): one row
-- per answer version that is a file. The bytes are in `content`, or, with
-- `[files] directory` set, in a file of ours at `path` (absolute; the
-- applicant's name is never used on disk) and `content` is empty; either
-- way `sha256` is the content's, checked when the file is read back.
-- `name` is the applicant's name for it, for display only; `kind` the
-- type found in its content (pdf, odt, docx, txt).
CREATE TABLE files (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id   INTEGER NOT NULL UNIQUE REFERENCES answers (id),
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    content     BLOB    NOT NULL,
    path        TEXT,
    created_at  TEXT    NOT NULL
);
