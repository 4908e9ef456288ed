-- Proof of delivery: each reply is also addressed to the team mailbox, and
-- the copy's arrival shows the server took the reply. A reply whose send
-- was cut off (its process died, or its lease lapsed) is "in doubt" until
-- its copy arrives or the wait for it runs out.
ALTER TABLE outbox ADD COLUMN sending_since TEXT;
ALTER TABLE outbox ADD COLUMN copy_seen_at TEXT;
-- A reply the server deferred (4xx) waits until then, whoever sends next.
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
-- Mail in the mailbox up to this time has been processed: a delivery copy
-- not seen by then, well after the send was cut off, never came.
ALTER TABLE mailboxes ADD COLUMN caught_up_at TEXT;
