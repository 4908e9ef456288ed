-- A sender claims a reply before sending it, so that two processes
-- (a daemon and a cron `once`, say) never send the same reply twice.
ALTER TABLE outbox ADD COLUMN claimed_at TEXT;
