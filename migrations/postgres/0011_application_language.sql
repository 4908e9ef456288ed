-- The language the applicant is written to in (an ISO 639-1 code of
-- intake.languages), chosen from their first mail; NULL before that.
ALTER TABLE applications ADD COLUMN language TEXT;
