-- The server key: the key of the tokens in our Message-IDs and of the
-- hashes an erase leaves behind. Made at random by the first process to
-- need it; one row.
CREATE TABLE server_key (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    value  TEXT    NOT NULL
);
