-- An answer the reader had to guess about is marked for staff: why
-- (`signature-guessed`, `inside-original`, `attribution-kept`) and the
-- applicant's text as written, before the guessed cut. Both NULL for an
-- answer read without guessing; never one without the other.
ALTER TABLE answers ADD COLUMN as_written TEXT;
ALTER TABLE answers ADD COLUMN check_reason TEXT
    CHECK ((check_reason IS NULL) = (as_written IS NULL));
