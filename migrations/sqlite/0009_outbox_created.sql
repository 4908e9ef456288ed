-- The send limits count the replies queued in the last hour, in all, at
-- every mail: without this index that is a scan of the whole outbox,
-- reading each reply's body (stored before created_at) on the way.
CREATE INDEX outbox_created ON outbox (created_at);
