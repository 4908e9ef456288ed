-- The send limits count the replies queued in the last hour, in all, at
-- every mail: without this index that is a scan of the whole outbox.
CREATE INDEX outbox_created ON outbox (created_at);
